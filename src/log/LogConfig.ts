// Per-topic log configuration under Kafka's topic config names, with Kafka's defaults and broker-level fallbacks.

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';
export type TimestampType = 'CreateTime' | 'LogAppendTime';

export interface LogConfig {
  'segment.bytes': number;
  'segment.ms': number;
  'segment.index.bytes': number;
  'index.interval.bytes': number;
  'retention.ms': number; // -1: unlimited
  'retention.bytes': number; // -1: unlimited
  'flush.messages': number;
  'flush.ms': number;
  'max.message.bytes': number;
  'message.timestamp.type': TimestampType;
  /** CreateTime records further than this from the broker's clock are refused (INVALID_TIMESTAMP). */
  'message.timestamp.difference.max.ms': number;
  'cleanup.policy': CleanupPolicy;
  'file.delete.delay.ms': number;
  'delete.retention.ms': number; // how long compaction keeps tombstones
  'min.cleanable.dirty.ratio': number; // the cleaner takes a log once its dirty bytes exceed this share
  'min.compaction.lag.ms': number; // records younger than this stay uncompacted
  'max.compaction.lag.ms': number; // a dirty segment older than this is cleaned whatever the ratio
  'min.insync.replicas': number; // stored only: the Partition enforces it
  'unclean.leader.election.enable': boolean; // stored only
}

// Kafka uses Long.MAX_VALUE for "never"; a JS number that large still compares correctly.
const NEVER = Number.MAX_SAFE_INTEGER;

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  'segment.bytes': 1024 * 1024 * 1024,
  'segment.ms': 7 * 24 * 3600 * 1000,
  'segment.index.bytes': 10 * 1024 * 1024,
  'index.interval.bytes': 4096,
  'retention.ms': 7 * 24 * 3600 * 1000,
  'retention.bytes': -1,
  'flush.messages': NEVER,
  'flush.ms': NEVER,
  'max.message.bytes': 1048588,
  'message.timestamp.type': 'CreateTime',
  'message.timestamp.difference.max.ms': NEVER,
  'cleanup.policy': 'delete',
  'file.delete.delay.ms': 60000,
  'delete.retention.ms': 86400000,
  'min.cleanable.dirty.ratio': 0.5,
  'min.compaction.lag.ms': 0,
  'max.compaction.lag.ms': NEVER,
  'min.insync.replicas': 1,
  'unclean.leader.election.enable': false,
});

/** Broker property → topic property, as Kafka's LogConfig maps them (log.retention.hours etc. handled below). */
const BROKER_TO_TOPIC: Record<string, keyof LogConfig> = {
  'log.segment.bytes': 'segment.bytes',
  'log.roll.ms': 'segment.ms',
  'log.index.size.max.bytes': 'segment.index.bytes',
  'log.index.interval.bytes': 'index.interval.bytes',
  'log.retention.ms': 'retention.ms',
  'log.retention.bytes': 'retention.bytes',
  'log.flush.interval.messages': 'flush.messages',
  'log.flush.interval.ms': 'flush.ms',
  'message.max.bytes': 'max.message.bytes',
  'log.message.timestamp.type': 'message.timestamp.type',
  'log.message.timestamp.difference.max.ms': 'message.timestamp.difference.max.ms',
  'log.cleanup.policy': 'cleanup.policy',
  'log.segment.delete.delay.ms': 'file.delete.delay.ms',
  'log.cleaner.delete.retention.ms': 'delete.retention.ms',
  'log.cleaner.min.cleanable.ratio': 'min.cleanable.dirty.ratio',
  'log.cleaner.min.compaction.lag.ms': 'min.compaction.lag.ms',
  'log.cleaner.max.compaction.lag.ms': 'max.compaction.lag.ms',
  'min.insync.replicas': 'min.insync.replicas',
  'unclean.leader.election.enable': 'unclean.leader.election.enable',
};

