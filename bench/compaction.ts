// The log cleaner under load: one broker, a zstd compacted topic filled through the wire protocol with ~2 GiB of
// overwrites of 1M keys (64 MiB segments), then the broker's resident memory and the produce latency on ANOTHER topic
// (a steady 100/s acks=1 producer) while the cleaner works, until the cleaner-offset-checkpoint covers the data.
// The topic is written with min.cleanable.dirty.ratio=1 (never cleaned), then set to 0.01, so the cleaning phase is
// measured alone; the write phase and an idle baseline are reported for comparison.
// Run: npx ts-node --transpile-only bench/compaction.ts [--gib 2] [--keys 1000000] [--value-bytes 200] [--segment-mib 64] [--json]
// (or: npm run bench -- compaction). Goals (issue): broker RSS < 300 MB and other-topic produce p99 < 20 ms while cleaning.
process.env.BROOK_LOG_LEVEL ??= 'warn';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KafkaConnection } from '../src/client';
import { CreateTopics, IncrementalAlterConfigs, Produce } from '../src/protocol/messages';
import { CompressionType } from '../src/protocol/record/compression';
import { buildRecordBatch, buildRecordBatchSync } from '../src/protocol/record/records';
import { startCluster, waitFor, type TestBroker } from '../test/harness';
import { procStats } from './lib/load';
import { percentile } from './lib/results';

const MiB = 1024 * 1024;
const COMPACTED = 'bench-compacted';
const LATENCY = 'bench-latency';

