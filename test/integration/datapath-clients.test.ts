// Real clients against a 3-broker cluster with RF=3 topics: kafkajs (acks 0/1/-1), kcat and kafka-python produce and
// consume through the replicated data path.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel, CompressionTypes } from 'kafkajs';
import { startCluster, waitFor, type TestCluster } from '../harness';
import { consumeAll, leaderBroker, listOffset, partitionView, waitForController } from './datapath-helpers';

const exec = promisify(execFile);
jest.setTimeout(240_000);

describe('data path with real clients', () => {
  let cluster: TestCluster;
  let kafka: Kafka;

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3, sessionTimeoutMs: 6000, overrides: { 'auto.leader.rebalance.enable': 'false', 'replica.lag.time.max.ms': '4000', 'auto.create.topics.enable': 'false' } });
    await waitForController(cluster);
    kafka = new Kafka({ clientId: 'datapath-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          { topic: 'dp', numPartitions: 3, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] },
          { topic: 'kc', numPartitions: 1, replicationFactor: 3 },
          { topic: 'kp', numPartitions: 2, replicationFactor: 3 },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    for (const [t, n] of [['dp', 3], ['kc', 1], ['kp', 2]] as const) {
      for (let p = 0; p < n; p++) await waitFor(async () => (await partitionView(cluster, t, p))?.isr.length === 3, { timeoutMs: 30_000, what: `full ISR of ${t}-${p}` });
    }
  });
  afterAll(async () => {
    await cluster?.teardown();
  });

  it('kafkajs produces with acks -1, 1 and 0 and every message is readable from the leaders up to the HW', async () => {
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const sent = new Set<string>();
      for (const acks of [-1, 1, 0]) {
        for (let i = 0; i < 10; i++) {
          const messages = Array.from({ length: 30 }, (_, j) => ({ key: `k${i}-${j}`, value: `acks${acks}-${i}-${j}` }));
          const res = await producer.send({ topic: 'dp', acks, messages, compression: i % 2 === 0 ? CompressionTypes.None : CompressionTypes.GZIP });
          if (acks !== 0) for (const r of res) expect(r.errorCode).toBe(0);
          for (const m of messages) sent.add(m.value);
        }
      }
      const seen = await waitFor(
        async () => {
          const all: string[] = [];
          for (let p = 0; p < 3; p++) {
            const { records } = await consumeAll(await leaderBroker(cluster, 'dp', p), 'dp', p);
            all.push(...records.map((r) => r.value));
          }
          return all.length >= sent.size ? all : undefined;
        },
        { timeoutMs: 20_000, what: 'every produced message below the HW' },
      );
      expect(new Set(seen)).toEqual(sent);
      expect(seen).toHaveLength(sent.size);
      // Offsets within each partition are dense and ordered.
      for (let p = 0; p < 3; p++) {
        const { records, hw } = await consumeAll(await leaderBroker(cluster, 'dp', p), 'dp', p);
        expect(records.map((r) => r.offset)).toEqual(records.map((_, i) => BigInt(i)));
        expect(hw).toBe(BigInt(records.length));
        expect(await listOffset(await leaderBroker(cluster, 'dp', p), 'dp', p, -1n)).toEqual({ errorCode: 0, offset: hw });
        expect(await listOffset(await leaderBroker(cluster, 'dp', p), 'dp', p, -2n)).toEqual({ errorCode: 0, offset: 0n });
      }
    } finally {
      await producer.disconnect();
    }
  });

  it('kcat produces with acks=all and consumes from the beginning', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => `kcat-${i}`);
    await new Promise<void>((resolve, reject) => {
      const child = spawn('kcat', ['-P', '-b', cluster.bootstrap, '-t', 'kc', '-p', '0', '-X', 'acks=all', '-X', 'api.version.request=true'], { stdio: ['pipe', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat -P exited ${code}: ${err}`))));
      child.stdin.end(lines.join('\n') + '\n');
    });
    const { stdout } = await exec('kcat', ['-C', '-b', cluster.bootstrap, '-t', 'kc', '-p', '0', '-o', 'beginning', '-e', '-q'], { timeout: 60_000 });
    expect(stdout.trim().split('\n')).toEqual(lines);
  });

  it('kafka-python produces (acks=all) and consumes with explicit partition assignment', async () => {
    const script = `
import sys
from kafka import KafkaProducer, KafkaConsumer, TopicPartition
bs = sys.argv[1].split(',')
p = KafkaProducer(bootstrap_servers=bs, acks='all', retries=5)
futs = [p.send('kp', value=('py-%d' % i).encode(), partition=i % 2) for i in range(100)]
for f in futs: f.get(timeout=30)
p.flush(); p.close()
c = KafkaConsumer(bootstrap_servers=bs, enable_auto_commit=False, group_id=None, consumer_timeout_ms=5000, auto_offset_reset='earliest')
c.assign([TopicPartition('kp', 0), TopicPartition('kp', 1)])
c.seek_to_beginning()
got = []
for m in c:
    got.append(m.value.decode())
    if len(got) >= 100: break
c.close()
print(len(got), len(set(got)))
`;
    const { stdout } = await exec('/usr/bin/python3', ['-c', script, cluster.bootstrap], { timeout: 120_000 });
    expect(stdout.trim()).toBe('100 100');
  });

  it('answers NOT_ENOUGH_REPLICAS to acks=-1 once two followers are gone, and recovers when they return', async () => {
    const v = await partitionView(cluster, 'dp', 0);
    const leader = v!.leader;
    const followers = v!.replicas.filter((r) => r !== leader);
    for (const f of followers) await cluster.broker(f).killAndWait();
    // The controller (or the leader's ISR shrink) takes them out of the ISR.
    await waitFor(async () => (await partitionView(cluster, 'dp', 0))?.isr.length === 1, { timeoutMs: 30_000, what: 'ISR of dp-0 down to the leader' });
    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    await producer.connect();
    try {
      await expect(producer.send({ topic: 'dp', acks: -1, messages: [{ partition: 0, value: 'must-fail' }] })).rejects.toThrow(/NOT_ENOUGH_REPLICAS|replicas/i);
      const r = await producer.send({ topic: 'dp', acks: 1, messages: [{ partition: 0, value: 'acks1-alone' }] });
      expect(r[0]!.errorCode).toBe(0);
    } finally {
      await producer.disconnect();
    }
    for (const f of followers) await cluster.broker(f).restart();
    await waitFor(async () => (await partitionView(cluster, 'dp', 0))?.isr.length === 3, { timeoutMs: 60_000, what: 'ISR of dp-0 back to 3' });
    const p2 = kafka.producer({ allowAutoTopicCreation: false });
    await p2.connect();
    try {
      const r = await p2.send({ topic: 'dp', acks: -1, messages: [{ partition: 0, value: 'after-recovery' }] });
      expect(r[0]!.errorCode).toBe(0);
    } finally {
      await p2.disconnect();
    }
    const { records } = await consumeAll(await leaderBroker(cluster, 'dp', 0), 'dp', 0);
    const values = records.map((x) => x.value);
    expect(values).not.toContain('must-fail');
    expect(values).toContain('acks1-alone');
    expect(values[values.length - 1]).toBe('after-recovery');
  });

  it('keeps every acknowledged acks=-1 message when the leader is killed with -9', async () => {
    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 10, initialRetryTime: 200 } });
    await producer.connect();
    const acked: string[] = [];
    try {
      for (let i = 0; i < 50; i++) {
        await producer.send({ topic: 'dp', acks: -1, messages: [{ partition: 1, value: `before-${i}` }] });
        acked.push(`before-${i}`);
      }
      const old = (await partitionView(cluster, 'dp', 1))!;
      await cluster.broker(old.leader).killAndWait();
      const nl = await waitFor(async () => {
        const v = await partitionView(cluster, 'dp', 1);
        return v && v.leader >= 0 && v.leader !== old.leader ? v : undefined;
      }, { timeoutMs: 30_000, what: 'a new leader for dp-1' });
      expect(nl.leaderEpoch).toBeGreaterThan(old.leaderEpoch);
      for (let i = 0; i < 50; i++) {
        await producer.send({ topic: 'dp', acks: -1, messages: [{ partition: 1, value: `after-${i}` }] });
        acked.push(`after-${i}`);
      }
      await cluster.broker(old.leader).restart();
    } finally {
      await producer.disconnect();
    }
    const { records } = await consumeAll(await leaderBroker(cluster, 'dp', 1), 'dp', 1);
    const values = records.map((r) => r.value).filter((x) => x.startsWith('before-') || x.startsWith('after-'));
    expect(values).toEqual(acked);
  });
});
