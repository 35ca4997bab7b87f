// The authorization hooks handlers ask before acting on a resource, and the operations they report as authorized.
// With no authorizer configured (authorizer.class.name unset) everything is allowed, as in Kafka; otherwise the
// ACL authorizer decides for the connection's principal and client address.
import type { RequestContext } from './types';
import { ANONYMOUS, principalToString, type KafkaPrincipal } from '../../security/types';
import { CLUSTER_NAME, SUPPORTED_OPERATIONS, type AclOperation, type ResourceTypeName } from '../../security/acl/model';
import type { ConnectionContext } from '../../network/SocketServer';
import type { SecurityServices } from '../authorizer/SecurityServices';
import type { ApiDef, RequestOf, ResponseOf } from '../../protocol/schema';
import { KafkaError, errorInfo } from '../../protocol/errors';
import { errorResponseFor } from '../errorResponse';

/** The connection's authenticated principal (set by the SASL/TLS layer), User:ANONYMOUS until then. */
export function principalOf(ctx: RequestContext): KafkaPrincipal {
  return (ctx.connection as ConnectionContext & { readonly principal?: KafkaPrincipal }).principal ?? ANONYMOUS;
}

/** The client address as Kafka's InetAddress.getHostAddress gives it (IPv4-mapped IPv6 addresses unwrapped). */
export function clientHost(ctx: RequestContext): string {
  const a = ctx.connection.remoteAddress;
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

/**
 * The broker's security services, or undefined where none are wired (`security` is optional in BrokerServices, and
 * test contexts that leave it out refuse reads of services they lack, hence the `in` check).
 */
export function securityServices(ctx: RequestContext): SecurityServices | undefined {
  return 'security' in ctx.services ? ctx.services.security : undefined;
}

/** Whether the request's principal may perform `operation` on the resource; true when no authorizer is configured. */
export function authorize(ctx: RequestContext, operation: AclOperation, resourceType: ResourceTypeName, name: string): boolean {
  const authorizer = securityServices(ctx)?.authorizer;
  if (!authorizer) return true;
  return authorizer.authorize(principalToString(principalOf(ctx)), clientHost(ctx), operation, resourceType, name);
}

export type TopicOperation = 'read' | 'write' | 'delete' | 'describe' | 'alter' | 'cluster-action';

const TOPIC_OPS: Record<Exclude<TopicOperation, 'cluster-action'>, AclOperation> = { read: 'READ', write: 'WRITE', delete: 'DELETE', describe: 'DESCRIBE', alter: 'ALTER' };

/** A topic check; 'cluster-action' (follower fetches) is CLUSTER_ACTION on the cluster, as Kafka checks it. */
export function authorizeTopic(ctx: RequestContext, topic: string, op: TopicOperation): boolean {
  if (op === 'cluster-action') return authorize(ctx, 'CLUSTER_ACTION', 'CLUSTER', CLUSTER_NAME);
  return authorize(ctx, TOPIC_OPS[op], 'TOPIC', topic);
}

export type ClusterOperation = 'describe' | 'alter' | 'cluster-action';

const CLUSTER_OPS: Record<ClusterOperation, AclOperation> = { describe: 'DESCRIBE', alter: 'ALTER', 'cluster-action': 'CLUSTER_ACTION' };

export function authorizeCluster(ctx: RequestContext, op: ClusterOperation): boolean {
  return authorize(ctx, CLUSTER_OPS[op], 'CLUSTER', CLUSTER_NAME);
}

/** The `authorizedOperations` value of a response whose request did not ask for them (Kafka's INT32_MIN). */
export const OPERATIONS_NOT_REQUESTED = -2147483648;

export type ResourceType = 'topic' | 'group' | 'cluster' | 'transactional-id';

const RESOURCE_TYPES: Record<ResourceType, ResourceTypeName> = { topic: 'TOPIC', group: 'GROUP', cluster: 'CLUSTER', 'transactional-id': 'TRANSACTIONAL_ID' };

// Kafka's AclOperation codes (bit n of the field = operation code n).
const OP_CODE: Record<AclOperation, number> = {
  ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9, DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12,
};

/**
 * The 32-bit field of operations the caller may perform on a resource (bit n = operation code n): each operation the
 * resource type supports that the authorizer allows (all of them without an authorizer, as Kafka reports).
 */
export function authorizedOperations(ctx: RequestContext, type: ResourceType, name: string): number {
  const rt = RESOURCE_TYPES[type];
  return SUPPORTED_OPERATIONS[rt].reduce((bits, op) => (authorize(ctx, op, rt, name) ? bits | (1 << OP_CODE[op]) : bits), 0);
}

/**
 * Kafka's filterByAuthorized: a check asked once per distinct resource name of a request (a produce or fetch names
 * the same topic for each of its partitions).
 */
export function authorizedNames(ctx: RequestContext, operation: AclOperation, resourceType: ResourceTypeName): (name: string) => boolean {
  const decided = new Map<string, boolean>();
  return (name) => {
    let ok = decided.get(name);
    if (ok === undefined) decided.set(name, (ok = authorize(ctx, operation, resourceType, name)));
    return ok;
  };
}

/**
 * Kafka's authorizeClusterOperation for the inter-broker APIs and whole-request refusals: null when allowed, else the
 * request's error response (getErrorResponse) with `code` on everything it asked about.
 */
export function refuseUnless<A extends ApiDef>(allowed: boolean, api: A, req: RequestOf<A>, ctx: RequestContext, code: number): ResponseOf<A> | null {
  if (allowed) return null;
  const r = errorResponseFor(api, ctx.apiVersion, req, code, errorInfo(code).message);
  if (r === null) throw new KafkaError(code, errorInfo(code).message);
  return r as ResponseOf<A>;
}

/** Kafka's authorizeByResourceType: may the principal perform `operation` on some resource of the type (true without an authorizer). */
export function authorizeByResourceType(ctx: RequestContext, operation: AclOperation, resourceType: ResourceTypeName): boolean {
  const authorizer = securityServices(ctx)?.authorizer;
  if (!authorizer) return true;
  return authorizer.authorizeByResourceType(principalToString(principalOf(ctx)), clientHost(ctx), operation, resourceType);
}
