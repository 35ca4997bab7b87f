// The pure rules of Kafka 2.8's AclAuthorizer: which bindings a filter selects, and whether a principal on a host may
// perform an operation on a resource given the ACLs in an AclCache (KAFKA-FORMATS.md §4.2). No I/O: the authorizer
// in src/server/authorizer keeps the cache current from ZooKeeper.
import {
  WILDCARD_HOST, WILDCARD_PRINCIPAL, WILDCARD_RESOURCE, entryKey, patternKey,
  type AccessControlEntry, type AccessControlEntryFilter, type AclBinding, type AclBindingFilter, type AclOperation,
  type ResourcePattern, type ResourcePatternFilter, type ResourceTypeName,
} from './model';

/** Kafka's ResourcePatternFilter.matches. */
export function patternFilterMatches(f: ResourcePatternFilter, p: ResourcePattern): boolean {
  if (f.resourceType !== 'ANY' && f.resourceType !== p.resourceType) return false;
  if (f.patternType !== 'ANY' && f.patternType !== 'MATCH' && f.patternType !== p.patternType) return false;
  if (f.name === null) return true;
  if (f.patternType === 'ANY' || f.patternType === p.patternType) return f.name === p.name;
  // MATCH: the patterns that would apply to a resource named f.name.
  return p.patternType === 'LITERAL' ? f.name === p.name || p.name === WILDCARD_RESOURCE : f.name.startsWith(p.name);
}

/** Kafka's ResourcePatternFilter.matchesAtMostOne: no ANY field, no null name, not MATCH. */
export function patternFilterIsExact(f: ResourcePatternFilter): f is ResourcePattern {
  return f.resourceType !== 'ANY' && f.name !== null && f.patternType !== 'ANY' && f.patternType !== 'MATCH';
}

/** Kafka's AccessControlEntryFilter.matches. */
export function entryFilterMatches(f: AccessControlEntryFilter, e: AccessControlEntry): boolean {
  if (f.principal !== null && f.principal !== e.principal) return false;
  if (f.host !== null && f.host !== e.host) return false;
  if (f.operation !== 'ANY' && f.operation !== e.operation) return false;
  return f.permissionType === 'ANY' || f.permissionType === e.permissionType;
}

export const bindingFilterMatches = (f: AclBindingFilter, b: AclBinding): boolean =>
  patternFilterMatches(f.pattern, b.pattern) && entryFilterMatches(f.entry, b.entry);

/** The ACLs of one resource pattern with the zkVersion of the znode they came from (Kafka's VersionedAcls). */
export interface VersionedAcls {
  readonly acls: readonly AccessControlEntry[];
  /** -1 when the znode does not exist. */
  readonly zkVersion: number;
}

/** Entries of `a` that are not in `b` (set difference on all four fields). */
export function entriesMinus(a: readonly AccessControlEntry[], b: readonly AccessControlEntry[]): AccessControlEntry[] {
  const drop = new Set(b.map(entryKey));
  return a.filter((e) => !drop.has(entryKey(e)));
}

/** Union without duplicates, keeping `a`'s order then `b`'s new entries. */
export function entriesUnion(a: readonly AccessControlEntry[], b: readonly AccessControlEntry[]): AccessControlEntry[] {
  const seen = new Set<string>();
  const out: AccessControlEntry[] = [];
  for (const e of [...a, ...b]) {
    const k = entryKey(e);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(e);
    }
  }
  return out;
}

export const sameEntries = (a: readonly AccessControlEntry[], b: readonly AccessControlEntry[]): boolean =>
  a.length === b.length && entriesMinus(a, b).length === 0 && entriesMinus(b, a).length === 0;

/**
 * Every resource pattern's ACLs, as the authorizer's aclCache. Literal patterns are found by name; prefixed ones are
 * kept per resource type and scanned (their number is small in practice; Kafka walks a sorted map instead).
 */
export class AclCache {
  private readonly byPattern = new Map<string, { pattern: ResourcePattern; versioned: VersionedAcls }>();
  private readonly prefixed = new Map<ResourceTypeName, Map<string, readonly AccessControlEntry[]>>();

  get(p: ResourcePattern): VersionedAcls | undefined {
    return this.byPattern.get(patternKey(p))?.versioned;
  }

  has(p: ResourcePattern): boolean {
    return this.byPattern.has(patternKey(p));
  }

