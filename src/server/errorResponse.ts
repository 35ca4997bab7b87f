// The answer to a request whose handler failed unexpectedly (CONVENTIONS §9: anything unexpected becomes
// UNKNOWN_SERVER_ERROR, and the connection stays usable). Built from the declarations alone, like Kafka's
// per-request getErrorResponse: every errorCode the response version carries is set, errorMessage where it
// exists, and the per-topic / per-partition arrays mirror the request's so the client sees an error for each
// thing it asked about. Everything else takes its declared default.
import { inVersionRange, type ApiSchema, type FieldSpec } from '../protocol/schema';

type Obj = Record<string, unknown>;

const isStructArray = (f: FieldSpec): boolean => f.fields !== undefined && f.type.startsWith('[]');
const isScalar = (f: FieldSpec): boolean => f.fields === undefined && !f.type.startsWith('[]');

/** Whether a list of fields holds an errorCode at this version, directly or in nested structs. */
function carriesError(fields: readonly FieldSpec[], version: number): boolean {
  return fields.some((f) => inVersionRange(f.versions, version) && (f.name === 'errorCode' || (f.fields !== undefined && carriesError(f.fields, version))));
}

/** Scalar fields of the same name and type in both structs (the keys: topic name, partition index, ...). */
function commonKeys(resp: readonly FieldSpec[], req: readonly FieldSpec[], version: number): string[] {
  return resp
    .filter((r) => isScalar(r) && r.name !== 'errorCode' && r.name !== 'errorMessage' && inVersionRange(r.versions, version))
    .filter((r) => req.some((q) => q.name === r.name && q.type === r.type && isScalar(q) && inVersionRange(q.versions, version)))
    .map((r) => r.name);
}

interface Filled { value: Obj; carried: boolean }

function fill(resp: readonly FieldSpec[], req: readonly FieldSpec[], reqValue: Obj, version: number, code: number, message: string): Filled {
  const value: Obj = {};
  let carried = false;
  for (const key of commonKeys(resp, req, version)) {
    const f = resp.find((r) => r.name === key);
    // A key the request may leave null but the response may not (Metadata v10-11 topic names): Kafka answers "".
    const nullNotAllowed = reqValue[key] === null && f?.type === 'string' && !inVersionRange(f.nullableVersions, version);
    value[key] = nullNotAllowed ? '' : reqValue[key];
  }
  for (const f of resp) {
    if (!inVersionRange(f.versions, version)) continue;
    if (f.name === 'errorCode' && f.type === 'int16') {
      value.errorCode = code;
      carried = true;
    } else if (f.name === 'errorMessage' && f.type === 'string') {
      value.errorMessage = message;
    } else if (isStructArray(f) && carriesError(f.fields!, version)) {
      // The request array whose elements share the most keys with this response array's elements.
      let best: { q: FieldSpec; keys: number } | null = null;
      for (const q of req) {
        if (!isStructArray(q) || !inVersionRange(q.versions, version)) continue;
        const keys = commonKeys(f.fields!, q.fields!, version).length;
        if (keys > 0 && (best === null || keys > best.keys)) best = { q, keys };
      }
      const items = best ? reqValue[best.q.name] : null;
      if (best && Array.isArray(items)) {
        const out = items.map((item) => fill(f.fields!, best!.q.fields!, item as Obj, version, code, message));
        value[f.name] = out.map((o) => o.value);
        if (out.some((o) => o.carried)) carried = true;
      } else if (!best) {
        // A request list of plain keys (DeleteTopics' topic names, DescribeGroups' group ids, a partition index
        // list): one element each, keyed by the response element's first field of that type.
        const key = f.fields!.find((k) => isScalar(k) && k.name !== 'errorCode' && k.name !== 'errorMessage' && inVersionRange(k.versions, version));
        const q = key && req.find((x) => x.fields === undefined && x.type === `[]${key.type}` && inVersionRange(x.versions, version));
        const keys = q ? reqValue[q.name] : null;
        if (key && Array.isArray(keys)) {
          const out = keys.map((k) => fill(f.fields!, [], {}, version, code, message));
          out.forEach((o, i) => { o.value[key.name] = keys[i]; });
          value[f.name] = out.map((o) => o.value);
          if (out.some((o) => o.carried)) carried = true;
        }
      }
    }
  }
  return { value, carried };
}

/**
 * The error response for `request`, or null when this API version's response could not carry the error for
 * what was asked (then the connection is closed instead, as before).
 */
export function errorResponseFor(api: ApiSchema, version: number, request: unknown, code: number, message: string): Obj | null {
  const r = fill(api.response, api.request, (request ?? {}) as Obj, version, code, message);
  return r.carried ? r.value : null;
}
