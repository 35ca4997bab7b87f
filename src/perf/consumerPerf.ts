// The engine behind `brook consumer-perf-test`: a group consumer that counts records and key+value bytes straight
// from fetched record batches (no per-record objects), pipelining Fetch per leader. Its figures and output formats
// are in consumerPerfReport, its options in consumerPerfConfig.
import { ErrorCode } from '../protocol/errors';
import { Fetch } from '../protocol/messages';
import type { ResponseOf } from '../protocol/schema';
import {
  ATTRIBUTES, BASE_OFFSET, BATCH_HEADER_SIZE, BATCH_LENGTH, COMPRESSION_MASK, CONTROL_MASK, LAST_OFFSET_DELTA,
  LOG_OVERHEAD, RECORD_COUNT,
} from '../protocol/record/batch-header';
import { CompressionType, decompress } from '../protocol/record/compression';
import {
  AdminClient, EARLIEST, GroupMember, LATEST, READ_COMMITTED, READ_UNCOMMITTED, listOffsets, selectBatches, AdminError, RetriableAdminError,
} from '../client';
import { progressOf, summarize, type ConsumerPerfResult } from './consumerPerfReport';
import { randomGroupId, type ConsumerPerfOptions } from './consumerPerfConfig';

// Re-exported so the tool and its tests keep importing one module.
export { javaFixed } from './stats';
export {
  DEFAULT_DATE_FORMAT, consumerPerfHeader, formatConsumerPerfLine, formatConsumerProgressLine, progressOf, simpleDateFormat,
  summarize, timeoutWarning, type ConsumerPerfProgress, type ConsumerPerfResult,
} from './consumerPerfReport';
export { applyConsumerProps, parsePropertiesText, randomGroupId, type ConsumerPerfOptions } from './consumerPerfConfig';

// ---- counting records in place -------------------------------------------------------------------

export interface RecordCount {
  /** Records counted. */
  count: number;
  /** Sum of key and value lengths (null counts 0). */
  bytes: number;
  /** offsetDelta of the last record counted, -1 when none. */
  lastDelta: number;
}

/**
 * Walks `recordCount` records of an uncompressed record section, reading only the length varints: counts records
 * with offsetDelta >= `minDelta`, at most `limit` of them.
 */
export function countRecordSection(buf: Buffer, start: number, end: number, recordCount: number, minDelta: number, limit: number): RecordCount {
  let pos = start;
  let count = 0;
  let bytes = 0;
  let lastDelta = -1;
  // Zig-zag varint at `pos`, advancing it; records are at most 2^31 long so 5 bytes suffice.
  const varint = (): number => {
    let b = buf[pos++] ?? -1;
    if (b < 0) throw new RangeError('record varint past the end of the batch');
    let u = b & 0x7f;
    let shift = 7;
    while (b & 0x80) {
      b = buf[pos++] ?? -1;
      if (b < 0 || shift > 28) throw new RangeError('bad record varint');
      u |= (b & 0x7f) << shift;
      shift += 7;
    }
    u >>>= 0;
    return (u >>> 1) ^ -(u & 1);
  };
  for (let i = 0; i < recordCount && count < limit; i++) {
    const len = varint();
    const recEnd = pos + len;
    if (len < 0 || recEnd > end) throw new RangeError(`record ${i} of ${len} bytes overruns its batch`);
    pos++; // attributes
    while ((buf[pos++] ?? 0) & 0x80); // timestamp delta (varlong), skipped
    const delta = varint();
    const keyLen = varint();
    if (keyLen > 0) pos += keyLen;
    const valueLen = varint();
    if (pos > recEnd) throw new RangeError(`record ${i} is malformed`);
    if (delta >= minDelta) {
      count++;
      bytes += (keyLen > 0 ? keyLen : 0) + (valueLen > 0 ? valueLen : 0);
      lastDelta = delta;
    }
    pos = recEnd; // headers skipped with the record length
  }
  return { count, bytes, lastDelta };
}

// ---- the consumer --------------------------------------------------------------------------------

type Stop =
  | { kind: 'done' }
  | { kind: 'timeout' }
  | { kind: 'rebalance' }
  | { kind: 'reroute' }
  | { kind: 'reset'; partitions: number[] }
  | { kind: 'error'; error: Error };

type FetchResponse = ResponseOf<typeof Fetch>;

interface Work {
  partition: number;
  data: Buffer;
  from: bigint;
  next: bigint;
  /** read_committed: positions of the batches of aborted transactions, which are not counted. */
  skip: Set<number> | null;
}

const HEARTBEAT_MS = 3000;

