// Consumer lag as the console computes it (committed offset vs the partition's log end offset, both read over the
// wire) and the short per-partition history its sparklines draw.

/** Lag of one partition: end - committed, never negative; null when either is unknown (no commit yet, no leader). */
export function partitionLag(committed: bigint | null, end: bigint | null): bigint | null {
  if (committed === null || end === null || committed < 0n || end < 0n) return null;
  return end > committed ? end - committed : 0n;
}

/** Sum of the known lags; null when none is known. */
export function totalLag(lags: Array<bigint | null>): bigint | null {
  let sum: bigint | null = null;
  for (const l of lags) if (l !== null) sum = (sum ?? 0n) + l;
  return sum;
}

export interface LagPoint {
  time: number;
  lag: number;
}

/**
 * The last `capacity` lag readings per (group, topic, partition) and per group in total. Groups not recorded for
 * `forgetAfterMs` are dropped, so a console left open does not keep every group it ever saw.
 */
export class LagHistory {
  private readonly series = new Map<string, Map<string, LagPoint[]>>();
  private readonly lastSeen = new Map<string, number>();

  constructor(private readonly capacity = 60, private readonly forgetAfterMs = 10 * 60_000) {}

  static key(topic: string, partition: number): string {
    return `${topic}:${partition}`;
  }

  /** Records one reading of a group: its per-partition lags (unknown ones are left out) and their total. */
  record(group: string, time: number, lags: Array<{ topic: string; partition: number; lag: bigint | null }>): void {
    let g = this.series.get(group);
    if (!g) this.series.set(group, (g = new Map()));
    const push = (key: string, lag: bigint | null): void => {
      if (lag === null) return;
      let s = g!.get(key);
      if (!s) g!.set(key, (s = []));
      s.push({ time, lag: Number(lag) });
      if (s.length > this.capacity) s.splice(0, s.length - this.capacity);
    };
    for (const l of lags) push(LagHistory.key(l.topic, l.partition), l.lag);
    push('*', totalLag(lags.map((l) => l.lag)));
    this.lastSeen.set(group, time);
    for (const [name, seen] of this.lastSeen) {
      if (time - seen > this.forgetAfterMs) {
        this.lastSeen.delete(name);
        this.series.delete(name);
      }
    }
  }

  /** One partition's readings (`topic:partition`), or the group total with key '*'. */
  points(group: string, key: string): LagPoint[] {
    return [...(this.series.get(group)?.get(key) ?? [])];
  }

  groups(): string[] {
    return [...this.series.keys()];
  }
}
