// A topic config changed with `brook configs --alter` changes broker behaviour at once, without a restart.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { REPO_ROOT, startCluster, waitFor, type TestCluster } from '../harness';

const exec = promisify(execFile);
jest.setTimeout(120_000);

describe('dynamic topic configs', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster({ brokers: 1 });
  });
  afterAll(async () => {
    await cluster?.teardown();
  });

  const brook = (...args: string[]) => exec(process.execPath, [path.join(REPO_ROOT, 'bin', 'brook'), ...args, '--bootstrap-server', cluster.bootstrap]);

  it('min.insync.replicas set and removed with brook configs takes effect on the next acks=-1 produce', async () => {
    const kafka = new Kafka({ clientId: 'dyn', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'dyn', numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    try {
      await producer.send({ topic: 'dyn', acks: -1, messages: [{ value: 'before' }] });

      await brook('configs', '--entity-type', 'topics', '--entity-name', 'dyn', '--alter', '--add-config', 'min.insync.replicas=2');
      const described = await brook('configs', '--entity-type', 'topics', '--entity-name', 'dyn', '--describe');
      expect(described.stdout).toMatch(/min\.insync\.replicas\s+2\s+DYNAMIC_TOPIC_CONFIG/);
      // The change propagates through /config/changes; wait until the broker refuses acks=-1 with ISR 1 < 2.
      const err = await waitFor(async () => {
        try {
          await producer.send({ topic: 'dyn', acks: -1, messages: [{ value: 'refused' }] });
          return undefined;
        } catch (e) {
          return e as { type?: string; message: string };
        }
      }, { timeoutMs: 15_000, what: 'NOT_ENOUGH_REPLICAS after raising min.insync.replicas' });
      // kafkajs reports error code 19 (NOT_ENOUGH_REPLICAS) with this text from its error table.
      expect(err.message).toBe('Messages are rejected since there are fewer in-sync replicas than required');
      // acks=1 is not bound by min.insync.replicas.
      await producer.send({ topic: 'dyn', acks: 1, messages: [{ value: 'acks1' }] });

      await brook('configs', '--entity-type', 'topics', '--entity-name', 'dyn', '--alter', '--delete-config', 'min.insync.replicas');
      await waitFor(async () => {
        try {
          await producer.send({ topic: 'dyn', acks: -1, messages: [{ value: 'after' }] });
          return true;
        } catch {
          return undefined;
        }
      }, { timeoutMs: 15_000, what: 'acks=-1 accepted again after deleting the override' });
    } finally {
      await producer.disconnect();
    }
  });
});
