// AddOffsetsToTxn (API key 25): request and response declared at Kafka 2.8's versions 0-3.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const AddOffsetsToTxn = defineApi({
  apiKey: 25,
  name: 'AddOffsetsToTxn',
  about: 'Adds a group\'s offsets partition to an ongoing transaction.',
  validVersions: [0, 3],
  flexibleVersions: 3,
  request: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'groupId', type: 'string', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
} as const);

export type AddOffsetsToTxnRequest = RequestOf<typeof AddOffsetsToTxn>;
export type AddOffsetsToTxnResponse = ResponseOf<typeof AddOffsetsToTxn>;

