// Helpers for data-path integration tests: find leaders, read partitions over the wire, read replicas from disk.
import * as path from 'node:path';
import { KafkaConnection } from '../../src/client';
import { Fetch } from '../../src/protocol/messages/01-fetch';
import { ListOffsets } from '../../src/protocol/messages/02-list-offsets';
import { decodeBatchRecordsSync } from '../../src/protocol/record/records';
import { BATCH_LENGTH, LOG_OVERHEAD } from '../../src/protocol/record/batch-header';
import { Log } from '../../src/log/Log';
import { logConfig } from '../../src/log/LogConfig';
import { OffsetCheckpointFile } from '../../src/log/checkpoints';
import { waitFor, type TestBroker, type TestCluster } from '../harness';
import { metadataFrom, partitionViews, type PartitionView } from './util/metadata';

export interface Rec {
  offset: bigint;
  key: string | null;
  value: string;
}

export const liveBrokers = (c: TestCluster): TestBroker[] => [...c.brokers.values()].filter((b) => b.running);

/** Waits until every live broker names the same live controller (kafkajs admin needs it right after start). */
export async function waitForController(c: TestCluster, timeoutMs = 30_000): Promise<number> {
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
export async function partitionView(c: TestCluster, topic: string, partition: number): Promise<PartitionView | undefined> {
  for (const b of liveBrokers(c)) {
    const v = await partitionViews(b, topic).catch(() => null);
    const p = v?.get(partition);
    if (p) return p;
  }
  return undefined;
}

/** Waits until a live leader is known and returns its broker. */
export async function leaderBroker(c: TestCluster, topic: string, partition: number, timeoutMs = 30_000): Promise<TestBroker> {
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

/** Reads a partition from its leader as a consumer (Fetch v11), from `from` up to the HW. */
export async function consumeAll(b: { host: string; port: number }, topic: string, partition: number, from = 0n): Promise<{ records: Rec[]; hw: bigint }> {
  const conn = await KafkaConnection.connect(b.host, b.port, { clientId: 'datapath-test', requestTimeoutMs: 15000 });
  try {
    const records: Rec[] = [];
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
      const recs = decodeBatches(p.recordSet ?? Buffer.alloc(0)).filter((x) => x.offset >= offset);
      records.push(...recs);
      const last = recs[recs.length - 1];
      if (!last) {
        if (offset >= p.highWatermark) return { records, hw: p.highWatermark };
        throw new Error(`no progress reading ${topic}-${partition} at ${offset} below HW ${p.highWatermark}`);
      }
      offset = last.offset + 1n;
      if (offset >= p.highWatermark) return { records, hw: p.highWatermark };
    }
  } finally {
    conn.close();
  }
}

/** ListOffsets v1 latest/earliest as a consumer. */
export async function listOffset(b: { host: string; port: number }, topic: string, partition: number, timestamp: bigint): Promise<{ errorCode: number; offset: bigint }> {
  const conn = await KafkaConnection.connect(b.host, b.port, { clientId: 'datapath-test' });
  try {
    const r = await conn.request(ListOffsets, 1, { replicaId: -1, topics: [{ name: topic, partitions: [{ partitionIndex: partition, timestamp }] }] });
    const p = r.topics[0]!.partitions[0]!;
    return { errorCode: p.errorCode, offset: p.offset };
  } finally {
    conn.close();
  }
}

/** A stopped broker's replica of a partition, read from its log dir: records below `upTo`, and its HW checkpoint. */
export async function readReplicaFromDisk(b: TestBroker, topic: string, partition: number, upTo: bigint): Promise<{ records: Rec[]; hw: bigint | undefined }> {
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
