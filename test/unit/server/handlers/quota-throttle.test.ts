// Quotas in the handlers (KIP-219, Kafka 2.8's KafkaApis): Produce answers with the byte-rate throttle and mutes the
// connection (acks=0 too, without an answer); a Fetch over consumer_byte_rate answers at once with no records, takes its
// bytes back off the quota and leaves the fetch session alone; other APIs carry the request_percentage throttle, the
// inter-broker ones are exempt.
import { ClientQuotas } from '../../../../src/server/quota/ClientQuotas';
import type { EntityConfigCache, EntityConfigListener } from '../../../../src/server/quota/EntityConfigCache';
import type { EntityConfigZk } from '../../../../src/zk/EntityConfigZk';
import { ErrorCode } from '../../../../src/protocol/errors';
import { MetadataCache } from '../../../../src/server/MetadataCache';
import type { ReplicaManager } from '../../../../src/server/ReplicaManager';
import { FetchManager, FetchSessionCache } from '../../../../src/server/FetchSession';
import { produceHandler } from '../../../../src/server/handlers/00-produce';
import { fetchHandler } from '../../../../src/server/handlers/01-fetch';
import { withRequestQuota } from '../../../../src/server/handlers/quota';
import { handlersByKey } from '../../../../src/server/handlers/registry';
import { defineHandler, type RegisteredHandler, type RequestContext } from '../../../../src/server/handlers/types';
import { Heartbeat } from '../../../../src/protocol/messages/12-heartbeat';
import { leaderAndIsrHandler } from '../../../../src/server/handlers/04-leader-and-isr';
import { answer, call, securedContext } from './authzHelpers';

function quotas(config: Record<string, string>): { q: ClientQuotas; muted: Array<[number, number]> } {
  let listener: EntityConfigListener | null = null;
  const cache = { addListener: (l: EntityConfigListener) => { listener = l; } } as unknown as EntityConfigCache;
  const q = new ClientQuotas({} as EntityConfigZk, cache, { rate: { samples: 11, windowMs: 1000 } });
  listener!({ kind: 'clients', client: 'test' }, config);
  const muted: Array<[number, number]> = [];
  q.onThrottle((id, ms) => muted.push([id, ms]));
  return { q, muted };
}

function cache(): MetadataCache {
  const c = new MetadataCache('c', 1);
  c.applyUpdate(1, 1, null, [{ topic: 'orders', partition: 0, leader: 1, leaderEpoch: 0, isr: [1], replicas: [1], offlineReplicas: [], zkVersion: 0, controllerEpoch: 1 }]);
  return c;
}

/** The min and max bytes of each fetch that reached the ReplicaManager. */
const fetchLimits: Array<[number, number]> = [];
const replicaManager = {
  getPartition: () => undefined,
  appendRecords: async (_t: number, _a: number, entries: Array<{ topic: string; partition: number }>) =>
    entries.map((e) => ({ topic: e.topic, partition: e.partition, errorCode: 0, errorMessage: null, baseOffset: 0n, logAppendTime: -1n, logStartOffset: 0n })),
  fetchMessages: async (p: { maxBytes: number; minBytes: number; partitions: Array<{ topic: string; partition: number }> }) =>
    (fetchLimits.push([p.minBytes, p.maxBytes]), p.partitions).map((x) => ({ topic: x.topic, partition: x.partition, errorCode: 0, highWatermark: 10n, lastStableOffset: 10n, logStartOffset: 0n, records: Buffer.alloc(30_000, 1) })),
} as unknown as ReplicaManager;

