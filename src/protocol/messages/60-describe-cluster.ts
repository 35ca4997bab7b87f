// DescribeCluster (API key 60, KIP-700): request and response declared at Kafka 3.x's version 0 (flexible only).
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const DescribeCluster = defineApi({
  apiKey: 60,
  name: 'DescribeCluster',
  about: 'Describes the cluster: its id, controller and live brokers, without a Metadata request.',
  validVersions: [0, 0],
  flexibleVersions: 0,
  request: [
    { name: 'includeClusterAuthorizedOperations', type: 'bool', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'clusterId', type: 'string', versions: '0+' },
    { name: 'controllerId', type: 'int32', versions: '0+', default: -1 },
    { name: 'brokers', type: '[]DescribeClusterBroker', versions: '0+', fields: [
      { name: 'brokerId', type: 'int32', versions: '0+' },
      { name: 'host', type: 'string', versions: '0+' },
      { name: 'port', type: 'int32', versions: '0+' },
      { name: 'rack', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    ] },
    { name: 'clusterAuthorizedOperations', type: 'int32', versions: '0+', default: -2147483648 },
  ],
} as const);

export type DescribeClusterRequest = RequestOf<typeof DescribeCluster>;
export type DescribeClusterResponse = ResponseOf<typeof DescribeCluster>;
export type DescribeClusterResponseDescribeClusterBroker = DescribeClusterResponse['brokers'][number];