export class LogConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid log config: ${problems.join('; ')}`);
    this.name = 'LogConfigError';
  }
}

type Raw = Record<string, string | number | boolean | undefined>;

/** The one fractional number among the log configs. */
const DOUBLES: ReadonlySet<keyof LogConfig> = new Set(['min.cleanable.dirty.ratio']);

function setKey(cfg: LogConfig, key: keyof LogConfig, raw: string | number | boolean, problems: string[]): void {
  const def = DEFAULT_LOG_CONFIG[key];
  if (typeof def === 'boolean') {
    const v = typeof raw === 'boolean' ? raw : String(raw).trim().toLowerCase();
    if (v === true || v === 'true') (cfg[key] as boolean) = true;
    else if (v === false || v === 'false') (cfg[key] as boolean) = false;
    else problems.push(`${key}: expected true or false, got ${String(raw)}`);
  } else if (typeof def === 'number') {
    const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
    if (!Number.isFinite(n) || (!Number.isInteger(n) && !DOUBLES.has(key))) problems.push(`${key}: expected ${DOUBLES.has(key) ? 'a number' : 'an integer'}, got ${String(raw)}`);
    else (cfg[key] as number) = Math.min(n, NEVER);
  } else if (key === 'message.timestamp.type') {
    const v = String(raw);
    if (v === 'CreateTime' || v === 'LogAppendTime') cfg[key] = v;
    else problems.push(`${key}: expected CreateTime or LogAppendTime, got ${v}`);
  } else if (key === 'cleanup.policy') {
    const parts = String(raw).split(',').map((s) => s.trim()).filter(Boolean).sort();
    const v = parts.join(',');
    if (v === 'delete' || v === 'compact' || v === 'compact,delete') cfg[key] = v;
    else problems.push(`${key}: expected delete and/or compact, got ${String(raw)}`);
  }
}

function validate(cfg: LogConfig, problems: string[]): void {
  if (cfg['segment.bytes'] < 14) problems.push('segment.bytes must be at least 14');
  if (cfg['segment.ms'] < 1) problems.push('segment.ms must be at least 1');
  if (cfg['segment.index.bytes'] < 8) problems.push('segment.index.bytes must be at least 8');
  if (cfg['index.interval.bytes'] < 0) problems.push('index.interval.bytes must be >= 0');
  if (cfg['retention.ms'] < -1) problems.push('retention.ms must be >= -1');
  if (cfg['flush.messages'] < 1) problems.push('flush.messages must be at least 1');
  if (cfg['flush.ms'] < 0) problems.push('flush.ms must be >= 0');
  if (cfg['max.message.bytes'] < 0) problems.push('max.message.bytes must be >= 0');
  if (cfg['file.delete.delay.ms'] < 0) problems.push('file.delete.delay.ms must be >= 0');
  if (cfg['delete.retention.ms'] < 0) problems.push('delete.retention.ms must be >= 0');
  if (!(cfg['min.cleanable.dirty.ratio'] >= 0 && cfg['min.cleanable.dirty.ratio'] <= 1)) problems.push('min.cleanable.dirty.ratio must be between 0 and 1');
  if (cfg['min.compaction.lag.ms'] < 0) problems.push('min.compaction.lag.ms must be >= 0');
  if (cfg['max.compaction.lag.ms'] < 1) problems.push('max.compaction.lag.ms must be at least 1');
  if (cfg['min.compaction.lag.ms'] > cfg['max.compaction.lag.ms']) problems.push('min.compaction.lag.ms must not exceed max.compaction.lag.ms');
  if (cfg['min.insync.replicas'] < 1) problems.push('min.insync.replicas must be at least 1');
  if (cfg['message.timestamp.difference.max.ms'] < 0) problems.push('message.timestamp.difference.max.ms must be >= 0');
}

/**
 * Builds a topic's LogConfig: Kafka defaults, then broker properties (`log.segment.bytes`, `log.retention.hours`, ...),
 * then topic overrides (`segment.bytes`, ...). Throws LogConfigError listing every problem.
 */
export function buildLogConfig(brokerProps: Raw = {}, topicOverrides: Raw = {}): LogConfig {
  const cfg: LogConfig = { ...DEFAULT_LOG_CONFIG };
  const problems: string[] = [];
  // Kafka precedence for retention and roll: ms > minutes > hours.
  const hours = brokerProps['log.retention.hours'];
  const minutes = brokerProps['log.retention.minutes'];
  if (hours !== undefined) setKey(cfg, 'retention.ms', Number(hours) * 3600 * 1000, problems);
  if (minutes !== undefined) setKey(cfg, 'retention.ms', Number(minutes) * 60 * 1000, problems);
  const rollHours = brokerProps['log.roll.hours'];
  if (rollHours !== undefined) setKey(cfg, 'segment.ms', Number(rollHours) * 3600 * 1000, problems);
  for (const [bk, tk] of Object.entries(BROKER_TO_TOPIC)) {
    const v = brokerProps[bk];
    if (v !== undefined) setKey(cfg, tk, v, problems);
  }
  for (const [k, v] of Object.entries(topicOverrides)) {
    if (v === undefined) continue;
    if (!(k in DEFAULT_LOG_CONFIG)) continue; // other topic configs (e.g. compression.type) are not the log's business
    setKey(cfg, k as keyof LogConfig, v, problems);
  }
  validate(cfg, problems);
  if (problems.length > 0) throw new LogConfigError(problems);
  return cfg;
}

/** Convenience for tests and tools: defaults plus typed overrides. */
export function logConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, ...overrides };
}
