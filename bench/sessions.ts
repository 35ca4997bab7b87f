// Fetch sessions (KIP-227) with 1,000 partitions: what full and incremental fetch requests cost on the wire and in
// the leader's CPU, for a consumer and for a follower, while a trickle of records (100/s) lands on random partitions.
// "Full" is the same fetcher code against a leader with max.incremental.fetch.session.cache.slots=0 (it grants no
// session, so every request lists every partition, as Kafka does when its cache is full); "incremental" uses the
// default 1000 slots. Request and response bytes are TCP payload bytes the kernel counted on the fetcher's sockets
// (`ss -tin` bytes_sent / bytes_received); leader CPU is utime+stime from /proc/<pid>/stat over the window.
// Run: npx ts-node --transpile-only bench/sessions.ts [--quick] [--json]
process.env.BROOK_LOG_LEVEL ??= 'warn';
import { execFileSync } from 'node:child_process';
import { FetchSessionHandler, KafkaConnection, type SessionPartition } from '../src/client';
import { CreateTopics, Fetch, Produce } from '../src/protocol/messages';
import { buildRecordBatch } from '../src/protocol/record/records';
import { startCluster, waitFor, type TestBroker, type TestCluster } from '../test/harness';
import { allHaveLeaders } from '../test/integration/util/metadata';
import { procStats } from './lib/load';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const PARTITIONS = 1000;
const WINDOW_MS = quick ? 5_000 : 15_000;
const TRICKLE_EVERY_MS = 10;

/** `segs`: data segments sent; with Nagle off and requests under the loopback MSS, one per request. */
interface SocketBytes { localPort: number; pid: number; sent: number; received: number; segs: number }

/** TCP sockets to 127.0.0.1:`port`, with their owner and the payload bytes the kernel counted. */
function socketsTo(port: number): SocketBytes[] {
  const out = execFileSync('ss', ['-tinpH', 'dst', `127.0.0.1:${port}`], { encoding: 'utf8' });
  const lines = out.split('\n');
  const socks: SocketBytes[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = /^\S+\s+\d+\s+\d+\s+\S+:(\d+)\s+\S+:(\d+)\s+users:\(\("[^"]*",pid=(\d+)/.exec(lines[i] ?? '');
    if (!head || Number(head[2]) !== port) continue;
    const info = lines[i + 1] ?? '';
    const num = (k: string): number => Number(new RegExp(`\\b${k}:(\\d+)`).exec(info)?.[1] ?? 0);
    socks.push({ localPort: Number(head[1]), pid: Number(head[3]), sent: num('bytes_sent'), received: num('bytes_received'), segs: num('data_segs_out') });
  }
  return socks;
}
const sum = (xs: SocketBytes[]): { sent: number; received: number; segs: number } => xs.reduce((a, s) => ({ sent: a.sent + s.sent, received: a.received + s.received, segs: a.segs + s.segs }), { sent: 0, received: 0, segs: 0 });

/** One record every TRICKLE_EVERY_MS to a random partition of `topic`, on its own connection. */
async function trickle(leader: TestBroker, topic: string): Promise<{ stop: () => Promise<void> }> {
  const conn = await KafkaConnection.connect(leader.host, leader.port, { clientId: 'bench-sessions-producer' });
  let inFlight: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    inFlight = (async () => {
      const records = await buildRecordBatch({ records: [{ value: 'x'.repeat(100), timestamp: BigInt(Date.now()) }] });
      await conn.request(Produce, 7, { transactionalId: null, acks: 1, timeoutMs: 10_000, topicData: [{ name: topic, partitionData: [{ index: Math.floor(Math.random() * PARTITIONS), records }] }] });
    })().catch(() => undefined);
  }, TRICKLE_EVERY_MS);
  return { stop: async () => { clearInterval(timer); await inFlight; conn.close(); } };
}

async function createTopic(cluster: TestCluster, topic: string, replicas: number[]): Promise<void> {
  const zk = await cluster.zkClient();
  const controllerId = await waitFor(async () => (await zk.getControllerId()) ?? undefined, { timeoutMs: 30_000, what: 'controller' });
  const ctl = cluster.broker(controllerId);
  const admin = await KafkaConnection.connect(ctl.host, ctl.port, { requestTimeoutMs: 60_000 });
  try {
    const assignments = Array.from({ length: PARTITIONS }, (_, partitionIndex) => ({ partitionIndex, brokerIds: replicas }));
    const r = await admin.request(CreateTopics, 4, { topics: [{ name: topic, numPartitions: -1, replicationFactor: -1, assignments, configs: [] }], timeoutMs: 60_000, validateOnly: false });
    if (r.topics[0]!.errorCode !== 0) throw new Error(`create ${topic} failed: ${r.topics[0]!.errorCode}`);
  } finally {
    admin.close();
  }
  await waitFor(() => allHaveLeaders([...cluster.brokers.values()], topic, PARTITIONS), { timeoutMs: 60_000, intervalMs: 100, what: `${topic} leaders` });
}

