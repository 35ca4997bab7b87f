// Transactions end to end through Brook's own tools and client library on a real broker: producer-perf-test with
// --transactional-id commits what console-consumer read_committed then sees exactly; an aborted transaction is
// invisible to read_committed and visible to read_uncommitted; offsets committed in a transaction; fencing of an
// older producer; `brook transactions --list / --describe` show the ids and their states; and transactions written by
// an independent client (kafkajs) interleaved with Brook's, filtered by Brook's read_committed consumer.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, waitFor, runBrook, type BrookRun, type TestCluster } from '../harness';
import { SUMMARY_LINE } from '../../src/perf/stats';
import { AdminClient, GroupMember, Producer, ProducerFencedError, TransactionAbortableError, fetchCommitted } from '../../src/client';

jest.setTimeout(180_000);

const exec = promisify(execFile);

const brook = (args: string[], timeoutMs = 90_000): Promise<BrookRun> => runBrook(args, { timeoutMs });

describe('transactions through brook tools and client library', () => {
  let cluster: TestCluster;
  let bs: string[];
  let admin: AdminClient;

  /** Record values of a topic from the beginning under an isolation level, until no record came for 3 s. */
  async function consume(topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
    const r = await brook(['console-consumer', ...bs, '--topic', topic, '--from-beginning', '--isolation-level', isolation, '--timeout-ms', '3000']);
    expect(r.code).toBe(0);
    return r.stdout.split('\n').filter((l) => l !== '');
  }

  async function createTopic(topic: string, partitions: number): Promise<void> {
    const r = await brook(['topics', '--create', '--topic', topic, '--partitions', String(partitions), '--replication-factor', '1', ...bs]);
    expect(r.code).toBe(0);
  }

  const producer = (transactionalId: string): Producer => new Producer(admin, { acks: -1, transactionalId, transactionTimeoutMs: 30_000 });
  const values = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`${prefix}-${i}`) }));

  beforeAll(async () => {
    // One broker: the internal topics must fit it.
    cluster = await startCluster({
      brokers: 1,
      overrides: {
        'offsets.topic.replication.factor': '1',
        'offsets.topic.num.partitions': '3',
        'transaction.state.log.replication.factor': '1',
        'transaction.state.log.min.isr': '1',
        'transaction.state.log.num.partitions': '3',
        // consumer-perf-test's --timeout counts from the start, its group join included.
        'group.initial.rebalance.delay.ms': '0',
      },
    });
    bs = ['--bootstrap-server', cluster.bootstrap];
    admin = await AdminClient.connect(cluster.bootstrap, { retryDeadlineMs: 60_000 });
  });
  afterAll(async () => {
    admin?.close();
    await cluster?.teardown();
  });

  test('producer-perf-test --transactional-id commits every transaction; read_committed sees exactly the records sent', async () => {
    await createTopic('txn-perf', 3);
    const r = await brook(['producer-perf-test', ...bs, '--topic', 'txn-perf', '--num-records', '6000', '--record-size', '40',
      '--throughput', '3000', '--transactional-id', 'perf-tx', '--transaction-duration-ms', '500', '--reporting-interval', '100000']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = SUMMARY_LINE.exec(r.stdout.trim().split('\n').pop()!);
    expect(summary).not.toBeNull();
    expect(summary![1]).toBe('6000');
    const committed = await consume('txn-perf', 'read_committed');
    expect(committed).toHaveLength(6000);
    expect(committed.every((v) => /^[A-Z]{40}$/.test(v))).toBe(true);
  });

  test('an aborted transaction is invisible to read_committed and visible to read_uncommitted', async () => {
    await createTopic('txn-abort', 2);
    const p = producer('lib-abort-tx');
    await p.initTransactions();
    p.beginTransaction();
    await p.send('txn-abort', values('aborted', 10));
    await p.abortTransaction();
    p.beginTransaction();
    await p.send('txn-abort', values('committed', 5));
    await p.commitTransaction();
    const committed = await consume('txn-abort', 'read_committed');
    expect(committed.sort()).toEqual(values('committed', 5).map((v) => v.value.toString()).sort());
    const all = await consume('txn-abort', 'read_uncommitted');
    expect(all).toHaveLength(15);
    expect(all.filter((v) => v.startsWith('aborted-'))).toHaveLength(10);
    // librdkafka (kcat) reads the same: the transactions Brook's producer wrote are what an independent client sees.
    const kcat = async (level: string): Promise<string[]> => (await exec('kcat', ['-C', '-b', cluster.bootstrap, '-t', 'txn-abort', '-o', 'beginning', '-e', '-q', '-X', `isolation.level=${level}`, '-f', '%s\n'])).stdout.split('\n').filter((l) => l !== '');
    expect((await kcat('read_committed')).sort()).toEqual([...committed].sort());
    expect(await kcat('read_uncommitted')).toHaveLength(15);

    // consumer-perf-test honours isolation.level: asked for 6, read_committed finds only the 5 committed records.
    const perf = async (level: string): Promise<{ count: number; stderr: string }> => {
      const r = await brook(['consumer-perf-test', ...bs, '--topic', 'txn-abort', '--messages', '6', '--timeout', '3000', '--hide-header', '--consumer-props', `isolation.level=${level}`]);
      expect(r.code).toBe(0);
      return { count: Number(r.stdout.trim().split('\n').pop()!.split(', ')[4]), stderr: r.stderr };
    };
    const rc = await perf('read_committed');
    expect(rc.count).toBe(5);
    expect(rc.stderr).toMatch(/Exiting before consuming the expected number of messages/);
    expect((await perf('read_uncommitted')).count).toBe(6);
  });

  test('an open transaction holds read_committed back at its first offset until it commits', async () => {
    await createTopic('txn-open', 1);
    const p = producer('lib-open-tx');
    await p.initTransactions();
    p.beginTransaction();
    await p.send('txn-open', values('pending', 3));
    expect(await consume('txn-open', 'read_committed')).toEqual([]);
    expect(await consume('txn-open', 'read_uncommitted')).toHaveLength(3);
    await p.commitTransaction();
    expect(await consume('txn-open', 'read_committed')).toEqual(['pending-0', 'pending-1', 'pending-2']);
  });

  test('brook transactions --list and --describe show the transactional ids with their states', async () => {
    await createTopic('txn-describe', 2);
    const p = producer('lib-describe-tx');
    await p.initTransactions();
    p.beginTransaction();
    await p.send('txn-describe', [{ key: null, value: Buffer.from('x'), partition: 1 }]);
    const { producerId, producerEpoch } = p.producerIdAndEpoch!;

    const d = await brook(['transactions', ...bs, '--describe', '--transactional-id', 'lib-describe-tx']);
    expect(d.code).toBe(0);
    const [header, row] = d.stdout.trim().split('\n').map((l) => l.split('\t').map((c) => c.trim()));
    expect(header).toEqual(['CoordinatorId', 'TransactionalId', 'ProducerId', 'ProducerEpoch', 'TransactionState', 'TransactionTimeoutMs', 'CurrentTransactionStartTimeMs', 'TransactionDurationMs', 'TopicPartitions', '']);
    expect(row!.slice(1, 6)).toEqual(['lib-describe-tx', String(producerId), String(producerEpoch), 'Ongoing', '30000']);
    expect(Number(row![6])).toBeGreaterThan(0);
    expect(Number(row![7])).toBeGreaterThanOrEqual(0);
    expect(row![8]).toBe('txn-describe-1');

    await p.commitTransaction();
    // The coordinator completes the commit once the markers are written.
    await waitFor(async () => {
      const again = await brook(['transactions', ...bs, '--describe', '--transactional-id', 'lib-describe-tx']);
      return again.stdout.split('\n')[1]?.split('\t').map((c) => c.trim())[4] === 'CompleteCommit';
    }, { timeoutMs: 30_000, what: 'lib-describe-tx to reach CompleteCommit' });

    const l = await brook(['transactions', ...bs, '--list']);
    expect(l.code).toBe(0);
    const rows = l.stdout.trim().split('\n').map((line) => line.split('\t').map((c) => c.trim()));
    expect(rows[0]).toEqual(['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState', '']);
    const mine = rows.find((r) => r[0] === 'lib-describe-tx');
    expect(mine).toEqual(['lib-describe-tx', '1', String(producerId), 'CompleteCommit', '']);

    const missing = await brook(['transactions', ...bs, '--describe', '--transactional-id', 'no-such-tx']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Failed to describe transaction state of transactional-id `no-such-tx`/);
  });

  test('sendOffsetsToTransaction: the group offsets appear with the commit, not with an abort', async () => {
    await createTopic('txn-offsets', 1);
    const p = producer('lib-offsets-tx');
    await p.initTransactions();
    p.beginTransaction();
    await p.send('txn-offsets', values('out', 2));
    await p.sendOffsetsToTransaction([{ topic: 'txn-offsets', partition: 0, offset: 17n }], 'txn-group');
    await p.abortTransaction();
    expect((await fetchCommitted(admin, 'txn-group', 'txn-offsets', [0])).get(0)).toBe(-1n);
    p.beginTransaction();
    await p.send('txn-offsets', values('out', 1));
    await p.sendOffsetsToTransaction([{ topic: 'txn-offsets', partition: 0, offset: 42n }], 'txn-group');
    await p.commitTransaction();
    await waitFor(async () => (await fetchCommitted(admin, 'txn-group', 'txn-offsets', [0])).get(0) === 42n, { timeoutMs: 30_000, what: 'the transactional offset commit' });
  });

  test('KIP-447: offsets sent with the group member\'s generation commit; a stale member id makes the transaction abortable', async () => {
    await createTopic('txn-447', 1);
    const member = new GroupMember(admin, { groupId: 'txn-447-group', topic: 'txn-447' });
    expect(await member.join()).toEqual([0]);
    const p = producer('lib-447-tx');
    await p.initTransactions();
    p.beginTransaction();
    await p.send('txn-447', values('out', 1));
    await p.sendOffsetsToTransaction([{ topic: 'txn-447', partition: 0, offset: 5n }], member.groupMetadata());
    await p.commitTransaction();
    await waitFor(async () => (await fetchCommitted(admin, 'txn-447-group', 'txn-447', [0])).get(0) === 5n, { timeoutMs: 30_000, what: 'the KIP-447 offset commit' });

    p.beginTransaction();
    await p.send('txn-447', values('zombie', 1));
    const stale = { ...member.groupMetadata(), memberId: 'not-a-member' };
    const e = await p.sendOffsetsToTransaction([{ topic: 'txn-447', partition: 0, offset: 9n }], stale).then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(TransactionAbortableError);
    expect((e as Error).message).toMatch(/TxnOffsetCommit txn-447-0 for group 'txn-447-group': UNKNOWN_MEMBER_ID/);
    expect(p.transactionState).toBe('ABORTABLE_ERROR');
    await p.abortTransaction();
    expect((await fetchCommitted(admin, 'txn-447-group', 'txn-447', [0])).get(0)).toBe(5n);
    await member.leave();
  });

  test('kafkajs and Brook transactions interleaved on one partition: read_committed drops only the aborted producer\'s records', async () => {
    await createTopic('txn-mixed', 1);
    const kafka = new Kafka({ clientId: 'txn-tools-kafkajs', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
    const k = kafka.producer({ transactionalId: 'kafkajs-tx', idempotent: true, maxInFlightRequests: 1 });
    await k.connect();
    try {
      const p = producer('lib-mixed-tx');
      await p.initTransactions();
      p.beginTransaction();
      await p.send('txn-mixed', [{ key: null, value: Buffer.from('brook-1'), partition: 0 }]);
      const aborted = await k.transaction();
      await aborted.send({ topic: 'txn-mixed', messages: [{ value: 'kafkajs-aborted-1', partition: 0 }, { value: 'kafkajs-aborted-2', partition: 0 }] });
      await p.send('txn-mixed', [{ key: null, value: Buffer.from('brook-2'), partition: 0 }]);
      await p.commitTransaction();
      await aborted.abort();
      const committed = await k.transaction();
      await committed.send({ topic: 'txn-mixed', messages: [{ value: 'kafkajs-committed', partition: 0 }] });
      await committed.commit();
    } finally {
      await k.disconnect();
    }
    expect(await consume('txn-mixed', 'read_committed')).toEqual(['brook-1', 'brook-2', 'kafkajs-committed']);
    expect(await consume('txn-mixed', 'read_uncommitted')).toEqual(['brook-1', 'kafkajs-aborted-1', 'kafkajs-aborted-2', 'brook-2', 'kafkajs-committed']);
  });

  test('a second producer with the same transactional id fences the first, which fails with a clear error', async () => {
    await createTopic('txn-fence', 1);
    const first = producer('lib-fence-tx');
    await first.initTransactions();
    first.beginTransaction();
    await first.send('txn-fence', values('zombie', 2));
    const second = producer('lib-fence-tx');
    await second.initTransactions();
    expect(second.producerIdAndEpoch!.producerEpoch).toBeGreaterThan(first.producerIdAndEpoch!.producerEpoch);
    const e = await first.send('txn-fence', values('zombie-late', 1)).then(() => first.commitTransaction()).then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(ProducerFencedError);
    expect((e as Error).message).toMatch(/transactional id 'lib-fence-tx'.*is fenced.*must be closed/);
    expect(first.transactionState).toBe('FATAL_ERROR');
    second.beginTransaction();
    await second.send('txn-fence', values('fresh', 1));
    await second.commitTransaction();
    expect(await consume('txn-fence', 'read_committed')).toEqual(['fresh-0']);
  });
});
