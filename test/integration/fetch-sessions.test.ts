// Incremental fetch sessions (KIP-227) end to end on the wire, with Fetch v12 and Produce v9 (the Kafka 3.x flexible
// versions): a client with a session over many partitions hears only about the partitions that changed.
import { KafkaConnection } from '../../src/client';
import { FetchSessionHandler, type SessionPartition } from '../../src/client/FetchSessionHandler';
import { ErrorCode } from '../../src/protocol/errors';
import { Fetch, type FetchResponse } from '../../src/protocol/messages/01-fetch';
import { Produce } from '../../src/protocol/messages/00-produce';
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
    expect(forgot.forgottenTopicsData).toEqual([{ topic: TOPIC, partitions: [PARTITIONS - 1] }]);
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
});
