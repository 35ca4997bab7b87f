// Transactions end to end with real clients on a 3-broker cluster (issue #15): kafkajs producer.transaction() with
// sendOffsets, commit and abort, read back by a kafkajs read_committed consumer and by kcat in both isolation levels;
// a confluent-kafka (librdkafka) consume-transform-produce loop with send_offsets_to_transaction; a transactional
// producer process fenced by a newer instance while it stays alive; and a producer killed mid-transaction whose
// transaction the coordinator aborts after its timeout, unblocking read_committed readers.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { startCluster, waitFor, type TestCluster } from '../harness';

jest.setTimeout(240_000);
const exec = promisify(execFile);

/** Every value of a topic, partition by partition (kcat -e stops at each partition's end: the LSO under read_committed). */
async function kcatRead(bootstrap: string, topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
  const { stdout } = await exec('kcat', ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-X', `isolation.level=${isolation}`, '-f', '%s\n'], { timeout: 60_000 });
  return stdout.split('\n').filter((l) => l.length > 0).sort();
}

interface ChildReply {
  cmd: string;
  ok: boolean;
  type?: string;
  message?: string;
}

/** transactions-child.ts: one kafkajs transactional producer in its own process, driven line by line. */
class TxnChild {
  readonly proc: ChildProcess;
  private readonly replies: ChildReply[] = [];
  private buf = '';
  constructor(bootstrap: string, transactionalId: string, timeoutMs: number) {
    this.proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'transactions-child.ts'), bootstrap, transactionalId, String(timeoutMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.proc.stdout!.on('data', (d: Buffer) => {
      this.buf += d.toString();
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        try {
          this.replies.push(JSON.parse(line) as ChildReply);
        } catch {
          /* not ours */
        }
      }
    });
  }
  private async next(what: string): Promise<ChildReply> {
    await waitFor(() => this.replies.length > 0, { timeoutMs: 90_000, what });
    return this.replies.shift()!;
  }
  ready(): Promise<ChildReply> {
    return this.next('the child producer to connect');
  }
  async command(line: string): Promise<ChildReply> {
    this.proc.stdin!.write(`${line}\n`);
    return this.next(`the child's answer to "${line}"`);
  }
  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }
}