describe('Produce', () => {
  const produce = (acks: number, bytes: number) => ({ transactionalId: null, acks, timeoutMs: 1000, topicData: [{ name: 'orders', partitionData: [{ index: 0, records: Buffer.alloc(bytes) }] }] });

  test('within producer_byte_rate: throttle 0 and no mute; over it: the throttle in the response and the connection muted for it', async () => {
    const { q, muted } = quotas({ producer_byte_rate: '1000' });
    const ctx = securedContext(null, 'ANONYMOUS', { metadataCache: cache(), apiVersion: 8, services: { replicaManager }, security: { quotas: q } });
    expect((await answer(produceHandler.handle(produce(1, 500), ctx))).throttleTimeMs).toBe(0);
    expect(muted).toEqual([]);
    // 20,500 bytes over the 10 s minimum window = 2050 B/s against 1000: about (2050 − 1000) / 1000 × 10 s.
    const over = await answer(produceHandler.handle(produce(1, 20_000), ctx));
    expect(over.throttleTimeMs).toBeGreaterThan(10_000);
    expect(over.throttleTimeMs).toBeLessThan(11_000);
    expect(over.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(muted).toEqual([[7, over.throttleTimeMs]]);
  });

  test('acks=0: no response, but the connection is still muted for its bytes', async () => {
    const { q, muted } = quotas({ producer_byte_rate: '1000' });
    const ctx = securedContext(null, 'ANONYMOUS', { metadataCache: cache(), apiVersion: 8, services: { replicaManager }, security: { quotas: q } });
    expect(await produceHandler.handle(produce(0, 20_000), ctx)).toEqual({ noResponse: true });
    expect(muted).toHaveLength(1);
    expect(muted[0]![1]).toBeGreaterThan(9000);
  });
});

describe('Fetch', () => {
  const full = { replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: 0, topics: [{ topic: 'orders', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }], forgottenTopicsData: [] };

  test('over consumer_byte_rate: answered at once with the throttle and no partitions, bytes taken back, no session made', async () => {
    const { q, muted } = quotas({ consumer_byte_rate: '1000' });
    const fetchManager = new FetchManager(new FetchSessionCache(10));
    const ctx = securedContext(null, 'ANONYMOUS', { metadataCache: cache(), apiVersion: 11, services: { replicaManager, fetchManager }, security: { quotas: q } });
    // 30,000 bytes over 10 s = 3000 B/s against 1000 B/s: about 20 s of throttle.
    const res = await call(fetchHandler, ctx, full);
    expect(res.throttleTimeMs).toBeGreaterThan(19_000);
    expect(res.responses).toEqual([]);
    expect(res.sessionId).toBe(0);
    expect(fetchManager.cache.size).toBe(0);
    expect(muted).toEqual([[7, res.throttleTimeMs]]);
    // The throttled bytes were taken back: a fetch of 1000 bytes now is within the quota.
    expect(q.fetch.recordAndGetThrottleTimeMs('ANONYMOUS', 'test', 1000, Date.now())).toBe(0);
  });

  test('within the quota the records are sent and the session is made', async () => {
    const { q, muted } = quotas({ consumer_byte_rate: '1000000' });
    const fetchManager = new FetchManager(new FetchSessionCache(10));
    const ctx = securedContext(null, 'ANONYMOUS', { metadataCache: cache(), apiVersion: 11, services: { replicaManager, fetchManager }, security: { quotas: q } });
    const res = await call(fetchHandler, ctx, full);
    expect(res.throttleTimeMs).toBe(0);
    expect(res.responses[0]!.partitionResponses[0]!.recordSet?.length).toBe(30_000);
    expect(res.sessionId).not.toBe(0);
    expect(muted).toEqual([]);
  });

  test("a consumer's max bytes are capped at what its quota allows in one window (bound × (samples − 1) s)", async () => {
    const { q } = quotas({ consumer_byte_rate: '1000' });
    const services = { replicaManager, fetchManager: new FetchManager(new FetchSessionCache(10)) };
    fetchLimits.length = 0;
    await call(fetchHandler, securedContext(null, 'ANONYMOUS', { metadataCache: cache(), apiVersion: 11, services, security: { quotas: q } }), { ...full, minBytes: 50_000 });
    await call(fetchHandler, securedContext(null, 'ANONYMOUS', { metadataCache: cache(), apiVersion: 11, services, security: { quotas: q } }), { ...full, replicaId: 2 });
    expect(fetchLimits).toEqual([[10_000, 10_000], [1, 1 << 20]]);
  });

  test('follower fetches are exempt', async () => {
    const { q, muted } = quotas({ consumer_byte_rate: '1' });
    const ctx = securedContext(null, 'ANONYMOUS', { metadataCache: cache(), apiVersion: 11, services: { replicaManager, fetchManager: new FetchManager(new FetchSessionCache(10)) }, security: { quotas: q } });
    const res = await call(fetchHandler, ctx, { ...full, replicaId: 2 });
    expect(res.throttleTimeMs).toBe(0);
    expect(muted).toEqual([]);
  });
});

describe('request_percentage', () => {
  /** A handler that holds the event loop for `ms` (handler time, as Kafka counts request-thread time). */
  const busyHeartbeat = (ms: number) => withRequestQuota(defineHandler({
    api: Heartbeat,
    versions: [0, 4],
    handle: () => {
      const end = performance.now() + ms;
      while (performance.now() < end) { /* hold the event loop: this is the handler time being measured */ }
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE };
    },
  }));

  const heartbeat = (h: RegisteredHandler, ctx: RequestContext): Promise<unknown> =>
    h.withTypes<Promise<unknown>>(async (x) => x.handle({ groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null } as never, ctx));

  test('an API with a throttleTimeMs field carries the request throttle (capped at one window) and mutes the connection', async () => {
    const { q, muted } = quotas({ request_percentage: '0.01' });
    const ctx = securedContext(null, 'ANONYMOUS', { apiVersion: 4, security: { quotas: q } });
    const r = await heartbeat(busyHeartbeat(20), ctx);
    expect(r).toEqual({ throttleTimeMs: 1000, errorCode: ErrorCode.NONE });
    expect(muted).toEqual([[7, 1000]]);
  });

  test('no request quota configured: nothing changes', async () => {
    const { q, muted } = quotas({ producer_byte_rate: '1000' });
    const ctx = securedContext(null, 'ANONYMOUS', { apiVersion: 4, security: { quotas: q } });
    const r = await heartbeat(busyHeartbeat(5), ctx);
    expect(r).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.NONE });
    expect(muted).toEqual([]);
  });

  test('the registry wraps every API but the inter-broker ones (exempt) and Produce/Fetch (which record it themselves)', () => {
    expect(handlersByKey.get(4)).toBe(leaderAndIsrHandler);
    for (const key of [0, 1, 4, 5, 6, 7, 27, 56]) expect(withRequestQuota(handlersByKey.get(key)!)).toBe(handlersByKey.get(key));
    expect(withRequestQuota(handlersByKey.get(12)!)).not.toBe(handlersByKey.get(12));
  });
});
