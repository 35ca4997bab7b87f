// What TLS and SASL cost the producer path (issue #17): the same producer (`brook producer-perf-test`, 1 KiB records)
// against the PLAINTEXT, SSL and SASL_SSL (PLAIN) listeners of one cluster in one run, on 1 broker (RF 1, acks=1) and
// on 3 brokers (RF 3, acks=-1, brokers talking to each other over SASL_SSL). Each repeat measures every listener,
// in an order that rotates repeat by repeat; secured rows are reported as ratios to PLAINTEXT of the same repeat.
// Run: npx ts-node --transpile-only bench/security.ts [--runs 3] [--quick] [--no-rf3] [--json]   (or: npm run bench -- security)
// Why brook producer-perf-test and not kcat: on this machine it produced 1 KiB records faster than kcat over PLAINTEXT
// and SSL alike (~270k vs ~250k records/s plaintext, ~220k vs ~120k over SSL), and it reports latency percentiles.
// A secured listener that refuses the client, or a producer that fails or sends fewer records, fails the run.
process.env.BROOK_LOG_LEVEL ??= 'warn';
import { runBrook, type BrookRun } from './lib/brook';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SUMMARY_LINE } from '../src/perf/stats';
import { startCluster, type TestCluster } from '../test/harness';

const MiB = 1024 * 1024;
const RECORD_SIZE = 1024;
export const LISTENERS = ['PLAINTEXT', 'SSL', 'SASL_SSL'] as const;
type Listener = (typeof LISTENERS)[number];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const RUNS = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 3;
const RF3 = !args.includes('--no-rf3');
const RECORDS_1 = quick ? 200_000 : 1_000_000;
const RECORDS_3 = quick ? 50_000 : 200_000;
/** Fixed-rate latency runs: 5,000 records/s for this many seconds. */
const LAT_SECONDS = quick ? 3 : 6;
const LAT_RATE = 5000;

function brook(argv: string[], timeoutMs = 180_000): Promise<BrookRun> {
  return runBrook(argv, timeoutMs);
}

/** Client properties (Kafka's names) for one listener of `cluster`; written next to its certificates. */
function clientConfig(cluster: TestCluster, listener: Listener): string | null {
  if (listener === 'PLAINTEXT') return null;
  const lines = [`security.protocol=${listener}`, 'ssl.truststore.type=PEM', `ssl.truststore.location=${cluster.certs!.caPem}`];
  if (listener === 'SASL_SSL') {
    lines.push('sasl.mechanism=PLAIN', 'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret";');
  }
  const file = path.join(cluster.certs!.dir, `bench-${listener.toLowerCase()}.properties`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

interface Perf { recordsPerSec: number; mbPerSec: number; p50: number; p99: number; command: string }

async function producerPerf(bootstrap: string, config: string | null, topic: string, records: number, throughput: number, props: string[]): Promise<Perf> {
  const argv = ['producer-perf-test', '--bootstrap-server', bootstrap, '--topic', topic, '--num-records', String(records), '--record-size', String(RECORD_SIZE), '--throughput', String(throughput),
    ...(config !== null ? ['--producer.config', config] : []), '--producer-props', ...props];
  const r = await brook(argv);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  const m = SUMMARY_LINE.exec(last);
  if (!m) throw new Error(`producer-perf-test's final line does not parse: ${last}`);
  if (Number(m[1]) !== records) throw new Error(`producer-perf-test sent ${m[1]} of ${records} records to ${bootstrap}`);
  if (r.stderr.includes("isn't a known config")) throw new Error(`producer-perf-test ignored a setting: ${r.stderr.trim()}`);
  return { recordsPerSec: Number(m[2]), mbPerSec: Number(m[3]), p50: Number(m[6]), p99: Number(m[8]), command: `brook ${argv.join(' ')}` };
}

async function createTopic(cluster: TestCluster, topic: string, rf: number): Promise<void> {
  await brook(['topics', '--bootstrap-server', cluster.bootstrap, '--create', '--topic', topic, '--partitions', '1', '--replication-factor', String(rf), ...(rf > 1 ? ['--config', 'min.insync.replicas=2'] : [])]);
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    const r = await brook(['topics', '--bootstrap-server', cluster.bootstrap, '--describe', '--topic', topic, '--output', 'json']);
    const parts = (JSON.parse(r.stdout) as Array<{ partitions: Array<{ leader: number; replicas: number[]; isr: number[] }> }>)[0]?.partitions ?? [];
    if (parts.length > 0 && parts.every((p) => p.leader >= 0 && p.isr.length === p.replicas.length)) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`topic ${topic} did not get its leader and full ISR within 30 s`);
}

async function dropTopic(cluster: TestCluster, topic: string): Promise<void> {
  await brook(['topics', '--bootstrap-server', cluster.bootstrap, '--delete', '--topic', topic]);
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    const r = await brook(['topics', '--bootstrap-server', cluster.bootstrap, '--list']);
    if (!r.stdout.split('\n').includes(topic)) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`topic ${topic} was not deleted within 30 s`);
}

