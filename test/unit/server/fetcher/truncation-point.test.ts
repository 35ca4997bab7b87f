// The follower's truncation point after OffsetForLeaderEpoch (KIP-101/279, Kafka 2.8's getOffsetTruncationState),
// as a table over epoch histories: undefined answers, unknown epochs, a leader behind our epoch, repeated rounds.
import { truncationPoint } from '../../../../src/server/fetcher/ReplicaFetcher';
import { LeaderEpochFileCache } from '../../../../src/log/LeaderEpochFileCache';

type FollowerView = Parameters<typeof truncationPoint>[0];

/** A follower as truncationPoint sees it: LEO, HW and an epoch history (startOffset per epoch). */
function follower(leo: bigint, hw: bigint, epochs: Array<[number, bigint]>): FollowerView {
  const cache = new LeaderEpochFileCache(null, epochs.map(([epoch, startOffset]) => ({ epoch, startOffset })));
  return { logEndOffset: leo, highWatermark: hw, endOffsetForEpoch: (e: number) => cache.endOffsetFor(e, leo) };
}

describe('truncationPoint', () => {
  const cases: Array<{ name: string; leo: bigint; hw: bigint; epochs: Array<[number, bigint]>; leaderEpoch: number; leaderEnd: bigint; want: { offset: bigint; completed: boolean } }> = [
    { name: 'leader has no epoch information (UNDEFINED end offset): our HW', leo: 100n, hw: 80n, epochs: [[0, 0n]], leaderEpoch: -1, leaderEnd: -1n, want: { offset: 80n, completed: true } },
    { name: 'UNDEFINED end offset with HW at the LEO: nothing to truncate', leo: 100n, hw: 100n, epochs: [[0, 0n]], leaderEpoch: -1, leaderEnd: -1n, want: { offset: 100n, completed: true } },
    { name: 'leader answers an end offset without an epoch (old protocol): its end offset', leo: 100n, hw: 50n, epochs: [[2, 0n]], leaderEpoch: -1, leaderEnd: 90n, want: { offset: 90n, completed: true } },
    { name: 'same latest epoch, leader ends earlier: truncate to the leader end', leo: 100n, hw: 50n, epochs: [[1, 0n], [2, 60n]], leaderEpoch: 2, leaderEnd: 70n, want: { offset: 70n, completed: true } },
    { name: 'same latest epoch, leader ends later: keep our log', leo: 100n, hw: 50n, epochs: [[1, 0n], [2, 60n]], leaderEpoch: 2, leaderEnd: 150n, want: { offset: 100n, completed: true } },
    { name: 'leader epoch below ours and known to us: end of that epoch on our side or the leader, whichever is lower', leo: 100n, hw: 50n, epochs: [[1, 0n], [3, 40n], [5, 80n]], leaderEpoch: 3, leaderEnd: 70n, want: { offset: 70n, completed: true } },
    { name: 'leader epoch below ours, our epoch ends earlier than the leader\'s', leo: 100n, hw: 50n, epochs: [[1, 0n], [3, 40n], [5, 60n]], leaderEpoch: 3, leaderEnd: 75n, want: { offset: 60n, completed: true } },
    { name: 'leader epoch we never had (between ours): truncate to the end of our largest epoch below it and ask again', leo: 100n, hw: 20n, epochs: [[1, 0n], [4, 50n]], leaderEpoch: 3, leaderEnd: 70n, want: { offset: 50n, completed: false } },
    { name: 'leader epoch below all of ours: it ends where our earliest epoch starts (Kafka answers the requested epoch)', leo: 100n, hw: 0n, epochs: [[4, 10n], [6, 50n]], leaderEpoch: 2, leaderEnd: 30n, want: { offset: 10n, completed: true } },
    { name: 'leader epoch above all of ours: unknown to us, leader end bounds the truncation', leo: 100n, hw: 50n, epochs: [[1, 0n], [2, 60n]], leaderEpoch: 7, leaderEnd: 80n, want: { offset: 80n, completed: true } },
    { name: 'never beyond our own LEO', leo: 40n, hw: 40n, epochs: [[1, 0n]], leaderEpoch: 1, leaderEnd: 90n, want: { offset: 40n, completed: true } },
  ];
  it.each(cases)('$name', ({ leo, hw, epochs, leaderEpoch, leaderEnd, want }) => {
    expect(truncationPoint(follower(leo, hw, epochs), leaderEpoch, leaderEnd)).toEqual(want);
  });

  it('repeated truncation converges: each incomplete round asks for our new latest epoch until the leader knows it', () => {
    // Leader history: epoch 1 from 0, epoch 5 from 30. Ours: epochs 1, 3 (never on the leader), 4 (never on the leader).
    const leader = new LeaderEpochFileCache(null, [{ epoch: 1, startOffset: 0n }, { epoch: 5, startOffset: 30n }]);
    let history: Array<[number, bigint]> = [[1, 0n], [3, 40n], [4, 60n]];
    let leo = 90n;
    for (let round = 0; round < 5; round++) {
      const latest = (history[history.length - 1] as [number, bigint])[0];
      const answer = leader.endOffsetFor(latest, 200n);
      const r = truncationPoint(follower(leo, 0n, history), answer.epoch, answer.endOffset);
      leo = r.offset;
      history = history.filter(([, start]) => start < leo);
      if (r.completed) break;
    }
    expect(leo).toBe(30n); // epoch 1 ends where the leader's epoch 5 starts
    expect(history).toEqual([[1, 0n]]);
  });
});
