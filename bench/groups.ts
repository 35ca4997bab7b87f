// Group-coordinator timings on a 3-broker cluster: a 10-member rebalance to Stable, OffsetCommit throughput through
// one coordinator, and coordinator failover after kill -9 (from the znode vanishing to offsets readable again).
// Run: npx ts-node --transpile-only bench/groups.ts [--runs 3] [--json]
// Set before any Brook module loads (CommonJS emit keeps this order): keeps the harness's info logs off stdout so
// --json output stays parseable; brokers' own levels are set by the harness.
process.env.BROOK_LOG_LEVEL ??= 'warn';
import { KafkaConnection } from '../src/client';
import {
  CreateTopics, DescribeGroups, FindCoordinator, Heartbeat, JoinGroup, OffsetCommit, OffsetFetch, SyncGroup,
} from '../src/protocol/messages';
import { startCluster, waitFor, type TestBroker, type TestCluster } from '../test/harness';
import { allHaveLeaders } from '../test/integration/util/metadata';

const TOPIC = 'bench-groups';
const PARTITIONS = 100;
const MEMBERS = 10;
const COMMIT_SECONDS = 5;
const COMMIT_PIPELINE = 16;
const COMMIT_PARTITIONS = 10;
const FAILOVER_TIMEOUT_MS = 30_000;

const E = { NONE: 0, ILLEGAL_GENERATION: 22, UNKNOWN_MEMBER_ID: 25, REBALANCE_IN_PROGRESS: 27, MEMBER_ID_REQUIRED: 79 } as const;
/**
 * COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR: in a fresh cluster FindCoordinator can name
 * a broker (from the UpdateMetadata it got) before that broker has applied its LeaderAndIsr for the offsets
 * partition, as in Kafka; clients retry, and so does the bench's first round of joins (not timed).
 */
const COORDINATOR_NOT_READY = new Set([14, 15, 16]);

