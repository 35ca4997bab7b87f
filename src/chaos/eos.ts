// The exactly-once workload of `brook chaos --transactional`: numbered input records in EOS_IN, and one
// consume-transform-produce worker per input partition. Each worker reads its partition from the group's committed
// offset and, per batch, runs one kafkajs transaction that writes the transformed records to the same partition of
// EOS_OUT and commits the input offsets with sendOffsets. On any error it aborts, drops its producer and starts
// again from the committed offset with a new producer of the same transactional id, which fences the old one.
// The audit reads EOS_OUT's log as it is (every batch, markers included) and decides on its own which records
// were committed, so it does not trust the brokers' last stable offset or aborted-transaction lists.
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { AdminClient, Fetcher, fetchCommitted } from '../client';
import { KafkaConnection } from '../client/connection';
import { FindCoordinator } from '../protocol/messages/10-find-coordinator';
import { ATTRIBUTES, CONTROL_MASK, PRODUCER_ID, TRANSACTIONAL_MASK } from '../protocol/record/batch-header';
import { readControlRecord } from '../protocol/record/controlRecords';
import type { LocalCluster } from './cluster';
import { leaderBroker, readBatchesToHw } from './inspect';
import { waitFor } from './waitFor';

export const EOS_IN = 'eos-in';
export const EOS_OUT = 'eos-out';
export const EOS_GROUP = 'eos-group';
export const transactionalIdOf = (p: number): string => `eos-worker-${p}`;
const inputValue = (p: number, i: number): string => `in-${p}-${i}`;
const transform = (v: string): string => `out-${v.slice(3)}`;

export interface EosOptions {
  bootstrap: string[];
  partitions: number;
  /** Input records in all (spread evenly over the partitions). */
  records: number;
  /** Input records a transaction takes at most. */
  batchRecords?: number;
  /** transaction.timeout.ms of the workers' producers. */
  transactionTimeoutMs?: number;
  /**
   * Input records per second over all workers at most (0: as fast as they go), so that processing lasts through
   * the faults instead of finishing before the first few.
   */
  recordsPerSecond?: number;
}

export interface EosCounters {
  transactionsCommitted: number;
  transactionsAborted: number;
  /** Workers that dropped their producer and started again from the committed offset. */
  restarts: number;
  lastError: string | null;
}

export class EosWorkload {
  readonly counters: EosCounters = { transactionsCommitted: 0, transactionsAborted: 0, restarts: 0, lastError: null };
  /** Input records per partition. */
  readonly perPartition: number[];
  private readonly kafka: Kafka;
  private running = false;
  private workers: Array<Promise<void>> = [];
  private admin: AdminClient | null = null;
  private readonly progress: bigint[];
  private startedAt = 0;

