// acks=-1 produce requests pipelined on one connection overlap: the leader appends the next while the one before waits
// for its followers, so a connection's throughput is not one replication round trip per request. Shown with the
// follower stopped: every request of the pipeline reaches the leader's log while none is answered yet (one request at
// a time, the log would hold only the first). The idempotent sequences, alternating gzip and plain batches (the
// gzip ones are validated on the thread pool, so a plain one after them could otherwise overtake), must land in
// request order, and the answers come back in request order once the follower returns.
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, waitFor, type TestCluster } from '../harness';
import { consumeAll, partitionView } from './datapath-helpers';
import { KafkaConnection } from '../../src/client/connection';
import { InitProducerId } from '../../src/protocol/messages/22-init-producer-id';
import { ListOffsets } from '../../src/protocol/messages/02-list-offsets';
import { Produce } from '../../src/protocol/messages/00-produce';
import { buildRecordBatchSync } from '../../src/protocol/record/records';
import { CompressionType } from '../../src/protocol/record/compression';

jest.setTimeout(120_000);

const TOPIC = 'overlap';
const REQUESTS = 12;
const PER_BATCH = 5;

/** The leader's log end offset (ListOffsets latest as a debugging replica, -2: not bounded by the HW). */
async function logEndOffset(conn: KafkaConnection): Promise<bigint> {
  const r = await conn.request(ListOffsets, 1, { replicaId: -2, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, timestamp: -1n }] }] });
  return r.topics[0]!.partitions[0]!.offset;
}

describe('overlapping acks=-1 produce requests on one connection', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    // The stopped follower stays in the ISR (and registered) for the whole test, so nothing is answered until it is
    // back. (With one request at a time, the session expiry of the stopped broker is what answers them.)
    cluster = await startCluster({ brokers: 2, startBrokers: false, sessionTimeoutMs: 60_000, overrides: { 'replica.lag.time.max.ms': '90000', 'auto.leader.rebalance.enable': 'false' } });
    await cluster.startBroker(1);
    await cluster.waitForController();
    await cluster.startBroker(2);
  });
  afterAll(async () => {
    await cluster?.teardown();
  });

  it('appends every pipelined request while the first still waits for its follower, in order, and answers in order', async () => {
    const admin = new Kafka({ clientId: 'overlap', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2] }] }] });
    await admin.disconnect();
    await waitFor(async () => {
      const v = await partitionView(cluster, TOPIC, 0);
      return v?.leader === 1 && v.isr.length === 2;
    }, { timeoutMs: 30_000, what: `${TOPIC}-0 led by broker 1 with ISR [1,2]` });

    const leader = cluster.broker(1);
    const conn = await KafkaConnection.connect(leader.host, leader.port, { clientId: 'overlap' });
    const probe = await KafkaConnection.connect(leader.host, leader.port, { clientId: 'overlap-probe' });
    const init = await conn.request(InitProducerId, 1, { transactionalId: null, transactionTimeoutMs: 60_000 });
    expect(init.errorCode).toBe(0);
    const values = Array.from({ length: REQUESTS * PER_BATCH }, (_x, i) => `v-${i}`);
    cluster.broker(2).pause();
    let answered = 0;
    try {
      const sends = Array.from({ length: REQUESTS }, (_x, i) => {
        const records = buildRecordBatchSync({
          compression: i % 2 === 0 ? CompressionType.Gzip : CompressionType.None,
          producerId: init.producerId,
          producerEpoch: init.producerEpoch,
          baseSequence: i * PER_BATCH,
          records: values.slice(i * PER_BATCH, (i + 1) * PER_BATCH).map((v) => ({ value: Buffer.from(v) })),
        });
        return conn.request(Produce, 7, { transactionalId: null, acks: -1, timeoutMs: 60_000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }] }).then((r) => {
          answered++;
          return r.responses[0]!.partitionResponses[0]!;
        });
      });
      // Every request is in the leader's log although the follower has fetched none of them.
      await waitFor(async () => (await logEndOffset(probe)) === BigInt(values.length), { timeoutMs: 30_000, what: `all ${REQUESTS} requests appended by the leader` });
      expect(answered).toBe(0);
      cluster.broker(2).resume();
      const results = await Promise.all(sends);
      expect(results.map((r) => [r.errorCode, r.baseOffset])).toEqual(Array.from({ length: REQUESTS }, (_x, i) => [0, BigInt(i * PER_BATCH)]));
    } finally {
      cluster.broker(2).resume();
      conn.close();
      probe.close();
    }
    const { records } = await consumeAll(leader, TOPIC, 0);
    expect(records.map((r) => r.value)).toEqual(values);
  });
});
