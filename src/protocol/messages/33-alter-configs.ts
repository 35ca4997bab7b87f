// AlterConfigs (API key 33): request and response declared at Kafka 2.8's versions 0-2.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const AlterConfigs = defineApi({
  apiKey: 33,
  name: 'AlterConfigs',
  about: 'Replaces topic or broker configurations.',
  validVersions: [0, 2],
  flexibleVersions: 2,
  request: [
    { name: 'resources', type: '[]AlterConfigsResource', versions: '0+', fields: [
      { name: 'resourceType', type: 'int8', versions: '0+' },
      { name: 'resourceName', type: 'string', versions: '0+' },
      { name: 'configs', type: '[]AlterableConfig', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
      ] },
    ] },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'responses', type: '[]AlterConfigsResourceResponse', versions: '0+', fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'resourceType', type: 'int8', versions: '0+' },
      { name: 'resourceName', type: 'string', versions: '0+' },
    ] },
  ],
} as const);

export type AlterConfigsRequest = RequestOf<typeof AlterConfigs>;
export type AlterConfigsResponse = ResponseOf<typeof AlterConfigs>;
export type AlterConfigsRequestAlterConfigsResource = AlterConfigsRequest['resources'][number];
export type AlterConfigsRequestAlterableConfig = AlterConfigsRequest['resources'][number]['configs'][number];
export type AlterConfigsResponseAlterConfigsResourceResponse = AlterConfigsResponse['responses'][number];
