// AlterUserScramCredentials (API key 51, KIP-554): request and response declared at Kafka 2.8's version 0. Upsertions
// carry the salt and the salted password (never the password), from which the broker derives the stored keys.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const AlterUserScramCredentials = defineApi({
  apiKey: 51,
  name: 'AlterUserScramCredentials',
  about: 'Deletes and upserts SCRAM credentials of users.',
  validVersions: [0, 0],
  flexibleVersions: 0,
  request: [
    { name: 'deletions', type: '[]ScramCredentialDeletion', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'mechanism', type: 'int8', versions: '0+' },
    ] },
    { name: 'upsertions', type: '[]ScramCredentialUpsertion', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'mechanism', type: 'int8', versions: '0+' },
      { name: 'iterations', type: 'int32', versions: '0+' },
      { name: 'salt', type: 'bytes', versions: '0+' },
      { name: 'saltedPassword', type: 'bytes', versions: '0+' },
    ] },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'results', type: '[]AlterUserScramCredentialsResult', versions: '0+', fields: [
      { name: 'user', type: 'string', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    ] },
  ],
} as const);

export type AlterUserScramCredentialsRequest = RequestOf<typeof AlterUserScramCredentials>;
export type AlterUserScramCredentialsResponse = ResponseOf<typeof AlterUserScramCredentials>;
