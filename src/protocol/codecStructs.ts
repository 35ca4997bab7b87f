// The codec's struct plans: one plan per struct and version from its declared fields (presence, nullability,
// tagged fields, defaults), with size/write/read generated as code over the fields' wire nodes.
import { ProtocolDecodeError, type Reader, type Writer, uvarintSize } from './buffers';
import { inVersionRange, type FieldSpec } from './schema';
import { arrayNode, EMPTY_ARRAY, EMPTY_BUFFER, primitiveNode, ZERO_UUID, type Node } from './codecNodes';

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

type Obj = Record<string, unknown>;

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

export interface StructPlan extends Node {
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

export function buildStruct(fields: readonly FieldSpec[], version: number, flexible: boolean, path: string): StructPlan {
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
export function readTaggedFields(r: Reader, byTag: ReadonlyMap<number, FieldPlan> | null, o: Obj | null): void {
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
