// AddPartitionsToTxn (24): adds partitions to the producer's transaction on its transaction coordinator. As Kafka's
// KafkaApis: an internal topic (not writable by producers) or an unknown partition fails the whole request, the
// other partitions answering OPERATION_NOT_ATTEMPTED; otherwise every partition gets the coordinator's answer.
import { AddPartitionsToTxn } from '../../protocol/messages/24-add-partitions-to-txn';
import { ErrorCode } from '../../protocol/errors';
import { rewriteProducerFenced } from '../../coordinator/transaction/TransactionCoordinator';
import { tpKey } from '../../util/types';
import { INTERNAL_TOPICS } from './03-metadata';
import { authorize, authorizedNames } from './authorize';
import { defineHandler } from './types';

export const addPartitionsToTxnHandler = defineHandler({
  api: AddPartitionsToTxn,
  versions: [0, 3],
  handle: async (req, ctx) => {
    // Kafka: WRITE on the transactional id (else every partition fails), then WRITE on each topic.
    if (!authorize(ctx, 'WRITE', 'TRANSACTIONAL_ID', req.transactionalId)) {
      return {
        throttleTimeMs: 0,
        results: req.topics.map((t) => ({ name: t.name, results: t.partitions.map((p) => ({ partitionIndex: p, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED })) })),
      };
    }
    const mayWrite = authorizedNames(ctx, 'WRITE', 'TOPIC');
    const errors = new Map<string, number>();
    const partitions: string[] = [];
    for (const t of req.topics) {
      for (const p of t.partitions) {
        const k = tpKey(t.name, p);
        if (INTERNAL_TOPICS.has(t.name) || !mayWrite(t.name)) errors.set(k, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        else if (!ctx.metadataCache.getPartition(t.name, p)) errors.set(k, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        else partitions.push(k);
      }
    }
    let all: number | null = null;
    if (errors.size === 0) {
      const code = await ctx.services.transactionCoordinator.handleAddPartitionsToTransaction(req.transactionalId, req.producerId, req.producerEpoch, partitions);
      all = rewriteProducerFenced(code, ctx.apiVersion >= 2);
    }
    return {
      throttleTimeMs: 0,
      results: req.topics.map((t) => ({
        name: t.name,
        results: t.partitions.map((p) => ({ partitionIndex: p, errorCode: all ?? errors.get(tpKey(t.name, p)) ?? ErrorCode.OPERATION_NOT_ATTEMPTED })),
      })),
    };
  },
});
