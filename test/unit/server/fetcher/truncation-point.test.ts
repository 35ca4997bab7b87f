// The follower's truncation point after OffsetForLeaderEpoch (KIP-101/279, Kafka 2.8's getOffsetTruncationState),
// as tables over epoch histories: one answer (undefined answers, unknown epochs, a leader behind our epoch, empty
// logs), then whole exchanges of rounds between a leader's and a follower's history until they agree.
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
    { name: 'UNDEFINED end offset wins over an epoch in the answer: our HW', leo: 100n, hw: 30n, epochs: [[3, 0n]], leaderEpoch: 3, leaderEnd: -1n, want: { offset: 30n, completed: true } },
    { name: 'same latest epoch, leader ends exactly at our LEO: nothing to truncate', leo: 100n, hw: 50n, epochs: [[1, 0n], [2, 60n]], leaderEpoch: 2, leaderEnd: 100n, want: { offset: 100n, completed: true } },
    { name: 'leader has our latest epoch but nothing in it (ends at its start): truncate to that start', leo: 100n, hw: 50n, epochs: [[1, 0n], [2, 60n]], leaderEpoch: 2, leaderEnd: 60n, want: { offset: 60n, completed: true } },
    { name: 'leader log empty in our only epoch: truncate everything', leo: 50n, hw: 0n, epochs: [[2, 0n]], leaderEpoch: 2, leaderEnd: 0n, want: { offset: 0n, completed: true } },
    { name: 'no epoch history of our own: the leader end bounds it', leo: 100n, hw: 10n, epochs: [], leaderEpoch: 3, leaderEnd: 60n, want: { offset: 60n, completed: true } },
    { name: 'empty follower log: stays at 0 whatever the leader has', leo: 0n, hw: 0n, epochs: [], leaderEpoch: 5, leaderEnd: 100n, want: { offset: 0n, completed: true } },
    { name: 'leader epoch we never had, our epoch below it ends at our LEO: nothing truncated yet, ask again', leo: 100n, hw: 20n, epochs: [[1, 0n], [4, 100n]], leaderEpoch: 3, leaderEnd: 90n, want: { offset: 100n, completed: false } },
  ];
  it.each(cases)('$name', ({ leo, hw, epochs, leaderEpoch, leaderEnd, want }) => {
    expect(truncationPoint(follower(leo, hw, epochs), leaderEpoch, leaderEnd)).toEqual(want);
  });

  // Rounds as the fetcher runs them: ask for our latest epoch, truncate, drop epochs starting at or past the new
  // LEO, and ask again until the answer is complete.
  const rounds: Array<{ name: string; leader: Array<[number, bigint]>; leaderLeo: bigint; ours: Array<[number, bigint]>; leo: bigint; want: { leo: bigint; epochs: Array<[number, bigint]>; rounds: number } }> = [
    {
      name: 'two epochs the leader never had: one round back to where the leader\'s next epoch starts',
      leader: [[1, 0n], [5, 30n]], leaderLeo: 200n, ours: [[1, 0n], [3, 40n], [4, 60n]], leo: 90n,
      want: { leo: 30n, epochs: [[1, 0n]], rounds: 1 },
    },
    {
      name: 'the leader answers an epoch we never had: truncate to the end of ours below it, ask again, then agree',
      leader: [[1, 0n], [2, 30n], [6, 50n]], leaderLeo: 200n, ours: [[1, 0n], [3, 40n], [5, 60n]], leo: 90n,
      want: { leo: 30n, epochs: [[1, 0n]], rounds: 2 },
    },
    {
      name: 'same latest epoch, we are ahead of a leader that lost its tail: one round to the leader end',
      leader: [[1, 0n], [2, 50n]], leaderLeo: 70n, ours: [[1, 0n], [2, 50n]], leo: 80n,
      want: { leo: 70n, epochs: [[1, 0n], [2, 50n]], rounds: 1 },
    },
    {
      name: 'same latest epoch, leader ahead: nothing truncated',
      leader: [[1, 0n], [2, 50n]], leaderLeo: 120n, ours: [[1, 0n], [2, 50n]], leo: 80n,
      want: { leo: 80n, epochs: [[1, 0n], [2, 50n]], rounds: 1 },
    },
    {
      name: 'our last epoch is unknown to the leader, which moved on earlier: back to the leader\'s boundary in one round',
      leader: [[0, 0n], [2, 20n]], leaderLeo: 50n, ours: [[0, 0n], [1, 25n]], leo: 40n,
      want: { leo: 20n, epochs: [[0, 0n]], rounds: 1 },
    },
    {
      name: 'the leader\'s history starts after all of ours: everything goes',
      leader: [[3, 0n]], leaderLeo: 10n, ours: [[1, 0n], [2, 5n]], leo: 8n,
      want: { leo: 0n, epochs: [], rounds: 1 },
    },
  ];
  it.each(rounds)('repeated truncation converges: $name', ({ leader, leaderLeo, ours, leo: startLeo, want }) => {
    const leaderCache = new LeaderEpochFileCache(null, leader.map(([epoch, startOffset]) => ({ epoch, startOffset })));
    let history = ours;
    let leo = startLeo;
    let round = 0;
    while (round < 10) {
      round++;
      const latest = history[history.length - 1]?.[0] ?? -1;
      const answer = leaderCache.endOffsetFor(latest, leaderLeo);
      const r = truncationPoint(follower(leo, 0n, history), answer.epoch, answer.endOffset);
      expect(r.offset).toBeLessThanOrEqual(leo); // truncation only ever shortens the log
      leo = r.offset;
      history = history.filter(([, start]) => start < leo);
      if (r.completed) break;
    }
    expect({ leo, epochs: history, rounds: round }).toEqual(want);
  });
});
