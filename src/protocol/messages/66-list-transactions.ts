// ListTransactions (API key 66, KIP-664): request and response declared at Kafka 3.x's version 0 (flexible only).
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const ListTransactions = defineApi({
  apiKey: 66,
  name: 'ListTransactions',
  about: 'Lists the transactional ids a transaction coordinator owns, filtered by state and producer id.',
  validVersions: [0, 0],
  flexibleVersions: 0,
  request: [
    { name: 'stateFilters', type: '[]string', versions: '0+' },
    { name: 'producerIdFilters', type: '[]int64', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'unknownStateFilters', type: '[]string', versions: '0+' },
    { name: 'transactionStates', type: '[]TransactionState', versions: '0+', fields: [
      { name: 'transactionalId', type: 'string', versions: '0+' },
      { name: 'producerId', type: 'int64', versions: '0+' },
      { name: 'transactionState', type: 'string', versions: '0+' },
    ] },
  ],
} as const);

export type ListTransactionsRequest = RequestOf<typeof ListTransactions>;
export type ListTransactionsResponse = ResponseOf<typeof ListTransactions>;
export type ListTransactionsResponseTransactionState = ListTransactionsResponse['transactionStates'][number];
