// Topic-level config schema: Kafka's topic config names, types, defaults, validators and broker synonyms.

export type TopicConfigType = 'int' | 'long' | 'double' | 'boolean' | 'string' | 'list';

export interface TopicConfigDef {
  readonly type: TopicConfigType;
  /** Kafka's default as text (used when neither the topic nor the broker sets it). */
  readonly default: string;
  /** The broker property that supplies the default (Kafka's "synonym"), if any. */
  readonly brokerSynonym: string | null;
  readonly doc: string;
  /** Extra check of a well-typed value; returns the problem or null. */
  readonly check?: (value: string) => string | null;
}

const LONG_MAX = '9223372036854775807';
const INT_RE = /^-?\d+$/;

const atLeast = (min: bigint) => (v: string): string | null => (BigInt(v) < min ? `must be at least ${min}` : null);
const oneOf = (...allowed: string[]) => (v: string): string | null => {
  const bad = v.split(',').map((s) => s.trim()).filter((s) => !allowed.includes(s));
  return bad.length > 0 || v.trim() === '' ? `must be one of ${allowed.join(', ')}` : null;
};
const single = (...allowed: string[]) => (v: string): string | null => (allowed.includes(v) ? null : `must be one of ${allowed.join(', ')}`);
const ratio = (v: string): string | null => (Number(v) < 0 || Number(v) > 1 ? 'must be between 0 and 1' : null);

const d = (type: TopicConfigType, dflt: string, brokerSynonym: string | null, doc: string, check?: (v: string) => string | null): TopicConfigDef =>
  check ? { type, default: dflt, brokerSynonym, doc, check } : { type, default: dflt, brokerSynonym, doc };

export const topicConfigDefs: Readonly<Record<string, TopicConfigDef>> = {
  'cleanup.policy': d('list', 'delete', 'log.cleanup.policy', 'delete and/or compact.', oneOf('delete', 'compact')),
  'compression.type': d('string', 'producer', 'compression.type', 'Codec of stored batches; producer keeps what the producer sent.', single('producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd')),
  'delete.retention.ms': d('long', '86400000', 'log.cleaner.delete.retention.ms', 'How long tombstones are kept in compacted topics.', atLeast(0n)),
  'file.delete.delay.ms': d('long', '60000', 'log.segment.delete.delay.ms', 'Delay before a deleted segment file is removed.', atLeast(0n)),
  'flush.messages': d('long', LONG_MAX, 'log.flush.interval.messages', 'Messages accumulated before an fsync.', atLeast(1n)),
  'flush.ms': d('long', LONG_MAX, 'log.flush.interval.ms', 'Max time data stays unflushed.', atLeast(0n)),
  'follower.replication.throttled.replicas': d('list', '', null, 'Replicas throttled on the follower side.'),
  'index.interval.bytes': d('int', '4096', 'log.index.interval.bytes', 'Bytes between offset index entries.', atLeast(0n)),
  'leader.replication.throttled.replicas': d('list', '', null, 'Replicas throttled on the leader side.'),
  'max.compaction.lag.ms': d('long', LONG_MAX, 'log.cleaner.max.compaction.lag.ms', 'Max time a record stays uncompacted.', atLeast(1n)),
  'max.message.bytes': d('int', '1048588', 'message.max.bytes', 'Largest record batch accepted.', atLeast(0n)),
  'message.downconversion.enable': d('boolean', 'true', 'log.message.downconversion.enable', 'Down-convert for old fetch versions.'),
  'message.format.version': d('string', '2.8-IV1', 'log.message.format.version', 'Message format version (Brook always writes magic 2).'),
  'message.timestamp.difference.max.ms': d('long', LONG_MAX, 'log.message.timestamp.difference.max.ms', 'Max allowed CreateTime skew.', atLeast(0n)),
  'message.timestamp.type': d('string', 'CreateTime', 'log.message.timestamp.type', 'CreateTime or LogAppendTime.', single('CreateTime', 'LogAppendTime')),
  'min.cleanable.dirty.ratio': d('double', '0.5', 'log.cleaner.min.cleanable.ratio', 'Dirty ratio that triggers compaction.', ratio),
  'min.compaction.lag.ms': d('long', '0', 'log.cleaner.min.compaction.lag.ms', 'Min time a record stays uncompacted.', atLeast(0n)),
  'min.insync.replicas': d('int', '1', 'min.insync.replicas', 'Minimum ISR size for acks=-1 produce.', atLeast(1n)),
  preallocate: d('boolean', 'false', 'log.preallocate', 'Preallocate segment files.'),
  'retention.bytes': d('long', '-1', 'log.retention.bytes', 'Retention size per partition; -1 = unlimited.', atLeast(-1n)),
  'retention.ms': d('long', '604800000', 'log.retention.ms', 'Retention time; -1 = unlimited.', atLeast(-1n)),
  'segment.bytes': d('int', '1073741824', 'log.segment.bytes', 'Maximum size of a log segment.', atLeast(14n)),
  'segment.index.bytes': d('int', '10485760', 'log.index.size.max.bytes', 'Maximum size of an offset index.', atLeast(4n)),
  'segment.jitter.ms': d('long', '0', 'log.roll.jitter.ms', 'Random jitter subtracted from segment.ms.', atLeast(0n)),
  'segment.ms': d('long', '604800000', 'log.roll.ms', 'Maximum age of a segment before it rolls.', atLeast(1n)),
  'unclean.leader.election.enable': d('boolean', 'false', 'unclean.leader.election.enable', 'Allow out-of-sync replicas to become leader.'),
};

/** Checks one topic config; returns a message naming the key and value, or null when valid. */
export function validateTopicConfig(name: string, value: string | null): string | null {
  const def = topicConfigDefs[name];
  if (!def) return `Unknown topic config name: ${name}`;
  if (value === null) return `Invalid value null for configuration ${name}: a value is required`;
  const v = value.trim();
  const bad = (why: string): string => `Invalid value ${value} for configuration ${name}: ${why}`;
  switch (def.type) {
    case 'int':
      if (!INT_RE.test(v)) return bad('not a number of type int');
      if (BigInt(v) > 2147483647n || BigInt(v) < -2147483648n) return bad('out of the int range');
      break;
    case 'long':
      if (!INT_RE.test(v)) return bad('not a number of type long');
      if (BigInt(v) > BigInt(LONG_MAX) || BigInt(v) < -BigInt(LONG_MAX) - 1n) return bad('out of the long range');
      break;
    case 'double':
      if (v === '' || Number.isNaN(Number(v))) return bad('not a number of type double');
      break;
    case 'boolean':
      if (!/^(true|false)$/i.test(v)) return bad('expected true or false');
      break;
    default:
      break;
  }
  const problem = def.check?.(v) ?? null;
  return problem ? bad(problem) : null;
}

/** First problem of a set of topic configs, or null. */
export function validateTopicConfigs(configs: Record<string, string | null>): { name: string; message: string } | null {
  for (const [name, value] of Object.entries(configs)) {
    const message = validateTopicConfig(name, value);
    if (message) return { name, message };
  }
  return null;
}
