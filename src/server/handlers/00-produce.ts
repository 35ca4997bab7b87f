// Produce (0): validates, appends through the ReplicaManager, answers per acks (0: nothing, 1: after the local
// append, -1: once the ISR has it).
import { Produce, type ProduceRequest, type ProduceResponse } from '../../protocol/messages/00-produce';
import { ErrorCode, errorInfo } from '../../protocol/errors';
import { ATTRIBUTES, BATCH_HEADER_SIZE, CURRENT_MAGIC, MAGIC, isTransactional } from '../../protocol/record/batch-header';
import type { ProduceEntry, ProducePartitionResult } from '../ReplicaManager';
import { defineHandler, noResponse } from './types';
import { authorize, authorizedNames } from './authorize';
import { recordBytesAndThrottle, recordRequestTimeAndThrottle } from './quota';
import { groupByTopic, tpKey } from '../../util/types';
import { INTERNAL_TOPICS } from './03-metadata';

/** Kafka's AdminUtils.AdminClientId: the one client id allowed to append to internal topics (ReplicaManager). */
const ADMIN_CLIENT_ID = '__admin_client';

/**
 * Kafka's RequestUtils.hasTransactionalRecords: some partition's first batch is transactional (a v3+ request holds one
 * batch per partition; the log checks the rest).
 */
export function hasTransactionalRecords(req: ProduceRequest): boolean {
  return req.topicData.some((t) => t.partitionData.some((p) => {
    const r = p.records;
    return r !== null && r.length >= BATCH_HEADER_SIZE && r.readInt8(MAGIC) === CURRENT_MAGIC && isTransactional(r.readInt16BE(ATTRIBUTES));
  }));
}

/** Kafka's ProduceRequest.getErrorResponse: one error for every partition of a refused request. */
function refuseRequest(req: ProduceRequest, errorCode: number): ProduceResponse {
  const errorMessage = errorInfo(errorCode).message;
  return {
    responses: req.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage })),
    })),
    throttleTimeMs: 0,
  };
}

export const produceHandler = defineHandler({
  api: Produce,
  // v8 adds per-record errors (always empty here: a batch is refused whole), v9 is v8 flexible.
  versions: [0, 9],
  // Appends finish (the bytes are in the log) before handle settles, whatever the acks; nothing keeps the records.
  frameFreeAfterHandling: true,
  handle: async (req, ctx) => {
    // Handler time for the request quota: the synchronous parts, not the wait for the append or the ISR.
    let mark = performance.now();
    const rm = ctx.services.replicaManager;
    // Kafka 2.8 (KafkaApis.handleProduceRequest): transactional records need a transactional id the principal may
    // WRITE; the partitions' logs check the producer epoch and the transaction state. (Kafka 2.8 checks no
    // IDEMPOTENT_WRITE on Produce: InitProducerId does.)
    if (hasTransactionalRecords(req) && (req.transactionalId === null || !authorize(ctx, 'WRITE', 'TRANSACTIONAL_ID', req.transactionalId))) {
      const reason = req.transactionalId === null ? 'transactional records without a transactional id' : `no WRITE on transactional id ${req.transactionalId}`;
      if (req.acks === 0) return noResponse(`acks=0 produce refused: ${reason}`);
      const refusal = refuseRequest(req, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      return { ...refusal, throttleTimeMs: recordRequestTimeAndThrottle(ctx, performance.now() - mark) };
    }
    const mayWrite = authorizedNames(ctx, 'WRITE', 'TOPIC');
    const entries: ProduceEntry[] = [];
    const refused: ProducePartitionResult[] = [];
    const order: Array<{ topic: string; partition: number }> = [];
    for (const t of req.topicData) {
      for (const p of t.partitionData) {
        order.push({ topic: t.name, partition: p.index });
        const refuse = (errorCode: number, errorMessage: string | null = null): void => {
          refused.push({ topic: t.name, partition: p.index, errorCode, errorMessage, baseOffset: -1n, logAppendTime: -1n, logStartOffset: -1n });
        };
        if (!mayWrite(t.name)) refuse(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        // Only the coordinators write __consumer_offsets (and __transaction_state); a client's record there could
        // leave a group without a coordinator. Kafka's ReplicaManager.appendToLocalLog answers the same.
        else if (INTERNAL_TOPICS.has(t.name) && ctx.clientId !== ADMIN_CLIENT_ID) refuse(ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${t.name}`);
        else if (!ctx.metadataCache.getPartition(t.name, p.index) && !rm.getPartition(t.name, p.index)) refuse(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        else entries.push({ topic: t.name, partition: p.index, records: p.records });
      }
    }
    // Kafka does not auto-create topics on produce; Metadata does.
    let handlerMs = performance.now() - mark;
    // An acks=-1 request lets the connection's next produce start once its appends are queued (ctx.ordered), so
    // the leader appends the next while the followers fetch this one. acks=0/1 answer right after the append.
    const ordered = req.acks === -1 ? ctx.ordered : undefined;
    const appended = entries.length > 0 ? await rm.appendRecords(req.timeoutMs, req.acks, entries, 'client', ordered) : [];
    mark = performance.now();
    const byKey = new Map<string, ProducePartitionResult>();
    for (const r of [...refused, ...appended]) byKey.set(tpKey(r.topic, r.partition), r);
    const results = order.map((o) => byKey.get(tpKey(o.topic, o.partition)) as ProducePartitionResult);

    // Quotas (KIP-219), recorded once the append is done as Kafka does: the request's record bytes against
    // producer_byte_rate, its handler time against request_percentage (not for acks=0, which gets no response but
    // may still be muted for its bytes); the larger throttle goes in the response.
    const bytes = req.topicData.reduce((n, td) => td.partitionData.reduce((m, p) => m + (p.records?.length ?? 0), n), 0);
    const bandwidthThrottleMs = recordBytesAndThrottle(ctx, 'produce', bytes);
    handlerMs += performance.now() - mark;
    const requestThrottleMs = req.acks === 0 ? 0 : recordRequestTimeAndThrottle(ctx, handlerMs);

    if (req.acks === 0) {
      // No answer; on any error close the connection so the producer refreshes its metadata (as Kafka does).
      const failed = results.find((r) => r.errorCode !== ErrorCode.NONE);
      return failed ? noResponse(`acks=0 produce failed for ${failed.topic}-${failed.partition} with error ${failed.errorCode}`) : noResponse();
    }
    const response: ProduceResponse = {
      responses: groupByTopic(results).map(([name, rs]) => ({
        name,
        partitionResponses: rs.map((r) => ({
          index: r.partition,
          errorCode: r.errorCode,
          baseOffset: r.baseOffset,
          logAppendTimeMs: r.logAppendTime,
          logStartOffset: r.logStartOffset,
          recordErrors: [],
          errorMessage: r.errorMessage,
        })),
      })),
      throttleTimeMs: Math.max(bandwidthThrottleMs, requestThrottleMs),
    };
    return response;
  },
});
