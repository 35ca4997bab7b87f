// Kafka's ACL vocabulary: resource types, operations, permission and pattern types with their wire codes and names,
// resource patterns, access control entries, bindings and the filters that select them (clients/common/acl and
// clients/common/resource of Kafka 2.8, shared/KAFKA-FORMATS.md §4).

/** ResourceType wire codes (0 UNKNOWN, 1 ANY only in filters). */
export const RESOURCE_TYPE_CODES = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6 } as const;
export type ResourceTypeName = 'TOPIC' | 'GROUP' | 'CLUSTER' | 'TRANSACTIONAL_ID' | 'DELEGATION_TOKEN';
export type ResourceTypeFilterName = ResourceTypeName | 'ANY';

export const OPERATION_CODES = {
  UNKNOWN: 0, ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12,
} as const;
export type AclOperation = Exclude<keyof typeof OPERATION_CODES, 'UNKNOWN' | 'ANY'>;
export type AclOperationFilter = AclOperation | 'ANY';

export const PERMISSION_CODES = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;
export type PermissionType = 'ALLOW' | 'DENY';
export type PermissionTypeFilter = PermissionType | 'ANY';

export const PATTERN_TYPE_CODES = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export type PatternType = 'LITERAL' | 'PREFIXED';
export type PatternTypeFilter = PatternType | 'ANY' | 'MATCH';

/** The one name a CLUSTER resource has, and the literal name that matches every resource of a type. */
export const CLUSTER_NAME = 'kafka-cluster';
export const WILDCARD_RESOURCE = '*';
export const WILDCARD_HOST = '*';
export const WILDCARD_PRINCIPAL = 'User:*';

/** Kafka's ResourcePattern: what an ACL is attached to. */
export interface ResourcePattern {
  readonly resourceType: ResourceTypeName;
  readonly name: string;
  readonly patternType: PatternType;
}

/** Kafka's AccessControlEntry; the principal is kept as its `Type:name` string, as AclEntry does. */
export interface AccessControlEntry {
  readonly principal: string;
  readonly host: string;
  readonly operation: AclOperation;
  readonly permissionType: PermissionType;
}

export interface AclBinding {
  readonly pattern: ResourcePattern;
  readonly entry: AccessControlEntry;
}

/** A ResourcePatternFilter: `name` null matches any name. */
export interface ResourcePatternFilter {
  readonly resourceType: ResourceTypeFilterName;
  readonly name: string | null;
  readonly patternType: PatternTypeFilter;
}

/** An AccessControlEntryFilter: null principal/host match any. */
export interface AccessControlEntryFilter {
  readonly principal: string | null;
  readonly host: string | null;
  readonly operation: AclOperationFilter;
  readonly permissionType: PermissionTypeFilter;
}

export interface AclBindingFilter {
  readonly pattern: ResourcePatternFilter;
  readonly entry: AccessControlEntryFilter;
}

export const ANY_ENTRY_FILTER: AccessControlEntryFilter = { principal: null, host: null, operation: 'ANY', permissionType: 'ANY' };

// -------------------------------------------------------------------------------------- code <-> name

function inverse<K extends string>(table: Record<K, number>): Map<number, K> {
  return new Map(Object.entries(table).map(([k, v]) => [v as number, k as K]));
}
const RESOURCE_TYPE_BY_CODE = inverse(RESOURCE_TYPE_CODES);
const OPERATION_BY_CODE = inverse(OPERATION_CODES);
const PERMISSION_BY_CODE = inverse(PERMISSION_CODES);
const PATTERN_TYPE_BY_CODE = inverse(PATTERN_TYPE_CODES);

/** Decoded wire codes; unknown codes become 'UNKNOWN' (as Kafka's fromCode does). */
export const resourceTypeFromCode = (c: number): keyof typeof RESOURCE_TYPE_CODES => RESOURCE_TYPE_BY_CODE.get(c) ?? 'UNKNOWN';
export const operationFromCode = (c: number): keyof typeof OPERATION_CODES => OPERATION_BY_CODE.get(c) ?? 'UNKNOWN';
export const permissionFromCode = (c: number): keyof typeof PERMISSION_CODES => PERMISSION_BY_CODE.get(c) ?? 'UNKNOWN';
export const patternTypeFromCode = (c: number): keyof typeof PATTERN_TYPE_CODES => PATTERN_TYPE_BY_CODE.get(c) ?? 'UNKNOWN';

