// The one generic codec: reads and writes every version of every declared message and the headers.
//
// For each (api, version, direction) a plan is built on first use: one node per field with
// size/write/read functions specialised for the version (classic or flexible encoding, nullable or
// not, tagged or not); each struct's functions are generated code over those nodes (compileStruct). Encoding sizes the whole frame first, then writes into one Buffer; string
// byte lengths and tagged-field sizes found while sizing are handed to the writing pass in order.
import { ProtocolDecodeError, ProtocolEncodeError, Reader, SPLICE_MIN_BYTES, Writer, uvarintSize } from './buffers';
import {
  inVersionRange,
  isFlexible,
  isValidVersion,
  parseVersionRange,
  type ApiSchema,
  type FieldSpec,
  type RequestInput,
  type RequestOf,
  type ResponseInput,
  type ResponseOf,
} from './schema';
import { apisByKey } from './messages';

export { ProtocolDecodeError, ProtocolEncodeError } from './buffers';

interface Node {
  /** Wire size of v; pushes values the writing pass will need onto lens. */
  size(v: unknown, lens: number[]): number;
  write(w: Writer, v: unknown): void;
  read(r: Reader): unknown;
  /** Fewest bytes an encoding can take (bounds array counts before allocating). */
  readonly minSize: number;
  /** For fixed-width primitives: the byte count and the Reader/Writer method, so struct code can inline them. */
  readonly fixedSize?: number;
  readonly method?: 'int8' | 'int16' | 'uint16' | 'int32' | 'int64' | 'float64' | 'bool';
}

interface FieldPlan {
  readonly name: string;
  readonly node: Node;
  /** Fresh default for decoded objects (arrays/structs must not be shared). */
  readonly makeDefault: () => unknown;
  /** Value used on encode when the caller omitted the field. */
  readonly encodeDefault: unknown;
  readonly isDefault: (v: unknown) => boolean;
  readonly tag: number;
}

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const EMPTY_BUFFER = Buffer.alloc(0);
const EMPTY_ARRAY: readonly unknown[] = Object.freeze([]);
const MAX_STRING_BYTES = 0x7fff;

type Obj = Record<string, unknown>;

// ---- primitive nodes --------------------------------------------------------------------------

function fixed(n: number, write: (w: Writer, v: unknown) => void, read: (r: Reader) => unknown, method?: Node['method']): Node {
  return method === undefined ? { size: () => n, write, read, minSize: n } : { size: () => n, write, read, minSize: n, fixedSize: n, method };
}

function nullError(path: string): ProtocolEncodeError {
  return new ProtocolEncodeError(`${path}: null is not allowed at this version`);
}

function stringNode(flexible: boolean, nullable: boolean, path: string): Node {
  return {
    minSize: flexible ? 1 : 2,
    size(v, lens) {
      if (v === null) {
        if (!nullable) throw nullError(path);
        return flexible ? 1 : 2;
      }
      const len = Buffer.byteLength(v as string, 'utf8');
      if (len > MAX_STRING_BYTES) throw new ProtocolEncodeError(`${path}: string of ${len} bytes is too long`);
      lens.push(len);
      return (flexible ? uvarintSize(len + 1) : 2) + len;
    },
    write(w, v) {
      if (v === null) {
        if (flexible) w.uvarint(0);
        else w.int16(-1);
        return;
      }
      const len = w.nextLen();
      if (flexible) w.uvarint(len + 1);
      else w.int16(len);
      w.utf8(v as string, len);
    },
    read(r) {
      const n = flexible ? r.uvarint() - 1 : r.int16();
      if (n < 0) {
        if (n === -1 && nullable) return null;
        throw new ProtocolDecodeError(n === -1 ? `${path}: null in a non-nullable string` : `${path}: bad length ${n}`);
      }
      if (n > MAX_STRING_BYTES) throw new ProtocolDecodeError(`${path}: string length ${n} too large`);
      return r.utf8(n, path);
    },
  };
}

