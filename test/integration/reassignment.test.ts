// Partition reassignment (KIP-455) on real brokers: kafkajs admin moves a partition while a producer writes with acks=all.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, Partitioners, logLevel, type Producer } from 'kafkajs';
import { startCluster, waitFor, type TestCluster } from '../harness';
import { partitionViews } from './util/metadata';

const exec = promisify(execFile);
jest.setTimeout(240_000);

const TOPIC = 'moving';

describe('partition reassignment', () => {
  let cluster: TestCluster;
  let kafka: Kafka;

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 4, overrides: { 'auto.leader.rebalance.enable': 'false' } });
    kafka = new Kafka({ clientId: 'reassignment-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
  });
  afterAll(async () => {
    await cluster?.teardown();
  });

  const brokers = () => [...cluster.brokers.values()].filter((b) => b.running);

  it('moves partition 0 from [1,2,3] to [2,3,4] under acks=all writes without losing an acknowledged message', async () => {
    const admin = kafka.admin();
    await admin.connect();
    let producer: Producer | null = null;
    try {
      await admin.createTopics({ topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }] }], waitForLeaders: true });
      const before = await waitFor(
        async () => {
          const v = (await partitionViews(cluster.broker(1), TOPIC))?.get(0);
          return v && v.leader >= 0 && v.isr.length === 3 ? v : undefined;
        },
        { timeoutMs: 30_000, what: 'moving-0 with leader and full ISR' },
      );
      expect(before.replicas).toEqual([1, 2, 3]);
      expect(before.leader).toBe(1); // the preferred replica leads, so the move must change the leader

      // A producer writing numbered messages one at a time with acks=-1; only acknowledged ones are recorded.
      producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false, retry: { retries: 10, initialRetryTime: 100 } });
      await producer.connect();
      const acked: number[] = [];
      let failures = 0;
      let stop = false;
      const p = producer;
      const loop = (async () => {
        for (let i = 0; !stop; i++) {
          try {
            await p.send({ topic: TOPIC, acks: -1, messages: [{ partition: 0, value: `m-${i}` }] });
            acked.push(i);
          } catch {
            failures++;
          }
        }
      })();
      await waitFor(() => acked.length >= 20, { timeoutMs: 30_000, what: '20 acknowledged messages before the move' });

      await admin.alterPartitionReassignments({ topics: [{ topic: TOPIC, partitionAssignment: [{ partition: 0, replicas: [2, 3, 4] }] }] });
      const ackedAtStart = acked.length;

      await waitFor(
        async () => {
          const listed = await admin.listPartitionReassignments({ topics: [{ topic: TOPIC, partitions: [0] }] });
          if (listed.topics.some((t) => t.partitions.length > 0)) return false;
          for (const b of brokers()) {
            const v = (await partitionViews(b, TOPIC))?.get(0);
            if (!v || v.replicas.join(',') !== '2,3,4' || v.leader < 0) return false;
          }
          return true;
        },
        { timeoutMs: 90_000, intervalMs: 200, what: 'the reassignment to finish and every broker to show replicas [2,3,4]' },
      );
      const after = (await partitionViews(cluster.broker(2), TOPIC))?.get(0);
      expect(after?.replicas).toEqual([2, 3, 4]);
      expect([2, 3, 4]).toContain(after?.leader);
      // The removed replica's log is deleted (StopReplica with delete) and ZooKeeper records no reassignment.
      await waitFor(() => !fs.existsSync(path.join(cluster.broker(1).logDir, `${TOPIC}-0`)), { timeoutMs: 30_000, what: 'broker 1 to delete its moving-0 log' });
      const topicJson = JSON.parse(String((await (await cluster.zkClient()).zk.getData(`/brokers/topics/${TOPIC}`)).data)) as {
        partitions: Record<string, number[]>;
        adding_replicas: Record<string, number[]>;
        removing_replicas: Record<string, number[]>;
      };
      expect(topicJson).toMatchObject({ partitions: { '0': [2, 3, 4] }, adding_replicas: {}, removing_replicas: {} });
      // The producer keeps going against the new leader.
      const ackedAtEnd = acked.length;
      await waitFor(() => acked.length >= ackedAtEnd + 20, { timeoutMs: 30_000, what: '20 more acknowledged messages after the move' });
      stop = true;
      await loop;
      expect(acked.length).toBeGreaterThan(ackedAtStart);

      // Every acknowledged message is in the partition, read from the beginning on its new replicas.
      const { stdout } = await exec('kcat', ['-C', '-b', cluster.bootstrap, '-t', TOPIC, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\n'], { maxBuffer: 64 * 1024 * 1024 });
      const present = new Set(stdout.split('\n').filter((l) => l.startsWith('m-')).map((l) => Number(l.slice(2))));
      const missing = acked.filter((i) => !present.has(i));
      expect({ missing, acked: acked.length, failures }).toMatchObject({ missing: [] });
    } finally {
      await producer?.disconnect().catch(() => undefined);
      await admin.disconnect();
    }
  });
});
