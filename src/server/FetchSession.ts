// Incremental fetch sessions (KIP-227) on the broker, after Kafka's FetchSession.scala: the session cache with its
// eviction rules, and the fetch contexts that decide which partitions a Fetch reads and which its response carries.
// A session made by Fetch v13+ keys its partitions by topic id (Kafka's TopicIdPartition), one made before by name.
import { randomInt } from 'crypto';
import { ErrorCode } from '../protocol/errors';
import { FetchMetadata } from '../protocol/messages/01-fetch';
import { tpKey } from '../util/types';
import { ZERO_UUID } from '../util/uuid';
import type { FetchPartitionRequest, FetchPartitionResult } from './ReplicaFetch';

export const { INVALID_SESSION_ID, INITIAL_EPOCH, FINAL_EPOCH, nextEpoch } = FetchMetadata;
/**
 * Kafka's KafkaServer.MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS, a constant there too: a session unused this long is
 * stale and evictable by anyone; a younger one may only be evicted by a bigger (or privileged) newcomer once it is
 * at least this old.
 */
export const MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS = 120_000;

/**
 * One partition as a Fetch names it (Kafka's TopicIdPartition with its PartitionData): by name before v13; from v13 by
 * id, with the name this broker knows for it, or null while no topic it knows has that id (answered UNKNOWN_TOPIC_ID).
 */
export interface FetchSessionPartition extends Omit<FetchPartitionRequest, 'topic'> {
  topic: string | null;
}

/** What the handler answers for one partition a context reads: named like the partition. */
export interface FetchSessionResult extends Omit<FetchPartitionResult, 'topic'> {
  topic: string | null;
  topicId?: string;
}

/** Partitions a fetcher forgets (ForgottenTopicsData): by name before v13, by id from v13. */
export interface ForgottenPartition {
  topic: string | null;
  topicId?: string;
  partition: number;
}

/** The names of topic ids as this broker knows them (the metadata cache), for Fetch v13+. */
export type TopicNameResolver = (topicId: string) => string | undefined;

/**
 * A partition's key in a session: its id and partition in a session that uses topic ids (whether or not the name is
 * known), else its name and partition (Kafka's CachedPartition equality). A zero id keys as itself rather than by a
 * null name, where Kafka's hashCode would fail.
 */
export function sessionKey(p: { topic: string | null; topicId?: string; partition: number }, usesTopicIds: boolean): string {
  return usesTopicIds ? `${p.topicId ?? ZERO_UUID}:${p.partition}` : tpKey(p.topic ?? '', p.partition);
}

/**
 * One partition of a session: the fetcher's last request for it, and what the last response that carried it said,
 * so an unchanged partition can be left out of the next response.
 */
export class CachedPartition {
  /** -1 until a response carried it, and again after an error, so the partition is re-sent once the error clears. */
  highWatermark = -1n;
  localLogStartOffset = -1n;

  constructor(public request: FetchSessionPartition) {}

  /**
   * Kafka's maybeUpdateResponseData: whether the response must carry this partition (new records, a moved HW or log
   * start, an error, a diverging epoch); with `update`, remember what it carried.
   */
  mustRespond(resp: FetchSessionResult, update: boolean): boolean {
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
    /** Made by Fetch v13+: partitions keyed by topic id, and only v13+ requests may use it (and only they). */
    readonly usesTopicIds = false,
  ) {}

  get size(): number {
    return this.partitions.size;
  }

  evictableKey(): EvictableKey {
    return { privileged: this.privileged, size: this.cachedSize, id: this.id };
  }

