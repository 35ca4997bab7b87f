// Validation and writes shared by AlterConfigs (33) and IncrementalAlterConfigs (44): topic overrides and
// dynamic broker configs in ZooKeeper (the zk layer also writes the /config/changes notification).
import { ErrorCode } from '../../protocol/errors';
import { brokerConfigDefs } from '../../config/schema';
import { validateTopicConfig } from '../../config/topicConfigs';
import { DYNAMIC_BROKER_CONFIGS, RESOURCE_BROKER, RESOURCE_TOPIC, checkBrokerResource, topicExists } from './32-describe-configs';
import type { RequestContext } from './types';

export interface ResourceResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

export class ConfigRejected extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'ConfigRejected';
  }
}

/** Checks a dynamic broker config value against the broker schema's type and validator. */
export function validateBrokerConfig(name: string, value: string | null): string | null {
  if (!(name in brokerConfigDefs)) return `Unknown broker config name: ${name}`;
  if (!DYNAMIC_BROKER_CONFIGS.has(name)) return `Cannot update ${name} dynamically: it is a read-only broker config (set it in server.properties)`;
  if (value === null) return `Invalid value null for configuration ${name}: a value is required`;
  const def = (brokerConfigDefs as Record<string, { type: string; validator?: (v: unknown, n: string) => string | null }>)[name]!;
  const v = value.trim();
  let parsed: unknown = v;
  if (def.type === 'int' || def.type === 'long') {
    if (!/^-?\d+$/.test(v)) return `Invalid value ${value} for configuration ${name}: not a number of type ${def.type}`;
    parsed = def.type === 'int' ? Number(v) : BigInt(v);
  } else if (def.type === 'boolean') {
    if (!/^(true|false)$/i.test(v)) return `Invalid value ${value} for configuration ${name}: expected true or false`;
    parsed = v.toLowerCase() === 'true';
  } else if (def.type === 'list') {
    parsed = v.split(',').map((s) => s.trim()).filter(Boolean);
  }
  const bad = def.validator?.(parsed, name);
  return bad ? `Invalid value ${value} for configuration ${name}: ${bad}` : null;
}

type Target = { kind: 'topic'; name: string } | { kind: 'broker'; id: number | '<default>' };

/** Resolves and checks the resource; throws ConfigRejected with Kafka's code on a bad one. */
export async function targetOf(ctx: RequestContext, resourceType: number, resourceName: string): Promise<Target> {
  if (resourceType === RESOURCE_TOPIC) {
    if (!(await topicExists(ctx, resourceName))) throw new ConfigRejected(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${resourceName}' does not exist.`);
    return { kind: 'topic', name: resourceName };
  }
  if (resourceType === RESOURCE_BROKER) {
    const bad = checkBrokerResource(ctx, resourceName);
    if (bad) throw new ConfigRejected(ErrorCode.INVALID_REQUEST, bad);
    return { kind: 'broker', id: resourceName === '' ? '<default>' : Number(resourceName) };
  }
  throw new ConfigRejected(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${resourceType} (topics are 2, brokers 4)`);
}

export function currentConfig(ctx: RequestContext, t: Target): Promise<Record<string, string>> {
  return t.kind === 'topic' ? ctx.services.zk.getTopicConfig(t.name) : ctx.services.zk.getBrokerConfig(t.id);
}

/** Validates the whole new config set, then (unless validateOnly) stores it. */
export async function writeConfig(ctx: RequestContext, t: Target, next: Record<string, string>, validateOnly: boolean): Promise<void> {
  for (const [k, v] of Object.entries(next)) {
    const problem = t.kind === 'topic' ? validateTopicConfig(k, v) : validateBrokerConfig(k, v);
    if (problem) throw new ConfigRejected(ErrorCode.INVALID_CONFIG, problem);
  }
  if (validateOnly) return;
  if (t.kind === 'topic') await ctx.services.zk.setTopicConfig(t.name, next);
  else await ctx.services.zk.setBrokerConfig(t.id, next);
  ctx.logger.info({ entity: t.kind === 'topic' ? `topics/${t.name}` : `brokers/${t.id}`, keys: Object.keys(next) }, 'dynamic config updated');
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
