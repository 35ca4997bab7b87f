// Property tests: random valid messages of every api, version and direction survive encode → decode.
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  readRequestHeader,
} from '../../../src/protocol/codec';
import { allApis } from '../../../src/protocol/messages';
import type { ApiSchema } from '../../../src/protocol/schema';
import { randomMessage, rng, versionsOf } from './random-message';

const PER_VERSION = 40;

describe.each(allApis.map((a) => [a.name, a] as const))('%s round trip', (_name: string, api: ApiSchema) => {
  test(`requests at every version (${PER_VERSION} random each, >= 200 per api)`, () => {
    const versions = versionsOf(api);
    const perVersion = Math.max(PER_VERSION, Math.ceil(200 / versions.length));
    const r = rng(api.apiKey * 1000 + 1);
    for (const v of versions) {
      for (let i = 0; i < perVersion; i++) {
        const msg = randomMessage(api, v, 'request', r);
        const clientId = i % 5 === 0 ? null : `client-${i}`;
        const frame = encodeRequest(api, v, { correlationId: i, clientId }, msg);
        expect(frame.readInt32BE(0)).toBe(frame.length - 4);
        const body = frame.subarray(4);
        const h = readRequestHeader(body);
        expect(h).toMatchObject({ apiKey: api.apiKey, apiVersion: v, correlationId: i, known: true });
        expect(h.clientId).toBe(api.apiKey === 7 && v === 0 ? null : clientId);
        const decoded = decodeRequest(api, v, body, h.bodyOffset);
        expect(decoded).toEqual(msg);
        expect(encodeRequest(api, v, { correlationId: i, clientId }, decoded).equals(frame)).toBe(true);
      }
    }
  });

  test(`responses at every version (${PER_VERSION} random each, >= 200 per api)`, () => {
    const versions = versionsOf(api);
    const perVersion = Math.max(PER_VERSION, Math.ceil(200 / versions.length));
    const r = rng(api.apiKey * 1000 + 2);
    for (const v of versions) {
      for (let i = 0; i < perVersion; i++) {
        const msg = randomMessage(api, v, 'response', r);
        const frame = encodeResponse(api, v, 1000 + i, msg);
        expect(frame.readInt32BE(0)).toBe(frame.length - 4);
        const { correlationId, body } = decodeResponse(api, v, frame.subarray(4));
        expect(correlationId).toBe(1000 + i);
        expect(body).toEqual(msg);
        expect(encodeResponse(api, v, 1000 + i, body).equals(frame)).toBe(true);
      }
    }
  });
});