// --- consumer protocol (v0) encoding: subscription and assignment blobs the coordinator treats as opaque ---
function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const h = Buffer.alloc(2);
  h.writeInt16BE(b.length);
  return Buffer.concat([h, b]);
}
function i16(n: number): Buffer { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; }
function i32(n: number): Buffer { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; }
function subscription(topics: string[]): Buffer {
  return Buffer.concat([i16(0), i32(topics.length), ...topics.map(str), i32(-1)]);
}
function assignment(topic: string, parts: number[]): Buffer {
  return Buffer.concat([i16(0), i32(1), str(topic), i32(parts.length), ...parts.map(i32), i32(-1)]);
}
function decodeAssignedCount(buf: Buffer): number {
  // version, topic count, then per topic name + int32 array; returns the total partitions assigned.
  let o = 2;
  const nt = buf.readInt32BE(o); o += 4;
  let total = 0;
  for (let t = 0; t < nt; t++) {
    const l = buf.readInt16BE(o); o += 2 + l;
    const np = buf.readInt32BE(o); o += 4 + 4 * np;
    total += np;
  }
  return total;
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

async function findCoordinator(via: TestBroker, group: string, forbid = -1): Promise<{ nodeId: number; host: string; port: number }> {
  const conn = await KafkaConnection.connect(via.host, via.port, { connectTimeoutMs: 2000, requestTimeoutMs: 5000 });
  try {
    const r = await conn.request(FindCoordinator, 2, { key: group, keyType: 0 });
    if (r.errorCode !== 0 || r.nodeId < 0 || r.nodeId === forbid) throw new Error(`FindCoordinator error ${r.errorCode} node ${r.nodeId}`);
    return { nodeId: r.nodeId, host: r.host, port: r.port };
  } finally {
    conn.close();
  }
}

// --- 1. rebalance of MEMBERS raw-protocol consumers ---
interface MemberState { conn: KafkaConnection; memberId: string; syncedGen: number; assigned: number; joinedAt: number }

async function rebalanceRun(coord: { host: string; port: number }, group: string): Promise<{ stableMs: number; joinMs: number; generation: number }> {
  const members: MemberState[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    members.push({ conn: await KafkaConnection.connect(coord.host, coord.port, { clientId: `bench-m${i}`, requestTimeoutMs: 60_000 }), memberId: '', syncedGen: -1, assigned: 0, joinedAt: 0 });
  }
  const meta = subscription([TOPIC]);
  const join = (m: MemberState) => m.conn.request(JoinGroup, 5, {
    groupId: group, sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 30_000, memberId: m.memberId, groupInstanceId: null,
    protocolType: 'consumer', protocols: [{ name: 'range', metadata: meta }],
  });
  try {
    // First round: every member obtains its member id (KIP-394), so all are known before anyone really joins.
    for (const m of members) {
      let r = await join(m);
      for (const deadline = Date.now() + 10_000; COORDINATOR_NOT_READY.has(r.errorCode) && Date.now() < deadline; r = await join(m)) {
        await new Promise((res) => setTimeout(res, 20));
      }
      if (r.errorCode !== E.MEMBER_ID_REQUIRED) throw new Error(`expected MEMBER_ID_REQUIRED, got ${r.errorCode}`);
      m.memberId = r.memberId;
    }
    let done = false;
    let finalGen = -1;
    let doneAt = 0;
    const checkDone = (): void => {
      const g = members[0]!.syncedGen;
      if (g > 0 && members.every((m) => m.syncedGen === g) && members.reduce((s, m) => s + m.assigned, 0) === PARTITIONS) { done = true; finalGen = g; doneAt = performance.now(); }
    };
    // A member: join, sync (leader sends the range assignment), then heartbeat until everyone is settled,
    // rejoining whenever the coordinator says a rebalance is under way.
    const runMember = async (m: MemberState, first: Promise<Awaited<ReturnType<typeof join>>>): Promise<void> => {
      let pending: Promise<Awaited<ReturnType<typeof join>>> | null = first;
      while (!done) {
        const j = await (pending ?? join(m));
        pending = null;
        if (j.errorCode === E.UNKNOWN_MEMBER_ID) { m.memberId = ''; continue; }
        if (j.errorCode === E.MEMBER_ID_REQUIRED) { m.memberId = j.memberId; continue; }
        if (j.errorCode !== 0) throw new Error(`JoinGroup error ${j.errorCode}`);
        m.joinedAt = performance.now();
        let assignments: Array<{ memberId: string; assignment: Buffer }> = [];
        if (j.leader === m.memberId) {
          const ids = j.members.map((x) => x.memberId).sort();
          const per = Math.floor(PARTITIONS / ids.length);
          const extra = PARTITIONS % ids.length;
          let next = 0;
          assignments = ids.map((id, idx) => {
            const n = per + (idx < extra ? 1 : 0);
            const parts = Array.from({ length: n }, (_x, k) => next + k);
            next += n;
            return { memberId: id, assignment: assignment(TOPIC, parts) };
          });
        }
        const s = await m.conn.request(SyncGroup, 3, { groupId: group, generationId: j.generationId, memberId: m.memberId, groupInstanceId: null, assignments });
        if (s.errorCode === E.REBALANCE_IN_PROGRESS || s.errorCode === E.ILLEGAL_GENERATION) continue;
        if (s.errorCode !== 0) throw new Error(`SyncGroup error ${s.errorCode}`);
        m.syncedGen = j.generationId;
        m.assigned = s.assignment.length > 0 ? decodeAssignedCount(s.assignment) : 0;
        checkDone();
        while (!done) {
          await new Promise((r) => setTimeout(r, 20));
          if (done) break;
          const h = await m.conn.request(Heartbeat, 3, { groupId: group, generationId: m.syncedGen, memberId: m.memberId, groupInstanceId: null });
          if (h.errorCode === E.REBALANCE_IN_PROGRESS || h.errorCode === E.ILLEGAL_GENERATION) break;
          if (h.errorCode !== 0) throw new Error(`Heartbeat error ${h.errorCode}`);
        }
      }
    };
    // Second round: all real joins pipelined back to back; the clock starts when the last one is sent.
    const firsts = members.map((m) => join(m));
    const t0 = performance.now();
    await Promise.all(members.map((m, i) => runMember(m, firsts[i]!)));
    // doneAt is when the last SyncGroup response of the settled generation was handled.
    const stableMs = doneAt - t0;
    const d = await members[0]!.conn.request(DescribeGroups, 4, { groups: [group], includeAuthorizedOperations: false });
    const g = d.groups[0]!;
    if (g.groupState !== 'Stable' || g.members.length !== MEMBERS) throw new Error(`group not Stable with ${MEMBERS} members: ${g.groupState} / ${g.members.length}`);
    // Join phase alone: until the last JoinGroup response of the settled generation (the rest is SyncGroup).
    const joinMs = Math.max(...members.map((m) => m.joinedAt)) - t0;
    return { stableMs, joinMs, generation: finalGen };
  } finally {
    for (const m of members) m.conn.close();
  }
}

// --- 2. OffsetCommit throughput through one coordinator ---
async function commitRun(coord: { host: string; port: number }, group: string): Promise<{ requestsPerSec: number; offsetsPerSec: number }> {
  const conn = await KafkaConnection.connect(coord.host, coord.port, { clientId: 'bench-commit', requestTimeoutMs: 30_000 });
  let offset = 0n;
  let requests = 0;
  const body = () => {
    offset++;
    return {
      groupId: group, generationId: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: TOPIC, partitions: Array.from({ length: COMMIT_PARTITIONS }, (_x, p) => ({ partitionIndex: p, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null })) }],
    };
  };
  try {
    const t0 = performance.now();
    const end = t0 + COMMIT_SECONDS * 1000;
    const worker = async (): Promise<void> => {
      while (performance.now() < end) {
        const r = await conn.request(OffsetCommit, 7, body());
        for (const t of r.topics) for (const p of t.partitions) if (p.errorCode !== 0) throw new Error(`OffsetCommit error ${p.errorCode}`);
        requests++;
      }
    };
    await Promise.all(Array.from({ length: COMMIT_PIPELINE }, () => worker()));
    const secs = (performance.now() - t0) / 1000;
    return { requestsPerSec: requests / secs, offsetsPerSec: (requests * COMMIT_PARTITIONS) / secs };
  } finally {
    conn.close();
  }
}