/** `bytes` and `records` share one layout: int32 or compact length, -1/0 meaning null. */
function bytesNode(flexible: boolean, nullable: boolean, path: string): Node {
  return {
    minSize: flexible ? 1 : 4,
    size(v) {
      if (v === null) {
        if (!nullable) throw nullError(path);
        return flexible ? 1 : 4;
      }
      const len = (v as Buffer).length;
      if (len >= SPLICE_MIN_BYTES) splicedInSizing += len;
      return (flexible ? uvarintSize(len + 1) : 4) + len;
    },
    write(w, v) {
      if (v === null) {
        if (flexible) w.uvarint(0);
        else w.int32(-1);
        return;
      }
      const b = v as Buffer;
      if (flexible) w.uvarint(b.length + 1);
      else w.int32(b.length);
      w.bytes(b);
    },
    read(r) {
      const n = flexible ? r.uvarint() - 1 : r.int32();
      if (n < 0) {
        if (n === -1 && nullable) return null;
        throw new ProtocolDecodeError(n === -1 ? `${path}: null in non-nullable bytes` : `${path}: bad length ${n}`);
      }
      return r.view(n, path);
    },
  };
}

function uuidNode(path: string): Node {
  return fixed(
    16,
    (w, v) => {
      const b = Buffer.from(v as string, 'base64url');
      if (b.length !== 16) throw new ProtocolEncodeError(`${path}: '${String(v)}' is not a 16-byte uuid`);
      w.bytes(b);
    },
    (r) => r.view(16, path).toString('base64url'),
  );
}

function primitiveNode(type: string, flexible: boolean, nullable: boolean, path: string): Node {
  switch (type) {
    case 'int8':
      return fixed(1, (w, v) => w.int8(v as number), (r) => r.int8(), 'int8');
    case 'int16':
      return fixed(2, (w, v) => w.int16(v as number), (r) => r.int16(), 'int16');
    case 'uint16':
      return fixed(2, (w, v) => w.uint16(v as number), (r) => r.uint16(), 'uint16');
    case 'int32':
      return fixed(4, (w, v) => w.int32(v as number), (r) => r.int32(), 'int32');
    case 'int64':
      return fixed(8, (w, v) => w.int64(v as bigint), (r) => r.int64(), 'int64');
    case 'float64':
      return fixed(8, (w, v) => w.float64(v as number), (r) => r.float64(), 'float64');
    case 'bool':
      return fixed(1, (w, v) => w.bool(v as boolean), (r) => r.bool(), 'bool');
    case 'uuid':
      return uuidNode(path);
    case 'string':
      return stringNode(flexible, nullable, path);
    case 'bytes':
      return bytesNode(flexible, nullable, path);
    case 'records':
      return bytesNode(flexible, true, path);
    default:
      throw new Error(`${path}: unknown type '${type}'`);
  }
}

function arrayNode(elem: Node, flexible: boolean, nullable: boolean, path: string): Node {
  const elemMin = Math.max(1, elem.minSize);
  if (elem.method === 'int32') return int32ArrayNode(flexible, nullable, path);
  return {
    minSize: flexible ? 1 : 4,
    size(v, lens) {
      if (v === null) {
        if (!nullable) throw nullError(path);
        return flexible ? 1 : 4;
      }
      const a = v as readonly unknown[];
      let s = flexible ? uvarintSize(a.length + 1) : 4;
      for (let i = 0; i < a.length; i++) s += elem.size(a[i], lens);
      return s;
    },
    write(w, v) {
      if (v === null) {
        if (flexible) w.uvarint(0);
        else w.int32(-1);
        return;
      }
      const a = v as readonly unknown[];
      if (flexible) w.uvarint(a.length + 1);
      else w.int32(a.length);
      for (let i = 0; i < a.length; i++) elem.write(w, a[i]);
    },
    read(r) {
      const n = flexible ? r.uvarint() - 1 : r.int32();
      if (n < 0) {
        if (n === -1 && nullable) return null;
        throw new ProtocolDecodeError(n === -1 ? `${path}: null in a non-nullable array` : `${path}: bad count ${n}`);
      }
      // Never allocate for more elements than the remaining bytes could hold.
      if (n * elemMin > r.remaining()) {
        throw new ProtocolDecodeError(`${path}: array of ${n} elements exceeds the ${r.remaining()} remaining bytes`);
      }
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = elem.read(r);
      return out;
    },
  };
}

