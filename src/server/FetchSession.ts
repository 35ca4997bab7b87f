// Incremental fetch sessions (KIP-227) on the broker, after Kafka's FetchSession.scala: the session cache with its
// eviction rules, and the fetch contexts that decide which partitions a Fetch reads and which its response carries.
import { randomInt } from 'crypto';
import { ErrorCode } from '../protocol/errors';
import { FetchMetadata } from '../protocol/messages/01-fetch';
import { tpKey } from '../util/types';
import type { FetchPartitionRequest, FetchPartitionResult } from './ReplicaFetch';

export const { INVALID_SESSION_ID, INITIAL_EPOCH, FINAL_EPOCH, nextEpoch } = FetchMetadata;
/**
 * Kafka's KafkaServer.MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS, a constant there too: a session unused this long is
 * stale and evictable by anyone; a younger one may only be evicted by a bigger (or privileged) newcomer once it is
 * at least this old.
 */
export const MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS = 120_000;

/** Partitions a fetcher forgets (ForgottenTopicsData). */
export interface ForgottenPartition {
  topic: string;
  partition: number;
}

/**
 * One partition of a session: the fetcher's last request for it, and what the last response that carried it said,
 * so an unchanged partition can be left out of the next response.
 */
export class CachedPartition {
  /** -1 until a response carried it, and again after an error, so the partition is re-sent once the error clears. */
  highWatermark = -1n;
  localLogStartOffset = -1n;

  constructor(public request: FetchPartitionRequest) {}

  /**
   * Kafka's maybeUpdateResponseData: whether the response must carry this partition (new records, a moved HW or log
   * start, an error, a diverging epoch); with `update`, remember what it carried.
   */
  mustRespond(resp: FetchPartitionResult, update: boolean): boolean {
    let must = (resp.records?.length ?? 0) > 0;
    if (this.highWatermark !== resp.highWatermark) {
      must = true;
      if (update) this.highWatermark = resp.highWatermark;
    }
    if (this.localLogStartOffset !== resp.logStartOffset) {
      must = true;
      if (update) this.localLogStartOffset = resp.logStartOffset;
    }
    if (resp.errorCode !== ErrorCode.NONE) {
      must = true;
      if (update) this.highWatermark = -1n;
    }
    if (resp.divergingEpoch) must = true;
    return must;
  }
}

/** What the cache orders eviction candidates by: unprivileged first, then fewer partitions, then lower id. */
export interface EvictableKey {
  privileged: boolean;
  size: number;
  id: number;
}

export function compareEvictable(a: EvictableKey, b: EvictableKey): number {
  if (a.privileged !== b.privileged) return a.privileged ? 1 : -1;
  return a.size - b.size || a.id - b.id;
}

export class FetchSession {
  /** In read order: a partition that returned records moves to the end, so every partition gets its turn. */
  readonly partitions = new Map<string, CachedPartition>();
  /** The size the cache last saw (at touch), -1 while not in the cache. */
  cachedSize = -1;
  /** Where the last touch placed it; the cache's evictable sets, as Kafka's two TreeMaps. */
  evictableByAll = false;
  evictableByPrivileged = false;

  constructor(
    readonly id: number,
    /** Created by a follower: only older sessions, or other privileged ones with fewer partitions, may evict it. */
    readonly privileged: boolean,
    readonly creationMs: number,
    public lastUsedMs: number,
    /** The epoch the next incremental request must carry. */
    public epoch: number,
  ) {}

  get size(): number {
    return this.partitions.size;
  }

  evictableKey(): EvictableKey {
    return { privileged: this.privileged, size: this.cachedSize, id: this.id };
  }

  /** Applies an incremental request: new partitions join, named ones take the new request data, forgotten ones go. */
  update(fetchData: readonly FetchPartitionRequest[], toForget: readonly ForgottenPartition[]): { added: number; updated: number; removed: number } {
    let added = 0;
    let updated = 0;
    let removed = 0;
    for (const p of fetchData) {
      const key = tpKey(p.topic, p.partition);
      const cached = this.partitions.get(key);
      if (cached) {
        cached.request = p;
        updated++;
      } else {
        this.partitions.set(key, new CachedPartition(p));
        added++;
      }
    }
    for (const f of toForget) if (this.partitions.delete(tpKey(f.topic, f.partition))) removed++;
    return { added, updated, removed };
  }
}

