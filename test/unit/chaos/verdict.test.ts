// When a chaos run fails: loss, reordering, replica mismatch or no progress always; duplicates only for an
// idempotent producer (a plain producer's retries may write a record twice).
import { chaosFailures, type ChaosReport } from '../../../src/chaos';

const clean: ChaosReport = {
  seed: 1, faults: [], attempted: 10, acknowledged: 10, failedSends: 0, unansweredSends: 0, lost: [], reordered: [], duplicated: 0, unackedPresent: 0,
  replicaMismatches: [], retainedChecked: 0, retainedBelowStart: 0, compactedKeys: 0, compactedRead: 0, compactedAcked: 0, durationMs: 1, dataDir: null,
};

describe('chaosFailures', () => {
  it('passes a clean run, with or without idempotence', () => {
    expect(chaosFailures(clean, false)).toEqual([]);
    expect(chaosFailures(clean, true)).toEqual([]);
  });

  it('fails on loss, reordering, replica mismatch and a run that acknowledged nothing', () => {
    expect(chaosFailures({ ...clean, lost: ['p0-3'] }, false)).toEqual(['1 acknowledged record(s) lost']);
    expect(chaosFailures({ ...clean, reordered: ['p1-7', 'p1-8'] }, false)).toEqual(['2 record(s) out of acknowledged order']);
    expect(chaosFailures({ ...clean, replicaMismatches: ['chaos-0 on broker 2: ...'] }, false)).toEqual(['1 replica mismatch(es)']);
    expect(chaosFailures({ ...clean, acknowledged: 0 }, false)).toEqual(['no record was acknowledged']);
  });

  it('counts duplicates only for an idempotent producer', () => {
    expect(chaosFailures({ ...clean, duplicated: 3 }, false)).toEqual([]);
    expect(chaosFailures({ ...clean, duplicated: 3 }, true)).toEqual(['3 duplicate(s) from an idempotent producer']);
  });
});
