// Looking into a running local cluster as the audit does: find leaders, read partitions over the wire (as a
// consumer, up to the HW), read a stopped broker's replica from its files. Data-path tests use them too.
import * as path from 'node:path';
import { KafkaConnection } from '../client';
import { Fetch } from '../protocol/messages/01-fetch';
import { ListOffsets } from '../protocol/messages/02-list-offsets';
import { Metadata, type MetadataResponse } from '../protocol/messages/03-metadata';
import { decodeBatchRecordsSync, type DecodedRecord } from '../protocol/record/records';
import { BATCH_LENGTH, LOG_OVERHEAD } from '../protocol/record/batch-header';
import { Log } from '../log/Log';
import { logConfig } from '../log/LogConfig';
import { OffsetCheckpointFile } from '../log/checkpoints';
import type { BrokerProcess, LocalCluster } from './cluster';
import { waitFor } from './waitFor';

export interface Rec {
  offset: bigint;
  key: string | null;
  value: string;
}

export async function metadataFrom(b: { host: string; port: number }, topics: string[] | null = null): Promise<MetadataResponse> {
  const conn = await KafkaConnection.connect(b.host, b.port, { clientId: 'brook-chaos', connectTimeoutMs: 5000, requestTimeoutMs: 10000 });
  try {
    return await conn.request(Metadata, 9, { topics: topics === null ? null : topics.map((name) => ({ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' })), allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  } finally {
    conn.close();
  }
}

export interface PartitionView {
  leader: number;
  leaderEpoch: number;
  isr: number[];
  replicas: number[];
  errorCode: number;
}

/** topic -> partition -> view, as one broker sees it. */
export async function partitionViews(b: { host: string; port: number }, topic: string): Promise<Map<number, PartitionView> | null> {
  const md = await metadataFrom(b, [topic]);
  const t = md.topics.find((x) => x.name === topic);
  if (!t || t.errorCode !== 0) return null;
  return new Map(t.partitions.map((p) => [p.partitionIndex, { leader: p.leaderId, leaderEpoch: p.leaderEpoch, isr: [...p.isrNodes].sort(), replicas: p.replicaNodes, errorCode: p.errorCode }]));
}

export const liveBrokers = (c: LocalCluster): BrokerProcess[] => [...c.brokers.values()].filter((b) => b.running);

/** Waits until every live broker names the same live controller (kafkajs admin needs it right after start). */
export async function waitForController(c: LocalCluster, timeoutMs = 30_000): Promise<number> {
  return waitFor(
    async () => {
      const ids = new Set<number>();
      for (const b of liveBrokers(c)) ids.add((await metadataFrom(b)).controllerId);
      const [id] = [...ids];
      return ids.size === 1 && id !== undefined && id >= 0 ? id : undefined;
    },
    { timeoutMs, what: 'an agreed controller on every broker' },
  );
}

/** The partition's state as the first answering live broker reports it. */
export async function partitionView(c: LocalCluster, topic: string, partition: number): Promise<PartitionView | undefined> {
  for (const b of liveBrokers(c)) {
    const v = await partitionViews(b, topic).catch(() => null);
    const p = v?.get(partition);
    if (p) return p;
  }
  return undefined;
}

/** Waits until a live leader is known and returns its broker. */
export async function leaderBroker(c: LocalCluster, topic: string, partition: number, timeoutMs = 30_000): Promise<BrokerProcess> {
  return waitFor(
    async () => {
      const v = await partitionView(c, topic, partition);
      if (!v || v.leader < 0) return undefined;
      const b = c.brokers.get(v.leader);
      return b && b.running ? b : undefined;
    },
    { timeoutMs, what: `a live leader for ${topic}-${partition}` },
  );
}

/** Decodes whole batches of a fetch response. */
export function decodeBatches(buf: Buffer): Rec[] {
  const out: Rec[] = [];
  let pos = 0;
  while (pos + LOG_OVERHEAD <= buf.length) {
    const size = buf.readInt32BE(pos + BATCH_LENGTH) + LOG_OVERHEAD;
    if (pos + size > buf.length) break;
    for (const r of decodeBatchRecordsSync(buf, pos)) out.push({ offset: r.offset, key: r.key ? r.key.toString() : null, value: r.value ? r.value.toString() : '' });
    pos += size;
  }
  return out;
}

/**
 * Reads a partition from its leader as a read_uncommitted consumer (Fetch v11), from `from` up to the HW, handing
 * each whole batch (with its records at or after the position, control records included) to `visit`; returns the HW.
 */
export async function readBatchesToHw(b: { host: string; port: number }, topic: string, partition: number, from: bigint, visit: (buf: Buffer, pos: number, records: DecodedRecord[]) => void): Promise<bigint> {
  const conn = await KafkaConnection.connect(b.host, b.port, { clientId: 'brook-chaos', requestTimeoutMs: 15000 });
  try {
    let offset = from;
    for (;;) {
      const r = await conn.request(Fetch, 11, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 8 << 20,
        isolationLevel: 0,
        topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1n, partitionMaxBytes: 4 << 20 }] }],
      });
      const p = r.responses[0]?.partitionResponses[0];
      if (!p) throw new Error('empty fetch response');
      if (p.errorCode !== 0) throw new Error(`fetch ${topic}-${partition}@${offset} failed with error ${p.errorCode}`);
      const buf = p.recordSet ?? Buffer.alloc(0);
      const start = offset;
      for (let pos = 0; pos + LOG_OVERHEAD <= buf.length; ) {
        const size = buf.readInt32BE(pos + BATCH_LENGTH) + LOG_OVERHEAD;
        if (pos + size > buf.length) break;
        const records = decodeBatchRecordsSync(buf, pos).filter((x) => x.offset >= offset);
        const last = records[records.length - 1];
        if (last) {
          visit(buf, pos, records);
          offset = last.offset + 1n;
        }
        pos += size;
      }
      if (offset >= p.highWatermark) return p.highWatermark;
      if (offset === start) throw new Error(`no progress reading ${topic}-${partition} at ${offset} below HW ${p.highWatermark}`);
    }
  } finally {
    conn.close();
  }
}

