// The Fetch handler naming topics by id (v13, KIP-516) over a real ReplicaManager: ids resolved through the metadata
// cache, UNKNOWN_TOPIC_ID for an id no topic has (the zero uuid included), INCONSISTENT_TOPIC_ID when the replica's own
// id differs, responses by id, and sessions that may not switch between ids and names.
import { decodeResponse, encodeResponse } from '../../../../src/protocol/codec';
import { ErrorCode } from '../../../../src/protocol/errors';
import { Fetch, type FetchRequest, type FetchResponse } from '../../../../src/protocol/messages/01-fetch';
import { fetchHandler } from '../../../../src/server/handlers/01-fetch';
import { FetchManager, FetchSessionCache } from '../../../../src/server/FetchSession';
import type { ReplicaManager } from '../../../../src/server/ReplicaManager';
import type { MetadataCache } from '../../../../src/server/MetadataCache';
import { ZERO_UUID } from '../../../../src/util/uuid';
import { batch, requestContext } from '../helpers';
import { leaderAndIsr, setup } from '../replicaManagerSetup';

const ID = 'zZ3Ab1FCRmGvjlqDH7bD8g';
const OTHER = 'q0nWcaBWSxqa2WJeUqztrw';
const UNKNOWN = 'Xb9LgSyCQAWcEJRBk2lyDw';

type Broker = { rm: ReplicaManager; cache: MetadataCache; fm: FetchManager };
let brokers: Broker[] = [];
afterEach(async () => {
  for (const b of brokers) await b.rm.shutdown();
  brokers = [];
});

/** Broker 1 leads t-0 and t-1 (3 records in t-0), whose replicas hold `localId`; the cache knows t by `cachedId`. */
async function broker(localId = ID, cachedId = ID): Promise<Broker> {
  const { rm, cache } = await setup();
  await rm.becomeLeaderOrFollower(leaderAndIsr([0, 1].map((partition) => ({ partition, leader: 1, leaderEpoch: 0, isr: [1], replicas: [1] })), 1, -1n, localId), 5);
  cache.applyUpdate(9, 1, null, [0, 1].map((partition) => ({ topic: 't', partition, leader: 1, leaderEpoch: 0, isr: [1], replicas: [1], offlineReplicas: [], zkVersion: 0, controllerEpoch: 1 })), new Map([['t', cachedId]]));
  await rm.appendRecords(1000, 1, [{ topic: 't', partition: 0, records: batch(3) }]);
  const b = { rm, cache, fm: new FetchManager(new FetchSessionCache(10)) };
  brokers.push(b);
  return b;
}

const part = (partition: number, fetchOffset = 0n) => ({ partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 });

function request(topics: Array<{ topicId?: string; topic?: string; partitions: ReturnType<typeof part>[] }>, session: { sessionId?: number; sessionEpoch?: number } = {}, forgotten: FetchRequest['forgottenTopicsData'] = []): FetchRequest {
  return {
    clusterId: null, replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: session.sessionId ?? 0, sessionEpoch: session.sessionEpoch ?? -1,
    topics: topics.map((t) => ({ topic: t.topic ?? '', topicId: t.topicId ?? ZERO_UUID, partitions: t.partitions })), forgottenTopicsData: forgotten, rackId: '',
  };
}

/** Handles `req` at `version` and passes the answer through the codec at that version. */
async function fetch(b: Broker, version: number, req: FetchRequest): Promise<FetchResponse> {
  const ctx = requestContext({ apiVersion: version, metadataCache: b.cache, services: { replicaManager: b.rm, fetchManager: b.fm } });
  const r = await fetchHandler.handle(req, ctx);
  return decodeResponse(Fetch, version, encodeResponse(Fetch, version, 1, r as FetchResponse).subarray(4)).body as FetchResponse;
}

/** [topic id, partition, error, bytes of records] per answered partition. */
const summary = (r: FetchResponse) => r.responses.flatMap((t) => t.partitionResponses.map((p) => [t.topicId, p.partition, p.errorCode, p.recordSet?.length ?? 0]));

