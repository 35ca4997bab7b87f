// IncrementalAlterConfigs (API key 44): request and response declared at Kafka 2.8's versions 0-1.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const IncrementalAlterConfigs = defineApi({
  apiKey: 44,
  name: 'IncrementalAlterConfigs',
  about: 'Changes configurations key by key.',
  validVersions: [0, 1],
  flexibleVersions: 1,
  request: [
    { name: 'resources', type: '[]AlterConfigsResource', versions: '0+', fields: [
      { name: 'resourceType', type: 'int8', versions: '0+' },
      { name: 'resourceName', type: 'string', versions: '0+' },
      { name: 'configs', type: '[]AlterableConfig', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'configOperation', type: 'int8', versions: '0+' },
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

export type IncrementalAlterConfigsRequest = RequestOf<typeof IncrementalAlterConfigs>;
export type IncrementalAlterConfigsResponse = ResponseOf<typeof IncrementalAlterConfigs>;
export type IncrementalAlterConfigsRequestAlterConfigsResource = IncrementalAlterConfigsRequest['resources'][number];
export type IncrementalAlterConfigsRequestAlterableConfig = IncrementalAlterConfigsRequest['resources'][number]['configs'][number];
export type IncrementalAlterConfigsResponseAlterConfigsResourceResponse = IncrementalAlterConfigsResponse['responses'][number];
