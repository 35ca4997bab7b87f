import { logConfig } from '../../../src/log/LogConfig';
import { ErrorCode } from '../../../src/protocol/errors';
import { batch } from './helpers';
import { leaderAndIsr, setup, stall, until } from './replicaManagerSetup';
import type { UpdateMetadataRequest } from '../../../src/protocol/messages/06-update-metadata';
import { buildRecordBatchSync } from '../../../src/protocol/record/records';
import { CompressionType } from '../../../src/protocol/record/compression';

describe('ReplicaManager LeaderAndIsr fencing', () => {
  it('a controller request that arrives before registration waits for it, then is judged by the new epoch', async () => {
    let epoch = -1n;
    let registeredNow!: () => void;
    const registered = new Promise<void>((r) => (registeredNow = r));
    const { rm } = await setup({}, undefined, undefined, () => epoch, registered);
    let waited = false;
    const waiting = rm.awaitRegistered().then(() => (waited = true));
    await new Promise((r) => setImmediate(r));
    expect(waited).toBe(false);
    epoch = 7n;
    registeredNow();
    await waiting;
    expect(waited).toBe(true);
    await rm.awaitRegistered(); // once registered it does not wait
    await rm.shutdown();
  });

  it('refuses every controller request until this incarnation has registered (its epoch is still unknown)', async () => {
    let epoch = -1n;
    const { rm, cache } = await setup({}, undefined, undefined, () => epoch);
    // A controller that has not seen the restart yet sends the old incarnation a delta for one partition.
    const um: UpdateMetadataRequest = {
      controllerId: 9, controllerEpoch: 1, brokerEpoch: 3n, ungroupedPartitionStates: [], liveBrokers: [],
      topicStates: [{ topicName: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitionStates: [{ topicName: 't', partitionIndex: 1, controllerEpoch: 1, leader: 2, leaderEpoch: 4, isr: [2], zkVersion: 1, replicas: [2], offlineReplicas: [] }] }],
    };
    expect(rm.updateMetadata(um, 6)).toBe(ErrorCode.STALE_BROKER_EPOCH);
    expect(cache.partitionsOf('t')).toBeUndefined();
    expect((await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 3, isr: [1], replicas: [1] }], 1, -1n), 4)).errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
    expect(rm.getPartition('t', 0)).toBeUndefined();
    // Registered: the controller's requests for this incarnation are taken.
    epoch = 7n;
    expect(rm.updateMetadata({ ...um, brokerEpoch: 7n }, 6)).toBe(ErrorCode.NONE);
    expect(cache.partitionsOf('t')?.map((p) => p.partition)).toEqual([1]);
    await rm.shutdown();
  });

  it('refuses a stale controller epoch and a stale broker epoch, then applies newer leader epochs only', async () => {
    const { rm } = await setup();
    const ok = await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 3, isr: [1], replicas: [1] }], 2), 4);
    expect(ok.partitionErrors).toEqual([{ topic: 't', partition: 0, errorCode: ErrorCode.NONE }]);
    expect(rm.getPartition('t', 0)?.isLeader).toBe(true);
    expect((await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 9, isr: [1], replicas: [1] }], 1), 4)).errorCode).toBe(ErrorCode.STALE_CONTROLLER_EPOCH);
    expect((await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 9, isr: [1], replicas: [1] }], 2, 4n), 4)).errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
    const same = await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 3, isr: [1], replicas: [1] }], 2), 4);
    expect(same.partitionErrors[0]!.errorCode).toBe(ErrorCode.STALE_CONTROLLER_EPOCH);
    const notMine = await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 1, leader: 2, leaderEpoch: 1, isr: [2], replicas: [2, 3] }], 2), 4);
    expect(notMine.partitionErrors[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    await rm.shutdown();
  });
});

