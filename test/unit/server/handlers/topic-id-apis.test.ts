// Handlers answering topic ids (KIP-516): Metadata v10-12 (ids answered; v12 topics asked for by id, UNKNOWN_TOPIC_ID
// for an id no topic has), CreateTopics v7 (the new topic's id), DeleteTopics v6 (topics deleted by id).
import { decodeResponse, encodeResponse } from '../../../../src/protocol/codec';
import { ErrorCode, KafkaError } from '../../../../src/protocol/errors';
import { CreateTopics, DeleteTopics, Metadata, type MetadataRequest, type MetadataResponse } from '../../../../src/protocol/messages';
import { MetadataCache, type CachedPartition } from '../../../../src/server/MetadataCache';
import { metadataHandler } from '../../../../src/server/handlers/03-metadata';
import { createTopicsHandler } from '../../../../src/server/handlers/19-create-topics';
import { deleteTopicsHandler } from '../../../../src/server/handlers/20-delete-topics';
import type { RequestContext } from '../../../../src/server/handlers/types';
import type { ActiveController } from '../../../../src/server/ControllerGateway';
import type { CreatableTopic } from '../../../../src/controller/KafkaController';
import { ZERO_UUID } from '../../../../src/util/uuid';
import type { ConfigStore } from '../../../../src/server/ConfigRepository';
import { requestContext } from '../helpers';

const ORDERS = 'zZ3Ab1FCRmGvjlqDH7bD8g';
const AUDIT = 'q0nWcaBWSxqa2WJeUqztrw';
const UNKNOWN = 'Xb9LgSyCQAWcEJRBk2lyDw';
/** Kafka's no-authorizer answers: every operation a topic (3576) or the cluster (8096) supports. */
const TOPIC_OPERATIONS = 3576;
const CLUSTER_OPERATIONS = 8096;

const partition = (topic: string, p: number): CachedPartition => ({
  topic, partition: p, leader: 1, leaderEpoch: 2, isr: [1], replicas: [1], offlineReplicas: [], zkVersion: 0, controllerEpoch: 1,
});

function cache(): MetadataCache {
  const c = new MetadataCache('cluster-a', 1);
  c.setBrokers([{ id: 1, rack: null, endpoints: new Map([['PLAINTEXT', { host: 'b1', port: 9092 }]]), epoch: 1n }], 1);
  c.applyUpdate(1, 1, null, [partition('orders', 0), partition('orders', 1), partition('audit', 0)], new Map([['orders', ORDERS], ['audit', AUDIT]]));
  return c;
}

function context(apiVersion: number, opts: { controller?: ActiveController | null; metadataCache?: MetadataCache } = {}): RequestContext {
  const ctx = requestContext({
    apiVersion,
    metadataCache: opts.metadataCache ?? cache(),
    configStore: { getBrokerConfig: async () => ({}), getTopicConfig: async () => ({}) } as unknown as ConfigStore,
    services: {
      controller: { active: () => opts.controller ?? null },
      autoTopicCreation: { createTopics: async () => { throw new Error('no topic may be auto-created here'); } } as never,
    },
  });
  return { ...ctx, connection: { listenerName: 'PLAINTEXT' } as RequestContext['connection'] };
}

/** Handles `req` at `version`, then sends the answer through the codec at that version (so it must be valid there). */
async function wire<R>(handle: () => Promise<unknown> | unknown, api: Parameters<typeof encodeResponse>[0], version: number): Promise<R> {
  const r = await handle();
  return decodeResponse(api, version, encodeResponse(api, version, 1, r as never).subarray(4)).body as R;
}