// --- 3. coordinator failover ---
async function failoverRun(cluster: TestCluster, group: string): Promise<{ failoverMs: number | null; oldCoordinator: number; newCoordinator: number; detail: string }> {
  const all = [...cluster.brokers.values()];
  const coord = await waitFor(() => findCoordinator(all[0]!, group), { timeoutMs: 30_000, intervalMs: 50, what: 'failover group coordinator' });
  const conn = await KafkaConnection.connect(coord.host, coord.port, { requestTimeoutMs: 10_000 });
  const committed = Array.from({ length: COMMIT_PARTITIONS }, (_x, p) => ({ partitionIndex: p, committedOffset: BigInt(1000 + p), committedLeaderEpoch: -1, committedMetadata: 'bench' }));
  const r = await conn.request(OffsetCommit, 7, { groupId: group, generationId: -1, memberId: '', groupInstanceId: null, topics: [{ name: TOPIC, partitions: committed }] });
  conn.close();
  for (const t of r.topics) for (const p of t.partitions) if (p.errorCode !== 0) throw new Error(`failover commit error ${p.errorCode}`);

  const zk = await cluster.zkClient();
  cluster.broker(coord.nodeId).kill('SIGKILL');
  await waitFor(async () => !(await zk.getAllBrokers()).some((b) => b.id === coord.nodeId), { timeoutMs: 30_000, intervalMs: 5, what: 'coordinator znode gone' });
  const t1 = performance.now();
  const survivors = all.filter((b) => b.id !== coord.nodeId);
  const fetchConns = new Map<number, KafkaConnection>();
  let newId = -1;
  const last = new Map<number, string>(); // per survivor: what it last said, reported when the deadline passes
  // Ask every survivor each round: whichever first names a live coordinator that serves the offsets ends the clock.
  const probe = async (via: TestBroker): Promise<boolean> => {
    try {
      const c = await findCoordinator(via, group, coord.nodeId);
      let fc = fetchConns.get(c.nodeId);
      if (!fc || fc.isClosed) {
        fc = await KafkaConnection.connect(c.host, c.port, { connectTimeoutMs: 2000, requestTimeoutMs: 5000 });
        fetchConns.set(c.nodeId, fc);
      }
      const f = await fc.request(OffsetFetch, 5, { groupId: group, topics: [{ name: TOPIC, partitionIndexes: committed.map((p) => p.partitionIndex) }] });
      const parts = f.topics.find((t) => t.name === TOPIC)?.partitions ?? [];
      const ok = f.errorCode === 0 && committed.every((c2) => parts.some((p) => p.partitionIndex === c2.partitionIndex && p.errorCode === 0 && p.committedOffset === c2.committedOffset));
      last.set(via.id, `coordinator ${c.nodeId}, OffsetFetch error ${f.errorCode}, offsets [${parts.map((p) => `${p.committedOffset}/${p.errorCode}`).join(' ')}]`);
      if (ok) newId = c.nodeId;
      return ok;
    } catch (e) {
      last.set(via.id, (e as Error).message);
      return false;
    }
  };
  try {
    await waitFor(async () => (await Promise.all(survivors.map(probe))).some((x) => x), { timeoutMs: FAILOVER_TIMEOUT_MS, intervalMs: 10, what: 'new coordinator serving committed offsets' });
  } catch {
    const detail = [...last].map(([id, m]) => `broker ${id}: ${m}`).join('; ');
    return { failoverMs: null, oldCoordinator: coord.nodeId, newCoordinator: -1, detail: `no coordinator served the offsets within ${FAILOVER_TIMEOUT_MS} ms (${detail})` };
  } finally {
    for (const c of fetchConns.values()) c.close();
  }
  return { failoverMs: performance.now() - t1, oldCoordinator: coord.nodeId, newCoordinator: newId, detail: '' };
}

