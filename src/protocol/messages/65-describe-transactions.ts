// DescribeTransactions (API key 65, KIP-664): request and response declared at Kafka 3.x's version 0 (flexible only).
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const DescribeTransactions = defineApi({
  apiKey: 65,
  name: 'DescribeTransactions',
  about: 'Describes the state of transactional ids on their transaction coordinator.',
  validVersions: [0, 0],
  flexibleVersions: 0,
  request: [
    { name: 'transactionalIds', type: '[]string', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'transactionStates', type: '[]TransactionState', versions: '0+', fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'transactionalId', type: 'string', versions: '0+' },
      { name: 'transactionState', type: 'string', versions: '0+' },
      { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
      { name: 'transactionStartTimeMs', type: 'int64', versions: '0+' },
      { name: 'producerId', type: 'int64', versions: '0+' },
      { name: 'producerEpoch', type: 'int16', versions: '0+' },
      { name: 'topics', type: '[]TopicData', versions: '0+', fields: [
        { name: 'topic', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]int32', versions: '0+' },
      ] },
    ] },
  ],
} as const);

export type DescribeTransactionsRequest = RequestOf<typeof DescribeTransactions>;
export type DescribeTransactionsResponse = ResponseOf<typeof DescribeTransactions>;
export type DescribeTransactionsResponseTransactionState = DescribeTransactionsResponse['transactionStates'][number];
