// DescribeTransactions (65, KIP-664): the state of each transactional id this broker coordinates, from its loaded
// __transaction_state partitions (NOT_COORDINATOR for ids another broker owns). As Kafka 3.0: DESCRIBE on each
// transactional id, and only the topics the caller may DESCRIBE are listed.
import { DescribeTransactions } from '../../protocol/messages/65-describe-transactions';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorize, authorizedNames } from './authorize';

export const describeTransactionsHandler = defineHandler({
  api: DescribeTransactions,
  versions: [0, 0],
  handle: (req, ctx) => {
    const tc = ctx.services.transactionCoordinator;
    const mayDescribeTopic = authorizedNames(ctx, 'DESCRIBE', 'TOPIC');
    return {
      throttleTimeMs: 0,
      transactionStates: req.transactionalIds.map((id) => {
        if (!authorize(ctx, 'DESCRIBE', 'TRANSACTIONAL_ID', id)) {
          return {
            errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, transactionalId: id, transactionState: '', transactionTimeoutMs: 0,
            transactionStartTimeMs: -1n, producerId: -1n, producerEpoch: -1, topics: [],
          };
        }
        const d = tc.handleDescribeTransactions(id);
        return { ...d, topics: d.topics.filter((t) => mayDescribeTopic(t.topic)).map((t) => ({ topic: t.topic, partitions: t.partitions })) };
      }),
    };
  },
});
