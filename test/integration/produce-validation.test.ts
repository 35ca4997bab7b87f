// The leader validates produced records as Kafka's LogValidator does: real clients get Kafka's error codes, and a
// refused batch leaves nothing in the log.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CompressionTypes, Kafka, logLevel, type Producer } from 'kafkajs';
import { startCluster, type TestCluster } from '../harness';

const exec = promisify(execFile);
jest.setTimeout(120_000);

describe('produce validation with real clients', () => {
  let cluster: TestCluster;
  let kafka: Kafka;

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 1 });
    kafka = new Kafka({ clientId: 'validation', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          { topic: 'compacted', numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
          { topic: 'skew', numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'message.timestamp.difference.max.ms', value: '60000' }] },
        ],
      });
    } finally {
      await admin.disconnect();
    }
  });
  afterAll(async () => {
    await cluster?.teardown();
  });

  async function highWatermark(topic: string): Promise<string> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(topic))[0]!.high;
    } finally {
      await admin.disconnect();
    }
  }

  /** A kafkajs producer that does not retry, connected for `fn` only. */
  async function withProducer(fn: (producer: Producer) => Promise<void>): Promise<void> {
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    try {
      await fn(producer);
    } finally {
      await producer.disconnect();
    }
  }

  it('kafkajs: a record without a key on a compacted topic is INVALID_RECORD (plain and gzip); keyed records are stored', async () => {
    await withProducer(async (producer) => {
      for (const compression of [CompressionTypes.None, CompressionTypes.GZIP]) {
        const err = await producer.send({ topic: 'compacted', acks: -1, compression, messages: [{ key: 'k', value: 'a' }, { value: 'no key' }] }).then(() => null, (e: unknown) => e);
        expect(err).toMatchObject({ type: 'INVALID_RECORD' });
      }
      expect(await highWatermark('compacted')).toBe('0');
      await producer.send({ topic: 'compacted', acks: -1, messages: [{ key: 'k', value: 'a' }, { key: 'k', value: null }] });
      expect(await highWatermark('compacted')).toBe('2');
    });
  });

  it('kafkajs: a CreateTime record outside message.timestamp.difference.max.ms is INVALID_TIMESTAMP', async () => {
    await withProducer(async (producer) => {
      const err = await producer.send({ topic: 'skew', acks: 1, messages: [{ value: 'replayed', timestamp: String(Date.now() - 3_600_000) }] }).then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ type: 'INVALID_TIMESTAMP' });
      await producer.send({ topic: 'skew', acks: 1, messages: [{ value: 'now' }] });
      expect(await highWatermark('skew')).toBe('1');
    });
  });

  it('kcat (librdkafka): a keyless produce to a compacted topic fails with the broker\'s error and stores nothing', async () => {
    const before = await highWatermark('compacted');
    const piped = await exec('bash', ['-c', `echo 'no key' | kcat -P -b ${cluster.bootstrap} -t compacted -p 0 -X message.send.max.retries=0`], { timeout: 30_000 }).then(
      (x) => ({ code: 0, stderr: x.stderr }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    // librdkafka names error 87 (INVALID_RECORD) "Broker failed to validate record".
    expect(piped.stderr).toMatch(/Broker failed to validate record/);
    expect(await highWatermark('compacted')).toBe(before);
  });
});
