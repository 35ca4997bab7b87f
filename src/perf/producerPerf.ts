// The load generator behind `brook producer-perf-test`: a pipelined producer that writes records straight into
// per-partition batch buffers (no per-record objects), seals each batch once, and keeps Kafka's statistics; with
// --transaction-duration-ms it commits a transaction every so often (perfTransactions.ts).
import { performance } from 'node:perf_hooks';
import { ErrorCode } from '../protocol/errors';
import { Produce } from '../protocol/messages';
import {
  BATCH_HEADER_SIZE, CURRENT_MAGIC, LOG_OVERHEAD, TRANSACTIONAL_MASK, writeBatchCrc, writeBatchHeader,
} from '../protocol/record/batch-header';
import { CompressionType, compress } from '../protocol/record/compression';
import {
  AdminClient, RETRIABLE_ROUTING, AdminError, RetriableAdminError, describeErrorCode,
  ProducerSequences, initProducerId, type BatchStamp,
} from '../client';
import { PerfStats, type PerfSummary } from './stats';
import { PerfTransactions } from './perfTransactions';
import type { PerfProducerConfig } from './producerPerfConfig';

export { PRODUCER_DEFAULTS, isSecurityProperty, parseProducerProps, type PerfProducerConfig } from './producerPerfConfig';

/** Kafka's generated payload: `size` random upper-case ASCII letters, the same for every record. */
export function randomPayload(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = 65 + Math.floor(Math.random() * 26);
  return b;
}

/** Splits a payload file the way Kafka's tool does; empty pieces are dropped. */
export function splitPayloads(text: string, delimiter: string): Buffer[] {
  return text.split(delimiter).filter((s) => s.length > 0).map((s) => Buffer.from(s, 'utf8'));
}

// ---- record encoding straight into a batch buffer ------------------------------------------------

const uvarintSize = (v: number): number => (v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5);

