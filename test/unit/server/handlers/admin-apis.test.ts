// Admin handlers at their Kafka 3.x versions, called directly with fake services: CreatePartitions (the checks Kafka's
// KafkaApis makes before the controller), DescribeCluster and DescribeProducers.
import { ErrorCode } from '../../../../src/protocol/errors';
import { createPartitionsHandler } from '../../../../src/server/handlers/37-create-partitions';
import type { ActiveController, ControllerGateway } from '../../../../src/server/ControllerGateway';
import type { HandlerResult } from '../../../../src/server/handlers/types';
import type { ApiDef, ResponseOf } from '../../../../src/protocol/schema';
import { describeClusterHandler } from '../../../../src/server/handlers/60-describe-cluster';
import { describeProducersHandler } from '../../../../src/server/handlers/61-describe-producers';
import { MetadataCache } from '../../../../src/server/MetadataCache';
import type { ReplicaManager } from '../../../../src/server/ReplicaManager';
import type { RequestContext } from '../../../../src/server/handlers/types';
import { requestContext } from '../helpers';

async function answer<A extends ApiDef>(r: Promise<HandlerResult<A>> | HandlerResult<A>): Promise<ResponseOf<A>> {
  const v = await r;
  if ('noResponse' in v) throw new Error('handler sent no response');
  return v as ResponseOf<A>;
}

