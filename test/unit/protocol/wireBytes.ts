// Golden-byte test helpers: an independent byte builder (each helper returns the bytes of one wire primitive, written
// from the protocol guide's layouts, not by the codec) and checks that the codec writes and reads exactly those bytes.
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  readRequestHeader,
} from '../../../src/protocol/codec';
import type { ApiSchema, RequestInput, ResponseInput } from '../../../src/protocol/schema';

export const i8 = (v: number): Buffer => Buffer.from([v & 0xff]);
export const i16 = (v: number): Buffer => { const b = Buffer.alloc(2); b.writeInt16BE(v); return b; };
export const i32 = (v: number): Buffer => { const b = Buffer.alloc(4); b.writeInt32BE(v); return b; };
export const i64 = (v: bigint): Buffer => { const b = Buffer.alloc(8); b.writeBigInt64BE(v); return b; };
export const bool = (v: boolean): Buffer => i8(v ? 1 : 0);
export const uv = (v: number): Buffer => {
  const out: number[] = [];
  while (v >= 0x80) { out.push((v & 0x7f) | 0x80); v >>>= 7; }
  out.push(v);
  return Buffer.from(out);
};
export const str = (s: string | null): Buffer => (s === null ? i16(-1) : Buffer.concat([i16(Buffer.byteLength(s)), Buffer.from(s)]));
export const cstr = (s: string | null): Buffer => (s === null ? uv(0) : Buffer.concat([uv(Buffer.byteLength(s) + 1), Buffer.from(s)]));
export const byt = (b: Buffer | null): Buffer => (b === null ? i32(-1) : Buffer.concat([i32(b.length), b]));
export const cbyt = (b: Buffer | null): Buffer => (b === null ? uv(0) : Buffer.concat([uv(b.length + 1), b]));
export const arr = (items: Buffer[] | null): Buffer => (items === null ? i32(-1) : Buffer.concat([i32(items.length), ...items]));
export const carr = (items: Buffer[] | null): Buffer => (items === null ? uv(0) : Buffer.concat([uv(items.length + 1), ...items]));
export const NO_TAGS = uv(0);
export const cat = (...parts: Buffer[]): Buffer => Buffer.concat(parts);
export const frame = (...parts: Buffer[]): Buffer => { const body = Buffer.concat(parts); return Buffer.concat([i32(body.length), body]); };
export const reqHeader1 = (key: number, v: number, corr: number, client: string | null): Buffer => cat(i16(key), i16(v), i32(corr), str(client));
export const reqHeader2 = (key: number, v: number, corr: number, client: string | null): Buffer => cat(reqHeader1(key, v, corr, client), NO_TAGS);

export function checkRequest<A extends ApiSchema>(api: A, v: number, body: RequestInput<A>, expected: Buffer, corr = 7, client: string | null = 'cli'): void {
  const got = encodeRequest(api, v, { correlationId: corr, clientId: client }, body);
  expect(got.toString('hex')).toBe(expected.toString('hex'));
  const f = expected.subarray(4);
  const h = readRequestHeader(f);
  expect(h).toMatchObject({ apiKey: api.apiKey, apiVersion: v, correlationId: corr, clientId: client });
  expect(decodeRequest(api, v, f, h.bodyOffset)).toMatchObject(body as object);
}

export function checkResponse<A extends ApiSchema>(api: A, v: number, body: ResponseInput<A>, expected: Buffer, corr = 9): void {
  const got = encodeResponse(api, v, corr, body);
  expect(got.toString('hex')).toBe(expected.toString('hex'));
  const d = decodeResponse(api, v, expected.subarray(4));
  expect(d.correlationId).toBe(corr);
  expect(d.body).toMatchObject(body as object);
}