/**
 * Before measuring: every secured listener answers a client with its settings (a refused handshake or login fails
 * here within 30 s, with brook's message), and refuses a PLAINTEXT client, so a row cannot silently be plaintext.
 */
async function preflight(cluster: TestCluster): Promise<void> {
  for (const l of LISTENERS) {
    if (l === 'PLAINTEXT') continue;
    const config = clientConfig(cluster, l)!;
    try {
      await brook(['topics', '--bootstrap-server', cluster.bootstrapOf(l), '--command-config', config, '--list'], 30_000);
    } catch (e) {
      throw new Error(`the ${l} listener refused the bench client (${config}): ${(e as Error).message}`);
    }
    const plain = await brook(['topics', '--bootstrap-server', cluster.bootstrapOf(l), '--list'], 30_000).then(() => true, () => false);
    if (plain) throw new Error(`the ${l} listener (${cluster.bootstrapOf(l)}) accepted a PLAINTEXT client: it is not secured`);
  }
}

type Rows = Record<Listener, { throughput: Perf[]; latency: Perf[] }>;

async function measure(brokers: 1 | 3): Promise<{ rows: Rows; commands: Record<Listener, { throughput: string; latency: string }> }> {
  const rf = brokers;
  const acks = brokers === 1 ? '1' : '-1';
  const records = brokers === 1 ? RECORDS_1 : RECORDS_3;
  const cluster = await startCluster({
    brokers,
    security: { clientListeners: ['SSL', 'SASL_SSL'], interBrokerProtocol: 'SASL_SSL', mechanisms: ['PLAIN'] },
    overrides: { 'message.max.bytes': String(2 * MiB), 'socket.request.max.bytes': String(64 * MiB), 'replica.fetch.max.bytes': String(4 * MiB) },
  });
  const stop = (): void => { void cluster.teardown().then(() => process.exit(130)); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await preflight(cluster);
    const rows = Object.fromEntries(LISTENERS.map((l) => [l, { throughput: [] as Perf[], latency: [] as Perf[] }])) as Rows;
    const commands = {} as Record<Listener, { throughput: string; latency: string }>;
    const latTopics = new Map<Listener, string>();
    for (const l of LISTENERS) {
      latTopics.set(l, `bench-sec-lat-${l.toLowerCase()}`);
      await createTopic(cluster, latTopics.get(l)!, rf);
    }
    // One unmeasured run per listener first: the broker's JIT, its page cache and TLS session set-up warm up, so the
    // first listener measured does not pay for them.
    for (const l of LISTENERS) {
      const topic = `bench-sec-warm-${l.toLowerCase()}`;
      await createTopic(cluster, topic, rf);
      await producerPerf(cluster.bootstrapOf(l), clientConfig(cluster, l), topic, Math.ceil(records / 2), -1, [`acks=${acks}`, 'linger.ms=5', `batch.size=${MiB}`]);
      await dropTopic(cluster, topic);
    }
    for (let r = 0; r < RUNS; r++) {
      // The listener order rotates each repeat, so none is always first (or last) on a noisy machine.
      const order = LISTENERS.map((_x, i) => LISTENERS[(i + r) % LISTENERS.length]!);
      for (const l of order) {
        const bs = cluster.bootstrapOf(l);
        const config = clientConfig(cluster, l);
        const topic = `bench-sec-${l.toLowerCase()}-${r}`;
        await createTopic(cluster, topic, rf);
        process.stderr.write(`${brokers} broker(s), run ${r + 1}/${RUNS}, ${l}: ${records} x 1 KiB unthrottled, then ${LAT_RATE}/s for ${LAT_SECONDS} s\n`);
        const t = await producerPerf(bs, config, topic, records, -1, [`acks=${acks}`, 'linger.ms=5', `batch.size=${MiB}`]);
        await dropTopic(cluster, topic);
        const lat = await producerPerf(bs, config, latTopics.get(l)!, LAT_RATE * LAT_SECONDS, LAT_RATE, [`acks=${acks}`, 'linger.ms=0']);
        rows[l].throughput.push(t);
        rows[l].latency.push(lat);
        commands[l] = { throughput: t.command, latency: lat.command };
        process.stderr.write(`  ${t.recordsPerSec.toFixed(0)} records/s, ${t.mbPerSec.toFixed(1)} MB/s, p50 ${t.p50} ms, p99 ${t.p99} ms; at ${LAT_RATE}/s p50 ${lat.p50} ms, p99 ${lat.p99} ms\n`);
      }
    }
    return { rows, commands };
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    await cluster.teardown();
  }
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)] ?? NaN; };

