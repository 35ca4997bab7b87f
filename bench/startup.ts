// Broker start-up time and idle memory: process spawn -> registered in ZooKeeper and listening, and spawn -> a
// Metadata request answered (issue #20's "serving metadata"); idle RSS after 3 s; median and min-max of runs.
// Run: npx ts-node --transpile-only bench/startup.ts [--runs 7] [--json]
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startCluster, waitFor, canConnect } from '../test/harness';
import { KafkaConnection } from '../src/client/connection';
import { Metadata } from '../src/protocol/messages/03-metadata';

/** Polls until the broker answers a Metadata request that lists itself; ms since `t0`. */
async function untilMetadata(host: string, port: number, id: number, t0: number): Promise<number> {
  for (const deadline = t0 + 30_000; Date.now() < deadline;) {
    if (await canConnect(host, port)) {
      const conn = await KafkaConnection.connect(host, port, { clientId: 'bench-startup', connectTimeoutMs: 1000, requestTimeoutMs: 2000 }).catch(() => null);
      if (conn) {
        try {
          const r = await conn.request(Metadata, 9, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
          if (r.brokers.some((b) => b.nodeId === id)) return Date.now() - t0;
        } catch {
          // not serving yet
        } finally {
          conn.close();
        }
      }
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`broker ${id} did not answer Metadata within 30 s`);
}

function rssKb(pid: number, field = 'VmRSS'): number {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
}

/**
 * The floor under both goals, measured in the same run: a bare Node process (no Brook code) listening on a port:
 * spawn until it accepts a connection, and its resident memory after the same idle time as a broker's.
 */
async function bareNode(): Promise<{ spawnToListeningMs: number; idleRssMb: number; idleAnonMb: number }> {
  const t0 = Date.now();
  const child = spawn(process.execPath, ['-e', "require('net').createServer(() => {}).listen(0, '127.0.0.1', function () { process.stdout.write(this.address().port + '\\n'); })"], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      child.once('exit', (code) => reject(new Error(`bare node exited ${code}`)));
    });
    await waitFor(() => canConnect('127.0.0.1', port), { timeoutMs: 10_000, intervalMs: 2, what: 'bare node listening' });
    const spawnToListeningMs = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 3000));
    return { spawnToListeningMs, idleRssMb: rssKb(child.pid!) / 1024, idleAnonMb: rssKb(child.pid!, 'RssAnon') / 1024 };
  } finally {
    child.kill('SIGKILL');
  }
}
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = Number(args[args.indexOf('--runs') + 1] ?? 7) || 7;
  const json = args.includes('--json');
  const cluster = await startCluster({ brokers: 0, startBrokers: false });
  const total: number[] = [];
  const afterZk: number[] = [];
  const idleRss: number[] = [];
  const idleAnon: number[] = [];
  const toMetadata: number[] = [];
  const bare: Array<{ spawnToListeningMs: number; idleRssMb: number; idleAnonMb: number }> = [];
  try {
    const zk = await cluster.zkClient();
    for (let i = 0; i < runs; i++) {
      const id = 100 + i;
      const t0 = Date.now();
      const b = await cluster.startBroker(id, {}, { wait: false });
      toMetadata.push(await untilMetadata(b.host, b.port, id, t0));
      await waitFor(async () => (await zk.getAllBrokers()).some((x) => x.id === id) && (await canConnect(b.host, b.port)), { timeoutMs: 30_000, intervalMs: 5, what: `broker ${id}` });
      total.push(Date.now() - t0);
      // The broker logs how long it took after its ZooKeeper session was up.
      await waitFor(() => /afterZkMs/.test(fs.readFileSync(b.outputFile, 'utf8')), { timeoutMs: 5000, intervalMs: 10, what: 'started log line' });
      const line = fs.readFileSync(b.outputFile, 'utf8').split('\n').find((l) => l.includes('afterZkMs'))!;
      afterZk.push(Number(JSON.parse(line).afterZkMs));
      await new Promise((r) => setTimeout(r, 3000)); // idle
      idleRss.push(rssKb(b.pid) / 1024);
      idleAnon.push(rssKb(b.pid, 'RssAnon') / 1024);
      await b.stop();
      bare.push(await bareNode());
    }
  } finally {
    await cluster.teardown();
  }
  const result = {
    runs,
    spawnToReadyMsMedian: median(total), spawnToReadyMsMin: Math.min(...total), spawnToReadyMsMax: Math.max(...total),
    afterZkConnectMsMedian: median(afterZk), afterZkConnectMsMin: Math.min(...afterZk), afterZkConnectMsMax: Math.max(...afterZk),
    spawnToMetadataMsMedian: median(toMetadata), spawnToMetadataMsMin: Math.min(...toMetadata), spawnToMetadataMsMax: Math.max(...toMetadata),
    idleRssMbMedian: Number(median(idleRss).toFixed(1)), idleRssMbMin: Number(Math.min(...idleRss).toFixed(1)), idleRssMbMax: Number(Math.max(...idleRss).toFixed(1)),
    // RssAnon: the broker's own memory, without the pages of the node binary and libraries (RssFile, shared by every
    // Node process on the machine).
    idleAnonMbMedian: Number(median(idleAnon).toFixed(1)), idleAnonMbMin: Number(Math.min(...idleAnon).toFixed(1)), idleAnonMbMax: Number(Math.max(...idleAnon).toFixed(1)),
    bareNodeSpawnToListeningMsMedian: median(bare.map((x) => x.spawnToListeningMs)), bareNodeSpawnToListeningMsMin: Math.min(...bare.map((x) => x.spawnToListeningMs)), bareNodeSpawnToListeningMsMax: Math.max(...bare.map((x) => x.spawnToListeningMs)),
    bareNodeIdleRssMbMedian: Number(median(bare.map((x) => x.idleRssMb)).toFixed(1)), bareNodeIdleRssMbMin: Number(Math.min(...bare.map((x) => x.idleRssMb)).toFixed(1)), bareNodeIdleRssMbMax: Number(Math.max(...bare.map((x) => x.idleRssMb)).toFixed(1)),
    bareNodeIdleAnonMbMedian: Number(median(bare.map((x) => x.idleAnonMb)).toFixed(1)),
    goals: { afterZkConnectMs: 500, spawnToMetadataMs: 200, idleRssMb: 50 },
    samples: { spawnToMetadataMs: toMetadata, idleRssMb: idleRss.map((x) => Number(x.toFixed(1))) },
  };
  if (json) process.stdout.write(JSON.stringify(result) + '\n');
  else {
    process.stdout.write(`broker start-up (${runs} runs, medians; min-max)\n`);
    process.stdout.write(`  spawn -> registered and listening : ${result.spawnToReadyMsMedian} ms (${result.spawnToReadyMsMin}-${result.spawnToReadyMsMax})\n`);
    process.stdout.write(`  after ZooKeeper connection        : ${result.afterZkConnectMsMedian} ms (${result.afterZkConnectMsMin}-${result.afterZkConnectMsMax})  goal < 500 ms\n`);
    process.stdout.write(`  spawn -> Metadata answered        : ${result.spawnToMetadataMsMedian} ms (${result.spawnToMetadataMsMin}-${result.spawnToMetadataMsMax})  goal <= 200 ms\n`);
    process.stdout.write(`  idle resident memory              : ${result.idleRssMbMedian} MB (${result.idleRssMbMin}-${result.idleRssMbMax})  goal <= 50 MB\n`);
    process.stdout.write(`    of which the broker's own (anon)  : ${result.idleAnonMbMedian} MB (${result.idleAnonMbMin}-${result.idleAnonMbMax})\n`);
    process.stdout.write(`  bare node, spawn -> listening     : ${result.bareNodeSpawnToListeningMsMedian} ms (${result.bareNodeSpawnToListeningMsMin}-${result.bareNodeSpawnToListeningMsMax})\n`);
    process.stdout.write(`  bare node, idle resident memory   : ${result.bareNodeIdleRssMbMedian} MB (${result.bareNodeIdleRssMbMin}-${result.bareNodeIdleRssMbMax}), anon ${result.bareNodeIdleAnonMbMedian} MB\n`);
  }
  void path;
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
