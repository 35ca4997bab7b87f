// The chaos audit: every acknowledged record is read back from the partition leaders (lost, duplicated,
// reordered), then, with the brokers stopped, every replica's files are compared up to the high watermark.
import type { BrokerProcess, LocalCluster } from './cluster';
import { consumeAll, leaderBroker, listOffset, partitionView, readReplicaFromDisk, type Rec } from './inspect';
import { waitFor } from './waitFor';
import { COMPACTED, RETAINED, TOPIC, unpad, type Workload } from './workload';

export interface AuditResult {
  acknowledged: number;
  /** Acknowledged records not found (for the retained and compacted topics: described). */
  lost: string[];
  /** Acknowledged records found before a record acknowledged earlier on the same partition. */
  reordered: string[];
  /** Extra copies of a value in a partition. */
  duplicated: number;
  /** Values in the log whose send was not acknowledged (allowed: the acknowledgement was lost). */
  unackedPresent: number;
  replicaMismatches: string[];
  /** With retention and compaction: acknowledged records at or above the log start of the retained topic. */
  retainedChecked: number;
  /** Acknowledged records of the retained topic that retention removed (below the log start), as it may. */
  retainedBelowStart: number;
  /** Keys whose latest acknowledged value was checked on the compacted topic. */
  compactedKeys: number;
  /** Records of the compacted topic read back (against the acknowledged writes: how much the cleaner removed). */
  compactedRead: number;
}

/** What the replica comparison needs from the live phase: per topic and partition, the HW, replicas and leader log. */
interface PartitionState {
  hw: bigint;
  replicas: number[];
  leaderLog: Rec[];
}

const READ_TIMEOUT_MS = 30_000;

/** Reads a partition from its current leader (retrying while leadership moves), from `from` up to the HW. */
async function readFromLeader(cluster: LocalCluster, topic: string, p: number, from = 0n): Promise<{ records: Rec[]; hw: bigint }> {
  return waitFor(async () => consumeAll(await leaderBroker(cluster, topic, p), topic, p, from), { timeoutMs: READ_TIMEOUT_MS, what: `reading ${topic}-${p}` });
}

async function replicasOf(cluster: LocalCluster, topic: string, p: number): Promise<number[]> {
  return waitFor(async () => (await partitionView(cluster, topic, p))?.replicas, { timeoutMs: READ_TIMEOUT_MS, what: `the replicas of ${topic}-${p}` });
}

/**
 * Audits a cluster whose writers have stopped and whose replicas are all in sync, then stops every broker (a clean
 * shutdown) to compare the replicas' files.
 */
