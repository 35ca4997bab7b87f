// DescribeLogDirs (API key 35): request and response declared at Kafka 3.x's versions 0-4 (v3 adds a top-level error
// code, v4 the total and usable bytes of each directory's volume, KIP-827).
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const DescribeLogDirs = defineApi({
  apiKey: 35,
  name: 'DescribeLogDirs',
  about: 'Describes the log directories of a broker.',
  validVersions: [0, 4],
  flexibleVersions: 2,
  request: [
    { name: 'topics', type: '[]DescribableLogDirTopic', versions: '0+', nullableVersions: '0+', fields: [
      { name: 'topic', type: 'string', versions: '0+' },
      { name: 'partitionIndex', type: '[]int32', versions: '0+' },
    ] },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '3+' },
    { name: 'results', type: '[]DescribeLogDirsResult', versions: '0+', fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'logDir', type: 'string', versions: '0+' },
      { name: 'topics', type: '[]DescribeLogDirsTopic', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]DescribeLogDirsPartition', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'partitionSize', type: 'int64', versions: '0+' },
          { name: 'offsetLag', type: 'int64', versions: '0+' },
          { name: 'isFutureKey', type: 'bool', versions: '0+' },
        ] },
      ] },
      { name: 'totalBytes', type: 'int64', versions: '4+', default: -1n },
      { name: 'usableBytes', type: 'int64', versions: '4+', default: -1n },
    ] },
  ],
} as const);

export type DescribeLogDirsRequest = RequestOf<typeof DescribeLogDirs>;
export type DescribeLogDirsResponse = ResponseOf<typeof DescribeLogDirs>;
export type DescribeLogDirsRequestDescribableLogDirTopic = NonNullable<DescribeLogDirsRequest['topics']>[number];
export type DescribeLogDirsResponseDescribeLogDirsResult = DescribeLogDirsResponse['results'][number];
export type DescribeLogDirsResponseDescribeLogDirsTopic = DescribeLogDirsResponse['results'][number]['topics'][number];
export type DescribeLogDirsResponseDescribeLogDirsPartition = DescribeLogDirsResponse['results'][number]['topics'][number]['partitions'][number];