describe('ReplicaManager leadership changes', () => {
  it('partitions become leaders side by side: one slow epoch checkpoint does not hold the others back', async () => {
    const { rm } = await setup();
    // First as followers of broker 2 (the partitions exist), then leaders here in one request.
    await rm.becomeLeaderOrFollower(leaderAndIsr([0, 1, 2].map((partition) => ({ partition, leader: 2, leaderEpoch: 1, isr: [2, 1], replicas: [2, 1] }))), 4);
    const slow = rm.getPartition('t', 0)!;
    const release = stall(slow, 'makeLeader');
    const change = rm.becomeLeaderOrFollower(leaderAndIsr([0, 1, 2].map((partition) => ({ partition, leader: 1, leaderEpoch: 2, isr: [1, 2], replicas: [2, 1] }))), 4);
    await until(() => rm.getPartition('t', 1)!.isLeader && rm.getPartition('t', 2)!.isLeader);
    expect(slow.isLeader).toBe(false);
    release();
    const r = await change;
    expect(r.partitionErrors.map((e) => e.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE]);
    expect([0, 1, 2].map((i) => rm.getPartition('t', i)!.isLeader)).toEqual([true, true, true]);
    await rm.shutdown();
  });
});

describe('ReplicaManager topic configs', () => {
  it('does not lead or follow under guessed defaults when the topic config cannot be read; applies the state once it can', async () => {
    let failures = 2;
    let reads = 0;
    const { rm, logManager } = await setup({}, async () => {
      reads++;
      if (failures > 0) {
        failures--;
        throw new Error('ZooKeeper connection loss');
      }
      return logConfig({ 'cleanup.policy': 'compact', 'min.insync.replicas': 2 });
    });
    const res = await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 3, isr: [1, 2], replicas: [1, 2] }]), 4);
    expect(res.partitionErrors).toEqual([{ topic: 't', partition: 0, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR }]);
    expect(rm.getPartition('t', 0)).toBeUndefined();
    expect(logManager.getLog('t', 0)).toBeUndefined();
    // Retried in the background (one more failure, then success): leader at epoch 3 with the topic's own config.
    await until(() => rm.getPartition('t', 0)?.isLeader === true);
    expect(reads).toBe(3);
    const p = rm.getPartition('t', 0)!;
    expect(p.leaderEpoch).toBe(3);
    expect(p.config['cleanup.policy']).toBe('compact');
    expect(p.minInSyncReplicas).toBe(2);
    await rm.shutdown();
  });

  it('a deferred state is dropped by a StopReplica and superseded by a newer one', async () => {
    let fail = true;
    let reads = 0;
    const { rm } = await setup({}, async () => {
      reads++;
      if (fail) throw new Error('ZooKeeper connection loss');
      return logConfig({});
    });
    await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 3, isr: [1], replicas: [1] }]), 4);
    await rm.stopReplicas({ controllerId: 9, controllerEpoch: 1, brokerEpoch: -1n, deletePartitions: false, ungroupedPartitions: [], topics: [{ name: 't', partitionIndexes: [0] }], topicStates: [] }, 1);
    fail = false;
    const readsAtStop = reads;
    await new Promise((r) => setTimeout(r, 100)); // several retry periods: nothing may run
    expect(reads).toBe(readsAtStop);
    expect(rm.getPartition('t', 0)).toBeUndefined();
    fail = true;
    await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 1, leader: 1, leaderEpoch: 3, isr: [1], replicas: [1] }]), 4);
    fail = false;
    const res = await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 1, leader: 1, leaderEpoch: 4, isr: [1], replicas: [1] }]), 4);
    expect(res.partitionErrors[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(rm.getPartition('t', 1)?.leaderEpoch).toBe(4);
    await new Promise((r) => setTimeout(r, 100));
    expect(rm.getPartition('t', 1)?.leaderEpoch).toBe(4);
    await rm.shutdown();
  });
});