export async function audit(cluster: LocalCluster, w: Workload, partitions: number, retentionAndCompaction: boolean): Promise<AuditResult> {
  const r: AuditResult = { acknowledged: 0, lost: [], reordered: [], duplicated: 0, unackedPresent: 0, replicaMismatches: [], retainedChecked: 0, retainedBelowStart: 0, compactedKeys: 0, compactedRead: 0 };
  const state = new Map<string, PartitionState>();
  const key = (topic: string, p: number): string => `${topic}-${p}`;

  // Every acknowledged record is present, once, in acknowledged order within its partition.
  for (let p = 0; p < partitions; p++) {
    const { records, hw } = await readFromLeader(cluster, TOPIC, p);
    state.set(key(TOPIC, p), { hw, replicas: await replicasOf(cluster, TOPIC, p), leaderLog: records });
    const positions = new Map<string, number>();
    const counts = new Map<string, number>();
    records.forEach((rec, idx) => {
      if (!positions.has(rec.value)) positions.set(rec.value, idx);
      counts.set(rec.value, (counts.get(rec.value) ?? 0) + 1);
    });
    for (const c of counts.values()) if (c > 1) r.duplicated += c - 1;
    let last = -1;
    const acked = w.acked[p] as string[];
    for (const v of acked) {
      r.acknowledged++;
      const pos = positions.get(v);
      if (pos === undefined) r.lost.push(`${TOPIC}-${p}: ${v} (acknowledged at offset ${w.ackedOffsets.get(v)}; HW ${hw})`);
      else if (pos < last) r.reordered.push(v);
      else last = pos;
    }
    const ackedSet = new Set(acked);
    for (const v of counts.keys()) if (!ackedSet.has(v)) r.unackedPresent++;
  }

  if (retentionAndCompaction) {
    for (let p = 0; p < partitions; p++) {
      // Retained topic: everything acknowledged at or above the log start is there, at its offset.
      const start = await waitFor(async () => {
        const lo = await listOffset(await leaderBroker(cluster, RETAINED, p), RETAINED, p, -2n);
        return lo.errorCode === 0 ? lo.offset : undefined;
      }, { timeoutMs: READ_TIMEOUT_MS, what: `log start of ${RETAINED}-${p}` });
      const retained = await readFromLeader(cluster, RETAINED, p, start);
      state.set(key(RETAINED, p), { hw: retained.hw, replicas: await replicasOf(cluster, RETAINED, p), leaderLog: [] });
      const byOffset = new Map(retained.records.map((x) => [x.offset, unpad(x.value)]));
      for (const [value, offset] of w.retainedAcked[p] as Map<string, bigint>) {
        if (offset < start) {
          r.retainedBelowStart++;
          continue;
        }
        r.retainedChecked++;
        if (byOffset.get(offset) !== value) r.lost.push(`${RETAINED}-${p}@${offset}=${value} (found ${byOffset.get(offset) ?? 'nothing'})`);
      }
      // Compacted topic: the latest value of each key is at least as new as the latest acknowledged one.
      const compacted = await readFromLeader(cluster, COMPACTED, p);
      state.set(key(COMPACTED, p), { hw: compacted.hw, replicas: await replicasOf(cluster, COMPACTED, p), leaderLog: [] });
      r.compactedRead += compacted.records.length;
      const latest = new Map<string, number>();
      for (const x of compacted.records) if (x.key !== null) latest.set(x.key, Number(unpad(x.value).split(':')[1]));
      for (const [k, seq] of w.compactedAcked[p] as Map<string, number>) {
        r.compactedKeys++;
        const have = latest.get(k);
        if (have === undefined || have < seq) r.lost.push(`${COMPACTED}-${p} key ${k}: latest acknowledged #${seq}, log has ${have === undefined ? 'nothing' : `#${have}`}`);
      }
    }
  }

  // Replicas hold identical logs up to the HW: stop cleanly and compare each replica's files.
  for (const b of cluster.brokers.values()) await b.stop();
  const replicaLogs = async (topic: string, p: number): Promise<Array<{ broker: BrokerProcess; records: Rec[] }>> => {
    const s = state.get(key(topic, p)) as PartitionState;
    const hosts = s.replicas.map((id) => cluster.broker(id));
    return Promise.all(hosts.map(async (b) => ({ broker: b, records: (await readReplicaFromDisk(b, topic, p, s.hw)).records })));
  };
  for (let p = 0; p < partitions; p++) {
    const s = state.get(key(TOPIC, p)) as PartitionState;
    const reference = s.leaderLog.map((x) => `${x.offset}:${x.value}`);
    for (const { broker, records } of await replicaLogs(TOPIC, p)) {
      const mine = records.map((x) => `${x.offset}:${x.value}`);
      if (mine.length !== reference.length || mine.some((x, i) => x !== reference[i])) {
        const i = mine.findIndex((x, k) => x !== reference[k]);
        r.replicaMismatches.push(`${TOPIC}-${p} on broker ${broker.id}: ${mine.length} records vs ${reference.length} below HW ${s.hw}; first difference at ${i}: ${mine[i]} vs ${reference[i]}`);
      }
    }
    if (!retentionAndCompaction) continue;
    // Retention runs per replica: compare above the highest log start. Compaction too: compare latest values.
    const retained = await replicaLogs(RETAINED, p);
    const from = retained.reduce((m, x) => (x.records[0] && x.records[0].offset > m ? x.records[0].offset : m), 0n);
    const views = retained.map((x) => x.records.filter((y) => y.offset >= from).map((y) => `${y.offset}:${y.value}`).join(','));
    if (new Set(views).size !== 1) r.replicaMismatches.push(`${RETAINED}-${p}: replicas differ above offset ${from} below HW ${state.get(key(RETAINED, p))?.hw}`);
    const latestOf = (recs: Rec[]): string => {
      const m = new Map<string, string>();
      for (const x of recs) if (x.key !== null) m.set(x.key, x.value);
      return [...m].sort().map(([k, v]) => `${k}=${v}`).join(',');
    };
    const compacted = await replicaLogs(COMPACTED, p);
    if (new Set(compacted.map((x) => latestOf(x.records))).size !== 1) r.replicaMismatches.push(`${COMPACTED}-${p}: replicas disagree on the latest value of some key below HW ${state.get(key(COMPACTED, p))?.hw}`);
  }
  return r;
}
