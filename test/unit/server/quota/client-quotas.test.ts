// ClientQuotas as handlers use it: quota keys from user/client entity configs reach the right manager, the handler
// hooks return the throttle time for the response and ask the network layer to mute the connection (KIP-219).
import { ClientQuotas } from '../../../../src/server/quota/ClientQuotas';
import type { EntityConfigCache, EntityConfigListener } from '../../../../src/server/quota/EntityConfigCache';
import type { EntityConfigZk } from '../../../../src/zk/EntityConfigZk';
import type { SecurityServices } from '../../../../src/server/authorizer/SecurityServices';
import { recordBytesAndThrottle, recordRequestTimeAndThrottle } from '../../../../src/server/handlers/quota';
import { requestContext } from '../helpers';

function quotas(): { q: ClientQuotas; set: EntityConfigListener } {
  let listener: EntityConfigListener | null = null;
  const cache = { addListener: (l: EntityConfigListener) => { listener = l; } } as unknown as EntityConfigCache;
  const q = new ClientQuotas({} as EntityConfigZk, cache, { rate: { samples: 11, windowMs: 1000 } });
  return { q, set: (e, c) => listener!(e, c) };
}

test('entity configs feed the produce, fetch and request managers; removing a key removes the quota', () => {
  const { q, set } = quotas();
  set({ kind: 'users', user: 'alice' }, { producer_byte_rate: '1000', consumer_byte_rate: '2000', request_percentage: '12.5', 'SCRAM-SHA-256': 'x' });
  expect(q.produce.quota('alice', 'any')).toBe(1000);
  expect(q.fetch.quota('alice', 'any')).toBe(2000);
  expect(q.request.quota('alice', 'any')).toBe(12.5);
  set({ kind: 'users', user: 'alice' }, { consumer_byte_rate: '2000' });
  expect(q.produce.quota('alice', 'any')).toBeNull();
  expect(q.produce.quotasEnabled).toBe(false);
});

test('handler hooks: throttle time for the response, and the connection muted for it', () => {
  const { q, set } = quotas();
  set({ kind: 'clients', client: 'test' }, { producer_byte_rate: '1000', request_percentage: '1' });
  const muted: Array<[number, number]> = [];
  q.onThrottle((id, ms) => muted.push([id, ms]));
  const ctx = { ...requestContext({ services: { security: { quotas: q } as unknown as SecurityServices } }), connection: { id: 7, remoteAddress: '127.0.0.1' } as never };
  expect(recordBytesAndThrottle(ctx, 'produce', 500, 0)).toBe(0);
  // 20500 bytes over the 10 s minimum window = 2050 B/s against 1000: (2050 − 1000) / 1000 × 10000 ms.
  expect(recordBytesAndThrottle(ctx, 'produce', 20_000, 0)).toBe(10_500);
  expect(muted).toEqual([[7, 10_500]]);
  // 1 s of handler time = 100 percent-seconds / 10 s = 10% against 1%: capped at one window (1000 ms).
  expect(recordRequestTimeAndThrottle(ctx, 1000, 0)).toBe(1000);
  expect(muted.at(-1)).toEqual([7, 1000]);
  // A context without security services records nothing.
  expect(recordBytesAndThrottle(requestContext(), 'produce', 1e9, 0)).toBe(0);
});
