// `npm run bench`: the standard scenarios of the issues (produce, consume, latency, start-up, failover, storage,
// fetch sessions) each next to raw limits measured in the same run, repeated with medians and min-max, written to
// bench/results/<timestamp>.json plus a Markdown report with SVG charts, and summarised in a table.
// Usage: npm run bench [-- --quick] [-- --repeats N] [-- --only raw,produce,startup,controller,groups,storage,sessions,transactions,security,console,metrics]
import { runBrook, type BrookRun } from './lib/brook';
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startCluster, type TestCluster } from '../test/harness';
import { SUMMARY_LINE } from '../src/perf/stats';
import { rootLogger } from '../src/util/logger';
import { fileToTcpSource, fsyncRate, tcpToFileSink } from './lib/raw';
import { makeBatch, pipelined, procStats, produceFrame, rssSampler } from './lib/load';
import { renderReport, summaryTable } from './lib/report';
import { summarise, type BenchResults, type Goal, type Metric, type Scenario } from './lib/results';

// The harness logs through pino in this process; the run prints its own progress instead.
rootLogger.level = process.env.BROOK_LOG_LEVEL ?? 'silent';
const execFileP = promisify(execFile);
const ROOT = path.join(__dirname, '..');
const MiB = 1024 * 1024;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const REPEATS = args.includes('--repeats') ? Number(args[args.indexOf('--repeats') + 1]) : quick ? 1 : 3;
const ONLY = args.includes('--only') ? new Set(String(args[args.indexOf('--only') + 1]).split(',')) : null;
const want = (group: string): boolean => ONLY === null || ONLY.has(group);
const scale = (full: number, q: number): number => (quick ? q : full);
/** Bytes of one raw-limit run and of one pre-built-request run: the same amount, so the ratios compare like with like. */
const RAW_BYTES = scale(512, 128) * 1024 * 1024;

const started = Date.now();
let step = 0;

