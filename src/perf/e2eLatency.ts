// The engine behind `brook e2e-latency` (Kafka's EndToEndLatency): produce one record, fetch it back, time the
// round trip, repeat; plus Kafka's output formats.
import { ErrorCode } from '../protocol/errors';
import { CreateTopics, Fetch } from '../protocol/messages';
import { iterateBatches, isControl } from '../protocol/record/batch-header';
import { decodeBatchRecords } from '../protocol/record/records';
import { AdminClient, LATEST, listOffsets, Producer, AdminError, RetriableAdminError, UsageError } from '../client';
import { percentileOf } from './stats';

/** How long to wait for a produced record to come back (Kafka's poll timeout in the tool). */
export const POLL_TIMEOUT_MS = 60_000;

export interface E2eLatencyOptions {
  bootstrapServer: string;
  topic: string;
  numMessages: number;
  /** 1 or all (-1): latency testing needs an acknowledged send. */
  acks: 1 | -1;
  messageSize: number;
  clientId?: string;
  /** Progress lines (`i\tlatency`) and the topic-creation notice. */
  out?: (line: string) => void;
}

export interface E2eLatencyResult {
  /** Exact round trip of each message in ms (fractional). */
  latenciesMs: number[];
  avgMs: number;
  /** Kafka's percentiles: whole milliseconds (each latency truncated), index (int)(n * p) of the sorted array. */
  p50: number;
  p99: number;
  p999: number;
}

/** `acks` as EndToEndLatency accepts it: "1" or "all" (Brook also takes -1 for all). */
export function parseLatencyAcks(v: string): 1 | -1 {
  const s = v.trim().toLowerCase();
  if (s === '1') return 1;
  if (s === 'all' || s === '-1') return -1;
  throw new UsageError('Latency testing requires synchronous acknowledgement. Please use 1 or all');
}

/** Kafka's percentiles of the latencies, in whole milliseconds (latencies are never negative, so flooring commutes with sorting). */
export function kafkaPercentiles(latenciesMs: number[]): { p50: number; p99: number; p999: number } {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return { p50: percentileOf(sorted, 0.5), p99: percentileOf(sorted, 0.99), p999: percentileOf(sorted, 0.999) };
}

/** Java's Double.toString for the progress lines (`12.0`, `0.345678`, `1.0E-4`). */
export function javaDouble(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e7)) {
    const [mant, exp] = v.toExponential().split('e') as [string, string];
    return `${mant.includes('.') ? mant : mant + '.0'}E${Number(exp)}`;
  }
  const s = String(v);
  return s.includes('.') ? s : s + '.0';
}

/** `i\t<latency ms>`: printed for every 1000th message. */
export function formatLatencyProgress(i: number, latencyMs: number): string {
  return `${i}\t${javaDouble(latencyMs)}`;
}

/** The closing lines: `Avg latency: %.4f ms`, a blank line, `Percentiles: 50th = %d, 99th = %d, 99.9th = %d`. */
export function formatLatencySummary(r: Pick<E2eLatencyResult, 'avgMs' | 'p50' | 'p99' | 'p999'>): string[] {
  const avg = Number.isFinite(r.avgMs) ? r.avgMs.toFixed(4) : 'NaN';
  return [`Avg latency: ${avg} ms`, '', `Percentiles: 50th = ${r.p50}, 99th = ${r.p99}, 99.9th = ${r.p999}`];
}

/** `size` random upper-case letters, as the Kafka tool sends. */
function randomMessage(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = 65 + Math.floor(Math.random() * 26);
  return b;
}

