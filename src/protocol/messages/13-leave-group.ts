// LeaveGroup (API key 13): request and response declared at Kafka 2.8's versions 0-4.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const LeaveGroup = defineApi({
  apiKey: 13,
  name: 'LeaveGroup',
  about: 'Members leave a consumer group.',
  validVersions: [0, 4],
  flexibleVersions: 4,
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0-2' },
    { name: 'members', type: '[]MemberIdentity', versions: '3+', fields: [
      { name: 'memberId', type: 'string', versions: '3+' },
      { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    ] },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'members', type: '[]MemberResponse', versions: '3+', fields: [
      { name: 'memberId', type: 'string', versions: '3+' },
      { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+' },
      { name: 'errorCode', type: 'int16', versions: '3+' },
    ] },
  ],
} as const);

export type LeaveGroupRequest = RequestOf<typeof LeaveGroup>;
export type LeaveGroupResponse = ResponseOf<typeof LeaveGroup>;
export type LeaveGroupRequestMemberIdentity = LeaveGroupRequest['members'][number];
export type LeaveGroupResponseMemberResponse = LeaveGroupResponse['members'][number];
