// Test helper: random valid messages for any declared api/version, built from the schema with its own
// (test-side) reading of Kafka's defaults, so the codec's default handling is checked independently.
import { inVersionRange, type ApiSchema, type FieldSpec, type StructInput } from '../../../src/protocol/schema';

/** A message of some api, as the codec's generic signatures accept it. */
export type AnyMessage = StructInput<readonly FieldSpec[]>;

/** Small deterministic PRNG (mulberry32) so failures reproduce from the seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const CHARS = ['a', 'b', 'Z', '0', '-', '_', '.', 'é', 'ß', '€', '😀', ' '];

function randString(r: Rand): string {
  const n = r() < 0.2 ? 0 : int(r, 1, 12);
  let s = '';
  for (let i = 0; i < n; i++) s += CHARS[int(r, 0, CHARS.length - 1)];
  return s;
}

function randBuffer(r: Rand): Buffer {
  const n = r() < 0.2 ? 0 : int(r, 1, 24);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(r, 0, 255);
  return b;
}

function randInt64(r: Rand): bigint {
  const pick = r();
  if (pick < 0.2) return BigInt(int(r, -1, 100));
  if (pick < 0.3) return pick < 0.25 ? 9223372036854775807n : -9223372036854775808n;
  return BigInt.asIntN(64, (BigInt(int(r, 0, 0xffffffff)) << 32n) | BigInt(int(r, 0, 0xffffffff)));
}

function randPrimitive(type: string, r: Rand): unknown {
  switch (type) {
    case 'int8':
      return int(r, -128, 127);
    case 'int16':
      return int(r, -32768, 32767);
    case 'uint16':
      return int(r, 0, 65535);
    case 'int32':
      return r() < 0.5 ? int(r, -2, 1000) : int(r, -2147483648, 2147483647);
    case 'int64':
      return randInt64(r);
    case 'float64':
      return (r() - 0.5) * 1e6;
    case 'bool':
      return r() < 0.5;
    case 'string':
      return randString(r);
    case 'bytes':
    case 'records':
      return randBuffer(r);
    case 'uuid':
      return randBuffer16(r).toString('base64url');
    default:
      throw new Error(`unknown type ${type}`);
  }
}

function randBuffer16(r: Rand): Buffer {
  const b = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) b[i] = int(r, 0, 255);
  return b;
}

/** Kafka's default for a field, as this test reads the rules. */
export function defaultOf(f: FieldSpec): unknown {
  if (f.type.startsWith('[]')) return f.default === null ? null : [];
  if (f.fields) return Object.fromEntries(f.fields.map((s) => [s.name, defaultOf(s)]));
  if (f.default !== undefined) return f.default;
  switch (f.type) {
    case 'int64':
      return 0n;
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return Buffer.alloc(0);
    case 'records':
      return null;
    case 'uuid':
      return 'AAAAAAAAAAAAAAAAAAAAAA';
    default:
      return 0;
  }
}

export function randomStruct(fields: readonly FieldSpec[], version: number, r: Rand, depth = 0): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of fields) {
    if (!inVersionRange(f.versions, version)) {
      o[f.name] = defaultOf(f);
      continue;
    }
    // Tagged fields are often left at their default, which must then not be written.
    if (f.taggedVersions !== undefined && r() < 0.4) {
      o[f.name] = defaultOf(f);
      continue;
    }
    if (inVersionRange(f.nullableVersions, version) && r() < 0.2) {
      o[f.name] = null;
      continue;
    }
    const isArray = f.type.startsWith('[]');
    if (f.fields) {
      if (isArray) {
        const n = depth > 2 ? int(r, 0, 1) : int(r, 0, 3);
        o[f.name] = Array.from({ length: n }, () => randomStruct(f.fields as readonly FieldSpec[], version, r, depth + 1));
      } else {
        o[f.name] = randomStruct(f.fields, version, r, depth + 1);
      }
    } else if (isArray) {
      const n = int(r, 0, 4);
      o[f.name] = Array.from({ length: n }, () => randPrimitive(f.type.slice(2), r));
    } else {
      o[f.name] = randPrimitive(f.type, r);
    }
  }
  return o;
}

export function randomMessage(api: ApiSchema, version: number, dir: 'request' | 'response', r: Rand): AnyMessage {
  return randomStruct(api[dir], version, r) as AnyMessage;
}

export function versionsOf(api: ApiSchema): number[] {
  const out: number[] = [];
  for (let v = api.validVersions[0]; v <= api.validVersions[1]; v++) out.push(v);
  return out;
}
