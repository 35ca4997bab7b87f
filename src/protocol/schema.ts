// The declaration DSL for Kafka wire messages, and the TypeScript types derived from declarations.
//
// A message is a list of fields; each field names its wire type and the versions it exists in, in the
// same vocabulary as Kafka's message JSON ("0+", "3-5", "none", or a numeric [min, max] range).
// Types are derived from the `as const` declarations, so the wire format and the types cannot drift.
//
// Wire type → TypeScript type:
//   int8 int16 int32 uint16 float64 → number      int64 → bigint      bool → boolean
//   string → string     bytes → Buffer     records → Buffer | null (opaque, never parsed here)
//   uuid → string: Kafka's textual form (22 chars of unpadded URL-safe base64 of the 16 bytes),
//          the same form Kafka writes in ZooKeeper (`topic_id`) and prints; zero uuid = 'AAAAAAAAAAAAAAAAAAAAAA'.
//   '[]T' → T[]; a field with `fields` is a struct ('[]Name' → array of structs, 'Name' → one struct).
//   Fields with nullableVersions additionally admit null.
// Decoded `bytes`/`records` Buffers are views into the frame they came from (no copy).

/** A version range: Kafka's string form, or an inclusive numeric [min, max]. */
export type VersionRange = string | readonly [number, number];

export type PrimitiveType =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint16'
  | 'float64'
  | 'bool'
  | 'string'
  | 'bytes'
  | 'uuid'
  | 'records';

export type DefaultValue = number | bigint | boolean | string | null;

export interface FieldSpec {
  /** lowerCamelCase of Kafka's field name. */
  readonly name: string;
  /** A primitive, '[]primitive', a struct name, or '[]StructName' (struct types carry `fields`). */
  readonly type: string;
  readonly versions: VersionRange;
  readonly nullableVersions?: VersionRange;
  /** Versions in which the field travels in the tagged-field section (flexible versions only). */
  readonly taggedVersions?: VersionRange;
  readonly tag?: number;
  /** Value when absent at a version or omitted on encode; Kafka's defaults when not given. */
  readonly default?: DefaultValue;
  /** Field-level override of the message's flexible versions (request header clientId: 'none'). */
  readonly flexibleVersions?: VersionRange;
  readonly fields?: readonly FieldSpec[];
  readonly about?: string;
}

export interface ApiSchema {
  readonly apiKey: number;
  readonly name: string;
  /** One line on what the API is for. */
  readonly about: string;
  readonly validVersions: readonly [number, number];
  /** First flexible version, or null when no version is flexible. */
  readonly flexibleVersions: number | null;
  readonly request: readonly FieldSpec[];
  readonly response: readonly FieldSpec[];
}

/** An API definition as registered: the schema itself (nothing is added, so it stays plain data). */
export type ApiDef<S extends ApiSchema = ApiSchema> = S;

/** Declares an API; keeps the literal types of the `as const` schema for type derivation. */
export function defineApi<const S extends ApiSchema>(schema: S): ApiDef<S> {
  return Object.freeze(schema) as S;
}

// ---- type derivation --------------------------------------------------------------------------

type PrimitiveTs<T extends string> = T extends 'int64'
  ? bigint
  : T extends 'int8' | 'int16' | 'int32' | 'uint16' | 'float64'
    ? number
    : T extends 'bool'
      ? boolean
      : T extends 'string' | 'uuid'
        ? string
        : T extends 'bytes'
          ? Buffer
          : T extends 'records'
            ? Buffer | null
            : never;

type NullIf<F> = F extends { readonly nullableVersions: VersionRange } ? null : never;

/** The decoded TypeScript value of one field. */
export type FieldValue<F extends FieldSpec> = F extends { readonly fields: infer Sub extends readonly FieldSpec[] }
  ? F['type'] extends `[]${string}`
    ? StructOf<Sub>[] | NullIf<F>
    : StructOf<Sub> | NullIf<F>
  : F['type'] extends `[]${infer E}`
    ? PrimitiveTs<E>[] | NullIf<F>
    : PrimitiveTs<F['type']> | NullIf<F>;

/** The object a list of fields decodes to (every field present; absent ones hold their default). */
export type StructOf<Fs extends readonly FieldSpec[]> = {
  [F in Fs[number] as F['name']]: FieldValue<F>;
};

/** Encode input for one field: like FieldValue, but nested fields may be omitted (defaults apply). */
export type FieldInput<F extends FieldSpec> = F extends { readonly fields: infer Sub extends readonly FieldSpec[] }
  ? F['type'] extends `[]${string}`
    ? readonly StructInput<Sub>[] | NullIf<F>
    : StructInput<Sub> | NullIf<F>
  : F['type'] extends `[]${infer E}`
    ? readonly PrimitiveTs<E>[] | NullIf<F>
    : PrimitiveTs<F['type']> | NullIf<F>;

export type StructInput<Fs extends readonly FieldSpec[]> = {
  [F in Fs[number] as F['name']]?: FieldInput<F>;
};

export type RequestOf<A extends ApiSchema> = StructOf<A['request']>;
export type ResponseOf<A extends ApiSchema> = StructOf<A['response']>;
/** What encodeRequest accepts: any field may be omitted and then takes its default. */
export type RequestInput<A extends ApiSchema> = StructInput<A['request']>;
export type ResponseInput<A extends ApiSchema> = StructInput<A['response']>;

// ---- version ranges ---------------------------------------------------------------------------

/** Parses a version range into inclusive [min, max] (max may be Infinity), or null for 'none'. */
export function parseVersionRange(r: VersionRange | undefined): readonly [number, number] | null {
  if (r === undefined) return null;
  if (typeof r !== 'string') return r;
  if (r === 'none') return null;
  let m = /^(\d+)\+$/.exec(r);
  if (m) return [Number(m[1]), Infinity];
  m = /^(\d+)-(\d+)$/.exec(r);
  if (m) return [Number(m[1]), Number(m[2])];
  m = /^(\d+)$/.exec(r);
  if (m) return [Number(m[1]), Number(m[1])];
  throw new Error(`bad version range '${r}'`);
}

export function inVersionRange(r: VersionRange | undefined, version: number): boolean {
  const p = parseVersionRange(r);
  return p !== null && version >= p[0] && version <= p[1];
}

export function isFlexible(api: ApiSchema, version: number): boolean {
  return api.flexibleVersions !== null && version >= api.flexibleVersions;
}

export function isValidVersion(api: ApiSchema, version: number): boolean {
  return Number.isInteger(version) && version >= api.validVersions[0] && version <= api.validVersions[1];
}
