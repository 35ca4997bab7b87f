// Transactional offset commits in the group coordinator (Kafka 2.8's TxnOffsetCommit path, KIP-98/KIP-447): pending
// offsets invisible until their marker, commit/abort completion, loading with markers, requireStable, the KIP-447
// checks, append errors, and expiry/deletion with pending offsets. Fake clock and in-memory __consumer_offsets.
import { ErrorCode } from '../../../src/protocol/errors';
import { GroupCoordinator, type JoinGroupParams, type TxnCommitOffsetsParams } from '../../../src/coordinator/GroupCoordinator';
import type { JoinResult } from '../../../src/coordinator/MemberMetadata';
import { readBatchHeader, isTransactional, isControl } from '../../../src/protocol/record/batch-header';
import { moduleLogger } from '../../../src/util/logger';
import { FakeScheduler, flush, InMemoryOffsetsStore, markerBatch, startCoordinator, subscription, TEST_CONFIG, type Harness } from './helpers';

const PID = 4000n;
const EPOCH = 3;

function joinParams(groupId: string, extra: Partial<JoinGroupParams> = {}): JoinGroupParams {
  return {
    groupId, memberId: '', groupInstanceId: null, requireKnownMemberId: false, clientId: 'client', clientHost: '/127.0.0.1',
    rebalanceTimeoutMs: 30_000, sessionTimeoutMs: 10_000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription(['t']) }], ...extra,
  };
}

/** One member joins and syncs: a Stable group at generation 1. */
async function stableGroup(h: Harness, groupId: string, groupInstanceId: string | null = null): Promise<JoinResult> {
  const join = h.gc.joinGroup(joinParams(groupId, { groupInstanceId }));
  await h.scheduler.advance(0);
  const r = await join;
  await h.gc.syncGroup({ groupId, generationId: r.generationId, memberId: r.memberId, groupInstanceId, protocolType: null, protocolName: null, assignments: [{ memberId: r.memberId, assignment: Buffer.alloc(0) }] });
  return r;
}

const txn = (groupId: string, offsets: [topic: string, partition: number, offset: bigint][], extra: Partial<TxnCommitOffsetsParams> = {}): TxnCommitOffsetsParams => ({
  groupId, producerId: PID, producerEpoch: EPOCH, memberId: '', groupInstanceId: null, generationId: -1,
  offsets: offsets.map(([topic, partition, offset]) => ({ topic, partition, offset, leaderEpoch: -1, metadata: '' })), ...extra,
});

const plain = (h: Harness, groupId: string, partition: number, offset: bigint) =>
  h.gc.commitOffsets({ groupId, memberId: '', groupInstanceId: null, generationId: -1, retentionTimeMs: -1n, offsets: [{ topic: 't', partition, offset, leaderEpoch: -1, metadata: '' }] });

/** What the WriteTxnMarkers handler does: append the marker to the group's offsets partition, then tell the coordinator. */
async function endTxn(h: Harness, groupId: string, commit: boolean, producerId = PID): Promise<void> {
  const partition = h.gc.partitionFor(groupId);
  const r = await h.store.append(partition, markerBatch(producerId, EPOCH, commit));
  expect(r.errorCode).toBe(ErrorCode.NONE);
  h.gc.onTransactionCompleted(producerId, [partition], commit);
}

const offsetOf = (h: Harness, groupId: string, partition = 0, requireStable = false) => h.gc.fetchOffsets(groupId, [{ topic: 't', partition }], requireStable).offsets[0]!;

