// DescribeTransactions (65, KIP-664): the state of each transactional id this broker coordinates, from its loaded
// __transaction_state partitions (NOT_COORDINATOR for ids another broker owns).
import { DescribeTransactions } from '../../protocol/messages/65-describe-transactions';
import { defineHandler } from './types';

export const describeTransactionsHandler = defineHandler({
  api: DescribeTransactions,
  versions: [0, 0],
  handle: (req, ctx) => {
    const tc = ctx.services.transactionCoordinator;
    return {
      throttleTimeMs: 0,
      transactionStates: req.transactionalIds.map((id) => {
        const d = tc.handleDescribeTransactions(id);
        return { ...d, topics: d.topics.map((t) => ({ topic: t.topic, partitions: t.partitions })) };
      }),
    };
  },
});
