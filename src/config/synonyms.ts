// Which broker properties stand for each other, and Kafka's defaults of the broker properties behind topic configs:
// the data DescribeConfigs needs to list synonyms the way Kafka 2.8 does.
import { brokerConfigDefs } from './schema';
import { topicConfigDefs } from './topicConfigs';

export interface BrokerSynonym {
  readonly name: string;
  /** Multiplier from this property's unit to the unit of the first property of its group. */
  readonly factor: bigint;
}

const MINUTE = 60_000n;
const HOUR = 3_600_000n;

/** Properties that set one value in different units, highest precedence first (Kafka's DynamicBrokerConfig.brokerConfigSynonyms). */
const SYNONYM_GROUPS: ReadonlyArray<readonly BrokerSynonym[]> = [
  [{ name: 'log.roll.ms', factor: 1n }, { name: 'log.roll.hours', factor: HOUR }],
  [{ name: 'log.roll.jitter.ms', factor: 1n }, { name: 'log.roll.jitter.hours', factor: HOUR }],
  // Kafka uses the flush scheduler's interval as the default of log.flush.interval.ms.
  [{ name: 'log.flush.interval.ms', factor: 1n }, { name: 'log.flush.scheduler.interval.ms', factor: 1n }],
  [{ name: 'log.retention.ms', factor: 1n }, { name: 'log.retention.minutes', factor: MINUTE }, { name: 'log.retention.hours', factor: HOUR }],
];

/** The broker properties that give `name`'s value, highest precedence first; just `name` for most properties. */
export function brokerConfigSynonyms(name: string): readonly BrokerSynonym[] {
  return SYNONYM_GROUPS.find((g) => g.some((s) => s.name === name)) ?? [{ name, factor: 1n }];
}

/** Kafka's defaults of properties Brook has no schema entry for but that appear among synonyms. */
const UNMODELLED_DEFAULTS: Readonly<Record<string, string | null>> = {
  'log.roll.jitter.ms': null,
  'log.roll.jitter.hours': '0',
  'log.flush.scheduler.interval.ms': '9223372036854775807',
};

/** A config value as text, the way Kafka prints it (lists comma-separated). */
export function configValueText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

/**
 * Kafka's default of a broker property as text, null when it has none (log.retention.ms: log.retention.hours gives
 * the value then). Broker properties behind topic configs that Brook does not model default to the topic default.
 */
export function kafkaBrokerDefault(name: string): string | null {
  if (name in brokerConfigDefs) return configValueText((brokerConfigDefs as Record<string, { default: unknown }>)[name]!.default);
  if (name in UNMODELLED_DEFAULTS) return UNMODELLED_DEFAULTS[name] ?? null;
  return Object.values(topicConfigDefs).find((d) => d.brokerSynonym === name)?.default ?? null;
}
