// Topic-level config schema: Kafka's topic config names, types, defaults, validators and broker synonyms.

export type TopicConfigType = 'int' | 'long' | 'double' | 'boolean' | 'string' | 'list';

/**
 * A refused topic config, classified as Kafka throws it: 'bad-value' is a ConfigException (the value does not parse or
 * fails its validator), 'invalid-config' an InvalidConfigurationException (unknown name, conflicting values, a value
 * Brook cannot store). CreateTopics answers INVALID_CONFIG for both; AlterConfigs answers INVALID_REQUEST for the first.
 */
export interface TopicConfigProblem {
  readonly kind: 'bad-value' | 'invalid-config';
  readonly message: string;
}

export interface TopicConfigDef {
  readonly type: TopicConfigType;
  /** Kafka's default as text (used when neither the topic nor the broker sets it). */
  readonly default: string;
  /** The broker property that supplies the default (Kafka's "synonym"), if any. */
  readonly brokerSynonym: string | null;
  readonly doc: string;
  /** Kafka's validator, given the name to report and the parsed value as canonical text; returns the refusal or null. */
  readonly check?: (name: string, value: string) => TopicConfigProblem | null;
}

const LONG_MAX = '9223372036854775807';
const INT_RANGE = [-(2n ** 31n), 2n ** 31n - 1n] as const;
const LONG_RANGE = [-(2n ** 63n), 2n ** 63n - 1n] as const;
// What Java's Double.parseDouble accepts, near enough: decimal and exponent forms, NaN, Infinity, a d/f suffix.
const DOUBLE_RE = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?)$/;

/** Kafka's ConfigException text. */
const invalidValue = (name: string, shown: string, why: string): string => `Invalid value ${shown} for configuration ${name}: ${why}`;
const badValue = (name: string, shown: string, why: string): TopicConfigProblem => ({ kind: 'bad-value', message: invalidValue(name, shown, why) });