describe('Metadata topic ids', () => {
  const byName = (names: string[], extra: Partial<MetadataRequest> = {}): MetadataRequest => ({
    topics: names.map((name) => ({ name, topicId: ZERO_UUID })), allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false, ...extra,
  });

  test('v12 by id: known ids answered with name and id, unknown ids first with UNKNOWN_TOPIC_ID and a null name', async () => {
    const req: MetadataRequest = { ...byName([]), topics: [{ name: null, topicId: AUDIT }, { name: null, topicId: UNKNOWN }, { name: null, topicId: AUDIT }] };
    const res = await wire<MetadataResponse>(() => metadataHandler.handle(req, context(12)), Metadata, 12);
    expect(res.topics.map((t) => [t.errorCode, t.name, t.topicId, t.partitions.length])).toEqual([
      [ErrorCode.UNKNOWN_TOPIC_ID, null, UNKNOWN, 0],
      [ErrorCode.NONE, 'audit', AUDIT, 1],
    ]);
    expect(res.topics[1]?.partitions[0]).toMatchObject({ partitionIndex: 0, leaderId: 1, leaderEpoch: 2 });
    expect(res.brokers).toEqual([{ nodeId: 1, host: 'b1', port: 9092, rack: null }]);
  });

  test('v10-12 answer the ids of topics asked by name (and of all topics); v9 has no id field', async () => {
    for (const v of [10, 11, 12]) {
      const res = await metadataHandler.handle(byName(['orders', 'missing']), context(v));
      if ('noResponse' in res) throw new Error('answered');
      expect(res.topics.map((t) => [t.name, t.errorCode, t.topicId])).toEqual([['orders', 0, ORDERS], ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ZERO_UUID]]);
    }
    const all = await wire<{ topics: Array<{ name: string; topicId: string }> }>(() => metadataHandler.handle({ ...byName([]), topics: null }, context(12)), Metadata, 12);
    expect(all.topics.map((t) => [t.name, t.topicId])).toEqual([['audit', AUDIT], ['orders', ORDERS]]);
    const v9 = await wire<{ topics: Array<{ topicId: string }> }>(() => metadataHandler.handle(byName(['orders']), context(9)), Metadata, 9);
    expect(v9.topics[0]?.topicId).toBe(ZERO_UUID); // absent at v9: the decoder's default
  });

  test('v10-11 refuse ids and null names with INVALID_REQUEST for every topic, as Kafka', async () => {
    for (const v of [10, 11]) {
      const withId = await metadataHandler.handle({ ...byName(['orders']), topics: [{ name: 'orders', topicId: ORDERS }] }, context(v));
      const nullName = await metadataHandler.handle({ ...byName([]), topics: [{ name: null, topicId: ZERO_UUID }, { name: 'audit', topicId: ZERO_UUID }] }, context(v));
      for (const r of [withId, nullName]) {
        if ('noResponse' in r) throw new Error('answered');
        expect(r.topics.every((t) => t.errorCode === ErrorCode.INVALID_REQUEST && t.partitions.length === 0)).toBe(true);
        expect(r.brokers).toEqual([]);
        encodeResponse(Metadata, v, 1, r); // valid at that version ("" for a null name)
      }
    }
  });

  test('authorized operations when asked: the topic\'s at v8+, the cluster\'s only up to v10', async () => {
    const ask = byName(['orders'], { includeTopicAuthorizedOperations: true, includeClusterAuthorizedOperations: true });
    for (const [v, cluster] of [[8, CLUSTER_OPERATIONS], [10, CLUSTER_OPERATIONS], [11, -2147483648], [12, -2147483648]] as const) {
      const res = await metadataHandler.handle(ask, context(v));
      if ('noResponse' in res) throw new Error('answered');
      expect([v, res.topics[0]?.topicAuthorizedOperations, res.clusterAuthorizedOperations]).toEqual([v, TOPIC_OPERATIONS, cluster]);
    }
    const notAsked = await metadataHandler.handle(byName(['orders']), context(12));
    if ('noResponse' in notAsked) throw new Error('answered');
    expect(notAsked.topics[0]?.topicAuthorizedOperations).toBe(-2147483648);
  });
});

