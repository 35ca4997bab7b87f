// DescribeClientQuotas (API key 48, KIP-546): request and response declared at Kafka 2.8's versions 0-1.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const DescribeClientQuotas = defineApi({
  apiKey: 48,
  name: 'DescribeClientQuotas',
  about: 'Describes the client quotas of the entities a filter selects.',
  validVersions: [0, 1],
  flexibleVersions: 1,
  request: [
    { name: 'components', type: '[]ComponentData', versions: '0+', fields: [
      { name: 'entityType', type: 'string', versions: '0+' },
      { name: 'matchType', type: 'int8', versions: '0+' },
      { name: 'match', type: 'string', versions: '0+', nullableVersions: '0+' },
    ] },
    { name: 'strict', type: 'bool', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'entries', type: '[]EntryData', versions: '0+', nullableVersions: '0+', fields: [
      { name: 'entity', type: '[]EntityData', versions: '0+', fields: [
        { name: 'entityType', type: 'string', versions: '0+' },
        { name: 'entityName', type: 'string', versions: '0+', nullableVersions: '0+' },
      ] },
      { name: 'values', type: '[]ValueData', versions: '0+', fields: [
        { name: 'key', type: 'string', versions: '0+' },
        { name: 'value', type: 'float64', versions: '0+' },
      ] },
    ] },
  ],
} as const);

export type DescribeClientQuotasRequest = RequestOf<typeof DescribeClientQuotas>;
export type DescribeClientQuotasResponse = ResponseOf<typeof DescribeClientQuotas>;
