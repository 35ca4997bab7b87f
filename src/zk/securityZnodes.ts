// Codecs of the security znodes of Kafka 2.8 (KAFKA-FORMATS.md §3-§5): ACL stores and their change notifications,
// and the user/client entity configs (SCRAM credentials, quotas) with their /config/changes notification.
import {
  parseOperation, parsePatternType, parsePermissionType, parseResourceType, toPascalCase,
  type AccessControlEntry, type PatternType, type ResourcePattern, type ResourceTypeName,
} from '../security/acl/model';
import { ZNodeDecodeError } from './znodes';

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

// -------------------------------------------------------------------------------------------- ACL stores

/** Kafka's ZkAclStore per pattern type: literal ACLs under /kafka-acl, the others under /kafka-acl-extended/<type>. */
export const AclStores = {
  aclPath(patternType: PatternType): string {
    return patternType === 'LITERAL' ? '/kafka-acl' : `/kafka-acl-extended/${patternType.toLowerCase()}`;
  },
  changePath(patternType: PatternType): string {
    return patternType === 'LITERAL' ? '/kafka-acl-changes' : '/kafka-acl-extended-changes';
  },
  /** Every path the authorizer creates at start (Kafka's createAclPaths). */
  allPaths: ['/kafka-acl', '/kafka-acl-changes', '/kafka-acl-extended/prefixed', '/kafka-acl-extended-changes'] as const,
  changePrefix: 'acl_changes_',
};

/** /kafka-acl[-extended/prefixed]/<ResourceType>/<name>: `{"version":1,"acls":[...]}`. */
export const ResourceZNode = {
  typePath: (patternType: PatternType, resourceType: ResourceTypeName): string =>
    `${AclStores.aclPath(patternType)}/${toPascalCase(resourceType)}`,
  path: (p: ResourcePattern): string => `${ResourceZNode.typePath(p.patternType, p.resourceType)}/${p.name}`,
  /** Byte-identical to Kafka's AclEntry.toJsonCompatibleMap: keys in the order principal, permissionType, operation, host. */
  encode(acls: readonly AccessControlEntry[]): Buffer {
    const items = acls.map((a) =>
      `{"principal":${JSON.stringify(a.principal)},"permissionType":${JSON.stringify(toPascalCase(a.permissionType))},` +
      `"operation":${JSON.stringify(toPascalCase(a.operation))},"host":${JSON.stringify(a.host)}}`);
    return utf8(`{"version":1,"acls":[${items.join(',')}]}`);
  },
  /** Kafka's AclEntry.fromBytes: an empty znode is no ACLs; the version must be 1. */
  decode(path: string, data: Buffer | null): AccessControlEntry[] {
    if (!data || data.length === 0) return [];
    let j: unknown;
    try {
      j = JSON.parse(data.toString('utf8'));
    } catch (e) {
      throw new ZNodeDecodeError(path, (e as Error).message);
    }
    if (typeof j !== 'object' || j === null) throw new ZNodeDecodeError(path, 'not a JSON object');
    const o = j as { version?: unknown; acls?: unknown };
    if (o.version !== 1) throw new ZNodeDecodeError(path, `unsupported ACL version ${String(o.version)}`);
    if (!Array.isArray(o.acls)) throw new ZNodeDecodeError(path, 'acls is not an array');
    return o.acls.map((x: unknown) => {
      const a = (x ?? {}) as Record<string, unknown>;
      const principal = a.principal, host = a.host;
      const operation = typeof a.operation === 'string' ? parseOperation(a.operation) : null;
      const permissionType = typeof a.permissionType === 'string' ? parsePermissionType(a.permissionType) : null;
      if (typeof principal !== 'string' || !principal.includes(':')) throw new ZNodeDecodeError(path, `bad principal ${String(principal)}`);
      if (typeof host !== 'string') throw new ZNodeDecodeError(path, 'bad host');
      if (!operation) throw new ZNodeDecodeError(path, `bad operation ${String(a.operation)}`);
      if (!permissionType) throw new ZNodeDecodeError(path, `bad permissionType ${String(a.permissionType)}`);
      return { principal, host, operation, permissionType };
    });
  },
};

