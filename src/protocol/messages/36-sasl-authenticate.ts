// SaslAuthenticate (API key 36): request and response declared at Kafka 2.8's versions 0-2.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const SaslAuthenticate = defineApi({
  apiKey: 36,
  name: 'SaslAuthenticate',
  about: 'Carries one SASL authentication token exchange.',
  validVersions: [0, 2],
  flexibleVersions: 2,
  request: [
    { name: 'authBytes', type: 'bytes', versions: '0+' },
  ],
  response: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'authBytes', type: 'bytes', versions: '0+' },
    { name: 'sessionLifetimeMs', type: 'int64', versions: '1+', default: 0n },
  ],
} as const);

export type SaslAuthenticateRequest = RequestOf<typeof SaslAuthenticate>;
export type SaslAuthenticateResponse = ResponseOf<typeof SaslAuthenticate>;

