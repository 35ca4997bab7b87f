// Incremental fetch sessions (KIP-227) end to end on the wire, with Fetch v12 and Produce v9 (the Kafka 3.x flexible
// versions): a client with a session over many partitions hears only about the partitions that changed. Fetch v13
// names the topic by the id Metadata v12 gives (KIP-516), in full and incremental sessions.
import { KafkaConnection } from '../../src/client';
import { FetchSessionHandler, type SessionPartition } from '../../src/client/FetchSessionHandler';
import { ErrorCode } from '../../src/protocol/errors';
import { Fetch, type FetchResponse } from '../../src/protocol/messages/01-fetch';
import { Produce } from '../../src/protocol/messages/00-produce';
import { Metadata } from '../../src/protocol/messages/03-metadata';
import { ZERO_UUID } from '../../src/util/uuid';
import { buildRecordBatch } from '../../src/protocol/record/records';
import { runBrook, startCluster, type TestCluster } from '../harness';
import { waitForController } from './datapath-helpers';

jest.setTimeout(120_000);

const TOPIC = 'sessions';
const PARTITIONS = 60;

describe('incremental fetch sessions', () => {
  let cluster: TestCluster;
  let conn: KafkaConnection;

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 1, overrides: { 'auto.create.topics.enable': 'false' } });
    await waitForController(cluster);
    const r = await runBrook(['topics', '--create', '--topic', TOPIC, '--partitions', String(PARTITIONS), '--replication-factor', '1', '--bootstrap-server', cluster.bootstrap]);
    expect([r.code, r.stderr]).toEqual([0, expect.anything()]);
    const b = cluster.brokers.values().next().value!;
    conn = await KafkaConnection.connect(b.host, b.port, { clientId: 'fetch-sessions' });
  });
  afterAll(async () => {
    conn?.close();
    await cluster?.teardown();
  });

  /** Produce v9 (flexible): one record to each of `partitions`. */
  async function produce(partitions: number[], value: string): Promise<void> {
    const partitionData = await Promise.all(partitions.map(async (index) => ({ index, records: await buildRecordBatch({ records: [{ value, timestamp: BigInt(Date.now()) }] }) })));
    const r = await conn.request(Produce, 9, { transactionalId: null, acks: 1, timeoutMs: 10_000, topicData: [{ name: TOPIC, partitionData }] });
    expect(r.responses[0]!.partitionResponses.map((p) => p.errorCode)).toEqual(partitions.map(() => 0));
  }

  const positions = new Map<number, bigint>(Array.from({ length: PARTITIONS }, (_, p) => [p, 0n]));
  const wanted = (): SessionPartition[] => [...positions].map(([partition, fetchOffset]) => ({
    topic: TOPIC, partition, fetchOffset, currentLeaderEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20, lastFetchedEpoch: -1,
  }));

  /** One Fetch v12 through the session handler; advances positions by what came back. */
  async function fetch(session: FetchSessionHandler, maxWaitMs = 50): Promise<FetchResponse> {
    const r = await conn.request(Fetch, 12, { clusterId: null, replicaId: -1, maxWaitMs, minBytes: 1, maxBytes: 50 << 20, isolationLevel: 0, ...session.build(wanted()), rackId: '' });
    if (session.handleResponse(r)) {
      for (const p of r.responses.flatMap((t) => t.partitionResponses)) if (p.errorCode === 0) positions.set(p.partition, p.highWatermark);
    }
    return r;
  }
  const answered = (r: FetchResponse): number[] => r.responses.flatMap((t) => t.partitionResponses.map((p) => p.partition)).sort((a, b) => a - b);

  it('a full fetch opens a session and answers every partition; incremental ones answer only what changed', async () => {
    await produce([3, 17], 'before');
    const session = new FetchSessionHandler();
    const full = await fetch(session);
    expect(full.errorCode).toBe(0);
    expect(full.sessionId).toBeGreaterThan(0);
    expect(answered(full)).toHaveLength(PARTITIONS);
    expect(session.isIncremental).toBe(true);

    // Partitions 3 and 17 moved their positions (a changed request), nothing else changed: an empty answer.
    const quiet = await fetch(session);
    expect([quiet.errorCode, quiet.sessionId, answered(quiet)]).toEqual([0, full.sessionId, []]);

    await produce([42], 'news');
    const news = await fetch(session, 2000);
    expect(answered(news)).toEqual([42]);
    const p42 = news.responses[0]!.partitionResponses[0]!;
    expect([p42.highWatermark, p42.recordSet!.length > 0]).toEqual([1n, true]);

    // The request of an incremental fetch carries only changed partitions: here just the one that advanced.
    const body = session.build(wanted());
    expect(body.topics.flatMap((t) => t.partitions.map((p) => p.partition))).toEqual([42]);
    session.handleError(); // that request was never sent: start over with a full one
    expect(answered(await fetch(session))).toHaveLength(PARTITIONS);
  });

  it('forgotten partitions leave the session; session errors are Kafka\'s', async () => {
    const session = new FetchSessionHandler();
    await fetch(session);
    positions.delete(PARTITIONS - 1);
    const forgot = session.build(wanted());
    expect(forgot.forgottenTopicsData).toEqual([{ topic: TOPIC, topicId: ZERO_UUID, partitions: [PARTITIONS - 1] }]);
    const base = { clusterId: null, replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, rackId: '' };
    const r = await conn.request(Fetch, 12, { ...base, ...forgot });
    expect(session.handleResponse(r)).toBe(true);
    await produce([PARTITIONS - 1], 'unheard');
    expect(answered(await fetch(session, 300))).toEqual([]);

    // The same epoch again (a duplicate request), and a session id the broker never made.
    const stale = await conn.request(Fetch, 12, { ...base, ...forgot, topics: [] });
    expect([stale.errorCode, stale.responses]).toEqual([ErrorCode.INVALID_FETCH_SESSION_EPOCH, []]);
    const unknown = await conn.request(Fetch, 12, { ...base, sessionId: 12345, sessionEpoch: 1, topics: [], forgottenTopicsData: [] });
    expect([unknown.errorCode, unknown.sessionId]).toEqual([ErrorCode.FETCH_SESSION_ID_NOT_FOUND, 0]);
  });

  it('sessionless fetches (epoch -1, as kafkajs and librdkafka send) and Fetch v4-v11 answer every partition as before', async () => {
    for (const v of [4, 7, 11, 12]) {
      const r = await conn.request(Fetch, v, { clusterId: null, replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic: TOPIC, partitions: [0, 1, 2].map((partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 })) }], forgottenTopicsData: [], rackId: '' });
      expect([r.errorCode, r.sessionId, answered(r)]).toEqual([0, 0, [0, 1, 2]]);
    }
  });

  it('Fetch v13 reads by the topic id from Metadata v12, sessionless, full and incremental; an unknown id gets UNKNOWN_TOPIC_ID', async () => {
    const md = await conn.request(Metadata, 12, { topics: [{ topicId: ZERO_UUID, name: TOPIC }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    const topicId = md.topics[0]!.topicId;
    expect(md.topics[0]!.errorCode).toBe(0);
    expect(topicId).not.toBe(ZERO_UUID);
    const unknownId = 'Xb9LgSyCQAWcEJRBk2lyDw';
    const base = { clusterId: null, replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, rackId: '', forgottenTopicsData: [] };
    const parts = (ps: number[]) => ps.map((partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }));
    const summary = (r: FetchResponse) => r.responses.flatMap((t) => t.partitionResponses.map((p) => [t.topicId, p.partition, p.errorCode, (p.recordSet?.length ?? 0) > 0]));
    await produce([5], 'by-id');

    const sessionless = await conn.request(Fetch, 13, { ...base, sessionId: 0, sessionEpoch: -1, topics: [{ topicId, partitions: parts([5, 6]) }, { topicId: unknownId, partitions: parts([0]) }] });
    expect([sessionless.errorCode, sessionless.sessionId]).toEqual([0, 0]);
    expect(summary(sessionless)).toEqual([[topicId, 5, 0, true], [topicId, 6, 0, false], [unknownId, 0, ErrorCode.UNKNOWN_TOPIC_ID, false]]);

    const full = await conn.request(Fetch, 13, { ...base, sessionId: 0, sessionEpoch: 0, topics: [{ topicId, partitions: parts([7, 8]) }, { topicId: unknownId, partitions: parts([0]) }] });
    expect(full.sessionId).toBeGreaterThan(0);
    expect(summary(full)).toEqual([[topicId, 7, 0, false], [topicId, 8, 0, false], [unknownId, 0, ErrorCode.UNKNOWN_TOPIC_ID, false]]);
    // Incremental: the unknown id is still answered (an error), and partition 8 once it has news.
    await produce([8], 'news-by-id');
    const inc = await conn.request(Fetch, 13, { ...base, sessionId: full.sessionId, sessionEpoch: 1, topics: [] });
    expect([inc.errorCode, inc.sessionId]).toEqual([0, full.sessionId]);
    expect(summary(inc)).toEqual([[topicId, 8, 0, true], [unknownId, 0, ErrorCode.UNKNOWN_TOPIC_ID, false]]);
    // Forgetting the unknown id by id; nothing new: an empty answer.
    const quiet = await conn.request(Fetch, 13, { ...base, sessionId: full.sessionId, sessionEpoch: 2, topics: [{ topicId, partitions: parts([8]).map((p) => ({ ...p, fetchOffset: 1n })) }], forgottenTopicsData: [{ topic: '', topicId: unknownId, partitions: [0] }] });
    expect([quiet.errorCode, summary(quiet)]).toEqual([0, []]);
    // The same session by name (v12) is refused: a session uses ids or names, never both.
    const mixed = await conn.request(Fetch, 12, { ...base, sessionId: full.sessionId, sessionEpoch: 3, topics: [] });
    expect([mixed.errorCode, mixed.sessionId]).toEqual([ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR, 0]);
  });
});
