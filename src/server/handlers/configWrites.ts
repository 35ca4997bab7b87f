// The per-resource answer shared by AlterConfigs (33) and IncrementalAlterConfigs (44).
import { ErrorCode } from '../../protocol/errors';
import { ConfigRejected } from '../ConfigRepository';
import type { RequestContext } from './types';
import { authorize } from './authorize';

export interface ResourceResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

/** Runs one resource's change and turns rejections into the per-resource error of the response. */
export async function runResource(ctx: RequestContext, resourceType: number, resourceName: string, fn: () => Promise<void>): Promise<ResourceResult> {
  const base = { resourceType, resourceName };
  try {
    await fn();
    return { ...base, errorCode: ErrorCode.NONE, errorMessage: null };
  } catch (e) {
    if (e instanceof ConfigRejected) return { ...base, errorCode: e.code, errorMessage: e.message };
    ctx.logger.error({ err: e, resourceName }, 'config change failed');
    return { ...base, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: (e as Error).message };
  }
}

const RESOURCE_TOPIC = 2;
const RESOURCE_BROKER = 4;
const RESOURCE_BROKER_LOGGER = 8;

/**
 * Kafka's check of a config resource: `operation` (DESCRIBE_CONFIGS or ALTER_CONFIGS) on the topic, or on the cluster
 * for broker and broker-logger resources. Null when allowed, else the error code (Kafka's configsAuthorizationApiError).
 * Other resource types are left to the ConfigRepository, which refuses them.
 */
export function configResourceRefusal(ctx: RequestContext, operation: 'DESCRIBE_CONFIGS' | 'ALTER_CONFIGS', resourceType: number, resourceName: string): number | null {
  if (resourceType === RESOURCE_TOPIC) return authorize(ctx, operation, 'TOPIC', resourceName) ? null : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
  if (resourceType === RESOURCE_BROKER || resourceType === RESOURCE_BROKER_LOGGER) {
    return authorize(ctx, operation, 'CLUSTER', 'kafka-cluster') ? null : ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
  }
  return null;
}
