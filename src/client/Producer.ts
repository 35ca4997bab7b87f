// A simple producer: per-partition batches (murmur2 for keyed records, sticky partition for null keys),
// acks, compression, retries of routing errors for the partitions that failed, and enable.idempotence (producer id,
// epoch and sequence numbers in each batch, so a retried batch is written once) and transactions (transactional.id:
// initTransactions, begin/commit/abort, sendOffsetsToTransaction; the state lives in transactions.ts).
import { ErrorCode } from '../protocol/errors';
import { Produce } from '../protocol/messages';
import { buildRecordBatch, type RecordInput } from '../protocol/record/records';
import { CompressionType } from '../protocol/record/compression';
import { AdminClient } from './AdminClient';
import { AdminError, ConfigException, RetriableAdminError } from './errors';
import {
  MAX_IN_FLIGHT_IDEMPOTENT, ProducerSequences, checkIdempotentConfig, initProducerId, type BatchStamp,
} from './idempotence';
import { partitionForKey } from './murmur2';
import { TransactionManager, type ConsumerGroupMetadata, type TransactionState, type TxnOffset } from './transactions';

export interface ProducerOptions {
  acks: -1 | 0 | 1;
  compression?: CompressionType;
  timeoutMs?: number;
  /** enable.idempotence (default false): needs acks=-1; the producer id comes from InitProducerId on the first send. */
  idempotent?: boolean;
  /** max.in.flight.requests.per.connection: Produce requests per broker at once (default 5 when idempotent, else no limit). */
  maxInFlight?: number;
  /**
   * transactional.id: makes the producer transactional (idempotence implied; acks must be -1). Call
   * initTransactions() once, then beginTransaction() / send() / commitTransaction() or abortTransaction().
   */
  transactionalId?: string;
  /** transaction.timeout.ms sent in InitProducerId (default 60000): the coordinator aborts a transaction open longer. */
  transactionTimeoutMs?: number;
}

export interface ProduceRecord {
  key: Buffer | null;
  value: Buffer | null;
  /** Explicit partition; otherwise chosen by the partitioner. */
  partition?: number;
  timestamp?: bigint;
}

export interface ProducedPartition {
  partition: number;
  baseOffset: bigint;
  count: number;
}

export const COMPRESSION_NAMES: Record<string, CompressionType> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

/** Produce requests in flight per broker, at most `max`; the rest wait their turn in order. */
class InFlightLimit {
  private readonly counts = new Map<number, number>();
  private readonly waiting = new Map<number, Array<() => void>>();

  constructor(private readonly max: number) {}

  async run<T>(broker: number, request: () => Promise<T>): Promise<T> {
    while ((this.counts.get(broker) ?? 0) >= this.max) {
      await new Promise<void>((resolve) => this.waiting.set(broker, [...(this.waiting.get(broker) ?? []), resolve]));
    }
    this.counts.set(broker, (this.counts.get(broker) ?? 0) + 1);
    try {
      return await request();
    } finally {
      this.counts.set(broker, (this.counts.get(broker) ?? 1) - 1);
      this.waiting.get(broker)?.shift()?.();
    }
  }
}

export class Producer {
  /** Sticky partition for null-key records, moved on after each send (Kafka 2.4+'s sticky partitioner, per batch). */
  private sticky = new Map<string, number>();
  /** With idempotence: the producer id, epoch and sequences, asked for once by the first send. */
  private sequences: Promise<ProducerSequences> | null = null;
  private readonly inFlight: InFlightLimit | null;
  /** With a transactional id: the transaction state machine (producer id and epoch come from it, not from sequences). */
  private readonly txn: TransactionManager | null;
  /** Sends not yet settled, so commitTransaction() / abortTransaction() can flush them first. */
  private readonly pendingSends = new Set<Promise<unknown>>();

  /** Throws ConfigException for settings Kafka's producer refuses too (enable.idempotence=true with acks other than all). */
  constructor(private readonly admin: AdminClient, private readonly opts: ProducerOptions) {
    if (opts.transactionalId !== undefined) {
      if (opts.idempotent === false) throw new ConfigException('Cannot set a transactional.id without also enabling idempotence.');
      if (opts.transactionalId === '') throw new ConfigException('transactional.id must not be empty.');
      this.opts = { ...opts, idempotent: true };
    }
    if (this.opts.idempotent) checkIdempotentConfig(this.opts);
    const maxInFlight = this.opts.maxInFlight ?? (this.opts.idempotent ? MAX_IN_FLIGHT_IDEMPOTENT : undefined);
    this.inFlight = maxInFlight === undefined ? null : new InFlightLimit(maxInFlight);
    this.txn = opts.transactionalId === undefined ? null
      : new TransactionManager(admin, { transactionalId: opts.transactionalId, transactionTimeoutMs: opts.transactionTimeoutMs });
  }

  // ---- transactions (Kafka's KafkaProducer API) --------------------------------------------------------------------

  private transactions(op: string): TransactionManager {
    this.checkOpen(op);
    if (this.txn === null) throw new AdminError(`${op} needs a transactional producer: set transactionalId in the producer options`);
    return this.txn;
  }

