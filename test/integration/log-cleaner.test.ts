// The log cleaner on a real broker: a compacted topic written by kafkajs (zstd and gzip batches) is cleaned once its
// dirty ratio passes min.cleanable.dirty.ratio, cleaner-offset-checkpoint records where the dirty part now starts,
// and a consumer reading from the beginning sees the latest value of every key, its batches still under their codec.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CompressionCodecs, CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { compressionOf, iterateBatches } from '../../src/protocol/record/batch-header';
import { compress, decompress, CompressionType } from '../../src/protocol/record/compression';
import { startCluster, waitFor, type TestCluster } from '../harness';

jest.setTimeout(180_000);

// kafkajs ships gzip only; zstd goes through Brook's own codec.
CompressionCodecs[CompressionTypes.ZSTD] = () => ({
  compress: async (encoder: { buffer: Buffer }) => compress(CompressionType.Zstd, encoder.buffer),
  decompress: async (buffer: Buffer) => decompress(CompressionType.Zstd, buffer),
});

describe('log cleaner on a broker', () => {
  let cluster: TestCluster;
  let kafka: Kafka;
  const topic = 'cleaned';

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 1, overrides: { 'log.cleaner.backoff.ms': '200' } });
    kafka = new Kafka({ clientId: 'cleaner-test', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'segment.bytes', value: '20000' }, { name: 'min.cleanable.dirty.ratio', value: '0.1' }] }],
      });
    } finally {
      await admin.disconnect();
    }
  });
  afterAll(async () => {
    await cluster?.teardown();
  });

  test('keys overwritten many times come back once, with their latest value, after the cleaner ran', async () => {
    const producer = kafka.producer();
    await producer.connect();
    const latest = new Map<string, string>();
    for (let round = 0; round < 30; round++) {
      // 20 keys overwritten every round, and one key of this round only (so batches of both codecs keep a record).
      const messages = Array.from({ length: 21 }, (_, k) => ({ key: k < 20 ? `key-${k}` : `once-${round}`, value: `round-${round}-${'x'.repeat(100)}` }));
      for (const m of messages) latest.set(m.key, m.value);
      await producer.send({ topic, acks: -1, compression: round % 2 === 0 ? CompressionTypes.ZSTD : CompressionTypes.GZIP, messages });
    }
    // A few more rounds of other keys so the last overwrites leave the active segment.
    for (let round = 0; round < 10; round++) {
      const messages = Array.from({ length: 20 }, (_, k) => ({ key: `tail-${round}-${k}`, value: 'y'.repeat(100) }));
      for (const m of messages) latest.set(m.key, m.value);
      await producer.send({ topic, acks: -1, messages });
    }
    await producer.disconnect();

    const broker = cluster.broker(1);
    const checkpointFile = path.join(broker.logDir, 'cleaner-offset-checkpoint');
    const end = await waitFor(
      () => {
        if (!fs.existsSync(checkpointFile)) return null;
        const line = fs.readFileSync(checkpointFile, 'utf8').split('\n').find((l) => l.startsWith(`${topic} 0 `));
        return line ? BigInt(line.split(' ')[2] as string) : null;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: 'a cleaner-offset-checkpoint entry' },
    );
    expect(end).toBeGreaterThan(0n);

    const consumer = kafka.consumer({ groupId: 'cleaner-check' });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: Array<{ offset: bigint; key: string; value: string }> = [];
    let target = 0;
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push({ offset: BigInt(message.offset), key: message.key!.toString(), value: message.value!.toString() });
        target = Math.max(target, Number(message.offset));
      },
    });
    await waitFor(() => target >= 30 * 21 + 10 * 20 - 1, { timeoutMs: 60_000, intervalMs: 100, what: 'the whole log consumed' });
    await consumer.disconnect();

    // Below the checkpoint each key appears once; overall every key's last value is its latest one.
    const cleanedPart = seen.filter((r) => r.offset < end);
    expect(new Set(cleanedPart.map((r) => r.key)).size).toBe(cleanedPart.length);
    expect(seen.length).toBeLessThan(30 * 21 + 10 * 20);
    const last = new Map<string, string>();
    for (const r of seen) last.set(r.key, r.value);
    expect(last).toEqual(latest);

    // The cleaned batches on disk kept the codec their producer chose.
    const dir = path.join(broker.logDir, `${topic}-0`);
    const codecs = new Set<number>();
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.log'))) {
      const data = fs.readFileSync(path.join(dir, f));
      for (const v of iterateBatches(data)) if (v.header.baseOffset < end) codecs.add(compressionOf(v.header.attributes));
    }
    expect(codecs.has(CompressionType.Zstd) && codecs.has(CompressionType.Gzip)).toBe(true);
  });
});