function writeUvarint(buf: Buffer, pos: number, v: number): number {
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

/** Bytes one record with a null key, `valueLen` bytes of value and no headers takes, excluding its length prefix. */
function recordBodySize(tsDelta: number, offsetDelta: number, valueLen: number): number {
  return 1 + uvarintSize(tsDelta * 2) + uvarintSize(offsetDelta * 2) + 1 + uvarintSize(valueLen * 2) + valueLen + 1;
}

/**
 * Writes one magic-2 record (null key, no headers; deltas are small non-negative numbers) at `pos` and returns
 * the position after it, or -1 when it does not fit before `buf.length`.
 */
export function writeRecord(buf: Buffer, pos: number, tsDelta: number, offsetDelta: number, value: Buffer): number {
  const body = recordBodySize(tsDelta, offsetDelta, value.length);
  if (pos + uvarintSize(body * 2) + body > buf.length) return -1;
  pos = writeUvarint(buf, pos, body * 2);
  buf[pos++] = 0; // record attributes
  pos = writeUvarint(buf, pos, tsDelta * 2);
  pos = writeUvarint(buf, pos, offsetDelta * 2);
  buf[pos++] = 1; // null key: zig-zag of -1
  pos = writeUvarint(buf, pos, value.length * 2);
  pos += value.copy(buf, pos);
  buf[pos++] = 0; // no headers
  return pos;
}

/**
 * Writes the 61-byte header of the batch occupying buf[0, end) and signs it (uncompressed records in place); an
 * idempotent producer's batch carries its producer id, epoch and base sequence (`stamp`).
 */
export function finishBatch(buf: Buffer, end: number, h: { compression: CompressionType; count: number; baseTs: number; maxTs: number; stamp?: BatchStamp | null; transactional?: boolean }): void {
  writeBatchHeader(buf, {
    baseOffset: 0n, batchLength: end - LOG_OVERHEAD, partitionLeaderEpoch: -1, magic: CURRENT_MAGIC, crc: 0,
    attributes: (h.compression & 0x07) | (h.transactional ? TRANSACTIONAL_MASK : 0), lastOffsetDelta: h.count - 1,
    baseTimestamp: BigInt(h.baseTs), maxTimestamp: BigInt(h.maxTs),
    producerId: h.stamp?.producerId ?? -1n, producerEpoch: h.stamp?.producerEpoch ?? -1, baseSequence: h.stamp?.baseSequence ?? -1,
    recordCount: h.count,
  }, 0);
  writeBatchCrc(buf, 0);
}

interface Batch {
  partition: number;
  buf: Buffer;
  pos: number;
  count: number;
  /** Iteration number of the first record; a batch's records are consecutive (sticky partitioning). */
  firstIter: number;
  valueBytes: number;
  baseTs: number;
  maxTs: number;
  createdAt: number;
  sumEnqueue: number;
  minEnqueue: number;
  sealed: Buffer | null;
  /** Producer id, epoch and base sequence when idempotent: given once at sealing, the same on every retry. */
  stamp: BatchStamp | null;
}

interface PartitionState {
  id: number;
  open: Batch | null;
  ready: Batch[];
  sealing: number;
  sealChain: Promise<void>;
  lingerTimer: NodeJS.Timeout | null;
}

export interface ProducerPerfOptions {
  topic: string;
  numRecords: number;
  /** One payload for every record (--record-size) or several chosen at random (--payload-file). */
  payloads: Buffer[];
  /** Records per second; 0 or less means no limit. */
  throughput: number;
  config: PerfProducerConfig;
  reportingIntervalMs?: number;
  /** --transaction-duration-ms: with config.transactionalId, commit a transaction once it is this old (Kafka's test). */
  transactionDurationMs?: number;
  /** Window and summary lines (stdout in the command). */
  out: (line: string) => void;
  /** Errors and warnings (stderr in the command). */
  err: (line: string) => void;
}

export interface ProducerPerfResult extends PerfSummary {
  failed: number;
  /** Transactions committed (0 without transactions). */
  transactions: number;
}

const now = (): number => performance.now();
const immediate = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Runs one producer performance test and resolves with its summary once every record is acknowledged or failed. */
export async function runProducerPerf(opts: ProducerPerfOptions): Promise<ProducerPerfResult> {
  const admin = await AdminClient.connect(opts.config.bootstrapServers, { clientId: opts.config.clientId, requestTimeoutMs: opts.config.requestTimeoutMs, retryDeadlineMs: opts.config.deliveryTimeoutMs });
  try {
    return await new PerfProducer(admin, opts).run();
  } finally {
    admin.close();
  }
}

class PerfProducer {
  private readonly cfg: PerfProducerConfig;
  private readonly stats: PerfStats;
  private partitions: PartitionState[] = [];
  private leaders = new Map<number, number>();
  private readonly inFlight = new Map<number, number>();
  private sticky = 0;
  private queuedBytes = 0;
  private failed = 0;
  private outstanding = 0;
  private spaceWaiters: Array<() => void> = [];
  private refreshing: Promise<void> | null = null;
  private readonly errorsSeen = new Map<number, number>();
  private fatal: Error | null = null;
  /** With enable.idempotence: the producer id and epoch and each partition's sequences. */
  private sequences: ProducerSequences | null = null;
  /** With a transactional id: begin/commit and the partitions of the open transaction. */
  private txns: PerfTransactions | null = null;

  constructor(private readonly admin: AdminClient, private readonly opts: ProducerPerfOptions) {
    this.cfg = opts.config;
    this.stats = new PerfStats(opts.numRecords, opts.reportingIntervalMs ?? 5000, opts.out);
  }

  async run(): Promise<ProducerPerfResult> {
    await this.loadMetadata(true);
    if (this.cfg.transactionalId !== null) {
      const duration = this.opts.transactionDurationMs ?? 0;
      if (duration <= 0) throw new AdminError('transactional.id needs a positive --transaction-duration-ms (Kafka\'s producer-perf-test commits by time)');
      this.txns = new PerfTransactions(this.admin, { transactionalId: this.cfg.transactionalId, transactionTimeoutMs: this.cfg.transactionTimeoutMs, retryBackoffMs: this.cfg.retryBackoffMs }, duration, this.opts.topic);
      this.sequences = await this.txns.init();
    } else if (this.cfg.enableIdempotence) this.sequences = new ProducerSequences(await initProducerId(this.admin));
    const { numRecords, throughput, payloads } = this.opts;
    const start = now();
    this.stats.start(start);
    let i = 0;
    let lastYield = start;
    while (i < numRecords) {
      if (this.fatal) throw this.fatal;
      if (this.txns && !this.txns.open) this.txns.begin(Date.now());
      let allowed = numRecords - i;
      if (throughput > 0) {
        // Kafka's throttler keeps the average rate since the start at or under the target.
        const due = Math.floor(((now() - start) * throughput) / 1000) + 1;
        if (due <= i) {
          await new Promise((r) => setTimeout(r, Math.max(1, Math.ceil(((i + 1) * 1000) / throughput - (now() - start)))));
          continue;
        }
        allowed = Math.min(allowed, due - i);
      }
      while (this.queuedBytes >= this.cfg.bufferMemory && !this.fatal) await new Promise<void>((r) => this.spaceWaiters.push(r));
      i += this.append(i, allowed, payloads);
      this.pump();
      if (this.txns?.due(Date.now())) await this.commitTransaction();
      const t = now();
      if (t - lastYield > 2 || throughput > 0) {
        await immediate();
        lastYield = now();
      }
    }
    await this.flush();
    if (this.txns?.open) await this.txns.commit();
    const summary = this.stats.finish(now());
    return { ...summary, failed: this.failed, transactions: this.txns?.committed ?? 0 };
  }

  /** Seals what is open and waits for every batch to complete. */
  private async flush(): Promise<void> {
    for (const p of this.partitions) if (p.open && p.open.count > 0) this.seal(p);
    this.pump();
    while (this.outstanding > 0 && !this.fatal) await new Promise<void>((r) => this.spaceWaiters.push(r));
    if (this.fatal) throw this.fatal;
  }

  /** commitTransaction(): every batch of the transaction acknowledged, then EndTxn. */
  private async commitTransaction(): Promise<void> {
    await this.flush();
    await this.txns!.commit();
  }

  // ---- metadata --------------------------------------------------------------------------------

  private async loadMetadata(first: boolean): Promise<void> {
    const topic = this.opts.topic;
    const t = await this.admin.withRetry(`looking up topic '${topic}'`, async () => {
      await this.admin.refreshMetadata([topic], true);
      const meta = await this.admin.topic(topic, false);
      if (meta.partitions.some((p) => p.leader < 0)) throw new RetriableAdminError(`topic '${topic}' has partitions without a leader`, ErrorCode.LEADER_NOT_AVAILABLE);
      return meta;
    });
    for (const p of t.partitions) this.leaders.set(p.partition, p.leader);
    if (first) {
      this.partitions = t.partitions.map((p) => ({ id: p.partition, open: null, ready: [], sealing: 0, sealChain: Promise.resolve(), lingerTimer: null }));
      this.sticky = Math.floor(Math.random() * this.partitions.length);
    }
  }

  private refreshSoon(): void {
    if (this.refreshing) return;
    this.refreshing = (async () => {
      await new Promise((r) => setTimeout(r, this.cfg.retryBackoffMs));
      try {
        await this.loadMetadata(false);
      } catch (e) {
        this.fatal ??= e as Error;
        this.wake();
      }
    })().finally(() => {
      this.refreshing = null;
      this.pump();
    });
  }

  // ---- accumulating --------------------------------------------------------------------------------

  /** Appends up to `max` records starting at iteration `iter` to the sticky partition's open batch; returns how many. */
  private append(iter: number, max: number, payloads: Buffer[]): number {
    const p = this.partitions[this.sticky]!;
    const t = now();
    const ts = Date.now();
    let b = p.open;
    let n = 0;
    const single = payloads.length === 1 ? payloads[0]! : null;
    while (n < max) {
      const value = single ?? payloads[Math.floor(Math.random() * payloads.length)]!;
      if (b === null) {
        b = this.newBatch(p, iter + n, ts, t, value.length);
      }
      const pos = writeRecord(b.buf, b.pos, ts - b.baseTs, b.count, value);
      if (pos < 0) {
        if (b.count === 0) throw new Error('internal: a new batch cannot hold its first record');
        break;
      }
      b.pos = pos;
      b.count++;
      b.valueBytes += value.length;
      n++;
    }
    if (n > 0) {
      b!.maxTs = ts;
      b!.sumEnqueue += n * t;
      this.stats.enqueued(iter, n, t);
    }
    const full = n < max || (b !== null && b.pos + 16 > b.buf.length);
    if (full && b && b.count > 0) this.seal(p);
    return n;
  }

  private newBatch(p: PartitionState, firstIter: number, ts: number, t: number, firstValueLen: number): Batch {
    const size = Math.max(this.cfg.batchSize, BATCH_HEADER_SIZE + 5 + recordBodySize(0, 0, firstValueLen));
    const b: Batch = {
      partition: p.id, buf: Buffer.allocUnsafe(size), pos: BATCH_HEADER_SIZE, count: 0, firstIter, valueBytes: 0,
      baseTs: ts, maxTs: ts, createdAt: t, sumEnqueue: 0, minEnqueue: t, sealed: null, stamp: null,
    };
    p.open = b;
    this.outstanding++;
    this.queuedBytes += size;
    if (this.cfg.lingerMs > 0) {
      p.lingerTimer = setTimeout(() => {
        p.lingerTimer = null;
        if (p.open === b && b.count > 0) {
          this.seal(p);
          this.pump();
        }
      }, this.cfg.lingerMs);
    }
    return b;
  }

  /** Closes the open batch: header, compression, CRC, once. Compressed batches are sealed off the main thread. */
  private seal(p: PartitionState): void {
    const b = p.open;
    if (!b) return;
    p.open = null;
    // Kafka 2.4+ sticky partitioning: null-key records stick to one partition until its batch closes.
    if (this.partitions[this.sticky] === p) this.sticky = (this.sticky + 1) % this.partitions.length;
    if (p.lingerTimer) {
      clearTimeout(p.lingerTimer);
      p.lingerTimer = null;
    }
    // Sequences go out in sealing order, which is the order of the partition's batches.
    b.stamp = this.sequences?.nextBatch(this.opts.topic, b.partition, b.count) ?? null;
    const h = { compression: this.cfg.compression, count: b.count, baseTs: b.baseTs, maxTs: b.maxTs, stamp: b.stamp, transactional: this.txns !== null };
    if (this.cfg.compression === CompressionType.None) {
      const out = b.buf.subarray(0, b.pos);
      finishBatch(out, out.length, h);
      b.sealed = out;
      p.ready.push(b);
      return;
    }
    const section = b.buf.subarray(BATCH_HEADER_SIZE, b.pos);
    p.sealing++;
    p.sealChain = p.sealChain.then(async () => {
      try {
        const payload = await compress(this.cfg.compression, section);
        const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + payload.length);
        payload.copy(out, BATCH_HEADER_SIZE);
        finishBatch(out, out.length, h);
        b.sealed = out;
        p.ready.push(b);
      } catch (e) {
        this.fatal ??= e as Error;
        this.wake();
      } finally {
        p.sealing--;
        this.pump();
      }
    });
  }

  // ---- sending ----------------------------------------------------------------------------------

  /** Sends ready batches to every leader with a free in-flight slot: one batch per partition per request, as Kafka drains. */
  private pump(): void {
    for (;;) {
      let sentAny = false;
      const byLeader = new Map<number, Batch[]>();
      for (const p of this.partitions) {
        // linger.ms=0: what is open goes out as soon as its leader has room.
        if (p.ready.length === 0 && p.sealing === 0 && this.cfg.lingerMs === 0 && p.open && p.open.count > 0) {
          const l = this.leaders.get(p.id) ?? -1;
          if (l >= 0 && (this.inFlight.get(l) ?? 0) < this.cfg.maxInFlight) this.seal(p);
        }
        const b = p.ready[0];
        if (!b) continue;
        // A partition joins the transaction before its first batch goes out.
        if (this.txns && !this.txns.ready(p.id, () => this.pump(), (e) => { this.fatal ??= e; this.wake(); })) continue;
        const leader = this.leaders.get(p.id) ?? -1;
        if (leader < 0 || (this.inFlight.get(leader) ?? 0) >= this.cfg.maxInFlight) continue;
        const list = byLeader.get(leader) ?? [];
        const size = list.reduce((s, x) => s + x.sealed!.length, 0);
        if (list.length > 0 && size + b.sealed!.length > this.cfg.maxRequestSize) continue;
        list.push(b);
        byLeader.set(leader, list);
      }
      for (const [leader, batches] of byLeader) {
        for (const b of batches) this.partitions.find((x) => x.id === b.partition)!.ready.shift();
        this.send(leader, batches);
        sentAny = true;
      }
      if (!sentAny) return;
    }
  }

  private send(leader: number, batches: Batch[]): void {
    this.inFlight.set(leader, (this.inFlight.get(leader) ?? 0) + 1);
    const body = () => ({
      transactionalId: this.txns?.transactionalId ?? null,
      acks: this.cfg.acks,
      timeoutMs: this.cfg.requestTimeoutMs,
      topicData: [{ name: this.opts.topic, partitionData: batches.map((b) => ({ index: b.partition, records: b.sealed! })) }],
    });
    const done = (): void => {
      this.inFlight.set(leader, (this.inFlight.get(leader) ?? 1) - 1);
      this.pump();
    };
    if (this.cfg.acks === 0) {
      this.admin.sendNoResponse(leader, Produce, body, { min: 3, max: 8 }).then(
        () => {
          const t = now();
          for (const b of batches) this.complete(b, t);
          done();
        },
        (e: unknown) => {
          for (const b of batches) this.retryOrFail(b, ErrorCode.NETWORK_EXCEPTION, (e as Error).message);
          done();
        },
      );
      return;
    }
    this.admin.send(leader, Produce, body, { min: 3, max: 8 }).then(
      ({ response }) => {
        const t = now();
        const byPartition = new Map<number, { errorCode: number; errorMessage?: string | null }>();
        for (const topic of response.responses) for (const pr of topic.partitionResponses) byPartition.set(pr.index, pr);
        for (const b of batches) {
          const pr = byPartition.get(b.partition);
          const outcome = pr && this.sequences && b.stamp && pr.errorCode !== ErrorCode.NONE ? this.sequences.outcome(this.opts.topic, b.partition, b.stamp, pr.errorCode) : 'other';
          // DUPLICATE_SEQUENCE_NUMBER ('done'): an earlier attempt whose answer was lost wrote the batch.
          if ((pr && pr.errorCode === ErrorCode.NONE) || outcome === 'done') this.complete(b, t);
          else if (outcome === 'retry') this.requeue(b);
          else if (outcome === 'fatal') this.failIdempotent(b, this.sequences!.describeFatal(this.opts.topic, b.partition, b.stamp!, pr!.errorCode, pr!.errorMessage), pr!.errorCode);
          else this.retryOrFail(b, pr?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, pr?.errorMessage ?? (pr ? null : 'partition missing from the response'));
        }
        done();
      },
      (e: unknown) => {
        for (const b of batches) this.retryOrFail(b, e instanceof AdminError && e.code !== undefined ? e.code : ErrorCode.NETWORK_EXCEPTION, (e as Error).message);
        done();
      },
    );
  }

  private complete(b: Batch, t: number): void {
    if (this.sequences && b.stamp) this.sequences.acknowledged(this.opts.topic, b.partition, b.stamp, b.count);
    this.stats.completed(b.firstIter, b.count, b.valueBytes, t, b.sumEnqueue, b.minEnqueue);
    this.release(b);
  }

  /**
   * Puts a batch back to be sent again. Idempotent batches go back in sequence order (several may come back from
   * requests in flight together; the broker takes a partition's sequences only in order); others to the head.
   */
  private requeue(b: Batch): void {
    const p = this.partitions.find((x) => x.id === b.partition)!;
    if (this.sequences) {
      const at = p.ready.findIndex((x) => x.firstIter > b.firstIter);
      p.ready.splice(at < 0 ? p.ready.length : at, 0, b);
    } else p.ready.unshift(b);
    this.refreshSoon();
  }

  /** An idempotent batch that cannot be written leaves its partition's later sequences unwritable: the run stops. */
  private failIdempotent(b: Batch, message: string, code?: number): void {
    this.failed += b.count;
    this.release(b);
    const e = new AdminError(message, code);
    this.fatal ??= this.txns ? this.txns.failed(e) : e;
    this.wake();
  }

  private retryOrFail(b: Batch, code: number, message: string | null): void {
    const retriable = RETRIABLE_ROUTING.has(code) || code === ErrorCode.NETWORK_EXCEPTION || code === ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND;
    if (retriable && now() - b.createdAt < this.cfg.deliveryTimeoutMs) {
      // Back to its partition's queue; the leader may have moved.
      this.requeue(b);
      return;
    }
    if (this.sequences && b.stamp) {
      this.failIdempotent(b, `${this.txns ? 'transactional' : 'idempotent'} producer: the batch of ${b.count} records to ${this.opts.topic}-${b.partition} (base sequence ${b.stamp.baseSequence}) failed: ${describeErrorCode(code, message)}; later batches of the partition cannot be written in order, so the test stops`, code);
      return;
    }
    const seen = this.errorsSeen.get(code) ?? 0;
    this.errorsSeen.set(code, seen + 1);
    if (seen === 0) this.opts.err(`error producing to ${this.opts.topic}-${b.partition}: ${describeErrorCode(code, message)} (${b.count} records dropped; later failures with this error are counted, not printed)`);
    this.failed += b.count;
    this.release(b);
  }

  private release(b: Batch): void {
    this.queuedBytes -= b.buf.length;
    this.outstanding--;
    this.wake();
  }

  private wake(): void {
    const w = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const r of w) r();
  }
}
