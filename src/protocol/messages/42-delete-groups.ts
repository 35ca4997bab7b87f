// DeleteGroups (API key 42): request and response declared at Kafka 2.8's versions 0-2.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const DeleteGroups = defineApi({
  apiKey: 42,
  name: 'DeleteGroups',
  about: 'Deletes consumer groups.',
  validVersions: [0, 2],
  flexibleVersions: 2,
  request: [
    { name: 'groupsNames', type: '[]string', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'results', type: '[]DeletableGroupResult', versions: '0+', fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
    ] },
  ],
} as const);

export type DeleteGroupsRequest = RequestOf<typeof DeleteGroups>;
export type DeleteGroupsResponse = ResponseOf<typeof DeleteGroups>;
export type DeleteGroupsResponseDeletableGroupResult = DeleteGroupsResponse['results'][number];