function arg(name: string, dflt: number): number {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

// ---- the bulk writer, in its own process so its work never delays the latency measurements ----------------------

/** xorshift32: keys drawn uniformly without a per-record crypto call. */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

async function writer(host: string, port: number, targetBytes: number, keys: number, valueBytes: number): Promise<void> {
  const conn = await KafkaConnection.connect(host, port, { clientId: 'bench-writer', requestTimeoutMs: 120_000 });
  const next = rng(12345);
  // Values: random hex text (about 2:1 under zstd), drawn from a pool so building them costs nothing.
  const pool = Array.from({ length: 4096 }, () => Buffer.from(randomBytes(Math.ceil(valueBytes / 2)).toString('hex').slice(0, valueBytes)));
  const perBatch = 1000;
  const inflightMax = 4;
  let sent = 0;
  let records = 0;
  let inflight = 0;
  let lastReport = Date.now();
  const t0 = Date.now();
  let failure: Error | null = null;
  const waiters: Array<() => void> = [];
  while (sent < targetBytes && !failure) {
    const recs = Array.from({ length: perBatch }, () => ({ key: `key-${String(next() % keys).padStart(7, '0')}`, value: pool[next() & 4095] as Buffer }));
    const batch = await buildRecordBatch({ records: recs, compression: CompressionType.Zstd });
    while (inflight >= inflightMax) await new Promise<void>((r) => waiters.push(r));
    inflight++;
    sent += batch.length;
    records += perBatch;
    void conn
      .request(Produce, 7, { transactionalId: null, acks: 1, timeoutMs: 30_000, topicData: [{ name: COMPACTED, partitionData: [{ index: 0, records: batch }] }] })
      .then((r) => {
        const code = r.responses[0]?.partitionResponses[0]?.errorCode ?? -1;
        if (code !== 0) failure = new Error(`produce failed with error ${code}`);
      })
      .catch((e: Error) => {
        failure = e;
      })
      .finally(() => {
        inflight--;
        waiters.shift()?.();
      });
    if (Date.now() - lastReport > 5000) {
      lastReport = Date.now();
      process.stdout.write(`${JSON.stringify({ progress: true, sent, records, secs: (Date.now() - t0) / 1000 })}\n`);
    }
  }
  while (inflight > 0) await new Promise<void>((r) => waiters.push(r));
  conn.close();
  if (failure) throw failure;
  process.stdout.write(`${JSON.stringify({ done: true, sent, records, secs: (Date.now() - t0) / 1000 })}\n`);
}

// ---- measurement ------------------------------------------------------------------------------------------------

/** A steady low-rate acks=1 producer on another topic: one 100-byte record every 10 ms, each request timed. */
function latencyProducer(conn: KafkaConnection): { mark: () => number[]; stop: () => Promise<void> } {
  let samples: number[] = [];
  let stopped = false;
  const pending = new Set<Promise<unknown>>();
  const value = Buffer.alloc(100, 0x61);
  const timer = setInterval(() => {
    if (stopped) return;
    const batch = buildRecordBatchSync({ records: [{ key: null, value }] });
    const t0 = process.hrtime.bigint();
    const p = conn
      .request(Produce, 7, { transactionalId: null, acks: 1, timeoutMs: 30_000, topicData: [{ name: LATENCY, partitionData: [{ index: 0, records: batch }] }] })
      .then((r) => {
        if ((r.responses[0]?.partitionResponses[0]?.errorCode ?? -1) !== 0) throw new Error('latency produce failed');
        samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
      });
    pending.add(p);
    void p.finally(() => pending.delete(p));
  }, 10);
  return {
    /** The samples since the last mark. */
    mark: () => {
      const s = samples;
      samples = [];
      return s;
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await Promise.allSettled([...pending]);
    },
  };
}

/** Maximum and last resident memory of a process, sampled every 100 ms. */
function rssWatch(pid: number): { mark: () => { maxMb: number; lastMb: number } } {
  let max = 0;
  let last = 0;
  const read = (): void => {
    try {
      last = procStats(pid).rssMb;
      max = Math.max(max, last);
    } catch {
      // gone
    }
  };
  read();
  setInterval(read, 100).unref();
  return {
    mark: () => {
      read();
      const r = { maxMb: Math.round(max), lastMb: Math.round(last) };
      max = last;
      return r;
    },
  };
}

interface Phase {
  secs: number;
  rssMaxMb: number;
  produce: { count: number; p50: number; p99: number; p999: number; max: number };
}

function phase(t0: number, rss: { maxMb: number }, samples: number[]): Phase {
  const s = [...samples].sort((a, b) => a - b);
  const r = (v: number): number => Math.round(v * 100) / 100;
  return { secs: Math.round((Date.now() - t0) / 100) / 10, rssMaxMb: rss.maxMb, produce: { count: s.length, p50: r(percentile(s, 50)), p99: r(percentile(s, 99)), p999: r(percentile(s, 99.9)), max: r(s[s.length - 1] ?? NaN) } };
}

function partitionFiles(b: TestBroker, topic: string): { segments: number; bytes: number; activeBase: bigint } {
  const dir = path.join(b.logDir, `${topic}-0`);
  const logs = fs.readdirSync(dir).filter((f) => /^\d{20}\.log$/.test(f)).sort();
  const bytes = logs.reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  return { segments: logs.length, bytes, activeBase: BigInt((logs[logs.length - 1] ?? '0').slice(0, 20)) };
}

function cleanerCheckpoint(b: TestBroker, topic: string): bigint | null {
  try {
    const line = fs.readFileSync(path.join(b.logDir, 'cleaner-offset-checkpoint'), 'utf8').split('\n').find((l) => l.startsWith(`${topic} 0 `));
    return line ? BigInt(line.split(' ')[2] as string) : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--writer') {
    await writer(args[1] as string, Number(args[2]), Number(args[3]), Number(args[4]), Number(args[5]));
    return;
  }
  const gib = arg('gib', 2);
  const keys = arg('keys', 1_000_000);
  const valueBytes = arg('value-bytes', 200);
  const segmentMib = arg('segment-mib', 64);
  const json = args.includes('--json');
  const say = (m: string): void => {
    if (!json) process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`);
  };
  const cluster = await startCluster({ brokers: 1, overrides: { 'log.cleaner.backoff.ms': '1000', 'auto.create.topics.enable': 'false' } });
  try {
    const b = cluster.broker(1);
    const admin = await KafkaConnection.connect(b.host, b.port, { clientId: 'bench-admin', requestTimeoutMs: 60_000 });
    const ct = await admin.request(CreateTopics, 4, {
      topics: [
        { name: COMPACTED, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'segment.bytes', value: String(segmentMib * MiB) },
          { name: 'min.cleanable.dirty.ratio', value: '1' },
        ] },
        { name: LATENCY, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
      ],
      timeoutMs: 60_000,
      validateOnly: false,
    });
    for (const t of ct.topics) if (t.errorCode !== 0) throw new Error(`create ${t.name} failed: ${t.errorCode} ${t.errorMessage ?? ''}`);
    const lat = await KafkaConnection.connect(b.host, b.port, { clientId: 'bench-latency', requestTimeoutMs: 60_000 });
    await waitFor(async () => (await lat.request(Produce, 7, { transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: LATENCY, partitionData: [{ index: 0, records: buildRecordBatchSync({ records: [{ value: 'warm-up' }] }) }] }] })).responses[0]?.partitionResponses[0]?.errorCode === 0, { timeoutMs: 30_000, intervalMs: 200, what: 'latency topic leader' });
    const rss = rssWatch(b.pid);
    const producer = latencyProducer(lat);

    say('baseline: 10 s of the latency producer alone');
    let t0 = Date.now();
    producer.mark();
    rss.mark();
    await new Promise((r) => setTimeout(r, 10_000));
    const baseline = phase(t0, rss.mark(), producer.mark());

    say(`write phase: ${gib} GiB of zstd batches, ${keys} keys, ${valueBytes}-byte values, ${segmentMib} MiB segments (not cleaned yet)`);
    t0 = Date.now();
    const tsNode = path.join(__dirname, '..', 'node_modules', 'ts-node', 'dist', 'bin.js');
    const child = spawn(process.execPath, [tsNode, '--transpile-only', __filename, '--writer', b.host, String(b.port), String(Math.round(gib * 1024 * MiB)), String(keys), String(valueBytes)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let written = { sent: 0, records: 0, secs: 0 };
    child.stdout.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n').filter(Boolean)) {
        const m = JSON.parse(line) as typeof written & { done?: boolean };
        written = m;
        say(`  ${(m.sent / MiB).toFixed(0)} MiB, ${m.records} records, ${m.secs.toFixed(0)} s${m.done ? ' (done)' : ''}`);
      }
    });
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    if (code !== 0) throw new Error(`writer exited ${code}`);
    const writePhase = phase(t0, rss.mark(), producer.mark());
    const before = partitionFiles(b, COMPACTED);
    say(`  on disk: ${before.segments} segments, ${(before.bytes / MiB).toFixed(0)} MiB; active segment from offset ${before.activeBase}`);

    say('cleaning phase: min.cleanable.dirty.ratio=0.01; waiting for the cleaner-offset-checkpoint to reach the active segment');
    t0 = Date.now();
    producer.mark();
    rss.mark();
    const alter = await admin.request(IncrementalAlterConfigs, 0, { resources: [{ resourceType: 2, resourceName: COMPACTED, configs: [{ name: 'min.cleanable.dirty.ratio', configOperation: 0, value: '0.01' }] }], validateOnly: false });
    if (alter.responses[0]?.errorCode !== 0) throw new Error(`alter config failed: ${alter.responses[0]?.errorMessage}`);
    let firstClean = 0;
    await waitFor(
      () => {
        const c = cleanerCheckpoint(b, COMPACTED);
        if (c !== null && firstClean === 0) firstClean = Date.now();
        return c !== null && c >= before.activeBase;
      },
      { timeoutMs: 3 * 3600_000, intervalMs: 200, what: 'cleaner checkpoint' },
    );
    const cleaning = phase(t0, rss.mark(), producer.mark());
    const after = partitionFiles(b, COMPACTED);
    await producer.stop();
    const cleanerLines = fs
      .readFileSync(b.outputFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"cleaned log"') || l.includes('cleaning aborted') || l.includes('uncleanable'))
      .map((l) => {
        const o = JSON.parse(l) as Record<string, unknown>;
        delete o.pid;
        delete o.hostname;
        return o;
      });
    lat.close();
    admin.close();

    const result = {
      command: `npx ts-node --transpile-only bench/compaction.ts --gib ${gib} --keys ${keys} --value-bytes ${valueBytes} --segment-mib ${segmentMib}`,
      written: { mib: Math.round(written.sent / MiB), records: written.records, secs: written.secs, segments: before.segments, diskMib: Math.round(before.bytes / MiB) },
      afterClean: { segments: after.segments, diskMib: Math.round(after.bytes / MiB) },
      baseline,
      writePhase,
      cleaning,
      cleaner: cleanerLines,
      goals: { rssMb: 300, otherTopicProduceP99Ms: 20 },
      met: { rss: cleaning.rssMaxMb < 300, p99: cleaning.produce.p99 < 20 },
    };
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      const row = (name: string, p: Phase): string =>
        `  ${name.padEnd(10)} ${String(p.secs).padStart(7)} s   RSS max ${String(p.rssMaxMb).padStart(4)} MB   produce on ${LATENCY}: n=${p.produce.count} p50 ${p.produce.p50} ms  p99 ${p.produce.p99} ms  p99.9 ${p.produce.p999} ms  max ${p.produce.max} ms`;
      process.stdout.write(`\nlog cleaner bench: ${result.command}\n`);
      process.stdout.write(`  written: ${result.written.mib} MiB in ${result.written.records} records (${result.written.secs} s) -> ${before.segments} segments, ${result.written.diskMib} MiB on disk; after cleaning ${after.segments} segments, ${result.afterClean.diskMib} MiB\n`);
      process.stdout.write(`${row('baseline', baseline)}\n${row('writing', writePhase)}\n${row('cleaning', cleaning)}\n`);
      process.stdout.write(`  goals while cleaning: RSS < 300 MB: ${result.met.rss ? 'yes' : 'NO'}; produce p99 < 20 ms: ${result.met.p99 ? 'yes' : 'NO'}\n`);
      for (const l of cleanerLines) process.stdout.write(`  broker: ${JSON.stringify(l)}\n`);
    }
  } finally {
    await cluster.teardown();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
