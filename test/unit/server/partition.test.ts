import { Partition, type PartitionState } from '../../../src/server/Partition';
import { ErrorCode } from '../../../src/protocol/errors';
import type { Log } from '../../../src/log/Log';
import { FakeTime, RecordingAlterIsr, batch, openLog, tmpDir } from './helpers';

const LAG = 10_000;
const state = (over: Partial<PartitionState> = {}): PartitionState => ({ controllerEpoch: 1, leader: 1, leaderEpoch: 5, isr: [1, 2, 3], zkVersion: 7, replicas: [1, 2, 3], ...over });

function setup(minIsr = 2) {
  const time = new FakeTime();
  const alter = new RecordingAlterIsr();
  const log: Log = openLog(tmpDir(), { 'min.insync.replicas': minIsr });
  const changes: boolean[] = [];
  const p = new Partition('topic', 0, log, { localBrokerId: 1, clock: time, replicaLagTimeMaxMs: LAG, alterIsr: alter, onIsrChanged: (_p, hw) => changes.push(hw) });
  return { time, alter, log, p, changes };
}

async function appendN(p: Partition, n: number, acks = 1): Promise<void> {
  for (let i = 0; i < n; i++) await p.appendRecordsToLeader(batch(1), acks);
}

describe('Partition high watermark', () => {
  it('is the minimum LEO over the ISR, never decreasing', async () => {
    const { p, time } = setup();
    await p.makeLeader(state());
    await appendN(p, 10);
    expect(p.highWatermark).toBe(0n);
    // Followers report LEOs through their fetch offsets.
    p.updateFollowerFetchState(2, 6n, 0n, time.now(), p.logEndOffset);
    expect(p.highWatermark).toBe(0n);
    p.updateFollowerFetchState(3, 4n, 0n, time.now(), p.logEndOffset);
    expect(p.highWatermark).toBe(4n);
    p.updateFollowerFetchState(3, 10n, 0n, time.now(), p.logEndOffset);
    expect(p.highWatermark).toBe(6n);
    // A follower that went back (truncated) never lowers the HW.
    p.updateFollowerFetchState(2, 3n, 0n, time.now(), p.logEndOffset);
    expect(p.highWatermark).toBe(6n);
  });

  it('with the leader alone in the ISR equals the LEO after each append', async () => {
    const { p } = setup(1);
    await p.makeLeader(state({ isr: [1], replicas: [1] }));
    await appendN(p, 3);
    expect(p.highWatermark).toBe(3n);
  });

  it('waits for every ISR member to report after a leader change (unknown LEOs hold it)', async () => {
    const { p, time } = setup();
    await p.makeLeader(state());
    await appendN(p, 4);
    p.updateFollowerFetchState(2, 4n, 0n, time.now(), 4n);
    expect(p.highWatermark).toBe(0n);
    p.updateFollowerFetchState(3, 4n, 0n, time.now(), 4n);
    expect(p.highWatermark).toBe(4n);
  });
});

