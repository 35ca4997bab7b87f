// Replicates the partitions this broker follows from one source broker: OffsetForLeaderEpoch truncation
// (KIP-101/279), then Fetch v11 with replicaId = our id in an incremental fetch session (KIP-227), appending as
// follower (Kafka's ReplicaFetcherThread).
import { KafkaConnection } from '../../client/connection';
import { interBrokerSecurity } from '../../client/interBroker';
import { FetchSessionHandler, type SessionPartition } from '../../client/FetchSessionHandler';
import { Fetch } from '../../protocol/messages/01-fetch';
import { ListOffsets } from '../../protocol/messages/02-list-offsets';
import { OffsetForLeaderEpoch } from '../../protocol/messages/23-offset-for-leader-epoch';
import { ErrorCode } from '../../protocol/errors';
import { BASE_OFFSET } from '../../protocol/record/batch-header';
import type { Partition } from '../Partition';
import { moduleLogger, type Logger } from '../../util/logger';
import { groupByTopic, tpKey } from '../../util/types';
import { AsyncLock, Signal } from '../../util/AsyncLock';
import type { FramePool } from '../../util/FramePool';

export interface SourceBroker {
  id: number;
  host: string;
  port: number;
}

export interface InitialFetchState {
  topic: string;
  partition: number;
  leaderEpoch: number;
  /** Where fetching starts once truncation is done (the log end offset). */
  fetchOffset: bigint;
}

interface FetchState {
  topic: string;
  partition: number;
  key: string;
  leaderEpoch: number;
  fetchOffset: bigint;
  /** True until OffsetForLeaderEpoch told us where our log diverges from the leader's. */
  truncating: boolean;
  delayedUntil: number;
}

export interface ReplicaFetcherOptions {
  brokerId: number;
  source: SourceBroker;
  /** Which of the num.replica.fetchers fetchers for this source broker (0 when there is one). */
  fetcherId?: number;
  lookup: (topic: string, partition: number) => Partition | undefined;
  fetchWaitMaxMs: number;
  fetchMinBytes: number;
  fetchMaxBytes: number;
  fetchResponseMaxBytes: number;
  fetchBackoffMs: number;
  socketTimeoutMs: number;
  /** Receives the responses; their records go back to it once applied (shared by a broker's fetchers). */
  framePool?: FramePool;
  logger?: Logger;
}

export class ReplicaFetcher {
  private readonly states = new Map<string, FetchState>();
  /** Held while a response is applied; removing partitions takes it, so no append runs after removal returns. */
  private readonly lock = new AsyncLock();
  private readonly signal = new Signal();
  private conn: KafkaConnection | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private rotation = 0;
  /** One session with the source broker: requests carry only partitions whose fetch position changed. */
  private readonly session = new FetchSessionHandler();
  private readonly logger: Logger;

  constructor(private readonly opts: ReplicaFetcherOptions) {
    this.logger = (opts.logger ?? moduleLogger('replica-fetcher')).child({ sourceBroker: opts.source.id, fetcherId: opts.fetcherId ?? 0 });
  }

  get source(): SourceBroker {
    return this.opts.source;
  }
  get partitionCount(): number {
    return this.states.size;
  }
  has(key: string): boolean {
    return this.states.has(key);
  }
  /** For tests and metrics: the next offset fetched per partition. */
  fetchOffsets(): Map<string, bigint> {
    return new Map([...this.states].map(([k, s]) => [k, s.fetchOffset]));
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run();
  }

  addPartitions(items: InitialFetchState[]): Promise<void> {
    return this.lock.run(() => {
      for (const i of items) {
        const key = tpKey(i.topic, i.partition);
        this.states.set(key, { topic: i.topic, partition: i.partition, key, leaderEpoch: i.leaderEpoch, fetchOffset: i.fetchOffset, truncating: true, delayedUntil: 0 });
      }
      this.signal.notify();
    });
  }

  /** Stops fetching these partitions; resolves once no response for them is being applied any more. */
  removePartitions(keys: Iterable<string>): Promise<void> {
    return this.lock.run(() => {
      for (const k of keys) this.states.delete(k);
    });
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    this.signal.notify();
    this.conn?.close();
    await this.loop?.catch(() => undefined);
    this.conn = null;
  }

