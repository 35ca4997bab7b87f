// DescribeConfigs (32): topic and broker configs with their sources and synonyms, resolved the way Kafka
// resolves them (topic override > dynamic broker > dynamic default broker > static broker > default).
import { DescribeConfigs } from '../../protocol/messages/32-describe-configs';
import { ErrorCode } from '../../protocol/errors';
import { brokerConfigDefs, type BrokerConfigName } from '../../config/schema';
import { topicConfigDefs } from '../../config/topicConfigs';
import { defineHandler, type RequestContext } from './types';

export const RESOURCE_TOPIC = 2;
export const RESOURCE_BROKER = 4;

export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

/** Broker configs that may be changed at run time (stored under /config/brokers), as in Kafka's DynamicLogConfig. */
export const DYNAMIC_BROKER_CONFIGS: ReadonlySet<string> = new Set(
  Object.values(topicConfigDefs)
    .map((d) => d.brokerSynonym)
    .filter((s): s is string => s !== null && s in brokerConfigDefs),
);

export interface ResolvedConfig {
  name: string;
  value: string | null;
  source: number;
  readOnly: boolean;
  sensitive: boolean;
  synonyms: Array<{ name: string; value: string | null; source: number }>;
}

type Layers = { brokerDynamic: Record<string, string>; defaultDynamic: Record<string, string> };

function valueText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

/** Effective value of a broker property from the static config (derived ones like retention included). */
function staticBrokerValue(ctx: RequestContext, name: string): string | null {
  if (name === 'log.retention.ms') return ctx.config.logRetentionMs.toString();
  if (name === 'log.roll.ms') return ctx.config.logRollMs.toString();
  if (!(name in brokerConfigDefs)) return ctx.config.loaded.given.get(name) ?? null;
  return valueText(ctx.config.values[name as BrokerConfigName]);
}

function staticGiven(ctx: RequestContext, name: string): boolean {
  const g = ctx.config.loaded.given;
  if (name === 'log.retention.ms') return g.has('log.retention.ms') || g.has('log.retention.minutes') || g.has('log.retention.hours');
  if (name === 'log.roll.ms') return g.has('log.roll.ms') || g.has('log.roll.hours');
  return g.has(name);
}

/** Kafka's default of a broker property (derived ones spelled out), else the topic-level default. */
function brokerDefault(name: string, fallback: string | null): string | null {
  // log.retention.hours=168 and log.roll.hours=168 are what the ms properties default to.
  if (name === 'log.retention.ms' || name === 'log.roll.ms') return '604800000';
  const def = (brokerConfigDefs as Record<string, { default: unknown }>)[name];
  return valueText(def?.default) ?? fallback;
}