/** Clusters running right now, torn down on Ctrl-C as well as at the end of their part. */
const live = new Set<TestCluster>();
async function withCluster<T>(opts: Parameters<typeof startCluster>[0], fn: (c: TestCluster) => Promise<T>): Promise<T> {
  const c = await startCluster(opts);
  live.add(c);
  try {
    return await fn(c);
  } finally {
    await c.teardown();
    live.delete(c);
  }
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    process.stdout.write(`\n${sig}: stopping every broker and ZooKeeper this run started\n`);
    void Promise.allSettled([...live].map((c) => c.teardown())).then(() => process.exit(130));
  });
}
function progress(msg: string): void {
  const s = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${++step}. ${msg}\n`);
}

// ---- running tools ---------------------------------------------------------------------------------


/** Runs `node bin/brook ...`; throws with its output when it fails. */
function brook(argv: string[], timeoutMs = 300_000): Promise<BrookRun> {
  return runBrook(argv, timeoutMs);
}

/** Runs one of the older bench scripts in its own process with --json; returns its last JSON line. */
async function benchScript<T>(name: string, extra: string[], timeoutMs = 600_000): Promise<T> {
  const tsNode = path.join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js');
  const { stdout } = await execFileP(process.execPath, [tsNode, '--transpile-only', path.join(ROOT, 'bench', `${name}.ts`), '--json', ...extra], { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 * MiB, env: { ...process.env, BROOK_LOG_LEVEL: 'silent' } });
  const text = stdout.trim();
  // Some scripts print one line, some pretty-print one object: take from the last line starting an object.
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]!.startsWith('{')) return JSON.parse(lines.slice(i).join('\n')) as T;
  }
  throw new Error(`bench/${name}.ts printed no JSON: ${text.slice(-500)}`);
}

interface PerfRun { recordsPerSec: number; mbPerSec: number; avgMs: number; p50: number; p95: number; p99: number; p999: number; curve: Array<{ p: number; ms: number }> }

async function producerPerf(bootstrap: string, topic: string, records: number, size: number, throughput: number, props: string[]): Promise<PerfRun & { command: string }> {
  const jsonOut = path.join(os.tmpdir(), `brook-bench-perf-${process.pid}.json`);
  const argv = ['producer-perf-test', '--bootstrap-server', bootstrap, '--topic', topic, '--num-records', String(records), '--record-size', String(size), '--throughput', String(throughput), '--producer-props', ...props];
  const r = await brook([...argv, '--json-out', jsonOut]);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  const m = SUMMARY_LINE.exec(last);
  if (!m) throw new Error(`producer-perf-test final line does not parse: ${last}`);
  const j = JSON.parse(fs.readFileSync(jsonOut, 'utf8')) as { latencyCurve: Array<{ p: number; ms: number }>; avgLatencyMs: number };
  fs.rmSync(jsonOut, { force: true });
  if (Number(m[1]) !== records) throw new Error(`producer-perf-test sent ${m[1]} of ${records}`);
  return { recordsPerSec: Number(m[2]), mbPerSec: Number(m[3]), avgMs: j.avgLatencyMs, p50: Number(m[6]), p95: Number(m[7]), p99: Number(m[8]), p999: Number(m[9]), curve: j.latencyCurve, command: `brook ${argv.join(' ')}` };
}

/** Kafka's consumer-perf-test CSV line: start, end, MB, MB.sec, nMsg, nMsg.sec, rebalance ms, fetch ms, fetch MB.sec, fetch nMsg.sec. */
const CONSUMER_LINE = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}), (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}), (-?\d+\.\d{4}), (-?\d+\.\d{4}), (\d+), (-?\d+\.\d{4}), (-?\d+), (-?\d+), (-?\d+\.\d{4}), (-?\d+\.\d{4})$/;

async function consumerPerf(bootstrap: string, topic: string, messages: number, group: string): Promise<{ mbPerSec: number; msgPerSec: number; fetchMbPerSec: number; command: string }> {
  const argv = ['consumer-perf-test', '--bootstrap-server', bootstrap, '--topic', topic, '--messages', String(messages), '--group', group];
  const r = await brook(argv);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  const m = CONSUMER_LINE.exec(line);
  if (!m) throw new Error(`consumer-perf-test line does not parse: ${line}`);
  if (Number(m[5]) < messages) throw new Error(`consumer-perf-test read ${m[5]} of ${messages}`);
  return { mbPerSec: Number(m[4]), msgPerSec: Number(m[6]), fetchMbPerSec: Number(m[9]), command: `brook ${argv.join(' ')}` };
}

async function e2eLatency(bootstrap: string, topic: string, n: number, acks: string, size: number): Promise<{ avg: number; p50: number; p99: number; p999: number; command: string }> {
  const argv = ['e2e-latency', bootstrap, topic, String(n), acks, String(size)];
  const r = await brook(argv);
  const avg = /^Avg latency: (\d+\.\d{4}) ms$/m.exec(r.stdout);
  const pc = /^Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)$/m.exec(r.stdout);
  if (!avg || !pc) throw new Error(`e2e-latency output does not parse: ${r.stdout.slice(-300)}`);
  return { avg: Number(avg[1]), p50: Number(pc[1]), p99: Number(pc[2]), p999: Number(pc[3]), command: `brook ${argv.join(' ')}` };
}

/** kcat (librdkafka) producing `n` 100-byte lines from a file; records/s. */
async function kcatProduce(bootstrap: string, topic: string, file: string, n: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  await execFileP('kcat', ['-P', '-b', bootstrap, '-t', topic, '-p', '0', '-X', 'acks=1', '-X', 'linger.ms=5', '-X', 'batch.num.messages=10000', '-l', file], { timeout: 300_000 });
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** kcat reading a whole partition; records/s. */
async function kcatConsume(bootstrap: string, topic: string, n: number, allPartitions = false, extra: string[] = []): Promise<number> {
  const t0 = process.hrtime.bigint();
  const partition = allPartitions ? [] : ['-p', '0'];
  const { stdout } = await execFileP('kcat', ['-C', ...extra, '-b', bootstrap, '-t', topic, ...partition, '-o', 'beginning', '-e', '-q', '-f', '.'], { timeout: 300_000, maxBuffer: 256 * MiB });
  if (stdout.length < n) throw new Error(`kcat read ${stdout.length} of ${n}`);
  return stdout.length / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** `brook topics --describe --output json` of one topic: its partitions with leader, replicas and ISR. */
async function describeTopic(bootstrap: string, topic: string): Promise<Array<{ leader: number; replicas: number[]; isr: number[] }>> {
  const r = await brook(['topics', '--bootstrap-server', bootstrap, '--describe', '--topic', topic, '--output', 'json']);
  return (JSON.parse(r.stdout) as Array<{ partitions: Array<{ leader: number; replicas: number[]; isr: number[] }> }>)[0]?.partitions ?? [];
}

async function createTopic(bootstrap: string, topic: string, partitions: number, rf: number, configs: string[] = []): Promise<void> {
  await brook(['topics', '--bootstrap-server', bootstrap, '--create', '--topic', topic, '--partitions', String(partitions), '--replication-factor', String(rf), ...configs.flatMap((c) => ['--config', c])]);
  // Wait until the leader (and for RF > 1 the whole ISR) is in place before measuring.
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    const parts = await describeTopic(bootstrap, topic);
    if (parts.length > 0 && parts.every((p) => p.leader >= 0 && p.isr.length === p.replicas.length)) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`topic ${topic} did not get its leaders and full ISR within 30 s`);
}

/**
 * Deletes a topic after a measurement and waits until it is gone, so the next repetition does not pay for the
 * previous one's dirty pages being written back (the raw probes delete their files too).
 */
async function dropTopic(bootstrap: string, topic: string): Promise<void> {
  await brook(['topics', '--bootstrap-server', bootstrap, '--delete', '--topic', topic]);
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    const r = await brook(['topics', '--bootstrap-server', bootstrap, '--list']);
    if (!r.stdout.split('\n').includes(topic)) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`topic ${topic} was not deleted within 30 s`);
}

async function leaderOf(cluster: TestCluster, topic: string): Promise<{ host: string; port: number; pid: number }> {
  const leader = (await describeTopic(cluster.bootstrap, topic))[0]!.leader;
  const b = cluster.broker(leader);
  return { host: b.host, port: b.port, pid: b.pid };
}

// ---- results -----------------------------------------------------------------------------------------

const results: BenchResults = {
  version: 1,
  startedAt: new Date(started).toISOString(),
  finishedAt: '',
  durationS: 0,
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memGiB: Math.round(os.totalmem() / 1024 ** 3), node: process.version, os: `${os.type()} ${os.release()}` },
  repeats: REPEATS,
  raw: {},
  scenarios: [],
};

function goal(text: string, metric: string, op: '<=' | '>=', target: number, source: string, value: number): Goal & { met: boolean; value: number } {
  return { text, metric, op, target, source, value, met: Number.isFinite(value) && (op === '<=' ? value <= target : value >= target) };
}

function addScenario(s: Scenario): void {
  results.scenarios.push(s);
}

const m = summarise;
/** The run whose p99 is the median one (lower middle), to draw its latency curve. */
const medianRunByP99 = <T extends { p99: number }>(runs: T[]): T => [...runs].sort((a, b) => a.p99 - b.p99)[Math.floor((runs.length - 1) / 2)]!;

// ---- scenarios -----------------------------------------------------------------------------------------

async function rawLimits(): Promise<void> {
  const sink: number[] = [];
  const source: number[] = [];
  const fsyncs: number[] = [];
  const bytes = RAW_BYTES;
  for (let r = 0; r < REPEATS; r++) {
    progress(`raw limits, run ${r + 1}/${REPEATS}: TCP-to-file sink, file-to-TCP source, fsync rate`);
    sink.push(await tcpToFileSink(bytes, MiB));
    source.push(await fileToTcpSource(bytes));
    fsyncs.push(await fsyncRate(scale(1500, 500)));
  }
  results.raw.tcpToFile = { ...m(sink, 'MB/s'), title: `TCP-to-file sink (${bytes / MiB} MiB over loopback into a file, 1 MiB writes)` };
  results.raw.fileToTcp = { ...m(source, 'MB/s'), title: `file-to-TCP source (${bytes / MiB} MiB from the page cache to a loopback socket)` };
  results.raw.fsync = { ...m(fsyncs, 'fsync/s'), title: '4 KiB append + fdatasync per second' };
}

async function singleBroker(): Promise<number> {
  progress('starting ZooKeeper and 1 broker');
  return withCluster({ brokers: 1, overrides: { 'group.initial.rebalance.delay.ms': '0', 'message.max.bytes': String(2 * MiB), 'socket.request.max.bytes': String(64 * MiB) } }, async (cluster) => {
  const bs = cluster.bootstrap;
  let prebuiltMedian = NaN;
  {
    await createTopic(bs, 'bench-1k', 1, 1);
    await createTopic(bs, 'bench-100', 1, 1);
    await createTopic(bs, 'bench-kcat', 1, 1);
    const sinkMedian = results.raw.tcpToFile?.median ?? NaN;

    // 1. Pre-built 1 MiB requests of 1 KiB records (the #6 measurement: no client cost at all), the same bytes
    //    as the raw sink, each repetition on a fresh topic deleted afterwards.
    const total = RAW_BYTES;
    const pre: number[] = [];
    const cpuPerGb: number[] = [];
    let rssMax = 0;
    for (let r = 0; r < REPEATS; r++) {
      const topic = `bench-pre-${r}`;
      await createTopic(bs, topic, 1, 1);
      const leader = await leaderOf(cluster, topic);
      const frames = Array.from({ length: 4 }, (_x, i) => produceFrame(topic, makeBatch(1000, 1000), 1, i));
      const count = Math.ceil(total / frames[0]!.length);
      progress(`1 broker, RF 1, acks=1: pre-built 1 MiB requests of 1 KiB records, run ${r + 1}/${REPEATS}`);
      const before = procStats(leader.pid);
      const sampler = rssSampler(leader.pid);
      const secs = await pipelined(leader.host, leader.port, frames, count, 2, 4);
      rssMax = Math.max(rssMax, sampler.stop());
      const after = procStats(leader.pid);
      const sent = count * frames[0]!.length;
      pre.push(sent / MiB / secs);
      cpuPerGb.push((after.cpuSecs - before.cpuSecs) / (sent / 1024 ** 3));
      await dropTopic(bs, topic);
    }
    prebuiltMedian = m(pre, 'MB/s').median;
    addScenario({
      id: 'produce-rf1-acks1-1k-prebuilt', title: 'Produce, 1 broker, RF 1, acks=1, pre-built 1 MiB requests of 1 KiB records', kind: 'produce',
      metrics: { 'MB/s': m(pre, 'MB/s'), 'broker CPU s/GB': m(cpuPerGb, 's/GB'), 'broker RSS under load': m([rssMax], 'MB') },
      vsRaw: { metric: 'MB/s', rawKey: 'tcpToFile', ratio: prebuiltMedian / sinkMedian },
      goals: [
        goal('at least 0.7 of the raw TCP-to-file sink', 'ratio', '>=', 0.7, '#6', prebuiltMedian / sinkMedian),
        goal('resident memory under load below 250 MB', 'broker RSS under load', '<=', 250, '#6', rssMax),
      ],
      command: 'npm run bench (bench/lib/load.ts: 2 connections x 4 requests in flight; a fresh topic per repetition, deleted after it)',
    });

    // 2. brook producer-perf-test, 1 KiB and 100 B records.
    const props = ['acks=1', 'linger.ms=5', `batch.size=${MiB}`];
    for (const [size, n, topic] of [[1024, scale(400_000, 100_000), 'bench-1k'], [100, scale(3_000_000, 500_000), 'bench-100']] as const) {
      const runs: Array<PerfRun & { command: string }> = [];
      for (let r = 0; r < REPEATS; r++) {
        progress(`1 broker, RF 1, acks=1: brook producer-perf-test, ${size} B records, run ${r + 1}/${REPEATS}`);
        // The last repetition's topic is kept: the consumer benchmark reads it.
        const t = r === REPEATS - 1 ? topic : `${topic}-${r}`;
        if (t !== topic) await createTopic(bs, t, 1, 1);
        runs.push(await producerPerf(bs, t, n, size, -1, props));
        if (t !== topic) await dropTopic(bs, t);
      }
      const mb = m(runs.map((x) => x.mbPerSec), 'MB/s');
      addScenario({
        id: `produce-rf1-acks1-${size}b`, title: `Produce, 1 broker, RF 1, acks=1, ${size} B records (brook producer-perf-test)`, kind: 'produce',
        metrics: { 'MB/s': mb, 'records/s': m(runs.map((x) => x.recordsPerSec), 'records/s'), 'p99 ms': m(runs.map((x) => x.p99), 'ms') },
        vsRaw: { metric: 'MB/s', rawKey: 'tcpToFile', ratio: mb.median / sinkMedian },
        command: runs[0]!.command,
        notes: 'Unthrottled: latency is queueing in the producer (buffer.memory 32 MiB), as with Kafka\'s tool.',
      });
    }

    // 3. kcat as producer and consumer of 100-byte records, for comparison with Brook's own tool.
    const kn = scale(2_000_000, 300_000);
    const file = path.join(os.tmpdir(), `brook-bench-kcat-${process.pid}.txt`);
    fs.writeFileSync(file, `${'x'.repeat(99)}\n`.repeat(kn));
    const kp: number[] = [];
    const kc: number[] = [];
    try {
      for (let r = 0; r < REPEATS; r++) {
        progress(`1 broker: kcat producing ${kn.toLocaleString('en-US')} x 100 B records, then consuming them, run ${r + 1}/${REPEATS}`);
        kp.push(await kcatProduce(bs, 'bench-kcat', file, kn));
        kc.push(await kcatConsume(bs, 'bench-kcat', kn));
      }
    } finally {
      fs.rmSync(file, { force: true });
    }
    addScenario({
      id: 'kcat-produce-100b', title: 'kcat (librdkafka) producing 100 B records, acks=1', kind: 'produce',
      metrics: { 'records/s': m(kp, 'records/s'), 'MB/s': m(kp.map((x) => (x * 100) / MiB), 'MB/s') },
      command: `kcat -P -b ${bs} -t bench-kcat -p 0 -X acks=1 -X linger.ms=5 -X batch.num.messages=10000 -l <file of ${kn} lines>`,
    });
    addScenario({
      id: 'kcat-consume-100b', title: 'kcat (librdkafka) consuming 100 B records', kind: 'consume',
      metrics: { 'records/s': m(kc, 'records/s'), 'MB/s': m(kc.map((x) => (x * 100) / MiB), 'MB/s') },
      command: `kcat -C -b ${bs} -t bench-kcat -p 0 -o beginning -e -q`,
    });

    // 4. Consumer throughput with brook consumer-perf-test (a group consumer, as Kafka's tool).
    const cn = scale(400_000, 100_000);
    const cons: Array<{ mbPerSec: number; msgPerSec: number; fetchMbPerSec: number; command: string }> = [];
    for (let r = 0; r < REPEATS; r++) {
      progress(`1 broker: brook consumer-perf-test reading ${cn.toLocaleString('en-US')} x 1 KiB records, run ${r + 1}/${REPEATS}`);
      cons.push(await consumerPerf(bs, 'bench-1k', cn, `bench-consumer-${r}-${process.pid}`));
    }
    const cmb = m(cons.map((x) => x.mbPerSec), 'MB/s');
    addScenario({
      id: 'consume-rf1-1k', title: 'Consume, 1 broker, 1 KiB records (brook consumer-perf-test, group consumer)', kind: 'consume',
      metrics: { 'MB/s': cmb, 'records/s': m(cons.map((x) => x.msgPerSec), 'records/s'), 'fetch MB/s': m(cons.map((x) => x.fetchMbPerSec), 'MB/s') },
      vsRaw: { metric: 'MB/s', rawKey: 'fileToTcp', ratio: cmb.median / (results.raw.fileToTcp?.median ?? NaN) },
      command: cons[0]!.command,
      notes: 'MB/s includes joining the group (group.initial.rebalance.delay.ms=0, as in Kafka\'s sample server.properties); fetch MB/s excludes it (Kafka\'s columns).',
    });

    // 5. End-to-end latency: one message at a time, produce then consume.
    const en = scale(2000, 500);
    const e2e: Array<{ avg: number; p50: number; p99: number; p999: number; command: string }> = [];
    for (let r = 0; r < REPEATS; r++) {
      progress(`1 broker: brook e2e-latency, ${en} messages of 100 B one at a time, run ${r + 1}/${REPEATS}`);
      await createTopic(bs, `bench-e2e-${r}`, 1, 1);
      e2e.push(await e2eLatency(bs, `bench-e2e-${r}`, en, '1', 100));
    }
    const mid = medianRunByP99(e2e);
    addScenario({
      id: 'e2e-latency-rf1', title: 'End-to-end latency, 1 broker, acks=1, 100 B (brook e2e-latency)', kind: 'latency',
      metrics: { 'avg ms': m(e2e.map((x) => x.avg), 'ms'), 'p50 ms': m(e2e.map((x) => x.p50), 'ms'), 'p99 ms': m(e2e.map((x) => x.p99), 'ms'), 'p99.9 ms': m(e2e.map((x) => x.p999), 'ms') },
      latencyCurve: [{ p: 50, ms: mid.p50 }, { p: 99, ms: mid.p99 }, { p: 99.9, ms: mid.p999 }],
      command: e2e[0]!.command,
      notes: 'Kafka\'s tool prints whole milliseconds for the percentiles.',
    });
  }
  return prebuiltMedian;
  });
}

async function threeBrokers(singleMedian: number): Promise<void> {
  progress('starting ZooKeeper and 3 brokers');
  await withCluster({ brokers: 3, overrides: { 'group.initial.rebalance.delay.ms': '0', 'message.max.bytes': String(2 * MiB), 'socket.request.max.bytes': String(64 * MiB), 'replica.fetch.max.bytes': String(4 * MiB) } }, async (cluster) => {
  const bs = cluster.bootstrap;
  {
    await createTopic(bs, 'bench-r3-lat', 1, 3, ['min.insync.replicas=2']);
    const pre: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const topic = `bench-r3-${r}`;
      await createTopic(bs, topic, 1, 3, ['min.insync.replicas=2']);
      const leader = await leaderOf(cluster, topic);
      const frames = Array.from({ length: 4 }, (_x, i) => produceFrame(topic, makeBatch(1000, 1000), -1, i));
      const count = Math.ceil(RAW_BYTES / 2 / frames[0]!.length);
      progress(`3 brokers, RF 3, acks=-1: pre-built 1 MiB requests of 1 KiB records, run ${r + 1}/${REPEATS}`);
      pre.push((count * frames[0]!.length) / MiB / (await pipelined(leader.host, leader.port, frames, count, 2, 4)));
      await dropTopic(bs, topic);
    }
    const pm = m(pre, 'MB/s');
    addScenario({
      id: 'produce-rf3-acksall-1k-prebuilt', title: 'Produce, 3 brokers, RF 3, acks=-1, pre-built 1 MiB requests of 1 KiB records', kind: 'produce',
      metrics: { 'MB/s': pm, 'share of 1-broker RF 1': m(pre.map((x) => x / singleMedian), '') },
      vsRaw: { metric: 'MB/s', rawKey: 'tcpToFile', ratio: pm.median / (results.raw.tcpToFile?.median ?? NaN) },
      goals: [
        goal('at least 0.3 of the single-broker RF 1 figure', 'share of 1-broker RF 1', '>=', 0.3, '#6', pm.median / singleMedian),
        goal('at least 0.35 of the single-broker RF 1 figure', 'share of 1-broker RF 1', '>=', 0.35, '#20', pm.median / singleMedian),
      ],
      command: 'npm run bench (bench/lib/load.ts: 2 connections x 4 requests in flight, min.insync.replicas=2)',
    });

    // Plain and idempotent producers alternate run by run, so both see the same machine noise.
    const runs: PerfRun[] = [];
    const idem: PerfRun[] = [];
    let command = '';
    let idemCommand = '';
    const perfProps = ['acks=-1', 'linger.ms=5', `batch.size=${MiB}`];
    for (let r = 0; r < REPEATS; r++) {
      for (const idempotent of [false, true]) {
        progress(`3 brokers, RF 3, acks=-1: brook producer-perf-test, 1 KiB records${idempotent ? ', enable.idempotence=true' : ''}, run ${r + 1}/${REPEATS}`);
        const topic = `bench-r3-perf-${r}${idempotent ? '-idem' : ''}`;
        await createTopic(bs, topic, 1, 3, ['min.insync.replicas=2']);
        const x = await producerPerf(bs, topic, scale(200_000, 50_000), 1024, -1, idempotent ? [...perfProps, 'enable.idempotence=true'] : perfProps);
        await dropTopic(bs, topic);
        (idempotent ? idem : runs).push(x);
        if (idempotent) idemCommand = x.command;
        else command = x.command;
      }
    }
    addScenario({
      id: 'produce-rf3-acksall-1k', title: 'Produce, 3 brokers, RF 3, acks=-1, 1 KiB records (brook producer-perf-test)', kind: 'produce',
      metrics: { 'MB/s': m(runs.map((x) => x.mbPerSec), 'MB/s'), 'records/s': m(runs.map((x) => x.recordsPerSec), 'records/s'), 'p99 ms': m(runs.map((x) => x.p99), 'ms') },
      command,
    });
    const idemShare = runs.map((x, i) => (idem[i]?.mbPerSec ?? NaN) / x.mbPerSec);
    addScenario({
      id: 'produce-rf3-acksall-1k-idempotent', title: 'Idempotent produce, 3 brokers, RF 3, acks=-1, 1 KiB records (brook producer-perf-test, enable.idempotence=true)', kind: 'produce',
      metrics: {
        'MB/s': m(idem.map((x) => x.mbPerSec), 'MB/s'),
        'records/s': m(idem.map((x) => x.recordsPerSec), 'records/s'),
        'p99 ms': m(idem.map((x) => x.p99), 'ms'),
        'share of plain': m(idemShare, ''),
      },
      goals: [goal('idempotence costs at most 10% of the plain throughput', 'share of plain', '>=', 0.9, '#14', m(idemShare, '').median)],
      command: idemCommand,
      notes: 'Runs alternate with the plain runs above (same topic settings); "share of plain" is idempotent MB/s over the plain run of the same repeat.',
    });

    // kcat consuming an RF 3 topic of 6 partitions (leaders on all three brokers), next to the file-to-TCP limit.
    {
      const kn = scale(2_000_000, 300_000);
      const file = path.join(os.tmpdir(), `brook-bench-kcat3-${process.pid}.txt`);
      fs.writeFileSync(file, `${'x'.repeat(99)}\n`.repeat(kn));
      const kc: number[] = [];
      const kq: number[] = [];
      const bigQueue = ['-X', 'queued.min.messages=10000000'];
      try {
        await createTopic(bs, 'bench-r3-kcat', 6, 3, ['min.insync.replicas=2']);
        progress(`3 brokers, RF 3: kcat producing ${kn.toLocaleString('en-US')} x 100 B records over 6 partitions`);
        await execFileP('kcat', ['-P', '-b', bs, '-t', 'bench-r3-kcat', '-X', 'acks=-1', '-X', 'linger.ms=5', '-X', 'batch.num.messages=10000', '-l', file], { timeout: 300_000 });
        for (let r = 0; r < REPEATS; r++) {
          progress(`3 brokers, RF 3, 6 partitions: kcat consuming every partition, run ${r + 1}/${REPEATS}`);
          kc.push(await kcatConsume(bs, 'bench-r3-kcat', kn, true));
          kq.push(await kcatConsume(bs, 'bench-r3-kcat', kn, true, bigQueue));
        }
      } finally {
        fs.rmSync(file, { force: true });
      }
      const kmb = m(kc.map((x) => (x * 100) / MiB), 'MB/s');
      addScenario({
        id: 'kcat-consume-rf3-6p-100b', title: 'kcat (librdkafka) consuming 100 B records from 3 brokers (RF 3, 6 partitions)', kind: 'consume',
        metrics: { 'records/s': m(kc, 'records/s'), 'MB/s': kmb, 'MB/s, queued.min.messages=10M': m(kq.map((x) => (x * 100) / MiB), 'MB/s') },
        vsRaw: { metric: 'MB/s', rawKey: 'fileToTcp', ratio: kmb.median / (results.raw.fileToTcp?.median ?? NaN) },
        command: `kcat -C -b ${bs} -t bench-r3-kcat -o beginning -e -q -f . (after kcat -P -X acks=-1 of ${kn} lines)`,
        notes: 'Issue #20 compares this row with Kafka 2.4.1 (54-70 MB/s side by side on this machine; goal at least 1.3x); Kafka is not run here, so no met/missed mark. With librdkafka 2.0\'s defaults the brokers idle (under 0.1 CPU-s each per run): its fetcher stops a partition for a back-off whenever more than queued.min.messages (100,000) wait in its queue, which three fast leaders fill faster than kcat drains; the second figure raises that limit. Both include the final 500 ms long poll (fetch.wait.max.ms) before the end of partition is reported, which bounds the --quick size (300,000 records, 29 MB) near 45 MB/s.',
      });
    }

    const lat: PerfRun[] = [];
    const seconds = scale(10, 4);
    for (let r = 0; r < REPEATS; r++) {
      progress(`3 brokers, RF 3, acks=-1: latency at a fixed 5,000 x 1 KiB records/s for ${seconds} s, run ${r + 1}/${REPEATS}`);
      const x = await producerPerf(bs, 'bench-r3-lat', 5000 * seconds, 1024, 5000, ['acks=-1', 'linger.ms=0']);
      lat.push(x);
      command = x.command;
    }
    addScenario({
      id: 'latency-rf3-acksall-5k', title: 'Produce latency, 3 brokers, RF 3, acks=-1, fixed 5,000 x 1 KiB records/s', kind: 'latency',
      metrics: { 'p50 ms': m(lat.map((x) => x.p50), 'ms'), 'p99 ms': m(lat.map((x) => x.p99), 'ms'), 'p99.9 ms': m(lat.map((x) => x.p999), 'ms'), 'avg ms': m(lat.map((x) => x.avgMs), 'ms') },
      latencyCurve: medianRunByP99(lat).curve,
      command,
      notes: 'Latency per record from send to acknowledgement, as Kafka\'s tool measures it (percentiles in whole ms).',
    });

    // Issue #20's row: the same rate with linger 5 ms, after a short warm-up run on the topic (not counted).
    await producerPerf(bs, 'bench-r3-lat', 5000, 1024, 5000, ['acks=-1', 'linger.ms=5']);
    const lat5: PerfRun[] = [];
    for (let r = 0; r < REPEATS; r++) {
      progress(`3 brokers, RF 3, acks=-1, linger 5 ms: latency at a fixed 5,000 x 1 KiB records/s for ${seconds} s, run ${r + 1}/${REPEATS}`);
      const x = await producerPerf(bs, 'bench-r3-lat', 5000 * seconds, 1024, 5000, ['acks=-1', 'linger.ms=5']);
      lat5.push(x);
      command = x.command;
    }
    const p99 = m(lat5.map((x) => x.p99), 'ms');
    const p999 = m(lat5.map((x) => x.p999), 'ms');
    addScenario({
      id: 'latency-rf3-acksall-5k-linger5', title: 'Produce latency, 3 brokers, RF 3, acks=all, linger 5 ms, fixed 5,000 x 1 KiB records/s', kind: 'latency',
      metrics: { 'p50 ms': m(lat5.map((x) => x.p50), 'ms'), 'p99 ms': p99, 'p99.9 ms': p999, 'avg ms': m(lat5.map((x) => x.avgMs), 'ms') },
      latencyCurve: medianRunByP99(lat5).curve,
      goals: [
        goal('p99 at most 10 ms', 'p99 ms', '<=', 10, '#20', p99.median),
        goal('p99.9 at most 20 ms', 'p99.9 ms', '<=', 20, '#20', p999.median),
      ],
      command,
      notes: 'Bounded below by the linger (5 ms) plus one follower fetch round trip; a 1 s warm-up run precedes the measured runs.',
    });
  }
  });
}

async function startupScenario(): Promise<void> {
  progress(`broker start-up time and idle memory (${scale(5, 3)} starts)`);
  const r = await benchScript<{ spawnToReadyMsMedian: number; spawnToReadyMsMin: number; spawnToReadyMsMax: number; afterZkConnectMsMedian: number; afterZkConnectMsMin: number; afterZkConnectMsMax: number; spawnToMetadataMsMedian: number; spawnToMetadataMsMin: number; spawnToMetadataMsMax: number; idleRssMbMedian: number; idleRssMbMin: number; idleRssMbMax: number; idleAnonMbMedian: number; idleAnonMbMin: number; idleAnonMbMax: number; bareNodeSpawnToListeningMsMedian: number; bareNodeSpawnToListeningMsMin: number; bareNodeSpawnToListeningMsMax: number; bareNodeIdleRssMbMedian: number; bareNodeIdleRssMbMin: number; bareNodeIdleRssMbMax: number; runs: number }>('startup', ['--runs', String(scale(5, 3))]);
  const metric = (median: number, min: number, max: number, unit: string): Metric => ({ unit, median, min, max, samples: [] });
  addScenario({
    id: 'startup', title: 'Broker start-up and idle memory', kind: 'startup',
    metrics: {
      'after ZooKeeper connection': metric(r.afterZkConnectMsMedian, r.afterZkConnectMsMin, r.afterZkConnectMsMax, 'ms'),
      'spawn to ready': metric(r.spawnToReadyMsMedian, r.spawnToReadyMsMin, r.spawnToReadyMsMax, 'ms'),
      'spawn to serving metadata': metric(r.spawnToMetadataMsMedian, r.spawnToMetadataMsMin, r.spawnToMetadataMsMax, 'ms'),
      'idle RSS': metric(r.idleRssMbMedian, r.idleRssMbMin, r.idleRssMbMax, 'MB'),
      'idle RSS, the broker\'s own (RssAnon)': metric(r.idleAnonMbMedian, r.idleAnonMbMin, r.idleAnonMbMax, 'MB'),
      'raw: bare node, spawn to listening': metric(r.bareNodeSpawnToListeningMsMedian, r.bareNodeSpawnToListeningMsMin, r.bareNodeSpawnToListeningMsMax, 'ms'),
      'raw: bare node, idle RSS': metric(r.bareNodeIdleRssMbMedian, r.bareNodeIdleRssMbMin, r.bareNodeIdleRssMbMax, 'MB'),
    },
    goals: [
      goal('ready under 0.5 s after the ZooKeeper connection', 'after ZooKeeper connection', '<=', 500, '#2', r.afterZkConnectMsMedian),
      goal('idle resident memory under 80 MB', 'idle RSS', '<=', 80, '#2', r.idleRssMbMedian),
      goal('process spawn to serving metadata within 0.2 s', 'spawn to serving metadata', '<=', 200, '#20', r.spawnToMetadataMsMedian),
      goal('idle resident memory at most 50 MB', 'idle RSS', '<=', 50, '#20', r.idleRssMbMedian),
    ],
    command: `ts-node bench/startup.ts --runs ${r.runs}`,
    notes: 'Spawn to ready includes starting Node itself and the ZooKeeper session handshake. The raw rows are the floor under both #20 goals, measured in the same run: a bare Node process that only listens on a port. Most of a Node process\'s RSS is the node binary\'s own pages (RssFile, shared by every Node process on the machine); the broker\'s own memory is its RssAnon.',
  });
}

async function controllerScenario(): Promise<void> {
  const runs = quick ? 1 : REPEATS;
  progress(`controller: 1,000-partition topic creation, leader and controller failover (${runs} run(s) on fresh clusters)`);
  const r = await benchScript<{ samples: Array<{ createMs: number; leaderFailoverMs: number; controllerFailoverMs: number }>; partitions: number }>('controller', ['--runs', String(runs), '--partitions', '1000']);
  const create = m(r.samples.map((x) => x.createMs), 'ms');
  const lf = m(r.samples.map((x) => x.leaderFailoverMs), 'ms');
  addScenario({
    id: 'controller-1000', title: 'Controller, 1,000 partitions RF 3 on 3 brokers', kind: 'failover',
    metrics: { 'create until all leaders known': create, 'leader failover (after znode gone)': lf, 'controller failover': m(r.samples.map((x) => x.controllerFailoverMs), 'ms') },
    goals: [
      goal('1,000-partition topic with leaders everywhere under 5 s', 'create until all leaders known', '<=', 5000, '#5', create.median),
      goal('leaders moved off a killed broker under 2 s', 'leader failover (after znode gone)', '<=', 2000, '#5', lf.median),
    ],
    command: `ts-node bench/controller.ts --runs ${runs} --partitions 1000`,
  });
}

async function groupsScenario(): Promise<void> {
  const runs = quick ? 1 : REPEATS;
  progress(`consumer groups: 10 members to Stable, offset commits, coordinator failover (${runs} run(s))`);
  const r = await benchScript<{ samples: Array<{ stableMs: number; commitRequestsPerSec: number; failoverMs: number | null }> }>('groups', ['--runs', String(runs)]);
  const stable = m(r.samples.map((x) => x.stableMs), 'ms');
  addScenario({
    id: 'groups', title: 'Group coordinator, 10 consumers on a 100-partition topic, 3 brokers', kind: 'failover',
    metrics: {
      'Stable after last join': stable,
      'OffsetCommit requests/s': m(r.samples.map((x) => x.commitRequestsPerSec), 'req/s'),
      'coordinator failover': m(r.samples.map((x) => x.failoverMs).filter((x): x is number => x !== null), 'ms'),
    },
    goals: [goal('Stable under 1 s after the last join (initial delay 0)', 'Stable after last join', '<=', 1000, '#7', stable.median)],
    command: `ts-node bench/groups.ts --runs ${runs}`,
  });
}

async function metricsScenario(): Promise<void> {
  progress('metrics endpoint: /metrics latency and broker CPU at one scrape per 5 s with 1,000 partitions (bench/metrics.ts)');
  const r = await benchScript<{ latencyMsMedian: number; latencyMsP99: number; latencyMsMax: number; cpuMsPerScrape: number; derivedCpuPctAt5s: number; measuredCpuPctAt5s: number; seriesLines: number }>('metrics', ['--scrapes', String(scale(100, 30)), '--window-s', String(scale(60, 20))]);
  const one = (v: number, unit: string): Metric => ({ unit, median: v, min: v, max: v, samples: [v] });
  addScenario({
    id: 'metrics-1000', title: `Metrics endpoint, 1 broker, 1,000 partitions (${r.seriesLines} series)`, kind: 'other',
    metrics: {
      '/metrics latency': { ...one(r.latencyMsMedian, 'ms'), min: r.latencyMsMedian, max: r.latencyMsMax },
      '/metrics latency p99': one(r.latencyMsP99, 'ms'),
      'broker CPU per scrape': one(r.cpuMsPerScrape, 'ms'),
      'broker CPU at 1 scrape / 5 s': one(r.derivedCpuPctAt5s, '%'),
      'broker CPU at 1 scrape / 5 s, measured window': one(r.measuredCpuPctAt5s, '%'),
    },
    goals: [
      goal('/metrics answers under 50 ms with 1,000 partitions', '/metrics latency', '<=', 50, '#18', r.latencyMsMedian),
      goal('under 1% broker CPU at one scrape per 5 s', 'broker CPU at 1 scrape / 5 s', '<=', 1, '#18', r.derivedCpuPctAt5s),
    ],
    command: `ts-node bench/metrics.ts --scrapes ${scale(100, 30)} --window-s ${scale(60, 20)}`,
    notes: 'CPU per scrape: broker CPU time over back-to-back scrapes less its idle CPU over the same wall time; the measured window compares 5 s scrapes with an idle window (10 ms tick resolution, noisy on a shared machine).',
  });
}

async function storageScenario(): Promise<void> {
  progress('log storage: appends against raw writes, recovery, start-up with 1,000 partitions (bench/log.ts)');
  const r = await benchScript<Record<string, number | number[]>>('log', quick ? ['--quick'] : []);
  const runs = (k: string): number[] => (r[`${k}_runs`] as number[] | undefined) ?? [r[k] as number];
  const ratio = r.append_vs_raw_1048576_1 as number;
  const appendRuns = runs('append_MBps_1048576_1');
  const rawRuns = runs('raw_write_MBps_1048576_1');
  addScenario({
    id: 'log-append-1m', title: 'Log storage: appends against raw writes of the same bytes, reads from cold and warm page cache, lookups, recovery, start-up', kind: 'other',
    metrics: {
      'append MB/s': m(appendRuns, 'MB/s'), 'raw write MB/s': m(rawRuns, 'MB/s'), 'append / raw': m([ratio], ''),
      'append MB/s, 16 KiB batches': m(runs('append_MBps_16384_1'), 'MB/s'), 'raw write MB/s, 16 KiB': m(runs('raw_write_MBps_16384_1'), 'MB/s'),
      'sequential read, cold cache': m(runs('seq_read_cold_MBps'), 'MB/s'), 'raw read, cold cache': m(runs('raw_read_cold_MBps'), 'MB/s'),
      'sequential read, warm cache': m(runs('seq_read_warm_MBps'), 'MB/s'), 'raw read, warm cache': m(runs('raw_read_warm_MBps'), 'MB/s'),
      'random-offset lookups': m(runs('random_lookups_per_s'), '/s'),
      'recovery of unflushed segment': m(runs('recovery_s_big_segment'), 's'),
      'start-up with 1,000 partitions': m(runs('startup_s_1000_partitions'), 's'),
    },
    goals: [
      goal('appends at least 70% of raw writes for 1 MiB batches', 'append / raw', '>=', 0.7, '#4', ratio),
      goal('recovery of a 1 GiB unflushed segment under 3 s', 'recovery of unflushed segment', '<=', 3, '#4', m(runs('recovery_s_big_segment'), 's').median),
      goal('start-up with 1,000 partitions under 2 s', 'start-up with 1,000 partitions', '<=', 2, '#4', m(runs('startup_s_1000_partitions'), 's').median),
    ],
    command: `ts-node bench/log.ts${quick ? ' --quick' : ''}`,
    notes: quick ? 'Quick mode: 128 MiB recovery log instead of 1 GiB.' : undefined,
  });
  progress('codec and CRC-32C micro-benchmarks');
  const codec = await benchScript<{ results: Array<{ case: string; opsPerSec: number; rounds: number[] }> }>('codec', []);
  const crc = await benchScript<{ crc32c_GBps_1MiB: number; runs: number[] }>('crc', []);
  const metrics: Record<string, Metric> = {};
  for (const c of codec.results) metrics[c.case] = m(c.rounds, 'ops/s');
  metrics['CRC-32C on 1 MiB'] = m(crc.runs, 'GB/s');
  addScenario({
    id: 'codec-crc', title: 'Wire codec (requests per second per core) and CRC-32C', kind: 'other', metrics,
    goals: [goal('CRC-32C at least 3 GB/s on 1 MiB batches', 'CRC-32C on 1 MiB', '>=', 3, '#3', crc.crc32c_GBps_1MiB)],
    command: 'ts-node bench/codec.ts; ts-node bench/crc.ts',
  });
}

async function sessionsScenario(): Promise<void> {
  progress('fetch sessions (KIP-227): full vs incremental fetches over 1,000 partitions, consumer and follower (bench/sessions.ts)');
  type Phase = { requestBytesPerSec: number; responseBytesPerSec: number; leaderCpuPercent: number; fetches: number; requestBytesPerFetch: number; leaderCpuMsPerFetch: number };
  const r = await benchScript<{ full: { consumer: Phase; follower: Phase }; incremental: { consumer: Phase; follower: Phase }; windowMs: number }>('sessions', quick ? ['--quick'] : []);
  const metrics: Record<string, Metric> = {};
  for (const who of ['consumer', 'follower'] as const) {
    for (const how of ['full', 'incremental'] as const) {
      const x = r[how][who];
      metrics[`${who} ${how}: request bytes/fetch`] = m([x.requestBytesPerFetch], 'B');
      metrics[`${who} ${how}: request KB/s`] = m([x.requestBytesPerSec / 1000], 'KB/s');
      metrics[`${who} ${how}: response KB/s`] = m([x.responseBytesPerSec / 1000], 'KB/s');
      metrics[`${who} ${how}: leader CPU`] = m([x.leaderCpuPercent], '%');
      metrics[`${who} ${how}: leader CPU/fetch`] = m([x.leaderCpuMsPerFetch], 'ms');
    }
  }
  addScenario({
    id: 'fetch-sessions-1000', title: 'Fetch sessions (KIP-227), 1,000 partitions, 100 records/s: full vs incremental fetches', kind: 'other', metrics,
    command: `ts-node bench/sessions.ts${quick ? ' --quick' : ''}`,
    notes: `One ${r.windowMs / 1000} s window per row on a 2-broker cluster. "Full" is the same fetcher against a leader with max.incremental.fetch.session.cache.slots=0 (no session granted, every request lists every partition); "incremental" uses the default 1000 slots. Bytes are TCP payload counted by the kernel on the fetcher's sockets (ss -tin); leader CPU is utime+stime of the leader process from /proc/<pid>/stat over the window (it also serves the 100 records/s trickle); follower fetches are counted as the data segments its fetcher socket sent. The leader still reads every session partition on each fetch, as Kafka does, so CPU per fetch changes little.`,
  });
}