describe('transactions with real clients', () => {
  let cluster: TestCluster;
  let kafka: Kafka;
  let admin: Admin;
  const children: TxnChild[] = [];

  beforeAll(async () => {
    cluster = await startCluster({
      brokers: 3,
      overrides: {
        'group.initial.rebalance.delay.ms': '0',
        'offsets.topic.num.partitions': '5',
        'transaction.state.log.num.partitions': '5',
        'transaction.abort.timed.out.transaction.cleanup.interval.ms': '500',
      },
    });
    kafka = new Kafka({ clientId: 'txn-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: ['tx-kjs', 'tx-kjs-in', 'tx-py-in', 'tx-py-out', 'tx-fence', 'tx-timeout'].map((topic) => ({
        topic,
        numPartitions: 2,
        replicationFactor: 3,
        configEntries: [{ name: 'min.insync.replicas', value: '2' }],
      })),
    });
  });

  afterAll(async () => {
    for (const c of children) c.proc.kill('SIGKILL');
    await admin?.disconnect();
    await cluster?.teardown();
  });

  test('kafkajs: committed sends and offsets are visible to read_committed readers, aborted ones are not', async () => {
    const producer = kafka.producer({ transactionalId: 'kjs-tx', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const send = async (values: string[], offset: string, outcome: 'commit' | 'abort'): Promise<void> => {
      const txn = await producer.transaction();
      await txn.send({ topic: 'tx-kjs', acks: -1, messages: values.map((value, i) => ({ value, partition: i % 2 })) });
      await txn.sendOffsets({ consumerGroupId: 'kjs-group', topics: [{ topic: 'tx-kjs-in', partitions: [{ partition: 0, offset }] }] });
      await (outcome === 'commit' ? txn.commit() : txn.abort());
    };
    const first = Array.from({ length: 10 }, (_, i) => `committed-a-${i}`);
    const aborted = Array.from({ length: 10 }, (_, i) => `aborted-${i}`);
    const last = Array.from({ length: 10 }, (_, i) => `committed-b-${i}`);
    await send(first, '42', 'commit');
    await send(aborted, '99', 'abort');
    await send(last, '50', 'commit');
    await producer.disconnect();

    const committed = [...first, ...last].sort();
    expect(await kcatRead(cluster.bootstrap, 'tx-kjs', 'read_committed')).toEqual(committed);
    expect(await kcatRead(cluster.bootstrap, 'tx-kjs', 'read_uncommitted')).toEqual([...committed, ...aborted].sort());

    // The aborted transaction's offset commit (99) never applied; the last committed one (50) did.
    const offsets = await admin.fetchOffsets({ groupId: 'kjs-group', topics: ['tx-kjs-in'] });
    expect(offsets[0]!.partitions.find((p) => p.partition === 0)!.offset).toBe('50');

    // kafkajs consumers read committed by default (readUncommitted: false).
    const consumer = kafka.consumer({ groupId: 'kjs-reader', sessionTimeout: 6000 });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'tx-kjs', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value!.toString()); } });
    await waitFor(() => seen.length >= committed.length, { timeoutMs: 60_000, what: 'the kafkajs read_committed consumer to read every committed record' });
    await consumer.disconnect();
    expect(seen.sort()).toEqual(committed);
  });

  test('confluent-kafka (librdkafka): consume-transform-produce with send_offsets_to_transaction, and an abort', async () => {
    const input = Array.from({ length: 200 }, (_, i) => `in-${i}`);
    const seed = kafka.producer();
    await seed.connect();
    await seed.send({ topic: 'tx-py-in', acks: -1, messages: input.map((value, i) => ({ value, partition: i % 2 })) });
    await seed.disconnect();
    const script = `
import sys
from confluent_kafka import Producer, Consumer, TopicPartition
bs = sys.argv[1]
p = Producer({'bootstrap.servers': bs, 'transactional.id': 'py-tx'})
p.init_transactions(60)
c = Consumer({'bootstrap.servers': bs, 'group.id': 'py-group', 'enable.auto.commit': False, 'auto.offset.reset': 'earliest', 'isolation.level': 'read_committed'})
c.subscribe(['tx-py-in'])
done = 0
while done < 200:
    msgs = c.consume(50, 5)
    if not msgs:
        continue
    msgs = [m for m in msgs if m.error() is None]
    p.begin_transaction()
    for m in msgs:
        p.produce('tx-py-out', m.value().upper(), partition=m.partition())
    pos = {}
    for m in msgs:
        pos[m.partition()] = m.offset() + 1
    p.send_offsets_to_transaction([TopicPartition('tx-py-in', k, v) for k, v in pos.items()], c.consumer_group_metadata(), 60)
    p.commit_transaction(60)
    done += len(msgs)
p.begin_transaction()
p.produce('tx-py-out', b'NEVER-COMMITTED', partition=0)
p.flush(30)
p.abort_transaction(60)
committed = c.committed([TopicPartition('tx-py-in', 0), TopicPartition('tx-py-in', 1)], 30)
print(done, sorted(tp.offset for tp in committed))
c.close()
`;
    const { stdout } = await exec('/usr/bin/python3', ['-c', script, cluster.bootstrap], { timeout: 180_000 });
    expect(stdout.trim()).toBe('200 [100, 100]');
    const expected = input.map((v) => v.toUpperCase()).sort();
    expect(await kcatRead(cluster.bootstrap, 'tx-py-out', 'read_committed')).toEqual(expected);
    expect(await kcatRead(cluster.bootstrap, 'tx-py-out', 'read_uncommitted')).toEqual([...expected, 'NEVER-COMMITTED'].sort());
  });

  test('a new instance with the same transactional id fences the old process, which stays alive', async () => {
    const old = new TxnChild(cluster.bootstrap, 'fence-tx', 60_000);
    children.push(old);
    expect(await old.ready()).toMatchObject({ ok: true });
    expect(await old.command('begin')).toMatchObject({ ok: true });
    expect(await old.command('send tx-fence 0 from-old-instance')).toMatchObject({ ok: true });

    // The new instance's InitProducerId aborts the old open transaction and bumps the epoch.
    const fresh = kafka.producer({ transactionalId: 'fence-tx', idempotent: true, maxInFlightRequests: 1 });
    await fresh.connect();
    const txn = await fresh.transaction();
    await txn.send({ topic: 'tx-fence', acks: -1, messages: [{ partition: 0, value: 'from-new-instance' }] });
    await txn.commit();
    await fresh.disconnect();

    const commit = await old.command('commit');
    expect(commit.ok).toBe(false);
    expect(`${commit.type} ${commit.message}`).toMatch(/PRODUCER_FENCED|INVALID_PRODUCER_EPOCH|fenced|epoch/i);
    expect(old.alive).toBe(true);
    expect(await kcatRead(cluster.bootstrap, 'tx-fence', 'read_committed')).toEqual(['from-new-instance']);
    expect(await kcatRead(cluster.bootstrap, 'tx-fence', 'read_uncommitted')).toEqual(['from-new-instance', 'from-old-instance']);
  });

  test('a producer killed mid-transaction is aborted after its timeout, and read_committed readers move past it', async () => {
    const victim = new TxnChild(cluster.bootstrap, 'timeout-tx', 3000);
    children.push(victim);
    expect(await victim.ready()).toMatchObject({ ok: true });
    expect(await victim.command('begin')).toMatchObject({ ok: true });
    expect(await victim.command('send tx-timeout 0 left-open')).toMatchObject({ ok: true });
    victim.proc.kill('SIGKILL');

    // Committed after the open transaction on the same partition: invisible to read_committed until the open
    // transaction is decided (the LSO stays at its first offset), visible once the coordinator aborts it.
    const other = kafka.producer({ transactionalId: 'after-timeout-tx', idempotent: true, maxInFlightRequests: 1 });
    await other.connect();
    const txn = await other.transaction();
    await txn.send({ topic: 'tx-timeout', acks: -1, messages: [{ partition: 0, value: 'committed-later' }] });
    await txn.commit();
    await other.disconnect();

    await waitFor(async () => (await kcatRead(cluster.bootstrap, 'tx-timeout', 'read_committed')).includes('committed-later'), {
      timeoutMs: 60_000,
      what: 'the timed-out transaction to be aborted so that the later commit becomes readable',
    });
    expect(await kcatRead(cluster.bootstrap, 'tx-timeout', 'read_committed')).toEqual(['committed-later']);
    expect(await kcatRead(cluster.bootstrap, 'tx-timeout', 'read_uncommitted')).toEqual(['committed-later', 'left-open']);
  });
});
