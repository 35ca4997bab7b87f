// encodeResponseParts: the same bytes as encodeResponse, with large byte fields passed by reference.
import { encodeResponse, encodeResponseParts } from '../../../src/protocol/codec';
import { SPLICE_MIN_BYTES } from '../../../src/protocol/buffers';
import { Fetch, Metadata } from '../../../src/protocol/messages';
import { randomMessage, rng } from './random-message';

function fetchResponse(sizes: number[], version: number) {
  return {
    throttleTimeMs: 0, errorCode: 0, sessionId: 0,
    responses: [{ topic: 't', partitionResponses: sizes.map((n, i) => ({
      partition: i, errorCode: 0, highWatermark: 10n, lastStableOffset: 10n, logStartOffset: 0n, abortedTransactions: version >= 4 ? [] : null,
      preferredReadReplica: -1, recordSet: Buffer.alloc(n, i + 1),
    })) }],
  };
}

describe('encodeResponseParts', () => {
  test.each([4, 11])('Fetch v%i: large record sets are referenced, small ones copied; the bytes equal encodeResponse', (v) => {
    const body = fetchResponse([SPLICE_MIN_BYTES * 3, 100, SPLICE_MIN_BYTES, 0], v);
    const parts = encodeResponseParts(Fetch, v, 42, body);
    expect(Buffer.concat(parts).equals(encodeResponse(Fetch, v, 42, body))).toBe(true);
    const sets = body.responses[0]!.partitionResponses.map((p) => p.recordSet);
    expect(parts).toContain(sets[0]);
    expect(parts).toContain(sets[2]);
    expect(parts).not.toContain(sets[1]);
    expect(parts.length).toBe(5); // head, set 0, middle, set 2, tail
  });

  test('without large byte fields it is one buffer, equal to encodeResponse (random Metadata and Fetch responses)', () => {
    const r = rng(9);
    for (const [api, v] of [[Metadata, 9], [Fetch, 11], [Fetch, 7]] as const) {
      for (let i = 0; i < 50; i++) {
        const msg = randomMessage(api, v, 'response', r);
        const parts = encodeResponseParts(api, v, i, msg as never);
        expect(parts.length).toBe(1);
        expect(parts[0]!.equals(encodeResponse(api, v, i, msg as never))).toBe(true);
      }
    }
  });
});