/** Runs one consumer performance test: joins the group, reads `messages` records, commits, leaves. */
export async function runConsumerPerf(opts: ConsumerPerfOptions): Promise<ConsumerPerfResult> {
  return new PerfConsumer(opts).run();
}

class PerfConsumer {
  private readonly groupId: string;
  private readonly timeoutMs: number;
  private fetchAdmin: AdminClient | null = null;
  private member: GroupMember | null = null;
  private assignment: number[] = [];
  /** Next offset to fetch per partition (runs ahead of `consumed` by one pipelined response). */
  private readonly fetchPos = new Map<number, bigint>();
  /** Next offset after the last record counted per partition: what gets committed. */
  private readonly consumed = new Map<number, bigint>();
  private messages = 0;
  private bytes = 0;
  private rebalanceMs = 0;
  private lastConsumedAt = 0;
  private round = 0;
  private stopped: Stop | null = null;
  private onStop: ((s: Stop) => void) | null = null;
  private fetching = false;
  // detailed stats
  private lastReportAt = 0;
  private lastReportBytes = 0;
  private lastReportMessages = 0;
  private joinMsInInterval = 0;

  constructor(private readonly opts: ConsumerPerfOptions) {
    this.groupId = opts.groupId ?? randomGroupId();
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  async run(): Promise<ConsumerPerfResult> {
    const o = this.opts;
    const startMs = Date.now();
    this.lastConsumedAt = startMs;
    this.lastReportAt = startMs;
    let endMs = startMs;
    let timedOut = false;
    const adminOpts = { clientId: o.clientId ?? 'consumer-perf', ...(o.requestTimeoutMs !== undefined ? { requestTimeoutMs: o.requestTimeoutMs } : {}) };
    // The coordinator gets its own connection (as Kafka's consumer does) so heartbeats never queue behind fetches.
    const conns = await Promise.allSettled([AdminClient.connect(o.bootstrapServer, adminOpts), AdminClient.connect(o.bootstrapServer, adminOpts)]);
    const failed = conns.find((c): c is PromiseRejectedResult => c.status === 'rejected');
    if (failed) {
      for (const c of conns) if (c.status === 'fulfilled') c.value.close();
      throw failed.reason;
    }
    const [fetchAdmin, groupAdmin] = conns.map((c) => (c as PromiseFulfilledResult<AdminClient>).value) as [AdminClient, AdminClient];
    this.fetchAdmin = fetchAdmin;
    const watchdog = setInterval(() => this.tick(), Math.max(10, Math.min(100, this.timeoutMs)));
    let heartbeat: NodeJS.Timeout | null = null;
    try {
      await fetchAdmin.withRetry(`looking up topic '${o.topic}'`, () => fetchAdmin.topic(o.topic));
      this.member = new GroupMember(groupAdmin, { groupId: this.groupId, topic: o.topic, ...(o.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: o.sessionTimeoutMs } : {}) });
      heartbeat = setInterval(() => this.heartbeat(), HEARTBEAT_MS);
      let needJoin = true;
      let joinStart = startMs;
      for (;;) {
        if (needJoin) {
          await this.join(joinStart);
          needJoin = false;
        }
        if (this.messages >= o.messages) break;
        const stop = await this.runRound();
        if (stop.kind === 'done') break;
        if (stop.kind === 'timeout') { timedOut = true; break; }
        if (stop.kind === 'error') throw stop.error;
        if (stop.kind === 'rebalance') {
          // As Kafka's auto-commit does on revocation: commit what was consumed so the next owner resumes there.
          joinStart = Date.now();
          await this.member.commit(this.assignedPositions()).catch(() => undefined);
          needJoin = true;
          continue;
        }
        if (stop.kind === 'reset') { await this.resetOffsets(stop.partitions); continue; }
        // reroute: new leaders; give the cluster a moment and reload metadata
        await new Promise((r) => setTimeout(r, 100));
        await fetchAdmin.topic(o.topic).catch(() => undefined);
      }
      endMs = Date.now();
    } catch (e) {
      groupAdmin.close();
      throw e;
    } finally {
      clearInterval(watchdog);
      if (heartbeat) clearInterval(heartbeat);
      this.round++; // any loop still awaiting a response drops it
      fetchAdmin.close();
    }
    try {
      // Kafka's consumer commits its positions on close (auto-commit), then leaves the group.
      const member = this.member;
      await member.commit(this.assignedPositions()).catch((e: Error) => o.onWarning?.(`WARNING: committing offsets of group '${this.groupId}' failed: ${e.message}`));
      await member.leave().catch(() => undefined);
    } finally {
      groupAdmin.close();
    }
    return { ...summarize(startMs, endMs, this.messages, this.bytes, this.rebalanceMs), groupId: this.groupId, timedOut };
  }

