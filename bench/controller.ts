// Controller timings with 1,000 partitions (RF 3, 3 brokers): topic creation until every broker's metadata has
// every leader; leader failover after kill -9 of the broker leading all of them (measured from the moment its
// znode disappears, i.e. minus the session timeout); controller failover. Medians over runs.
// Run: npx ts-node --transpile-only bench/controller.ts [--runs 3] [--partitions 1000] [--json]
import { KafkaConnection } from '../src/client';
import { CreateTopics } from '../src/protocol/messages/19-create-topics';
import { startCluster, waitFor, type TestBroker, type TestCluster } from '../test/harness';
import { metadataFrom } from '../test/integration/util/metadata';

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

async function leadersEverywhere(brokers: TestBroker[], topic: string, n: number, forbid: number): Promise<boolean> {
  for (const b of brokers) {
    const md = await metadataFrom(b, [topic]).catch(() => null);
    const t = md?.topics.find((x) => x.name === topic);
    if (!t || t.errorCode !== 0 || t.partitions.length !== n) return false;
    if (t.partitions.some((p) => p.leaderId < 0 || p.leaderId === forbid)) return false;
  }
  return true;
}

async function oneRun(partitions: number): Promise<{ createMs: number; leaderFailoverMs: number; controllerFailoverMs: number }> {
  const cluster: TestCluster = await startCluster({ brokers: 3, sessionTimeoutMs: 6000, overrides: { 'auto.leader.rebalance.enable': 'false' } });
  try {
    const zk = await cluster.zkClient();
    const controllerId = await waitFor(async () => (await zk.getControllerId()) ?? undefined, { timeoutMs: 20_000, what: 'controller' });
    const leader = [1, 2, 3].find((id) => id !== controllerId)!;
    const others = [1, 2, 3].filter((id) => id !== leader);
    // Every partition has `leader` as its preferred replica, so one kill moves all 1,000 leaderships.
    const assignments = Array.from({ length: partitions }, (_x, i) => ({ partitionIndex: i, brokerIds: [leader, ...others] }));
    const c = cluster.broker(controllerId);
    const conn = await KafkaConnection.connect(c.host, c.port, { requestTimeoutMs: 60_000 });
    const t0 = Date.now();
    const resp = await conn.request(CreateTopics, 4, { topics: [{ name: 'bench', numPartitions: -1, replicationFactor: -1, assignments, configs: [] }], timeoutMs: 60_000, validateOnly: false });
    conn.close();
    if (resp.topics[0]!.errorCode !== 0) throw new Error(`create failed: ${resp.topics[0]!.errorCode} ${resp.topics[0]!.errorMessage}`);
    const all = [...cluster.brokers.values()];
    await waitFor(() => leadersEverywhere(all, 'bench', partitions, -1), { timeoutMs: 60_000, intervalMs: 10, what: 'all leaders after creation' });
    const createMs = Date.now() - t0;

    cluster.broker(leader).kill('SIGKILL');
    await waitFor(async () => !(await zk.getAllBrokers()).some((b) => b.id === leader), { timeoutMs: 30_000, intervalMs: 5, what: 'leader znode gone' });
    const t1 = Date.now();
    const survivors = all.filter((b) => b.id !== leader);
    await waitFor(() => leadersEverywhere(survivors, 'bench', partitions, leader), { timeoutMs: 60_000, intervalMs: 10, what: 'new leaders' });
    const leaderFailoverMs = Date.now() - t1;

    cluster.broker(controllerId).kill('SIGKILL');
    await waitFor(async () => (await zk.getControllerId()) !== controllerId, { timeoutMs: 30_000, intervalMs: 5, what: '/controller gone' });
    const t2 = Date.now();
    const last = survivors.filter((b) => b.id !== controllerId);
    await waitFor(async () => {
      const id = await zk.getControllerId();
      if (id === null || id === controllerId) return false;
      const md = await metadataFrom(last[0]!, ['bench']).catch(() => null);
      return md !== null && md.controllerId === id;
    }, { timeoutMs: 60_000, intervalMs: 5, what: 'new controller in metadata' });
    const controllerFailoverMs = Date.now() - t2;
    return { createMs, leaderFailoverMs, controllerFailoverMs };
  } finally {
    await cluster.teardown();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (k: string, d: number): number => (args.includes(k) ? Number(args[args.indexOf(k) + 1]) : d);
  const runs = arg('--runs', 3);
  const partitions = arg('--partitions', 1000);
  const results: Array<{ createMs: number; leaderFailoverMs: number; controllerFailoverMs: number }> = [];
  for (let i = 0; i < runs; i++) {
    const r = await oneRun(partitions);
    results.push(r);
    process.stderr.write(`run ${i + 1}: create ${r.createMs} ms, leader failover ${r.leaderFailoverMs} ms, controller failover ${r.controllerFailoverMs} ms\n`);
  }
  const m = (k: keyof (typeof results)[number]): number => median(results.map((r) => r[k]));
  const summary = { partitions, runs, createMsMedian: m('createMs'), leaderFailoverMsMedian: m('leaderFailoverMs'), controllerFailoverMsMedian: m('controllerFailoverMs'), samples: results, goals: { createMs: 5000, leaderFailoverMs: 2000 } };
  if (args.includes('--json')) process.stdout.write(JSON.stringify(summary) + '\n');
  else {
    process.stdout.write(`controller with ${partitions} partitions, RF 3, 3 brokers (median of ${runs})\n`);
    process.stdout.write(`  create topic until every broker has every leader : ${summary.createMsMedian} ms   goal < 5000 ms\n`);
    process.stdout.write(`  kill -9 of the leader of all partitions -> new leaders on every broker, after its znode is gone : ${summary.leaderFailoverMsMedian} ms   goal < 2000 ms\n`);
    process.stdout.write(`  controller failover (znode gone -> new controller in metadata) : ${summary.controllerFailoverMsMedian} ms\n`);
  }
}

main().then(() => process.exit(0), (e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