interface RunResult { stableMs: number; joinMs: number; commitRequestsPerSec: number; commitOffsetsPerSec: number; failoverMs: number | null; failoverDetail: string }

async function oneRun(run: number): Promise<RunResult> {
  const cluster = await startCluster({ brokers: 3, overrides: { 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '10' } });
  try {
    const all = [...cluster.brokers.values()];
    const zk = await cluster.zkClient();
    const controllerId = await waitFor(async () => (await zk.getControllerId()) ?? undefined, { timeoutMs: 30_000, what: 'controller' });
    const ctl = cluster.broker(controllerId);
    const admin = await KafkaConnection.connect(ctl.host, ctl.port, { requestTimeoutMs: 60_000 });
    const ct = await admin.request(CreateTopics, 4, { topics: [{ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3, assignments: [], configs: [] }], timeoutMs: 60_000, validateOnly: false });
    admin.close();
    if (ct.topics[0]!.errorCode !== 0) throw new Error(`create topic failed: ${ct.topics[0]!.errorCode}`);
    await waitFor(() => allHaveLeaders(all, TOPIC, PARTITIONS), { timeoutMs: 60_000, intervalMs: 50, what: 'topic leaders' });

    const rg = `bench-rebalance-${run}`;
    const rc = await waitFor(() => findCoordinator(all[0]!, rg), { timeoutMs: 60_000, intervalMs: 50, what: 'rebalance group coordinator' });
    const reb = await rebalanceRun(rc, rg);

    const cg = `bench-commits-${run}`;
    const cc = await waitFor(() => findCoordinator(all[0]!, cg), { timeoutMs: 30_000, intervalMs: 50, what: 'commit group coordinator' });
    const com = await commitRun(cc, cg);

    process.stderr.write(`run ${run}: stable ${reb.stableMs.toFixed(1)} ms, commits ${com.requestsPerSec.toFixed(0)} req/s; now failover\n`);
    const fo = await failoverRun(cluster, `bench-failover-${run}`);
    process.stderr.write(`run ${run}: stable ${reb.stableMs.toFixed(1)} ms (joins answered at ${reb.joinMs.toFixed(1)} ms, gen ${reb.generation}), commits ${com.requestsPerSec.toFixed(0)} req/s = ${com.offsetsPerSec.toFixed(0)} offsets/s, failover ${fo.failoverMs === null ? 'FAILED' : `${fo.failoverMs.toFixed(0)} ms`} (${fo.oldCoordinator} -> ${fo.newCoordinator}) ${fo.detail}\n`);
    return { stableMs: reb.stableMs, joinMs: reb.joinMs, commitRequestsPerSec: com.requestsPerSec, commitOffsetsPerSec: com.offsetsPerSec, failoverMs: fo.failoverMs, failoverDetail: fo.detail };
  } finally {
    await cluster.teardown();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 3;
  const results: RunResult[] = [];
  for (let i = 1; i <= runs; i++) results.push(await oneRun(i));
  const stat = (k: 'stableMs' | 'joinMs' | 'commitRequestsPerSec' | 'commitOffsetsPerSec' | 'failoverMs') => {
    const xs = results.map((r) => r[k]).filter((x): x is number => x !== null);
    const failed = results.length - xs.length;
    return xs.length === 0 ? { median: NaN, min: NaN, max: NaN, failed } : { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), failed };
  };
  const summary = {
    runs, members: MEMBERS, partitions: PARTITIONS, commitPartitionsPerRequest: COMMIT_PARTITIONS, commitPipeline: COMMIT_PIPELINE,
    stableMs: stat('stableMs'), joinMs: stat('joinMs'), commitRequestsPerSec: stat('commitRequestsPerSec'), commitOffsetsPerSec: stat('commitOffsetsPerSec'), failoverMs: stat('failoverMs'),
    goals: { stableMs: 1000 }, samples: results.map(({ stableMs, joinMs, commitRequestsPerSec, commitOffsetsPerSec, failoverMs }) => ({ stableMs, joinMs, commitRequestsPerSec, commitOffsetsPerSec, failoverMs })), failoverFailures: results.map((r) => r.failoverDetail).filter((d) => d !== ''),
  };
  if (args.includes('--json')) { process.stdout.write(JSON.stringify(summary) + '\n'); return; }
  const rows: Array<[string, { median: number; min: number; max: number; failed: number }, number, string]> = [
    [`${MEMBERS} members Stable after last join (ms, goal < 1000)`, summary.stableMs, 1, ''],
    ['  of which: last JoinGroup response (ms)', summary.joinMs, 1, ''],
    [`OffsetCommit v7 requests/s (${COMMIT_PARTITIONS} partitions, ${COMMIT_PIPELINE} in flight)`, summary.commitRequestsPerSec, 0, ''],
    ['OffsetCommit partition-offsets/s', summary.commitOffsetsPerSec, 0, ''],
    ['coordinator failover, znode gone -> offsets fetchable (ms)', summary.failoverMs, 0, ''],
  ];
  process.stdout.write(`group coordinator, 3 brokers, ${PARTITIONS}-partition topic RF 3, ${runs} run(s)\n`);
  process.stdout.write(`${'metric'.padEnd(70)} ${'median'.padStart(10)} ${'min'.padStart(10)} ${'max'.padStart(10)}\n`);
  for (const [name, s, dp] of rows) process.stdout.write(`${name.padEnd(70)} ${s.median.toFixed(dp).padStart(10)} ${s.min.toFixed(dp).padStart(10)} ${s.max.toFixed(dp).padStart(10)}${s.failed ? `  (${s.failed} run(s) failed)` : ''}\n`);
  for (const d of summary.failoverFailures) process.stdout.write(`failover failure: ${d}\n`);
}

main().then(() => process.exit(0), (e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
