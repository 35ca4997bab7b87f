// The crash test: acks=-1 producers writing numbered messages while a nemesis kills (-9), pauses past the session
// timeout and restarts brokers and ZooKeeper; then checks no acknowledged message was lost or reordered and that
// replicas agree up to the high watermark. Used by the short jest test and the long script.
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startCluster, waitFor, type TestBroker, type TestCluster } from '../harness';
import { consumeAll, leaderBroker, partitionView, readReplicaFromDisk, waitForController, type Rec } from '../integration/datapath-helpers';

export interface CrashOptions {
  faults: number;
  partitions?: number;
  /** Milliseconds of steady producing between faults. */
  quietMs?: number;
  sessionTimeoutMs?: number;
  log?: (msg: string) => void;
  seed?: number;
  /** Fault kinds to draw from (default: all). */
  faultKinds?: FaultKind[];
}

export interface CrashReport {
  faults: string[];
  attempted: number;
  acknowledged: number;
  failedSends: number;
  lost: string[];
  reordered: string[];
  duplicated: number;
  unackedPresent: number;
  replicaMismatches: string[];
  durationMs: number;
}

const TOPIC = 'crash';

/** Small deterministic PRNG so a failing run can be repeated with its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

export async function runCrashTest(opts: CrashOptions): Promise<CrashReport> {
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const partitions = opts.partitions ?? 3;
  const sessionMs = opts.sessionTimeoutMs ?? 4000;
  const quietMs = opts.quietMs ?? 1500;
  const random = rng(opts.seed ?? Date.now());
  const cluster = await startCluster({
    brokers: 3,
    sessionTimeoutMs: sessionMs,
    overrides: {
      'replica.lag.time.max.ms': '3000',
      'replica.fetch.backoff.ms': '200',
      'unclean.leader.election.enable': 'false',
      'auto.leader.rebalance.enable': 'false',
      'controlled.shutdown.retry.backoff.ms': '200',
      'controlled.shutdown.max.retries': '2',
    },
  });
  const report: CrashReport = { faults: [], attempted: 0, acknowledged: 0, failedSends: 0, lost: [], reordered: [], duplicated: 0, unackedPresent: 0, replicaMismatches: [], durationMs: 0 };
  let producer: Producer | null = null;
  let producing = true;
  let writers: Array<Promise<void>> = [];
  try {
    await waitForController(cluster);
    const kafka = new Kafka({ clientId: 'crash-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, requestTimeout: 10_000, retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 } });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: partitions, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
    } finally {
      await admin.disconnect();
    }
    await waitHealthy(cluster, partitions, 3, 60_000);

    // Producers: one sequential writer per partition, so "acknowledged order" is well defined.
    producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1 });
    await producer.connect();
    const acked: string[][] = Array.from({ length: partitions }, () => []);
    const attempted = new Set<string>();
    writers = Array.from({ length: partitions }, async (_, p) => {
      let i = 0;
      while (producing) {
        const value = `p${p}-${i++}`;
        attempted.add(value);
        try {
          await producer!.send({ topic: TOPIC, acks: -1, timeout: 5000, messages: [{ partition: p, value }] });
          (acked[p] as string[]).push(value);
        } catch {
          report.failedSends++;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    });

    const brokers = (): TestBroker[] => [...cluster.brokers.values()];
    for (let f = 0; f < opts.faults; f++) {
      await new Promise((r) => setTimeout(r, quietMs));
      const kind = pickFault(random, f, opts.faultKinds ?? ALL_FAULT_KINDS);
      const desc = await injectFault(cluster, kind, random, brokers(), sessionMs, partitions);
      report.faults.push(desc);
      log(`fault ${f + 1}/${opts.faults}: ${desc}; acked so far ${acked.reduce((s, a) => s + a.length, 0)}`);
      await waitHealthy(cluster, partitions, 2, 90_000);
    }
    await new Promise((r) => setTimeout(r, quietMs));
    producing = false;
    await Promise.all(writers);
    await producer.disconnect();
    producer = null;
    await waitHealthy(cluster, partitions, 3, 90_000);

    // Every acknowledged message is present, in acknowledged order within its partition.
    report.attempted = attempted.size;
    const leaderLogs: Rec[][] = [];
    const hws: bigint[] = [];
    for (let p = 0; p < partitions; p++) {
      const { records, hw } = await waitFor(async () => consumeAll(await leaderBroker(cluster, TOPIC, p), TOPIC, p), { timeoutMs: 30_000, what: `reading ${TOPIC}-${p}` });
      leaderLogs.push(records);
      hws.push(hw);
      const positions = new Map<string, number>();
      const counts = new Map<string, number>();
      records.forEach((r, idx) => {
        if (!positions.has(r.value)) positions.set(r.value, idx);
        counts.set(r.value, (counts.get(r.value) ?? 0) + 1);
      });
      for (const c of counts.values()) if (c > 1) report.duplicated += c - 1;
      let last = -1;
      const ackedSet = new Set(acked[p]);
      for (const v of acked[p] as string[]) {
        report.acknowledged++;
        const pos = positions.get(v);
        if (pos === undefined) report.lost.push(v);
        else if (pos < last) report.reordered.push(v);
        else last = pos;
      }
      for (const v of counts.keys()) if (!ackedSet.has(v)) report.unackedPresent++;
    }

    // Replicas hold identical logs up to the HW: stop cleanly and compare each replica's files.
    for (const b of brokers()) await b.stop();
    for (let p = 0; p < partitions; p++) {
      const reference = (leaderLogs[p] as Rec[]).map((r) => `${r.offset}:${r.value}`);
      for (const b of brokers()) {
        const { records } = await readReplicaFromDisk(b, TOPIC, p, hws[p] as bigint);
        const mine = records.map((r) => `${r.offset}:${r.value}`);
        if (mine.length !== reference.length || mine.some((x, i) => x !== reference[i])) {
          const i = mine.findIndex((x, k) => x !== reference[k]);
          report.replicaMismatches.push(`${TOPIC}-${p} on broker ${b.id}: ${mine.length} records vs ${reference.length} below HW ${hws[p]}; first difference at ${i}: ${mine[i]} vs ${reference[i]}`);
        }
      }
    }
  } finally {
    producing = false;
    await Promise.all(writers).catch(() => undefined);
    if (producer) await producer.disconnect().catch(() => undefined);
    report.durationMs = Date.now() - t0;
    await cluster.teardown();
  }
  return report;
}

export type FaultKind = 'kill-leader' | 'kill-follower' | 'kill-controller' | 'pause' | 'zk-restart';
export const ALL_FAULT_KINDS: FaultKind[] = ['kill-leader', 'kill-follower', 'kill-controller', 'zk-restart', 'pause'];

function pickFault(random: () => number, index: number, allowed: FaultKind[]): FaultKind {
  // The first faults cover each allowed kind once, in this order; then random. (ZooKeeper restart comes before the
  // first pause: a broker whose session expired once was seen not to re-register after a later ZooKeeper restart.)
  const kinds = ALL_FAULT_KINDS.filter((k) => allowed.includes(k));
  if (index < kinds.length) return kinds[index] as FaultKind;
  const weights = ([['kill-leader', 3], ['kill-follower', 2], ['kill-controller', 2], ['pause', 2], ['zk-restart', 1]] as Array<[FaultKind, number]>).filter(([k]) => allowed.includes(k));
  let x = random() * weights.reduce((s, w) => s + w[1], 0);
  for (const [k, w] of weights) {
    if ((x -= w) < 0) return k;
  }
  return kinds[0] ?? 'kill-leader';
}

async function injectFault(cluster: TestCluster, kind: FaultKind, random: () => number, brokers: TestBroker[], sessionMs: number, partitions: number): Promise<string> {
  const p = Math.floor(random() * partitions);
  const pickBroker = async (): Promise<TestBroker> => {
    if (kind === 'kill-controller') {
      const id = await (await cluster.zkClient()).getControllerId().catch(() => null);
      if (id !== null && cluster.brokers.get(id)) return cluster.broker(id);
    }
    const v = await partitionView(cluster, TOPIC, p);
    if (v && v.leader >= 0) {
      if (kind === 'kill-leader' || kind === 'pause') return cluster.broker(v.leader);
      const followers = v.replicas.filter((r) => r !== v.leader);
      const f = followers[Math.floor(random() * followers.length)];
      if (f !== undefined) return cluster.broker(f);
    }
    return brokers[Math.floor(random() * brokers.length)] as TestBroker;
  };
  if (kind === 'zk-restart') {
    await cluster.zk.restart();
    return 'ZooKeeper restarted';
  }
  const b = await pickBroker();
  if (kind === 'pause') {
    b.pause();
    await new Promise((r) => setTimeout(r, sessionMs + 1500));
    b.resume();
    return `broker ${b.id} (leader of ${TOPIC}-${p}) paused ${sessionMs + 1500} ms`;
  }
  await b.killAndWait();
  // Its registration must expire first (as with Kafka, the same broker.id cannot register twice).
  await b.waitUnregistered(sessionMs * 3 + 10_000);
  await new Promise((r) => setTimeout(r, Math.floor(random() * 1000)));
  await b.restart();
  return `kill -9 of broker ${b.id} (${kind}), restarted`;
}

/** All brokers registered and every partition led with an ISR of at least `minIsr`. */
async function waitHealthy(cluster: TestCluster, partitions: number, minIsr: number, timeoutMs: number): Promise<void> {
  const check = async (): Promise<boolean> => {
    const zk = await cluster.zkClient();
    const ids = await zk.getAllBrokers();
    if (ids.length < 3) return false;
    for (let p = 0; p < partitions; p++) {
      const v = await partitionView(cluster, TOPIC, p);
      if (!v || v.leader < 0 || v.isr.length < minIsr) return false;
    }
    return true;
  };
  // A hung ZooKeeper call counts as "not yet", so the deadline below still applies.
  await waitFor(
    () => Promise.race([check(), new Promise<boolean>((r) => setTimeout(() => r(false), 5000).unref())]),
    { timeoutMs, intervalMs: 200, what: `a healthy cluster (ISR >= ${minIsr} everywhere)` },
  );
}
