// ListGroups (API key 16): request and response declared at Kafka 2.8's versions 0-4.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const ListGroups = defineApi({
  apiKey: 16,
  name: 'ListGroups',
  about: 'Lists the groups a broker coordinates.',
  validVersions: [0, 4],
  flexibleVersions: 3,
  request: [
    { name: 'statesFilter', type: '[]string', versions: '4+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'groups', type: '[]ListedGroup', versions: '0+', fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'protocolType', type: 'string', versions: '0+' },
      { name: 'groupState', type: 'string', versions: '4+' },
    ] },
  ],
} as const);

export type ListGroupsRequest = RequestOf<typeof ListGroups>;
export type ListGroupsResponse = ResponseOf<typeof ListGroups>;
export type ListGroupsResponseListedGroup = ListGroupsResponse['groups'][number];
