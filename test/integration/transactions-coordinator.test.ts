// The transaction coordinator over the wire on a 3-broker cluster: FindCoordinator for a transactional id creates
// __transaction_state (internal, compacted); InitProducerId, AddPartitionsToTxn, transactional Produce, EndTxn commit
// and abort with the markers written by the partition leaders (WriteTxnMarkers) until CompleteCommit/CompleteAbort;
// kafkajs's transactional producer (with sendOffsets); a timed-out transaction aborted by the coordinator;
// a read_committed fetch sees the committed records only; fencing by a second InitProducerId; and a coordinator
// killed mid-transaction, whose successor loads the state and aborts the transaction on the next InitProducerId.
//
// The markers need the broker side of WriteTxnMarkers (27) and transactional appends in the log: on a branch without
// them the transactions stay in PrepareCommit/PrepareAbort and the completion steps time out.
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, waitFor, type TestCluster } from '../harness';
import { leaderBroker, metadataFrom, waitForController } from '../../src/chaos/inspect';
import { KafkaConnection } from '../../src/client/connection';
import { FindCoordinator } from '../../src/protocol/messages/10-find-coordinator';
import { InitProducerId } from '../../src/protocol/messages/22-init-producer-id';
import { AddPartitionsToTxn } from '../../src/protocol/messages/24-add-partitions-to-txn';
import { EndTxn } from '../../src/protocol/messages/26-end-txn';
import { Produce } from '../../src/protocol/messages/00-produce';
import { Fetch } from '../../src/protocol/messages/01-fetch';
import { DescribeTransactions } from '../../src/protocol/messages/65-describe-transactions';
import { ListTransactions } from '../../src/protocol/messages/66-list-transactions';
import { DescribeConfigs } from '../../src/protocol/messages/32-describe-configs';
import { buildRecordBatchSync, decodeBatchRecordsSync } from '../../src/protocol/record/records';
import { isControl, iterateBatches } from '../../src/protocol/record/batch-header';
import { ErrorCode } from '../../src/protocol/errors';

jest.setTimeout(240_000);

const TOPIC = 'txn-out';
const TXN_STATE = '__transaction_state';