/** Arrays of int32 (replica lists, partition ids) are common enough to deserve a tight loop. */
function int32ArrayNode(flexible: boolean, nullable: boolean, path: string): Node {
  return {
    minSize: flexible ? 1 : 4,
    size(v) {
      if (v === null) {
        if (!nullable) throw nullError(path);
        return flexible ? 1 : 4;
      }
      const n = (v as readonly number[]).length;
      return (flexible ? uvarintSize(n + 1) : 4) + 4 * n;
    },
    write(w, v) {
      if (v === null) {
        if (flexible) w.uvarint(0);
        else w.int32(-1);
        return;
      }
      const a = v as readonly number[];
      if (flexible) w.uvarint(a.length + 1);
      else w.int32(a.length);
      for (let i = 0; i < a.length; i++) w.int32(a[i] as number);
    },
    read(r) {
      const n = flexible ? r.uvarint() - 1 : r.int32();
      if (n < 0) {
        if (n === -1 && nullable) return null;
        throw new ProtocolDecodeError(n === -1 ? `${path}: null in a non-nullable array` : `${path}: bad count ${n}`);
      }
      r.need(4 * n, path);
      const out = new Array<number>(n);
      const buf = r.buf;
      let pos = r.pos;
      for (let i = 0; i < n; i++, pos += 4) out[i] = buf.readInt32BE(pos);
      r.pos = pos;
      return out;
    },
  };
}

// ---- defaults ---------------------------------------------------------------------------------

function primitiveDefault(type: string, declared: FieldSpec['default']): unknown {
  if (declared !== undefined) return declared;
  switch (type) {
    case 'int64':
      return 0n;
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return EMPTY_BUFFER;
    case 'records':
      return null;
    case 'uuid':
      return ZERO_UUID;
    default:
      return 0;
  }
}

function sameDefault(type: string, def: unknown): (v: unknown) => boolean {
  if (type === 'bytes' && def !== null) return (v) => v === undefined || (v !== null && (v as Buffer).length === 0);
  return (v) => v === undefined || v === def;
}

// ---- structs ----------------------------------------------------------------------------------

interface StructPlan extends Node {
  readonly all: readonly FieldPlan[];
  readonly makeDefault: () => Obj;
}

function buildField(f: FieldSpec, version: number, flexible: boolean, path: string): FieldPlan {
  const fieldFlexible = flexible && (f.flexibleVersions === undefined || inVersionRange(f.flexibleVersions, version));
  const nullable = inVersionRange(f.nullableVersions, version);
  const isArray = f.type.startsWith('[]');
  const base = isArray ? f.type.slice(2) : f.type;
  const p = `${path}.${f.name}`;
  let node: Node;
  let makeDefault: () => unknown;
  let encodeDefault: unknown;
  let isDefault: (v: unknown) => boolean;
  if (f.fields !== undefined) {
    const struct = buildStruct(f.fields, version, fieldFlexible, p);
    if (isArray) {
      node = arrayNode(struct, fieldFlexible, nullable, p);
      const nullDefault = f.default === null;
      makeDefault = nullDefault ? () => null : () => [];
      encodeDefault = nullDefault ? null : EMPTY_ARRAY;
      isDefault = nullDefault ? (v) => v == null : (v) => v === undefined || (v !== null && (v as unknown[]).length === 0);
    } else {
      if (nullable) throw new Error(`${p}: nullable structs are not supported`);
      node = struct;
      makeDefault = struct.makeDefault;
      encodeDefault = {};
      isDefault = (v) => v === undefined || struct.all.every((sf) => sf.isDefault((v as Obj)[sf.name]));
    }
  } else if (isArray) {
    node = arrayNode(primitiveNode(base, fieldFlexible, false, `${p}[]`), fieldFlexible, nullable, p);
    const nullDefault = f.default === null;
    makeDefault = nullDefault ? () => null : () => [];
    encodeDefault = nullDefault ? null : EMPTY_ARRAY;
    isDefault = nullDefault ? (v) => v == null : (v) => v === undefined || (v !== null && (v as unknown[]).length === 0);
  } else {
    node = primitiveNode(base, fieldFlexible, nullable, p);
    const def = primitiveDefault(base, f.default);
    makeDefault = () => def;
    encodeDefault = def;
    isDefault = sameDefault(base, def);
  }
  const present = inVersionRange(f.versions, version);
  const tagged = present && flexible && inVersionRange(f.taggedVersions, version);
  if (tagged && f.tag === undefined) throw new Error(`${p}: tagged field without a tag`);
  return {
    name: f.name,
    node: present ? node : ABSENT,
    makeDefault,
    encodeDefault,
    isDefault,
    tag: tagged ? (f.tag as number) : present ? -1 : -2,
  };
}