  /** The transaction state (UNINITIALIZED, READY, IN_TRANSACTION, ..., FATAL_ERROR); null without a transactional id. */
  get transactionState(): TransactionState | null {
    return this.txn?.state ?? null;
  }

  /** The producer id and epoch of a transactional producer after initTransactions(). */
  get producerIdAndEpoch(): { producerId: bigint; producerEpoch: number } | null {
    return this.txn?.producerIdAndEpoch ?? null;
  }

  /** Finds the transaction coordinator and gets the producer id and epoch, fencing older producers of the id. */
  async initTransactions(): Promise<void> {
    await this.transactions('initTransactions').initTransactions();
  }

  beginTransaction(): void {
    this.transactions('beginTransaction').beginTransaction();
  }

  /** Adds consumed offsets to the transaction (committed with it, dropped by an abort). */
  async sendOffsetsToTransaction(offsets: readonly TxnOffset[], group: string | ConsumerGroupMetadata): Promise<void> {
    await this.transactions('sendOffsetsToTransaction').sendOffsetsToTransaction(offsets, group);
  }

  /** Waits for every send of the transaction, then commits it (EndTxn); throws if any send failed. */
  async commitTransaction(): Promise<void> {
    const txn = this.transactions('commitTransaction');
    await this.flush();
    await txn.endTransaction(true);
  }

  /** Waits for the sends in flight to settle, then aborts the transaction (EndTxn); read_committed consumers skip it. */
  async abortTransaction(): Promise<void> {
    const txn = this.transactions('abortTransaction');
    await this.flush();
    await txn.endTransaction(false);
  }

  private closed = false;

  private checkOpen(op: string): void {
    if (this.closed) throw new AdminError(`${op}: the producer is closed`);
  }

  /**
   * Kafka's close(): waits for the sends in flight to settle, then refuses every later call. The only thing left to
   * do with a fenced producer. The AdminClient stays open (it belongs to the caller).
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  /** Resolves when every send started so far has settled (successfully or not). */
  async flush(): Promise<void> {
    while (this.pendingSends.size > 0) await Promise.allSettled([...this.pendingSends]);
  }

  private producerSequences(): Promise<ProducerSequences> {
    if (this.sequences === null) {
      const p = initProducerId(this.admin).then((idAndEpoch) => new ProducerSequences(idAndEpoch));
      this.sequences = p;
      p.catch(() => { if (this.sequences === p) this.sequences = null; });
    }
    return this.sequences;
  }

  /** Chooses the partition of each record: explicit, murmur2 of the key, or the topic's sticky partition. */
  assignPartitions(topic: string, numPartitions: number, records: ProduceRecord[]): Map<number, ProduceRecord[]> {
    const byPartition = new Map<number, ProduceRecord[]>();
    let sticky = this.sticky.get(topic);
    if (sticky === undefined || sticky >= numPartitions) sticky = Math.floor(Math.random() * numPartitions);
    for (const r of records) {
      const p = r.partition ?? (r.key !== null ? partitionForKey(r.key, numPartitions) : sticky);
      const list = byPartition.get(p) ?? [];
      list.push(r);
      byPartition.set(p, list);
    }
    this.sticky.set(topic, (sticky + 1) % numPartitions);
    return byPartition;
  }

  /** Sends the records and resolves when every partition is acknowledged (per `acks`). */
  async send(topic: string, records: ProduceRecord[]): Promise<ProducedPartition[]> {
    this.checkOpen('send');
    if (records.length === 0) return [];
    const p = this.txn ? this.sendTransactional(this.txn, topic, records) : this.sendPlain(topic, records);
    this.pendingSends.add(p);
    try {
      return await p;
    } finally {
      this.pendingSends.delete(p);
    }
  }

  private async sendTransactional(txn: TransactionManager, topic: string, records: ProduceRecord[]): Promise<ProducedPartition[]> {
    txn.checkCanSend();
    const meta = await this.admin.withRetry(`looking up topic '${topic}'`, () => this.admin.topic(topic, false));
    const byPartition = this.assignPartitions(topic, meta.partitions.length, records);
    // Kafka's rule: a partition joins the transaction (AddPartitionsToTxn) before any of its records are produced.
    await txn.addPartitions(topic, [...byPartition.keys()]);
    const sequences = txn.sequences;
    const stamps = new Map<number, BatchStamp>();
    for (const [p, recs] of byPartition) stamps.set(p, sequences.nextBatch(topic, p, recs.length));
    const batches = await this.buildBatches(byPartition, stamps, true);
    const results: ProducedPartition[] = [];
    try {
      await this.produce(topic, byPartition, batches, sequences, stamps, results, txn.transactionalId);
    } catch (e) {
      // Acknowledged partitions are written; any other may or may not be, leaving a hole in its sequence.
      throw txn.produceFailed(e as Error, results.length < byPartition.size);
    }
    return results.sort((a, b) => a.partition - b.partition);
  }

