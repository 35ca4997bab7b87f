// SaslHandshake (API key 17): request and response declared at Kafka 2.8's versions 0-1.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const SaslHandshake = defineApi({
  apiKey: 17,
  name: 'SaslHandshake',
  about: 'Chooses a SASL mechanism.',
  validVersions: [0, 1],
  flexibleVersions: null,
  request: [
    { name: 'mechanism', type: 'string', versions: '0+' },
  ],
  response: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'mechanisms', type: '[]string', versions: '0+' },
  ],
} as const);

export type SaslHandshakeRequest = RequestOf<typeof SaslHandshake>;
export type SaslHandshakeResponse = ResponseOf<typeof SaslHandshake>;