async function transactionsScenario(): Promise<void> {
  const runs = quick ? 1 : REPEATS;
  progress(`transactions: 100-record transactions vs idempotent sends, read_committed vs read_uncommitted (${runs} run(s), bench/transactions.ts)`);
  // The script fails (and so this part, loudly) when the brokers refuse transactions or a consumer reads the wrong count.
  type Tx = { txnPerSec: number[]; txnRecordsPerSec: number[]; txnP50Ms: number[]; txnP99Ms: number[]; idempotentRecordsPerSec: number[]; readCommittedRecordsPerSec: number[]; readUncommittedRecordsPerSec: number[]; abortEvery: number };
  const r = await benchScript<Tx>('transactions', ['--runs', String(runs), ...(quick ? ['--quick'] : [])]);
  const share = r.txnRecordsPerSec.map((x, i) => x / (r.idempotentRecordsPerSec[i] ?? NaN));
  addScenario({
    id: 'produce-rf3-transactions-100', title: 'Transactional produce, 3 brokers, RF 3, acks=-1, transactions of 100 x 1 KiB records (Brook\'s producer)', kind: 'produce',
    metrics: {
      'transactions/s': m(r.txnPerSec, 'txn/s'), 'records/s': m(r.txnRecordsPerSec, 'records/s'),
      'p50 ms per transaction': m(r.txnP50Ms, 'ms'), 'p99 ms per transaction': m(r.txnP99Ms, 'ms'),
      'share of idempotent sends': m(share, ''),
    },
    command: `ts-node bench/transactions.ts --runs ${runs}${quick ? ' --quick' : ''}`,
    notes: 'One producer, begin + one send of 100 records + commit back to back; "share" compares with the same producer sending 100-record idempotent batches back to back in the same run.',
  });
  const ratio = r.readCommittedRecordsPerSec.map((x, i) => x / (r.readUncommittedRecordsPerSec[i] ?? NaN));
  addScenario({
    id: 'consume-rf3-read-committed', title: `Consume, 3 brokers, RF 3, 1 KiB records in transactions of 100 (1 in ${r.abortEvery} aborted): read_committed vs read_uncommitted`, kind: 'consume',
    metrics: {
      'read_committed records/s': m(r.readCommittedRecordsPerSec, 'records/s'), 'read_uncommitted records/s': m(r.readUncommittedRecordsPerSec, 'records/s'),
      'read_committed / read_uncommitted': m(ratio, ''),
    },
    command: `ts-node bench/transactions.ts --runs ${runs}${quick ? ' --quick' : ''}`,
    notes: 'Brook\'s Fetcher on one partition from the beginning to its end; read_committed delivers 10% fewer records (the aborted ones), so records/s counts delivered records.',
  });
}

