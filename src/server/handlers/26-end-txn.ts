// EndTxn (26): commits or aborts the producer's transaction. Answers once PrepareCommit/PrepareAbort is replicated
// in __transaction_state; the markers are written afterwards by the coordinator.
import { EndTxn } from '../../protocol/messages/26-end-txn';
import { rewriteProducerFenced } from '../../coordinator/transaction/TransactionCoordinator';
import { defineHandler } from './types';
import { authorize } from './authorize';
import { ErrorCode } from '../../protocol/errors';

export const endTxnHandler = defineHandler({
  api: EndTxn,
  versions: [0, 3],
  handle: async (req, ctx) => {
    if (!authorize(ctx, 'WRITE', 'TRANSACTIONAL_ID', req.transactionalId)) return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    const code = await ctx.services.transactionCoordinator.handleEndTransaction(req.transactionalId, req.producerId, req.producerEpoch, req.committed);
    return { throttleTimeMs: 0, errorCode: rewriteProducerFenced(code, ctx.apiVersion >= 2) };
  },
});
