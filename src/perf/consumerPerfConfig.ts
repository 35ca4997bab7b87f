// consumer-perf-test's options and the consumer properties (--consumer.config, --consumer-props) that map onto them.
import { ISOLATION_LEVEL_NAMES, UsageError, type IsolationLevel } from '../client';
import { intProperty } from './props';
import type { ConsumerPerfProgress } from './consumerPerfReport';

export interface ConsumerPerfOptions {
  bootstrapServer: string;
  topic: string;
  /** Stop after exactly this many records. */
  messages: number;
  /** Default `perf-consumer-<random>`. */
  groupId?: string;
  /** max.partition.fetch.bytes (--fetch-size), default 1 MiB. */
  fetchSize?: number;
  /** fetch.max.bytes, default 50 MiB. */
  fetchMaxBytes?: number;
  /** fetch.max.wait.ms, default 500. */
  fetchMaxWaitMs?: number;
  /** fetch.min.bytes, default 1. */
  fetchMinBytes?: number;
  /** auto.offset.reset; default earliest (the tool's default), latest with --from-latest. */
  autoOffsetReset?: 'earliest' | 'latest' | 'none';
  /** Maximum time between records before giving up; default 10 s. */
  timeoutMs?: number;
  sessionTimeoutMs?: number;
  clientId?: string;
  requestTimeoutMs?: number;
  /** Per-interval progress (Kafka prints these lines with --show-detailed-stats). */
  reportingIntervalMs?: number;
  onProgress?: (p: ConsumerPerfProgress) => void;
  /** Problems that do not fail the run (a failed final commit). */
  onWarning?: (line: string) => void;
  /** isolation.level: read_uncommitted (default) or read_committed (aborted transactions are skipped, not counted). */
  isolationLevel?: IsolationLevel;
}

/** Consumer properties that change nothing here (deserializers, JVM client tuning). */
const ACCEPTED_NO_EFFECT = new Set([
  'key.deserializer', 'value.deserializer', 'enable.auto.commit', 'auto.commit.interval.ms', 'check.crcs',
  'receive.buffer.bytes', 'send.buffer.bytes', 'max.poll.records', 'max.poll.interval.ms', 'heartbeat.interval.ms',
  'metadata.max.age.ms', 'reconnect.backoff.ms', 'reconnect.backoff.max.ms', 'retry.backoff.ms', 'connections.max.idle.ms',
  'security.protocol', 'partition.assignment.strategy', 'client.rack', 'default.api.timeout.ms',
]);

const intProp = (key: string, value: string, min: number): number => intProperty('consumer', key, value, min, (m) => new UsageError(m));

/**
 * Applies consumer properties (--consumer.config file, then --consumer-props) to options. Unknown keys come
 * back as warnings, as Kafka logs "supplied but isn't a known config".
 */
export function applyConsumerProps(props: Map<string, string>): { options: Partial<ConsumerPerfOptions>; warnings: string[] } {
  const o: Partial<ConsumerPerfOptions> = {};
  const warnings: string[] = [];
  for (const [key, value] of props) {
    switch (key) {
      case 'bootstrap.servers': o.bootstrapServer = value.trim(); break;
      case 'group.id': o.groupId = value.trim(); break;
      case 'client.id': o.clientId = value.trim(); break;
      case 'fetch.max.bytes': o.fetchMaxBytes = intProp(key, value, 1); break;
      case 'max.partition.fetch.bytes': o.fetchSize = intProp(key, value, 1); break;
      case 'fetch.max.wait.ms': o.fetchMaxWaitMs = intProp(key, value, 0); break;
      case 'fetch.min.bytes': o.fetchMinBytes = intProp(key, value, 0); break;
      case 'session.timeout.ms': o.sessionTimeoutMs = intProp(key, value, 1); break;
      case 'request.timeout.ms': o.requestTimeoutMs = intProp(key, value, 1); break;
      case 'auto.offset.reset': {
        const v = value.trim().toLowerCase();
        if (v !== 'earliest' && v !== 'latest' && v !== 'none') throw new UsageError(`consumer property auto.offset.reset=${value}: expected earliest, latest or none`);
        o.autoOffsetReset = v;
        break;
      }
      case 'isolation.level': {
        const level = ISOLATION_LEVEL_NAMES[value.trim().toLowerCase()];
        if (level === undefined) throw new UsageError(`consumer property isolation.level=${value}: expected read_committed or read_uncommitted`);
        o.isolationLevel = level;
        break;
      }
      default:
        if (!ACCEPTED_NO_EFFECT.has(key)) warnings.push(`The configuration '${key}' was supplied but isn't a known config.`);
    }
  }
  return { options: o, warnings };
}

/** Parses Java .properties text: `k=v`, `k: v` or `k v` lines, `#`/`!` comments. */
export function parsePropertiesText(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*(?:[=:]\s*|\s+)(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!.trim());
    else out.set(line, '');
  }
  return out;
}

export const randomGroupId = (): string => `perf-consumer-${Math.floor(Math.random() * 100000)}`;