/** Broker-level layers of one broker property, highest precedence first. */
function brokerLayers(ctx: RequestContext, name: string, layers: Layers, fallbackDefault: string | null): Array<{ name: string; value: string | null; source: number }> {
  const out: Array<{ name: string; value: string | null; source: number }> = [];
  if (name in layers.brokerDynamic) out.push({ name, value: layers.brokerDynamic[name] ?? null, source: ConfigSource.DYNAMIC_BROKER_CONFIG });
  if (name in layers.defaultDynamic) out.push({ name, value: layers.defaultDynamic[name] ?? null, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
  if (staticGiven(ctx, name)) out.push({ name, value: staticBrokerValue(ctx, name), source: ConfigSource.STATIC_BROKER_CONFIG });
  out.push({ name, value: brokerDefault(name, fallbackDefault), source: ConfigSource.DEFAULT_CONFIG });
  return out;
}

async function loadLayers(ctx: RequestContext): Promise<Layers> {
  const [brokerDynamic, defaultDynamic] = await Promise.all([
    ctx.services.zk.getBrokerConfig(ctx.brokerId),
    ctx.services.zk.getBrokerConfig('<default>'),
  ]);
  return { brokerDynamic, defaultDynamic };
}

export async function resolveTopicConfigs(ctx: RequestContext, topic: string, keys: readonly string[] | null): Promise<ResolvedConfig[]> {
  const [overrides, layers] = await Promise.all([ctx.services.zk.getTopicConfig(topic), loadLayers(ctx)]);
  const names = Object.keys(topicConfigDefs).filter((n) => keys === null || keys.includes(n)).sort();
  return names.map((name) => {
    const def = topicConfigDefs[name]!;
    const synonyms: ResolvedConfig['synonyms'] = [];
    if (name in overrides) synonyms.push({ name, value: overrides[name] ?? null, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    if (def.brokerSynonym) synonyms.push(...brokerLayers(ctx, def.brokerSynonym, layers, def.default));
    else synonyms.push({ name, value: def.default, source: ConfigSource.DEFAULT_CONFIG });
    const top = synonyms[0]!;
    return { name, value: top.value, source: top.source, readOnly: false, sensitive: false, synonyms };
  });
}

export async function resolveBrokerConfigs(ctx: RequestContext, defaultsOnly: boolean, keys: readonly string[] | null): Promise<ResolvedConfig[]> {
  const layers = await loadLayers(ctx);
  if (defaultsOnly) layers.brokerDynamic = {};
  const names = Object.keys(brokerConfigDefs).filter((n) => keys === null || keys.includes(n)).sort();
  return names.map((name) => {
    const sensitive = (brokerConfigDefs as Record<string, { type: string }>)[name]?.type === 'password';
    const synonyms = defaultsOnly
      ? brokerLayers(ctx, name, layers, null).filter((s) => s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)
      : brokerLayers(ctx, name, layers, null);
    const top = synonyms[0] ?? { name, value: null, source: ConfigSource.DEFAULT_CONFIG };
    return { name, value: sensitive ? null : top.value, source: top.source, readOnly: !DYNAMIC_BROKER_CONFIGS.has(name), sensitive, synonyms: sensitive ? [] : synonyms };
  }).filter((c) => !defaultsOnly || c.synonyms.length > 0);
}

/** Checks a broker resource name: '' (cluster default) or this broker's id, as Kafka requires. */
export function checkBrokerResource(ctx: RequestContext, name: string): string | null {
  if (name === '') return null;
  if (!/^\d+$/.test(name)) return `Broker id must be an integer, got '${name}'`;
  if (Number(name) !== ctx.brokerId) return `Unexpected broker id, expected ${ctx.brokerId} but received ${name}`;
  return null;
}

export async function topicExists(ctx: RequestContext, topic: string): Promise<boolean> {
  return (await ctx.services.zk.getTopicAssignment(topic)) !== null;
}

export const describeConfigsHandler = defineHandler({
  api: DescribeConfigs,
  versions: [0, 3],
  handle: async (req, ctx) => {
    const results = await Promise.all(req.resources.map(async (r) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      const fail = (errorCode: number, errorMessage: string) => ({ ...base, errorCode, errorMessage, configs: [] });
      try {
        let configs: ResolvedConfig[];
        if (r.resourceType === RESOURCE_TOPIC) {
          if (!(await topicExists(ctx, r.resourceName))) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${r.resourceName}' does not exist.`);
          configs = await resolveTopicConfigs(ctx, r.resourceName, r.configurationKeys);
        } else if (r.resourceType === RESOURCE_BROKER) {
          const bad = checkBrokerResource(ctx, r.resourceName);
          if (bad) return fail(ErrorCode.INVALID_REQUEST, bad);
          configs = await resolveBrokerConfigs(ctx, r.resourceName === '', r.configurationKeys);
        } else {
          return fail(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${r.resourceType} (topics are 2, brokers 4)`);
        }
        return {
          ...base,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          configs: configs.map((c) => ({
            name: c.name,
            value: c.value,
            readOnly: c.readOnly,
            isDefault: c.source === ConfigSource.DEFAULT_CONFIG,
            configSource: c.source,
            isSensitive: c.sensitive,
            synonyms: req.includeSynonyms ? c.synonyms : [],
            configType: 0,
            documentation: null,
          })),
        };
      } catch (e) {
        ctx.logger.error({ err: e, resource: r.resourceName }, 'DescribeConfigs failed');
        return fail(ErrorCode.UNKNOWN_SERVER_ERROR, (e as Error).message);
      }
    }));
    return { throttleTimeMs: 0, results };
  },
});
