// AddOffsetsToTxn (25): adds the group's __consumer_offsets partition to the producer's transaction, so that the
// offsets TxnOffsetCommit writes there get the transaction's marker.
import { AddOffsetsToTxn } from '../../protocol/messages/25-add-offsets-to-txn';
import { rewriteProducerFenced } from '../../coordinator/transaction/TransactionCoordinator';
import { OFFSETS_TOPIC } from '../../coordinator/javaHash';
import { tpKey } from '../../util/types';
import { defineHandler } from './types';
import { authorize } from './authorize';
import { ErrorCode } from '../../protocol/errors';

export const addOffsetsToTxnHandler = defineHandler({
  api: AddOffsetsToTxn,
  versions: [0, 3],
  handle: async (req, ctx) => {
    // Kafka: WRITE on the transactional id, then READ on the group.
    if (!authorize(ctx, 'WRITE', 'TRANSACTIONAL_ID', req.transactionalId)) return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    if (!authorize(ctx, 'READ', 'GROUP', req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    const partition = ctx.services.groupCoordinator.partitionFor(req.groupId);
    const code = await ctx.services.transactionCoordinator.handleAddPartitionsToTransaction(req.transactionalId, req.producerId, req.producerEpoch, [tpKey(OFFSETS_TOPIC, partition)]);
    return { throttleTimeMs: 0, errorCode: rewriteProducerFenced(code, ctx.apiVersion >= 2) };
  },
});
