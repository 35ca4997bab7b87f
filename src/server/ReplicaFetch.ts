// The ReplicaManager's fetch path: reads for consumers (read_uncommitted up to the HW, read_committed up to the last
// stable offset with the aborted transactions they overlap) and followers (up to the LEO, updating their state on the
// leader), and parks fetches short of minBytes in the fetch purgatory (DelayedFetch).
import { ErrorCode } from '../protocol/errors';
import { LogError, LogErrorCode } from '../log/errors';
import { DelayedFetch, type FetchIsolation, type FetchPartitionStatus } from './purgatory/DelayedFetch';
import { tpKey } from '../util/types';
import { isRealTopicId } from '../util/uuid';
import { mapLogError, type ReplicaManagerContext } from './ReplicaManagerContext';
import type { Partition } from './Partition';

export type { FetchIsolation } from './purgatory/DelayedFetch';

export interface FetchPartitionRequest {
  topic: string;
  /** Fetch v13+: the topic id the fetcher named (KIP-516); absent or zero: not checked against the replica's id. */
  topicId?: string;
  partition: number;
  fetchOffset: bigint;
  currentLeaderEpoch: number;
  /** The follower's log start offset (-1 from consumers). */
  logStartOffset: bigint;
  maxBytes: number;
  /** Fetch v12+: the epoch of the last batch the fetcher holds, checked against this log (KIP-595); -1 or absent: none. */
  lastFetchedEpoch?: number;
}

/** Fetch's isolation_level (KIP-98): 0 read_uncommitted, 1 read_committed. */
export const READ_COMMITTED = 1;

/** Kafka's ReplicaManager.fetchIsolation: a replica id means a follower; consumers by their isolation level. */
export function fetchIsolation(replicaId: number, isolationLevel: number): FetchIsolation {
  if (replicaId >= 0) return 'log-end';
  return isolationLevel === READ_COMMITTED ? 'txn-committed' : 'high-watermark';
}

/** An aborted transaction as a Fetch response lists it. */
export interface FetchAbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

export interface FetchParams {
  /** -1 for consumers, the follower's broker id for replication. */
  replicaId: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  /** Fetch v0-2: maxBytes is a hard limit (no first-batch exception). */
  hardMaxBytesLimit?: boolean;
  partitions: FetchPartitionRequest[];
  /** Where the records read go (ReadOptions.alloc): the requesting connection's response pool. */
  alloc?: (size: number) => Buffer;
}

export interface FetchPartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  records: Buffer | null;
  /**
   * read_committed reads: the aborted transactions overlapping the returned records (empty when none or nothing was
   * read); null for other reads and for errors (Kafka's FetchDataInfo.abortedTransactions = None).
   */
  abortedTransactions?: FetchAbortedTransaction[] | null;
  /** Where the fetcher's log diverges from this one (it holds `lastFetchedEpoch` past its end here); no records. */
  divergingEpoch?: { epoch: number; endOffset: bigint };
}

/**
 * Fetch for consumers (bounded by the HW, or by the LSO when read_committed) and followers (bounded by the LEO),
 * long-polling via DelayedFetch.
 */
export async function fetchMessages(rm: ReplicaManagerContext, params: FetchParams): Promise<FetchPartitionResult[]> {
  const results = await fetchOrPark(rm, params);
  // Counted once per answered partition (BytesOut / ReplicationBytesOut, FailedFetchRequests), never per record.
  const fromFollower = params.replicaId >= 0;
  for (const r of results) rm.stats.recordFetch(r.topic, r.records?.length ?? 0, fromFollower, r.errorCode !== ErrorCode.NONE);
  return results;
}

