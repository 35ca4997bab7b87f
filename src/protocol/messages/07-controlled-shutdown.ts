// ControlledShutdown (API key 7): request and response declared at Kafka 2.8's versions 0-3.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const ControlledShutdown = defineApi({
  apiKey: 7,
  name: 'ControlledShutdown',
  about: 'A broker asks the controller to move leadership away before it shuts down.',
  validVersions: [0, 3],
  flexibleVersions: 3,
  request: [
    { name: 'brokerId', type: 'int32', versions: '0+' },
    { name: 'brokerEpoch', type: 'int64', versions: '2+', default: -1n },
  ],
  response: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'remainingPartitions', type: '[]RemainingPartition', versions: '0+', fields: [
      { name: 'topicName', type: 'string', versions: '0+' },
      { name: 'partitionIndex', type: 'int32', versions: '0+' },
    ] },
  ],
} as const);

export type ControlledShutdownRequest = RequestOf<typeof ControlledShutdown>;
export type ControlledShutdownResponse = ResponseOf<typeof ControlledShutdown>;
export type ControlledShutdownResponseRemainingPartition = ControlledShutdownResponse['remainingPartitions'][number];