/** Kafka's SecurityUtils.toPascalCase: TRANSACTIONAL_ID → TransactionalId (ZooKeeper paths and ACL JSON). */
export function toPascalCase(upperSnake: string): string {
  return upperSnake.toLowerCase().split('_').map((w) => (w ? w[0]!.toUpperCase() + w.slice(1) : '')).join('');
}

/** Looks a name up in a table, accepting UPPER_SNAKE, PascalCase or any case (SecurityUtils.resourceType/operation). */
function lookup<K extends string>(table: Record<K, number>, text: string): K | null {
  const norm = text.replace(/_/g, '').toLowerCase();
  for (const k of Object.keys(table) as K[]) if (k.replace(/_/g, '').toLowerCase() === norm) return k;
  return null;
}

export function parseResourceType(text: string): ResourceTypeName | null {
  const k = lookup(RESOURCE_TYPE_CODES, text);
  return k === null || k === 'UNKNOWN' || k === 'ANY' ? null : k;
}
export function parseOperation(text: string): AclOperation | null {
  const k = lookup(OPERATION_CODES, text);
  return k === null || k === 'UNKNOWN' || k === 'ANY' ? null : k;
}
export function parsePermissionType(text: string): PermissionType | null {
  const k = lookup(PERMISSION_CODES, text);
  return k === 'ALLOW' || k === 'DENY' ? k : null;
}
export function parsePatternType(text: string): PatternTypeFilter | null {
  const k = lookup(PATTERN_TYPE_CODES, text);
  return k === null || k === 'UNKNOWN' ? null : k;
}

/** Parses `Type:name` (SecurityUtils.parseKafkaPrincipal); null when there is no `:` or a side is empty. */
export function parsePrincipal(text: string): { type: string; name: string } | null {
  const i = text.indexOf(':');
  if (i <= 0 || i === text.length - 1) return null;
  return { type: text.slice(0, i), name: text.slice(i + 1) };
}

// ------------------------------------------------------------------------------------------ toString

/** Kafka's ResourcePattern.toString, as kafka-acls.sh prints it. */
export const patternToString = (p: ResourcePattern): string =>
  `ResourcePattern(resourceType=${p.resourceType}, name=${p.name}, patternType=${p.patternType})`;

export const filterToString = (f: ResourcePatternFilter): string =>
  `ResourcePattern(resourceType=${f.resourceType}, name=${f.name ?? '<any>'}, patternType=${f.patternType})`;

/** Kafka's AccessControlEntry.toString. */
export const entryToString = (e: AccessControlEntry): string =>
  `(principal=${e.principal}, host=${e.host}, operation=${e.operation}, permissionType=${e.permissionType})`;

/** A stable key of a resource pattern, for maps. */
export const patternKey = (p: ResourcePattern): string => `${p.patternType}\u0000${p.resourceType}\u0000${p.name}`;
export const entryKey = (e: AccessControlEntry): string => `${e.principal}\u0000${e.host}\u0000${e.operation}\u0000${e.permissionType}`;

/** The operations each resource type supports (Kafka's AclEntry.supportedOperations), ALL included. */
export const SUPPORTED_OPERATIONS: Record<ResourceTypeName, readonly AclOperation[]> = {
  TOPIC: ['READ', 'WRITE', 'CREATE', 'DESCRIBE', 'DELETE', 'ALTER', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS'],
  GROUP: ['READ', 'DESCRIBE', 'DELETE'],
  CLUSTER: ['CREATE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE', 'ALTER', 'DESCRIBE'],
  TRANSACTIONAL_ID: ['DESCRIBE', 'WRITE'],
  DELEGATION_TOKEN: ['DESCRIBE'],
};