describe('ReplicaManager produce', () => {
  it('validates acks, leadership, existence and batch contents', async () => {
    const { rm, cache } = await setup({ 'max.message.bytes': 500 });
    await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 0, isr: [1], replicas: [1] }]), 4);
    await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 1, leader: 2, leaderEpoch: 0, isr: [2, 1], replicas: [2, 1] }]), 4);
    cache.applyUpdate(9, 1, null, [{ topic: 't', partition: 1, leader: 2, leaderEpoch: 0, isr: [2, 1], replicas: [2, 1], offlineReplicas: [], zkVersion: 0, controllerEpoch: 1 }]);
    const codes = async (acks: number, entries: Array<{ partition: number; records: Buffer | null; topic?: string }>) =>
      (await rm.appendRecords(1000, acks, entries.map((e) => ({ topic: e.topic ?? 't', partition: e.partition, records: e.records })))).map((r) => r.errorCode);
    expect(await codes(2, [{ partition: 0, records: batch(1) }])).toEqual([ErrorCode.INVALID_REQUIRED_ACKS]);
    expect(await codes(1, [{ partition: 1, records: batch(1) }])).toEqual([ErrorCode.NOT_LEADER_OR_FOLLOWER]);
    expect(await codes(1, [{ partition: 0, records: batch(1), topic: 'nope' }])).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    expect(await codes(1, [{ partition: 0, records: batch(1, 1000) }])).toEqual([ErrorCode.MESSAGE_TOO_LARGE]);
    const corrupt = batch(1);
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 1) ^ 0xff, corrupt.length - 1);
    expect(await codes(1, [{ partition: 0, records: corrupt }])).toEqual([ErrorCode.CORRUPT_MESSAGE]);
    const ok = await rm.appendRecords(1000, 1, [{ topic: 't', partition: 0, records: batch(3) }, { topic: 't', partition: 0, records: batch(2) }]);
    expect(ok.map((r) => [r.errorCode, r.baseOffset, r.logStartOffset])).toEqual([[0, 0n, 0n], [0, 3n, 0n]]);
    await rm.shutdown();
  });

  it('acks=-1: NOT_ENOUGH_REPLICAS below min ISR; otherwise waits for followers, and times out with REQUEST_TIMED_OUT', async () => {
    const { rm, time } = await setup({ 'min.insync.replicas': 2 });
    await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 0, isr: [1], replicas: [1, 2] }]), 4);
    expect((await rm.appendRecords(1000, -1, [{ topic: 't', partition: 0, records: batch(1) }]))[0]!.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 1, isr: [1, 2], replicas: [1, 2] }]), 4);
    let done: number | null = null;
    const pending = rm.appendRecords(1000, -1, [{ topic: 't', partition: 0, records: batch(2) }]).then((r) => (done = r[0]!.errorCode));
    await until(() => rm.producePurgatory.delayed === 1);
    expect(done).toBeNull();
    // Follower 2 fetches at offset 2 (it has everything): the HW reaches 2 and the produce completes.
    await rm.fetchMessages({ replicaId: 2, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, partitions: [{ topic: 't', partition: 0, fetchOffset: 2n, currentLeaderEpoch: 1, logStartOffset: 0n, maxBytes: 1 << 20 }] });
    await pending;
    expect(done).toBe(ErrorCode.NONE);
    let timedOut: number | null = null;
    const p2 = rm.appendRecords(1000, -1, [{ topic: 't', partition: 0, records: batch(1) }]).then((r) => (timedOut = r[0]!.errorCode));
    await until(() => rm.producePurgatory.delayed === 1);
    time.advance(1000);
    await p2;
    expect(timedOut).toBe(ErrorCode.REQUEST_TIMED_OUT);
    await rm.shutdown();
  });
});

describe('ReplicaManager acks=-1 completion', () => {
  it('a follower fetch that moves the HW answers the waiting produce before its own read finishes', async () => {
    const { rm } = await setup({ 'min.insync.replicas': 2 });
    await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 0, isr: [1, 2], replicas: [1, 2] }]), 4);
    let done: number | null = null;
    const pending = rm.appendRecords(1000, -1, [{ topic: 't', partition: 0, records: batch(2) }]).then((r) => (done = r[0]!.errorCode));
    await until(() => rm.producePurgatory.delayed === 1);
    // The fetch's read (the disk) stalls; the produce must not wait for it.
    const p = rm.getPartition('t', 0)!;
    const releaseRead = stall(p, 'read');
    const fetch = rm.fetchMessages({ replicaId: 2, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, partitions: [{ topic: 't', partition: 0, fetchOffset: 2n, currentLeaderEpoch: 0, logStartOffset: 0n, maxBytes: 1 << 20 }] });
    await pending;
    expect(done).toBe(ErrorCode.NONE);
    expect(p.highWatermark).toBe(2n);
    releaseRead();
    const [r] = await fetch;
    expect([r!.errorCode, r!.highWatermark, r!.records!.length]).toEqual([ErrorCode.NONE, 2n, 0]);
    await rm.shutdown();
  });
});

