// The one generic codec: reads and writes every version of every declared message and the headers.
//
// For each (api, version, direction) a plan is built on first use: one node per field with
// size/write/read functions specialised for the version (classic or flexible encoding, nullable or
// not, tagged or not); each struct's functions are generated code over those nodes (compileStruct).
// Encoding sizes the whole frame first, then writes into one Buffer; string byte lengths and
// tagged-field sizes found while sizing are handed to the writing pass in order.
//
// Wire nodes for primitives and arrays live in codecNodes, struct plans in codecStructs; this module builds the
// plans per (api, version) and holds the headers and the encode/decode entry points.
import { ProtocolDecodeError, ProtocolEncodeError, Reader, Writer } from './buffers';
import {
  isFlexible,
  isValidVersion,
  parseVersionRange,
  type ApiSchema,
  type RequestInput,
  type RequestOf,
  type ResponseInput,
  type ResponseOf,
} from './schema';
import { apisByKey } from './messages';
import { EMPTY_BUFFER, MAX_STRING_BYTES, sizingPass } from './codecNodes';
import { buildStruct, readTaggedFields, type StructPlan } from './codecStructs';

export { ProtocolDecodeError, ProtocolEncodeError } from './buffers';

// ---- plans per (api, version) -----------------------------------------------------------------

interface ApiPlans {
  request: (StructPlan | undefined)[];
  response: (StructPlan | undefined)[];
}
const plansByApi = new WeakMap<ApiSchema, ApiPlans>();

function planFor(api: ApiSchema, version: number, dir: 'request' | 'response'): StructPlan {
  let plans = plansByApi.get(api);
  if (plans === undefined) {
    plans = { request: [], response: [] };
    plansByApi.set(api, plans);
  }
  const list = plans[dir];
  let plan = list[version];
  if (plan === undefined) {
    if (!isValidVersion(api, version)) {
      throw new ProtocolDecodeError(`${api.name} v${version} is not a supported version`);
    }
    plan = buildStruct(api[dir], version, isFlexible(api, version), `${api.name}${dir === 'request' ? 'Request' : 'Response'}`);
    list[version] = plan;
  }
  return plan;
}

/** Builds (and caches) every plan of an api now rather than on first use; also validates the schema. */
export function precompile(api: ApiSchema): void {
  for (let v = api.validVersions[0]; v <= api.validVersions[1]; v++) {
    planFor(api, v, 'request');
    planFor(api, v, 'response');
  }
}

// ---- headers ----------------------------------------------------------------------------------

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

const API_VERSIONS_KEY = 18;
const CONTROLLED_SHUTDOWN_KEY = 7;

/** Request header version for (apiKey, version): 0 for ControlledShutdown v0, 2 when flexible, else 1. */
export function requestHeaderVersion(api: ApiSchema, version: number): 0 | 1 | 2 {
  if (api.apiKey === CONTROLLED_SHUTDOWN_KEY && version === 0) return 0;
  return isFlexible(api, version) ? 2 : 1;
}

/** Response header version: 1 when flexible, except ApiVersions which always answers with v0 (KIP-511). */
export function responseHeaderVersion(api: ApiSchema, version: number): 0 | 1 {
  if (api.apiKey === API_VERSIONS_KEY) return 0;
  return isFlexible(api, version) ? 1 : 0;
}

/**
 * Reads the request header of a frame (bytes after the size prefix). For a known api the header
 * version follows from its flexible versions (a version above the known range counts as flexible when
 * the api has flexible versions, as Kafka does). For an unknown api key, or when the rest of the header
 * cannot be read, returns apiKey/apiVersion/correlationId with clientId null and `known: false`.
 */
export function readRequestHeader(frame: Buffer): RequestHeader & { bodyOffset: number; known: boolean } {
  if (frame.length < 8) throw new ProtocolDecodeError(`request header truncated (${frame.length} bytes)`);
  const apiKey = frame.readInt16BE(0);
  const apiVersion = frame.readInt16BE(2);
  const correlationId = frame.readInt32BE(4);
  const api = apisByKey.get(apiKey);
  if (api === undefined || apiVersion < 0) {
    return { apiKey, apiVersion, correlationId, clientId: null, bodyOffset: 8, known: false };
  }
  const hv = requestHeaderVersion(api, apiVersion);
  if (hv === 0) return { apiKey, apiVersion, correlationId, clientId: null, bodyOffset: 8, known: isValidVersion(api, apiVersion) };
  const r = new Reader(frame, 8);
  const n = r.int16();
  let clientId: string | null = null;
  if (n >= 0) clientId = r.utf8(n, 'clientId');
  else if (n !== -1) throw new ProtocolDecodeError(`request header: bad clientId length ${n}`);
  if (hv === 2) readTaggedFields(r, null, null);
  return { apiKey, apiVersion, correlationId, clientId, bodyOffset: r.pos, known: isValidVersion(api, apiVersion) };
}

// ---- public encode/decode ---------------------------------------------------------------------

// Encoding is synchronous, so one scratch writer and length list serve every call.
const scratch = new Writer(0);
const scratchLens: number[] = [];

function finish(total: number): Buffer {
  if (scratch.pos !== total) throw new Error(`codec bug: wrote ${scratch.pos} of ${total} bytes`);
  const out = scratch.buf;
  scratch.buf = EMPTY_BUFFER;
  scratchLens.length = 0;
  return out;
}