describe('CreateTopics v7', () => {
  const controller = {
    createTopics: async (topics: readonly CreatableTopic[]) => topics.map((t) => (t.name === 'taken'
      ? { name: t.name, topicId: ZERO_UUID, errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: "Topic 'taken' already exists.", numPartitions: -1, replicationFactor: -1 }
      : { name: t.name, topicId: ORDERS, errorCode: ErrorCode.NONE, errorMessage: null, numPartitions: 2, replicationFactor: 1 })),
  } as Partial<ActiveController> as ActiveController;
  const topic = (name: string) => ({ name, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] });

  test('answers the new topic\'s id (v7), the zero uuid for a topic not created; v6 serves as v5', async () => {
    // The cache already has leaders for orders' partitions: the answer comes at once.
    const req = { topics: [topic('orders'), topic('taken')], timeoutMs: 1000, validateOnly: false };
    const res = await wire<{ topics: Array<{ name: string; topicId: string; errorCode: number }> }>(() => createTopicsHandler.handle(req, context(7, { controller })), CreateTopics, 7);
    expect(res.topics.map((t) => [t.name, t.topicId, t.errorCode])).toEqual([['orders', ORDERS, 0], ['taken', ZERO_UUID, ErrorCode.TOPIC_ALREADY_EXISTS]]);
    const v6 = await wire<{ topics: Array<{ name: string; errorCode: number; numPartitions: number }> }>(() => createTopicsHandler.handle(req, context(6, { controller })), CreateTopics, 6);
    expect(v6.topics.map((t) => [t.name, t.errorCode, t.numPartitions])).toEqual([['orders', 0, 2], ['taken', ErrorCode.TOPIC_ALREADY_EXISTS, -1]]);
  });
});

describe('DeleteTopics v6', () => {
  function deleting(): { controller: ActiveController; asked: string[][] } {
    const asked: string[][] = [];
    const controller = {
      deleteTopics: async (names: readonly string[]) => {
        asked.push([...names]);
        return names.map((name) => ({ name, errorCode: ErrorCode.NONE, errorMessage: null }));
      },
    } as Partial<ActiveController> as ActiveController;
    return { controller, asked };
  }

  test('deletes by id (answering name and id) and by name (the zero uuid); UNKNOWN_TOPIC_ID for an unknown id', async () => {
    const { controller, asked } = deleting();
    const req = { topicNames: [], timeoutMs: 1000, topics: [{ name: null, topicId: ORDERS }, { name: null, topicId: UNKNOWN }, { name: 'audit', topicId: ZERO_UUID }] };
    const res = await wire<{ responses: unknown[] }>(() => deleteTopicsHandler.handle(req, context(6, { controller })), DeleteTopics, 6);
    expect(res.responses).toEqual([
      { name: 'orders', topicId: ORDERS, errorCode: ErrorCode.NONE, errorMessage: null },
      { name: null, topicId: UNKNOWN, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: null },
      { name: 'audit', topicId: ZERO_UUID, errorCode: ErrorCode.NONE, errorMessage: null },
    ]);
    expect(asked).toEqual([['orders', 'audit']]);
  });

  test('an entry with both a name and an id refuses the request (INVALID_REQUEST); v0-5 take names', async () => {
    const { controller, asked } = deleting();
    await expect(deleteTopicsHandler.handle({ topicNames: [], timeoutMs: 1000, topics: [{ name: 'orders', topicId: ORDERS }] }, context(6, { controller })))
      .rejects.toEqual(new KafkaError(ErrorCode.INVALID_REQUEST, 'Topic name and topic ID can not both be specified.'));
    const v5 = await wire<{ responses: unknown[] }>(() => deleteTopicsHandler.handle({ topicNames: ['orders'], timeoutMs: 1000, topics: [] }, context(5, { controller })), DeleteTopics, 5);
    expect(v5.responses).toEqual([{ name: 'orders', topicId: ZERO_UUID, errorCode: ErrorCode.NONE, errorMessage: null }]);
    expect(asked).toEqual([['orders']]);
  });

  test('a broker that is not the controller answers NOT_CONTROLLER for each topic as asked', async () => {
    const res = await deleteTopicsHandler.handle({ topicNames: [], timeoutMs: 1000, topics: [{ name: null, topicId: ORDERS }] }, context(6));
    if ('noResponse' in res) throw new Error('answered');
    expect(res.responses).toEqual([{ name: null, topicId: ORDERS, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null }]);
  });
});
