// Burrow's lag evaluation rules as ConsumerLagTracker applies them, one table row per rule, and the tracker's window.
import { ConsumerLagTracker, evaluatePartitionLag, worstStatus, type CommitSample, type LagStatus } from '../../../src/coordinator/ConsumerLag';

/** A window of commits one minute apart ending at t=10 min: [offset, lag] per commit. */
function window(points: Array<[number, number | null]>): CommitSample[] {
  const end = 10 * 60_000;
  return points.map(([offset, lag], i) => ({ offset: BigInt(offset), lag: lag === null ? null : BigInt(lag), timestamp: end - (points.length - 1 - i) * 60_000 }));
}
const NOW = 10 * 60_000 + 1000;
const W = 5;

describe('evaluatePartitionLag (Burrow rules)', () => {
  const rows: Array<[string, CommitSample[], bigint | null, number, LagStatus]> = [
    ['no commits: nothing to judge', [], 10n, NOW, 'OK'],
    ['caught up now (lag 0)', window([[0, 5], [0, 5], [0, 5], [0, 5], [0, 5]]), 0n, NOW, 'OK'],
    ['high watermark unknown now', window([[0, 5], [0, 5], [0, 5], [0, 5], [0, 5]]), null, NOW, 'OK'],
    ['rule 1: a zero lag within the window', window([[10, 3], [20, 0], [30, 4], [40, 5], [50, 6]]), 6n, NOW, 'OK'],
    ['an unknown lag in the window: not judged', window([[10, 3], [20, null], [30, 4], [40, 5], [50, 6]]), 6n, NOW, 'OK'],
    ['rule 2: offset unchanged, lag fixed -> STALLED', window([[7, 5], [7, 5], [7, 5], [7, 5], [7, 5]]), 5n, NOW, 'STALLED'],
    ['rule 2: offset unchanged, lag growing -> STALLED', window([[7, 5], [7, 6], [7, 7], [7, 8], [7, 9]]), 12n, NOW, 'STALLED'],
    ['rule 3: offsets move, lag never falls -> WARNING', window([[10, 5], [20, 5], [30, 6], [40, 8], [50, 8]]), 9n, NOW, 'WARNING'],
    ['offsets move and lag falls once -> OK', window([[10, 5], [20, 7], [30, 6], [40, 8], [50, 9]]), 9n, NOW, 'OK'],
    ['rule 4: no commit for longer than the window spans -> STOPPED', window([[10, 5], [20, 4], [30, 3], [40, 2], [50, 1]]), 1n, 10 * 60_000 + 5 * 60_000, 'STOPPED'],
    ['rule 4 is checked before the stall rule', window([[7, 5], [7, 5], [7, 5], [7, 5], [7, 5]]), 5n, 30 * 60_000, 'STOPPED'],
    ['rule 4 does not apply once caught up', window([[10, 5], [20, 4], [30, 3], [40, 2], [50, 1]]), 0n, 60 * 60_000, 'OK'],
    ['a window not yet full is not judged for stalls', window([[7, 5], [7, 5], [7, 5]]), 5n, NOW, 'OK'],
    ['a window not yet full is not judged for warnings', window([[10, 5], [20, 6], [30, 7]]), 8n, NOW, 'OK'],
    ['but a short window can be STOPPED', window([[10, 5], [20, 6]]), 6n, NOW + 5 * 60_000, 'STOPPED'],
    ['a single commit is never STOPPED', window([[10, 5]]), 6n, NOW + 60 * 60_000, 'OK'],
  ];
  it.each(rows)('%s', (_name, w, current, now, expected) => {
    expect(evaluatePartitionLag(w, current, now, W)).toBe(expected);
  });

  it('a group takes its worst partition status', () => {
    expect(worstStatus([])).toBe('OK');
    expect(worstStatus(['OK', 'WARNING', 'OK'])).toBe('WARNING');
    expect(worstStatus(['STALLED', 'WARNING'])).toBe('STALLED');
    expect(worstStatus(['OK', 'STOPPED', 'STALLED'])).toBe('STOPPED');
  });
});

describe('ConsumerLagTracker', () => {
  it('records lag at each commit against the high watermark, keeps only the window, and reports the group', () => {
    let now = 0;
    const hw = new Map<string, bigint>([['t\u00000', 100n], ['t\u00001', 50n]]);
    const tracker = new ConsumerLagTracker(3, () => now);
    tracker.setHighWatermarkSource((t, p) => hw.get(`${t}\u0000${p}`) ?? null);
    // Partition 0: the consumer commits the same offset while data keeps arriving.
    for (let i = 0; i < 5; i++) {
      now += 1000;
      hw.set('t\u00000', 100n + BigInt(i * 10));
      tracker.recordCommit('g', 't', 0, 40n);
    }
    // Partition 1: caught up.
    tracker.recordCommit('g', 't', 1, 50n);
    const lag = tracker.groupLag('g', [{ topic: 't', partition: 1, offset: 50n }, { topic: 't', partition: 0, offset: 40n }]);
    expect(lag.partitions.map((p) => [p.partition, p.lag, p.status, p.windowCommits])).toEqual([
      [0, 100n, 'STALLED', 3],
      [1, 0n, 'OK', 1],
    ]);
    expect(lag.totalLag).toBe(100n);
    expect(lag.status).toBe('STALLED');
  });

  it('unknown high watermarks give null lag and OK; a forgotten group starts afresh', () => {
    const tracker = new ConsumerLagTracker(2, () => 0);
    tracker.recordCommit('g', 'x', 0, 5n);
    const l = tracker.groupLag('g', [{ topic: 'x', partition: 0, offset: 5n }]);
    expect(l.partitions[0]).toMatchObject({ lag: null, highWatermark: null, status: 'OK', windowCommits: 1 });
    tracker.forgetGroup('g');
    expect(tracker.groupLag('g', [{ topic: 'x', partition: 0, offset: 5n }]).partitions[0]!.windowCommits).toBe(0);
  });
});
