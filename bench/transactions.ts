// Transactions on a 3-broker cluster, RF 3, acks=-1, with Brook's own client library: throughput of transactions of
// 100 records (begin, one send, commit) next to the same producer's idempotent sends of 100 records, and one consumer
// reading a topic of committed and aborted transactions under read_committed and under read_uncommitted.
// Run: npx ts-node --transpile-only bench/transactions.ts [--runs 3] [--quick] [--json]   (or: npm run bench -- transactions)
// A broker that refuses transactions (or returns the wrong records) fails the run with its error: no silent zeros.
// Set before any Brook module loads (CommonJS emit keeps this order): keeps the harness's info logs off stdout.
process.env.BROOK_LOG_LEVEL ??= 'warn';
import { performance } from 'node:perf_hooks';
import {
  AdminClient, EARLIEST, Fetcher, LATEST, Producer, READ_COMMITTED, READ_UNCOMMITTED, listOffsets, type IsolationLevel,
} from '../src/client';
import { runBrook, startCluster, type TestCluster } from '../test/harness';

const RECORDS_PER_TXN = 100;
const RECORD_SIZE = 1024;
/** In the consumer topic every ABORT_EVERY-th transaction is aborted, so read_committed has something to filter. */
const ABORT_EVERY = 10;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const RUNS = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : quick ? 1 : 3;
const SECONDS = quick ? 3 : 10;
const CONSUMER_TXNS = quick ? 300 : 1000;

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)] ?? NaN; };
const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN; };

async function createTopic(bootstrap: string, topic: string, partitions: number): Promise<void> {
  const r = await runBrook(['topics', '--bootstrap-server', bootstrap, '--create', '--topic', topic, '--partitions', String(partitions), '--replication-factor', '3', '--config', 'min.insync.replicas=2'], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`creating ${topic} failed: ${r.stderr.trim()}`);
}

const batch = (payload: Buffer) => Array.from({ length: RECORDS_PER_TXN }, () => ({ key: null, value: payload }));

/** Transactions of 100 records back to back for SECONDS: transactions/s, records/s and commit latency. */
async function transactional(admin: AdminClient, topic: string, id: string, payload: Buffer): Promise<{ txnPerSec: number; recordsPerSec: number; p50Ms: number; p99Ms: number }> {
  const p = new Producer(admin, { acks: -1, transactionalId: id });
  try {
    await p.initTransactions();
  } catch (e) {
    throw new Error(`the cluster refused transactions (initTransactions of '${id}'): ${(e as Error).message}`);
  }
  const took: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) {
    const s = performance.now();
    p.beginTransaction();
    await p.send(topic, batch(payload));
    await p.commitTransaction();
    took.push(performance.now() - s);
  }
  const secs = (performance.now() - t0) / 1000;
  return { txnPerSec: took.length / secs, recordsPerSec: (took.length * RECORDS_PER_TXN) / secs, p50Ms: pct(took, 0.5), p99Ms: pct(took, 0.99) };
}

/** The same producer without transactions: idempotent sends of 100 records back to back for SECONDS. */
async function idempotent(admin: AdminClient, topic: string, payload: Buffer): Promise<number> {
  const p = new Producer(admin, { acks: -1, idempotent: true });
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) {
    await p.send(topic, batch(payload));
    n++;
  }
  return (n * RECORDS_PER_TXN) / ((performance.now() - t0) / 1000);
}

/** Fills a 1-partition topic with CONSUMER_TXNS transactions, every ABORT_EVERY-th aborted; returns the committed count. */
async function fill(admin: AdminClient, topic: string, id: string, payload: Buffer): Promise<{ committed: number; total: number }> {
  const p = new Producer(admin, { acks: -1, transactionalId: id });
  await p.initTransactions();
  let committed = 0;
  for (let i = 0; i < CONSUMER_TXNS; i++) {
    p.beginTransaction();
    await p.send(topic, batch(payload).map((r) => ({ ...r, partition: 0 })));
    if (i % ABORT_EVERY === ABORT_EVERY - 1) await p.abortTransaction();
    else {
      await p.commitTransaction();
      committed += RECORDS_PER_TXN;
    }
  }
  return { committed, total: CONSUMER_TXNS * RECORDS_PER_TXN };
}

/** Reads partition 0 from the beginning to its end under `level`; records/s. Throws if the count is not `expected`. */
async function consume(admin: AdminClient, topic: string, level: IsolationLevel, expected: number): Promise<number> {
  const end = (await listOffsets(admin, topic, [0], LATEST, level)).get(0)!;
  const f = new Fetcher(admin, topic, { reset: 'earliest', isolationLevel: level, partitionMaxBytes: 4 * 1024 * 1024 });
  f.seek(0, (await listOffsets(admin, topic, [0], EARLIEST)).get(0)!);
  let n = 0;
  const deadline = Date.now() + 120_000;
  const t0 = performance.now();
  while (f.positions.get(0)! < end) {
    if (Date.now() > deadline) throw new Error(`${level === READ_COMMITTED ? 'read_committed' : 'read_uncommitted'} consumer stuck at offset ${f.positions.get(0)} of ${end}`);
    n += (await f.poll()).length;
  }
  const secs = (performance.now() - t0) / 1000;
  const name = level === READ_COMMITTED ? 'read_committed' : 'read_uncommitted';
  if (n !== expected) throw new Error(`${name} consumer read ${n} records, expected ${expected}: aborted transactions are ${level === READ_COMMITTED ? 'not filtered' : 'missing'}`);
  return n / secs;
}

