// DescribeAcls (API key 29): request and response declared at Kafka 2.8's versions 0-2.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const DescribeAcls = defineApi({
  apiKey: 29,
  name: 'DescribeAcls',
  about: 'Describes ACLs matching a filter.',
  validVersions: [0, 2],
  flexibleVersions: 2,
  request: [
    { name: 'resourceTypeFilter', type: 'int8', versions: '0+' },
    { name: 'resourceNameFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'patternTypeFilter', type: 'int8', versions: '1+', default: 3 },
    { name: 'principalFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'hostFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'operation', type: 'int8', versions: '0+' },
    { name: 'permissionType', type: 'int8', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'resources', type: '[]DescribeAclsResource', versions: '0+', fields: [
      { name: 'resourceType', type: 'int8', versions: '0+' },
      { name: 'resourceName', type: 'string', versions: '0+' },
      { name: 'patternType', type: 'int8', versions: '1+', default: 3 },
      { name: 'acls', type: '[]AclDescription', versions: '0+', fields: [
        { name: 'principal', type: 'string', versions: '0+' },
        { name: 'host', type: 'string', versions: '0+' },
        { name: 'operation', type: 'int8', versions: '0+' },
        { name: 'permissionType', type: 'int8', versions: '0+' },
      ] },
    ] },
  ],
} as const);

export type DescribeAclsRequest = RequestOf<typeof DescribeAcls>;
export type DescribeAclsResponse = ResponseOf<typeof DescribeAcls>;
export type DescribeAclsResponseDescribeAclsResource = DescribeAclsResponse['resources'][number];
export type DescribeAclsResponseAclDescription = DescribeAclsResponse['resources'][number]['acls'][number];
