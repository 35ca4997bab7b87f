// DeleteAcls (API key 31): request and response declared at Kafka 2.8's versions 0-2.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const DeleteAcls = defineApi({
  apiKey: 31,
  name: 'DeleteAcls',
  about: 'Deletes ACLs matching filters.',
  validVersions: [0, 2],
  flexibleVersions: 2,
  request: [
    { name: 'filters', type: '[]DeleteAclsFilter', versions: '0+', fields: [
      { name: 'resourceTypeFilter', type: 'int8', versions: '0+' },
      { name: 'resourceNameFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'patternTypeFilter', type: 'int8', versions: '1+', default: 3 },
      { name: 'principalFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'hostFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'operation', type: 'int8', versions: '0+' },
      { name: 'permissionType', type: 'int8', versions: '0+' },
    ] },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'filterResults', type: '[]DeleteAclsFilterResult', versions: '0+', fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'matchingAcls', type: '[]DeleteAclsMatchingAcl', versions: '0+', fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
        { name: 'patternType', type: 'int8', versions: '1+', default: 3 },
        { name: 'principal', type: 'string', versions: '0+' },
        { name: 'host', type: 'string', versions: '0+' },
        { name: 'operation', type: 'int8', versions: '0+' },
        { name: 'permissionType', type: 'int8', versions: '0+' },
      ] },
    ] },
  ],
} as const);

export type DeleteAclsRequest = RequestOf<typeof DeleteAcls>;
export type DeleteAclsResponse = ResponseOf<typeof DeleteAcls>;
export type DeleteAclsRequestDeleteAclsFilter = DeleteAclsRequest['filters'][number];
export type DeleteAclsResponseDeleteAclsFilterResult = DeleteAclsResponse['filterResults'][number];
export type DeleteAclsResponseDeleteAclsMatchingAcl = DeleteAclsResponse['filterResults'][number]['matchingAcls'][number];
