// Consumer lag as the console computes it, and the bounded history behind its sparklines.
import { LagHistory, partitionLag, totalLag } from '../../../src/console/lag';

describe('partitionLag', () => {
  it.each([
    [10n, 25n, 15n],
    [25n, 25n, 0n],
    // A commit ahead of the end offset (the end was read first, or a truncation): never negative.
    [30n, 25n, 0n],
    [-1n, 25n, null],
    [null, 25n, null],
    [10n, null, null],
  ])('committed %p, end %p -> %p', (committed, end, lag) => {
    expect(partitionLag(committed, end)).toBe(lag);
  });

  it('totals the known lags and is null when none is known', () => {
    expect(totalLag([1n, null, 4n])).toBe(5n);
    expect(totalLag([null, null])).toBeNull();
    expect(totalLag([])).toBeNull();
  });
});

describe('LagHistory', () => {
  it('keeps the last readings per partition and the group total, leaving out unknown lags', () => {
    const h = new LagHistory(3);
    for (let i = 0; i < 5; i++) h.record('g', 1000 * i, [{ topic: 't', partition: 0, lag: BigInt(10 - i) }, { topic: 't', partition: 1, lag: i === 4 ? null : 1n }]);
    expect(h.points('g', 't:0')).toEqual([{ time: 2000, lag: 8 }, { time: 3000, lag: 7 }, { time: 4000, lag: 6 }]);
    expect(h.points('g', 't:1').map((p) => p.time)).toEqual([1000, 2000, 3000]);
    expect(h.points('g', '*').map((p) => p.lag)).toEqual([9, 8, 6]);
    expect(h.points('other', '*')).toEqual([]);
  });

  it('forgets groups not recorded for a while', () => {
    const h = new LagHistory(10, 5000);
    h.record('old', 0, [{ topic: 't', partition: 0, lag: 1n }]);
    h.record('new', 4000, [{ topic: 't', partition: 0, lag: 1n }]);
    expect(h.groups().sort()).toEqual(['new', 'old']);
    h.record('new', 6000, [{ topic: 't', partition: 0, lag: 0n }]);
    expect(h.groups()).toEqual(['new']);
  });
});
