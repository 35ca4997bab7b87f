// DescribeUserScramCredentials (API key 50, KIP-554): request and response declared at Kafka 2.8's version 0.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const DescribeUserScramCredentials = defineApi({
  apiKey: 50,
  name: 'DescribeUserScramCredentials',
  about: 'Describes the SCRAM mechanisms and iteration counts of users (never the credentials themselves).',
  validVersions: [0, 0],
  flexibleVersions: 0,
  request: [
    { name: 'users', type: '[]UserName', versions: '0+', nullableVersions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
    ] },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'results', type: '[]DescribeUserScramCredentialsResult', versions: '0+', fields: [
      { name: 'user', type: 'string', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'credentialInfos', type: '[]CredentialInfo', versions: '0+', fields: [
        { name: 'mechanism', type: 'int8', versions: '0+' },
        { name: 'iterations', type: 'int32', versions: '0+' },
      ] },
    ] },
  ],
} as const);

export type DescribeUserScramCredentialsRequest = RequestOf<typeof DescribeUserScramCredentials>;
export type DescribeUserScramCredentialsResponse = ResponseOf<typeof DescribeUserScramCredentials>;
