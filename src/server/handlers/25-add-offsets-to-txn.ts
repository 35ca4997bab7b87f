// AddOffsetsToTxn (25): adds the group's __consumer_offsets partition to the producer's transaction, so that the
// offsets TxnOffsetCommit writes there get the transaction's marker.
import { AddOffsetsToTxn } from '../../protocol/messages/25-add-offsets-to-txn';
import { rewriteProducerFenced } from '../../coordinator/transaction/TransactionCoordinator';
import { OFFSETS_TOPIC } from '../../coordinator/javaHash';
import { tpKey } from '../../util/types';
import { defineHandler } from './types';

export const addOffsetsToTxnHandler = defineHandler({
  api: AddOffsetsToTxn,
  versions: [0, 3],
  handle: async (req, ctx) => {
    const partition = ctx.services.groupCoordinator.partitionFor(req.groupId);
    const code = await ctx.services.transactionCoordinator.handleAddPartitionsToTransaction(req.transactionalId, req.producerId, req.producerEpoch, [tpKey(OFFSETS_TOPIC, partition)]);
    return { throttleTimeMs: 0, errorCode: rewriteProducerFenced(code, ctx.apiVersion >= 2) };
  },
});