  private assignedPositions(): Map<number, bigint> {
    return new Map([...this.consumed].filter(([p]) => this.assignment.includes(p)));
  }

  /** Joins (or rejoins) the group and positions every assigned partition: committed offset, else the reset policy. */
  private async join(joinStart: number): Promise<void> {
    const member = this.member!;
    this.assignment = await member.join();
    const took = Date.now() - joinStart;
    this.rebalanceMs += took;
    this.joinMsInInterval += took;
    this.fetchPos.clear();
    const committed = this.assignment.length > 0 ? await member.committed(this.assignment) : new Map<number, bigint>();
    const missing: number[] = [];
    for (const p of this.assignment) {
      const c = committed.get(p) ?? -1n;
      if (c >= 0n) this.consumed.set(p, c);
      else if (!this.consumed.has(p)) missing.push(p);
    }
    if (missing.length > 0) await this.resetOffsets(missing);
  }

  private async resetOffsets(partitions: number[]): Promise<void> {
    const reset = this.opts.autoOffsetReset ?? 'earliest';
    if (reset === 'none') throw new AdminError(`no committed offset for partitions ${partitions.join(',')} of '${this.opts.topic}' and auto.offset.reset=none`);
    const to = await listOffsets(this.fetchAdmin!, this.opts.topic, partitions, reset === 'earliest' ? EARLIEST : LATEST, this.opts.isolationLevel ?? READ_UNCOMMITTED);
    for (const [p, off] of to) this.consumed.set(p, off);
  }

  private stop(s: Stop): void {
    if (this.stopped) return;
    this.stopped = s;
    this.onStop?.(s);
  }

  private tick(): void {
    if (Date.now() - this.lastConsumedAt > this.timeoutMs) this.stop({ kind: 'timeout' });
  }

  private heartbeat(): void {
    if (!this.fetching || !this.member) return;
    const round = this.round;
    this.member.heartbeat().then((rejoin) => {
      if (rejoin && round === this.round) this.stop({ kind: 'rebalance' });
    }, () => undefined);
  }

  /** Fetches from every leader of the assignment until something ends the round. */
  private runRound(): Promise<Stop> {
    const round = ++this.round;
    this.stopped = null;
    const admin = this.fetchAdmin!;
    return new Promise<Stop>((resolve) => {
      this.onStop = (s) => { this.fetching = false; resolve(s); };
      this.fetching = true;
      if (Date.now() - this.lastConsumedAt > this.timeoutMs) { this.stop({ kind: 'timeout' }); return; }
      const byLeader = new Map<number, number[]>();
      try {
        for (const p of this.assignment) {
          this.fetchPos.set(p, this.consumed.get(p)!);
          const l = admin.leaderOf(this.opts.topic, p);
          byLeader.set(l, [...(byLeader.get(l) ?? []), p]);
        }
      } catch (e) {
        this.stop(e instanceof RetriableAdminError ? { kind: 'reroute' } : { kind: 'error', error: e as Error });
        return;
      }
      for (const [leader, parts] of byLeader) {
        this.leaderLoop(round, leader, parts).catch((e: Error) => this.stop(e instanceof RetriableAdminError ? { kind: 'reroute' } : { kind: 'error', error: e }));
      }
    });
  }