async function fetchOrPark(rm: ReplicaManagerContext, params: FetchParams): Promise<FetchPartitionResult[]> {
  const first = await readFromLocalLog(rm, params, true);
  const bytes = first.reduce((s, r) => s + (r.records?.length ?? 0), 0);
  const anyError = first.some((r) => r.errorCode !== ErrorCode.NONE || r.divergingEpoch);
  if (params.maxWaitMs <= 0 || params.partitions.length === 0 || bytes >= params.minBytes || anyError || rm.isStopped()) return first;
  return new Promise((resolve, reject) => {
    const statuses: FetchPartitionStatus[] = params.partitions.map((p) => ({ topic: p.topic, partition: p.partition, fetchOffset: p.fetchOffset, currentLeaderEpoch: p.currentLeaderEpoch, maxBytes: p.maxBytes }));
    const op = new DelayedFetch(params.maxWaitMs, params.minBytes, fetchIsolation(params.replicaId, params.isolationLevel), statuses, (t, p) => rm.getPartition(t, p), () => {
      readFromLocalLog(rm, params, false).then(resolve, reject);
    });
    rm.fetchPurgatory.tryCompleteElseWatch(op, params.partitions.map((p) => tpKey(p.topic, p.partition)));
  });
}

/**
 * Reads every requested partition in order within the response byte budget; the first partition with data may
 * exceed it by one batch (unless the limit is hard). A follower's fetch offset updates its state on the leader.
 */
async function readFromLocalLog(rm: ReplicaManagerContext, params: FetchParams, updateFollowers: boolean): Promise<FetchPartitionResult[]> {
  const fromFollower = params.replicaId >= 0;
  const isolation = fetchIsolation(params.replicaId, params.isolationLevel);
  let limit = params.maxBytes;
  let minOne = !params.hardMaxBytesLimit;
  const out: FetchPartitionResult[] = [];
  const hwMoved: string[] = [];
  const reads: Array<{ req: FetchPartitionRequest; p: Partition; res: FetchPartitionResult }> = [];
  for (const req of params.partitions) {
    const res: FetchPartitionResult = { topic: req.topic, partition: req.partition, errorCode: ErrorCode.NONE, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: null };
    out.push(res);
    const p = rm.getPartition(req.topic, req.partition);
    if (p && !hasConsistentTopicId(req.topicId, p.topicId)) {
      // Kafka's ReplicaManager.readFromLog: the name now belongs to another topic here (deleted and re-created),
      // or this replica is stale; never serve one topic's records for another's id.
      res.errorCode = ErrorCode.INCONSISTENT_TOPIC_ID;
      continue;
    }
    if (!p || !p.isLeader) {
      res.errorCode = p ? ErrorCode.NOT_LEADER_OR_FOLLOWER : rm.notHostedError(req.topic, req.partition);
      continue;
    }
    const epochError = p.checkLeaderEpoch(req.currentLeaderEpoch);
    if (epochError !== ErrorCode.NONE) {
      res.errorCode = epochError;
      continue;
    }
    try {
      const diverging = req.lastFetchedEpoch !== undefined && req.lastFetchedEpoch >= 0 ? divergingEpoch(p, req.fetchOffset, req.lastFetchedEpoch) : null;
      if (diverging) {
        // Kafka's Partition.readRecords: no data and no follower state update; the fetcher truncates first.
        res.divergingEpoch = diverging;
        res.records = Buffer.alloc(0);
        setBounds(res, p);
        continue;
      }
      const leaderEnd = p.logEndOffset;
      if (fromFollower && updateFollowers && req.fetchOffset >= p.logStartOffset && req.fetchOffset <= leaderEnd) {
        if (p.updateFollowerFetchState(params.replicaId, req.fetchOffset, req.logStartOffset, rm.clock.now(), leaderEnd)) hwMoved.push(p.key);
      }
      reads.push({ req, p, res });
    } catch (err) {
      readFailed(rm, p, res, err);
    }
  }
  // A follower's fetch offset that moved the HW releases the acks=-1 produces (and consumer fetches) waiting for it
  // now, not after this fetch's own reads: those wait on the disk, and the produce answer needs nothing from them.
  for (const key of hwMoved) rm.completeDelayed(key);
  for (const { req, p, res } of reads) {
    try {
      const maxBytes = Math.max(0, Math.min(req.maxBytes, limit));
      if (maxBytes === 0 && !minOne) {
        if (req.fetchOffset < p.logStartOffset || req.fetchOffset > p.logEndOffset) throw new LogError(LogErrorCode.OFFSET_OUT_OF_RANGE, 'fetch offset out of range');
        res.records = Buffer.alloc(0);
        if (isolation === 'txn-committed') res.abortedTransactions = [];
      } else {
        const maxOffset = isolation === 'log-end' ? undefined : isolation === 'txn-committed' ? p.lastStableOffset : p.highWatermark;
        const info = await p.read(req.fetchOffset, maxBytes, { maxOffset, minOneBatch: minOne, alloc: params.alloc });
        res.records = info.records;
        if (isolation === 'txn-committed') res.abortedTransactions = abortedTransactionsOf(p, req.fetchOffset, info.records.length > 0 ? info.nextOffset : null);
        if (info.records.length > 0) {
          minOne = false;
          limit -= info.records.length;
        }
      }
      setBounds(res, p);
    } catch (err) {
      readFailed(rm, p, res, err);
    }
  }
  return out;
}

