// The authorization hooks handlers ask before acting on a topic, and the operations they report as authorized.
import type { RequestContext } from './types';

export type TopicOperation = 'read' | 'write' | 'delete' | 'describe' | 'alter' | 'cluster-action';

/** Every principal may do everything until ACLs exist. */
export function authorizeTopic(_ctx: RequestContext, _topic: string, _op: TopicOperation): boolean {
  return true;
}

export type ClusterOperation = 'describe' | 'alter' | 'cluster-action';

/** Every principal may do everything to the cluster resource until ACLs exist. */
export function authorizeCluster(_ctx: RequestContext, _op: ClusterOperation): boolean {
  return true;
}

/** The `authorizedOperations` value of a response whose request did not ask for them (Kafka's INT32_MIN). */
export const OPERATIONS_NOT_REQUESTED = -2147483648;

export type ResourceType = 'topic' | 'group' | 'cluster' | 'transactional-id';

// Kafka's AclOperation codes, and the operations each resource type supports (AclEntry.supportedOperations).
const READ = 3, WRITE = 4, CREATE = 5, DELETE = 6, ALTER = 7, DESCRIBE = 8, CLUSTER_ACTION = 9, DESCRIBE_CONFIGS = 10, ALTER_CONFIGS = 11, IDEMPOTENT_WRITE = 12;
const SUPPORTED_OPERATIONS: Record<ResourceType, readonly number[]> = {
  topic: [READ, WRITE, CREATE, DESCRIBE, DELETE, ALTER, DESCRIBE_CONFIGS, ALTER_CONFIGS],
  group: [READ, DESCRIBE, DELETE],
  cluster: [CREATE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE, ALTER, DESCRIBE],
  'transactional-id': [DESCRIBE, WRITE],
};

/**
 * The 32-bit field of operations the caller may perform on a resource (bit n = operation code n). Without an
 * authorizer Kafka reports every operation the resource type supports; so does Brook, which has no ACLs yet.
 */
export function authorizedOperations(_ctx: RequestContext, type: ResourceType, _name: string): number {
  return SUPPORTED_OPERATIONS[type].reduce((bits, op) => bits | (1 << op), 0);
}