/** Per-repeat ratios of a secured listener's records/s to PLAINTEXT's in the same repeat. */
export const ratios = (rows: Rows, l: Listener): number[] => rows[l].throughput.map((x, i) => x.recordsPerSec / (rows.PLAINTEXT.throughput[i]?.recordsPerSec ?? NaN));

function summary(rows: Rows) {
  return Object.fromEntries(LISTENERS.map((l) => [l, {
    recordsPerSec: rows[l].throughput.map((x) => x.recordsPerSec), mbPerSec: rows[l].throughput.map((x) => x.mbPerSec),
    p50Ms: rows[l].throughput.map((x) => x.p50), p99Ms: rows[l].throughput.map((x) => x.p99),
    fixedRateP50Ms: rows[l].latency.map((x) => x.p50), fixedRateP99Ms: rows[l].latency.map((x) => x.p99),
    ratioToPlaintext: ratios(rows, l),
  }]));
}

async function main(): Promise<void> {
  const one = await measure(1);
  const three = RF3 ? await measure(3) : null;
  const out = {
    runs: RUNS, recordSize: RECORD_SIZE, records1: RECORDS_1, records3: RECORDS_3, latencyRate: LAT_RATE, latencySeconds: LAT_SECONDS,
    saslMechanism: 'PLAIN', producer: 'brook producer-perf-test',
    single: summary(one.rows), singleCommands: one.commands,
    rf3: three ? summary(three.rows) : null, rf3Commands: three?.commands ?? null,
  };
  if (args.includes('--json')) { process.stdout.write(`${JSON.stringify(out)}\n`); return; }
  for (const [name, s] of [[`1 broker, RF 1, acks=1, ${RECORDS_1} records`, out.single], [`3 brokers, RF 3, acks=-1, inter-broker SASL_SSL, ${RECORDS_3} records`, out.rf3]] as const) {
    if (s === null) continue;
    process.stdout.write(`${name} of 1 KiB, ${RUNS} run(s), medians [min-max]\n`);
    for (const l of LISTENERS) {
      const x = s[l]!;
      const rng = (xs: number[], d: number) => `${median(xs).toFixed(d)} [${Math.min(...xs).toFixed(d)}-${Math.max(...xs).toFixed(d)}]`;
      process.stdout.write(`  ${l.padEnd(9)} ${rng(x.recordsPerSec, 0)} records/s, ${rng(x.mbPerSec, 1)} MB/s, p50 ${median(x.p50Ms)} ms, p99 ${median(x.p99Ms)} ms; at ${LAT_RATE}/s p50 ${median(x.fixedRateP50Ms)} ms, p99 ${median(x.fixedRateP99Ms)} ms; / PLAINTEXT ${rng(x.ratioToPlaintext, 2)}\n`);
    }
  }
}

if (require.main === module) {
  main().then(() => process.exit(0), (e: unknown) => {
    process.stderr.write(`bench/security.ts failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
