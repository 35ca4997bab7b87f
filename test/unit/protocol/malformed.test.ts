// Malformed input: truncated, mutated and hostile frames only ever raise ProtocolDecodeError, quickly.
import {
  ProtocolDecodeError,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  readRequestHeader,
} from '../../../src/protocol/codec';
import { Reader } from '../../../src/protocol/buffers';
import { ApiVersions, Metadata, Produce, allApis } from '../../../src/protocol/messages';
import { randomMessage, rng, versionsOf } from './random-message';

function expectOnlyDecodeErrors(fn: () => unknown): 'ok' | 'error' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (!(err instanceof ProtocolDecodeError)) throw err;
    return 'error';
  }
}

test('every truncation of valid request and response frames fails with ProtocolDecodeError', () => {
  const r = rng(99);
  let cuts = 0;
  const started = Date.now();
  for (const api of allApis) {
    for (const v of versionsOf(api)) {
      const req = encodeRequest(api, v, { correlationId: 1, clientId: 'c' }, randomMessage(api, v, 'request', r)).subarray(4);
      const res = encodeResponse(api, v, 1, randomMessage(api, v, 'response', r)).subarray(4);
      const hdr = readRequestHeader(req);
      for (let i = 0; i < 6; i++) {
        const cut = Math.floor(r() * req.length);
        cuts++;
        // A strict prefix can never be a complete message: each one must be refused.
        if (cut >= hdr.bodyOffset) {
          expect(expectOnlyDecodeErrors(() => decodeRequest(api, v, req.subarray(0, cut), hdr.bodyOffset))).toBe('error');
        } else {
          expectOnlyDecodeErrors(() => readRequestHeader(req.subarray(0, cut)));
        }
        const rcut = Math.floor(r() * res.length);
        expect(expectOnlyDecodeErrors(() => decodeResponse(api, v, res.subarray(0, rcut)))).toBe('error');
      }
    }
  }
  expect(cuts).toBeGreaterThan(1000);
  expect(Date.now() - started).toBeLessThan(20_000);
});

test('random byte mutations decode or raise ProtocolDecodeError, never anything else', () => {
  const r = rng(7);
  let n = 0;
  for (const api of allApis) {
    for (const v of versionsOf(api)) {
      const frame = encodeRequest(api, v, { correlationId: 1, clientId: 'c' }, randomMessage(api, v, 'request', r)).subarray(4);
      const res = encodeResponse(api, v, 1, randomMessage(api, v, 'response', r)).subarray(4);
      for (let i = 0; i < 10; i++) {
        const m = Buffer.from(frame);
        const mr = Buffer.from(res);
        for (let k = 0; k < 3; k++) {
          m[Math.floor(r() * m.length)] = Math.floor(r() * 256);
          mr[Math.floor(r() * mr.length)] = [0x00, 0x7f, 0x80, 0xff][Math.floor(r() * 4)] as number;
        }
        n++;
        expectOnlyDecodeErrors(() => {
          const h = readRequestHeader(m);
          decodeRequest(api, v, m, h.bodyOffset);
        });
        expectOnlyDecodeErrors(() => decodeResponse(api, v, mr));
      }
    }
  }
  expect(n).toBeGreaterThan(1500);
});

test('random garbage after a valid header', () => {
  const r = rng(3);
  for (let i = 0; i < 2000; i++) {
    const api = allApis[Math.floor(r() * allApis.length)] as (typeof allApis)[number];
    const v = api.validVersions[0] + Math.floor(r() * (api.validVersions[1] - api.validVersions[0] + 1));
    const head = encodeRequest(api, v, { correlationId: i, clientId: 'c' }, {}).subarray(4);
    const h = readRequestHeader(head);
    const garbage = Buffer.alloc(Math.floor(r() * 64));
    for (let k = 0; k < garbage.length; k++) garbage[k] = Math.floor(r() * 256);
    const f = Buffer.concat([head.subarray(0, h.bodyOffset), garbage]);
    expectOnlyDecodeErrors(() => decodeRequest(api, v, f, h.bodyOffset));
  }
});

describe('hostile lengths', () => {
  const header = (key: number, v: number): Buffer => {
    const b = Buffer.alloc(10);
    b.writeInt16BE(key, 0);
    b.writeInt16BE(v, 2);
    b.writeInt32BE(1, 4);
    b.writeInt16BE(-1, 8);
    return b;
  };
  const i32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  const decode = (f: Buffer): unknown => {
    const h = readRequestHeader(f);
    const api = allApis.find((a) => a.apiKey === h.apiKey);
    if (!api) throw new Error('no api');
    return decodeRequest(api, h.apiVersion, f, h.bodyOffset);
  };

  test('array count of 2^31-1 is refused before allocating', () => {
    const f = Buffer.concat([header(3, 1), i32(0x7fffffff)]);
    expect(() => decode(f)).toThrow(ProtocolDecodeError);
    expect(() => decode(f)).toThrow(/exceeds/);
  });
  test('negative lengths other than -1 are refused', () => {
    expect(() => decode(Buffer.concat([header(3, 1), i32(-2)]))).toThrow(/bad count -2/);
    // Metadata v0 topics are not nullable: -1 is refused too.
    expect(() => decode(Buffer.concat([header(3, 0), i32(-1)]))).toThrow(/null in a non-nullable array/);
    // Topic name with length -5.
    expect(() => decode(Buffer.concat([header(3, 1), i32(1), Buffer.from([0xff, 0xfb])]))).toThrow(/bad length -5/);
  });
  test('string length beyond the frame', () => {
    expect(() => decode(Buffer.concat([header(3, 1), i32(1), Buffer.from([0x7f, 0xff]), Buffer.from('abc')]))).toThrow(ProtocolDecodeError);
  });
  test('bytes length beyond the frame (records)', () => {
    const f = Buffer.concat([header(0, 3), Buffer.from([0xff, 0xff, 0, 1]), i32(100), i32(1), Buffer.from([0, 1, 0x74]), i32(1), i32(0), i32(0x7ffffff0)]);
    expect(() => decode(f)).toThrow(/truncated/);
  });
  test('varints longer than 5 bytes and compact counts beyond the frame', () => {
    expect(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).uvarint()).toThrow(/varint too long/);
    expect(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f])).uvarint()).toThrow(/varint too long/);
    expect(new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])).uvarint()).toBe(0xffffffff);
    // CreateTopics v5 (flexible) with a compact array count of ~2^28.
    const f = Buffer.concat([header(19, 5), Buffer.from([0x00, 0xff, 0xff, 0xff, 0x7f])]);
    expect(() => decode(f)).toThrow(ProtocolDecodeError);
  });
  test('unsupported versions and short headers', () => {
    expect(() => decodeRequest(Produce, 42, Buffer.alloc(10), 0)).toThrow(ProtocolDecodeError);
    expect(() => readRequestHeader(Buffer.alloc(5))).toThrow(ProtocolDecodeError);
    expect(() => decodeResponse(Metadata, 1, Buffer.alloc(2))).toThrow(ProtocolDecodeError);
  });
  test('tagged field sizes beyond the frame', () => {
    const f = Buffer.concat([i32(1), Buffer.from([0, 0, 1, 0, 0, 0, 0]), Buffer.from([1, 0, 0x7f])]);
    expect(() => decodeResponse(ApiVersions, 3, f)).toThrow(ProtocolDecodeError);
  });
});
