// Broker configuration schema: Kafka's property names, types, defaults, validators and docs in one table.
// The `KafkaConfig` type is derived from this table, so code and documentation cannot drift apart.

export type ConfigType = 'int' | 'long' | 'double' | 'boolean' | 'string' | 'list' | 'password';

interface TypeMap {
  int: number;
  long: bigint;
  double: number;
  boolean: boolean;
  string: string;
  list: string[];
  password: string;
}

export type Validator = (value: unknown, name: string) => string | null;

export interface ConfigDef<T extends ConfigType = ConfigType> {
  readonly type: T;
  /** `undefined` means required; `null` means optional with no value. */
  readonly default: TypeMap[T] | null | undefined;
  readonly doc: string;
  readonly validator?: Validator;
}

const atLeast = (min: number): Validator => (v, n) =>
  typeof v === 'number' && v < min ? `${n} must be at least ${min}, got ${v}` : typeof v === 'bigint' && v < BigInt(min) ? `${n} must be at least ${min}, got ${v}` : null;
const between = (min: number, max: number): Validator => (v, n) =>
  typeof v === 'number' && (v < min || v > max) ? `${n} must be between ${min} and ${max}, got ${v}` : null;
const oneOf = (...allowed: string[]): Validator => (v, n) => {
  const values = Array.isArray(v) ? (v as string[]) : [v as string];
  const bad = values.filter((x) => !allowed.includes(x));
  return bad.length > 0 ? `${n} must be one of ${allowed.join(', ')}, got ${bad.join(', ')}` : null;
};
/** -1 (Kafka's "no limit") or a value of at least `min`. */
const unlimitedOrAtLeast = (min: number): Validator => (v, n) =>
  v === -1 || v === -1n ? null : atLeast(min)(v, n) === null ? null : `${n} must be -1 (no limit) or at least ${min}, got ${v}`;
/** `http://host:port` (port 0: any free port); null means off. */
const metricsListener: Validator = (v, n) =>
  v === null || v === undefined || (typeof v === 'string' && /^http:\/\/[^/:]*:\d{1,5}\/?$/.test(v)) ? null : `${n} must look like http://127.0.0.1:9644, got ${String(v)}`;
const nonEmpty: Validator = (v, n) => (typeof v === 'string' && v.trim() === '' ? `${n} must not be empty` : null);

const def = <T extends ConfigType>(type: T, dflt: TypeMap[T] | null | undefined, doc: string, validator?: Validator): ConfigDef<T> =>
  validator ? { type, default: dflt, doc, validator } : { type, default: dflt, doc };

const LONG_MAX = 9223372036854775807n;