describe('Fetch v13 by topic id', () => {
  test('reads a topic by id and answers by id; an unknown id and the zero uuid get UNKNOWN_TOPIC_ID', async () => {
    const b = await broker();
    const r = await fetch(b, 13, request([{ topicId: ID, partitions: [part(0)] }, { topicId: UNKNOWN, partitions: [part(0), part(1)] }, { topicId: ZERO_UUID, partitions: [part(0)] }]));
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(r.responses.map((t) => [t.topicId, t.topic])).toEqual([[ID, ''], [UNKNOWN, ''], [ZERO_UUID, '']]);
    const [ok, ...rest] = summary(r);
    expect(ok?.slice(0, 3)).toEqual([ID, 0, ErrorCode.NONE]);
    expect(ok?.[3]).toBeGreaterThan(0);
    expect(rest).toEqual([[UNKNOWN, 0, ErrorCode.UNKNOWN_TOPIC_ID, 0], [UNKNOWN, 1, ErrorCode.UNKNOWN_TOPIC_ID, 0], [ZERO_UUID, 0, ErrorCode.UNKNOWN_TOPIC_ID, 0]]);
    expect(r.responses[1]?.partitionResponses[0]).toMatchObject({ highWatermark: -1n, logStartOffset: -1n });
  });

  test('a replica whose own id differs from the one the name now has answers INCONSISTENT_TOPIC_ID', async () => {
    // The metadata says t is OTHER (re-created), but this replica still holds the old topic's log.
    const b = await broker(ID, OTHER);
    expect(summary(await fetch(b, 13, request([{ topicId: OTHER, partitions: [part(0)] }])))).toEqual([[OTHER, 0, ErrorCode.INCONSISTENT_TOPIC_ID, 0]]);
    // The old id is unknown to the metadata; v12 names t and is not checked against ids.
    expect(summary(await fetch(b, 13, request([{ topicId: ID, partitions: [part(0)] }])))[0]?.[2]).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
    const v12 = await fetch(b, 12, request([{ topic: 't', partitions: [part(0)] }]));
    expect(v12.responses[0]?.topic).toBe('t');
    expect(v12.responses[0]?.partitionResponses[0]?.errorCode).toBe(ErrorCode.NONE);
  });

  test('a full session by id, then incremental requests answering only what changed; unknown ids stay answered', async () => {
    const b = await broker();
    const full = await fetch(b, 13, request([{ topicId: ID, partitions: [part(0, 3n), part(1)] }, { topicId: UNKNOWN, partitions: [part(0)] }], { sessionEpoch: 0 }));
    expect(full.sessionId).toBeGreaterThan(0);
    expect(summary(full)).toEqual([[ID, 0, 0, 0], [ID, 1, 0, 0], [UNKNOWN, 0, ErrorCode.UNKNOWN_TOPIC_ID, 0]]);
    const session = { sessionId: full.sessionId };
    // Nothing new: only the partition with an error is answered.
    expect(summary(await fetch(b, 13, request([], { ...session, sessionEpoch: 1 })))).toEqual([[UNKNOWN, 0, ErrorCode.UNKNOWN_TOPIC_ID, 0]]);
    await b.rm.appendRecords(1000, 1, [{ topic: 't', partition: 1, records: batch(2) }]);
    const inc = await fetch(b, 13, request([], { ...session, sessionEpoch: 2 }, [{ topic: '', topicId: UNKNOWN, partitions: [0] }]));
    expect(inc.sessionId).toBe(full.sessionId);
    expect(summary(inc).map((x) => x.slice(0, 3))).toEqual([[ID, 1, 0]]);
    expect(summary(inc)[0]?.[3]).toBeGreaterThan(0);
    // The same session at v12 (names) is refused, and left as it was.
    const mixed = await fetch(b, 12, request([], { ...session, sessionEpoch: 3 }));
    expect([mixed.errorCode, mixed.sessionId, mixed.responses]).toEqual([ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR, 0, []]);
    expect((await fetch(b, 13, request([], { ...session, sessionEpoch: 3 }))).errorCode).toBe(ErrorCode.NONE);
  });

  test('a session made at v12 (names) cannot be used at v13', async () => {
    const b = await broker();
    const full = await fetch(b, 12, request([{ topic: 't', partitions: [part(0)] }], { sessionEpoch: 0 }));
    const mixed = await fetch(b, 13, request([{ topicId: ID, partitions: [part(1)] }], { sessionId: full.sessionId, sessionEpoch: 1 }));
    expect([mixed.errorCode, mixed.responses]).toEqual([ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR, []]);
  });
});