describe('CreatePartitions', () => {
  const topic = (name: string, count = 3) => ({ name, count, assignments: null });

  function withController(active: Partial<ActiveController> | null) {
    const controller: ControllerGateway = { active: () => active as ActiveController | null };
    return requestContext({ services: { controller } });
  }

  test('a topic named twice is refused once with INVALID_REQUEST and never reaches the controller; others do', async () => {
    const seen: string[][] = [];
    const ctx = withController({
      createPartitions: async (topics) => {
        seen.push(topics.map((t) => t.name));
        return topics.map((t) => ({ name: t.name, errorCode: ErrorCode.NONE, errorMessage: null }));
      },
    });
    const res = await answer(createPartitionsHandler.handle({ topics: [topic('a'), topic('b'), topic('a', 4)], timeoutMs: 1000, validateOnly: false }, ctx));
    expect(seen).toEqual([['b']]);
    expect(res).toEqual({ throttleTimeMs: 0, results: [
      { name: 'a', errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic in request.' },
      { name: 'b', errorCode: ErrorCode.NONE, errorMessage: null },
    ] });
  });

  test('only duplicates: the controller is not asked at all', async () => {
    const ctx = withController({ createPartitions: async () => { throw new Error('not expected'); } });
    const res = await answer(createPartitionsHandler.handle({ topics: [topic('a'), topic('a')], timeoutMs: 1000, validateOnly: true }, ctx));
    expect(res.results).toEqual([{ name: 'a', errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic in request.' }]);
  });

  test('on a broker that is not the controller: NOT_CONTROLLER without a message, as Kafka\'s ApiError(NOT_CONTROLLER, null)', async () => {
    const res = await answer(createPartitionsHandler.handle({ topics: [topic('a'), topic('b')], timeoutMs: 1000, validateOnly: false }, withController(null)));
    expect(res.results).toEqual([
      { name: 'a', errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null },
      { name: 'b', errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null },
    ]);
  });

  test('the controller\'s own errors and messages pass through', async () => {
    const ctx = withController({
      createPartitions: async (topics) => topics.map((t) => ({ name: t.name, errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Topic already has 3 partitions.' })),
    });
    const res = await answer(createPartitionsHandler.handle({ topics: [topic('a')], timeoutMs: 1000, validateOnly: false }, ctx));
    expect(res.results).toEqual([{ name: 'a', errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Topic already has 3 partitions.' }]);
  });
});

describe('DescribeCluster', () => {
  function cluster(): RequestContext {
    const cache = new MetadataCache('brook-cluster-1', 1);
    const ep = (port: number) => ({ host: '127.0.0.1', port });
    cache.setBrokers([
      { id: 2, rack: 'r2', epoch: 1n, endpoints: new Map([['PLAINTEXT', ep(9093)], ['INTERNAL', ep(19093)]]) },
      { id: 1, rack: null, epoch: 1n, endpoints: new Map([['PLAINTEXT', ep(9092)]]) },
      { id: 3, rack: null, epoch: 1n, endpoints: new Map([['INTERNAL', ep(19094)]]) },
    ], 2);
    const ctx = requestContext({ metadataCache: cache });
    return { ...ctx, connection: { ...ctx.connection, listenerName: 'PLAINTEXT' } };
  }

  test('cluster id, controller and the live brokers reachable on the caller\'s listener, by id', async () => {
    const res = await answer(describeClusterHandler.handle({ includeClusterAuthorizedOperations: false }, cluster()));
    expect(res).toEqual({
      throttleTimeMs: 0, errorCode: 0, errorMessage: null, clusterId: 'brook-cluster-1', controllerId: 2,
      brokers: [{ brokerId: 1, host: '127.0.0.1', port: 9092, rack: null }, { brokerId: 2, host: '127.0.0.1', port: 9093, rack: 'r2' }],
      clusterAuthorizedOperations: -2147483648,
    });
  });

  test('authorized operations when asked: every cluster operation without an authorizer (Kafka\'s 8096 bit set)', async () => {
    const res = await answer(describeClusterHandler.handle({ includeClusterAuthorizedOperations: true }, cluster()));
    // CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12.
    expect(res.clusterAuthorizedOperations).toBe([5, 7, 8, 9, 10, 11, 12].reduce((b, op) => b | (1 << op), 0));
    expect(res.clusterAuthorizedOperations).toBe(8096);
  });

  test('no controller known yet: -1', async () => {
    const ctx = cluster();
    ctx.metadataCache.setController(null);
    expect((await answer(describeClusterHandler.handle({ includeClusterAuthorizedOperations: false }, ctx))).controllerId).toBe(-1);
  });
});

describe('DescribeProducers', () => {
  const producer = { producerId: 4000n, producerEpoch: 1, lastSequence: 9, lastTimestamp: 1234n, coordinatorEpoch: -1, currentTxnStartOffset: -1n };

  function context(): { ctx: RequestContext; asked: string[] } {
    const cache = new MetadataCache('c', 1);
    cache.applyUpdate(9, 1, null, [0, 1].map((partition) => ({ topic: 'orders', partition, leader: 1, leaderEpoch: 0, isr: [1], replicas: [1], offlineReplicas: [], zkVersion: 0, controllerEpoch: 1 })));
    const asked: string[] = [];
    const replicaManager = {
      activeProducerState: (topic: string, partition: number) => {
        asked.push(`${topic}-${partition}`);
        return partition === 0 ? { errorCode: ErrorCode.NONE, producers: [producer] } : { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, producers: [] };
      },
    } as unknown as ReplicaManager;
    return { ctx: requestContext({ metadataCache: cache, services: { replicaManager } }), asked };
  }

  test('per partition the replica\'s producers or its error (no message), in request order', async () => {
    const { ctx } = context();
    const res = await answer(describeProducersHandler.handle({ topics: [{ name: 'orders', partitionIndexes: [1, 0] }] }, ctx));
    expect(res).toEqual({ throttleTimeMs: 0, topics: [{ name: 'orders', partitions: [
      { partitionIndex: 1, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, errorMessage: null, activeProducers: [] },
      { partitionIndex: 0, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers: [producer] },
    ] }] });
  });

  test('topic-level errors fill every partition with the error and its message; the replicas are not asked', async () => {
    const { ctx, asked } = context();
    const res = await answer(describeProducersHandler.handle({ topics: [
      { name: 'missing', partitionIndexes: [0, 1] },
      { name: 'bad/name', partitionIndexes: [0] },
      { name: '', partitionIndexes: [0] },
    ] }, ctx));
    expect(asked).toEqual([]);
    expect(res.topics.map((t) => t.partitions.map((p) => [p.partitionIndex, p.errorCode, p.errorMessage]))).toEqual([
      [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, expect.any(String)], [1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, expect.any(String)]],
      [[0, ErrorCode.INVALID_TOPIC_EXCEPTION, 'Topic name "bad/name" is illegal, it contains a character other than ASCII alphanumerics, \'.\', \'_\' and \'-\'']],
      [[0, ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic name is illegal, it can't be empty"]],
    ]);
  });
});