describe('ReplicaManager acks=-1 ordering (overlapping produce requests of one connection)', () => {
  const gzipBatch = (count: number): Buffer => buildRecordBatchSync({ compression: CompressionType.Gzip, records: Array.from({ length: count }, (_x, i) => ({ key: null, value: Buffer.from(`gz-${i}`), timestamp: 1000n })) });

  it('says when an acks=-1 append has its place in the log, before waiting for the ISR; an append made then lands after it', async () => {
    const { rm } = await setup({ 'min.insync.replicas': 1 });
    await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 0, isr: [1, 2], replicas: [1, 2] }]), 4);
    let firstDone = false;
    let next: Promise<Array<{ baseOffset: bigint }>> | null = null;
    // The compressed batch is validated on the thread pool, so a plain one called at once would overtake it.
    const first = rm.appendRecords(1000, -1, [{ topic: 't', partition: 0, records: gzipBatch(3) }], 'client', () => {
      next = rm.appendRecords(1000, 1, [{ topic: 't', partition: 0, records: batch(1) }]);
    }).then((r) => {
      firstDone = true;
      return r;
    });
    await until(() => next !== null);
    const [second] = await next!;
    expect(second!.baseOffset).toBe(3n);
    // The acks=-1 append still waits for follower 2.
    expect(firstDone).toBe(false);
    expect(rm.producePurgatory.delayed).toBe(1);
    // Without waiting for the signal, the plain batch lands first: the order is what the signal provides.
    const racing = rm.appendRecords(1000, 1, [{ topic: 't', partition: 0, records: gzipBatch(3) }]);
    const [plain] = await rm.appendRecords(1000, 1, [{ topic: 't', partition: 0, records: batch(1) }]);
    expect(plain!.baseOffset).toBe(4n);
    expect((await racing)[0]!.baseOffset).toBe(5n);
    await rm.shutdown();
    expect((await first)[0]!.errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
  });

  it('says so too when every entry fails before reaching a log, and for requests mixing both', async () => {
    const { rm } = await setup();
    await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 0, isr: [1], replicas: [1] }]), 4);
    let calls = 0;
    const refused = await rm.appendRecords(1000, -1, [{ topic: 'nope', partition: 0, records: batch(1) }], 'client', () => calls++);
    expect([refused[0]!.errorCode, calls]).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 1]);
    const mixed = await rm.appendRecords(1000, -1, [{ topic: 'nope', partition: 0, records: batch(1) }, { topic: 't', partition: 0, records: batch(2) }], 'client', () => calls++);
    expect([mixed[0]!.errorCode, mixed[1]!.errorCode, calls]).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.NONE, 2]);
    await rm.shutdown();
  });
});

