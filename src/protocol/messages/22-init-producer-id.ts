// InitProducerId (API key 22): request and response declared at Kafka 2.8's versions 0-4.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const InitProducerId = defineApi({
  apiKey: 22,
  name: 'InitProducerId',
  about: 'Allocates a producer id and epoch (idempotent or transactional producers).',
  validVersions: [0, 4],
  flexibleVersions: 2,
  request: [
    { name: 'transactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '3+', default: -1n },
    { name: 'producerEpoch', type: 'int16', versions: '3+', default: -1 },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+', default: -1n },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
  ],
} as const);

export type InitProducerIdRequest = RequestOf<typeof InitProducerId>;
export type InitProducerIdResponse = ResponseOf<typeof InitProducerId>;

