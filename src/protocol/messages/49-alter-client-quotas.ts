// AlterClientQuotas (API key 49, KIP-546): request and response declared at Kafka 2.8's versions 0-1.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const AlterClientQuotas = defineApi({
  apiKey: 49,
  name: 'AlterClientQuotas',
  about: 'Sets or removes client quotas of user and client-id entities.',
  validVersions: [0, 1],
  flexibleVersions: 1,
  request: [
    { name: 'entries', type: '[]EntryData', versions: '0+', fields: [
      { name: 'entity', type: '[]EntityData', versions: '0+', fields: [
        { name: 'entityType', type: 'string', versions: '0+' },
        { name: 'entityName', type: 'string', versions: '0+', nullableVersions: '0+' },
      ] },
      { name: 'ops', type: '[]OpData', versions: '0+', fields: [
        { name: 'key', type: 'string', versions: '0+' },
        { name: 'value', type: 'float64', versions: '0+' },
        { name: 'remove', type: 'bool', versions: '0+' },
      ] },
    ] },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'entries', type: '[]EntryData', versions: '0+', fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'entity', type: '[]EntityData', versions: '0+', fields: [
        { name: 'entityType', type: 'string', versions: '0+' },
        { name: 'entityName', type: 'string', versions: '0+', nullableVersions: '0+' },
      ] },
    ] },
  ],
} as const);

export type AlterClientQuotasRequest = RequestOf<typeof AlterClientQuotas>;
export type AlterClientQuotasResponse = ResponseOf<typeof AlterClientQuotas>;
