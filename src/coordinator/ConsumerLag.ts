// Consumer lag for the groups this coordinator owns: committed offset against the partition's high watermark, and a
// status per partition and group judged, as Burrow does, over a sliding window of each partition's last offset
// commits rather than against a fixed lag threshold.

export type LagStatus = 'OK' | 'WARNING' | 'STALLED' | 'STOPPED';

/** Worse statuses sort later; a group takes its worst partition's. */
export const LAG_STATUS_SEVERITY: Readonly<Record<LagStatus, number>> = { OK: 0, WARNING: 1, STALLED: 2, STOPPED: 3 };

/** One offset commit as the window keeps it: the offset, when it was committed, and the lag at that moment. */
export interface CommitSample {
  offset: bigint;
  timestamp: number;
  /** High watermark minus offset when the commit arrived; null when the high watermark was not known then. */
  lag: bigint | null;
}

/**
 * Burrow's evaluation rules, in its order, for one partition. `window` is oldest first; `currentLag` is the lag now
 * (null: high watermark unknown); `windowSize` is how many commits a full window holds.
 *
 * - No commit, an unknown lag in the window or no lag now: OK (nothing to judge, or caught up).
 * - Some commit in the window had zero lag: OK (the consumer caught up within the window).
 * - STOPPED: the last commit is older than the window is long (now - newest > newest - oldest, with at least two
 *   commits): the consumer stopped committing while behind.
 * - With a full window only (a few commits say little about a trend):
 *   - STALLED: the offset never moved across the window while the lag stayed or grew.
 *   - WARNING: the offset moved but the lag never went down between two commits: the consumer falls behind.
 * - Otherwise OK.
 */
export function evaluatePartitionLag(window: readonly CommitSample[], currentLag: bigint | null, now: number, windowSize: number): LagStatus {
  const newest = window[window.length - 1];
  const oldest = window[0];
  if (!newest || !oldest || currentLag === null || currentLag <= 0n) return 'OK';
  const lags: bigint[] = [];
  for (const s of window) {
    if (s.lag === null) return 'OK';
    lags.push(s.lag);
  }
  if (lags.some((l) => l <= 0n)) return 'OK';
  if (window.length >= 2 && now - newest.timestamp > newest.timestamp - oldest.timestamp) return 'STOPPED';
  if (window.length < windowSize) return 'OK';
  let lagNeverFell = true;
  for (let i = 1; i < lags.length; i++) if (lags[i]! < lags[i - 1]!) lagNeverFell = false;
  // Rule 2 compares the lag across the window (Burrow: fixed or increasing); the current lag counts as its end.
  if (newest.offset === oldest.offset) return currentLag >= lags[0]! ? 'STALLED' : 'OK';
  return lagNeverFell ? 'WARNING' : 'OK';
}

export function worstStatus(statuses: Iterable<LagStatus>): LagStatus {
  let worst: LagStatus = 'OK';
  for (const s of statuses) if (LAG_STATUS_SEVERITY[s] > LAG_STATUS_SEVERITY[worst]) worst = s;
  return worst;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  committedOffset: bigint;
  /** Null when the partition's high watermark is not known to this broker. */
  highWatermark: bigint | null;
  lag: bigint | null;
  status: LagStatus;
  /** Commits in the window (status is judged on a full window for STALLED and WARNING). */
  windowCommits: number;
}

export interface GroupLag {
  group: string;
  status: LagStatus;
  /** Sum of the known partition lags. */
  totalLag: bigint;
  partitions: PartitionLag[];
}

/** The partition's high watermark as this broker knows it now, null when unknown. */
export type HighWatermarkSource = (topic: string, partition: number) => bigint | null;

/** Keeps each (group, partition)'s window of recent commits and turns them into lag and status on request. */
export class ConsumerLagTracker {
  /** group -> "topic\0partition" -> window, oldest first. */
  private readonly windows = new Map<string, Map<string, CommitSample[]>>();
  private hw: HighWatermarkSource = () => null;

  constructor(
    readonly windowSize: number,
    private readonly now: () => number = Date.now,
  ) {}

  setHighWatermarkSource(source: HighWatermarkSource): void {
    this.hw = source;
  }

  /** A committed offset (per partition of an OffsetCommit that succeeded): O(1), on the commit path. */
  recordCommit(group: string, topic: string, partition: number, offset: bigint): void {
    let g = this.windows.get(group);
    if (!g) {
      g = new Map();
      this.windows.set(group, g);
    }
    const key = `${topic}\u0000${partition}`;
    let w = g.get(key);
    if (!w) {
      w = [];
      g.set(key, w);
    }
    const hw = this.hw(topic, partition);
    w.push({ offset, timestamp: this.now(), lag: hw === null ? null : hw > offset ? hw - offset : 0n });
    if (w.length > this.windowSize) w.shift();
  }

  /** The group moved to another coordinator or died: its history goes (the new coordinator starts afresh). */
  forgetGroup(group: string): void {
    this.windows.delete(group);
  }

  /** Lag and status of a group from its committed offsets (topic, partition, offset), as held by the coordinator. */
  groupLag(group: string, committed: Iterable<{ topic: string; partition: number; offset: bigint }>): GroupLag {
    const g = this.windows.get(group);
    const now = this.now();
    const partitions: PartitionLag[] = [];
    let totalLag = 0n;
    for (const c of committed) {
      const hw = this.hw(c.topic, c.partition);
      const lag = hw === null ? null : hw > c.offset ? hw - c.offset : 0n;
      if (lag !== null) totalLag += lag;
      const w = g?.get(`${c.topic}\u0000${c.partition}`) ?? [];
      const status = evaluatePartitionLag(w, lag, now, this.windowSize);
      partitions.push({ topic: c.topic, partition: c.partition, committedOffset: c.offset, highWatermark: hw, lag, status, windowCommits: w.length });
    }
    partitions.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    return { group, status: worstStatus(partitions.map((p) => p.status)), totalLag, partitions };
  }
}
