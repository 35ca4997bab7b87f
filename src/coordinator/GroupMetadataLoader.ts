// Replays one __consumer_offsets partition into groups, committed offsets and still-open transactional offsets
// (Kafka 2.8's GroupMetadataManager.doLoadGroupsAndOffsets): a transactional batch's offsets stay pending for its
// producer until that producer's control batch (COMMIT applies them, ABORT drops them); markers are not data.
import { iterateBatches, isControl, isTransactional } from '../protocol/record/batch-header';
import { decodeBatchRecordsSync, type DecodedRecord } from '../protocol/record/records';
import { ControlRecordType, readControlRecord } from '../protocol/record/controlRecords';
import type { Logger } from '../util/logger';
import { olderThan, type CommittedOffset } from './GroupMetadata';
import type { OffsetsTopicStore } from './OffsetsTopicStore';
import { tpKey } from '../util/types';
import { decodeGroupMetadataValue, decodeKey, decodeOffsetCommitValue, type GroupMetadataValue } from './records';

/** groupId -> tpKey -> offset. */
export type GroupOffsetsMap = Map<string, Map<string, CommittedOffset>>;

export interface ReplayedPartition {
  /** Last group metadata value of each group seen (null: tombstoned). */
  groupValues: Map<string, GroupMetadataValue | null>;
  /** Committed offsets per group. */
  offsets: GroupOffsetsMap;
  /** Transactional offsets without a marker yet: producer id -> group -> tpKey -> offset. */
  pending: Map<bigint, GroupOffsetsMap>;
  skipped: number;
}

function putIn(m: GroupOffsetsMap, group: string, key: string, o: CommittedOffset | null): void {
  let g = m.get(group);
  if (!g) {
    if (o === null) return;
    m.set(group, (g = new Map()));
  }
  if (o === null) g.delete(key);
  else g.set(key, o);
}

export async function replayOffsetsPartition(store: OffsetsTopicStore, partition: number, loadBufferSize: number, logger: Logger): Promise<ReplayedPartition> {
  const out: ReplayedPartition = { groupValues: new Map(), offsets: new Map(), pending: new Map(), skipped: 0 };
  let from = store.logStartOffset(partition) ?? 0n;
  let maxBytes = loadBufferSize;
  // One record that cannot be decoded (written by a newer or foreign writer, or damaged) is skipped with a
  // warning: it must not leave every group of the partition without a coordinator.
  const skip = (offset: bigint, err: unknown): void => {
    out.skipped++;
    if (out.skipped <= 10) logger.warn({ partition, offset: offset.toString(), err }, 'skipping an undecodable record while loading offsets');
  };
  for (;;) {
    const { records, highWatermark } = await store.read(partition, from, maxBytes);
    if (from >= highWatermark) break;
    let progressed = false;
    for (const view of iterateBatches(records)) {
      const { header } = view;
      const last = header.baseOffset + BigInt(header.lastOffsetDelta);
      if (last < from) continue;
      progressed = true;
      from = last + 1n;
      const batch = records.subarray(view.position, view.position + view.size);
      let recs: DecodedRecord[];
      try {
        recs = decodeBatchRecordsSync(batch);
      } catch (e) {
        skip(header.baseOffset, e);
        continue;
      }
      if (isControl(header.attributes)) {
        if (header.baseOffset >= highWatermark) continue;
        let type: number | null;
        try {
          type = readControlRecord(batch, 0)?.type ?? null;
        } catch (e) {
          skip(header.baseOffset, e);
          continue;
        }
        if (type === null) continue;
        const open = out.pending.get(header.producerId);
        out.pending.delete(header.producerId);
        if (type === ControlRecordType.COMMIT && open) {
          for (const [group, m] of open) {
            for (const [k, o] of m) {
              const current = out.offsets.get(group)?.get(k);
              if (!current || olderThan(current, o)) putIn(out.offsets, group, k, o);
            }
          }
        }
        continue;
      }
      const txnProducer = isTransactional(header.attributes) ? header.producerId : null;
      // Kafka dates every commit of a batch by the batch's first record offset (what survives compaction).
      const batchOffset = recs[0]?.offset ?? header.baseOffset;
      for (const rec of recs) {
        if (rec.offset >= highWatermark) break;
        if (!rec.key) continue;
        try {
          const key = decodeKey(rec.key);
          if (!key) continue;
          if (key.kind === 'offset') {
            const value = rec.value === null ? null : { ...decodeOffsetCommitValue(rec.value), appendedBatchOffset: batchOffset };
            const k = tpKey(key.topic, key.partition);
            if (txnProducer !== null) {
              let p = out.pending.get(txnProducer);
              if (!p) out.pending.set(txnProducer, (p = new Map()));
              putIn(p, key.group, k, value);
            } else {
              putIn(out.offsets, key.group, k, value);
            }
          } else {
            out.groupValues.set(key.group, rec.value === null ? null : decodeGroupMetadataValue(rec.value));
            if (rec.value === null) out.offsets.delete(key.group);
          }
        } catch (e) {
          skip(rec.offset, e);
        }
      }
    }
    if (!progressed) {
      // A batch larger than the buffer: read more at once (bounded), else give up on this position.
      if (maxBytes >= 64 * loadBufferSize) throw new Error(`cannot make progress loading at offset ${from}`);
      maxBytes *= 2;
    }
  }
  return out;
}
