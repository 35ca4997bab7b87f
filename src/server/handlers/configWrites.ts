// Validation and writes shared by AlterConfigs (33) and IncrementalAlterConfigs (44): topic overrides and
// dynamic broker configs in ZooKeeper (the zk layer also writes the /config/changes notification).
import { ErrorCode } from '../../protocol/errors';
import { brokerConfigDefs } from '../../config/schema';
import { checkTopicConfigs, checkTopicConfigValue, topicConfigDefs } from '../../config/topicConfigs';
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

/** How Kafka names a resource in AlterConfigs messages (its ConfigResource.toString). */
function resourceLabel(t: Target): string {
  return t.kind === 'topic' ? `ConfigResource(type=TOPIC, name='${t.name}')` : `ConfigResource(type=BROKER, name='${t.id === '<default>' ? '' : t.id}')`;
}

/**
 * Checks a new dynamic broker config set as Kafka's DynamicBrokerConfig.validateConfigs does: names Kafka does not know
 * are custom configs, stored unchecked; known ones must be dynamic, and their values must parse. Throws ConfigRejected.
 */
function checkBrokerConfigs(t: Target, next: Readonly<Record<string, string>>): void {
  // Kafka reports these ConfigExceptions as INVALID_REQUEST, prefixed with the resource.
  const refuse = (message: string): never => {
    throw new ConfigRejected(ErrorCode.INVALID_REQUEST, `Invalid config value for resource ${resourceLabel(t)}: ${message}`);
  };
  const known = Object.keys(next).filter((name) => name in brokerConfigDefs);
  const nonDynamic = known.filter((name) => !DYNAMIC_BROKER_CONFIGS.has(name));
  if (nonDynamic.length > 0) refuse(`Cannot update these configs dynamically: Set(${nonDynamic.join(', ')})`);
  for (const name of known) {
    // Every dynamic broker config stands for a topic config of the same type and checks; see DYNAMIC_BROKER_CONFIGS.
    const topicConfig = Object.keys(topicConfigDefs).find((n) => topicConfigDefs[n]!.brokerSynonym === name)!;
    const problem = checkTopicConfigValue(topicConfig, next[name]!, name);
    if (problem) refuse(problem.message);
  }
}

/** Checks a topic's new override set as Kafka's AdminZkClient.validateTopicConfig does. Throws ConfigRejected. */
function checkTopicOverrides(t: Target, next: Readonly<Record<string, string>>): void {
  const problem = checkTopicConfigs(next);
  if (!problem) return;
  // A value that does not parse is a ConfigException, which Kafka's AlterConfigs answers with INVALID_REQUEST.
  if (problem.kind === 'bad-value') throw new ConfigRejected(ErrorCode.INVALID_REQUEST, `Invalid config value for resource ${resourceLabel(t)}: ${problem.message}`);
  throw new ConfigRejected(ErrorCode.INVALID_CONFIG, problem.message);
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
  if (t.kind === 'topic') checkTopicOverrides(t, next);
  else checkBrokerConfigs(t, next);
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