/** Placeholder node for fields that do not exist at the plan's version. */
const ABSENT: Node = {
  minSize: 0,
  size: () => 0,
  write: () => undefined,
  read: () => undefined,
};

function buildStruct(fields: readonly FieldSpec[], version: number, flexible: boolean, path: string): StructPlan {
  const all: FieldPlan[] = [];
  for (const f of fields) {
    all.push(buildField(f, version, flexible, path));
  }
  // tag: -1 regular field, -2 absent at this version, >= 0 tagged.
  const regular = all.filter((f) => f.tag === -1);
  const tagged = all.filter((f) => f.tag >= 0).sort((a, b) => a.tag - b.tag);
  const byTag = new Map<number, FieldPlan>(tagged.map((f) => [f.tag, f]));
  const nAll = all.length;
  const nTag = tagged.length;
  const regularIdx = all.map((f) => f.tag === -1);
  let minSize = flexible ? 1 : 0;
  for (const f of regular) minSize += f.node.minSize;

  const makeDefault = (): Obj => {
    const o: Obj = {};
    for (let i = 0; i < nAll; i++) {
      const f = all[i] as FieldPlan;
      o[f.name] = f.makeDefault();
    }
    return o;
  };

  const sizeTagged = (o: Obj, lens: number[]): number => {
    let s = 0;
    let count = 0;
    for (let i = 0; i < nTag; i++) {
      const f = tagged[i] as FieldPlan;
      const x = o[f.name];
      if (f.isDefault(x)) continue;
      count++;
      // Reserve the size slot first: the writing pass needs it before the field's own lengths.
      const slot = lens.length;
      lens.push(0);
      const fs = f.node.size(x, lens);
      lens[slot] = fs;
      s += uvarintSize(f.tag) + uvarintSize(fs) + fs;
    }
    return s + uvarintSize(count);
  };
  const writeTagged = (w: Writer, o: Obj): void => {
    let count = 0;
    for (let i = 0; i < nTag; i++) if (!(tagged[i] as FieldPlan).isDefault(o[(tagged[i] as FieldPlan).name])) count++;
    w.uvarint(count);
    for (let i = 0; i < nTag; i++) {
      const f = tagged[i] as FieldPlan;
      const x = o[f.name];
      if (f.isDefault(x)) continue;
      w.uvarint(f.tag);
      w.uvarint(w.nextLen());
      f.node.write(w, x);
    }
  };
  const compiled = compileStruct(all, regularIdx, flexible, nTag > 0, { sizeTagged, writeTagged, byTag });
  return { all, makeDefault, minSize, ...compiled };
}

interface StructCode {
  size(v: unknown, lens: number[]): number;
  write(w: Writer, v: unknown): void;
  read(r: Reader): unknown;
}

/**
 * Generates the size/write/read functions of one struct at one version. Generated code reads fields
 * into an object literal (one stable shape per struct) and inlines fixed-width primitives, which is
 * several times faster than looping over field descriptors. Only field names from our own declarations
 * (validated as identifiers) and indexes enter the generated source.
 */
