// Idempotent producers against real brokers: kafkajs (idempotent: true) and kcat (enable.idempotence=true) on a
// 3-broker RF3 cluster; client retries forced by lost Produce responses; a leader killed mid-stream; and producer
// state rebuilt after kill -9, from the log alone and from a snapshot.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, startCluster, waitFor, type TestBroker, type TestCluster } from '../harness';
import { FaultProxy } from '../harness/faultProxy';
import { consumeAll, leaderBroker, partitionView, waitForController } from './datapath-helpers';
import { KafkaConnection } from '../../src/client/connection';
import { InitProducerId } from '../../src/protocol/messages/22-init-producer-id';
import { Produce } from '../../src/protocol/messages/00-produce';
import { Fetch } from '../../src/protocol/messages/01-fetch';
import { buildRecordBatchSync } from '../../src/protocol/record/records';
import { readBatchHeader } from '../../src/protocol/record/batch-header';

const exec = promisify(execFile);
jest.setTimeout(240_000);

const CLIENT = 'CLIENT';

async function createTopic(kafka: Kafka, topic: string, configEntries: { name: string; value: string }[] = []): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }, ...configEntries] }] });
  } finally {
    await admin.disconnect();
  }
}

async function fullIsr(cluster: TestCluster, topic: string): Promise<void> {
  await waitFor(async () => (await partitionView(cluster, topic, 0))?.isr.length === 3, { timeoutMs: 30_000, what: `full ISR of ${topic}-0` });
}

/** Every record value of partition 0, read from the leader up to the HW. */
async function values(cluster: TestCluster, topic: string): Promise<string[]> {
  return (await consumeAll(await leaderBroker(cluster, topic, 0), topic, 0)).records.map((r) => r.value);
}