describe('Partition ISR changes (only through AlterIsr)', () => {
  it('proposes a shrink for a follower not caught up within replica.lag.time.max.ms, and applies the answer', async () => {
    const { p, alter, time, changes } = setup();
    await p.makeLeader(state());
    await appendN(p, 5);
    p.updateFollowerFetchState(2, 5n, 0n, time.now(), 5n);
    p.updateFollowerFetchState(3, 2n, 0n, time.now(), 5n);
    time.advance(LAG);
    expect(p.getOutOfSyncReplicas(time.now())).toEqual([]);
    time.advance(1);
    expect(p.getOutOfSyncReplicas(time.now())).toEqual([3]);
    expect(p.maybeShrinkIsr(time.now())).toEqual([1, 2]);
    // While pending, the committed ISR stays and the HW still counts the leaving follower.
    expect(p.isr).toEqual([1, 2, 3]);
    expect(p.isrState.pending).toBe('shrink');
    expect(p.highWatermark).toBe(2n);
    expect(p.maybeShrinkIsr(time.now())).toBeNull();
    const item = alter.accept(8);
    expect(item.newIsr).toEqual([1, 2]);
    expect(item.zkVersion).toBe(7);
    expect(p.isr).toEqual([1, 2]);
    expect(p.zkVersion).toBe(8);
    // Without the slow follower the HW moves to the slowest remaining ISR member.
    expect(p.highWatermark).toBe(5n);
    expect(changes).toEqual([true]);
  });

  it('a follower fetching at the leader LEO is never out of sync, however old its last catch-up', async () => {
    const { p, time } = setup();
    await p.makeLeader(state());
    await appendN(p, 2);
    p.updateFollowerFetchState(2, 2n, 0n, time.now(), 2n);
    p.updateFollowerFetchState(3, 2n, 0n, time.now(), 2n);
    time.advance(LAG * 5);
    expect(p.getOutOfSyncReplicas(time.now())).toEqual([]);
  });

  it('proposes an expansion once a follower reaches the HW, and counts it for the HW while pending', async () => {
    const { p, alter, time } = setup();
    await p.makeLeader(state({ isr: [1, 2] }));
    await appendN(p, 6);
    p.updateFollowerFetchState(2, 6n, 0n, time.now(), 6n);
    expect(p.highWatermark).toBe(6n);
    p.updateFollowerFetchState(3, 3n, 0n, time.now(), 6n);
    expect(alter.items).toHaveLength(0);
    p.updateFollowerFetchState(3, 6n, 0n, time.now(), 6n);
    expect(alter.items.map((i) => i.newIsr)).toEqual([[1, 2, 3]]);
    expect(p.isrState.maximalIsr).toEqual([1, 2, 3]);
    expect(p.isr).toEqual([1, 2]);
    await appendN(p, 1);
    p.updateFollowerFetchState(2, 7n, 0n, time.now(), 7n);
    // Follower 3 is in the maximal ISR: the HW waits for it.
    expect(p.highWatermark).toBe(6n);
    alter.accept(8);
    expect(p.isr).toEqual([1, 2, 3]);
  });

  it('reverts to the committed ISR when the controller refuses the change', async () => {
    const { p, alter, time } = setup();
    await p.makeLeader(state({ isr: [1, 2] }));
    p.updateFollowerFetchState(3, 0n, 0n, time.now(), 0n);
    expect(p.isrState.pending).toBe('expand');
    alter.refuse(ErrorCode.INVALID_UPDATE_VERSION);
    expect(p.isrState).toEqual({ isr: [1, 2], maximalIsr: [1, 2], pending: 'none' });
  });

  it('ignores an answer for an older leader epoch', async () => {
    const { p, alter, time } = setup();
    await p.makeLeader(state({ isr: [1, 2] }));
    p.updateFollowerFetchState(3, 0n, 0n, time.now(), 0n);
    const item = alter.items.shift()!;
    await p.makeLeader(state({ isr: [1, 2], leaderEpoch: 6 }));
    item.callback({ errorCode: 0, leaderEpoch: 5, isr: [1, 2, 3], zkVersion: 9 });
    expect(p.isr).toEqual([1, 2]);
    expect(p.zkVersion).toBe(7);
  });
});

describe('Partition min.insync.replicas and acks', () => {
  it('refuses acks=-1 appends with NOT_ENOUGH_REPLICAS when the ISR is below the minimum, but not acks=1', async () => {
    const { p } = setup(2);
    await p.makeLeader(state({ isr: [1] }));
    await expect(p.appendRecordsToLeader(batch(1), -1)).rejects.toMatchObject({ code: ErrorCode.NOT_ENOUGH_REPLICAS });
    await expect(p.appendRecordsToLeader(batch(1), 1)).resolves.toBeDefined();
  });

  it('checkEnoughReplicasReachOffset table', async () => {
    const { p, time } = setup(2);
    await p.makeLeader(state());
    await appendN(p, 3);
    expect(p.checkEnoughReplicasReachOffset(3n)).toEqual({ done: false, errorCode: 0 });
    p.updateFollowerFetchState(2, 3n, 0n, time.now(), 3n);
    p.updateFollowerFetchState(3, 3n, 0n, time.now(), 3n);
    expect(p.checkEnoughReplicasReachOffset(3n)).toEqual({ done: true, errorCode: 0 });
    await p.makeFollower(state({ leader: 2, leaderEpoch: 6 }));
    expect(p.checkEnoughReplicasReachOffset(3n)).toEqual({ done: true, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER });
  });

  it('refuses appends when not the leader', async () => {
    const { p } = setup();
    await p.makeFollower(state({ leader: 2 }));
    await expect(p.appendRecordsToLeader(batch(1), 1)).rejects.toMatchObject({ code: ErrorCode.NOT_LEADER_OR_FOLLOWER });
  });
});

