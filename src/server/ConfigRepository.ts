// Dynamic topic and broker configs (/config/topics, /config/brokers in ZooKeeper): read resolved the way Kafka's
// DescribeConfigs lists them (topic override > dynamic broker > dynamic default broker > static broker > default),
// and changed only after Kafka's validation. The config APIs (32, 33, 44) and CreateTopics v5 go through it.
import { isSensitiveSecuritySetting } from '../config/KafkaConfig';
import type { KafkaZkApi } from '../zk/api';
import type { KafkaConfig } from '../config/KafkaConfig';
import type { Logger } from '../util/logger';
import { ErrorCode } from '../protocol/errors';
import { brokerConfigDefs } from '../config/schema';
import { canonicalTopicConfigValue, checkTopicConfigs, checkTopicConfigValue, topicConfigDefs } from '../config/topicConfigs';
import { brokerConfigSynonyms, kafkaBrokerDefault } from '../config/synonyms';

/** Resource types of the config APIs. */
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

/** DescribeConfigs v3+ ConfigType codes (Kafka's DescribeConfigsResponse.ConfigType). */
export const ConfigType = { UNKNOWN: 0, BOOLEAN: 1, STRING: 2, INT: 3, SHORT: 4, LONG: 5, DOUBLE: 6, LIST: 7, CLASS: 8, PASSWORD: 9 } as const;

const CONFIG_TYPE_CODES: Readonly<Record<string, number>> = {
  boolean: ConfigType.BOOLEAN, string: ConfigType.STRING, int: ConfigType.INT, long: ConfigType.LONG,
  double: ConfigType.DOUBLE, list: ConfigType.LIST, password: ConfigType.PASSWORD,
};

/** The schema's type and doc of a known property; a name the schema does not know is UNKNOWN with no doc, as in Kafka. */
function typeAndDoc(def: { readonly type: string; readonly doc: string } | undefined): { configType: number; documentation: string | null } {
  return def ? { configType: CONFIG_TYPE_CODES[def.type] ?? ConfigType.UNKNOWN, documentation: def.doc } : { configType: ConfigType.UNKNOWN, documentation: null };
}

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
  /** The property's type as a ConfigType code (DescribeConfigs v3+). */
  configType: number;
  /** The property's documentation, null for a name the schema does not know (DescribeConfigs v3+, when asked). */
  documentation: string | null;
}

/** A config resource refused with Kafka's error code and message (answered per resource, never a failed request). */
export class ConfigRejected extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'ConfigRejected';
  }
}

/** A checked config resource: an existing topic, this broker, or the cluster-wide broker default. */
export type ConfigResource = { readonly kind: 'topic'; readonly name: string } | { readonly kind: 'broker'; readonly id: number | '<default>' };

/** The part of the ZooKeeper layer that holds configs. */
export type ConfigStore = Pick<KafkaZkApi, 'getTopicAssignment' | 'getTopicConfig' | 'setTopicConfig' | 'getBrokerConfig' | 'setBrokerConfig'>;

/** One place a broker property's value can come from. */
interface Layer {
  readonly source: number;
  get(name: string): string | null;
}

/** Where broker property values come from, highest precedence first, as in Kafka's ConfigHelper.configSynonyms. */
type Layers = readonly Layer[];

export class ConfigRepository {
  constructor(
    private readonly store: ConfigStore,
    private readonly brokerId: number,
    private readonly config: KafkaConfig,
    private readonly logger: Logger,
  ) {}