const numbered = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe('idempotent producers on a 3-broker cluster', () => {
  let cluster: TestCluster;
  const proxies = new Map<number, FaultProxy>();
  const clientPorts = new Map<number, number>();
  let kafka: Kafka;
  let proxied: Kafka;

  beforeAll(async () => {
    // Each broker has a second listener for proxied clients, advertised at its proxy's port.
    for (const id of [1, 2, 3]) {
      clientPorts.set(id, await freePort());
      proxies.set(id, new FaultProxy(await freePort(), { host: '127.0.0.1', port: clientPorts.get(id) as number }));
    }
    cluster = await startCluster({
      brokers: 3,
      overrides: (id, port) => ({
        listeners: `PLAINTEXT://127.0.0.1:${port},${CLIENT}://127.0.0.1:${clientPorts.get(id)}`,
        'advertised.listeners': `PLAINTEXT://127.0.0.1:${port},${CLIENT}://127.0.0.1:${proxies.get(id)?.port}`,
        'listener.security.protocol.map': `PLAINTEXT:PLAINTEXT,${CLIENT}:PLAINTEXT`,
        'inter.broker.listener.name': 'PLAINTEXT',
        'auto.leader.rebalance.enable': 'false',
        'replica.lag.time.max.ms': '4000',
      }),
    });
    for (const p of proxies.values()) await p.start();
    await waitForController(cluster);
    kafka = new Kafka({ clientId: 'idempotence-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
    proxied = new Kafka({
      clientId: 'idempotence-proxied',
      brokers: [...proxies.values()].map((p) => `127.0.0.1:${p.port}`),
      logLevel: logLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 100 },
    });
  });
  afterAll(async () => {
    for (const p of proxies.values()) await p.stop();
    await cluster?.teardown();
  });

  it('kafkajs with idempotent: true writes every record once, in order, with producer ids and sequences', async () => {
    await createTopic(kafka, 'idem-kjs');
    await fullIsr(cluster, 'idem-kjs');
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent = numbered('kjs', 600);
    try {
      for (let i = 0; i < sent.length; i += 50) {
        const res = await producer.send({ topic: 'idem-kjs', acks: -1, messages: sent.slice(i, i + 50).map((value) => ({ value })) });
        expect(res[0]?.errorCode).toBe(0);
      }
    } finally {
      await producer.disconnect();
    }
    expect(await values(cluster, 'idem-kjs')).toEqual(sent);
    // The batches carry the producer id kafkajs got from InitProducerId and consecutive sequences.
    const leader = await leaderBroker(cluster, 'idem-kjs', 0);
    const conn = await KafkaConnection.connect(leader.host, leader.port, { clientId: 'idempotence-test' });
    try {
      const r = await conn.request(Fetch, 11, {
        replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0,
        topics: [{ topic: 'idem-kjs', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
      });
      const records = r.responses[0]?.partitionResponses[0]?.recordSet as Buffer;
      const first = readBatchHeader(records, 0);
      const second = readBatchHeader(records, first.batchLength + 12);
      expect(first.producerId).toBeGreaterThanOrEqual(0n);
      expect(first.baseSequence).toBe(0);
      expect(second.producerId).toBe(first.producerId);
      expect(second.baseSequence).toBe(first.lastOffsetDelta + 1);
    } finally {
      conn.close();
    }
  });

  it('kcat with enable.idempotence=true produces every line once', async () => {
    await createTopic(kafka, 'idem-kcat');
    await fullIsr(cluster, 'idem-kcat');
    const lines = numbered('kcat', 300);
    await new Promise<void>((resolve, reject) => {
      const child = spawn('kcat', ['-P', '-b', cluster.bootstrap, '-t', 'idem-kcat', '-p', '0', '-X', 'enable.idempotence=true', '-X', 'acks=all'], { stdio: ['pipe', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat -P exited ${code}: ${err}`))));
      child.stdin.end(lines.join('\n') + '\n');
    });
    expect(await waitFor(async () => {
      const v = await values(cluster, 'idem-kcat');
      return v.length >= lines.length ? v : undefined;
    }, { timeoutMs: 20_000, what: 'kcat records' })).toEqual(lines);
  });

  it('confluent-kafka (Python, librdkafka) with enable.idempotence=True delivers every message once, in order', async () => {
    await createTopic(kafka, 'idem-ck');
    await fullIsr(cluster, 'idem-ck');
    const script = [
      'import sys',
      'from confluent_kafka import Producer',
      "p = Producer({'bootstrap.servers': sys.argv[1], 'enable.idempotence': True, 'linger.ms': 5})",
      'errors = []',
      'def cb(err, msg):',
      '    if err is not None: errors.append(str(err))',
      'for i in range(500):',
      "    p.produce('idem-ck', value=('ck-%d' % i).encode(), partition=0, on_delivery=cb)",
      '    p.poll(0)',
      'left = p.flush(30)',
      "print('left=%d errors=%d' % (left, len(errors)))",
    ].join('\n');
    const { stdout } = await exec('/usr/bin/python3', ['-c', script, cluster.bootstrap], { timeout: 120_000 });
    expect(stdout.trim()).toBe('left=0 errors=0');
    expect(await values(cluster, 'idem-ck')).toEqual(numbered('ck', 500));
  });

  it('lost Produce responses make kafkajs retry, and the log still holds every record exactly once, in order', async () => {
    await createTopic(kafka, 'idem-retry');
    await fullIsr(cluster, 'idem-retry');
    const producer = proxied.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 10, initialRetryTime: 100 } });
    await producer.connect();
    const sent = numbered('retry', 400);
    try {
      for (let i = 0; i < sent.length; i += 20) {
        // Every fourth batch: the leader appends it, the response is lost, the connection drops.
        if ((i / 20) % 4 === 1) for (const p of proxies.values()) p.dropProduceResponses = 1;
        await producer.send({ topic: 'idem-retry', acks: -1, messages: sent.slice(i, i + 20).map((value) => ({ value })) });
        for (const p of proxies.values()) p.dropProduceResponses = 0;
      }
    } finally {
      await producer.disconnect();
    }
    const dropped = [...proxies.values()].reduce((n, p) => n + p.dropped, 0);
    expect(dropped).toBeGreaterThanOrEqual(5);
    expect(await values(cluster, 'idem-retry')).toEqual(sent);
  });

  it('a leader killed mid-stream: the new leader keeps deduplicating retries of batches written before the failover', async () => {
    await createTopic(kafka, 'idem-failover');
    await fullIsr(cluster, 'idem-failover');
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 20, initialRetryTime: 100 } });
    await producer.connect();
    const sent = numbered('fo', 600);
    let victim: TestBroker | null = null;
    let victimGone: Promise<void> = Promise.resolve();
    try {
      for (let i = 0; i < sent.length; i += 20) {
        const send = producer.send({ topic: 'idem-failover', acks: -1, messages: sent.slice(i, i + 20).map((value) => ({ value })) });
        if (i === 200) {
          // Kill the leader while this batch is in flight: kafkajs retries it (and nothing after it is sent first).
          victim = await leaderBroker(cluster, 'idem-failover', 0);
          victimGone = victim.killAndWait();
        }
        await send;
      }
    } finally {
      await producer.disconnect();
    }
    expect(await values(cluster, 'idem-failover')).toEqual(sent);
    await victimGone;
    if (victim) await victim.start();
    await fullIsr(cluster, 'idem-failover');
  });
});

describe('producer state after kill -9', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster({ brokers: 1, sessionTimeoutMs: 2000, overrides: { 'auto.create.topics.enable': 'false' } });
    await waitForController(cluster);
  });
  afterAll(async () => {
    await cluster?.teardown();
  });

  async function produceRaw(b: TestBroker, topic: string, producerId: bigint, baseSequence: number, values: string[]): Promise<{ errorCode: number; baseOffset: bigint }> {
    const conn = await KafkaConnection.connect(b.host, b.port, { clientId: 'producer-state-test' });
    try {
      const batch = buildRecordBatchSync({ records: values.map((v) => ({ value: Buffer.from(v) })), producerId, producerEpoch: 0, baseSequence });
      const r = await conn.request(Produce, 7, { transactionalId: null, acks: -1, timeoutMs: 10_000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }] });
      const p = r.responses[0]?.partitionResponses[0];
      return { errorCode: p?.errorCode ?? -1, baseOffset: p?.baseOffset ?? -1n };
    } finally {
      conn.close();
    }
  }

  async function initProducerId(b: TestBroker): Promise<bigint> {
    const conn = await KafkaConnection.connect(b.host, b.port, { clientId: 'producer-state-test' });
    try {
      const r = await conn.request(InitProducerId, 1, { transactionalId: null, transactionTimeoutMs: 60_000 });
      expect(r.errorCode).toBe(0);
      expect(r.producerEpoch).toBe(0);
      return r.producerId;
    } finally {
      conn.close();
    }
  }

  async function createSingleReplicaTopic(topic: string, configs: Record<string, string>): Promise<void> {
    const kafka = new Kafka({ clientId: 'producer-state-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, replicationFactor: 1, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }] });
    } finally {
      await admin.disconnect();
    }
  }

  for (const withSnapshot of [false, true]) {
    it(`${withSnapshot ? 'with a snapshot from a segment roll' : 'from the log alone (no snapshot)'}: duplicates are still recognised and gaps refused`, async () => {
      const topic = withSnapshot ? 'state-snap' : 'state-log';
      // Small segments roll (and snapshot) every few batches; with huge ones nothing rolls before the crash.
      await createSingleReplicaTopic(topic, { 'segment.bytes': withSnapshot ? '2048' : '104857600' });
      const b = cluster.brokers.get(1) as TestBroker;
      const a = await initProducerId(b);
      const c = await initProducerId(b);
      expect(c).not.toBe(a);
      // Twelve batches of 5: producer c writes every third (sequences 0..19), producer a the others (0..39).
      const offsets: bigint[] = [];
      const nextSeq = new Map<bigint, number>([[a, 0], [c, 0]]);
      for (let i = 0; i < 12; i++) {
        const id = i % 3 === 2 ? c : a;
        const r = await produceRaw(b, topic, id, nextSeq.get(id) as number, numbered(`${topic}-${i}`, 5).map((v) => v.padEnd(100, '.')));
        expect(r.errorCode).toBe(0);
        nextSeq.set(id, (nextSeq.get(id) as number) + 5);
        offsets.push(r.baseOffset);
      }
      const dir = path.join(b.logDir, `${topic}-0`);
      const snapshots = fs.readdirSync(dir).filter((f) => f.endsWith('.snapshot'));
      if (withSnapshot) expect(snapshots.length).toBeGreaterThan(0);
      else expect(snapshots).toEqual([]);

      await b.killAndWait();
      await b.waitUnregistered();
      await b.start();
      await waitFor(async () => (await partitionView(cluster, topic, 0))?.leader === 1, { timeoutMs: 30_000, what: `${topic} led again` });

      // Producer a's last batch (i = 10: sequences 35..39) and c's (i = 11: 15..19) are duplicates: original offsets, nothing written.
      const dupA = await produceRaw(b, topic, a, 35, numbered(`${topic}-10`, 5).map((v) => v.padEnd(100, '.')));
      expect(dupA).toEqual({ errorCode: 0, baseOffset: offsets[10] });
      const dupC = await produceRaw(b, topic, c, 15, numbered(`${topic}-11`, 5).map((v) => v.padEnd(100, '.')));
      expect(dupC).toEqual({ errorCode: 0, baseOffset: offsets[11] });
      // A gap after the last sequence is refused: the state knows where producer a stands.
      expect((await produceRaw(b, topic, a, 45, ['gap'])).errorCode).toBe(45);
      // The next sequence is accepted.
      expect((await produceRaw(b, topic, a, 40, ['next'])).errorCode).toBe(0);
      const all = (await consumeAll(b, topic, 0)).records;
      expect(all).toHaveLength(12 * 5 + 1);
    });
  }
});
