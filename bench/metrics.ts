// The metrics endpoint with 1,000 partitions on one broker (and a consumer group committed on all of them, so the
// lag series are there too): /metrics latency over back-to-back scrapes, and the broker CPU it costs at one scrape
// per 5 s — derived from the CPU time of many scrapes less the idle CPU of the same wall time, and measured over a
// window of real 5-second scrapes against an idle window of the same length.
// With --hot-path: brook producer-perf-test on a broker without metrics.listener and on one with it (request timing
// on, scraped every 5 s), to show the hooks do not slow produce measurably.
// With --idle-overhead: idle broker CPU without and with metrics.listener (no scrapes), for the constant cost of the
// default Node metrics (event-loop delay sampling).
// Run: npx ts-node --transpile-only bench/metrics.ts [--partitions 1000] [--scrapes 100] [--window-s 60] [--hot-path] [--idle-overhead] [--json]
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, startCluster, waitFor } from '../test/harness';
import { procStats } from './lib/load';

const execFileP = promisify(execFile);
const BROOK = path.join(__dirname, '..', 'bin', 'brook');
const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))]!; };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const SUMMARY = /^(\d+) records sent, ([\d.]+) records\/sec/;

/** Median records/s of `runs` producer-perf-test runs against a fresh 1-broker cluster, with or without metrics. */
async function producePerf(withMetrics: boolean, runs: number, records: number): Promise<number[]> {
  const port = await freePort();
  const cluster = await startCluster({ brokers: 1, overrides: withMetrics ? { 'metrics.listener': `http://127.0.0.1:${port}` } : {} });
  const scraper = withMetrics ? setInterval(() => void fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()).catch(() => undefined), 5000) : null;
  try {
    await execFileP(process.execPath, [BROOK, 'topics', '--create', '--topic', 'hot', '--partitions', '6', '--replication-factor', '1', '--bootstrap-server', cluster.bootstrap]);
    const out: number[] = [];
    for (let i = 0; i < runs; i++) {
      const { stdout } = await execFileP(process.execPath, [BROOK, 'producer-perf-test', '--bootstrap-server', cluster.bootstrap, '--topic', 'hot', '--num-records', String(records), '--record-size', '100', '--throughput', '-1', '--producer-props', 'acks=1'], { maxBuffer: 16 * 1024 * 1024 });
      const m = SUMMARY.exec(stdout.trim().split('\n').pop() ?? '');
      if (!m) throw new Error(`producer-perf-test output does not parse: ${stdout.slice(-300)}`);
      out.push(Number(m[2]));
    }
    return out;
  } finally {
    if (scraper) clearInterval(scraper);
    await cluster.teardown();
  }
}