  /** Resolves and checks a resource of a config request; throws ConfigRejected with Kafka's code on a bad one. */
  async resource(resourceType: number, resourceName: string): Promise<ConfigResource> {
    if (resourceType === RESOURCE_TOPIC) {
      if ((await this.store.getTopicAssignment(resourceName)) === null) throw new ConfigRejected(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${resourceName}' does not exist.`);
      return { kind: 'topic', name: resourceName };
    }
    if (resourceType === RESOURCE_BROKER) {
      // '' (cluster default) or this broker's id, as Kafka requires.
      if (resourceName === '') return { kind: 'broker', id: '<default>' };
      if (!/^\d+$/.test(resourceName)) throw new ConfigRejected(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, got '${resourceName}'`);
      if (Number(resourceName) !== this.brokerId) throw new ConfigRejected(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${this.brokerId} but received ${resourceName}`);
      return { kind: 'broker', id: this.brokerId };
    }
    throw new ConfigRejected(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${resourceType} (topics are 2, brokers 4)`);
  }

  /** The resource's effective configs (`keys` null: all of them), with Kafka's sources and synonyms. */
  async describe(r: ConfigResource, keys: readonly string[] | null): Promise<ResolvedConfig[]> {
    if (r.kind === 'topic') {
      const [overrides, { layers }] = await Promise.all([this.store.getTopicConfig(r.name), this.loadLayers()]);
      return topicEntries(layers, overrides, keys);
    }
    return this.brokerEntries(r.id === '<default>', keys);
  }

  /** The configs topics created with these overrides would have, as DescribeConfigs would list them (CreateTopics v5+). */
  async describeNewTopics(overrides: ReadonlyArray<Readonly<Record<string, string>>>): Promise<ResolvedConfig[][]> {
    const { layers } = await this.loadLayers();
    return overrides.map((o) => topicEntries(layers, o, null));
  }

  /** The resource's stored dynamic config (a topic's overrides, or a broker's dynamic properties). */
  current(r: ConfigResource): Promise<Record<string, string>> {
    return r.kind === 'topic' ? this.store.getTopicConfig(r.name) : this.store.getBrokerConfig(r.id);
  }

  /** Validates the whole new config set, then (unless validateOnly) stores it; throws ConfigRejected. */
  async write(r: ConfigResource, next: Record<string, string>, validateOnly: boolean): Promise<void> {
    if (r.kind === 'topic') checkTopicOverrides(r, next);
    else checkBrokerConfigs(r, next);
    if (validateOnly) return;
    // The ZooKeeper layer also writes the /config/changes notification.
    if (r.kind === 'topic') await this.store.setTopicConfig(r.name, next);
    else await this.store.setBrokerConfig(r.id, next);
    this.logger.info({ entity: r.kind === 'topic' ? `topics/${r.name}` : `brokers/${r.id}`, keys: Object.keys(next) }, 'dynamic config updated');
  }

  private async loadLayers(): Promise<{ layers: Layers; brokerDynamic: Record<string, string>; defaultDynamic: Record<string, string> }> {
    const [brokerDynamic, defaultDynamic] = await Promise.all([
      this.store.getBrokerConfig(this.brokerId),
      this.store.getBrokerConfig('<default>'),
    ]);
    const given = this.config.loaded.given;
    const layers: Layers = [
      { source: ConfigSource.DYNAMIC_BROKER_CONFIG, get: (n) => brokerDynamic[n] ?? null },
      { source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, get: (n) => defaultDynamic[n] ?? null },
      { source: ConfigSource.STATIC_BROKER_CONFIG, get: (n) => given.get(n) ?? null },
      { source: ConfigSource.DEFAULT_CONFIG, get: kafkaBrokerDefault },
    ];
    return { layers, brokerDynamic, defaultDynamic };
  }

  /**
   * This broker's configs (Kafka's ConfigHelper.createBrokerConfigEntry): every property Brook knows, given in
   * server.properties or set dynamically, including names Brook does not know. With `defaultsOnly` (resource name
   * ''), only the cluster-wide dynamic defaults.
   */
  private async brokerEntries(defaultsOnly: boolean, keys: readonly string[] | null): Promise<ResolvedConfig[]> {
    const { layers, brokerDynamic, defaultDynamic } = await this.loadLayers();
    const all = defaultsOnly
      ? Object.keys(defaultDynamic)
      : [...new Set([...Object.keys(brokerConfigDefs), ...this.config.loaded.given.keys(), ...Object.keys(brokerDynamic), ...Object.keys(defaultDynamic)])];
    const names = all.filter((n) => keys === null || keys.includes(n)).sort();
    return names.map((name) => {
      const def = (brokerConfigDefs as Record<string, { readonly type: string; readonly doc: string }>)[name];
      const sensitive = def?.type === 'password' || isSensitiveSecuritySetting(name);
      const synonyms = configSynonyms(layers, name, sensitive).filter((s) => !defaultsOnly || s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
      const value = sensitive ? null : defaultsOnly ? (defaultDynamic[name] ?? null) : (synonyms[0]?.value ?? null);
      return { name, value, source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG, readOnly: !DYNAMIC_BROKER_CONFIGS.has(name), sensitive, synonyms, ...typeAndDoc(def) };
    });
  }
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
    return { name, value, source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG, readOnly: false, sensitive: false, synonyms, ...typeAndDoc(def) };
  });
}

/** How Kafka names a resource in AlterConfigs messages (its ConfigResource.toString). */
function resourceLabel(r: ConfigResource): string {
  return r.kind === 'topic' ? `ConfigResource(type=TOPIC, name='${r.name}')` : `ConfigResource(type=BROKER, name='${r.id === '<default>' ? '' : r.id}')`;
}

/**
 * Checks a new dynamic broker config set as Kafka's DynamicBrokerConfig.validateConfigs does: names Kafka does not know
 * are custom configs, stored unchecked; known ones must be dynamic, and their values must parse. Throws ConfigRejected.
 */
function checkBrokerConfigs(r: ConfigResource, next: Readonly<Record<string, string>>): void {
  // Kafka reports these ConfigExceptions as INVALID_REQUEST, prefixed with the resource.
  const refuse = (message: string): never => {
    throw new ConfigRejected(ErrorCode.INVALID_REQUEST, `Invalid config value for resource ${resourceLabel(r)}: ${message}`);
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
function checkTopicOverrides(r: ConfigResource, next: Readonly<Record<string, string>>): void {
  const problem = checkTopicConfigs(next);
  if (!problem) return;
  // A value that does not parse is a ConfigException, which Kafka's AlterConfigs answers with INVALID_REQUEST.
  if (problem.kind === 'bad-value') throw new ConfigRejected(ErrorCode.INVALID_REQUEST, `Invalid config value for resource ${resourceLabel(r)}: ${problem.message}`);
  throw new ConfigRejected(ErrorCode.INVALID_CONFIG, problem.message);
}
