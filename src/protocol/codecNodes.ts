// The codec's wire nodes: one size/write/read triple per primitive type (fixed-width numbers, uuid, string, bytes
// and records) and per array, specialised for a version's encoding (classic or flexible, nullable or not).
import { ProtocolDecodeError, ProtocolEncodeError, type Reader, SPLICE_MIN_BYTES, type Writer, uvarintSize } from './buffers';

export interface Node {
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

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
export const EMPTY_BUFFER = Buffer.alloc(0);
export const EMPTY_ARRAY: readonly unknown[] = Object.freeze([]);
export const MAX_STRING_BYTES = 0x7fff;

/**
 * Bytes of SPLICE_MIN_BYTES-or-larger byte fields seen by the current sizing pass; the response encoder resets it
 * before sizing and reads it after, to leave room only for the bytes it copies.
 */
export const sizingPass = { splicedBytes: 0 };

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
      if (len >= SPLICE_MIN_BYTES) sizingPass.splicedBytes += len;
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

export function primitiveNode(type: string, flexible: boolean, nullable: boolean, path: string): Node {
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

export function arrayNode(elem: Node, flexible: boolean, nullable: boolean, path: string): Node {
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
