// ListTransactions (66, KIP-664): the transactional ids this broker coordinates, filtered by state names and producer
// ids; state names Kafka does not know come back in unknownStateFilters.
import { ListTransactions } from '../../protocol/messages/66-list-transactions';
import { defineHandler } from './types';

export const listTransactionsHandler = defineHandler({
  api: ListTransactions,
  versions: [0, 0],
  handle: (req, ctx) => ({ throttleTimeMs: 0, ...ctx.services.transactionCoordinator.handleListTransactions(req.stateFilters, req.producerIdFilters) }),
});