async function securityScenario(): Promise<void> {
  // At least 3 repeats even with --quick: the goal is a ratio of two noisy figures.
  const runs = Math.max(3, REPEATS);
  progress(`security: produce over the PLAINTEXT, SSL and SASL_SSL listeners of one cluster, 1 broker and 3 brokers RF 3 (${runs} runs each, bench/security.ts)`);
  // The script fails (and so this part, loudly) when a secured listener refuses the client or a producer fails.
  type Row = { recordsPerSec: number[]; mbPerSec: number[]; p50Ms: number[]; p99Ms: number[]; fixedRateP50Ms: number[]; fixedRateP99Ms: number[]; ratioToPlaintext: number[] };
  type Listener = 'PLAINTEXT' | 'SSL' | 'SASL_SSL';
  type Commands = Record<Listener, { throughput: string; latency: string }>;
  type Sec = { single: Record<Listener, Row>; rf3: Record<Listener, Row> | null; singleCommands: Commands; rf3Commands: Commands | null; records1: number; records3: number; latencyRate: number; latencySeconds: number; saslMechanism: string };
  const r = await benchScript<Sec>('security', ['--runs', String(runs), ...(quick ? ['--quick'] : [])], 1_200_000);
  for (const [setup, rows, commands] of [['1', r.single, r.singleCommands], ['3', r.rf3, r.rf3Commands]] as const) {
    if (rows === null || commands === null) continue;
    const where = setup === '1' ? '1 broker, RF 1, acks=1' : '3 brokers, RF 3, acks=-1, inter-broker SASL_SSL';
    for (const l of ['PLAINTEXT', 'SSL', 'SASL_SSL'] as const) {
      const x = rows[l];
      const ratio = m(x.ratioToPlaintext, '');
      const metrics: Record<string, Metric> = {
        'records/s': m(x.recordsPerSec, 'records/s'), 'MB/s': m(x.mbPerSec, 'MB/s'),
        'p50 ms': m(x.p50Ms, 'ms'), 'p99 ms': m(x.p99Ms, 'ms'),
        [`p50 ms at ${r.latencyRate}/s`]: m(x.fixedRateP50Ms, 'ms'), [`p99 ms at ${r.latencyRate}/s`]: m(x.fixedRateP99Ms, 'ms'),
      };
      if (l !== 'PLAINTEXT') metrics[`${l} / PLAINTEXT records/s`] = ratio;
      addScenario({
        id: `security-rf${setup}-${l.toLowerCase().replace('_', '-')}-1k`,
        title: `Produce over ${l}${l === 'SASL_SSL' ? ` (${r.saslMechanism})` : ''}, ${where}, 1 KiB records (brook producer-perf-test)`, kind: 'produce',
        metrics,
        goals: l === 'SSL' && setup === '1' ? [goal('SSL costs at most 30% of PLAINTEXT throughput at 1 KiB records', `${l} / PLAINTEXT records/s`, '>=', 0.7, '#17', ratio.median)] : undefined,
        command: `ts-node bench/security.ts --runs ${runs}${quick ? ' --quick' : ''}: ${commands[l].throughput}; ${commands[l].latency}`,
        notes: `${setup === '1' ? r.records1 : r.records3} records unthrottled (p50/p99 are producer queueing), then a fixed ${r.latencyRate} records/s for ${r.latencySeconds} s with linger.ms=0; every listener of the same cluster in each repeat, order rotating, after one unmeasured run each; the ratio is per repeat against PLAINTEXT.`,
      });
    }
  }
}