function compileStruct(
  all: readonly FieldPlan[],
  regularIdx: readonly boolean[],
  flexible: boolean,
  hasTagged: boolean,
  helpers: {
    sizeTagged: (o: Obj, lens: number[]) => number;
    writeTagged: (w: Writer, o: Obj) => void;
    byTag: ReadonlyMap<number, FieldPlan>;
  },
): StructCode {
  const sizeLines: string[] = [];
  const writeLines: string[] = [];
  const readProps: string[] = [];
  let fixedTotal = 0;
  all.forEach((f, i) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(f.name)) throw new Error(`field name '${f.name}' is not an identifier`);
    const key = JSON.stringify(f.name);
    if (!regularIdx[i]) {
      readProps.push(`${key}: F[${i}].makeDefault()`);
      return;
    }
    const n = f.node;
    const val = `(o[${key}] === undefined ? F[${i}].encodeDefault : o[${key}])`;
    if (n.fixedSize !== undefined && n.method !== undefined) {
      fixedTotal += n.fixedSize;
      writeLines.push(`w.${n.method}(${val});`);
      readProps.push(`${key}: r.${n.method}()`);
    } else {
      sizeLines.push(`s += F[${i}].node.size(${val}, lens);`);
      writeLines.push(`F[${i}].node.write(w, ${val});`);
      readProps.push(`${key}: F[${i}].node.read(r)`);
    }
  });
  if (flexible) {
    if (hasTagged) {
      sizeLines.push('s += H.sizeTagged(o, lens);');
      writeLines.push('H.writeTagged(w, o);');
    } else {
      sizeLines.push('s += 1;');
      writeLines.push('w.uvarint(0);');
    }
  }
  const src = `
    return {
      size(o, lens) { let s = ${fixedTotal}; ${sizeLines.join(' ')} return s; },
      write(w, o) { ${writeLines.join(' ')} },
      read(r) { const o = { ${readProps.join(', ')} }; ${flexible ? 'H.readTagged(r, H.byTag, o);' : ''} return o; },
    };`;
  const factory = new Function('F', 'H', src) as (f: readonly FieldPlan[], h: object) => StructCode;
  return factory(all, { ...helpers, readTagged: readTaggedFields });
}

/** Reads a tagged-field section; known tags are decoded into o, unknown ones skipped. */
function readTaggedFields(r: Reader, byTag: ReadonlyMap<number, FieldPlan> | null, o: Obj | null): void {
  const n = r.uvarint();
  if (n > r.remaining()) throw new ProtocolDecodeError(`tagged field count ${n} exceeds the frame`);
  let lastTag = -1;
  for (let i = 0; i < n; i++) {
    const tag = r.uvarint();
    if (tag <= lastTag) throw new ProtocolDecodeError(`tagged fields out of order (${tag} after ${lastTag})`);
    lastTag = tag;
    const size = r.uvarint();
    r.need(size, 'tagged field');
    const f = byTag?.get(tag);
    if (f === undefined || o === null) {
      r.pos += size;
      continue;
    }
    const end = r.end;
    r.end = r.pos + size;
    o[f.name] = f.node.read(r);
    if (r.pos !== r.end) throw new ProtocolDecodeError(`tagged field ${f.name}: ${r.end - r.pos} bytes left over`);
    r.end = end;
  }
}

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

/** Bytes of SPLICE_MIN_BYTES-or-larger byte fields seen by the last sizing pass. */
let splicedInSizing = 0;

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
  splicedInSizing = 0;
  const bodySize = plan.size(body, scratchLens);
  const total = 4 + 4 + (hv === 1 ? 1 : 0) + bodySize;
  const own = splice ? total - splicedInSizing : total;
  scratch.reset(own, scratchLens);
  const spliced: Array<{ at: number; b: Buffer }> = [];
  if (splice && splicedInSizing > 0) scratch.spliced = spliced;
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
