// The producer settings of `brook producer-perf-test` (--producer-props / --producer.config), with Kafka 2.x producer
// defaults and Kafka's checks (idempotence and transactional.id need acks=all).
import { CompressionType } from '../protocol/record/compression';
import { AdminError, COMPRESSION_NAMES, checkIdempotentConfig } from '../client';
import { intProperty } from './props';

/** Producer settings the tool understands, with Kafka 2.x producer defaults. */
export interface PerfProducerConfig {
  bootstrapServers: string;
  clientId: string;
  acks: -1 | 0 | 1;
  lingerMs: number;
  batchSize: number;
  compression: CompressionType;
  maxInFlight: number;
  requestTimeoutMs: number;
  deliveryTimeoutMs: number;
  retryBackoffMs: number;
  bufferMemory: number;
  maxRequestSize: number;
  /** enable.idempotence: producer id, epoch and sequence numbers in every batch (Kafka 2.x default false). */
  enableIdempotence: boolean;
  /** transactional.id: set by --transactional-id when --transaction-duration-ms > 0 (implies idempotence). */
  transactionalId: string | null;
  /** transaction.timeout.ms (Kafka default 60000). */
  transactionTimeoutMs: number;
}

export const PRODUCER_DEFAULTS: PerfProducerConfig = {
  bootstrapServers: '127.0.0.1:9092',
  clientId: 'producer-performance',
  acks: 1,
  lingerMs: 0,
  batchSize: 16384,
  compression: CompressionType.None,
  maxInFlight: 5,
  requestTimeoutMs: 30_000,
  deliveryTimeoutMs: 120_000,
  retryBackoffMs: 100,
  bufferMemory: 32 * 1024 * 1024,
  maxRequestSize: 1024 * 1024,
  enableIdempotence: false,
  transactionalId: null,
  transactionTimeoutMs: 60_000,
};

/** Java producer settings that are accepted and have no effect here (serializers, tuning knobs of the JVM client). */
const ACCEPTED_NO_EFFECT = new Set([
  'key.serializer', 'value.serializer', 'send.buffer.bytes', 'receive.buffer.bytes', 'metadata.max.age.ms',
  'reconnect.backoff.ms', 'reconnect.backoff.max.ms', 'max.block.ms', 'partitioner.class', 'retries',
  'connections.max.idle.ms', 'metrics.sample.window.ms',
]);

/** security.protocol, ssl.* and sasl.*: the connection's security, read by the command (clientSecurityFromProperties). */
export const isSecurityProperty = (key: string): boolean => key === 'security.protocol' || key.startsWith('ssl.') || key.startsWith('sasl.');

const intProp = (key: string, value: string, min: number): number => intProperty('producer', key, value, min, (m) => new AdminError(m));

/**
 * Turns `--producer-props` / `--producer.config` entries into a config; bad values are errors naming the key,
 * unknown keys come back as warnings (Kafka logs "supplied but isn't a known config").
 */
export function parseProducerProps(props: Map<string, string>, base: Partial<PerfProducerConfig> = {}): { config: PerfProducerConfig; warnings: string[] } {
  const c: PerfProducerConfig = { ...PRODUCER_DEFAULTS, ...base };
  const warnings: string[] = [];
  for (const [key, value] of props) {
    switch (key) {
      case 'bootstrap.servers': c.bootstrapServers = value; break;
      case 'client.id': c.clientId = value; break;
      case 'acks': {
        const v = value.trim().toLowerCase();
        if (v === 'all' || v === '-1') c.acks = -1;
        else if (v === '0' || v === '1') c.acks = Number(v) as 0 | 1;
        else throw new AdminError(`producer property acks=${value}: expected all, -1, 0 or 1`);
        break;
      }
      case 'linger.ms': c.lingerMs = intProp(key, value, 0); break;
      case 'batch.size': c.batchSize = intProp(key, value, 0); break;
      case 'compression.type': {
        const t = COMPRESSION_NAMES[value.trim().toLowerCase()];
        if (t === undefined) throw new AdminError(`producer property compression.type=${value}: expected none, gzip, snappy, lz4 or zstd`);
        c.compression = t;
        break;
      }
      case 'max.in.flight.requests.per.connection': c.maxInFlight = intProp(key, value, 1); break;
      case 'request.timeout.ms': c.requestTimeoutMs = intProp(key, value, 1); break;
      case 'delivery.timeout.ms': c.deliveryTimeoutMs = intProp(key, value, 1); break;
      case 'retry.backoff.ms': c.retryBackoffMs = intProp(key, value, 0); break;
      case 'buffer.memory': c.bufferMemory = intProp(key, value, 1024); break;
      case 'max.request.size': c.maxRequestSize = intProp(key, value, 1024); break;
      case 'enable.idempotence': {
        const v = value.trim().toLowerCase();
        if (v !== 'true' && v !== 'false') throw new AdminError(`producer property enable.idempotence=${value}: expected true or false`);
        c.enableIdempotence = v === 'true';
        break;
      }
      case 'transactional.id': c.transactionalId = value.trim() === '' ? null : value.trim(); break;
      case 'transaction.timeout.ms': c.transactionTimeoutMs = intProp(key, value, 1); break;
      default:
        if (!ACCEPTED_NO_EFFECT.has(key) && !isSecurityProperty(key)) warnings.push(`The configuration '${key}' was supplied but isn't a known config.`);
    }
  }
  if (c.transactionalId !== null) {
    // Kafka's ProducerConfig: a transactional id needs idempotence, which is then on unless turned off explicitly.
    if (props.get('enable.idempotence')?.trim().toLowerCase() === 'false') {
      throw new AdminError('Cannot set a transactional.id without also enabling idempotence.');
    }
    c.enableIdempotence = true;
  }
  if (c.enableIdempotence) {
    // As Kafka's ProducerConfig: idempotence turns acks to all unless acks was given, and then it must be all.
    if (!props.has('acks')) c.acks = -1;
    checkIdempotentConfig(c);
  }
  return { config: c, warnings };
}