/** Encodes a request with its header and 4-byte size prefix. Omitted fields take their defaults. */
export function encodeRequest<A extends ApiSchema>(
  api: A,
  version: number,
  header: { correlationId: number; clientId: string | null },
  body: RequestInput<A> | RequestOf<A>,
): Buffer {
  const plan = planFor(api, version, 'request');
  const hv = requestHeaderVersion(api, version);
  scratchLens.length = 0;
  const bodySize = plan.size(body, scratchLens);
  let clientIdLen = -1;
  let headerSize = 8;
  if (hv >= 1) {
    if (header.clientId !== null) {
      clientIdLen = Buffer.byteLength(header.clientId, 'utf8');
      if (clientIdLen > MAX_STRING_BYTES) throw new ProtocolEncodeError('clientId too long');
    }
    headerSize += 2 + Math.max(0, clientIdLen);
    if (hv === 2) headerSize += 1;
  }
  const total = 4 + headerSize + bodySize;
  scratch.reset(total, scratchLens);
  scratch.int32(total - 4);
  scratch.int16(api.apiKey);
  scratch.int16(version);
  scratch.int32(header.correlationId);
  if (hv >= 1) {
    scratch.int16(clientIdLen);
    if (clientIdLen > 0) scratch.utf8(header.clientId as string, clientIdLen);
    if (hv === 2) scratch.uvarint(0);
  }
  plan.write(scratch, body);
  return finish(total);
}

/** Encodes a response with its header and 4-byte size prefix. Omitted fields take their defaults. */
export function encodeResponse<A extends ApiSchema>(
  api: A,
  version: number,
  correlationId: number,
  body: ResponseInput<A> | ResponseOf<A>,
): Buffer {
  return encodeResponseInto(api, version, correlationId, body, false)[0]!;
}

/**
 * Like encodeResponse, but byte fields of SPLICE_MIN_BYTES or more (fetched records) are not copied: the result is
 * the frame as a list of buffers to write in order, the large fields being the caller's own buffers. Saves a copy
 * and a large allocation per fetch response; the caller must not change those buffers until they are written.
 */
export function encodeResponseParts<A extends ApiSchema>(
  api: A,
  version: number,
  correlationId: number,
  body: ResponseInput<A> | ResponseOf<A>,
): Buffer[] {
  return encodeResponseInto(api, version, correlationId, body, true);
}

/** One sizing pass and one writing pass; with `splice`, large byte fields are referenced instead of copied. */
function encodeResponseInto(api: ApiSchema, version: number, correlationId: number, body: unknown, splice: boolean): Buffer[] {
  const plan = planFor(api, version, 'response');
  const hv = responseHeaderVersion(api, version);
  scratchLens.length = 0;
  sizingPass.splicedBytes = 0;
  const bodySize = plan.size(body, scratchLens);
  const total = 4 + 4 + (hv === 1 ? 1 : 0) + bodySize;
  const own = splice ? total - sizingPass.splicedBytes : total;
  scratch.reset(own, scratchLens);
  const spliced: Array<{ at: number; b: Buffer }> = [];
  if (splice && sizingPass.splicedBytes > 0) scratch.spliced = spliced;
  try {
    scratch.int32(total - 4);
    scratch.int32(correlationId);
    if (hv === 1) scratch.uvarint(0);
    plan.write(scratch, body);
  } finally {
    scratch.spliced = null;
  }
  const buf = finish(own);
  if (spliced.length === 0) return [buf];
  const parts: Buffer[] = [];
  let from = 0;
  for (const { at, b } of spliced) {
    if (at > from) parts.push(buf.subarray(from, at));
    parts.push(b);
    from = at;
  }
  if (from < buf.length) parts.push(buf.subarray(from));
  return parts;
}

/** Decodes a request body that starts at bodyOffset (from readRequestHeader) in a frame. */
export function decodeRequest<A extends ApiSchema>(api: A, version: number, frame: Buffer, bodyOffset: number): RequestOf<A> {
  const plan = planFor(api, version, 'request');
  return plan.read(new Reader(frame, bodyOffset)) as RequestOf<A>;
}

/** Decodes a response frame (without its size prefix): header then body. */
export function decodeResponse<A extends ApiSchema>(
  api: A,
  version: number,
  frame: Buffer,
): { correlationId: number; body: ResponseOf<A> } {
  const plan = planFor(api, version, 'response');
  const r = new Reader(frame);
  const correlationId = r.int32();
  if (responseHeaderVersion(api, version) === 1) readTaggedFields(r, null, null);
  return { correlationId, body: plan.read(r) as ResponseOf<A> };
}

/** Reads only the correlation id of a response frame (to route it before knowing the api). */
export function readResponseCorrelationId(frame: Buffer): number {
  if (frame.length < 4) throw new ProtocolDecodeError('response header truncated');
  return frame.readInt32BE(0);
}

/** Encodes just a body (no header, no size prefix); handy for tests and golden bytes. */
export function encodeBody<A extends ApiSchema>(
  api: A,
  version: number,
  dir: 'request' | 'response',
  body: RequestInput<A> | ResponseInput<A>,
): Buffer {
  const plan = planFor(api, version, dir);
  scratchLens.length = 0;
  const total = plan.size(body, scratchLens);
  scratch.reset(total, scratchLens);
  plan.write(scratch, body);
  return finish(total);
}

/** Decodes just a body; throws ProtocolDecodeError unless it uses exactly the given bytes. */
export function decodeBody<A extends ApiSchema>(
  api: A,
  version: number,
  dir: 'request' | 'response',
  bytes: Buffer,
): RequestOf<A> | ResponseOf<A> {
  const plan = planFor(api, version, dir);
  const r = new Reader(bytes);
  const out = plan.read(r);
  if (r.pos !== r.end) throw new ProtocolDecodeError(`${r.end - r.pos} bytes left after ${api.name} ${dir}`);
  return out as RequestOf<A> | ResponseOf<A>;
}

export { parseVersionRange };