export const brokerConfigDefs = {
  'broker.id': def('int', undefined, 'The id of this broker; unique in the cluster.', atLeast(0)),
  'broker.rack': def('string', null, 'Rack of the broker, for rack-aware replica assignment.'),
  listeners: def('string', 'PLAINTEXT://:9092', 'Comma-separated listener URIs, e.g. PLAINTEXT://127.0.0.1:9092.', nonEmpty),
  'advertised.listeners': def('string', null, 'Listeners published in ZooKeeper for clients; defaults to listeners.'),
  'listener.security.protocol.map': def('string', 'PLAINTEXT:PLAINTEXT', 'Listener name to security protocol map.'),
  'inter.broker.listener.name': def('string', null, 'Listener used between brokers; defaults to the first listener.'),
  'zookeeper.connect': def('string', undefined, 'ZooKeeper connection string host:port[,host:port][/chroot].', nonEmpty),
  'zookeeper.session.timeout.ms': def('int', 18000, 'ZooKeeper session timeout.', atLeast(1)),
  'zookeeper.connection.timeout.ms': def('int', null, 'Max time to wait for a ZooKeeper connection; defaults to the session timeout.', atLeast(1)),
  'log.dirs': def('list', null, 'Directories holding the log data; defaults to log.dir.'),
  'log.dir': def('string', '/tmp/kafka-logs', 'Directory holding the log data when log.dirs is not set.'),
  'num.partitions': def('int', 1, 'Default number of partitions of an auto-created topic.', atLeast(1)),
  'default.replication.factor': def('int', 1, 'Default replication factor of auto-created topics.', atLeast(1)),
  'min.insync.replicas': def('int', 1, 'Minimum ISR size for acks=-1 produce.', atLeast(1)),
  'replica.lag.time.max.ms': def('long', 30000n, 'A follower not caught up for this long leaves the ISR.', atLeast(1)),
  'replica.fetch.wait.max.ms': def('int', 500, 'Max wait of a follower fetch.', atLeast(0)),
  'replica.fetch.min.bytes': def('int', 1, 'Min bytes of a follower fetch response.', atLeast(1)),
  'replica.fetch.max.bytes': def('int', 1048576, 'Bytes per partition a follower fetches.', atLeast(0)),
  'replica.fetch.response.max.bytes': def('int', 10485760, 'Max bytes of a whole follower fetch response.', atLeast(0)),
  'replica.fetch.backoff.ms': def('int', 1000, 'Backoff after a follower fetch error.', atLeast(0)),
  'replica.socket.timeout.ms': def('int', 30000, 'Socket timeout of follower fetches.', atLeast(1)),
  'num.replica.fetchers': def('int', 1, 'Fetchers per source broker.', atLeast(1)),
  'max.incremental.fetch.session.cache.slots': def('int', 1000, 'Incremental fetch sessions (KIP-227) a broker keeps.', atLeast(0)),
  'replica.high.watermark.checkpoint.interval.ms': def('long', 5000n, 'How often high watermarks are checkpointed.', atLeast(1)),
  'unclean.leader.election.enable': def('boolean', false, 'Allow out-of-sync replicas to become leader (may lose data).'),
  'auto.create.topics.enable': def('boolean', true, 'Create unknown topics on Metadata/Produce requests.'),
  'delete.topic.enable': def('boolean', true, 'Allow topic deletion.'),
  'auto.leader.rebalance.enable': def('boolean', true, 'Periodically move leadership back to preferred replicas.'),
  'leader.imbalance.check.interval.seconds': def('long', 300n, 'Interval of the leader imbalance check.', atLeast(1)),
  'leader.imbalance.per.broker.percentage': def('int', 10, 'Allowed leader imbalance per broker, percent.', between(0, 100)),
  'controlled.shutdown.enable': def('boolean', true, 'Move leadership away before shutting down.'),
  'controlled.shutdown.max.retries': def('int', 3, 'Attempts of controlled shutdown.', atLeast(0)),
  'controlled.shutdown.retry.backoff.ms': def('long', 5000n, 'Backoff between controlled shutdown attempts.', atLeast(0)),
  'controller.socket.timeout.ms': def('int', 30000, 'Timeout of controller-to-broker requests.', atLeast(1)),
  // Authorization and client quotas (issue #17): Kafka's AclAuthorizer settings and quota windows.
  'authorizer.class.name': def('string', '', 'Authorizer class; kafka.security.authorizer.AclAuthorizer (or kafka.security.auth.SimpleAclAuthorizer) enables ACLs stored in ZooKeeper; empty = no authorization.'),
  'super.users': def('string', null, 'Principals allowed everything, separated by ";" (e.g. User:admin;User:broker).'),
  'allow.everyone.if.no.acl.found': def('boolean', false, 'Allow a request on a resource that no ACL matches at all.'),
  'quota.window.num': def('int', 11, 'Samples kept for client quota rates.', atLeast(1)),
  'quota.window.size.seconds': def('int', 1, 'Time span of each client quota sample.', atLeast(1)),
  'quota.producer.default': def('long', LONG_MAX, 'Deprecated static producer byte-rate quota per client id (use dynamic quotas).', atLeast(1)),
  'quota.consumer.default': def('long', LONG_MAX, 'Deprecated static consumer byte-rate quota per client id (use dynamic quotas).', atLeast(1)),
  'log.segment.bytes': def('int', 1073741824, 'Maximum size of a log segment.', atLeast(14)),
  'log.roll.ms': def('long', null, 'Maximum age of a segment before it rolls.', atLeast(1)),
  'log.roll.hours': def('int', 168, 'Maximum age of a segment before it rolls, hours.', atLeast(1)),
  'log.retention.ms': def('long', null, 'Retention time of log segments; -1 = unlimited.'),
  'log.retention.minutes': def('int', null, 'Retention time, minutes.'),
  'log.retention.hours': def('int', 168, 'Retention time, hours.'),
  'log.retention.bytes': def('long', -1n, 'Retention size per partition; -1 = unlimited.'),
  'log.retention.check.interval.ms': def('long', 300000n, 'How often retention is applied.', atLeast(1)),
  'log.index.interval.bytes': def('int', 4096, 'Bytes between offset index entries.', atLeast(0)),
  'log.index.size.max.bytes': def('int', 10485760, 'Maximum size of an offset index.', atLeast(4)),
  'log.flush.interval.messages': def('long', LONG_MAX, 'Messages accumulated before an fsync.', atLeast(1)),
  'log.flush.interval.ms': def('long', null, 'Max time data stays unflushed.', atLeast(0)),
  'log.flush.offset.checkpoint.interval.ms': def('int', 60000, 'How often recovery points are checkpointed.', atLeast(0)),
  'log.flush.start.offset.checkpoint.interval.ms': def('int', 60000, 'How often log start offsets are checkpointed.', atLeast(0)),
  'log.segment.delete.delay.ms': def('long', 60000n, 'Delay before a deleted segment file is removed.', atLeast(0)),
  'log.cleanup.policy': def('list', ['delete'], 'delete and/or compact.', oneOf('delete', 'compact')),
  'log.message.timestamp.type': def('string', 'CreateTime', 'CreateTime or LogAppendTime.', oneOf('CreateTime', 'LogAppendTime')),
  'log.message.timestamp.difference.max.ms': def('long', LONG_MAX, 'Max allowed CreateTime skew from the broker clock.', atLeast(0)),
  'log.cleaner.enable': def('boolean', true, 'Enable the log cleaner (compaction).'),
  'log.cleaner.backoff.ms': def('long', 15000n, 'Pause between log cleaner passes over compacted topics.', atLeast(0)),
  'log.cleaner.delete.retention.ms': def('long', 86400000n, 'How long tombstones are kept.', atLeast(0)),
  'log.cleaner.min.cleanable.ratio': def('double', 0.5, 'Dirty share of a log above which the cleaner takes it.', between(0, 1)),
  'log.cleaner.min.compaction.lag.ms': def('long', 0n, 'Records younger than this stay uncompacted.', atLeast(0)),
  'log.cleaner.max.compaction.lag.ms': def('long', LONG_MAX, 'A dirty segment older than this is cleaned whatever the ratio.', atLeast(1)),
  'log.cleaner.dedupe.buffer.size': def('long', 134217728n, 'Most memory of the cleaner\'s key → offset map.', atLeast(1024)),
  'log.cleaner.io.buffer.load.factor': def('double', 0.9, 'How full the cleaner\'s key → offset map may get.', (v, n) => (typeof v === 'number' && (v <= 0 || v > 1) ? `${n} must be above 0 and at most 1, got ${v}` : null)),
  'log.cleaner.io.buffer.size': def('int', 524288, 'Bytes the cleaner reads from a segment at a time.', atLeast(4096)),
  'message.max.bytes': def('int', 1048588, 'Largest record batch accepted.', atLeast(0)),
  'transactional.id.expiration.ms': def('int', 604800000, 'A transactional id idle this long (no open transaction) is removed by its transaction coordinator; a producer id idle this long is dropped from partition producer state.', atLeast(1)),
  'offsets.topic.num.partitions': def('int', 50, 'Partitions of __consumer_offsets.', atLeast(1)),
  'offsets.topic.replication.factor': def('int', 3, 'Replication factor of __consumer_offsets.', atLeast(1)),
  'offsets.topic.segment.bytes': def('int', 104857600, 'Segment size of __consumer_offsets.', atLeast(1)),
  'offsets.retention.minutes': def('int', 10080, 'Retention of committed offsets of empty groups.', atLeast(1)),
  'offsets.commit.timeout.ms': def('int', 5000, 'Offset commit wait for replication.', atLeast(1)),
  'group.initial.rebalance.delay.ms': def('int', 3000, 'Delay of the first rebalance of a new group.', atLeast(0)),
  'group.min.session.timeout.ms': def('int', 6000, 'Minimum consumer session timeout.', atLeast(0)),
  'group.max.session.timeout.ms': def('int', 1800000, 'Maximum consumer session timeout.', atLeast(0)),
  'group.max.size': def('int', 2147483647, 'Maximum members of a group.', atLeast(1)),
  'transaction.state.log.num.partitions': def('int', 50, 'Partitions of __transaction_state.', atLeast(1)),
  'transaction.state.log.replication.factor': def('int', 3, 'Replication factor of __transaction_state.', atLeast(1)),
  'transaction.state.log.min.isr': def('int', 2, 'min.insync.replicas of __transaction_state.', atLeast(1)),
  'transaction.state.log.segment.bytes': def('int', 104857600, 'Segment size of __transaction_state.', atLeast(1)),
  'transaction.state.log.load.buffer.size': def('int', 5242880, 'Bytes read at a time while loading a __transaction_state partition.', atLeast(1)),
  'transaction.max.timeout.ms': def('int', 900000, 'Largest transaction timeout a producer may ask for (larger: INVALID_TRANSACTION_TIMEOUT).', atLeast(1)),
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': def('int', 10000, 'How often open transactions past their timeout are aborted.', atLeast(1)),
  'transaction.remove.expired.transaction.cleanup.interval.ms': def('int', 3600000, 'How often transactional ids idle past transactional.id.expiration.ms are removed.', atLeast(1)),
  'socket.request.max.bytes': def('int', 104857600, 'Largest request frame accepted.', atLeast(1)),
  'connections.max.idle.ms': def('long', 600000n, 'Idle connections are closed after this.', atLeast(1)),
  'queued.max.requests': def('int', 500, 'Requests queued per connection before reading pauses.', atLeast(1)),
  // Kafka's default is -1 (no limit); Brook holds requests behind a slow one on the same connection, so it bounds them.
  'queued.max.request.bytes': def('long', 268435456n, 'Request bytes read and not yet handled, over all connections, before no more requests are read; -1 = no limit. Brook: 256 MiB.', unlimitedOrAtLeast(1)),
  // Brook's own (Kafka exposes JMX instead): one HTTP listener per broker for Prometheus, health probes and the console.
  'metrics.listener': def('string', null, 'HTTP listener serving /metrics (Prometheus text), /health/live, /health/ready and /controller/events, e.g. http://127.0.0.1:9644; off when unset.', metricsListener),
  'consumer.lag.window.commits': def('int', 10, 'Offset commits per partition in the sliding window that the consumer lag status (OK, WARNING, STALLED, STOPPED) is judged over, as Burrow\'s intervals.', atLeast(2)),
} as const;

export type BrokerConfigName = keyof typeof brokerConfigDefs;
type ValueOfDef<D> = D extends ConfigDef<infer T>
  ? D['default'] extends undefined
    ? TypeMap[T]
    : D['default'] extends null
      ? TypeMap[T] | null
      : TypeMap[T]
  : never;

/** The parsed broker configuration, keyed by Kafka's property names. */
export type KafkaConfigValues = { -readonly [K in BrokerConfigName]: ValueOfDef<(typeof brokerConfigDefs)[K]> };

/**
 * Kafka properties that Brook accepts without a warning but does not use (thread pools, buffers and
 * features that have no meaning in a single-threaded Node.js broker), so an existing server.properties works.
 */
export const acceptedButUnused: ReadonlySet<string> = new Set([
  'num.network.threads', 'num.io.threads', 'num.recovery.threads.per.data.dir', 'background.threads',
  'socket.send.buffer.bytes', 'socket.receive.buffer.bytes', 'log.cleaner.threads',
  'group.coordinator.rebalance.protocols', 'log.message.format.version',
  'inter.broker.protocol.version', 'zookeeper.set.acl', 'jmx.port', 'metric.reporters',
  'confluent.support.metrics.enable', 'replica.socket.receive.buffer.bytes',
]);