  private sendFetch(leader: number, parts: number[]): Promise<FetchResponse> {
    const o = this.opts;
    const p = this.fetchAdmin!.send(leader, Fetch, () => ({
      replicaId: -1,
      maxWaitMs: o.fetchMaxWaitMs ?? 500,
      minBytes: o.fetchMinBytes ?? 1,
      maxBytes: o.fetchMaxBytes ?? 52_428_800,
      isolationLevel: o.isolationLevel ?? READ_UNCOMMITTED,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: o.topic, partitions: parts.map((p) => ({ partition: p, fetchOffset: this.fetchPos.get(p)!, partitionMaxBytes: o.fetchSize ?? 1_048_576 })) }],
      forgottenTopicsData: [],
      rackId: '',
    }), { min: 4, max: 11 }).then((r) => r.response);
    // A pipelined fetch may be abandoned when the run ends and its connection closes; that is not an error.
    p.catch(() => undefined);
    return p;
  }

  /**
   * One leader's fetch loop. As soon as a response arrives its batch headers give the next offsets and the next
   * Fetch goes out; the records are counted while the broker prepares that one.
   */
  private async leaderLoop(round: number, leader: number, parts: number[]): Promise<void> {
    const live = (): boolean => round === this.round && this.stopped === null;
    let inflight: Promise<FetchResponse> | null = this.sendFetch(leader, parts);
    while (live()) {
      const response: FetchResponse = await (inflight ?? this.sendFetch(leader, parts));
      inflight = null;
      if (!live()) return;
      const work: Work[] = [];
      const reset: number[] = [];
      let upperBound = 0;
      for (const t of response.responses) {
        for (const pr of t.partitionResponses) {
          if (pr.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) { reset.push(pr.partition); continue; }
          AdminClient.check(pr.errorCode, `fetching ${this.opts.topic}-${pr.partition}`);
          const data = pr.recordSet;
          const from = this.fetchPos.get(pr.partition);
          if (!data || data.length === 0 || from === undefined) continue;
          // Headers only: whole batches, their record counts and the offset after the last one.
          let pos = 0;
          let next = from;
          while (data.length - pos >= BATCH_HEADER_SIZE) {
            const size = data.readInt32BE(pos + BATCH_LENGTH) + LOG_OVERHEAD;
            if (size < BATCH_HEADER_SIZE || pos + size > data.length) break;
            const last = data.readBigInt64BE(pos + BASE_OFFSET) + BigInt(data.readInt32BE(pos + LAST_OFFSET_DELTA));
            if (last >= next) {
              next = last + 1n;
              if ((data.readInt16BE(pos + ATTRIBUTES) & CONTROL_MASK) === 0) upperBound += data.readInt32BE(pos + RECORD_COUNT);
            }
            pos += size;
          }
          if (next > from) {
            this.fetchPos.set(pr.partition, next);
            // read_committed: Kafka's aborted-transaction filter over this response's batches (skipped, not counted).
            const skip = this.opts.isolationLevel === READ_COMMITTED
              ? new Set(selectBatches(data.subarray(0, pos), READ_COMMITTED, pr.abortedTransactions).filter((b) => !b.deliver).map((b) => b.batch.position))
              : null;
            work.push({ partition: pr.partition, data: data.subarray(0, pos), from, next, skip });
          }
        }
      }
      if (reset.length > 0) { this.stop({ kind: 'reset', partitions: reset }); return; }
      // Pipeline: ask for more now unless these records surely finish the run.
      if (upperBound < this.opts.messages - this.messages) inflight = this.sendFetch(leader, parts);
      for (const w of work) {
        if (!(await this.count(w, live))) return;
      }
      if (work.length > 0) this.report();
    }
  }

  /** Counts the records of one partition's fetched batches; false once the run is over. */
  private async count(w: Work, live: () => boolean): Promise<boolean> {
    const data = w.data;
    let pos = 0;
    while (pos < data.length) {
      const size = data.readInt32BE(pos + BATCH_LENGTH) + LOG_OVERHEAD;
      const base = data.readBigInt64BE(pos + BASE_OFFSET);
      const last = base + BigInt(data.readInt32BE(pos + LAST_OFFSET_DELTA));
      const attributes = data.readInt16BE(pos + ATTRIBUTES);
      const batchPos = pos;
      pos += size;
      if (last < w.from || (attributes & CONTROL_MASK) !== 0 || w.skip?.has(batchPos)) continue;
      const records = data.readInt32BE(batchPos + RECORD_COUNT);
      const codec = (attributes & COMPRESSION_MASK) as CompressionType;
      let section = data;
      let start = batchPos + BATCH_HEADER_SIZE;
      let end = batchPos + size;
      if (codec !== CompressionType.None) {
        section = await decompress(codec, data.subarray(start, end));
        if (!live()) return false;
        start = 0;
        end = section.length;
      }
      const minDelta = w.from > base ? Number(w.from - base) : 0;
      const remaining = this.opts.messages - this.messages;
      const c = countRecordSection(section, start, end, records, minDelta, remaining);
      this.messages += c.count;
      this.bytes += c.bytes;
      if (c.count > 0) this.lastConsumedAt = Date.now();
      if (this.messages >= this.opts.messages) {
        this.consumed.set(w.partition, c.count > 0 ? base + BigInt(c.lastDelta) + 1n : w.from);
        this.stop({ kind: 'done' });
        return false;
      }
    }
    this.consumed.set(w.partition, w.next);
    return true;
  }

  private report(): void {
    const cb = this.opts.onProgress;
    if (!cb) return;
    const now = Date.now();
    if (now - this.lastReportAt < (this.opts.reportingIntervalMs ?? 5000)) return;
    cb(progressOf(this.bytes, this.lastReportBytes, this.messages, this.lastReportMessages, this.lastReportAt, now, this.joinMsInInterval));
    this.joinMsInInterval = 0;
    this.lastReportAt = now;
    this.lastReportBytes = this.bytes;
    this.lastReportMessages = this.messages;
  }
}