describe('pending transactional offsets', () => {
  test('written as the producer\'s transactional batch (base sequence 0) and invisible to OffsetFetch until the marker', async () => {
    const h = await startCoordinator();
    expect(await h.gc.commitTxnOffsets(txn('g', [['t', 0, 42n]]))).toEqual([ErrorCode.NONE]);

    const log = h.store.logs.get(h.gc.partitionFor('g'))!;
    const header = readBatchHeader(log.at(-1)!);
    expect(isTransactional(header.attributes)).toBe(true);
    expect(isControl(header.attributes)).toBe(false);
    expect({ producerId: header.producerId, producerEpoch: header.producerEpoch, baseSequence: header.baseSequence }).toEqual({ producerId: PID, producerEpoch: EPOCH, baseSequence: 0 });

    expect(offsetOf(h, 'g')).toEqual({ topic: 't', partition: 0, offset: -1n, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE });
    expect(h.gc.fetchOffsets('g', null).offsets).toEqual([]);
  });

  test('commit marker applies them; requireStable reports UNSTABLE_OFFSET_COMMIT only while pending', async () => {
    const h = await startCoordinator();
    await h.gc.commitTxnOffsets(txn('g', [['t', 0, 42n], ['t', 1, 43n]]));
    expect(offsetOf(h, 'g', 0, true)).toEqual({ topic: 't', partition: 0, offset: -1n, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT });
    // A partition without anything pending is stable.
    expect(offsetOf(h, 'g', 7, true).errorCode).toBe(ErrorCode.NONE);
    await endTxn(h, 'g', true);
    expect(offsetOf(h, 'g', 0, true)).toEqual({ topic: 't', partition: 0, offset: 42n, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE });
    expect(h.gc.fetchOffsets('g', null, true).offsets.map((o) => o.offset).sort()).toEqual([42n, 43n]);
  });

  test('abort marker drops them and keeps the earlier committed offset', async () => {
    const h = await startCoordinator();
    expect(await plain(h, 'g', 0, 10n)).toEqual([0]);
    await h.gc.commitTxnOffsets(txn('g', [['t', 0, 42n]]));
    await endTxn(h, 'g', false);
    expect(offsetOf(h, 'g', 0, true)).toMatchObject({ offset: 10n, errorCode: ErrorCode.NONE });
  });

  test('requireStable also covers a committed partition whose transactional commit is pending (all-partitions fetch)', async () => {
    const h = await startCoordinator();
    await plain(h, 'g', 0, 10n);
    await h.gc.commitTxnOffsets(txn('g', [['t', 0, 42n]]));
    expect(h.gc.fetchOffsets('g', null, true).offsets).toEqual([{ topic: 't', partition: 0, offset: -1n, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT }]);
    expect(h.gc.fetchOffsets('g', null, false).offsets[0]).toMatchObject({ offset: 10n, errorCode: ErrorCode.NONE });
  });

  test('on commit the later write wins: a plain commit appended after the transactional batch is kept', async () => {
    const h = await startCoordinator();
    await h.gc.commitTxnOffsets(txn('g', [['t', 0, 42n], ['t', 1, 43n]]));
    await plain(h, 'g', 0, 50n); // written after the transactional batch
    await endTxn(h, 'g', true);
    expect(offsetOf(h, 'g', 0).offset).toBe(50n);
    expect(offsetOf(h, 'g', 1).offset).toBe(43n);
  });

  test('producers complete independently; a completion for another producer or partition changes nothing', async () => {
    const h = await startCoordinator();
    await h.gc.commitTxnOffsets(txn('g', [['t', 0, 42n]]));
    await h.gc.commitTxnOffsets(txn('g', [['t', 1, 7n]], { producerId: PID + 1n }));
    const other = (h.gc.partitionFor('g') + 1) % TEST_CONFIG.offsetsTopicNumPartitions;
    h.gc.onTransactionCompleted(PID, [other], true);
    expect(offsetOf(h, 'g', 0).offset).toBe(-1n);
    await endTxn(h, 'g', true, PID + 1n);
    expect(offsetOf(h, 'g', 1).offset).toBe(7n);
    expect(offsetOf(h, 'g', 0, true).errorCode).toBe(ErrorCode.UNSTABLE_OFFSET_COMMIT);
    await endTxn(h, 'g', true);
    expect(offsetOf(h, 'g', 0).offset).toBe(42n);
  });

  test('a completion for a partition this broker does not lead is ignored', async () => {
    const h = await startCoordinator();
    h.gc.onBecomeFollower(0);
    expect(() => h.gc.onTransactionCompleted(PID, [0], true)).not.toThrow();
  });
});