describe('ReplicaManager fetch', () => {
  async function withData() {
    const s = await setup();
    await s.rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 0, isr: [1], replicas: [1] }, { partition: 1, leader: 1, leaderEpoch: 0, isr: [1], replicas: [1] }]), 4);
    for (let i = 0; i < 5; i++) await s.rm.appendRecords(1000, 1, [{ topic: 't', partition: 0, records: batch(1, 200) }, { topic: 't', partition: 1, records: batch(1, 200) }]);
    return s;
  }
  const size = batch(1, 200).length;
  const req = (fetchOffset: bigint, maxBytes: number, partitions = [0, 1]) => partitions.map((partition) => ({ topic: 't', partition, fetchOffset, currentLeaderEpoch: -1, logStartOffset: -1n, maxBytes }));

  it('honours per-partition and total limits, giving the first partition at least one whole batch', async () => {
    const { rm } = await withData();
    const r1 = await rm.fetchMessages({ replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 10_000, isolationLevel: 0, partitions: req(0n, 2 * size + 10) });
    expect(r1.map((r) => r.records!.length)).toEqual([2 * size, 2 * size]);
    const r2 = await rm.fetchMessages({ replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 10, isolationLevel: 0, partitions: req(0n, 10) });
    expect(r2.map((r) => r.records!.length)).toEqual([size, 0]);
    const r3 = await rm.fetchMessages({ replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: size * 3, isolationLevel: 0, partitions: req(0n, 1 << 20) });
    expect(r3.map((r) => r.records!.length)).toEqual([3 * size, 0]);
    expect(r3.map((r) => [r.highWatermark, r.logStartOffset])).toEqual([[5n, 0n], [5n, 0n]]);
    await rm.shutdown();
  });

  it('answers OFFSET_OUT_OF_RANGE, fences leader epochs, and long-polls until data arrives', async () => {
    const { rm, time } = await withData();
    const oor = await rm.fetchMessages({ replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, partitions: req(6n, 1 << 20, [0]) });
    expect(oor[0]!.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const fenced = await rm.fetchMessages({ replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, partitions: [{ ...req(0n, 100, [0])[0]!, currentLeaderEpoch: 7 }] });
    expect(fenced[0]!.errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    let got: number | null = null;
    const waiting = rm.fetchMessages({ replicaId: -1, maxWaitMs: 5000, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, partitions: req(5n, 1 << 20, [0]) }).then((r) => (got = r[0]!.records!.length));
    await until(() => rm.fetchPurgatory.delayed === 1);
    expect(got).toBeNull();
    await rm.appendRecords(1000, 1, [{ topic: 't', partition: 0, records: batch(1, 200) }]);
    await waiting;
    expect(got).toBe(size);
    // And an empty long poll ends at max.wait.ms.
    let empty: number | null = null;
    const idle = rm.fetchMessages({ replicaId: -1, maxWaitMs: 500, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, partitions: req(6n, 1 << 20, [0]) }).then((r) => (empty = r[0]!.records!.length));
    await until(() => rm.fetchPurgatory.delayed === 1);
    time.advance(500);
    await idle;
    expect(empty).toBe(0);
    await rm.shutdown();
  });

  it('Fetch v12 lastFetchedEpoch: a fetcher past the end of its epoch here gets divergingEpoch and no data (KIP-595)', async () => {
    const { rm } = await setup();
    await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 0, isr: [1, 2], replicas: [1, 2] }]), 4);
    await rm.appendRecords(1000, 1, [{ topic: 't', partition: 0, records: batch(3) }]); // epoch 0: offsets 0-2
    await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 2, isr: [1, 2], replicas: [1, 2] }]), 4);
    await rm.appendRecords(1000, 1, [{ topic: 't', partition: 0, records: batch(2) }]); // epoch 2: offsets 3-4
    const fetch = (fetchOffset: bigint, lastFetchedEpoch: number) => rm.fetchMessages({ replicaId: 2, maxWaitMs: 1000, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, partitions: [{ topic: 't', partition: 0, fetchOffset, currentLeaderEpoch: 2, logStartOffset: 0n, maxBytes: 1 << 20, lastFetchedEpoch }] });
    // The follower wrote offsets 0-4 in epoch 1, which this leader never had: epoch 0 ends at 3 here.
    const [d] = await fetch(5n, 1);
    expect(d).toMatchObject({ errorCode: 0, divergingEpoch: { epoch: 0, endOffset: 3n } });
    expect(d!.records!.length).toBe(0);
    // Its position was not taken as caught up (no HW move from a diverging fetch).
    expect(rm.getPartition('t', 0)?.highWatermark).toBe(0n);
    // In agreement: data, no divergingEpoch.
    const [ok] = await fetch(3n, 0);
    expect(ok!.divergingEpoch).toBeUndefined();
    expect(ok!.records!.length).toBeGreaterThan(0);
    // An epoch past any this log knows: OFFSET_OUT_OF_RANGE (a consumer, too, may send lastFetchedEpoch).
    expect((await rm.fetchMessages({ replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 100, isolationLevel: 0, partitions: [{ topic: 't', partition: 0, fetchOffset: 0n, currentLeaderEpoch: -1, logStartOffset: -1n, maxBytes: 100, lastFetchedEpoch: 9 }] }))[0]!.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    await rm.shutdown();
  });

  it('ListOffsets, OffsetForLeaderEpoch and DeleteRecords on the leader', async () => {
    const { rm } = await withData();
    expect(await rm.fetchOffsetForTimestamp('t', 0, -1n, 0, -1, -1)).toMatchObject({ errorCode: 0, offset: 5n });
    expect(await rm.fetchOffsetForTimestamp('t', 0, -2n, 0, -1, -1)).toMatchObject({ errorCode: 0, offset: 0n });
    expect(rm.lastOffsetForLeaderEpoch('t', 0, -1, 0)).toEqual({ errorCode: 0, leaderEpoch: 0, endOffset: 5n });
    expect(await rm.deleteRecords('t', 0, 9n)).toEqual({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1n });
    expect(await rm.deleteRecords('t', 0, 3n)).toEqual({ errorCode: 0, lowWatermark: 3n });
    expect(await rm.fetchOffsetForTimestamp('t', 0, -2n, 0, -1, -1)).toMatchObject({ errorCode: 0, offset: 3n });
    await rm.shutdown();
  });
});

