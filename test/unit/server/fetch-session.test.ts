// Incremental fetch sessions (KIP-227) as Kafka's FetchSession.scala keeps them: epochs, session errors, the cache's
// eviction rules, and which partitions an incremental response carries.
import { ErrorCode } from '../../../src/protocol/errors';
import {
  FetchManager, FetchSessionCache, FINAL_EPOCH, INITIAL_EPOCH, INVALID_SESSION_ID, nextEpoch,
  type FetchContext, type FetchSessionPartition, type FetchSessionResult,
} from '../../../src/server/FetchSession';
import type { FetchPartitionRequest, FetchPartitionResult } from '../../../src/server/ReplicaFetch';

const EVICTION_MS = 1000;

/** Session ids 1, 2, 3, ... in creation order. */
function cache(slots: number): FetchSessionCache {
  let next = 0;
  return new FetchSessionCache(slots, EVICTION_MS, () => ++next);
}

const req = (partition: number, fetchOffset = 0n, topic = 't'): FetchPartitionRequest =>
  ({ topic, partition, fetchOffset, currentLeaderEpoch: -1, logStartOffset: -1n, maxBytes: 1000, lastFetchedEpoch: -1 });

const result = (partition: number, o: Partial<FetchPartitionResult> = {}): FetchPartitionResult =>
  ({ topic: 't', partition, errorCode: 0, highWatermark: 10n, lastStableOffset: 10n, logStartOffset: 0n, records: Buffer.alloc(0), ...o });

/** Answers a context the way the handler does: one result per partition it reads, `over` replacing some. */
function answer(ctx: FetchContext, over: Record<number, Partial<FetchPartitionResult>> = {}) {
  return ctx.respond(ctx.partitions.map((p) => result(p.partition, over[p.partition] ?? {})));
}
const sentPartitions = (r: { results: ReadonlyArray<{ partition: number }> }): number[] => r.results.map((x) => x.partition);

describe('nextEpoch (FetchMetadata.nextEpoch)', () => {
  it.each([[0, 1], [1, 2], [0x7fffffff, 1], [FINAL_EPOCH, FINAL_EPOCH]])('%i -> %i', (a, b) => {
    expect(nextEpoch(a)).toBe(b);
  });
});

describe('FetchSessionCache eviction', () => {
  const parts = (n: number) => () => Array.from({ length: n }, (_, i): [string, never] => [`t-${i}`, {} as never]);

  it('fills its slots, then refuses a newcomer while every session is young', () => {
    const c = cache(2);
    expect(c.maybeCreateSession(0, false, 5, parts(5))).toBe(1);
    expect(c.maybeCreateSession(0, false, 5, parts(5))).toBe(2);
    expect(c.maybeCreateSession(10, false, 50, parts(50))).toBe(INVALID_SESSION_ID);
    expect([c.size, c.totalPartitions, c.evictions]).toEqual([2, 10, 0]);
  });

  it('evicts the least recently used session once it is stale, whoever asks', () => {
    const c = cache(2);
    c.maybeCreateSession(0, true, 5, parts(5));
    c.maybeCreateSession(100, true, 5, parts(5));
    c.touch(c.get(1)!, 600); // session 2 is now the least recently used
    expect(c.maybeCreateSession(1101, false, 1, parts(1))).toBe(3);
    expect([c.get(1) !== undefined, c.get(2) !== undefined]).toEqual([true, false]);
    expect(c.evictions).toBe(1);
  });

  it('lets a follower (privileged) evict a young consumer session, but not a young follower session', () => {
    const c = cache(1);
    c.maybeCreateSession(0, false, 100, parts(100));
    expect(c.maybeCreateSession(10, true, 1, parts(1))).toBe(2);
    expect(c.get(1)).toBeUndefined();
    expect(c.maybeCreateSession(20, true, 500, parts(500))).toBe(INVALID_SESSION_ID);
    expect(c.maybeCreateSession(20, false, 500, parts(500))).toBe(INVALID_SESSION_ID);
  });

  it('lets a bigger newcomer evict an old (not stale) session with fewer partitions, never an equal or smaller one', () => {
    const c = cache(1);
    c.maybeCreateSession(0, false, 5, parts(5));
    // Old enough at its last touch to be evictable, recently used so not stale.
    c.touch(c.get(1)!, 1500);
    expect(c.maybeCreateSession(1600, false, 5, parts(5))).toBe(INVALID_SESSION_ID);
    expect(c.maybeCreateSession(1600, false, 4, parts(4))).toBe(INVALID_SESSION_ID);
    expect(c.maybeCreateSession(1600, false, 6, parts(6))).toBe(2);
  });

  it('an old follower session is evictable by a bigger follower, not by a consumer however big', () => {
    const c = cache(1);
    c.maybeCreateSession(0, true, 5, parts(5));
    c.touch(c.get(1)!, 1500);
    expect(c.maybeCreateSession(1600, false, 50, parts(50))).toBe(INVALID_SESSION_ID);
    expect(c.maybeCreateSession(1600, true, 50, parts(50))).toBe(2);
  });

  it('remove and touch keep the partition count', () => {
    const c = cache(3);
    c.maybeCreateSession(0, false, 2, parts(2));
    c.maybeCreateSession(0, false, 3, parts(3));
    expect(c.totalPartitions).toBe(5);
    c.remove(1);
    expect([c.size, c.totalPartitions]).toEqual([1, 3]);
    expect(c.remove(1)).toBeUndefined();
  });
});

