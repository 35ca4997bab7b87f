// DescribeConfigs (32): topic and broker configs with their sources and synonyms, resolved the way Kafka
// resolves them (topic override > dynamic broker > dynamic default broker > static broker > default).
import { DescribeConfigs } from '../../protocol/messages/32-describe-configs';
import { ErrorCode } from '../../protocol/errors';
import { brokerConfigDefs } from '../../config/schema';
import { canonicalTopicConfigValue, topicConfigDefs } from '../../config/topicConfigs';
import { brokerConfigSynonyms, kafkaBrokerDefault } from '../../config/synonyms';
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

export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: number;
}

export interface ResolvedConfig {
  name: string;
  value: string | null;
  source: number;
  readOnly: boolean;
  sensitive: boolean;
  synonyms: ConfigSynonym[];
}

/** One place a broker property's value can come from. */
interface Layer {
  readonly source: number;
  get(name: string): string | null;
}

/** Where broker property values come from, highest precedence first, as in Kafka's ConfigHelper.configSynonyms. */
type Layers = readonly Layer[];

async function loadLayers(ctx: RequestContext): Promise<{ layers: Layers; brokerDynamic: Record<string, string>; defaultDynamic: Record<string, string> }> {
  const [brokerDynamic, defaultDynamic] = await Promise.all([
    ctx.services.zk.getBrokerConfig(ctx.brokerId),
    ctx.services.zk.getBrokerConfig('<default>'),
  ]);
  const given = ctx.config.loaded.given;
  const layers: Layers = [
    { source: ConfigSource.DYNAMIC_BROKER_CONFIG, get: (n) => brokerDynamic[n] ?? null },
    { source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, get: (n) => defaultDynamic[n] ?? null },
    { source: ConfigSource.STATIC_BROKER_CONFIG, get: (n) => given.get(n) ?? null },
    { source: ConfigSource.DEFAULT_CONFIG, get: kafkaBrokerDefault },
  ];
  return { layers, brokerDynamic, defaultDynamic };
}

/**
 * Kafka's synonyms of broker property `name`: every layer's value of each property of its synonym group, layer by
 * layer, then everything before the first entry for `name` itself dropped. So retention.ms lists log.retention.hours
 * only after a log.retention.ms entry, and nothing at all when log.retention.ms is set nowhere (it has no default).
 */
function configSynonyms(layers: Layers, name: string, sensitive = false): ConfigSynonym[] {
  const group = brokerConfigSynonyms(name);
  const all: ConfigSynonym[] = [];
  for (const layer of layers) {
    for (const s of group) {
      const value = layer.get(s.name);
      if (value !== null) all.push({ name: s.name, value: sensitive ? null : value, source: layer.source });
    }
  }
  const first = all.findIndex((s) => s.name === name);
  return first < 0 ? [] : all.slice(first);
}

/** The value a broker property takes effect with: first property of its group set in any layer, in the group's first unit. */
function effectiveBrokerValue(layers: Layers, name: string): string | null {
  for (const s of brokerConfigSynonyms(name)) {
    for (const layer of layers) {
      const value = layer.get(s.name);
      if (value === null) continue;
      if (s.factor === 1n) return value;
      if (/^\s*-?\d+\s*$/.test(value)) return (BigInt(value.trim()) * s.factor).toString();
    }
  }
  return null;
}

/** A topic's effective configs given its overrides, with Kafka's sources and synonyms (ConfigHelper.createTopicConfigEntry). */
function topicEntries(layers: Layers, overrides: Readonly<Record<string, string>>, keys: readonly string[] | null): ResolvedConfig[] {
  const names = Object.keys(topicConfigDefs).filter((n) => keys === null || keys.includes(n)).sort();
  return names.map((name) => {
    const def = topicConfigDefs[name]!;
    const override = overrides[name];
    // Topic configs with no broker property behind them (the throttled replica lists) have no synonyms at all.
    const synonyms = def.brokerSynonym ? configSynonyms(layers, def.brokerSynonym) : [];
    const value = canonicalTopicConfigValue(name, override ?? (def.brokerSynonym ? effectiveBrokerValue(layers, def.brokerSynonym) : null) ?? def.default);
    if (override !== undefined) synonyms.unshift({ name, value, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    return { name, value, source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG, readOnly: false, sensitive: false, synonyms };
  });
}

export async function resolveTopicConfigs(ctx: RequestContext, topic: string, keys: readonly string[] | null): Promise<ResolvedConfig[]> {
  const [overrides, { layers }] = await Promise.all([ctx.services.zk.getTopicConfig(topic), loadLayers(ctx)]);
  return topicEntries(layers, overrides, keys);
}

/** The configs a topic created with `overrides` would have, as DescribeConfigs would list them (for CreateTopics v5+). */
export async function resolveNewTopicConfigs(ctx: RequestContext, overrides: ReadonlyArray<Readonly<Record<string, string>>>): Promise<ResolvedConfig[][]> {
  const { layers } = await loadLayers(ctx);
  return overrides.map((o) => topicEntries(layers, o, null));
}

/**
 * This broker's configs (Kafka's ConfigHelper.createBrokerConfigEntry): every property Brook knows, given in
 * server.properties or set dynamically, including names Brook does not know. With `defaultsOnly` (resource name ''),
 * only the cluster-wide dynamic defaults.
 */
export async function resolveBrokerConfigs(ctx: RequestContext, defaultsOnly: boolean, keys: readonly string[] | null): Promise<ResolvedConfig[]> {
  const { layers, brokerDynamic, defaultDynamic } = await loadLayers(ctx);
  const all = defaultsOnly
    ? Object.keys(defaultDynamic)
    : [...new Set([...Object.keys(brokerConfigDefs), ...ctx.config.loaded.given.keys(), ...Object.keys(brokerDynamic), ...Object.keys(defaultDynamic)])];
  const names = all.filter((n) => keys === null || keys.includes(n)).sort();
  return names.map((name) => {
    const sensitive = (brokerConfigDefs as Record<string, { type: string }>)[name]?.type === 'password';
    const synonyms = configSynonyms(layers, name, sensitive).filter((s) => !defaultsOnly || s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
    const value = sensitive ? null : defaultsOnly ? (defaultDynamic[name] ?? null) : (synonyms[0]?.value ?? null);
    return { name, value, source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG, readOnly: !DYNAMIC_BROKER_CONFIGS.has(name), sensitive, synonyms };
  });
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
      // As in Kafka, an empty key list asks for every config, like a null one.
      const keys = r.configurationKeys?.length ? r.configurationKeys : null;
      const fail = (errorCode: number, errorMessage: string) => ({ ...base, errorCode, errorMessage, configs: [] });
      try {
        let configs: ResolvedConfig[];
        if (r.resourceType === RESOURCE_TOPIC) {
          if (!(await topicExists(ctx, r.resourceName))) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${r.resourceName}' does not exist.`);
          configs = await resolveTopicConfigs(ctx, r.resourceName, keys);
        } else if (r.resourceType === RESOURCE_BROKER) {
          const bad = checkBrokerResource(ctx, r.resourceName);
          if (bad) return fail(ErrorCode.INVALID_REQUEST, bad);
          configs = await resolveBrokerConfigs(ctx, r.resourceName === '', keys);
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
