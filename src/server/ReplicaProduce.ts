// The ReplicaManager's produce path: appends to the partitions this broker leads and parks acks=-1 requests in the
// produce purgatory (DelayedProduce) until the high watermark covers them.
import { ErrorCode } from '../protocol/errors';
import { DelayedProduce, type ProducePartitionResult, type ProducePartitionStatus } from './purgatory/DelayedProduce';
import { tpKey } from '../util/types';
import type { AppendOrigin } from '../log/LogTypes';
import { mapLogError, type ReplicaManagerContext } from './ReplicaManagerContext';

export type { ProducePartitionResult } from './purgatory/DelayedProduce';

/** Errors that refuse the records themselves: their bytes count as BytesRejected (Kafka's bytesRejectedRate). */
const REJECTED_RECORDS: ReadonlySet<number> = new Set([ErrorCode.MESSAGE_TOO_LARGE, ErrorCode.RECORD_LIST_TOO_LARGE, ErrorCode.CORRUPT_MESSAGE, ErrorCode.INVALID_RECORD, ErrorCode.INVALID_TIMESTAMP]);

export interface ProduceEntry {
  topic: string;
  partition: number;
  records: Buffer | null;
}

/**
 * Appends to the partitions this broker leads. acks=0/1 resolve after the local append; acks=-1 resolve once the
 * HW covers every append (or `timeoutMs` passes: REQUEST_TIMED_OUT). `onOrdered` is called once every entry's append
 * is queued in its log (or has failed before that): appends called from then on land after these.
 */
export async function appendRecords(rm: ReplicaManagerContext, timeoutMs: number, requiredAcks: number, entries: ProduceEntry[], origin: AppendOrigin = 'client', onOrdered?: () => void): Promise<ProducePartitionResult[]> {
  const blank = (e: ProduceEntry, errorCode: number, errorMessage: string | null = null): ProducePartitionResult => ({
    topic: e.topic,
    partition: e.partition,
    errorCode,
    errorMessage,
    baseOffset: -1n,
    logAppendTime: -1n,
    logStartOffset: -1n,
  });
  if (requiredAcks !== -1 && requiredAcks !== 0 && requiredAcks !== 1) return entries.map((e) => blank(e, ErrorCode.INVALID_REQUIRED_ACKS));
  const hwMoved = new Set<string>();
  const appendEntry = async (e: ProduceEntry, ordered?: () => void): Promise<{ result: ProducePartitionResult; requiredOffset: bigint }> => {
    const p = rm.getPartition(e.topic, e.partition);
    if (!p || !p.isLeader) return { result: blank(e, p ? ErrorCode.NOT_LEADER_OR_FOLLOWER : rm.notHostedError(e.topic, e.partition)), requiredOffset: -1n };
    if (e.records === null) return { result: blank(e, ErrorCode.CORRUPT_MESSAGE, 'null records'), requiredOffset: -1n };
    try {
      const { info, hwChanged } = await p.appendRecordsToLeader(e.records, requiredAcks, origin, ordered);
      if (hwChanged) hwMoved.add(p.key);
      if (origin === 'client') rm.stats.recordProduce(e.topic, e.records.length, info.numMessages);
      return {
        result: { topic: e.topic, partition: e.partition, errorCode: ErrorCode.NONE, errorMessage: null, baseOffset: info.firstOffset, logAppendTime: info.logAppendTime, logStartOffset: info.logStartOffset },
        requiredOffset: info.lastOffset + 1n,
      };
    } catch (err) {
      const code = mapLogError(err);
      if (origin === 'client') rm.stats.recordProduceFailure(e.topic, REJECTED_RECORDS.has(code) ? e.records.length : 0);
      if (code === ErrorCode.UNKNOWN_SERVER_ERROR) rm.logger.error({ topicPartition: p.key, err }, 'append failed');
      const r = blank(e, code, (err as Error).message ?? null);
      r.logStartOffset = p.logStartOffset;
      return { result: r, requiredOffset: -1n };
    }
  };
  // With onOrdered, each entry reports once: when its append is queued in the log, or when it ends short of that.
  let unordered = entries.length;
  const appendReporting = async (e: ProduceEntry, report: () => void): Promise<{ result: ProducePartitionResult; requiredOffset: bigint }> => {
    let reported = false;
    const entryOrdered = (): void => {
      if (reported) return;
      reported = true;
      if (--unordered === 0) report();
    };
    try {
      return await appendEntry(e, entryOrdered);
    } finally {
      entryOrdered();
    }
  };
  const appended = await Promise.all(entries.map((e) => (onOrdered === undefined ? appendEntry(e) : appendReporting(e, onOrdered))));
  // New data: wake followers' (and, if the HW moved, consumers') parked fetches and parked produces.
  for (const a of appended) if (a.result.errorCode === ErrorCode.NONE) rm.fetchPurgatory.checkAndComplete(tpKey(a.result.topic, a.result.partition));
  for (const key of hwMoved) rm.producePurgatory.checkAndComplete(key);

  const results = appended.map((a) => a.result);
  if (requiredAcks !== -1 || !appended.some((a) => a.result.errorCode === ErrorCode.NONE)) return results;
  return new Promise((resolve) => {
    const statuses: ProducePartitionStatus[] = appended.map((a) => ({ result: a.result, requiredOffset: a.requiredOffset, acksPending: a.result.errorCode === ErrorCode.NONE }));
    const keys = appended.filter((a) => a.result.errorCode === ErrorCode.NONE).map((a) => tpKey(a.result.topic, a.result.partition));
    const op = new DelayedProduce(timeoutMs, statuses, (t, p) => rm.getPartition(t, p), resolve);
    rm.producePurgatory.tryCompleteElseWatch(op, keys);
  });
}