describe('transaction coordinator on a 3-broker cluster', () => {
  let cluster: TestCluster;
  const conns: KafkaConnection[] = [];

  const connect = async (b: { host: string; port: number }): Promise<KafkaConnection> => {
    const c = await KafkaConnection.connect(b.host, b.port, { clientId: 'txn-test', requestTimeoutMs: 30_000 });
    conns.push(c);
    return c;
  };

  /** The coordinator of `id` once FindCoordinator answers NONE (it creates __transaction_state on first use). */
  const coordinatorOf = async (id: string, avoidPort = -1): Promise<KafkaConnection> => {
    const any = [...cluster.brokers.values()].find((b) => b.running && b.port !== avoidPort)!;
    const c = await connect(any);
    const node = await waitFor(async () => {
      const r = await c.request(FindCoordinator, 3, { key: id, keyType: 1 });
      return r.errorCode === ErrorCode.NONE ? r : undefined;
    }, { timeoutMs: 60_000, what: `the coordinator of ${id}` });
    return connect({ host: node.host, port: node.port });
  };

  /** InitProducerId v4, retrying the retriable answers (load in progress, concurrent transactions). */
  const initProducer = async (coord: KafkaConnection, id: string): Promise<{ producerId: bigint; producerEpoch: number }> =>
    waitFor(async () => {
      const r = await coord.request(InitProducerId, 4, { transactionalId: id, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });
      if (r.errorCode === ErrorCode.NONE) return { producerId: r.producerId, producerEpoch: r.producerEpoch };
      if (r.errorCode !== ErrorCode.CONCURRENT_TRANSACTIONS && r.errorCode !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) throw new Error(`InitProducerId failed: ${r.errorCode}`);
      return undefined;
    }, { timeoutMs: 60_000, what: `InitProducerId for ${id}` });

  const describe1 = async (coord: KafkaConnection, id: string) => {
    const r = await coord.request(DescribeTransactions, 0, { transactionalIds: [id] });
    return r.transactionStates[0]!;
  };

  const waitForState = (coord: KafkaConnection, id: string, state: string) =>
    waitFor(async () => ((await describe1(coord, id)).transactionState === state ? true : undefined), { timeoutMs: 30_000, what: `${id} in ${state}` });

  /** Produces `values` to partition `p` as part of transactional id `id`'s transaction (sequence from `seq`). */
  const produceTxn = async (id: string, pid: { producerId: bigint; producerEpoch: number }, p: number, seq: number, values: string[]): Promise<void> => {
    const leader = await connect(await leaderBroker(cluster, TOPIC, p));
    const records = buildRecordBatchSync({ records: values.map((value) => ({ value })), producerId: pid.producerId, producerEpoch: pid.producerEpoch, baseSequence: seq, isTransactional: true });
    const r = await leader.request(Produce, 7, { transactionalId: id, acks: -1, timeoutMs: 30_000, topicData: [{ name: TOPIC, partitionData: [{ index: p, records }] }] });
    expect(r.responses[0]?.partitionResponses[0]?.errorCode).toBe(ErrorCode.NONE);
  };

  /**
   * read_committed fetch of partition `p` from its leader, filtered as a consumer does: control batches skipped, and
   * batches of a producer listed in abortedTransactions (from its first offset on) dropped.
   */
  const readCommitted = async (p: number): Promise<{ values: string[]; lso: bigint; aborted: Array<{ producerId: bigint; firstOffset: bigint }> }> => {
    const leader = await connect(await leaderBroker(cluster, TOPIC, p));
    const r = await leader.request(Fetch, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 1,
      topics: [{ topic: TOPIC, partitions: [{ partition: p, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
    });
    const pr = r.responses[0]!.partitionResponses[0]!;
    const aborted = (pr.abortedTransactions ?? []).map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset }));
    const buf = pr.recordSet ?? Buffer.alloc(0);
    const values: string[] = [];
    for (const view of iterateBatches(buf)) {
      const h = view.header;
      if (isControl(h.attributes)) continue;
      if (aborted.some((a) => a.producerId === h.producerId && a.firstOffset <= h.baseOffset)) continue;
      for (const rec of decodeBatchRecordsSync(buf, view.position)) values.push(rec.value?.toString() ?? '');
    }
    return { values, lso: pr.lastStableOffset, aborted };
  };

  beforeAll(async () => {
    cluster = await startCluster({
      brokers: 3,
      overrides: {
        'transaction.state.log.num.partitions': '3',
        'transaction.state.log.replication.factor': '3',
        'transaction.state.log.min.isr': '2',
        'auto.leader.rebalance.enable': 'false',
        'transaction.abort.timed.out.transaction.cleanup.interval.ms': '500',
      },
    });
    await waitForController(cluster);
    const kafka = new Kafka({ clientId: 'txn-test-admin', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 2, replicationFactor: 3 }] });
    } finally {
      await admin.disconnect();
    }
  });

  afterAll(async () => {
    for (const c of conns) c.close();
    await cluster?.teardown();
  });

  it('FindCoordinator for a transactional id creates __transaction_state: internal, compacted, its partitions led', async () => {
    const coord = await coordinatorOf('txn-a');
    const md = await metadataFrom({ host: coord.host, port: coord.port }, [TXN_STATE]);
    const t = md.topics.find((x) => x.name === TXN_STATE)!;
    expect(t.isInternal).toBe(true);
    expect(t.partitions.length).toBe(3);
    expect(t.partitions.every((p) => p.replicaNodes.length === 3)).toBe(true);
    const cfg = await coord.request(DescribeConfigs, 1, { resources: [{ resourceType: 2, resourceName: TXN_STATE, configurationKeys: ['cleanup.policy', 'min.insync.replicas', 'unclean.leader.election.enable'] }], includeSynonyms: false });
    const values = Object.fromEntries(cfg.results[0]!.configs.map((c) => [c.name, c.value]));
    expect(values).toEqual({ 'cleanup.policy': 'compact', 'min.insync.replicas': '2', 'unclean.leader.election.enable': 'false' });
  });

  it('commit: the markers are written and read_committed consumers see the records', async () => {
    const coord = await coordinatorOf('txn-a');
    const pid = await initProducer(coord, 'txn-a');
    const add = await coord.request(AddPartitionsToTxn, 3, { transactionalId: 'txn-a', producerId: pid.producerId, producerEpoch: pid.producerEpoch, topics: [{ name: TOPIC, partitions: [0, 1] }] });
    expect(add.results.flatMap((t) => t.results.map((r) => r.errorCode))).toEqual([0, 0]);
    await produceTxn('txn-a', pid, 0, 0, ['c0', 'c1']);
    await produceTxn('txn-a', pid, 1, 0, ['c2']);
    expect((await describe1(coord, 'txn-a')).transactionState).toBe('Ongoing');
    // An open transaction holds read_committed readers back.
    expect((await readCommitted(0)).values).toEqual([]);
    const end = await coord.request(EndTxn, 3, { transactionalId: 'txn-a', producerId: pid.producerId, producerEpoch: pid.producerEpoch, committed: true });
    expect(end.errorCode).toBe(ErrorCode.NONE);
    await waitForState(coord, 'txn-a', 'CompleteCommit');
    await waitFor(async () => ((await readCommitted(0)).values.length === 2 ? true : undefined), { timeoutMs: 30_000, what: 'committed records on partition 0' });
    expect((await readCommitted(0)).values).toEqual(['c0', 'c1']);
    expect((await readCommitted(1)).values).toEqual(['c2']);
  });

  it('abort: CompleteAbort, the records stay invisible to read_committed and are listed as aborted', async () => {
    const coord = await coordinatorOf('txn-a');
    const pid = await initProducer(coord, 'txn-a');
    await coord.request(AddPartitionsToTxn, 3, { transactionalId: 'txn-a', producerId: pid.producerId, producerEpoch: pid.producerEpoch, topics: [{ name: TOPIC, partitions: [0] }] });
    await produceTxn('txn-a', pid, 0, 0, ['a0']);
    const end = await coord.request(EndTxn, 3, { transactionalId: 'txn-a', producerId: pid.producerId, producerEpoch: pid.producerEpoch, committed: false });
    expect(end.errorCode).toBe(ErrorCode.NONE);
    await waitForState(coord, 'txn-a', 'CompleteAbort');
    const r = await waitFor(async () => {
      const x = await readCommitted(0);
      return x.aborted.length > 0 ? x : undefined;
    }, { timeoutMs: 30_000, what: 'the aborted transaction listed' });
    expect(r.aborted.map((a) => a.producerId)).toEqual([pid.producerId]);
    expect(r.values).toEqual(['c0', 'c1']);
  });

  it('a second InitProducerId fences the first producer: PRODUCER_FENCED (v3), INVALID_PRODUCER_EPOCH (v1)', async () => {
    const coord = await coordinatorOf('txn-f');
    const first = await initProducer(coord, 'txn-f');
    const second = await initProducer(coord, 'txn-f');
    expect(second).toEqual({ producerId: first.producerId, producerEpoch: first.producerEpoch + 1 });
    const body = { transactionalId: 'txn-f', producerId: first.producerId, producerEpoch: first.producerEpoch, topics: [{ name: TOPIC, partitions: [0] }] };
    expect((await coord.request(AddPartitionsToTxn, 3, body)).results[0]!.results[0]!.errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await coord.request(AddPartitionsToTxn, 1, body)).results[0]!.results[0]!.errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    const listed = await coord.request(ListTransactions, 0, { stateFilters: ['Empty'], producerIdFilters: [first.producerId] });
    expect(listed.transactionStates).toEqual([{ transactionalId: 'txn-f', producerId: first.producerId, transactionState: 'Empty' }]);
  });

  it('a transaction past its timeout is aborted by the coordinator under a bumped epoch, fencing its producer', async () => {
    const coord = await coordinatorOf('txn-t');
    const init = await coord.request(InitProducerId, 4, { transactionalId: 'txn-t', transactionTimeoutMs: 1000, producerId: -1n, producerEpoch: -1 });
    expect(init.errorCode).toBe(ErrorCode.NONE);
    const pid = { producerId: init.producerId, producerEpoch: init.producerEpoch };
    await coord.request(AddPartitionsToTxn, 3, { transactionalId: 'txn-t', producerId: pid.producerId, producerEpoch: pid.producerEpoch, topics: [{ name: TOPIC, partitions: [0] }] });
    await produceTxn('txn-t', pid, 0, 0, ['t0']);
    await waitForState(coord, 'txn-t', 'CompleteAbort');
    expect((await describe1(coord, 'txn-t')).producerEpoch).toBe(pid.producerEpoch + 1);
    const end = await coord.request(EndTxn, 3, { transactionalId: 'txn-t', producerId: pid.producerId, producerEpoch: pid.producerEpoch, committed: true });
    expect(end.errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await readCommitted(0)).values).not.toContain('t0');
  });

  it('kafkajs transactions: send and sendOffsets committed, then an aborted send; read_committed sees the commit only', async () => {
    const kafka = new Kafka({ clientId: 'txn-kjs', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ transactionalId: 'txn-kjs', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const ok = await producer.transaction();
      await ok.send({ topic: TOPIC, messages: [{ partition: 1, value: 'kjs-committed' }] });
      await ok.sendOffsets({ consumerGroupId: 'txn-kjs-group', topics: [{ topic: TOPIC, partitions: [{ partition: 0, offset: '7' }] }] });
      await ok.commit();
      const bad = await producer.transaction();
      await bad.send({ topic: TOPIC, messages: [{ partition: 1, value: 'kjs-aborted' }] });
      await bad.abort();
    } finally {
      await producer.disconnect();
    }
    const coord = await coordinatorOf('txn-kjs');
    await waitForState(coord, 'txn-kjs', 'CompleteAbort');
    const r = await readCommitted(1);
    expect(r.values).toContain('kjs-committed');
    expect(r.values).not.toContain('kjs-aborted');
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await waitFor(async () => {
        const o = await admin.fetchOffsets({ groupId: 'txn-kjs-group', topics: [TOPIC] });
        const p0 = o[0]?.partitions.find((x) => x.partition === 0);
        return p0?.offset === '7' ? p0 : undefined;
      }, { timeoutMs: 30_000, what: 'the transactional offset commit applied' });
      expect(offsets.offset).toBe('7');
    } finally {
      await admin.disconnect();
    }
  });

  it('the coordinator dies mid-transaction: its successor loads the state and InitProducerId aborts the transaction', async () => {
    const coord = await coordinatorOf('txn-k');
    const pid = await initProducer(coord, 'txn-k');
    await coord.request(AddPartitionsToTxn, 3, { transactionalId: 'txn-k', producerId: pid.producerId, producerEpoch: pid.producerEpoch, topics: [{ name: TOPIC, partitions: [1] }] });
    await produceTxn('txn-k', pid, 1, 0, ['k0']);
    const old = [...cluster.brokers.values()].find((b) => b.port === coord.port)!;
    old.kill('SIGKILL');
    const successor = await waitFor(async () => {
      const c = await coordinatorOf('txn-k', coord.port);
      return c.port !== coord.port ? c : undefined;
    }, { timeoutMs: 60_000, what: 'a new coordinator for txn-k' });
    await waitFor(async () => ((await describe1(successor, 'txn-k')).transactionState === 'Ongoing' ? true : undefined), { timeoutMs: 30_000, what: 'txn-k loaded as Ongoing' });
    const again = await initProducer(successor, 'txn-k');
    expect(again.producerId).toBe(pid.producerId);
    expect(again.producerEpoch).toBe(pid.producerEpoch + 2); // one bump for the abort, one for the new producer
    await waitForState(successor, 'txn-k', 'Empty');
    await old.restart();
  });
});
