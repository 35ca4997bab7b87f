// ListTransactions (66, KIP-664): the transactional ids this broker coordinates, filtered by state names and producer
// ids; state names Kafka does not know come back in unknownStateFilters. As Kafka 3.0, only the ids the caller may
// DESCRIBE are listed.
import { ListTransactions } from '../../protocol/messages/66-list-transactions';
import { defineHandler } from './types';
import { authorize } from './authorize';

export const listTransactionsHandler = defineHandler({
  api: ListTransactions,
  versions: [0, 0],
  handle: (req, ctx) => {
    const r = ctx.services.transactionCoordinator.handleListTransactions(req.stateFilters, req.producerIdFilters);
    return { throttleTimeMs: 0, ...r, transactionStates: r.transactionStates.filter((s) => authorize(ctx, 'DESCRIBE', 'TRANSACTIONAL_ID', s.transactionalId)) };
  },
});