  private async buildBatches(byPartition: Map<number, ProduceRecord[]>, stamps: Map<number, BatchStamp>, isTransactional: boolean): Promise<Map<number, Buffer>> {
    const batches = new Map<number, Buffer>();
    for (const [p, recs] of byPartition) {
      const input: RecordInput[] = recs.map((r) => (r.timestamp === undefined ? { key: r.key, value: r.value } : { key: r.key, value: r.value, timestamp: r.timestamp }));
      batches.set(p, await buildRecordBatch({ records: input, compression: this.opts.compression ?? CompressionType.None, isTransactional, ...stamps.get(p) }));
    }
    return batches;
  }

  private async sendPlain(topic: string, records: ProduceRecord[]): Promise<ProducedPartition[]> {
    const meta = await this.admin.withRetry(`looking up topic '${topic}'`, () => this.admin.topic(topic, false));
    const byPartition = this.assignPartitions(topic, meta.partitions.length, records);
    const results: ProducedPartition[] = [];
    const producerState = this.opts.idempotent ? this.producerSequences() : null;
    const sequences = producerState ? await producerState : null;
    // Sequences are taken before anything is awaited so batches of one send get them in one go; a retry re-sends
    // the same bytes, so the same sequence.
    const stamps = new Map<number, BatchStamp>();
    if (sequences) for (const [p, recs] of byPartition) stamps.set(p, sequences.nextBatch(topic, p, recs.length));
    const batches = await this.buildBatches(byPartition, stamps, false);
    try {
      await this.produce(topic, byPartition, batches, sequences, stamps, results);
    } catch (e) {
      // A batch that may or may not have been written leaves a hole in the sequence that no later batch could get
      // past; like Kafka's idempotent producer, start again under a new producer id.
      if (producerState !== null && this.sequences === producerState) this.sequences = null;
      throw e;
    }
    return results.sort((a, b) => a.partition - b.partition);
  }

  private async produce(
    topic: string,
    byPartition: Map<number, ProduceRecord[]>,
    batches: Map<number, Buffer>,
    sequences: ProducerSequences | null,
    stamps: Map<number, BatchStamp>,
    results: ProducedPartition[],
    transactionalId: string | null = null,
  ): Promise<void> {
    let pending = byPartition;
    await this.admin.withRetry(`producing to '${topic}'`, async () => {
      const byLeader = new Map<number, number[]>();
      for (const p of pending.keys()) {
        const leader = this.admin.leaderOf(topic, p);
        const list = byLeader.get(leader) ?? [];
        list.push(p);
        byLeader.set(leader, list);
      }
      const failed = new Map<number, ProduceRecord[]>();
      let firstRetriable: RetriableAdminError | null = null;
      await Promise.all([...byLeader].map(async ([leader, parts]) => {
        const body = () => ({
          transactionalId,
          acks: this.opts.acks,
          timeoutMs: this.opts.timeoutMs ?? 30_000,
          topicData: [{ name: topic, partitionData: parts.map((p) => ({ index: p, records: batches.get(p)! })) }],
        });
        try {
          if (this.opts.acks === 0) {
            await this.admin.sendNoResponse(leader, Produce, body, { min: 3, max: 8 });
            for (const p of parts) results.push({ partition: p, baseOffset: -1n, count: pending.get(p)!.length });
            return;
          }
          const request = () => this.admin.send(leader, Produce, body, { min: 3, max: 8 });
          const { response } = await (this.inFlight ? this.inFlight.run(leader, request) : request());
          for (const t of response.responses) {
            for (const pr of t.partitionResponses) {
              const count = pending.get(pr.index)?.length ?? 0;
              const stamp = stamps.get(pr.index);
              const outcome = sequences && stamp && pr.errorCode !== ErrorCode.NONE ? sequences.outcome(topic, pr.index, stamp, pr.errorCode) : 'other';
              if (pr.errorCode === ErrorCode.NONE || outcome === 'done') {
                // A duplicate was written before (by an attempt whose answer was lost); its offset is not known.
                results.push({ partition: pr.index, baseOffset: outcome === 'done' ? -1n : pr.baseOffset, count });
                if (sequences && stamp) sequences.acknowledged(topic, pr.index, stamp, count);
                continue;
              }
              if (outcome === 'fatal') throw new AdminError(sequences!.describeFatal(topic, pr.index, stamp!, pr.errorCode, pr.errorMessage), pr.errorCode);
              if (outcome === 'retry') {
                // An earlier batch of this partition is still unacknowledged; this one goes again after it.
                firstRetriable ??= new RetriableAdminError(`producing to ${topic}-${pr.index}: waiting for an earlier batch`, pr.errorCode);
                failed.set(pr.index, pending.get(pr.index)!);
                continue;
              }
              try {
                AdminClient.check(pr.errorCode, `producing to ${topic}-${pr.index}`, pr.errorMessage);
              } catch (e) {
                if (!(e instanceof RetriableAdminError)) throw e;
                firstRetriable ??= e;
                failed.set(pr.index, pending.get(pr.index)!);
              }
            }
          }
        } catch (e) {
          if (!(e instanceof RetriableAdminError)) throw e;
          firstRetriable ??= e;
          for (const p of parts) failed.set(p, pending.get(p)!);
        }
      }));
      pending = failed;
      if (firstRetriable) throw firstRetriable;
    });
  }
}