describe('Partition leader epochs', () => {
  it('starts the new epoch at the LEO on becoming leader, so OffsetForLeaderEpoch is right before any append', async () => {
    const { p, log } = setup();
    await p.makeLeader(state({ leaderEpoch: 1 }));
    await appendN(p, 4);
    await p.makeFollower(state({ leader: 2, leaderEpoch: 2 }));
    await p.makeLeader(state({ leaderEpoch: 3 }));
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 4n });
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 4n });
    expect(p.leaderEpochStartOffset).toBe(4n);
  });

  it('fences requests by current leader epoch', async () => {
    const { p } = setup();
    await p.makeLeader(state({ leaderEpoch: 5 }));
    expect(p.checkLeaderEpoch(-1)).toBe(ErrorCode.NONE);
    expect(p.checkLeaderEpoch(5)).toBe(ErrorCode.NONE);
    expect(p.checkLeaderEpoch(4)).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(p.checkLeaderEpoch(6)).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
  });
});

describe('Partition role changes with appends in flight (leaderIsrUpdateLock)', () => {
  /** Holds the log's next append until released, so a role change can arrive while it is in flight. */
  function gateAppends(log: Log): { release: () => void; started: Promise<void> } {
    const orig = log.append.bind(log);
    let release!: () => void;
    let markStarted!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const started = new Promise<void>((r) => { markStarted = r; });
    log.append = async (...args) => {
      markStarted();
      await gate;
      log.append = orig;
      return orig(...args);
    };
    return { release, started };
  }

  it('makeFollower waits for an append in flight; the follower then sees it in its LEO and later appends are refused', async () => {
    const { p, log } = setup(1);
    await p.makeLeader(state({ leaderEpoch: 1, isr: [1] }));
    await appendN(p, 3);
    const gate = gateAppends(log);
    const inflight = p.appendRecordsToLeader(batch(2), 1);
    await gate.started;
    let followed = false;
    const change = p.makeFollower(state({ leader: 2, leaderEpoch: 2 })).then(() => { followed = true; });
    await new Promise((r) => setImmediate(r));
    expect(followed).toBe(false); // still waiting for the append
    expect(p.isLeader).toBe(true);
    gate.release();
    const res = await inflight;
    expect(res.info.firstOffset).toBe(3n);
    await change;
    expect(p.isLeader).toBe(false);
    expect(p.logEndOffset).toBe(5n); // the fetcher's truncation check starts from a LEO that includes it
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 5n });
    await expect(p.appendRecordsToLeader(batch(1), 1)).rejects.toMatchObject({ code: ErrorCode.NOT_LEADER_OR_FOLLOWER });
    expect(p.logEndOffset).toBe(5n);
  });

  it('an append queued behind a role change is checked against the new role (NOT_LEADER_OR_FOLLOWER, nothing written)', async () => {
    const { p, log } = setup(1);
    await p.makeLeader(state({ leaderEpoch: 1, isr: [1] }));
    const gate = gateAppends(log);
    const first = p.appendRecordsToLeader(batch(1), 1);
    await gate.started;
    const change = p.makeFollower(state({ leader: 2, leaderEpoch: 2 }));
    const queued = p.appendRecordsToLeader(batch(1), 1); // arrives after the role change asked for the lock
    gate.release();
    await first;
    await change;
    await expect(queued).rejects.toMatchObject({ code: ErrorCode.NOT_LEADER_OR_FOLLOWER });
    expect(p.logEndOffset).toBe(1n);
  });

  it('makeLeader starts the new epoch after the appends of the previous epoch (epoch start = LEO including them)', async () => {
    const { p, log } = setup(1);
    await p.makeLeader(state({ leaderEpoch: 1, isr: [1] }));
    const gate = gateAppends(log);
    const inflight = p.appendRecordsToLeader(batch(3), 1);
    await gate.started;
    const change = p.makeLeader(state({ leaderEpoch: 2, isr: [1] }));
    gate.release();
    await inflight;
    await change;
    expect(p.leaderEpochStartOffset).toBe(3n);
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 3n });
  });
});
