// The CreateTopics handler: v5 answers carry the new topics' configs (Kafka 2.4's kafka-topics.sh needs them), and the
// answer waits until this broker's metadata has the new partitions' leaders, or the request's timeout.
import { topicConfigDefs } from '../../../../src/config/topicConfigs';
import { decodeResponse, encodeResponse } from '../../../../src/protocol/codec';
import { ErrorCode } from '../../../../src/protocol/errors';
import { CreateTopics, type CreateTopicsRequest, type CreateTopicsResponse } from '../../../../src/protocol/messages';
import { MetadataCache, type CachedPartition } from '../../../../src/server/MetadataCache';
import { createTopicsHandler } from '../../../../src/server/handlers/19-create-topics';
import { ConfigSource, type ConfigStore } from '../../../../src/server/ConfigRepository';
import type { RequestContext } from '../../../../src/server/handlers/types';
import type { CreatableTopic, CreateTopicResult } from '../../../../src/controller/KafkaController';
import type { ActiveController } from '../../../../src/server/ControllerGateway';
import { requestContext } from '../helpers';

/** An active controller that accepts every topic (or answers what `answer` says) without touching ZooKeeper. */
function fakeController(answer?: (t: CreatableTopic) => Partial<CreateTopicResult>): ActiveController {
  return {
    createTopics: async (topics: readonly CreatableTopic[]) => topics.map((t) => ({
      name: t.name, errorCode: ErrorCode.NONE, errorMessage: null, numPartitions: t.numPartitions, replicationFactor: t.replicationFactor, ...answer?.(t),
    })),
  } as Partial<ActiveController> as ActiveController;
}

/** A context whose controller is `controller` while active; null: this broker's controller is not the active one. */
function context(cache: MetadataCache, controller: ActiveController | null, apiVersion = 5): RequestContext {
  const zk = { getBrokerConfig: async () => ({}), getTopicConfig: async () => ({}) };
  return requestContext({ apiVersion, metadataCache: cache, configStore: zk as unknown as ConfigStore, services: { controller: { active: () => controller } } });
}

const request = (name: string, configs: Record<string, string>, opts: { partitions?: number; timeoutMs?: number; validateOnly?: boolean } = {}): CreateTopicsRequest => ({
  topics: [{ name, numPartitions: opts.partitions ?? 2, replicationFactor: 1, assignments: [], configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }],
  timeoutMs: opts.timeoutMs ?? 30_000,
  validateOnly: opts.validateOnly ?? false,
});

const leaderOf = (topic: string, partition: number, leader = 1): CachedPartition => ({
  topic, partition, leader, leaderEpoch: 0, isr: [1], replicas: [1], offlineReplicas: [], zkVersion: 0, controllerEpoch: 1,
});

async function handle(req: CreateTopicsRequest, ctx: RequestContext): Promise<CreateTopicsResponse> {
  const r = await createTopicsHandler.handle(req, ctx);
  if ('noResponse' in r) throw new Error('CreateTopics always answers');
  return r;
}