/** Ensures the topic exists with exactly one partition, creating it (1 partition, RF 1) when absent. */
async function prepareTopic(admin: AdminClient, topic: string, out: (line: string) => void): Promise<void> {
  await admin.refreshMetadata([topic]);
  const known = admin.metadata.topics.find((t) => t.name === topic);
  if (!known || known.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
    out(`Topic "${topic}" does not exist. Will create topic with 1 partition(s) and replication factor = 1`);
    await admin.withRetry(`creating topic '${topic}'`, async () => {
      const { response, version } = await admin.send('controller', CreateTopics, () => ({
        topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
        timeoutMs: 30_000,
        validateOnly: false,
      }), { max: 5 });
      const t = response.topics[0];
      if (!t) throw new AdminError('CreateTopics answered without a result');
      if (t.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) return;
      AdminClient.check(t.errorCode, `Failed to create topic ${topic}`, version >= 1 ? t.errorMessage : null);
    });
  }
  const meta = await admin.withRetry(`waiting for a leader of '${topic}'`, async () => {
    try {
      const t = await admin.topic(topic);
      admin.leaderOf(topic, 0);
      return t;
    } catch (e) {
      // A topic just created may not be in every broker's metadata yet.
      if (e instanceof AdminError && e.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw new RetriableAdminError(e.message, e.code);
      throw e;
    }
  });
  if (meta.partitions.length !== 1) {
    throw new AdminError(`Only topics with one partition are supported: topic '${topic}' has ${meta.partitions.length} partitions`);
  }
}

/** Runs the latency test and resolves with every round trip and Kafka's summary figures. */
export async function runE2eLatency(opts: E2eLatencyOptions): Promise<E2eLatencyResult> {
  const out = opts.out ?? ((): void => undefined);
  const admin = await AdminClient.connect(opts.bootstrapServer, { clientId: opts.clientId ?? 'e2e-latency' });
  try {
    await prepareTopic(admin, opts.topic, out);
    const producer = new Producer(admin, { acks: opts.acks });
    let position = (await listOffsets(admin, opts.topic, [0], LATEST)).get(0)!;
    const latenciesMs: number[] = [];
    let totalNs = 0n;
    for (let i = 0; i < opts.numMessages; i++) {
      const message = randomMessage(opts.messageSize);
      const begin = process.hrtime.bigint();
      await producer.send(opts.topic, [{ key: null, value: message, partition: 0 }]);
      const got = await fetchNext(admin, opts.topic, position, begin);
      const elapsed = process.hrtime.bigint() - begin;
      if (got.values.length === 0) throw new AdminError(`poll() timed out before finding a result (timeout:[${POLL_TIMEOUT_MS}])`);
      const read = got.values[0]!;
      if (!read.equals(message)) {
        throw new AdminError(`The message read [${read.toString('latin1')}] did not match the message sent [${message.toString('latin1')}]`);
      }
      if (got.values.length > 1) throw new AdminError(`Only one result was expected during this test. We found [${got.values.length}]`);
      position = got.next;
      const ms = Number(elapsed) / 1000 / 1000;
      if (i % 1000 === 0) out(formatLatencyProgress(i, ms));
      totalNs += elapsed;
      latenciesMs.push(ms);
    }
    const avgMs = Number(totalNs) / opts.numMessages / 1000 / 1000;
    return { latenciesMs, avgMs, ...kafkaPercentiles(latenciesMs) };
  } finally {
    admin.close();
  }
}

/**
 * Fetches from `position` until at least one record arrives (max wait 0, as the Kafka tool sets
 * fetch.max.wait.ms=0 to avoid temporal batching), or the poll timeout passes.
 */
async function fetchNext(admin: AdminClient, topic: string, position: bigint, beginNs: bigint): Promise<{ values: Buffer[]; next: bigint }> {
  const deadline = beginNs + BigInt(POLL_TIMEOUT_MS) * 1_000_000n;
  while (process.hrtime.bigint() < deadline) {
    const leader = admin.leaderOf(topic, 0);
    const { response } = await admin.send(leader, Fetch, () => ({
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 52_428_800, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: position, partitionMaxBytes: 1_048_576 }] }],
      forgottenTopicsData: [], rackId: '',
    }), { min: 4, max: 11 });
    const pr = response.responses[0]?.partitionResponses[0];
    if (!pr) continue;
    AdminClient.check(pr.errorCode, `fetching ${topic}-0`);
    const data = pr.recordSet;
    if (!data || data.length === 0) continue;
    const values: Buffer[] = [];
    let next = position;
    for (const b of iterateBatches(data)) {
      const last = b.header.baseOffset + BigInt(b.header.lastOffsetDelta);
      if (last < next) continue;
      if (!isControl(b.header.attributes)) {
        for (const r of await decodeBatchRecords(data, b.position)) if (r.offset >= next) values.push(r.value ?? Buffer.alloc(0));
      }
      next = last + 1n;
    }
    if (values.length > 0) return { values, next };
    position = next;
  }
  return { values: [], next: position };
}