/**
 * The sessions of one broker, at most `maxEntries` (max.incremental.fetch.session.cache.slots). Kafka's eviction rules:
 * a new session may take the place of a stale one (unused for `evictionMs`), else of the least valuable evictable one
 * (an unprivileged session, then fewer partitions) if that is worth less than the newcomer. A session becomes
 * evictable only once it is `evictionMs` old, a follower's only by other followers until then.
 */
export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>();
  private partitionsCached = 0;
  evictions = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly evictionMs: number = MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS,
    /** A positive int32 session id; tests make it predictable. */
    private readonly randomId: () => number = () => randomInt(1, 0x7fffffff),
  ) {}

  get(sessionId: number): FetchSession | undefined {
    return this.sessions.get(sessionId);
  }
  get size(): number {
    return this.sessions.size;
  }
  /** Partitions held over every session, as of each session's last touch (Kafka's NumIncrementalFetchPartitionsCached). */
  get totalPartitions(): number {
    return this.partitionsCached;
  }

  /** Makes a session of `partitions` if there is room or something can be evicted; its id, or INVALID_SESSION_ID. */
  maybeCreateSession(now: number, privileged: boolean, size: number, partitions: () => Iterable<[string, CachedPartition]>): number {
    if (this.sessions.size >= this.maxEntries && !this.tryEvict(privileged, { privileged, size, id: 0 }, now)) return INVALID_SESSION_ID;
    let id: number;
    do id = this.randomId();
    while (id === INVALID_SESSION_ID || this.sessions.has(id));
    const session = new FetchSession(id, privileged, now, now, nextEpoch(INITIAL_EPOCH));
    for (const [k, p] of partitions()) session.partitions.set(k, p);
    this.sessions.set(id, session);
    this.touch(session, now);
    return id;
  }

  /** Kafka's tryEvict: the stalest session if it is stale, else the first evictable one if `key` outranks it. */
  tryEvict(privileged: boolean, key: EvictableKey, now: number): boolean {
    let lru: FetchSession | undefined;
    for (const s of this.sessions.values()) if (!lru || s.lastUsedMs < lru.lastUsedMs || (s.lastUsedMs === lru.lastUsedMs && s.id < lru.id)) lru = s;
    if (!lru) return false;
    if (now - lru.lastUsedMs > this.evictionMs) {
      this.evict(lru);
      return true;
    }
    let first: FetchSession | undefined;
    for (const s of this.sessions.values()) {
      if (!(privileged ? s.evictableByPrivileged : s.evictableByAll)) continue;
      if (!first || compareEvictable(s.evictableKey(), first.evictableKey()) < 0) first = s;
    }
    if (!first || compareEvictable(key, first.evictableKey()) < 0) return false;
    this.evict(first);
    return true;
  }

  remove(sessionId: number): FetchSession | undefined {
    const s = this.sessions.get(sessionId);
    if (!s) return undefined;
    this.sessions.delete(sessionId);
    this.partitionsCached -= s.cachedSize;
    s.cachedSize = -1;
    s.evictableByAll = s.evictableByPrivileged = false;
    return s;
  }

  /** Marks a session used now and re-files it by its current size and age. */
  touch(session: FetchSession, now: number): void {
    session.lastUsedMs = now;
    if (session.cachedSize !== -1) this.partitionsCached -= session.cachedSize;
    session.cachedSize = session.size;
    this.partitionsCached += session.cachedSize;
    const old = now - session.creationMs > this.evictionMs;
    session.evictableByPrivileged = !session.privileged || old;
    session.evictableByAll = old;
  }

  private evict(s: FetchSession): void {
    this.remove(s.id);
    this.evictions++;
  }
}

/** What a Fetch response says at the top and which partitions it carries. */
export interface FetchContextResponse {
  errorCode: number;
  sessionId: number;
  results: FetchPartitionResult[];
}

/**
 * How one Fetch request relates to sessions (Kafka's FetchContext): which partitions it reads, and, given the reads in
 * that order, what the response carries.
 */
export interface FetchContext {
  readonly partitions: readonly FetchPartitionRequest[];
  respond(results: FetchPartitionResult[]): FetchContextResponse;
}