/** Reads a partition's records from its leader as a consumer, from `from` up to the HW. */
export async function consumeAll(b: { host: string; port: number }, topic: string, partition: number, from = 0n): Promise<{ records: Rec[]; hw: bigint }> {
  const records: Rec[] = [];
  const hw = await readBatchesToHw(b, topic, partition, from, (_buf, _pos, recs) => {
    for (const r of recs) records.push({ offset: r.offset, key: r.key ? r.key.toString() : null, value: r.value ? r.value.toString() : '' });
  });
  return { records, hw };
}

/** ListOffsets v1 latest/earliest as a consumer. */
export async function listOffset(b: { host: string; port: number }, topic: string, partition: number, timestamp: bigint): Promise<{ errorCode: number; offset: bigint }> {
  const conn = await KafkaConnection.connect(b.host, b.port, { clientId: 'brook-chaos' });
  try {
    const r = await conn.request(ListOffsets, 1, { replicaId: -1, topics: [{ name: topic, partitions: [{ partitionIndex: partition, timestamp }] }] });
    const p = r.topics[0]!.partitions[0]!;
    return { errorCode: p.errorCode, offset: p.offset };
  } finally {
    conn.close();
  }
}

/** A stopped broker's replica of a partition, read from its log dir: records below `upTo`, and its HW checkpoint. */
export async function readReplicaFromDisk(b: BrokerProcess, topic: string, partition: number, upTo: bigint): Promise<{ records: Rec[]; hw: bigint | undefined }> {
  const hws = new OffsetCheckpointFile(path.join(b.logDir, 'replication-offset-checkpoint')).readMapSync();
  const log = Log.loadSync({ dir: path.join(b.logDir, `${topic}-${partition}`), topic, partition, config: logConfig({}), hadCleanShutdown: false });
  try {
    const records: Rec[] = [];
    let offset = log.logStartOffset;
    while (offset < upTo && offset < log.logEndOffset) {
      const r = await log.read(offset, 4 << 20, { maxOffset: upTo });
      const recs = decodeBatches(r.records).filter((x) => x.offset >= offset && x.offset < upTo);
      if (r.records.length === 0) break;
      records.push(...recs);
      offset = r.nextOffset;
    }
    return { records, hw: hws.get(`${topic}-${partition}`) };
  } finally {
    await log.close();
  }
}