describe('FetchManager contexts', () => {
  let now = 0;
  const manager = (slots = 10) => new FetchManager(cache(slots), () => now);
  beforeEach(() => {
    now = 0;
  });

  /** A session over partitions 0-3 of t: returns the manager and the session id. */
  function withSession() {
    const fm = manager();
    const full = fm.newContext(INVALID_SESSION_ID, INITIAL_EPOCH, false, [0, 1, 2, 3].map((p) => req(p)), []);
    const r = answer(full);
    expect(r).toMatchObject({ errorCode: 0, sessionId: 1 });
    expect(sentPartitions(r)).toEqual([0, 1, 2, 3]);
    return { fm, id: r.sessionId };
  }

  it('epoch -1 is sessionless (no session made, and a named session is closed); epoch 0 makes one', () => {
    const { fm, id } = withSession();
    const r = answer(fm.newContext(id, FINAL_EPOCH, false, [req(0)], []));
    expect(r).toMatchObject({ errorCode: 0, sessionId: INVALID_SESSION_ID });
    expect(fm.cache.size).toBe(0);
    // A full request with epoch 0 naming an old session closes it and opens another.
    const again = answer(fm.newContext(INVALID_SESSION_ID, INITIAL_EPOCH, false, [req(0)], []));
    expect(answer(fm.newContext(again.sessionId, INITIAL_EPOCH, false, [req(0)], [])).sessionId).not.toBe(again.sessionId);
    expect(fm.cache.size).toBe(1);
  });

  it('answers FETCH_SESSION_ID_NOT_FOUND and INVALID_FETCH_SESSION_EPOCH, reading nothing', () => {
    const { fm, id } = withSession();
    const missing = fm.newContext(99, 1, false, [req(0)], []);
    expect(missing.partitions).toEqual([]);
    expect(answer(missing)).toEqual({ errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: INVALID_SESSION_ID, results: [] });
    expect(answer(fm.newContext(id, 2, false, [], []))).toEqual({ errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH, sessionId: INVALID_SESSION_ID, results: [] });
    // The right epoch still works afterwards, and then moves on.
    expect(answer(fm.newContext(id, 1, false, [], [])).errorCode).toBe(0);
    expect(answer(fm.newContext(id, 1, false, [], [])).errorCode).toBe(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    expect(answer(fm.newContext(id, 2, false, [], [])).errorCode).toBe(0);
  });

  it('reads every session partition with the latest request data; answers only the changed ones', () => {
    const { fm, id } = withSession();
    const ctx = fm.newContext(id, 1, false, [req(2, 7n)], []);
    expect(ctx.partitions.map((p) => [p.partition, p.fetchOffset])).toEqual([[0, 0n], [1, 0n], [2, 7n], [3, 0n]]);
    // Nothing changed: an empty answer.
    expect(answer(ctx)).toEqual({ errorCode: 0, sessionId: id, results: [] });
    const r = answer(fm.newContext(id, 2, false, [], []), {
      0: { records: Buffer.from('x') }, // new records
      1: { highWatermark: 11n }, // the HW moved
      3: { logStartOffset: 4n }, // the log start moved
    });
    expect(sentPartitions(r)).toEqual([0, 1, 3]);
    // Those changes are remembered: the same values again are not news.
    expect(sentPartitions(answer(fm.newContext(id, 3, false, [], []), { 1: { highWatermark: 11n }, 3: { logStartOffset: 4n } }))).toEqual([]);
  });

  it('always answers errors and diverging epochs, and re-sends a partition once its error clears', () => {
    const { fm, id } = withSession();
    const r = answer(fm.newContext(id, 1, false, [], []), { 1: { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER }, 2: { divergingEpoch: { epoch: 1, endOffset: 3n } } });
    expect(sentPartitions(r)).toEqual([1, 2]);
    expect(sentPartitions(answer(fm.newContext(id, 2, false, [], []), { 1: { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER } }))).toEqual([1]);
    // Error gone, same HW as before the error: still sent, so the fetcher learns it is fine again.
    expect(sentPartitions(answer(fm.newContext(id, 3, false, [], [])))).toEqual([1]);
    expect(sentPartitions(answer(fm.newContext(id, 4, false, [], [])))).toEqual([]);
  });

  it('moves a partition that returned records to the end of the read order', () => {
    const { fm, id } = withSession();
    answer(fm.newContext(id, 1, false, [], []), { 1: { records: Buffer.from('x') } });
    expect(fm.newContext(id, 2, false, [], []).partitions.map((p) => p.partition)).toEqual([0, 2, 3, 1]);
  });

  it('adds new partitions and forgets forgotten ones; forgetting all ends the session (answered sessionless)', () => {
    const { fm, id } = withSession();
    const ctx = fm.newContext(id, 1, false, [req(4), req(0, 0n, 'u')], [{ topic: 't', partition: 1 }, { topic: 't', partition: 9 }]);
    expect(ctx.partitions.map((p) => `${p.topic}-${p.partition}`)).toEqual(['t-0', 't-2', 't-3', 't-4', 'u-0']);
    expect(fm.cache.totalPartitions).toBe(5);
    // New partitions have no remembered HW: they are answered.
    expect(sentPartitions(ctx.respond(ctx.partitions.map((p) => ({ ...result(p.partition), topic: p.topic }))))).toEqual([4, 0]);
    const end = fm.newContext(id, 2, false, [], ['t-0', 't-2', 't-3', 't-4', 'u-0'].map((k) => ({ topic: k[0]!, partition: Number(k.slice(2)) })));
    expect(answer(end)).toEqual({ errorCode: 0, sessionId: INVALID_SESSION_ID, results: [] });
    expect(fm.cache.size).toBe(0);
  });

  it('a request that lost the race for the session epoch while it waited answers INVALID_FETCH_SESSION_EPOCH', () => {
    const { fm, id } = withSession();
    const slow = fm.newContext(id, 1, false, [], []);
    // A retry of the same request (same epoch) is refused; the next epoch moves the session on.
    expect(answer(fm.newContext(id, 2, false, [], [])).errorCode).toBe(0);
    expect(answer(slow)).toEqual({ errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH, sessionId: id, results: [] });
  });

  it('gives up on a session when the cache has no room: the full request is answered with session id 0', () => {
    const fm = manager(1);
    expect(answer(fm.newContext(0, INITIAL_EPOCH, false, [req(0)], [])).sessionId).toBe(1);
    expect(answer(fm.newContext(0, INITIAL_EPOCH, false, [req(0)], [])).sessionId).toBe(INVALID_SESSION_ID);
    // A follower's session takes a consumer's place.
    expect(answer(fm.newContext(0, INITIAL_EPOCH, true, [req(0)], [])).sessionId).toBe(2);
  });
});

describe('FetchManager sessions by topic id (Fetch v13, KIP-516)', () => {
  const ID_T = 'zZ3Ab1FCRmGvjlqDH7bD8g';
  const ID_U = 'q0nWcaBWSxqa2WJeUqztrw';
  let names: Map<string, string>;
  const resolve = (id: string) => names.get(id);
  /** A v13 partition: the id, and the name the handler resolved for it now (null when unknown). */
  const idReq = (topicId: string, partition: number, fetchOffset = 0n): FetchSessionPartition =>
    ({ ...req(partition, fetchOffset), topic: names.get(topicId) ?? null, topicId });
  const answerIds = (ctx: FetchContext, over: Record<string, Partial<FetchSessionResult>> = {}) =>
    ctx.respond(ctx.partitions.map((p) => ({ ...result(p.partition), topic: p.topic, topicId: p.topicId, ...(over[`${p.topicId}:${p.partition}`] ?? {}) })));
  const read = (ctx: FetchContext): string[] => ctx.partitions.map((p) => `${p.topic ?? '?'}/${p.topicId}-${p.partition}`);
  beforeEach(() => {
    names = new Map([[ID_T, 't']]);
  });
  const manager = () => new FetchManager(cache(10), () => 0);

  it('keys partitions by id: an unknown id joins the session unresolved and is read once the broker learns it', () => {
    const fm = manager();
    const full = fm.newContext(0, INITIAL_EPOCH, false, [idReq(ID_T, 0), idReq(ID_U, 0)], [], resolve);
    expect(read(full)).toEqual([`t/${ID_T}-0`, `?/${ID_U}-0`]);
    const r = answerIds(full, { [`${ID_U}:0`]: { errorCode: ErrorCode.UNKNOWN_TOPIC_ID, highWatermark: -1n, logStartOffset: -1n } });
    expect(r.sessionId).toBe(1);
    expect(fm.cache.get(1)?.usesTopicIds).toBe(true);
    // The topic appears (UpdateMetadata): the next incremental request reads it by name without naming it again.
    names.set(ID_U, 'u');
    expect(read(fm.newContext(1, 1, false, [], [], resolve))).toEqual([`t/${ID_T}-0`, `u/${ID_U}-0`]);
  });

  it('updates and forgets by id; a name once resolved stays after its id leaves the metadata', () => {
    const fm = manager();
    answerIds(fm.newContext(0, INITIAL_EPOCH, false, [idReq(ID_T, 0), idReq(ID_T, 1)], [], resolve));
    names.delete(ID_T); // topic t deleted: its id is gone from the cache
    const ctx = fm.newContext(1, 1, false, [idReq(ID_T, 0, 5n)], [{ topic: null, topicId: ID_T, partition: 1 }], resolve);
    // The read names t with the old id: the replica (gone, or re-created with another id) answers what became of it.
    expect(ctx.partitions.map((p) => [p.topic, p.topicId, p.partition, p.fetchOffset])).toEqual([['t', ID_T, 0, 5n]]);
  });

  it('two topics with the same partition stay apart even when neither id is known', () => {
    const fm = manager();
    names.clear();
    const full = fm.newContext(0, INITIAL_EPOCH, false, [idReq(ID_T, 0), idReq(ID_U, 0)], [], resolve);
    answerIds(full);
    expect(fm.cache.get(1)?.size).toBe(2);
  });

  it('answers FETCH_SESSION_TOPIC_ID_ERROR when a session made with names is used by id, or the other way round', () => {
    const fm = manager();
    const byName = answer(fm.newContext(0, INITIAL_EPOCH, false, [req(0)], [])).sessionId;
    const byId = answerIds(fm.newContext(0, INITIAL_EPOCH, false, [idReq(ID_T, 0)], [], resolve)).sessionId;
    const mixed1 = fm.newContext(byName, 1, false, [], [], resolve);
    expect(mixed1.partitions).toEqual([]);
    expect(answer(mixed1)).toEqual({ errorCode: ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR, sessionId: INVALID_SESSION_ID, results: [] });
    expect(answer(fm.newContext(byId, 1, false, [], []))).toEqual({ errorCode: ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR, sessionId: INVALID_SESSION_ID, results: [] });
    // Neither session is closed nor moved on: each still works at its own kind of version.
    expect(answer(fm.newContext(byName, 1, false, [], [])).errorCode).toBe(ErrorCode.NONE);
    expect(answerIds(fm.newContext(byId, 1, false, [], [], resolve)).errorCode).toBe(ErrorCode.NONE);
    // A full request may switch: it closes the old session and makes one of the new kind.
    const switched = answerIds(fm.newContext(byName, INITIAL_EPOCH, false, [idReq(ID_T, 0)], [], resolve)).sessionId;
    expect([fm.cache.get(byName), fm.cache.get(switched)?.usesTopicIds]).toEqual([undefined, true]);
  });

  it('answers only changed partitions, found by id', () => {
    const fm = manager();
    answerIds(fm.newContext(0, INITIAL_EPOCH, false, [idReq(ID_T, 0), idReq(ID_T, 1)], [], resolve));
    const r = answerIds(fm.newContext(1, 1, false, [], [], resolve), { [`${ID_T}:1`]: { records: Buffer.from('x') } });
    expect(r.results.map((x) => [x.topicId, x.partition])).toEqual([[ID_T, 1]]);
  });
});
