// Replicated produce, one row of `npm run bench` taken apart: pre-built 1 MiB acks=-1 requests (2 connections x 4 in
// flight, as in the row produce-rf3-acksall-1k-prebuilt) into a fresh RF N topic per run, reporting per run the
// MB/s, each broker's CPU seconds and the machine's idle seconds, so a change can be compared run by run against an
// older tree. The brokers stop cleanly at the end, so `BROOK_BROKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"`
// leaves one CPU profile per broker.
// Run: npx ts-node --transpile-only bench/replication.ts [--rf 3] [--mib 1024] [--runs 3]
import * as os from 'node:os';
import { startCluster, waitFor, type TestCluster } from '../test/harness';
import { rootLogger } from '../src/util/logger';
import { partitionView } from '../src/chaos/inspect';
import { makeBatch, pipelined, procStats, produceFrame } from './lib/load';
import { runBrook } from './lib/brook';

rootLogger.level = process.env.BROOK_LOG_LEVEL ?? 'silent';
const MiB = 1024 * 1024;
const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const RF = arg('--rf', 3);
const MIB = arg('--mib', 1024);
const RUNS = arg('--runs', 3);

async function brook(argv: string[]): Promise<void> {
  await runBrook(argv, 60_000);
}

/** The topic's leader, once the whole ISR is in place. */
async function leaderOf(cluster: TestCluster, topic: string): Promise<number> {
  return waitFor(async () => {
    const p = await partitionView(cluster, topic, 0);
    return p && p.leader >= 0 && p.isr.length === RF ? p.leader : null;
  }, { timeoutMs: 30_000, what: `${topic}: a leader and a full ISR` });
}

async function main(): Promise<void> {
  const cluster = await startCluster({ brokers: RF, overrides: { 'message.max.bytes': String(2 * MiB), 'socket.request.max.bytes': String(64 * MiB), 'replica.fetch.max.bytes': String(4 * MiB) } });
  const ids = Array.from({ length: RF }, (_x, i) => i + 1);
  const rates: number[] = [];
  try {
    for (let r = 0; r < RUNS; r++) {
      const topic = `replication-${r}`;
      await brook(['topics', '--bootstrap-server', cluster.bootstrap, '--create', '--topic', topic, '--partitions', '1', '--replication-factor', String(RF), '--config', `min.insync.replicas=${Math.min(2, RF)}`]);
      const leader = cluster.broker(await leaderOf(cluster, topic));
      const frames = Array.from({ length: 4 }, (_x, i) => produceFrame(topic, makeBatch(1000, 1000), RF === 1 ? 1 : -1, i));
      const count = Math.ceil((MIB * MiB) / frames[0]!.length);
      const cpu0 = ids.map((id) => procStats(cluster.broker(id).pid).cpuSecs);
      const idle0 = os.cpus().reduce((n, c) => n + c.times.idle, 0);
      const secs = await pipelined(leader.host, leader.port, frames, count, 2, 4);
      const idle = (os.cpus().reduce((n, c) => n + c.times.idle, 0) - idle0) / 1000;
      const cpu = ids.map((id, i) => procStats(cluster.broker(id).pid).cpuSecs - cpu0[i]!);
      const rate = (count * frames[0]!.length) / MiB / secs;
      rates.push(rate);
      process.stdout.write(`run ${r + 1}: ${rate.toFixed(1)} MB/s in ${secs.toFixed(2)} s; broker CPU s ${ids.map((id, i) => `${id}${id === leader.id ? ' (leader)' : ''}: ${cpu[i]!.toFixed(2)}`).join(', ')}; machine idle ${idle.toFixed(2)} s\n`);
      await brook(['topics', '--bootstrap-server', cluster.bootstrap, '--delete', '--topic', topic]);
    }
    for (const id of ids) await cluster.broker(id).stop();
  } finally {
    await cluster.teardown();
  }
  const sorted = [...rates].sort((a, b) => a - b);
  process.stdout.write(`RF ${RF}, ${MIB} MiB per run: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} MB/s (min ${sorted[0]!.toFixed(1)}, max ${sorted[sorted.length - 1]!.toFixed(1)})\n`);
}

void main().then(() => process.exit(0), (e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