/**
 * The change notifications: /kafka-acl-changes/acl_changes_<seq> holds plain `TOPIC:name`, and
 * /kafka-acl-extended-changes/acl_changes_<seq> holds `{"version":1,"resourceType":"TOPIC","name":...,"patternType":"PREFIXED"}`.
 */
export const AclChangeNotificationZNode = {
  createPath: (patternType: PatternType): string => `${AclStores.changePath(patternType)}/${AclStores.changePrefix}`,
  encode(p: ResourcePattern): Buffer {
    if (p.patternType === 'LITERAL') return utf8(`${p.resourceType}:${p.name}`);
    return utf8(`{"version":1,"resourceType":${JSON.stringify(p.resourceType)},"name":${JSON.stringify(p.name)},"patternType":${JSON.stringify(p.patternType)}}`);
  },
  /** Decodes a notification of the given store; throws ZNodeDecodeError on anything Kafka would reject. */
  decode(store: PatternType, path: string, data: Buffer | null): ResourcePattern {
    const text = data?.toString('utf8') ?? '';
    if (store === 'LITERAL') {
      const i = text.indexOf(':');
      const rt = i > 0 ? parseResourceType(text.slice(0, i)) : null;
      if (!rt) throw new ZNodeDecodeError(path, `expected ResourceType:ResourceName, got "${text}"`);
      return { resourceType: rt, name: text.slice(i + 1), patternType: 'LITERAL' };
    }
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw new ZNodeDecodeError(path, (e as Error).message);
    }
    if (typeof j.version !== 'number' || j.version > 1) throw new ZNodeDecodeError(path, `unsupported ACL change version ${String(j.version)}`);
    const rt = typeof j.resourceType === 'string' ? parseResourceType(j.resourceType) : null;
    const pt = typeof j.patternType === 'string' ? parsePatternType(j.patternType) : null;
    if (!rt || typeof j.name !== 'string' || (pt !== 'LITERAL' && pt !== 'PREFIXED')) throw new ZNodeDecodeError(path, 'bad ACL change event');
    return { resourceType: rt, name: j.name, patternType: pt };
  },
  sequenceOf: (child: string): number => Number(child.slice(AclStores.changePrefix.length)),
};

// ------------------------------------------------------------------------------ user and client configs

/** The quota/SCRAM entity kinds: a user, a client id, or a client id of a user (names already sanitized). */
export type QuotaEntityPath =
  | { kind: 'users'; user: string }
  | { kind: 'clients'; client: string }
  | { kind: 'user-clients'; user: string; client: string };

/** `users/alice`, `clients/app`, `users/alice/clients/app`: the entity path of /config/<path> and of notifications. */
export function entityPathString(e: QuotaEntityPath): string {
  if (e.kind === 'users') return `users/${e.user}`;
  if (e.kind === 'clients') return `clients/${e.client}`;
  return `users/${e.user}/clients/${e.client}`;
}

export function parseEntityPath(s: string): QuotaEntityPath | null {
  const parts = s.split('/');
  if (parts.length === 2 && parts[0] === 'users' && parts[1]) return { kind: 'users', user: parts[1] };
  if (parts.length === 2 && parts[0] === 'clients' && parts[1]) return { kind: 'clients', client: parts[1] };
  if (parts.length === 4 && parts[0] === 'users' && parts[2] === 'clients' && parts[1] && parts[3]) return { kind: 'user-clients', user: parts[1], client: parts[3] };
  return null;
}

/** The entity path a /config/changes notification names (version 2 `entity_path`, version 1 `entity_type`+`entity_name`). */
export function notificationEntityPath(path: string, data: Buffer | null): string | null {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(data?.toString('utf8') ?? '') as Record<string, unknown>;
  } catch (e) {
    throw new ZNodeDecodeError(path, (e as Error).message);
  }
  if (j.version === 1) return typeof j.entity_type === 'string' && typeof j.entity_name === 'string' ? `${j.entity_type}/${j.entity_name}` : null;
  return typeof j.entity_path === 'string' ? j.entity_path : null;
}

export const EntityConfigNotification = {
  pathPrefix: '/config/changes/config_change_',
  encode: (entityPath: string): Buffer => utf8(`{"version":2,"entity_path":${JSON.stringify(entityPath)}}`),
};
