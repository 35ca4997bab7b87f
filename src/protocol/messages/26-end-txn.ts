// EndTxn (API key 26): request and response declared at Kafka 2.8's versions 0-3.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const EndTxn = defineApi({
  apiKey: 26,
  name: 'EndTxn',
  about: 'Commits or aborts a transaction.',
  validVersions: [0, 3],
  flexibleVersions: 3,
  request: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'committed', type: 'bool', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
} as const);

export type EndTxnRequest = RequestOf<typeof EndTxn>;
export type EndTxnResponse = ResponseOf<typeof EndTxn>;