describe('TxnOffsetCommit validation (Kafka 2.8 handleTxnCommitOffsets)', () => {
  test('coordinator state: INVALID_GROUP_ID for an empty id, NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE when stopped', async () => {
    const h = await startCoordinator();
    expect(await h.gc.commitTxnOffsets(txn('', [['t', 0, 1n]]))).toEqual([ErrorCode.INVALID_GROUP_ID]);
    h.gc.onBecomeFollower(h.gc.partitionFor('g'));
    expect(await h.gc.commitTxnOffsets(txn('g', [['t', 0, 1n], ['t', 1, 1n]]))).toEqual([ErrorCode.NOT_COORDINATOR, ErrorCode.NOT_COORDINATOR]);
    h.gc.shutdown();
    expect(await h.gc.commitTxnOffsets(txn('g', [['t', 0, 1n]]))).toEqual([ErrorCode.COORDINATOR_NOT_AVAILABLE]);
  });

  test('COORDINATOR_LOAD_IN_PROGRESS while the partition loads', async () => {
    const store = new InMemoryOffsetsStore();
    store.holdReads = true;
    const gc = new GroupCoordinator({ brokerId: 1, config: TEST_CONFIG, store, scheduler: new FakeScheduler(), createOffsetsTopic: async () => undefined, logger: moduleLogger('test', {}) });
    gc.startup();
    const loading = gc.onBecomeLeader(gc.partitionFor('g'), 1);
    expect(await gc.commitTxnOffsets(txn('g', [['t', 0, 1n]]))).toEqual([ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);
    store.releaseReads();
    await loading;
    expect(await gc.commitTxnOffsets(txn('g', [['t', 0, 1n]]))).toEqual([ErrorCode.NONE]);
    gc.shutdown();
  });

  test('a group that does not exist is created Empty for the commit', async () => {
    const h = await startCoordinator();
    expect(await h.gc.commitTxnOffsets(txn('fresh', [['t', 0, 5n]], { generationId: -1 }))).toEqual([ErrorCode.NONE]);
    expect(h.gc.describeGroup('fresh')).toMatchObject({ errorCode: 0, state: 'Empty' });
  });

  test('KIP-447 (v3): unknown member, stale generation and fenced static member refused; unset member/generation not checked', async () => {
    const h = await startCoordinator();
    const m = await stableGroup(h, 'g', 'inst-1');
    const good = { memberId: m.memberId, generationId: m.generationId, groupInstanceId: 'inst-1' };
    expect(await h.gc.commitTxnOffsets(txn('g', [['t', 0, 1n]], { ...good, memberId: 'nobody', groupInstanceId: null }))).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(await h.gc.commitTxnOffsets(txn('g', [['t', 0, 1n]], { ...good, generationId: m.generationId + 1 }))).toEqual([ErrorCode.ILLEGAL_GENERATION]);
    expect(await h.gc.commitTxnOffsets(txn('g', [['t', 0, 1n]], { ...good, memberId: 'old-member-id' }))).toEqual([ErrorCode.FENCED_INSTANCE_ID]);
    expect(await h.gc.commitTxnOffsets(txn('g', [['t', 0, 1n]], good))).toEqual([ErrorCode.NONE]);
    // Pre-KIP-447 producers (v0-2) send neither: no member or generation check even on a Stable group.
    expect(await h.gc.commitTxnOffsets(txn('g', [['t', 1, 1n]]))).toEqual([ErrorCode.NONE]);
    // An unknown member on a group that does not exist yet is refused too (the group is created Empty first).
    expect(await h.gc.commitTxnOffsets(txn('other', [['t', 0, 1n]], { memberId: 'm' }))).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
  });

  test('OFFSET_METADATA_TOO_LARGE per partition; the others are written', async () => {
    const h = await startCoordinator();
    const params = txn('g', [['t', 0, 1n], ['t', 1, 2n]]);
    params.offsets[0]!.metadata = 'x'.repeat(TEST_CONFIG.offsetMetadataMaxBytes + 1);
    expect(await h.gc.commitTxnOffsets(params)).toEqual([ErrorCode.OFFSET_METADATA_TOO_LARGE, ErrorCode.NONE]);
    await endTxn(h, 'g', true);
    expect(offsetOf(h, 'g', 0).offset).toBe(-1n);
    expect(offsetOf(h, 'g', 1).offset).toBe(2n);
  });

  test('append errors: mapped as OffsetCommit, INVALID_PRODUCER_EPOCH passed through; nothing stays pending', async () => {
    const h = await startCoordinator();
    h.store.nextError = ErrorCode.NOT_ENOUGH_REPLICAS;
    expect(await h.gc.commitTxnOffsets(txn('g', [['t', 0, 1n]]))).toEqual([ErrorCode.COORDINATOR_NOT_AVAILABLE]);
    h.store.nextError = ErrorCode.NOT_LEADER_OR_FOLLOWER;
    expect(await h.gc.commitTxnOffsets(txn('g', [['t', 0, 1n]]))).toEqual([ErrorCode.NOT_COORDINATOR]);
    h.store.nextError = ErrorCode.MESSAGE_TOO_LARGE;
    expect(await h.gc.commitTxnOffsets(txn('g', [['t', 0, 1n]]))).toEqual([ErrorCode.INVALID_COMMIT_OFFSET_SIZE]);
    h.store.nextError = ErrorCode.INVALID_PRODUCER_EPOCH;
    expect(await h.gc.commitTxnOffsets(txn('g', [['t', 0, 1n]]))).toEqual([ErrorCode.INVALID_PRODUCER_EPOCH]);
    expect(offsetOf(h, 'g', 0, true).errorCode).toBe(ErrorCode.NONE);
  });

  test('while the write is in flight the partition is already unstable', async () => {
    const h = await startCoordinator();
    h.store.hold = true;
    const p = h.gc.commitTxnOffsets(txn('g', [['t', 0, 1n]]));
    await flush();
    expect(offsetOf(h, 'g', 0, true).errorCode).toBe(ErrorCode.UNSTABLE_OFFSET_COMMIT);
    h.store.release();
    expect(await p).toEqual([ErrorCode.NONE]);
  });
});

describe('loading __consumer_offsets with transactional batches', () => {
  test('committed transactions applied, aborted dropped, open ones stay pending and complete on the new coordinator', async () => {
    const store = new InMemoryOffsetsStore();
    const h = await startCoordinator({}, store);
    const A = PID, B = PID + 1n, C = PID + 2n;
    await plain(h, 'g', 0, 1n);
    await h.gc.commitTxnOffsets(txn('g', [['t', 0, 10n]], { producerId: A }));
    await h.gc.commitTxnOffsets(txn('g', [['t', 1, 20n]], { producerId: B }));
    await h.gc.commitTxnOffsets(txn('g', [['t', 2, 30n]], { producerId: C }));
    await h.gc.commitTxnOffsets(txn('only-pending', [['t', 0, 99n]], { producerId: C }));
    await endTxn(h, 'g', true, A);
    await endTxn(h, 'g', false, B);
    h.gc.shutdown();

    const h2 = await startCoordinator({}, store);
    expect(offsetOf(h2, 'g', 0).offset).toBe(10n);
    expect(offsetOf(h2, 'g', 1, true)).toMatchObject({ offset: -1n, errorCode: ErrorCode.NONE });
    expect(offsetOf(h2, 'g', 2, true)).toMatchObject({ offset: -1n, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT });
    // A group known only from pending offsets exists (Empty) on the new coordinator.
    expect(h2.gc.describeGroup('only-pending')).toMatchObject({ state: 'Empty' });
    expect(offsetOf(h2, 'only-pending', 0, true).errorCode).toBe(ErrorCode.UNSTABLE_OFFSET_COMMIT);

    h2.gc.onTransactionCompleted(C, [...new Set([h2.gc.partitionFor('g'), h2.gc.partitionFor('only-pending')])], true);
    expect(offsetOf(h2, 'g', 2, true).offset).toBe(30n);
    expect(offsetOf(h2, 'only-pending', 0, true).offset).toBe(99n);
  });

  test('a plain commit written after a committed transaction\'s batch wins on load, as in the cache', async () => {
    const store = new InMemoryOffsetsStore();
    const h = await startCoordinator({}, store);
    await h.gc.commitTxnOffsets(txn('g', [['t', 0, 10n]]));
    await plain(h, 'g', 0, 50n);
    await endTxn(h, 'g', true);
    expect(offsetOf(h, 'g', 0).offset).toBe(50n);
    h.gc.shutdown();
    const h2 = await startCoordinator({}, store);
    expect(offsetOf(h2, 'g', 0).offset).toBe(50n);
  });

  test('a transaction completed while the partition is loading is applied once loaded', async () => {
    const store = new InMemoryOffsetsStore();
    const h = await startCoordinator({}, store);
    await h.gc.commitTxnOffsets(txn('g', [['t', 0, 10n]]));
    h.gc.shutdown();

    store.holdReads = true;
    const gc = new GroupCoordinator({ brokerId: 1, config: TEST_CONFIG, store, scheduler: new FakeScheduler(), createOffsetsTopic: async () => undefined, logger: moduleLogger('test', {}) });
    gc.startup();
    const partition = gc.partitionFor('g');
    const loading = gc.onBecomeLeader(partition, 2);
    await flush();
    // The completion arrives mid-load. The marker is deliberately not put in the log here (as when the load's last read
    // came before the marker's append), so only the completion held back for the end of the load can apply the offset.
    gc.onTransactionCompleted(PID, [partition], true);
    expect(gc.fetchOffsets('g', [{ topic: 't', partition: 0 }], true).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    store.releaseReads();
    await loading;
    expect(gc.fetchOffsets('g', [{ topic: 't', partition: 0 }], true).offsets[0]).toMatchObject({ offset: 10n, errorCode: ErrorCode.NONE });
    gc.shutdown();
  });
});

describe('expiry and deletion with pending offsets (Kafka 2.8)', () => {
  test('an Empty group holding only pending offsets is not removed by the expiry sweep; once aborted it is', async () => {
    const h = await startCoordinator({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 });
    await h.gc.commitTxnOffsets(txn('g', [['t', 0, 10n]]));
    await h.scheduler.advance(120_000);
    expect(h.gc.describeGroup('g').state).toBe('Empty');
    await endTxn(h, 'g', false);
    await h.scheduler.advance(10_000);
    expect(h.gc.listGroups().groups.map((g) => g.groupId)).not.toContain('g');
  });

  test('DeleteGroups deletes a group with pending offsets; a later marker finds nothing to apply', async () => {
    const h = await startCoordinator();
    await plain(h, 'g', 0, 1n);
    await h.gc.commitTxnOffsets(txn('g', [['t', 0, 10n]]));
    expect(await h.gc.deleteGroups(['g'])).toEqual(new Map([['g', ErrorCode.NONE]]));
    await endTxn(h, 'g', true);
    expect(offsetOf(h, 'g', 0, true)).toMatchObject({ offset: -1n, errorCode: ErrorCode.NONE });
  });

  test('OffsetDelete removes the pending transactional offset of the partition too', async () => {
    const h = await startCoordinator();
    await plain(h, 'g', 0, 1n);
    await h.gc.commitTxnOffsets(txn('g', [['t', 0, 10n], ['t', 1, 11n]]));
    expect(await h.gc.deleteOffsets('g', [{ topic: 't', partition: 0 }])).toEqual({ errorCode: ErrorCode.NONE, results: [ErrorCode.NONE] });
    expect(offsetOf(h, 'g', 0, true)).toMatchObject({ offset: -1n, errorCode: ErrorCode.NONE });
    await endTxn(h, 'g', true);
    expect(offsetOf(h, 'g', 0).offset).toBe(-1n);
    expect(offsetOf(h, 'g', 1).offset).toBe(11n);
  });
});
