// The crash test: acks=-1 producers writing numbered messages while a nemesis kills (-9), pauses past the session
// timeout and restarts brokers and ZooKeeper; then checks no acknowledged message was lost or reordered and that
// replicas agree up to the high watermark. Used by the short jest test and the long script.
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startCluster, waitFor, type TestBroker, type TestCluster } from '../harness';
import { consumeAll, leaderBroker, listOffset, partitionView, readReplicaFromDisk, waitForController, type Rec } from '../integration/datapath-helpers';

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
  /**
   * Retention and compaction at work during the faults: the topic under test gets small segments, a second topic
   * small retention.bytes (checked on the retained range), a third is compacted over many keys (checked for the
   * latest value of every key).
   */
  retentionAndCompaction?: boolean;
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
  /** With retentionAndCompaction: acknowledged records at or above the log start of the retained topic. */
  retainedChecked: number;
  /** Acknowledged records of the retained topic that retention removed (below the log start), as it may. */
  retainedBelowStart: number;
  /** With retentionAndCompaction: keys whose latest acknowledged value was checked on the compacted topic. */
  compactedKeys: number;
  /** Records of the compacted topic read back, against acknowledged writes: how much the cleaner removed. */
  compactedRead: number;
  compactedAcked: number;
}

const TOPIC = 'crash';
const RETAINED = 'crash-retained';
const COMPACTED = 'crash-compacted';
const COMPACTED_KEYS = 300;
/** Pads a value so that small segments roll every few dozen records. */
const pad = (v: string): string => v.padEnd(200, '.');
const unpad = (v: string): string => v.replace(/\.+$/, '');

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
      ...(opts.retentionAndCompaction ? { 'log.retention.check.interval.ms': '1000', 'log.cleaner.backoff.ms': '1000' } : {}),
    },
  });
  const report: CrashReport = {
    faults: [], attempted: 0, acknowledged: 0, failedSends: 0, lost: [], reordered: [], duplicated: 0, unackedPresent: 0, replicaMismatches: [], durationMs: 0,
    retainedChecked: 0, retainedBelowStart: 0, compactedKeys: 0, compactedRead: 0, compactedAcked: 0,
  };
  const extra = opts.retentionAndCompaction === true;
  let producer: Producer | null = null;
  let producing = true;
  let writers: Array<Promise<void>> = [];
  try {
    await waitForController(cluster);
    const kafka = new Kafka({ clientId: 'crash-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, requestTimeout: 10_000, retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 } });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const minIsr = { name: 'min.insync.replicas', value: '2' };
      const small = { name: 'segment.bytes', value: '16384' };
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          { topic: TOPIC, numPartitions: partitions, replicationFactor: 3, configEntries: extra ? [minIsr, { name: 'segment.bytes', value: '32768' }] : [minIsr] },
          ...(extra
            ? [
                { topic: RETAINED, numPartitions: partitions, replicationFactor: 3, configEntries: [minIsr, small, { name: 'retention.bytes', value: '65536' }] },
                { topic: COMPACTED, numPartitions: partitions, replicationFactor: 3, configEntries: [minIsr, small, { name: 'cleanup.policy', value: 'compact' }, { name: 'min.cleanable.dirty.ratio', value: '0.01' }] },
              ]
            : []),
        ],
      });
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

    // Retained topic: acknowledged value -> offset. Compacted topic: key -> latest acknowledged sequence number.
    const retainedAcked: Array<Map<string, bigint>> = Array.from({ length: partitions }, () => new Map());
    const compactedAcked: Array<Map<string, number>> = Array.from({ length: partitions }, () => new Map());
    if (extra) {
      const send = async (topic: string, p: number, key: string | null, value: string): Promise<bigint | null> => {
        try {
          const res = await producer!.send({ topic, acks: -1, timeout: 5000, messages: [{ partition: p, key, value: pad(value) }] });
          return BigInt(res[0]!.baseOffset as string);
        } catch {
          report.failedSends++;
          await new Promise((r) => setTimeout(r, 100));
          return null;
        }
      };
      for (let p = 0; p < partitions; p++) {
        writers.push((async () => {
          for (let i = 0; producing; i++) {
            const value = `r${p}-${i}`;
            const offset = await send(RETAINED, p, null, value);
            if (offset !== null) (retainedAcked[p] as Map<string, bigint>).set(value, offset);
          }
        })());
        writers.push((async () => {
          for (let i = 0; producing; i++) {
            const key = `k${i % COMPACTED_KEYS}`;
            const offset = await send(COMPACTED, p, key, `${key}:${i}`);
            if (offset !== null) {
              (compactedAcked[p] as Map<string, number>).set(key, i);
              report.compactedAcked++;
            }
          }
        })());
      }
    }

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
    // Every replica back in the ISR of every topic, so each holds everything below the HW compared below.
    await waitHealthy(cluster, partitions, 3, 90_000, extra ? [TOPIC, RETAINED, COMPACTED] : [TOPIC]);

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

    const retainedHws: bigint[] = [];
    const compactedHws: bigint[] = [];
    if (extra) {
      for (let p = 0; p < partitions; p++) {
        // Retained topic: everything acknowledged at or above the log start is there, at its offset.
        const leader = await leaderBroker(cluster, RETAINED, p);
        const start = await waitFor(async () => {
          const r = await listOffset(leader, RETAINED, p, -2n);
          return r.errorCode === 0 ? r.offset : undefined;
        }, { timeoutMs: 30_000, what: `log start of ${RETAINED}-${p}` });
        const { records, hw } = await waitFor(async () => consumeAll(await leaderBroker(cluster, RETAINED, p), RETAINED, p, start), { timeoutMs: 30_000, what: `reading ${RETAINED}-${p}` });
        retainedHws.push(hw);
        const byOffset = new Map(records.map((r) => [r.offset, unpad(r.value)]));
        for (const [value, offset] of retainedAcked[p] as Map<string, bigint>) {
          if (offset < start) {
            report.retainedBelowStart++;
            continue;
          }
          report.retainedChecked++;
          if (byOffset.get(offset) !== value) report.lost.push(`${RETAINED}-${p}@${offset}=${value} (found ${byOffset.get(offset) ?? 'nothing'})`);
        }
        // Compacted topic: the latest value of each key is at least as new as the latest acknowledged one.
        const c = await waitFor(async () => consumeAll(await leaderBroker(cluster, COMPACTED, p), COMPACTED, p), { timeoutMs: 30_000, what: `reading ${COMPACTED}-${p}` });
        compactedHws.push(c.hw);
        report.compactedRead += c.records.length;
        const latest = new Map<string, number>();
        for (const r of c.records) if (r.key !== null) latest.set(r.key, Number(unpad(r.value).split(':')[1]));
        for (const [key, seq] of compactedAcked[p] as Map<string, number>) {
          report.compactedKeys++;
          const have = latest.get(key);
          if (have === undefined || have < seq) report.lost.push(`${COMPACTED}-${p} key ${key}: latest acknowledged #${seq}, log has ${have === undefined ? 'nothing' : `#${have}`}`);
        }
      }
    }

    // Replicas hold identical logs up to the HW: stop cleanly and compare each replica's files.
    for (const b of brokers()) await b.stop();
    if (extra) {
      for (let p = 0; p < partitions; p++) {
        // Retention runs per replica: compare above the highest log start; compaction too: compare latest values.
        const retained = await Promise.all(brokers().map((b) => readReplicaFromDisk(b, RETAINED, p, retainedHws[p] as bigint)));
        const from = retained.reduce((m, r) => (r.records[0] && r.records[0].offset > m ? r.records[0].offset : m), 0n);
        const views = retained.map((r) => r.records.filter((x) => x.offset >= from).map((x) => `${x.offset}:${x.value}`).join(','));
        if (new Set(views).size !== 1) report.replicaMismatches.push(`${RETAINED}-${p}: replicas differ above offset ${from} below HW ${retainedHws[p]}`);
        const compacted = await Promise.all(brokers().map((b) => readReplicaFromDisk(b, COMPACTED, p, compactedHws[p] as bigint)));
        const latestOf = (recs: Rec[]): string => {
          const m = new Map<string, string>();
          for (const r of recs) if (r.key !== null) m.set(r.key, r.value);
          return [...m].sort().map(([k, v]) => `${k}=${v}`).join(',');
        };
        if (new Set(compacted.map((r) => latestOf(r.records))).size !== 1) report.replicaMismatches.push(`${COMPACTED}-${p}: replicas disagree on the latest value of some key below HW ${compactedHws[p]}`);
      }
    }
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
async function waitHealthy(cluster: TestCluster, partitions: number, minIsr: number, timeoutMs: number, topics: string[] = [TOPIC]): Promise<void> {
  const check = async (): Promise<boolean> => {
    const zk = await cluster.zkClient();
    const ids = await zk.getAllBrokers();
    if (ids.length < 3) return false;
    for (const topic of topics) {
      for (let p = 0; p < partitions; p++) {
        const v = await partitionView(cluster, topic, p);
        if (!v || v.leader < 0 || v.isr.length < minIsr) return false;
      }
    }
    return true;
  };
  // A hung ZooKeeper call counts as "not yet", so the deadline below still applies. On timeout, say which partitions.
  const describe = async (): Promise<string> => {
    const lines: string[] = [];
    for (const topic of topics) {
      for (let p = 0; p < partitions; p++) {
        const v = await partitionView(cluster, topic, p).catch(() => undefined);
        if (!v || v.leader < 0 || v.isr.length < minIsr) lines.push(`${topic}-${p}: ${v ? `leader ${v.leader}, ISR [${v.isr.join(',')}]` : 'no metadata'}`);
      }
    }
    return lines.join('; ');
  };
  await waitFor(
    () => Promise.race([check(), new Promise<boolean>((r) => setTimeout(() => r(false), 5000).unref())]),
    { timeoutMs, intervalMs: 200, what: `a healthy cluster (ISR >= ${minIsr} everywhere)` },
  ).catch(async (e: unknown) => {
    throw new Error(`${(e as Error).message}; not healthy: ${await describe()} (broker logs: ${cluster.dataDir})`);
  });
}