/** CPU % of an idle 1-broker cluster's broker over `seconds`, with or without metrics.listener (never scraped). */
async function idleCpu(withMetrics: boolean, seconds: number): Promise<number> {
  const port = await freePort();
  const cluster = await startCluster({ brokers: 1, overrides: withMetrics ? { 'metrics.listener': `http://127.0.0.1:${port}` } : {} });
  try {
    const pid = cluster.broker(1).pid;
    await sleep(3000);
    const c0 = procStats(pid).cpuSecs;
    await sleep(seconds * 1000);
    return ((procStats(pid).cpuSecs - c0) / seconds) * 100;
  } finally {
    await cluster.teardown();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (k: string, d: number): number => (args.includes(k) ? Number(args[args.indexOf(k) + 1]) : d);
  const partitions = arg('--partitions', 1000);
  const scrapes = arg('--scrapes', 100);
  const windowS = arg('--window-s', 60);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/metrics`;
  const cluster = await startCluster({ brokers: 1, overrides: { 'metrics.listener': `http://127.0.0.1:${port}`, 'offsets.topic.num.partitions': '1', 'offsets.topic.replication.factor': '1' } });
  try {
    const broker = cluster.broker(1);
    const kafka = new Kafka({ clientId: 'bench-metrics', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'bench', numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true, timeout: 60_000 });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'bench', acks: 1, messages: Array.from({ length: partitions }, (_x, p) => ({ partition: p, value: 'x'.repeat(100) })) });
    await producer.disconnect();
    await execFileP(process.execPath, [BROOK, 'consumer-groups', '--reset-offsets', '--group', 'bench-group', '--topic', 'bench', '--to-earliest', '--execute', '--bootstrap-server', cluster.bootstrap]);
    const body = await waitFor(async () => {
      const t = await (await fetch(url)).text();
      return t.includes('kafka_consumergroup_lag{') ? t : undefined;
    }, { timeoutMs: 30_000, what: 'lag series in /metrics' });
    const lines = body.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;

    // Latency: back-to-back scrapes (after a few warm-up ones).
    for (let i = 0; i < 5; i++) await (await fetch(url)).text();
    const lat: number[] = [];
    const cpu0 = procStats(broker.pid).cpuSecs;
    const w0 = Date.now();
    for (let i = 0; i < scrapes; i++) {
      const t0 = performance.now();
      await (await fetch(url)).text();
      lat.push(performance.now() - t0);
    }
    const busyWallMs = Date.now() - w0;
    const busyCpuMs = (procStats(broker.pid).cpuSecs - cpu0) * 1000;
    // The broker's idle CPU over the same wall time, to subtract.
    const cpu1 = procStats(broker.pid).cpuSecs;
    await sleep(Math.max(busyWallMs, 2000));
    const idleCpuMs = ((procStats(broker.pid).cpuSecs - cpu1) * 1000 * busyWallMs) / Math.max(busyWallMs, 2000);
    const cpuMsPerScrape = Math.max(0, busyCpuMs - idleCpuMs) / scrapes;
    const derivedCostPct = (cpuMsPerScrape / 5000) * 100;

    // Measured: a window with one scrape every 5 s against an idle window of the same length.
    const idleStart = procStats(broker.pid).cpuSecs;
    await sleep(windowS * 1000);
    const idleWindowCpuMs = (procStats(broker.pid).cpuSecs - idleStart) * 1000;
    const scrapeStart = procStats(broker.pid).cpuSecs;
    const ws = Date.now();
    for (let t = 0; t < windowS; t += 5) {
      await (await fetch(url)).text();
      await sleep(Math.max(0, ws + (t + 5) * 1000 - Date.now()));
    }
    const scrapeWindowCpuMs = (procStats(broker.pid).cpuSecs - scrapeStart) * 1000;
    const measuredCostPct = ((scrapeWindowCpuMs - idleWindowCpuMs) / (windowS * 1000)) * 100;

    let hotPath: { off: number[]; on: number[]; offMedian: number; onMedian: number; ratio: number } | null = null;
    if (args.includes('--hot-path')) {
      const runs = arg('--hot-runs', 3);
      const records = arg('--hot-records', 1_000_000);
      const off = await producePerf(false, runs, records);
      const on = await producePerf(true, runs, records);
      hotPath = { off, on, offMedian: pct(off, 50), onMedian: pct(on, 50), ratio: pct(on, 50) / pct(off, 50) };
    }
    let idleOverhead: { offPct: number; onPct: number } | null = null;
    if (args.includes('--idle-overhead')) idleOverhead = { offPct: await idleCpu(false, windowS), onPct: await idleCpu(true, windowS) };
    const summary = {
      hotPath, idleOverhead,
      partitions, scrapes, seriesLines: lines, bodyBytes: Buffer.byteLength(body),
      latencyMsMedian: pct(lat, 50), latencyMsP99: pct(lat, 99), latencyMsMax: Math.max(...lat),
      cpuMsPerScrape, derivedCpuPctAt5s: derivedCostPct,
      windowS, idleWindowCpuPct: (idleWindowCpuMs / (windowS * 1000)) * 100, scrapeWindowCpuPct: (scrapeWindowCpuMs / (windowS * 1000)) * 100, measuredCpuPctAt5s: measuredCostPct,
      goals: { latencyMs: 50, cpuPct: 1 },
    };
    if (args.includes('--json')) process.stdout.write(JSON.stringify(summary) + '\n');
    else {
      process.stdout.write(`metrics endpoint, 1 broker, ${partitions} partitions, ${lines} series lines (${(summary.bodyBytes / 1024).toFixed(0)} KiB)\n`);
      process.stdout.write(`  /metrics latency: median ${summary.latencyMsMedian.toFixed(1)} ms, p99 ${summary.latencyMsP99.toFixed(1)} ms, max ${summary.latencyMsMax.toFixed(1)} ms over ${scrapes} scrapes (goal < 50 ms)\n`);
      process.stdout.write(`  broker CPU per scrape: ${cpuMsPerScrape.toFixed(1)} ms -> ${derivedCostPct.toFixed(3)}% at one scrape per 5 s (goal < 1%)\n`);
      if (hotPath) process.stdout.write(`  producer-perf-test 100 B acks=1: ${hotPath.offMedian.toFixed(0)} rec/s without metrics, ${hotPath.onMedian.toFixed(0)} rec/s with metrics scraped every 5 s (ratio ${hotPath.ratio.toFixed(3)}; runs ${hotPath.off.map(Math.round).join('/')} vs ${hotPath.on.map(Math.round).join('/')})\n`);
      if (idleOverhead) process.stdout.write(`  idle broker CPU over ${windowS} s: ${idleOverhead.offPct.toFixed(2)}% without metrics.listener, ${idleOverhead.onPct.toFixed(2)}% with it (not scraped)\n`);
      process.stdout.write(`  measured over ${windowS} s: idle ${summary.idleWindowCpuPct.toFixed(2)}%, with 5 s scrapes ${summary.scrapeWindowCpuPct.toFixed(2)}% -> cost ${measuredCostPct.toFixed(2)}% (10 ms tick resolution)\n`);
    }
  } finally {
    await cluster.teardown();
  }
}

main().then(() => process.exit(0), (e: unknown) => {
  process.stderr.write(`bench/metrics failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