describe('ReplicaManager ListOffsets v0', () => {
  it('bounds a consumer by the HW as Kafka does (the HW first, offsets above it dropped); replicas see every offset', async () => {
    const { rm } = await setup({ 'segment.bytes': 300 });
    await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 0, isr: [1, 2], replicas: [1, 2] }]), 4);
    for (let i = 0; i < 3; i++) await rm.appendRecords(1000, 1, [{ topic: 't', partition: 0, records: batch(1, 200) }]);
    // Follower 2 has offsets 0 and 1: HW 2, LEO 3, one segment per batch.
    await rm.fetchMessages({ replicaId: 2, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, partitions: [{ topic: 't', partition: 0, fetchOffset: 2n, currentLeaderEpoch: 0, logStartOffset: 0n, maxBytes: 1 << 20 }] });
    expect(rm.getPartition('t', 0)?.segmentBaseOffsets()).toEqual([0n, 1n, 2n]);
    expect(rm.getPartition('t', 0)?.highWatermark).toBe(2n);

    const v0 = (timestamp: bigint, max: number, replicaId: number) => rm.legacyFetchOffsetsForTimestamp('t', 0, timestamp, max, replicaId);
    expect(v0(-1n, 10, 2)).toEqual({ errorCode: 0, offsets: [3n, 2n, 1n, 0n] });
    expect(v0(-1n, 10, -2)).toEqual({ errorCode: 0, offsets: [3n, 2n, 1n, 0n] });
    // Kafka's `hw +: offsets.dropWhile(_ > hw)`: the segment at the HW shows up twice.
    expect(v0(-1n, 10, -1)).toEqual({ errorCode: 0, offsets: [2n, 2n, 1n, 0n] });
    expect(v0(-1n, 1, -1)).toEqual({ errorCode: 0, offsets: [2n] });
    expect(v0(-2n, 1, -1)).toEqual({ errorCode: 0, offsets: [0n] });
    expect(v0(0n, 10, -1)).toEqual({ errorCode: 0, offsets: [] }); // before every segment's file time
    expect(rm.legacyFetchOffsetsForTimestamp('nope', 0, -1n, 1, -1)).toEqual({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, offsets: [] });
    await rm.shutdown();
  });

  it('answers NOT_LEADER_OR_FOLLOWER on a follower except to a debugging client (replicaId -2)', async () => {
    const { rm } = await setup();
    await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 1, leader: 2, leaderEpoch: 0, isr: [2, 1], replicas: [2, 1] }]), 4);
    expect(rm.legacyFetchOffsetsForTimestamp('t', 1, -1n, 1, -1)).toEqual({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, offsets: [] });
    expect(rm.legacyFetchOffsetsForTimestamp('t', 1, -1n, 1, 3)).toEqual({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, offsets: [] });
    expect(rm.legacyFetchOffsetsForTimestamp('t', 1, -1n, 1, -2)).toEqual({ errorCode: 0, offsets: [0n] });
    await rm.shutdown();
  });
});

