// The transactional chaos audit decides from the markers alone which records of a partition were committed.
import { committedValues } from '../../../src/chaos/eos';

const data = (producerId: bigint, values: string[], transactional = true) => ({ producerId, transactional, control: false, controlType: -1, values });
const marker = (producerId: bigint, commit: boolean) => ({ producerId, transactional: true, control: true, controlType: commit ? 1 : 0, values: [] });

describe('committedValues', () => {
  test('a producer\'s transactional records count at its COMMIT marker and are dropped at its ABORT marker', () => {
    const r = committedValues([data(1n, ['a', 'b']), data(2n, ['x']), data(1n, ['c']), marker(2n, false), marker(1n, true), data(1n, ['d']), marker(1n, false)]);
    expect(r).toEqual({ committed: ['a', 'b', 'c'], aborted: 2, undecided: 0 });
  });

  test('records without a marker yet are undecided, and non-transactional records are committed as they come', () => {
    const r = committedValues([data(5n, ['plain'], false), data(1n, ['open'])]);
    expect(r).toEqual({ committed: ['plain'], aborted: 0, undecided: 1 });
  });

  test('a marker with nothing pending commits nothing (a retried marker after the transaction completed)', () => {
    expect(committedValues([data(1n, ['a']), marker(1n, true), marker(1n, true)])).toEqual({ committed: ['a'], aborted: 0, undecided: 0 });
  });
});