/** The partition's HW, LSO and log start, which every answered partition carries (Kafka fills the LSO for all). */
function setBounds(res: FetchPartitionResult, p: Partition): void {
  res.highWatermark = p.highWatermark;
  res.lastStableOffset = p.lastStableOffset;
  res.logStartOffset = p.logStartOffset;
}

function readFailed(rm: ReplicaManagerContext, p: Partition, res: FetchPartitionResult, err: unknown): void {
  res.errorCode = mapLogError(err);
  res.records = null;
  res.abortedTransactions = null;
  if (res.errorCode === ErrorCode.UNKNOWN_SERVER_ERROR) rm.logger.error({ topicPartition: p.key, err }, 'read failed');
  setBounds(res, p);
}

/**
 * The aborted transactions a read_committed consumer needs to filter the records it was sent (Kafka's
 * Log.addAbortedTransactions): those overlapping [fetchOffset, upperBound), where upperBound is the offset just past
 * the returned bytes. Kafka derives that bound from the sparse offset index (the next indexed offset at or past the
 * end of the read, else the next segment's base or the LEO), so it may list a few transactions that start after the
 * read; the exact end of the read lists only those the consumer can meet. Nothing read (`nextOffset` null): none.
 */
export function abortedTransactionsOf(p: Pick<Partition, 'collectAbortedTransactions'>, fetchOffset: bigint, nextOffset: bigint | null): FetchAbortedTransaction[] {
  if (nextOffset === null || nextOffset <= fetchOffset) return [];
  return p.collectAbortedTransactions(fetchOffset, nextOffset).map((t) => ({ producerId: t.producerId, firstOffset: t.firstOffset }));
}

/**
 * Kafka's ReplicaManager.hasConsistentTopicId: a fetch naming no id (before v13, or the zero uuid) matches any
 * replica, and so does a replica that has no id yet (no partition.metadata); otherwise the ids must be equal.
 */
export function hasConsistentTopicId(requestTopicId: string | undefined, replicaTopicId: string | null): boolean {
  return !isRealTopicId(requestTopicId) || replicaTopicId === null || replicaTopicId === requestTopicId;
}

/**
 * Kafka 3's check of a fetch's last fetched epoch (Partition.readRecords): where this log ends that epoch, when the
 * fetcher's log runs past it; null when the two agree. OFFSET_OUT_OF_RANGE when the epoch is unknown here or the
 * fetch offset is below the log start.
 */
export function divergingEpoch(p: Pick<Partition, 'endOffsetForEpoch' | 'logStartOffset'>, fetchOffset: bigint, lastFetchedEpoch: number): { epoch: number; endOffset: bigint } | null {
  const end = p.endOffsetForEpoch(lastFetchedEpoch);
  if (end.epoch < 0 || end.endOffset < 0n) throw new LogError(LogErrorCode.OFFSET_OUT_OF_RANGE, `the end offset of the last fetched epoch ${lastFetchedEpoch} is unknown`);
  if (fetchOffset < p.logStartOffset) throw new LogError(LogErrorCode.OFFSET_OUT_OF_RANGE, `fetch offset ${fetchOffset} below the log start ${p.logStartOffset}`);
  return end.epoch < lastFetchedEpoch || end.endOffset < fetchOffset ? { epoch: end.epoch, endOffset: end.endOffset } : null;
}
