// Broker start-up time and idle memory: process spawn -> registered in ZooKeeper and listening, median of runs.
// Run: npx ts-node --transpile-only bench/startup.ts [--runs 7] [--json]
import fs from 'node:fs';
import path from 'node:path';
import { startCluster, waitFor, canConnect } from '../test/harness';

function rssKb(pid: number): number {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0);
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
  try {
    const zk = await cluster.zkClient();
    for (let i = 0; i < runs; i++) {
      const id = 100 + i;
      const t0 = Date.now();
      const b = await cluster.startBroker(id, {}, { wait: false });
      await waitFor(async () => (await zk.getAllBrokers()).some((x) => x.id === id) && (await canConnect(b.host, b.port)), { timeoutMs: 30_000, intervalMs: 5, what: `broker ${id}` });
      total.push(Date.now() - t0);
      // The broker logs how long it took after its ZooKeeper session was up.
      await waitFor(() => /afterZkMs/.test(fs.readFileSync(b.outputFile, 'utf8')), { timeoutMs: 5000, intervalMs: 10, what: 'started log line' });
      const line = fs.readFileSync(b.outputFile, 'utf8').split('\n').find((l) => l.includes('afterZkMs'))!;
      afterZk.push(Number(JSON.parse(line).afterZkMs));
      await new Promise((r) => setTimeout(r, 3000)); // idle
      idleRss.push(rssKb(b.pid) / 1024);
      await b.stop();
    }
  } finally {
    await cluster.teardown();
  }
  const result = {
    runs,
    spawnToReadyMsMedian: median(total), spawnToReadyMsMin: Math.min(...total), spawnToReadyMsMax: Math.max(...total),
    afterZkConnectMsMedian: median(afterZk), afterZkConnectMsMin: Math.min(...afterZk), afterZkConnectMsMax: Math.max(...afterZk),
    idleRssMbMedian: Number(median(idleRss).toFixed(1)), idleRssMbMax: Number(Math.max(...idleRss).toFixed(1)),
    goals: { afterZkConnectMs: 500, idleRssMb: 80 },
  };
  if (json) process.stdout.write(JSON.stringify(result) + '\n');
  else {
    process.stdout.write(`broker start-up (${runs} runs, medians; min-max)\n`);
    process.stdout.write(`  spawn -> registered and listening : ${result.spawnToReadyMsMedian} ms (${result.spawnToReadyMsMin}-${result.spawnToReadyMsMax})\n`);
    process.stdout.write(`  after ZooKeeper connection        : ${result.afterZkConnectMsMedian} ms (${result.afterZkConnectMsMin}-${result.afterZkConnectMsMax})  goal < 500 ms\n`);
    process.stdout.write(`  idle resident memory              : ${result.idleRssMbMedian} MB (max ${result.idleRssMbMax})  goal < 80 MB\n`);
  }
  void path;
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
