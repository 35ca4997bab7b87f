// LeaveGroup (API key 13): request and response declared at Kafka 3.x's versions 0-5 (v5 reason, KIP-800).
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const LeaveGroup = defineApi({
  apiKey: 13,
  name: 'LeaveGroup',
  about: 'Members leave a consumer group.',
  validVersions: [0, 5],
  flexibleVersions: 4,
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0-2' },
    { name: 'members', type: '[]MemberIdentity', versions: '3+', fields: [
      { name: 'memberId', type: 'string', versions: '3+' },
      { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
      { name: 'reason', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
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