/** A session error: nothing is read; the fetcher must start over with a full request. */
class SessionErrorContext implements FetchContext {
  readonly partitions = [];
  constructor(private readonly error: number) {}
  respond(): FetchContextResponse {
    return { errorCode: this.error, sessionId: INVALID_SESSION_ID, results: [] };
  }
}

/** No session: what was asked is read and answered (every client that sends epoch -1, and Fetch before v7). */
class SessionlessFetchContext implements FetchContext {
  constructor(readonly partitions: readonly FetchPartitionRequest[]) {}
  respond(results: FetchPartitionResult[]): FetchContextResponse {
    return { errorCode: ErrorCode.NONE, sessionId: INVALID_SESSION_ID, results };
  }
}

/** A full request with epoch 0: answered whole, and a new session remembers it if the cache has or makes room. */
class FullFetchContext implements FetchContext {
  constructor(
    private readonly cache: FetchSessionCache,
    private readonly now: () => number,
    private readonly privileged: boolean,
    readonly partitions: readonly FetchPartitionRequest[],
  ) {}

  respond(results: FetchPartitionResult[]): FetchContextResponse {
    const sessionId = this.cache.maybeCreateSession(this.now(), this.privileged, results.length, () =>
      results.map((r, i): [string, CachedPartition] => {
        const cached = new CachedPartition(this.partitions[i] as FetchPartitionRequest);
        cached.highWatermark = r.highWatermark;
        cached.localLogStartOffset = r.logStartOffset;
        return [tpKey(r.topic, r.partition), cached];
      }),
    );
    return { errorCode: ErrorCode.NONE, sessionId, results };
  }
}

/** An incremental request: every partition of the session is read, and only those that changed are answered. */
class IncrementalFetchContext implements FetchContext {
  readonly partitions: readonly FetchPartitionRequest[];
  /** The session's epoch once this request was accepted; another request moving it first wins (Kafka's check). */
  private readonly expectedEpoch: number;

  constructor(private readonly session: FetchSession) {
    this.partitions = [...session.partitions.values()].map((p) => p.request);
    this.expectedEpoch = session.epoch;
  }

  respond(results: FetchPartitionResult[]): FetchContextResponse {
    const s = this.session;
    if (s.epoch !== this.expectedEpoch) return { errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH, sessionId: s.id, results: [] };
    const sent: FetchPartitionResult[] = [];
    for (const r of results) {
      const key = tpKey(r.topic, r.partition);
      const cached = s.partitions.get(key);
      // Forgotten by a later request while this one waited: not the session's any more.
      if (!cached || !cached.mustRespond(r, true)) continue;
      sent.push(r);
      if ((r.records?.length ?? 0) > 0) {
        s.partitions.delete(key);
        s.partitions.set(key, cached);
      }
    }
    return { errorCode: ErrorCode.NONE, sessionId: s.id, results: sent };
  }
}

/** Kafka's FetchManager: turns a request's session id and epoch into its FetchContext. */
export class FetchManager {
  constructor(
    readonly cache: FetchSessionCache,
    private readonly now: () => number = Date.now,
  ) {}

  newContext(sessionId: number, epoch: number, fromFollower: boolean, fetchData: readonly FetchPartitionRequest[], toForget: readonly ForgottenPartition[]): FetchContext {
    if (epoch === INITIAL_EPOCH || epoch === FINAL_EPOCH) {
      // A full request closes the session it names.
      if (sessionId !== INVALID_SESSION_ID) this.cache.remove(sessionId);
      return epoch === FINAL_EPOCH ? new SessionlessFetchContext(fetchData) : new FullFetchContext(this.cache, this.now, fromFollower, fetchData);
    }
    const session = this.cache.get(sessionId);
    if (!session) return new SessionErrorContext(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    if (session.epoch !== epoch) return new SessionErrorContext(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    session.update(fetchData, toForget);
    if (session.size === 0) {
      // Everything forgotten: the session ends and this request is answered as a sessionless one.
      this.cache.remove(session.id);
      return new SessionlessFetchContext(fetchData);
    }
    this.cache.touch(session, this.now());
    session.epoch = nextEpoch(session.epoch);
    return new IncrementalFetchContext(session);
  }
}