  private async connection(): Promise<KafkaConnection> {
    if (this.conn && !this.conn.isClosed) return this.conn;
    const { host, port } = this.opts.source;
    this.conn = await KafkaConnection.connect(host, port, {
      clientId: `broker-${this.opts.brokerId}-fetcher-${this.opts.fetcherId ?? 0}-${this.opts.source.id}`,
      connectTimeoutMs: Math.min(this.opts.socketTimeoutMs, 10000),
      requestTimeoutMs: this.opts.socketTimeoutMs + this.opts.fetchWaitMaxMs,
      security: interBrokerSecurity(),
      framePool: this.opts.framePool,
    });
    return this.conn;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.states.size === 0) {
          await this.signal.wait(1000);
          continue;
        }
        const now = Date.now();
        const ready = [...this.states.values()].filter((s) => s.delayedUntil <= now);
        if (ready.length === 0) {
          const next = Math.min(...[...this.states.values()].map((s) => s.delayedUntil));
          await this.signal.wait(next - now);
          continue;
        }
        const conn = await this.connection();
        if (ready.some((s) => s.truncating)) await this.truncate(conn, ready.filter((s) => s.truncating));
        const fetching = [...this.states.values()].filter((s) => !s.truncating && s.delayedUntil <= Date.now());
        if (fetching.length > 0) await this.fetch(conn, fetching);
      } catch (e) {
        if (this.stopped) break;
        this.logger.info({ err: (e as Error).message }, 'replica fetch failed; backing off');
        this.conn?.close();
        this.conn = null;
        await this.signal.wait(this.opts.fetchBackoffMs);
      }
    }
  }

  private delay(s: FetchState): void {
    s.delayedUntil = Date.now() + this.opts.fetchBackoffMs;
  }

  /** Still the same request target: not removed or re-added since the request was built. */
  private current(s: FetchState): FetchState | undefined {
    const cur = this.states.get(s.key);
    return cur === s ? cur : undefined;
  }

  // ---- truncation (KIP-101/279) -----------------------------------------------------------------

  private async truncate(conn: KafkaConnection, parts: FetchState[]): Promise<void> {
    const asked = new Map<string, { state: FetchState; epoch: number }>();
    const withEpoch: FetchState[] = [];
    await this.lock.run(async () => {
      for (const s of parts) {
        if (!this.current(s)) continue;
        const p = this.opts.lookup(s.topic, s.partition);
        if (!p) {
          this.states.delete(s.key);
          continue;
        }
        const epoch = p.latestEpoch();
        if (epoch < 0) {
          // No epoch history: the only safe point we know is our high watermark.
          const hw = p.highWatermark;
          if (hw < p.logEndOffset) await p.truncateTo(hw);
          s.fetchOffset = p.logEndOffset;
          s.truncating = false;
          continue;
        }
        asked.set(s.key, { state: s, epoch });
        withEpoch.push(s);
      }
    });
    if (withEpoch.length === 0) return;
    const resp = await conn.request(OffsetForLeaderEpoch, 3, {
      replicaId: this.opts.brokerId,
      topics: groupByTopic(withEpoch).map(([topic, ss]) => ({
        topic,
        partitions: ss.map((s) => ({ partition: s.partition, currentLeaderEpoch: s.leaderEpoch, leaderEpoch: asked.get(s.key)?.epoch ?? -1 })),
      })),
    });
    await this.lock.run(async () => {
      for (const t of resp.topics) {
        for (const r of t.partitions) {
          const key = tpKey(t.topic, r.partition);
          const a = asked.get(key);
          if (!a) continue;
          const s = this.current(a.state);
          const p = this.opts.lookup(t.topic, r.partition);
          if (!s || !s.truncating || !p) continue;
          if (r.errorCode !== ErrorCode.NONE) {
            this.logger.info({ topicPartition: key, errorCode: r.errorCode }, 'OffsetForLeaderEpoch failed; retrying after backoff');
            this.delay(s);
            continue;
          }
          const { offset, completed } = truncationPoint(p, r.leaderEpoch, r.endOffset);
          if (offset < p.logEndOffset) {
            this.logger.info({ topicPartition: key, from: p.logEndOffset.toString(), to: offset.toString(), leaderEpoch: r.leaderEpoch, leaderEndOffset: r.endOffset.toString() }, 'truncating follower log to the leader epoch boundary');
            await p.truncateTo(offset);
          }
          s.fetchOffset = p.logEndOffset;
          s.truncating = !completed;
        }
      }
    });
  }

  // ---- fetching -------------------------------------------------------------------------------

  private async fetch(conn: KafkaConnection, parts: FetchState[]): Promise<void> {
    // Rotate the order so one busy partition cannot take every response's byte budget.
    const n = parts.length;
    const start = this.rotation++ % n;
    const ordered = [...parts.slice(start), ...parts.slice(0, start)];
    const requested = new Map<string, { state: FetchState; offset: bigint; epoch: number }>();
    const wanted: SessionPartition[] = [];
    for (const s of ordered) {
      const p = this.opts.lookup(s.topic, s.partition);
      requested.set(s.key, { state: s, offset: s.fetchOffset, epoch: s.leaderEpoch });
      wanted.push({
        topic: s.topic,
        partition: s.partition,
        currentLeaderEpoch: s.leaderEpoch,
        fetchOffset: s.fetchOffset,
        lastFetchedEpoch: -1,
        logStartOffset: p?.logStartOffset ?? -1n,
        partitionMaxBytes: this.opts.fetchMaxBytes,
      });
    }
    let resp;
    try {
      resp = await conn.request(Fetch, 11, {
        replicaId: this.opts.brokerId,
        maxWaitMs: this.opts.fetchWaitMaxMs,
        minBytes: this.opts.fetchMinBytes,
        maxBytes: this.opts.fetchResponseMaxBytes,
        isolationLevel: 0,
        ...this.session.build(wanted),
        rackId: '',
      });
    } catch (e) {
      this.session.handleError();
      throw e;
    }
    if (!this.session.handleResponse(resp)) {
      // A session error (evicted, or an epoch out of step): the next request is full; no need to back off.
      if (resp.errorCode === ErrorCode.FETCH_SESSION_ID_NOT_FOUND || resp.errorCode === ErrorCode.INVALID_FETCH_SESSION_EPOCH) {
        this.logger.debug({ errorCode: resp.errorCode, sessionId: this.session.id }, 'fetch session error; sending a full fetch');
        return;
      }
      this.logger.info({ errorCode: resp.errorCode }, 'fetch refused by the leader');
      for (const r of requested.values()) this.delay(r.state);
      return;
    }
    const outOfRange: Array<{ state: FetchState }> = [];
    // An append that failed may have left a write of these records queued: then the frame is not reused.
    let appendFailed = false;
    await this.lock.run(async () => {
      for (const t of resp.responses) {
        for (const pr of t.partitionResponses) {
          const key = tpKey(t.topic, pr.partition);
          const req = requested.get(key);
          if (!req) continue;
          const s = this.current(req.state);
          // Skip answers to a request the partition no longer matches (moved, truncated, re-added).
          if (!s || s.truncating || s.fetchOffset !== req.offset || s.leaderEpoch !== req.epoch) continue;
          const p = this.opts.lookup(t.topic, pr.partition);
          if (!p) {
            this.states.delete(key);
            continue;
          }
          if (pr.errorCode === ErrorCode.NONE) {
            try {
              await this.applyData(p, s, pr.recordSet, pr.highWatermark, pr.logStartOffset);
            } catch (e) {
              appendFailed = true;
              // Our log no longer lines up with what we asked for (it moved under us, or diverges from the
              // leader's): go back to truncation, which re-reads our LEO and asks the leader where we diverge,
              // instead of retrying the same fetch offset forever.
              this.logger.warn({ topicPartition: key, err: (e as Error).message }, 'follower append failed; truncating again after backoff');
              s.truncating = true;
              this.delay(s);
            }
          } else if (pr.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
            outOfRange.push({ state: s });
          } else {
            if (pr.errorCode !== ErrorCode.NOT_LEADER_OR_FOLLOWER) this.logger.info({ topicPartition: key, errorCode: pr.errorCode }, 'partition fetch error; backing off');
            this.delay(s);
          }
        }
      }
    });
    // Every partition's records are in its log (or were skipped): the response frame may carry the next one.
    if (!appendFailed) this.releaseFrame(resp);
    for (const o of outOfRange) await this.handleOutOfRange(conn, o.state);
  }

  /** The records of a response all view its one frame; giving any of them back returns the frame to the pool. */
  private releaseFrame(resp: { responses: Array<{ partitionResponses: Array<{ recordSet: Buffer | null }> }> }): void {
    const pool = this.opts.framePool;
    if (pool === undefined) return;
    for (const t of resp.responses) {
      for (const pr of t.partitionResponses) {
        if (pr.recordSet !== null && pr.recordSet.length > 0) {
          pool.release(pr.recordSet);
          return;
        }
      }
    }
  }

  private async applyData(p: Partition, s: FetchState, records: Buffer | null, leaderHw: bigint, leaderLogStart: bigint): Promise<void> {
    if (records && records.length > 0) {
      const firstBase = records.readBigInt64BE(BASE_OFFSET);
      if (firstBase < s.fetchOffset) throw new Error(`leader returned a batch at ${firstBase} below the fetch offset ${s.fetchOffset}`);
      await p.appendRecordsToFollower(records);
    }
    s.fetchOffset = p.logEndOffset;
    await p.updateFollowerOffsets(leaderHw, leaderLogStart);
  }

  /** Our fetch offset is outside the leader's log: truncate (we are ahead) or restart at its log start (behind). */
  private async handleOutOfRange(conn: KafkaConnection, s: FetchState): Promise<void> {
    const ask = async (timestamp: bigint): Promise<bigint | null> => {
      const r = await conn.request(ListOffsets, 5, {
        replicaId: this.opts.brokerId,
        isolationLevel: 0,
        topics: [{ name: s.topic, partitions: [{ partitionIndex: s.partition, currentLeaderEpoch: s.leaderEpoch, timestamp, maxNumOffsets: 1 }] }],
      });
      const pr = r.topics[0]?.partitions[0];
      return pr && pr.errorCode === ErrorCode.NONE ? pr.offset : null;
    };
    const leaderEnd = await ask(-1n);
    const leaderStart = leaderEnd === null ? null : await ask(-2n);
    await this.lock.run(async () => {
      const cur = this.current(s);
      const p = this.opts.lookup(s.topic, s.partition);
      if (!cur || !p) return;
      if (leaderEnd === null || leaderStart === null) {
        this.delay(cur);
        return;
      }
      const leo = p.logEndOffset;
      if (leaderEnd < leo) {
        this.logger.warn({ topicPartition: s.key, leo: leo.toString(), leaderEnd: leaderEnd.toString() }, 'follower ahead of the leader: truncating to the leader end offset');
        await p.truncateTo(leaderEnd);
      } else if (leaderStart > leo) {
        this.logger.info({ topicPartition: s.key, leo: leo.toString(), leaderStart: leaderStart.toString() }, 'follower behind the leader log start: restarting the log there');
        await p.truncateFullyAndStartAt(leaderStart);
      }
      cur.fetchOffset = p.logEndOffset;
    });
  }
}

/**
 * Where a follower truncates given the leader's OffsetForLeaderEpoch answer (Kafka 2.8's getOffsetTruncationState).
 * `completed` false means: truncated to the end of an epoch the leader does not have; ask again.
 */
export function truncationPoint(p: Pick<Partition, 'logEndOffset' | 'highWatermark' | 'endOffsetForEpoch'>, leaderEpoch: number, leaderEndOffset: bigint): { offset: bigint; completed: boolean } {
  const leo = p.logEndOffset;
  const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
  if (leaderEndOffset < 0n) return { offset: min(p.highWatermark, leo), completed: true };
  if (leaderEpoch < 0) return { offset: min(leaderEndOffset, leo), completed: true };
  const mine = p.endOffsetForEpoch(leaderEpoch);
  if (mine.endOffset < 0n) return { offset: min(leaderEndOffset, leo), completed: true };
  if (mine.epoch === leaderEpoch) return { offset: min(min(leaderEndOffset, mine.endOffset), leo), completed: true };
  return { offset: min(mine.endOffset, leo), completed: false };
}