interface Phase { requestBytesPerSec: number; responseBytesPerSec: number; leaderCpuPercent: number; fetches?: number; requestBytesPerFetch?: number; leaderCpuMsPerFetch?: number }

/** A consumer (replica id -1) fetching all partitions in a loop through a FetchSessionHandler. */
async function consumerPhase(leader: TestBroker, topic: string): Promise<Phase> {
  const before = new Set(socketsTo(leader.port).map((s) => s.localPort));
  const conn = await KafkaConnection.connect(leader.host, leader.port, { clientId: 'bench-sessions-consumer' });
  const mine = (): SocketBytes[] => socketsTo(leader.port).filter((s) => s.pid === process.pid && !before.has(s.localPort));
  const positions = new Map<number, bigint>(Array.from({ length: PARTITIONS }, (_, p) => [p, 0n]));
  const session = new FetchSessionHandler();
  const fetchOnce = async (): Promise<void> => {
    const wanted: SessionPartition[] = [...positions].map(([partition, fetchOffset]) => ({ topic, partition, fetchOffset, currentLeaderEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20, lastFetchedEpoch: -1 }));
    const r = await conn.request(Fetch, 11, { replicaId: -1, maxWaitMs: 500, minBytes: 1, maxBytes: 50 << 20, isolationLevel: 0, ...session.build(wanted), rackId: '' });
    if (!session.handleResponse(r)) return;
    for (const t of r.responses) for (const p of t.partitionResponses) if (p.errorCode === 0) positions.set(p.partition, p.highWatermark);
  };
  try {
    for (let i = 0; i < 5; i++) await fetchOnce(); // the session (if any) is open and positions are current
    const b0 = sum(mine());
    const c0 = procStats(leader.pid).cpuSecs;
    const t0 = Date.now();
    let fetches = 0;
    while (Date.now() - t0 < WINDOW_MS) {
      await fetchOnce();
      fetches++;
    }
    const secs = (Date.now() - t0) / 1000;
    const cpu = procStats(leader.pid).cpuSecs - c0;
    const b1 = sum(mine());
    return {
      requestBytesPerSec: (b1.sent - b0.sent) / secs, responseBytesPerSec: (b1.received - b0.received) / secs,
      leaderCpuPercent: (cpu / secs) * 100, fetches, requestBytesPerFetch: (b1.sent - b0.sent) / fetches, leaderCpuMsPerFetch: (cpu * 1000) / fetches,
    };
  } finally {
    conn.close();
  }
}

/** The follower's ReplicaFetcher replicating every partition from the leader; its sockets to the leader's port. */
async function followerPhase(leader: TestBroker, follower: TestBroker): Promise<Phase> {
  const theirs = (): SocketBytes[] => socketsTo(leader.port).filter((s) => s.pid === follower.pid);
  await new Promise((r) => setTimeout(r, 2000)); // past truncation and the first full fetch
  const b0 = sum(theirs());
  const c0 = procStats(leader.pid).cpuSecs;
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  const secs = (Date.now() - t0) / 1000;
  const cpu = procStats(leader.pid).cpuSecs - c0;
  const b1 = sum(theirs());
  // The follower's fetcher sends only Fetch requests once truncation is done: its data segments count them.
  const fetches = b1.segs - b0.segs;
  return {
    requestBytesPerSec: (b1.sent - b0.sent) / secs, responseBytesPerSec: (b1.received - b0.received) / secs, leaderCpuPercent: (cpu / secs) * 100,
    fetches, requestBytesPerFetch: (b1.sent - b0.sent) / fetches, leaderCpuMsPerFetch: (cpu * 1000) / fetches,
  };
}

async function mode(slots: number): Promise<{ consumer: Phase; follower: Phase }> {
  const cluster = await startCluster({ brokers: 2, overrides: { 'max.incremental.fetch.session.cache.slots': String(slots), 'auto.create.topics.enable': 'false' } });
  try {
    const leader = cluster.broker(1);
    const follower = cluster.broker(2);
    // Consumer first, on a topic only broker 1 holds, so no replication runs meanwhile.
    await createTopic(cluster, 'bench-sessions-consume', [1]);
    let t = await trickle(leader, 'bench-sessions-consume');
    const consumer = await consumerPhase(leader, 'bench-sessions-consume');
    await t.stop();
    await createTopic(cluster, 'bench-sessions-replicate', [1, 2]);
    t = await trickle(leader, 'bench-sessions-replicate');
    const followerPhaseResult = await followerPhase(leader, follower);
    await t.stop();
    return { consumer, follower: followerPhaseResult };
  } finally {
    await cluster.teardown();
  }
}

async function main(): Promise<void> {
  const full = await mode(0);
  const incremental = await mode(1000);
  const out = { partitions: PARTITIONS, windowMs: WINDOW_MS, trickleRecordsPerSec: 1000 / TRICKLE_EVERY_MS, full, incremental };
  process.stdout.write(`${JSON.stringify(out, null, args.includes('--json') ? 0 : 2)}\n`);
}

main().then(() => process.exit(0), (e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