/** Java's Double.toString: "0.5", "1.0", "1.0E7". */
function javaDouble(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(n);
  if (abs === 0 || (abs >= 1e-3 && abs < 1e7)) return Number.isInteger(n) ? n.toFixed(1) : String(n);
  const [mantissa, exponent] = n.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

const listItems = (v: string): string[] => (v === '' ? [] : v.split(','));

// ConfigDef.Range.atLeast on an int or long.
const atLeast = (min: bigint) => (name: string, v: string): TopicConfigProblem | null =>
  BigInt(v) < min ? badValue(name, v, `Value must be at least ${min}`) : null;
// ConfigDef.Range.between(0, 1) on a double.
const ratio = (name: string, v: string): TopicConfigProblem | null =>
  Number(v) < 0 ? badValue(name, v, 'Value must be at least 0') : Number(v) > 1 ? badValue(name, v, 'Value must be no more than 1') : null;
// ConfigDef.ValidString.in
const oneOf = (...allowed: string[]) => (name: string, v: string): TopicConfigProblem | null =>
  allowed.includes(v) ? null : badValue(name, v, `String must be one of: ${allowed.join(', ')}`);
// ConfigDef.ValidList.in: every item must be allowed; the first one that is not is reported.
const listOf = (...allowed: string[]) => (name: string, v: string): TopicConfigProblem | null => {
  const bad = listItems(v).find((item) => !allowed.includes(item));
  return bad === undefined ? null : badValue(name, bad, `String must be one of: ${allowed.join(', ')}`);
};
// Kafka's ThrottledReplicaListValidator.
const throttledReplicas = (name: string, v: string): TopicConfigProblem | null => {
  const items = listItems(v);
  if (items.every((i) => /^(\d+:\d+)?$/.test(i.trim())) || items.join('').trim() === '*') return null;
  return badValue(name, `[${items.join(', ')}]`, `${name} must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...`);
};

/** Kafka 2.8's ApiVersion names with the record batch version each writes (0.8-0.9: v0, 0.10: v1, 0.11 on: v2). */
const MESSAGE_FORMATS: ReadonlyMap<string, number> = (() => {
  const byRecordVersion: Array<[number, string[]]> = [
    [0, ['0.8.0', '0.8.1', '0.8.2', '0.9.0']],
    [1, ['0.10.0-IV0', '0.10.0-IV1', '0.10.1-IV0', '0.10.1-IV1', '0.10.1-IV2', '0.10.2-IV0']],
    [2, ['0.11.0-IV0', '0.11.0-IV1', '0.11.0-IV2', '1.0-IV0', '1.1-IV0', '2.0-IV0', '2.0-IV1', '2.1-IV0', '2.1-IV1', '2.1-IV2',
      '2.2-IV0', '2.2-IV1', '2.3-IV0', '2.3-IV1', '2.4-IV0', '2.4-IV1', '2.5-IV0', '2.6-IV0', '2.7-IV0', '2.7-IV1', '2.7-IV2',
      '2.8-IV0', '2.8-IV1']],
  ];
  const m = new Map<string, number>();
  // Each full version and its short form ("2.8" for "2.8-IV1") name a version, as in Kafka's ApiVersion.versionMap.
  for (const [record, versions] of byRecordVersion) for (const v of versions) m.set(v, record).set(v.split('-')[0]!, record);
  return m;
})();

// Kafka's ApiVersionValidator, then Brook's own limit: only record batch v2 is stored, and converting produced batches
// down to the v0/v1 message sets of older formats is not done, so those formats cannot be set.
const messageFormatVersion = (name: string, v: string): TopicConfigProblem | null => {
  const key = v.split('.').slice(0, v.startsWith('0.') ? 3 : 2).join('.');
  const record = MESSAGE_FORMATS.get(key);
  if (record === undefined) return badValue(name, v, `Version \`${v}\` is not a valid version`);
  if (record < 2) {
    return { kind: 'invalid-config', message: invalidValue(name, v, 'Brook stores only record batch v2, the message format of Kafka 0.11.0 and later; formats before 0.11.0 are not supported') };
  }
  return null;
};

const d = (type: TopicConfigType, dflt: string, brokerSynonym: string | null, doc: string, check?: TopicConfigDef['check']): TopicConfigDef =>
  check ? { type, default: dflt, brokerSynonym, doc, check } : { type, default: dflt, brokerSynonym, doc };

export const topicConfigDefs: Readonly<Record<string, TopicConfigDef>> = {
  'cleanup.policy': d('list', 'delete', 'log.cleanup.policy', 'delete and/or compact.', listOf('compact', 'delete')),
  'compression.type': d('string', 'producer', 'compression.type', 'Codec of stored batches; producer keeps what the producer sent.', oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer')),
  'delete.retention.ms': d('long', '86400000', 'log.cleaner.delete.retention.ms', 'How long tombstones are kept in compacted topics.', atLeast(0n)),
  'file.delete.delay.ms': d('long', '60000', 'log.segment.delete.delay.ms', 'Delay before a deleted segment file is removed.', atLeast(0n)),
  // Kafka allows 0; Brook's Log refuses it (an fsync every 0 messages has no meaning), so it is refused here already.
  'flush.messages': d('long', LONG_MAX, 'log.flush.interval.messages', 'Messages accumulated before an fsync.', atLeast(1n)),
  'flush.ms': d('long', LONG_MAX, 'log.flush.interval.ms', 'Max time data stays unflushed.', atLeast(0n)),
  'follower.replication.throttled.replicas': d('list', '', null, 'Replicas throttled on the follower side.', throttledReplicas),
  'index.interval.bytes': d('int', '4096', 'log.index.interval.bytes', 'Bytes between offset index entries.', atLeast(0n)),
  'leader.replication.throttled.replicas': d('list', '', null, 'Replicas throttled on the leader side.', throttledReplicas),
  'max.compaction.lag.ms': d('long', LONG_MAX, 'log.cleaner.max.compaction.lag.ms', 'Max time a record stays uncompacted.', atLeast(1n)),
  'max.message.bytes': d('int', '1048588', 'message.max.bytes', 'Largest record batch accepted.', atLeast(0n)),
  'message.downconversion.enable': d('boolean', 'true', 'log.message.downconversion.enable', 'Down-convert for old fetch versions.'),
  'message.format.version': d('string', '2.8-IV1', 'log.message.format.version', 'Message format version; Brook stores record batch v2 only, so 0.11.0 or later.', messageFormatVersion),
  'message.timestamp.difference.max.ms': d('long', LONG_MAX, 'log.message.timestamp.difference.max.ms', 'Max allowed CreateTime skew.', atLeast(0n)),
  'message.timestamp.type': d('string', 'CreateTime', 'log.message.timestamp.type', 'CreateTime or LogAppendTime.', oneOf('CreateTime', 'LogAppendTime')),
  'min.cleanable.dirty.ratio': d('double', '0.5', 'log.cleaner.min.cleanable.ratio', 'Dirty ratio that triggers compaction.', ratio),
  'min.compaction.lag.ms': d('long', '0', 'log.cleaner.min.compaction.lag.ms', 'Min time a record stays uncompacted.', atLeast(0n)),
  'min.insync.replicas': d('int', '1', 'min.insync.replicas', 'Minimum ISR size for acks=-1 produce.', atLeast(1n)),
  preallocate: d('boolean', 'false', 'log.preallocate', 'Preallocate segment files.'),
  'retention.bytes': d('long', '-1', 'log.retention.bytes', 'Retention size per partition; -1 = unlimited.'),
  'retention.ms': d('long', '604800000', 'log.retention.ms', 'Retention time; -1 = unlimited.', atLeast(-1n)),
  'segment.bytes': d('int', '1073741824', 'log.segment.bytes', 'Maximum size of a log segment.', atLeast(14n)),
  // Kafka allows 0 (and rounds down to whole 8-byte entries); Brook's Log needs room for one entry.
  'segment.index.bytes': d('int', '10485760', 'log.index.size.max.bytes', 'Maximum size of an offset index.', atLeast(8n)),
  'segment.jitter.ms': d('long', '0', 'log.roll.jitter.ms', 'Random jitter subtracted from segment.ms.', atLeast(0n)),
  'segment.ms': d('long', '604800000', 'log.roll.ms', 'Maximum age of a segment before it rolls.', atLeast(1n)),
  'unclean.leader.election.enable': d('boolean', 'false', 'unclean.leader.election.enable', 'Allow out-of-sync replicas to become leader.'),
};

/** Parses a value as Kafka's ConfigDef.parseType does; the canonical text (ConfigDef.convertToString) or the refusal. */
function parse(def: TopicConfigDef, name: string, raw: string): { value: string } | TopicConfigProblem {
  const v = raw.trim();
  switch (def.type) {
    case 'int':
    case 'long': {
      const [min, max] = def.type === 'int' ? INT_RANGE : LONG_RANGE;
      const n = /^[+-]?\d+$/.test(v) ? BigInt(v.replace(/^\+/, '')) : null;
      if (n === null || n < min || n > max) return badValue(name, raw, `Not a number of type ${def.type.toUpperCase()}`);
      return { value: n.toString() };
    }
    case 'double':
      if (!DOUBLE_RE.test(v)) return badValue(name, raw, 'Not a number of type DOUBLE');
      return { value: javaDouble(Number(v.replace(/[dDfF]$/, ''))) };
    case 'boolean':
      if (!/^(true|false)$/i.test(v)) return badValue(name, raw, 'Expected value to be either true or false');
      return { value: v.toLowerCase() };
    case 'list':
      return { value: v === '' ? '' : v.split(/\s*,\s*/).join(',') };
    default:
      return { value: v };
  }
}

/**
 * Checks a value of topic config `topicConfig` (a known one), reporting it under `reportAs` (a broker property that
 * stands for it, for dynamic broker configs); null when valid.
 */
export function checkTopicConfigValue(topicConfig: string, value: string, reportAs: string = topicConfig): TopicConfigProblem | null {
  const def = topicConfigDefs[topicConfig];
  if (!def) return { kind: 'invalid-config', message: `Unknown topic config name: ${topicConfig}` };
  const parsed = parse(def, reportAs, value);
  if (!('value' in parsed)) return parsed;
  return def.check?.(reportAs, parsed.value) ?? null;
}

/** Checks one topic config; returns Kafka's message naming the key and value, or null when valid. */
export function validateTopicConfig(name: string, value: string): string | null {
  return checkTopicConfigValue(name, value)?.message ?? null;
}

/**
 * Checks a topic's whole set of overrides as Kafka's LogConfig.validate does: every name first, then every value,
 * then the values against each other. Returns the first refusal, or null.
 */
export function checkTopicConfigs(configs: Readonly<Record<string, string>>): TopicConfigProblem | null {
  const unknown = Object.keys(configs).find((name) => !(name in topicConfigDefs));
  if (unknown !== undefined) return { kind: 'invalid-config', message: `Unknown topic config name: ${unknown}` };
  for (const [name, value] of Object.entries(configs)) {
    const problem = checkTopicConfigValue(name, value);
    if (problem) return problem;
  }
  const lag = (name: string): bigint => BigInt(canonicalTopicConfigValue(name, configs[name] ?? topicConfigDefs[name]!.default));
  const [minLag, maxLag] = [lag('min.compaction.lag.ms'), lag('max.compaction.lag.ms')];
  if (minLag > maxLag) {
    return { kind: 'invalid-config', message: `conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${maxLag})` };
  }
  return null;
}

/** A topic config value as Kafka shows it (parsed, then printed: "compact,delete", "true", "1000"); raw if it does not parse. */
export function canonicalTopicConfigValue(name: string, raw: string): string {
  const def = topicConfigDefs[name];
  if (!def) return raw;
  const parsed = parse(def, name, raw);
  return 'value' in parsed ? parsed.value : raw;
}
