// Wire codes of ACL requests to and from the model: validation as Kafka's CreateAclsRequest, DeleteAclsRequest and
// DescribeAclsRequest do it (unknown elements, pattern types per version), and binding ↔ wire fields.
import {
  OPERATION_CODES, PATTERN_TYPE_CODES, PERMISSION_CODES, RESOURCE_TYPE_CODES, operationFromCode, patternTypeFromCode,
  permissionFromCode, resourceTypeFromCode, type AclBinding, type AclBindingFilter,
} from './model';

export interface WireAcl {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

export interface WireAclFilter {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

/** A binding to create, or the reason it cannot be one (Kafka answers INVALID_REQUEST with that message). */
export function bindingFromWire(w: WireAcl): AclBinding | string {
  const rt = resourceTypeFromCode(w.resourceType);
  const pt = patternTypeFromCode(w.patternType);
  const op = operationFromCode(w.operation);
  const perm = permissionFromCode(w.permissionType);
  if (rt === 'UNKNOWN' || pt === 'UNKNOWN' || op === 'UNKNOWN' || perm === 'UNKNOWN') return 'ACL binding contains unknown elements';
  if (rt === 'ANY') return 'resourceType must not be ANY';
  if (pt !== 'LITERAL' && pt !== 'PREFIXED') return `patternType must not be ${pt}`;
  if (op === 'ANY') return 'operation must not be ANY';
  if (perm === 'ANY') return 'permissionType must not be ANY';
  if (!w.principal.includes(':')) return `Could not parse principal from \`${w.principal}\` (no colon is present separating the principal type from the principal name)`;
  return {
    pattern: { resourceType: rt, name: w.resourceName, patternType: pt },
    entry: { principal: w.principal, host: w.host, operation: op, permissionType: perm },
  };
}

export function bindingToWire(b: AclBinding): WireAcl {
  return {
    resourceType: RESOURCE_TYPE_CODES[b.pattern.resourceType],
    resourceName: b.pattern.name,
    patternType: PATTERN_TYPE_CODES[b.pattern.patternType],
    principal: b.entry.principal,
    host: b.entry.host,
    operation: OPERATION_CODES[b.entry.operation],
    permissionType: PERMISSION_CODES[b.entry.permissionType],
  };
}

/** A filter, or the reason it is invalid (UNKNOWN elements). */
export function filterFromWire(w: WireAclFilter): AclBindingFilter | string {
  const rt = resourceTypeFromCode(w.resourceTypeFilter);
  const pt = patternTypeFromCode(w.patternTypeFilter);
  const op = operationFromCode(w.operation);
  const perm = permissionFromCode(w.permissionType);
  if (rt === 'UNKNOWN' || pt === 'UNKNOWN' || op === 'UNKNOWN' || perm === 'UNKNOWN') return 'Filters contain UNKNOWN elements';
  return {
    pattern: { resourceType: rt, name: w.resourceNameFilter, patternType: pt },
    entry: { principal: w.principalFilter, host: w.hostFilter, operation: op, permissionType: perm },
  };
}

/** Version 0 of DescribeAcls/DeleteAcls knows only literal patterns: ANY becomes LITERAL, anything else is refused. */
export function normalizeV0PatternType(code: number): number | null {
  if (code === PATTERN_TYPE_CODES.ANY || code === PATTERN_TYPE_CODES.LITERAL) return PATTERN_TYPE_CODES.LITERAL;
  return null;
}