  /** Replaces a pattern's ACLs; an empty list removes the pattern (Kafka's updateCache). */
  set(p: ResourcePattern, v: VersionedAcls): void {
    const key = patternKey(p);
    if (v.acls.length === 0) this.byPattern.delete(key);
    else this.byPattern.set(key, { pattern: p, versioned: v });
    if (p.patternType === 'PREFIXED') {
      let m = this.prefixed.get(p.resourceType);
      if (!m) this.prefixed.set(p.resourceType, (m = new Map()));
      if (v.acls.length === 0) m.delete(p.name);
      else m.set(p.name, v.acls);
    }
  }

  patterns(): ResourcePattern[] {
    return [...this.byPattern.values()].map((x) => x.pattern);
  }

  /** All bindings the filter selects. */
  bindings(filter?: AclBindingFilter): AclBinding[] {
    const out: AclBinding[] = [];
    for (const { pattern, versioned } of this.byPattern.values()) {
      for (const entry of versioned.acls) {
        const b = { pattern, entry };
        if (!filter || bindingFilterMatches(filter, b)) out.push(b);
      }
    }
    return out;
  }

  /** Kafka's matchingAcls: the literal name's ACLs, the literal `*` ones, and every prefix that starts the name. */
  matchingAcls(resourceType: ResourceTypeName, name: string): AccessControlEntry[] {
    const out: AccessControlEntry[] = [];
    const lit = this.get({ resourceType, name, patternType: 'LITERAL' });
    if (lit) out.push(...lit.acls);
    if (name !== WILDCARD_RESOURCE) {
      const wild = this.get({ resourceType, name: WILDCARD_RESOURCE, patternType: 'LITERAL' });
      if (wild) out.push(...wild.acls);
    }
    const pre = this.prefixed.get(resourceType);
    if (pre) for (const [prefix, acls] of pre) if (name.startsWith(prefix)) out.push(...acls);
    return out;
  }
}

export interface AuthorizerSettings {
  /** `super.users` as principal strings (`User:admin`). */
  readonly superUsers: ReadonlySet<string>;
  /** `allow.everyone.if.no.acl.found`. */
  readonly allowEveryoneIfNoAclFound: boolean;
}

/** Operations whose ALLOW also grants `op` (Kafka: READ/WRITE/DELETE/ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS). */
export function impliedBy(op: AclOperation): readonly AclOperation[] {
  if (op === 'DESCRIBE') return ['DESCRIBE', 'READ', 'WRITE', 'DELETE', 'ALTER'];
  if (op === 'DESCRIBE_CONFIGS') return ['DESCRIBE_CONFIGS', 'ALTER_CONFIGS'];
  return [op];
}

function entryApplies(e: AccessControlEntry, principal: string, host: string, op: AclOperation): boolean {
  return (e.principal === principal || e.principal === WILDCARD_PRINCIPAL)
    && (e.operation === op || e.operation === 'ALL')
    && (e.host === host || e.host === WILDCARD_HOST);
}

/**
 * Kafka's AclAuthorizer.authorizeAction for a literal resource: super users pass; no matching ACL at all means
 * allow.everyone.if.no.acl.found; otherwise any matching DENY denies, and an ALLOW for the operation (or one that
 * implies it, or ALL) allows.
 */
export function authorizeAction(
  cache: AclCache,
  settings: AuthorizerSettings,
  principal: string,
  host: string,
  operation: AclOperation,
  resourceType: ResourceTypeName,
  name: string,
): boolean {
  if (settings.superUsers.has(principal)) return true;
  const acls = cache.matchingAcls(resourceType, name);
  if (acls.length === 0) return settings.allowEveryoneIfNoAclFound;
  if (acls.some((e) => e.permissionType === 'DENY' && entryApplies(e, principal, host, operation))) return false;
  return impliedBy(operation).some((op) => acls.some((e) => e.permissionType === 'ALLOW' && entryApplies(e, principal, host, op)));
}

/** Parses `super.users` (`;`-separated principals, whitespace trimmed, empty entries ignored). */
export function parseSuperUsers(value: string | null | undefined): Set<string> {
  const out = new Set<string>();
  for (const s of (value ?? '').split(';')) {
    const t = s.trim();
    if (t !== '') out.add(t);
  }
  return out;
}
