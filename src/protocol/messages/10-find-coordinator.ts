// FindCoordinator (API key 10): request and response declared at Kafka 2.8's versions 0-3.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const FindCoordinator = defineApi({
  apiKey: 10,
  name: 'FindCoordinator',
  about: 'Finds the coordinator broker of a group or transactional id.',
  validVersions: [0, 3],
  flexibleVersions: 3,
  request: [
    { name: 'key', type: 'string', versions: '0+' },
    { name: 'keyType', type: 'int8', versions: '1+', default: 0 },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '1+', nullableVersions: '1+' },
    { name: 'nodeId', type: 'int32', versions: '0+' },
    { name: 'host', type: 'string', versions: '0+' },
    { name: 'port', type: 'int32', versions: '0+' },
  ],
} as const);

export type FindCoordinatorRequest = RequestOf<typeof FindCoordinator>;
export type FindCoordinatorResponse = ResponseOf<typeof FindCoordinator>;