describe('ReplicaManager leadership listeners', () => {
  it('reports becoming leader, becoming follower and being stopped', async () => {
    const { rm } = await setup();
    const seen: string[] = [];
    const off = rm.onLeadershipChange((p, leader) => seen.push(`${p.key}:${leader}`));
    await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 0, isr: [1, 2], replicas: [1, 2] }]), 4);
    await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: -1, leaderEpoch: 1, isr: [2], replicas: [1, 2] }]), 4);
    await rm.stopReplicas({ controllerId: 9, controllerEpoch: 1, brokerEpoch: -1n, deletePartitions: false, ungroupedPartitions: [], topics: [], topicStates: [{ topicName: 't', partitionStates: [{ partitionIndex: 0, leaderEpoch: 2, deletePartition: true }] }] }, 3);
    off();
    expect(seen).toEqual(['t-0:true', 't-0:false', 't-0:false']);
    expect(rm.getPartition('t', 0)).toBeUndefined();
    await rm.shutdown();
  });
});

describe('ReplicaManager producer state (DescribeProducers)', () => {
  const idempotent = (producerId: bigint, producerEpoch: number, baseSequence: number, count: number, timestamp: bigint) =>
    buildRecordBatchSync({ producerId, producerEpoch, baseSequence, records: Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`v${i}`), timestamp })) });

  it('lists the producers a hosted replica tracks by id, with epoch, last sequence and timestamp (no open transaction: -1); Kafka\'s errors otherwise', async () => {
    const { rm, cache } = await setup();
    await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 0, isr: [1], replicas: [1] }]), 4);
    expect(rm.activeProducerState('t', 0)).toEqual({ errorCode: ErrorCode.NONE, producers: [] });
    const appended = await rm.appendRecords(1000, 1, [
      { topic: 't', partition: 0, records: idempotent(7n, 2, 0, 3, 1111n) },
      { topic: 't', partition: 0, records: idempotent(5n, 0, 0, 1, 2222n) },
      { topic: 't', partition: 0, records: idempotent(7n, 2, 3, 2, 3333n) },
      { topic: 't', partition: 0, records: idempotent(9n, 1, 0, 2, 4444n) },
    ]);
    expect(appended.map((r) => r.errorCode)).toEqual([0, 0, 0, 0]);
    expect(rm.activeProducerState('t', 0)).toEqual({ errorCode: ErrorCode.NONE, producers: [
      { producerId: 5n, producerEpoch: 0, lastSequence: 0, lastTimestamp: 2222n, coordinatorEpoch: -1, currentTxnStartOffset: -1n },
      { producerId: 7n, producerEpoch: 2, lastSequence: 4, lastTimestamp: 3333n, coordinatorEpoch: -1, currentTxnStartOffset: -1n },
      { producerId: 9n, producerEpoch: 1, lastSequence: 1, lastTimestamp: 4444n, coordinatorEpoch: -1, currentTxnStartOffset: -1n },
    ] });
    // A follower answers from its own replica of the state, as Kafka's Partition.activeProducerState.
    await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 2, leaderEpoch: 1, isr: [2, 1], replicas: [2, 1] }]), 4);
    expect(rm.activeProducerState('t', 0).producers.map((p) => p.producerId)).toEqual([5n, 7n, 9n]);
    // Not hosted here: NOT_LEADER_OR_FOLLOWER if the partition exists in the metadata, else UNKNOWN_TOPIC_OR_PARTITION.
    cache.applyUpdate(9, 1, null, [{ topic: 't', partition: 3, leader: 2, leaderEpoch: 0, isr: [2], replicas: [2], offlineReplicas: [], zkVersion: 0, controllerEpoch: 1 }]);
    expect(rm.activeProducerState('t', 3)).toEqual({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, producers: [] });
    expect(rm.activeProducerState('t', 4)).toEqual({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, producers: [] });
    await rm.shutdown();
  });
});
