// The ReplicaManager's offset requests on the leader: ListOffsets (by timestamp, and the v0 segment offsets),
// OffsetForLeaderEpoch and DeleteRecords.
import { ErrorCode } from '../protocol/errors';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP } from '../log/LogTypes';
import { mapLogError, type ReplicaManagerContext } from './ReplicaManagerContext';

export { MAX_TIMESTAMP };

/** ListOffsets' isolation_level (v2+, KIP-98): 1 read_committed. */
const READ_COMMITTED = 1;

export interface ListOffsetResult {
  errorCode: number;
  timestamp: bigint;
  offset: bigint;
  leaderEpoch: number;
}

/**
 * ListOffsets on the leader: -2 earliest, -1 latest (the last fetchable offset: the LSO for read_committed consumers,
 * the HW for read_uncommitted ones, the LEO for replicas: `isolationLevel` null), -3 the record with the largest
 * timestamp (v7+), otherwise the first offset whose timestamp >= the given one; as in Kafka
 * (Partition.fetchOffsetForTimestamp), a found record at or above the last fetchable offset answers -1.
 */
export async function fetchOffsetForTimestamp(rm: ReplicaManagerContext, topic: string, partition: number, timestamp: bigint, isolationLevel: number | null, currentLeaderEpoch: number, replicaId: number): Promise<ListOffsetResult> {
  const none = (errorCode: number): ListOffsetResult => ({ errorCode, timestamp: -1n, offset: -1n, leaderEpoch: -1 });
  const p = rm.getPartition(topic, partition);
  // replicaId -2 (debugging) may read from a follower.
  if (!p) return none(rm.notHostedError(topic, partition));
  if (!p.isLeader && replicaId !== -2) return none(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  const epochError = p.checkLeaderEpoch(currentLeaderEpoch);
  if (epochError !== ErrorCode.NONE) return none(epochError);
  const lastFetchable = isolationLevel === null ? p.logEndOffset : isolationLevel === READ_COMMITTED ? p.lastStableOffset : p.highWatermark;
  try {
    if (timestamp === LATEST_TIMESTAMP) return { errorCode: ErrorCode.NONE, timestamp: -1n, offset: lastFetchable, leaderEpoch: p.latestEpoch() };
    if (timestamp === EARLIEST_TIMESTAMP) {
      const r = await p.fetchOffsetByTimestamp(EARLIEST_TIMESTAMP);
      return { errorCode: ErrorCode.NONE, timestamp: -1n, offset: p.logStartOffset, leaderEpoch: r?.leaderEpoch ?? -1 };
    }
    if (timestamp < 0n && timestamp !== MAX_TIMESTAMP) return none(ErrorCode.INVALID_REQUEST);
    const r = await p.fetchOffsetByTimestamp(timestamp);
    if (!r || r.offset >= lastFetchable) return { errorCode: ErrorCode.NONE, timestamp: -1n, offset: -1n, leaderEpoch: -1 };
    return { errorCode: ErrorCode.NONE, timestamp: r.timestamp, offset: r.offset, leaderEpoch: r.leaderEpoch };
  } catch (err) {
    return none(mapLogError(err));
  }
}

/**
 * ListOffsets v0 (Kafka's Partition.legacyFetchOffsetsForTimestamp): the log's segment offsets by file time, newest
 * first; a consumer (replicaId -1) gets the HW in place of every offset above it. Debugging replicas (-2) may ask a
 * follower.
 */
export function legacyFetchOffsetsForTimestamp(rm: ReplicaManagerContext, topic: string, partition: number, timestamp: bigint, maxNumOffsets: number, replicaId: number): { errorCode: number; offsets: bigint[] } {
  const p = rm.getPartition(topic, partition);
  if (!p) return { errorCode: rm.notHostedError(topic, partition), offsets: [] };
  if (!p.isLeader && replicaId !== -2) return { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, offsets: [] };
  try {
    const offsets = p.legacyFetchOffsetsBefore(timestamp, maxNumOffsets);
    const hw = p.highWatermark;
    if (replicaId !== -1 || !offsets.some((o) => o > hw)) return { errorCode: ErrorCode.NONE, offsets };
    return { errorCode: ErrorCode.NONE, offsets: [hw, ...offsets.filter((o) => o <= hw)] };
  } catch (err) {
    return { errorCode: mapLogError(err), offsets: [] };
  }
}

/** OffsetForLeaderEpoch on the leader: the end offset of `leaderEpoch` in this log (KIP-101/279). */
export function lastOffsetForLeaderEpoch(rm: ReplicaManagerContext, topic: string, partition: number, currentLeaderEpoch: number, leaderEpoch: number): { errorCode: number; leaderEpoch: number; endOffset: bigint } {
  const p = rm.getPartition(topic, partition);
  if (!p || !p.isLeader) return { errorCode: p ? ErrorCode.NOT_LEADER_OR_FOLLOWER : rm.notHostedError(topic, partition), leaderEpoch: -1, endOffset: -1n };
  const epochError = p.checkLeaderEpoch(currentLeaderEpoch);
  if (epochError !== ErrorCode.NONE) return { errorCode: epochError, leaderEpoch: -1, endOffset: -1n };
  const r = p.endOffsetForEpoch(leaderEpoch);
  return { errorCode: ErrorCode.NONE, leaderEpoch: r.epoch, endOffset: r.endOffset };
}

/** DeleteRecords on the leader: moves the log start offset (offset -1 = the HW); answers the new low watermark. */
export async function deleteRecords(rm: ReplicaManagerContext, topic: string, partition: number, offset: bigint): Promise<{ errorCode: number; lowWatermark: bigint }> {
  const p = rm.getPartition(topic, partition);
  if (!p || !p.isLeader) return { errorCode: p ? ErrorCode.NOT_LEADER_OR_FOLLOWER : rm.notHostedError(topic, partition), lowWatermark: -1n };
  const target = offset === -1n ? p.highWatermark : offset;
  if (target < 0n || target > p.highWatermark) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1n };
  try {
    const low = await p.deleteRecordsBefore(target);
    return { errorCode: ErrorCode.NONE, lowWatermark: low };
  } catch (err) {
    return { errorCode: mapLogError(err), lowWatermark: -1n };
  }
}