  /** Applies an incremental request: new partitions join, named ones take the new request data, forgotten ones go. */
  update(fetchData: readonly FetchSessionPartition[], toForget: readonly ForgottenPartition[]): { added: number; updated: number; removed: number } {
    let added = 0;
    let updated = 0;
    let removed = 0;
    for (const p of fetchData) {
      const key = sessionKey(p, this.usesTopicIds);
      const cached = this.partitions.get(key);
      if (cached) {
        // Kafka's updateRequestParams: the request data changes; a name once resolved stays (the id may be gone
        // from the metadata by now, and the read then tells the fetcher what became of the topic).
        cached.request = { ...p, topic: cached.request.topic ?? p.topic };
        updated++;
      } else {
        this.partitions.set(key, new CachedPartition(p));
        added++;
      }
    }
    for (const f of toForget) if (this.partitions.delete(sessionKey(f, this.usesTopicIds))) removed++;
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
  maybeCreateSession(now: number, privileged: boolean, size: number, partitions: () => Iterable<[string, CachedPartition]>, usesTopicIds = false): number {
    if (this.sessions.size >= this.maxEntries && !this.tryEvict(privileged, { privileged, size, id: 0 }, now)) return INVALID_SESSION_ID;
    let id: number;
    do id = this.randomId();
    while (id === INVALID_SESSION_ID || this.sessions.has(id));
    const session = new FetchSession(id, privileged, now, now, nextEpoch(INITIAL_EPOCH), usesTopicIds);
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
  results: FetchSessionResult[];
}

/**
 * How one Fetch request relates to sessions (Kafka's FetchContext): which partitions it reads, and, given one result
 * per partition in that order, what the response carries.
 */
export interface FetchContext {
  readonly partitions: readonly FetchSessionPartition[];
  respond(results: FetchSessionResult[]): FetchContextResponse;
  /**
   * The empty answer to a fetch throttled by its quota (Kafka's getThrottledResponse): no partitions, and the session
   * left as it was, so what was not sent is sent on a later fetch.
   */
  throttledResponse(): FetchContextResponse;
}

/** A session error: nothing is read; the fetcher must start over with a full request. */
class SessionErrorContext implements FetchContext {
  readonly partitions = [];
  constructor(private readonly error: number) {}
  respond(): FetchContextResponse {
    return { errorCode: this.error, sessionId: INVALID_SESSION_ID, results: [] };
  }
  throttledResponse(): FetchContextResponse {
    return this.respond();
  }
}

/** No session: what was asked is read and answered (every client that sends epoch -1, and Fetch before v7). */
class SessionlessFetchContext implements FetchContext {
  constructor(readonly partitions: readonly FetchSessionPartition[]) {}
  respond(results: FetchSessionResult[]): FetchContextResponse {
    return { errorCode: ErrorCode.NONE, sessionId: INVALID_SESSION_ID, results };
  }
  throttledResponse(): FetchContextResponse {
    return { errorCode: ErrorCode.NONE, sessionId: INVALID_SESSION_ID, results: [] };
  }
}

/** A full request with epoch 0: answered whole, and a new session remembers it if the cache has or makes room. */
class FullFetchContext implements FetchContext {
  constructor(
    private readonly cache: FetchSessionCache,
    private readonly now: () => number,
    private readonly privileged: boolean,
    readonly partitions: readonly FetchSessionPartition[],
    private readonly usesTopicIds: boolean,
  ) {}

  respond(results: FetchSessionResult[]): FetchContextResponse {
    // Partitions whose id is unknown here join the session too (answered UNKNOWN_TOPIC_ID until the id is known).
    const sessionId = this.cache.maybeCreateSession(this.now(), this.privileged, results.length, () =>
      results.map((r, i): [string, CachedPartition] => {
        const p = this.partitions[i] as FetchSessionPartition;
        const cached = new CachedPartition(p);
        cached.highWatermark = r.highWatermark;
        cached.localLogStartOffset = r.logStartOffset;
        return [sessionKey(p, this.usesTopicIds), cached];
      }),
      this.usesTopicIds,
    );
    return { errorCode: ErrorCode.NONE, sessionId, results };
  }
  /** No session is made for a throttled full fetch (Kafka answers it sessionless). */
  throttledResponse(): FetchContextResponse {
    return { errorCode: ErrorCode.NONE, sessionId: INVALID_SESSION_ID, results: [] };
  }
}

/** An incremental request: every partition of the session is read, and only those that changed are answered. */
class IncrementalFetchContext implements FetchContext {
  readonly partitions: readonly FetchSessionPartition[];
  /** The session's epoch once this request was accepted; another request moving it first wins (Kafka's check). */
  private readonly expectedEpoch: number;

  constructor(private readonly session: FetchSession, topicName: TopicNameResolver) {
    if (session.usesTopicIds) {
      // Kafka's maybeResolveUnknownName: a partition whose id was unknown is read once this broker learns its topic.
      for (const p of session.partitions.values()) {
        if (p.request.topic !== null || p.request.topicId === undefined) continue;
        const name = topicName(p.request.topicId);
        if (name !== undefined) p.request = { ...p.request, topic: name };
      }
    }
    this.partitions = [...session.partitions.values()].map((p) => p.request);
    this.expectedEpoch = session.epoch;
  }

  respond(results: FetchSessionResult[]): FetchContextResponse {
    const s = this.session;
    if (s.epoch !== this.expectedEpoch) return { errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH, sessionId: s.id, results: [] };
    const sent: FetchSessionResult[] = [];
    for (const [i, r] of results.entries()) {
      const key = sessionKey(this.partitions[i] as FetchSessionPartition, s.usesTopicIds);
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
  throttledResponse(): FetchContextResponse {
    const s = this.session;
    if (s.epoch !== this.expectedEpoch) return { errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH, sessionId: s.id, results: [] };
    return { errorCode: ErrorCode.NONE, sessionId: s.id, results: [] };
  }
}

/** Kafka's FetchManager: turns a request's session id and epoch into its FetchContext. */
export class FetchManager {
  constructor(
    readonly cache: FetchSessionCache,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * `topicName` is given for Fetch v13+, whose partitions name topics by id (their names already resolved by the
   * caller, null where unknown); it resolves session partitions whose id was unknown when they joined.
   */
  newContext(
    sessionId: number,
    epoch: number,
    fromFollower: boolean,
    fetchData: readonly FetchSessionPartition[],
    toForget: readonly ForgottenPartition[],
    topicName?: TopicNameResolver,
  ): FetchContext {
    const usesTopicIds = topicName !== undefined;
    if (epoch === INITIAL_EPOCH || epoch === FINAL_EPOCH) {
      // A full request closes the session it names.
      if (sessionId !== INVALID_SESSION_ID) this.cache.remove(sessionId);
      return epoch === FINAL_EPOCH ? new SessionlessFetchContext(fetchData) : new FullFetchContext(this.cache, this.now, fromFollower, fetchData, usesTopicIds);
    }
    const session = this.cache.get(sessionId);
    if (!session) return new SessionErrorContext(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    if (session.epoch !== epoch) return new SessionErrorContext(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    // A session keeps the naming it was made with: ids and names cannot be matched to each other (Kafka 3.1+).
    if (session.usesTopicIds !== usesTopicIds) return new SessionErrorContext(ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR);
    session.update(fetchData, toForget);
    if (session.size === 0) {
      // Everything forgotten: the session ends and this request is answered as a sessionless one.
      this.cache.remove(session.id);
      return new SessionlessFetchContext(fetchData);
    }
    this.cache.touch(session, this.now());
    session.epoch = nextEpoch(session.epoch);
    return new IncrementalFetchContext(session, topicName ?? (() => undefined));
  }
}
