// Heartbeat (API key 12): request and response declared at Kafka 2.8's versions 0-4.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const Heartbeat = defineApi({
  apiKey: 12,
  name: 'Heartbeat',
  about: 'A group member proves it is alive.',
  validVersions: [0, 4],
  flexibleVersions: 4,
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
} as const);

export type HeartbeatRequest = RequestOf<typeof Heartbeat>;
export type HeartbeatResponse = ResponseOf<typeof Heartbeat>;