async function consoleScenario(): Promise<void> {
  const runs = quick ? 3 : 5;
  progress(`web console: first page and topic page with 1,000 partitions in headless Chromium (${runs} loads each, bench/console.ts)`);
  type C = { firstPageMs: number[]; topicPageMs: number[]; apiOverviewMs: number[]; partitions: number };
  const r = await benchScript<C>('console', ['--runs', String(runs), '--partitions', '1000']);
  const first = m(r.firstPageMs, 'ms');
  addScenario({
    id: 'console-1000', title: `Web console, ${r.partitions} partitions RF 3 on 3 brokers, headless Chromium`, kind: 'other',
    metrics: { 'first page painted': first, 'topic page, every partition painted': m(r.topicPageMs, 'ms'), 'GET /api/overview': m(r.apiOverviewMs, 'ms') },
    goals: [goal('first page (brokers and topics) renders in under 1 s with 1,000 partitions', 'first page painted', '<=', 1000, '#18', first.median)],
    command: `ts-node bench/console.ts --runs ${runs} --partitions 1000`,
    notes: 'Time from navigation to the first frame painted with the data (the page\'s own performance mark), each load in a new tab of one Chromium with a fresh profile; the console runs in the bench process.',
  });
}

// ---- main -------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  process.stdout.write(`Brook benchmark: ${REPEATS} repeat(s) per measurement${quick ? ' (quick sizes)' : ''} on ${results.machine.cpus} cores (${results.machine.cpuModel})\n`);
  const failures: string[] = [];
  const attempt = async (name: string, fn: () => Promise<void>): Promise<void> => {
    if (!want(name)) return;
    try {
      await fn();
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message}`);
      process.stdout.write(`!! ${name} failed: ${(e as Error).message}\n`);
    }
  };
  await attempt('raw', rawLimits);
  let single = NaN;
  await attempt('produce', async () => {
    single = await singleBroker();
    await threeBrokers(single);
  });
  await attempt('startup', startupScenario);
  await attempt('controller', controllerScenario);
  await attempt('groups', groupsScenario);
  await attempt('storage', storageScenario);
  await attempt('sessions', sessionsScenario);
  await attempt('transactions', transactionsScenario);
  await attempt('security', securityScenario);
  await attempt('console', consoleScenario);
  await attempt('metrics', metricsScenario);

  results.finishedAt = new Date().toISOString();
  results.durationS = Math.round((Date.now() - started) / 1000);
  const stamp = results.startedAt.replace(/[:.]/g, '-');
  const dir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const jsonPath = path.join(dir, `${stamp}.json`);
  fs.writeFileSync(jsonPath, `${JSON.stringify({ ...results, failures }, null, 2)}\n`);
  const report = await renderReport(results, path.join(dir, stamp));
  process.stdout.write(`\n${summaryTable(results)}\n`);
  process.stdout.write(`\nresults: ${path.relative(ROOT, jsonPath)}\nreport:  ${path.relative(ROOT, report.markdownPath)} (${report.chartPaths.length} charts)\n`);
  process.stdout.write(`took ${results.durationS} s\n`);
  if (failures.length > 0) {
    process.stdout.write(`\n${failures.length} part(s) failed:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
