// ListOffsets by timestamp end to end: 100 records in one batch, timestamps one second apart; kafkajs, kcat,
// kafka-python and `brook consumer-groups --reset-offsets --to-datetime` must land on the record, not the batch.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { KafkaConnection } from '../../src/client';
import { ListOffsets } from '../../src/protocol/messages/02-list-offsets';
import { runBrook, startCluster, type TestCluster } from '../harness';
import { waitForController } from './datapath-helpers';

const exec = promisify(execFile);
jest.setTimeout(180_000);

const BASE = Math.floor(Date.now() / 1000) * 1000 - 3_600_000; // an hour ago, whole seconds
const at = (i: number): number => BASE + i * 1000;

describe('ListOffsets by timestamp answers the first record at or after the time', () => {
  let cluster: TestCluster;
  let kafka: Kafka;
  let logAppendTime: number;

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 1, overrides: { 'auto.create.topics.enable': 'false' } });
    await waitForController(cluster);
    kafka = new Kafka({ clientId: 'list-offsets-time', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING });
    for (const [topic, ...config] of [['lot'], ['lot-gzip'], ['lot-lat', '--config', 'message.timestamp.type=LogAppendTime'], ['lot-v0', '--config', 'segment.bytes=1024']]) {
      const r = await runBrook(['topics', '--create', '--topic', topic!, '--partitions', '1', '--replication-factor', '1', ...config, '--bootstrap-server', cluster.bootstrap]);
      expect([r.code, r.stderr]).toEqual([0, expect.anything()]);
    }
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const messages = Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, timestamp: String(at(i)) }));
      // One send per topic: kafkajs puts a partition's messages of one send into one batch.
      await producer.send({ topic: 'lot', acks: -1, messages });
      await producer.send({ topic: 'lot-gzip', acks: -1, messages, compression: CompressionTypes.GZIP });
      const [meta] = await producer.send({ topic: 'lot-lat', acks: -1, messages });
      logAppendTime = Number(meta!.logAppendTime);
      // Five batches of 10 records, each too big to share a 1 KiB segment: segments at 0, 10, 20, 30, 40.
      for (let b = 0; b < 5; b++) await producer.send({ topic: 'lot-v0', acks: -1, messages: messages.slice(b * 10, b * 10 + 10).map((m) => ({ ...m, value: m.value.padEnd(80, '.') })) });
    } finally {
      await producer.disconnect();
    }
  });
  afterAll(async () => {
    await cluster?.teardown();
  });

  /** ListOffsets at `version` straight on the wire: [offset, timestamp] (v0: the offsets array). */
  async function wire(topic: string, timestamp: number, version: number, maxNumOffsets = 1): Promise<unknown> {
    const b = cluster.brokers.values().next().value!;
    const conn = await KafkaConnection.connect(b.host, b.port, { clientId: 'list-offsets-time' });
    try {
      const r = await conn.request(ListOffsets, version, { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: BigInt(timestamp), maxNumOffsets }] }] });
      const p = r.topics[0]!.partitions[0]!;
      expect(p.errorCode).toBe(0);
      return version === 0 ? p.oldStyleOffsets : [p.offset, p.timestamp];
    } finally {
      conn.close();
    }
  }

  it.each(['lot', 'lot-gzip'])('%s: answers the record offset and its own timestamp on every version', async (topic) => {
    for (const v of [1, 5]) {
      expect(await wire(topic, at(50), v)).toEqual([50n, BigInt(at(50))]);
      expect(await wire(topic, at(50) + 1, v)).toEqual([51n, BigInt(at(51))]);
      expect(await wire(topic, at(0) - 5000, v)).toEqual([0n, BigInt(at(0))]);
      expect(await wire(topic, at(99) + 1, v)).toEqual([-1n, -1n]);
      expect(await wire(topic, -1, v)).toEqual([100n, -1n]);
      expect(await wire(topic, -2, v)).toEqual([0n, -1n]);
    }
    // v0 goes by segment file times (below), not record timestamps: the only segment was written just now.
    expect(await wire(topic, at(50), 0)).toEqual([]);
    expect(await wire(topic, -1, 0)).toEqual([100n]);
    expect(await wire(topic, -2, 0)).toEqual([0n]);
  });

  it('v0: segment base offsets whose file was last modified at or before the time, newest first (Kafka fetchOffsetsBefore)', async () => {
    const b = cluster.brokers.values().next().value!;
    const dir = path.join(b.logDir, 'lot-v0-0');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
    expect(files.map((f) => BigInt(f.slice(0, -4)))).toEqual([0n, 10n, 20n, 30n, 40n]);
    // Segment i last modified i minutes after BASE.
    const minute = (i: number): number => BASE + i * 60_000;
    files.forEach((f, i) => fs.utimesSync(path.join(dir, f), new Date(minute(i)), new Date(minute(i))));
    expect(await wire('lot-v0', -1, 0, 10)).toEqual([50n, 40n, 30n, 20n, 10n, 0n]);
    expect(await wire('lot-v0', -1, 0, 3)).toEqual([50n, 40n, 30n]);
    expect(await wire('lot-v0', -2, 0, 10)).toEqual([0n]);
    expect(await wire('lot-v0', minute(2), 0, 10)).toEqual([20n, 10n, 0n]);
    expect(await wire('lot-v0', minute(2) + 30_000, 0, 2)).toEqual([20n, 10n]);
    expect(await wire('lot-v0', minute(4), 0, 10)).toEqual([40n, 30n, 20n, 10n, 0n]); // the LEO stands at "now"
    expect(await wire('lot-v0', minute(0) - 1, 0, 10)).toEqual([]);
    // v1+ still look records up by their own timestamps.
    expect(await wire('lot-v0', at(25), 1)).toEqual([25n, BigInt(at(25))]);
  });

  it('v6 and v7 (flexible) answer as v5; v7 adds -3 (MAX_TIMESTAMP, KIP-734): the first record with the largest timestamp', async () => {
    for (const v of [6, 7]) {
      expect(await wire('lot', at(50), v)).toEqual([50n, BigInt(at(50))]);
      expect(await wire('lot', -1, v)).toEqual([100n, -1n]);
    }
    expect(await wire('lot', -3, 7)).toEqual([99n, BigInt(at(99))]);
    expect(await wire('lot-gzip', -3, 7)).toEqual([99n, BigInt(at(99))]);
    // Every record of a LogAppendTime batch has the same time: the first of them.
    expect(await wire('lot-lat', -3, 7)).toEqual([0n, BigInt(logAppendTime)]);
  });

  it('-3 before v7 is refused as any negative timestamp (INVALID_REQUEST), as Brook answered it before', async () => {
    const b = cluster.brokers.values().next().value!;
    const conn = await KafkaConnection.connect(b.host, b.port, { clientId: 'list-offsets-time' });
    try {
      const r = await conn.request(ListOffsets, 6, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'lot', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -3n, maxNumOffsets: 1 }] }] });
      expect(r.topics[0]!.partitions[0]!.errorCode).toBe(42);
    } finally {
      conn.close();
    }
  });

  it('LogAppendTime: every record carries the broker time', async () => {
    expect(await wire('lot-lat', at(50), 5)).toEqual([0n, BigInt(logAppendTime)]);
    expect(await wire('lot-lat', logAppendTime, 5)).toEqual([0n, BigInt(logAppendTime)]);
    expect(await wire('lot-lat', logAppendTime + 1, 5)).toEqual([-1n, -1n]);
  });

  it('kafkajs admin.fetchTopicOffsetsByTimestamp', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.fetchTopicOffsetsByTimestamp('lot', at(50))).toEqual([{ partition: 0, offset: '50' }]);
      expect(await admin.fetchTopicOffsetsByTimestamp('lot-gzip', at(73))).toEqual([{ partition: 0, offset: '73' }]);
      // nothing at or after the time: kafkajs falls back to the end offset
      expect(await admin.fetchTopicOffsetsByTimestamp('lot', at(100))).toEqual([{ partition: 0, offset: '100' }]);
    } finally {
      await admin.disconnect();
    }
  });

  it('kcat -Q (librdkafka offsets_for_times)', async () => {
    const { stdout } = await exec('kcat', ['-Q', '-b', cluster.bootstrap, '-t', `lot:0:${at(50)}`, '-t', `lot-gzip:0:${at(20) + 1}`], { timeout: 60_000 });
    expect(stdout).toMatch(/lot \[0\] offset 50\b/);
    expect(stdout).toMatch(/lot-gzip \[0\] offset 21\b/);
  });

  it('kafka-python offsets_for_times', async () => {
    const script = `
import sys
from kafka import KafkaConsumer, TopicPartition
c = KafkaConsumer(bootstrap_servers=[sys.argv[1]])
for t in ('lot', 'lot-gzip'):
    r = c.offsets_for_times({TopicPartition(t, 0): int(sys.argv[2])})[TopicPartition(t, 0)]
    print(t, r.offset, r.timestamp)
c.close()
`;
    const { stdout } = await exec('/usr/bin/python3', ['-c', script, cluster.bootstrap, String(at(50))], { timeout: 60_000 });
    expect(stdout.trim().split('\n')).toEqual([`lot 50 ${at(50)}`, `lot-gzip 50 ${at(50)}`]);
  });

  it('brook consumer-groups --reset-offsets --to-datetime', async () => {
    const bs = ['--bootstrap-server', cluster.bootstrap];
    const reset = async (when: number): Promise<string> => {
      const r = await runBrook(['consumer-groups', '--reset-offsets', '--group', 'lot-group', '--topic', 'lot', '--to-datetime', new Date(when).toISOString(), '--dry-run', '--output', 'json', ...bs]);
      expect([r.code, r.stderr]).toEqual([0, expect.anything()]);
      return (JSON.parse(r.stdout) as { offsets: Array<{ offset: string }> }).offsets.map((o) => String(o.offset)).join();
    };
    expect(await reset(at(50))).toBe('50');
    expect(await reset(at(50) + 500)).toBe('51');
    expect(await reset(at(100))).toBe('100'); // past every record: the end, as Kafka's tool
  });
});
