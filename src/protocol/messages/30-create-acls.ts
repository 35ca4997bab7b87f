// CreateAcls (API key 30): request and response declared at Kafka 2.8's versions 0-2.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const CreateAcls = defineApi({
  apiKey: 30,
  name: 'CreateAcls',
  about: 'Creates ACLs.',
  validVersions: [0, 2],
  flexibleVersions: 2,
  request: [
    { name: 'creations', type: '[]AclCreation', versions: '0+', fields: [
      { name: 'resourceType', type: 'int8', versions: '0+' },
      { name: 'resourceName', type: 'string', versions: '0+' },
      { name: 'resourcePatternType', type: 'int8', versions: '1+', default: 3 },
      { name: 'principal', type: 'string', versions: '0+' },
      { name: 'host', type: 'string', versions: '0+' },
      { name: 'operation', type: 'int8', versions: '0+' },
      { name: 'permissionType', type: 'int8', versions: '0+' },
    ] },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'results', type: '[]AclCreationResult', versions: '0+', fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    ] },
  ],
} as const);

export type CreateAclsRequest = RequestOf<typeof CreateAcls>;
export type CreateAclsResponse = ResponseOf<typeof CreateAcls>;
export type CreateAclsRequestAclCreation = CreateAclsRequest['creations'][number];
export type CreateAclsResponseAclCreationResult = CreateAclsResponse['results'][number];