  constructor(private readonly opts: EosOptions) {
    this.perPartition = Array.from({ length: opts.partitions }, (_, p) => Math.floor(opts.records / opts.partitions) + (p < opts.records % opts.partitions ? 1 : 0));
    this.progress = this.perPartition.map(() => 0n);
    this.kafka = new Kafka({ clientId: 'brook-chaos-eos', brokers: opts.bootstrap, logLevel: logLevel.NOTHING, requestTimeout: 10_000, retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 } });
  }

  /** Input records committed (by offset) so far, over every partition. */
  get committedInput(): number {
    return this.progress.reduce((s, o) => s + Number(o), 0);
  }

  /** Writes the numbered input records (idempotent acks=-1 producer), before any fault. */
  async seed(): Promise<void> {
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const CHUNK = 1000;
      await Promise.all(this.perPartition.map(async (count, p) => {
        for (let from = 0; from < count; from += CHUNK) {
          const messages = Array.from({ length: Math.min(CHUNK, count - from) }, (_, i) => ({ partition: p, value: inputValue(p, from + i) }));
          const res = await producer.send({ topic: EOS_IN, acks: -1, messages });
          if (!res.some((r) => r.partition === p && Number(r.baseOffset) === from)) throw new Error(`seeding ${EOS_IN}-${p}: records ${from}.. were not written at offset ${from} (${JSON.stringify(res)})`);
        }
      }));
    } finally {
      await producer.disconnect();
    }
  }

  /** Starts one worker per partition; resolves once each has committed its first transaction. */
  async start(firstCommitTimeoutMs = 60_000): Promise<void> {
    this.admin = await AdminClient.connect(this.opts.bootstrap.join(','));
    this.running = true;
    this.startedAt = Date.now();
    this.workers = this.perPartition.map((_, p) => this.worker(p));
    await waitFor(() => this.progress.every((o) => o > 0n), { timeoutMs: firstCommitTimeoutMs, what: 'a first committed transaction from every worker' }).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}; last error: ${this.counters.lastError ?? 'none'}`);
    });
  }

  get done(): boolean {
    return this.progress.every((o, p) => o >= BigInt(this.perPartition[p] as number));
  }

  /** Waits until every input record is committed (or the deadline), then stops the workers. */
  async finish(timeoutMs: number): Promise<void> {
    try {
      await waitFor(() => this.done, { timeoutMs, intervalMs: 200, what: `every input record processed (${this.committedInput} of ${this.opts.records} so far)` });
    } finally {
      await this.stop();
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
    this.admin?.close();
    this.admin = null;
  }

  /** Waits until this worker's share of --records-per-second allows it to go past `position`. */
  private async pace(position: bigint): Promise<void> {
    const rate = this.opts.recordsPerSecond ?? 0;
    if (rate <= 0) return;
    const perWorker = rate / this.perPartition.length;
    const dueAt = this.startedAt + (Number(position) / perWorker) * 1000;
    while (this.running && Date.now() < dueAt) await new Promise((r) => setTimeout(r, Math.min(200, dueAt - Date.now())));
  }

  private async worker(p: number): Promise<void> {
    const end = BigInt(this.perPartition[p] as number);
    while (this.running && this.progress[p]! < end) {
      let producer: Producer | null = null;
      try {
        producer = this.kafka.producer({
          transactionalId: transactionalIdOf(p),
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
          transactionTimeout: this.opts.transactionTimeoutMs ?? 10_000,
        });
        // InitProducerId completes only once the id's previous transaction is complete (markers written), so the
        // committed offset read next is that transaction's outcome.
        await producer.connect();
        const committed = (await fetchCommitted(this.admin!, EOS_GROUP, EOS_IN, [p])).get(p);
        let position = committed !== undefined && committed >= 0n ? committed : 0n;
        this.progress[p] = position;
        const fetcher = new Fetcher(this.admin!, EOS_IN, { reset: 'earliest', maxWaitMs: 200 });
        fetcher.seek(p, position);
        while (this.running && position < end) {
          await this.pace(position);
          const records = (await fetcher.poll()).filter((r) => r.partition === p).slice(0, this.opts.batchRecords ?? 500);
          if (records.length === 0) continue;
          const next = records[records.length - 1]!.offset + 1n;
          const txn = await producer.transaction();
          try {
            const sent = await txn.send({ topic: EOS_OUT, acks: -1, messages: records.map((r) => ({ partition: p, value: transform(r.value!.toString()) })) });
            // kafkajs 2.2.4 can resolve a send with no broker answer (tulios/kafkajs#1798): never commit such a send.
            if (!sent.some((s) => s.partition === p && Number(s.baseOffset) >= 0)) throw new Error(`the send to ${EOS_OUT}-${p} resolved without an answer`);
            await txn.sendOffsets({ consumerGroupId: EOS_GROUP, topics: [{ topic: EOS_IN, partitions: [{ partition: p, offset: String(next) }] }] });
            await txn.commit();
          } catch (e) {
            await txn.abort().then(() => this.counters.transactionsAborted++, () => undefined);
            throw e;
          }
          this.counters.transactionsCommitted++;
          position = next;
          this.progress[p] = position;
          // The fetcher may hold records beyond the batch taken: start the next poll right after it.
          fetcher.seek(p, position);
        }
      } catch (e) {
        this.counters.restarts++;
        this.counters.lastError = `${transactionalIdOf(p)}: ${(e as Error).message}`;
        await new Promise((r) => setTimeout(r, 200));
      } finally {
        await producer?.disconnect().catch(() => undefined);
      }
    }
  }
}

export interface EosAudit {
  inputRecords: number;
  /** Records of committed transactions in EOS_OUT, as its log says. */
  committedOutput: number;
  /** Input records with no committed output. */
  missing: string[];
  /** Output records committed more than once. */
  duplicated: string[];
  /** Partitions whose committed output is not in input order (first offending value). */
  reordered: string[];
  /** Records of aborted transactions in the log (invisible to read_committed). */
  abortedRecords: number;
  /** Records of transactions still undecided at the end. */
  undecidedRecords: number;
}

interface RawBatch {
  producerId: bigint;
  transactional: boolean;
  control: boolean;
  /** Control batches: 0 ABORT, 1 COMMIT. */
  controlType: number;
  values: string[];
}

/** Every batch of a partition up to its high watermark, read from its leader as a read_uncommitted consumer. */
async function readRawBatches(cluster: LocalCluster, topic: string, partition: number): Promise<RawBatch[]> {
  const out: RawBatch[] = [];
  await readBatchesToHw(await leaderBroker(cluster, topic, partition), topic, partition, 0n, (buf, pos, records) => {
    const attributes = buf.readInt16BE(pos + ATTRIBUTES);
    const control = (attributes & CONTROL_MASK) !== 0;
    out.push({
      producerId: buf.readBigInt64BE(pos + PRODUCER_ID),
      transactional: (attributes & TRANSACTIONAL_MASK) !== 0,
      control,
      controlType: control ? (readControlRecord(buf, pos)?.type ?? -1) : -1,
      values: control ? [] : records.map((x) => (x.value ? x.value.toString() : '')),
    });
  });
  return out;
}

/** The committed records of a partition's batches, by the markers: a producer's transactional data counts at its COMMIT. */
export function committedValues(batches: readonly RawBatch[]): { committed: string[]; aborted: number; undecided: number } {
  const pending = new Map<bigint, string[]>();
  const committed: string[] = [];
  let aborted = 0;
  for (const b of batches) {
    if (b.control) {
      const open = pending.get(b.producerId) ?? [];
      pending.delete(b.producerId);
      if (b.controlType === 1) committed.push(...open);
      else aborted += open.length;
    } else if (b.transactional) {
      const open = pending.get(b.producerId) ?? [];
      open.push(...b.values);
      pending.set(b.producerId, open);
    } else committed.push(...b.values);
  }
  let undecided = 0;
  for (const v of pending.values()) undecided += v.length;
  return { committed, aborted, undecided };
}

/** Checks that EOS_OUT's committed records are exactly the transformed input, once each, in input order per partition. */
export async function auditEos(cluster: LocalCluster, w: EosWorkload): Promise<EosAudit> {
  const r: EosAudit = { inputRecords: 0, committedOutput: 0, missing: [], duplicated: [], reordered: [], abortedRecords: 0, undecidedRecords: 0 };
  for (let p = 0; p < w.perPartition.length; p++) {
    const count = w.perPartition[p] as number;
    r.inputRecords += count;
    const batches = await waitFor(async () => readRawBatches(cluster, EOS_OUT, p), { timeoutMs: 60_000, what: `reading ${EOS_OUT}-${p}` });
    const { committed, aborted, undecided } = committedValues(batches);
    r.committedOutput += committed.length;
    r.abortedRecords += aborted;
    r.undecidedRecords += undecided;
    const seen = new Map<string, number>();
    let lastIndex = -1;
    let reordered = false;
    for (const v of committed) {
      seen.set(v, (seen.get(v) ?? 0) + 1);
      const index = Number(v.slice(v.lastIndexOf('-') + 1));
      if (!reordered && seen.get(v) === 1 && index < lastIndex) {
        r.reordered.push(`${EOS_OUT}-${p}: ${v} after out-${p}-${lastIndex}`);
        reordered = true;
      }
      if (seen.get(v) === 1) lastIndex = Math.max(lastIndex, index);
    }
    for (let i = 0; i < count; i++) {
      const v = transform(inputValue(p, i));
      const n = seen.get(v) ?? 0;
      if (n === 0) r.missing.push(v);
      else if (n > 1) r.duplicated.push(`${v} x${n}`);
    }
  }
  return r;
}

/** The broker that coordinates a transactional id (FindCoordinator key type 1), or null when none answers. */
export async function transactionCoordinatorOf(cluster: LocalCluster, transactionalId: string): Promise<number | null> {
  for (const b of cluster.brokers.values()) {
    if (!b.running) continue;
    try {
      const conn = await KafkaConnection.connect(b.host, b.port, { clientId: 'brook-chaos', connectTimeoutMs: 3000, requestTimeoutMs: 5000 });
      try {
        const r = await conn.request(FindCoordinator, 1, { key: transactionalId, keyType: 1 });
        if (r.errorCode === 0) return r.nodeId;
      } finally {
        conn.close();
      }
    } catch {
      /* try the next broker */
    }
  }
  return null;
}
