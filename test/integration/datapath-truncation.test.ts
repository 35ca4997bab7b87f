// Leader epochs (KIP-101/279): a former leader holding writes that never reached the new leader truncates them via
// OffsetForLeaderEpoch when it comes back as a follower, and then holds exactly the new leader's log.
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, waitFor, type TestCluster } from '../harness';
import { consumeAll, partitionView, readReplicaFromDisk, waitForController } from './datapath-helpers';

jest.setTimeout(180_000);

describe('follower truncation after a leader change', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    // A long lag bound keeps the paused follower in the ISR, so it can be elected with a shorter log.
    cluster = await startCluster({ brokers: 3, sessionTimeoutMs: 6000, overrides: { 'replica.lag.time.max.ms': '60000', 'auto.leader.rebalance.enable': 'false' } });
  });
  afterAll(async () => {
    await cluster?.teardown();
  });

  it('truncates the old leader’s unreplicated acks=1 writes and converges on the new leader’s log', async () => {
    await waitForController(cluster);
    const kafka = new Kafka({ clientId: 'trunc-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 200 } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'tr', replicaAssignment: [{ partition: 0, replicas: [1, 2] }] }] });
    await admin.disconnect();
    await waitFor(async () => (await partitionView(cluster, 'tr', 0))?.isr.length === 2, { timeoutMs: 30_000, what: 'ISR [1,2]' });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      for (let i = 0; i < 20; i++) await producer.send({ topic: 'tr', acks: -1, messages: [{ partition: 0, value: `common-${i}` }] });
      const before = (await partitionView(cluster, 'tr', 0))!;
      expect(before.leader).toBe(1);
      // The follower stops fetching; the leader takes acks=1 writes it alone holds.
      cluster.broker(2).pause();
      for (let i = 0; i < 10; i++) await producer.send({ topic: 'tr', acks: 1, messages: [{ partition: 0, value: `lost-${i}` }] });
      await cluster.broker(1).killAndWait();
      cluster.broker(2).resume();
      const after = await waitFor(async () => {
        const v = await partitionView(cluster, 'tr', 0);
        return v && v.leader === 2 ? v : undefined;
      }, { timeoutMs: 30_000, what: 'broker 2 leading tr-0' });
      expect(after.leaderEpoch).toBeGreaterThan(before.leaderEpoch);
      for (let i = 0; i < 15; i++) await producer.send({ topic: 'tr', acks: 1, messages: [{ partition: 0, value: `new-${i}` }] });
    } finally {
      await producer.disconnect();
    }
    await cluster.broker(1).waitUnregistered(30_000);
    await cluster.broker(1).restart();
    await waitFor(async () => (await partitionView(cluster, 'tr', 0))?.isr.length === 2, { timeoutMs: 60_000, what: 'broker 1 back in the ISR' });
    const { records, hw } = await consumeAll(cluster.broker(2), 'tr', 0);
    const values = records.map((r) => r.value);
    // The follower may have fetched a few acks=1 writes before it stopped (its long poll was answered): those stay.
    const kept = values.filter((v) => v.startsWith('lost-'));
    expect(kept.length).toBeLessThan(10);
    expect(values).toEqual([
      ...Array.from({ length: 20 }, (_, i) => `common-${i}`),
      ...Array.from({ length: kept.length }, (_, i) => `lost-${i}`),
      ...Array.from({ length: 15 }, (_, i) => `new-${i}`),
    ]);
    await cluster.broker(1).stop();
    await cluster.broker(2).stop();
    for (const id of [1, 2]) {
      const disk = await readReplicaFromDisk(cluster.broker(id), 'tr', 0, hw);
      expect(disk.records.map((r) => `${r.offset}:${r.value}`)).toEqual(records.map((r) => `${r.offset}:${r.value}`));
    }
  });
});