interface RunResult {
  txnPerSec: number; txnRecordsPerSec: number; txnP50Ms: number; txnP99Ms: number; idempotentRecordsPerSec: number;
  readCommittedRecordsPerSec: number; readUncommittedRecordsPerSec: number;
}

async function oneRun(run: number): Promise<RunResult> {
  const cluster: TestCluster = await startCluster({ brokers: 3, overrides: { 'transaction.state.log.num.partitions': '10', 'offsets.topic.num.partitions': '10' } });
  const admin = await AdminClient.connect(cluster.bootstrap, { retryDeadlineMs: 60_000 });
  try {
    const payload = Buffer.alloc(RECORD_SIZE, 0x61);
    await createTopic(cluster.bootstrap, 'bench-txn', 3);
    await createTopic(cluster.bootstrap, 'bench-txn-idem', 3);
    await createTopic(cluster.bootstrap, 'bench-txn-consume', 1);
    const tx = await transactional(admin, 'bench-txn', `bench-tx-${run}`, payload);
    const idem = await idempotent(admin, 'bench-txn-idem', payload);
    const { committed, total } = await fill(admin, 'bench-txn-consume', `bench-fill-${run}`, payload);
    // One unmeasured read first (page cache, JIT, connections), then the order alternates run by run.
    await consume(admin, 'bench-txn-consume', READ_UNCOMMITTED, total);
    const order: IsolationLevel[] = run % 2 === 1 ? [READ_COMMITTED, READ_UNCOMMITTED] : [READ_UNCOMMITTED, READ_COMMITTED];
    const rates = new Map<IsolationLevel, number>();
    for (const level of order) rates.set(level, await consume(admin, 'bench-txn-consume', level, level === READ_COMMITTED ? committed : total));
    const r: RunResult = {
      txnPerSec: tx.txnPerSec, txnRecordsPerSec: tx.recordsPerSec, txnP50Ms: tx.p50Ms, txnP99Ms: tx.p99Ms, idempotentRecordsPerSec: idem,
      readCommittedRecordsPerSec: rates.get(READ_COMMITTED)!, readUncommittedRecordsPerSec: rates.get(READ_UNCOMMITTED)!,
    };
    process.stderr.write(`run ${run}: ${r.txnPerSec.toFixed(1)} txn/s (${r.txnRecordsPerSec.toFixed(0)} records/s, idempotent ${idem.toFixed(0)}), read_committed ${r.readCommittedRecordsPerSec.toFixed(0)} records/s, read_uncommitted ${r.readUncommittedRecordsPerSec.toFixed(0)} records/s\n`);
    return r;
  } finally {
    admin.close();
    await cluster.teardown();
  }
}

async function main(): Promise<void> {
  const runs: RunResult[] = [];
  for (let i = 1; i <= RUNS; i++) runs.push(await oneRun(i));
  const col = (k: keyof RunResult): number[] => runs.map((r) => r[k]);
  const summary = {
    runs: RUNS, recordsPerTransaction: RECORDS_PER_TXN, recordSize: RECORD_SIZE, seconds: SECONDS, consumerTransactions: CONSUMER_TXNS, abortEvery: ABORT_EVERY,
    samples: runs,
    txnPerSec: col('txnPerSec'), txnRecordsPerSec: col('txnRecordsPerSec'), txnP50Ms: col('txnP50Ms'), txnP99Ms: col('txnP99Ms'),
    idempotentRecordsPerSec: col('idempotentRecordsPerSec'),
    readCommittedRecordsPerSec: col('readCommittedRecordsPerSec'), readUncommittedRecordsPerSec: col('readUncommittedRecordsPerSec'),
  };
  if (args.includes('--json')) { process.stdout.write(JSON.stringify(summary) + '\n'); return; }
  process.stdout.write(`transactions, 3 brokers, RF 3, acks=-1, ${RECORD_SIZE} B records, ${RUNS} run(s), medians\n`);
  process.stdout.write(`  transactions of ${RECORDS_PER_TXN} records: ${median(summary.txnPerSec).toFixed(1)} txn/s, ${median(summary.txnRecordsPerSec).toFixed(0)} records/s, p50 ${median(summary.txnP50Ms).toFixed(1)} ms, p99 ${median(summary.txnP99Ms).toFixed(1)} ms per transaction\n`);
  process.stdout.write(`  idempotent sends of ${RECORDS_PER_TXN} records: ${median(summary.idempotentRecordsPerSec).toFixed(0)} records/s\n`);
  process.stdout.write(`  consumer, 1 partition, 1 in ${ABORT_EVERY} transactions aborted: read_committed ${median(summary.readCommittedRecordsPerSec).toFixed(0)} records/s, read_uncommitted ${median(summary.readUncommittedRecordsPerSec).toFixed(0)} records/s\n`);
}

main().then(() => process.exit(0), (e: unknown) => {
  process.stderr.write(`bench/transactions.ts failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