describe('CreateTopics v5 configs', () => {
  test('a created topic\'s effective configs go on the wire at v5 and decode back, non-null', async () => {
    const cache = new MetadataCache('c', 1);
    cache.applyUpdate(1, 1, null, [leaderOf('orders', 0), leaderOf('orders', 1)]);
    const res = await handle(request('orders', { 'retention.ms': '3600000', 'cleanup.policy': 'compact, delete' }), context(cache, fakeController()));
    const frame = encodeResponse(CreateTopics, 5, 42, res);
    const { correlationId, body } = decodeResponse(CreateTopics, 5, frame.subarray(4));
    expect(correlationId).toBe(42);
    const t = body.topics[0]!;
    expect(t).toMatchObject({ name: 'orders', errorCode: ErrorCode.NONE, numPartitions: 2, replicationFactor: 1 });
    expect(t.configs).not.toBeNull();
    expect(t.configs!.map((c) => c.name).sort()).toEqual(Object.keys(topicConfigDefs).sort());
    const byName = Object.fromEntries(t.configs!.map((c) => [c.name, c]));
    expect(byName['retention.ms']).toEqual({ name: 'retention.ms', value: '3600000', readOnly: false, configSource: ConfigSource.DYNAMIC_TOPIC_CONFIG, isSensitive: false });
    expect(byName['cleanup.policy']).toMatchObject({ value: 'compact,delete', configSource: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    expect(byName['segment.bytes']).toMatchObject({ value: '1073741824', configSource: ConfigSource.DEFAULT_CONFIG });
    // Older versions carry no configs: the same answer encodes shorter and still decodes.
    const v4 = encodeResponse(CreateTopics, 4, 1, res);
    expect(v4.length).toBeLessThan(frame.length);
    expect(decodeResponse(CreateTopics, 4, v4.subarray(4)).body.topics[0]).toMatchObject({ name: 'orders', errorCode: ErrorCode.NONE });
  });

  test('validate_only answers the configs too, without waiting for leaders', async () => {
    const res = await handle(request('dry', { 'segment.ms': '60000' }, { validateOnly: true }), context(new MetadataCache('c', 1), fakeController()));
    expect(res.topics[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(res.topics[0]!.configs?.find((c) => c.name === 'segment.ms')).toMatchObject({ value: '60000', configSource: ConfigSource.DYNAMIC_TOPIC_CONFIG });
  });

  test('failed topics and NOT_CONTROLLER answers carry an empty config list and -1 counts, as Kafka resets them', async () => {
    const refused = await handle(request('bad', {}), context(new MetadataCache('c', 1), fakeController(() => ({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'no', numPartitions: -1, replicationFactor: -1 }))));
    expect(refused.topics[0]).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'no', configs: [], numPartitions: -1, replicationFactor: -1 });
    const moved = await handle(request('x', {}), context(new MetadataCache('c', 1), null));
    expect(moved.topics[0]).toMatchObject({ errorCode: ErrorCode.NOT_CONTROLLER, configs: [], numPartitions: -1 });
  });
});

describe('CreateTopics waits for leaders in this broker\'s metadata', () => {
  afterEach(() => jest.useRealTimers());

  test('answers only once the metadata cache has a leader for every new partition', async () => {
    const cache = new MetadataCache('c', 1);
    let answered = false;
    const pending = handle(request('orders', {}, { partitions: 2 }), context(cache, fakeController())).then((r) => {
      answered = true;
      return r;
    });
    // Let the handler reach its wait (the fake controller answers at once), so the change notification is what ends it.
    for (let i = 0; i < 10; i++) await Promise.resolve();
    cache.applyUpdate(1, 1, null, [leaderOf('orders', 0)]);
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(answered).toBe(false);
    cache.applyUpdate(1, 1, null, [leaderOf('orders', 1)]);
    const res = await pending;
    expect(res.topics[0]).toMatchObject({ errorCode: ErrorCode.NONE, numPartitions: 2 });
  });

  test('REQUEST_TIMED_OUT once timeout_ms passes without leaders; at once when timeout_ms <= 0', async () => {
    jest.useFakeTimers();
    const cache = new MetadataCache('c', 1);
    cache.applyUpdate(1, 1, null, [leaderOf('orders', 0, -1), leaderOf('orders', 1)]);
    const pending = handle(request('orders', {}, { timeoutMs: 5_000 }), context(cache, fakeController()));
    await jest.advanceTimersByTimeAsync(5_000);
    expect((await pending).topics[0]).toMatchObject({ errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: null, configs: [], numPartitions: -1, replicationFactor: -1 });

    const now = await handle(request('later', {}, { timeoutMs: 0 }), context(new MetadataCache('c', 1), fakeController()));
    expect(now.topics[0]).toMatchObject({ errorCode: ErrorCode.REQUEST_TIMED_OUT, configs: [] });
  });
});
