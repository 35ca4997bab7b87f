// Kafka's quota math on a driven clock: the sampled rate (quota.window.num × quota.window.size), the throttle time
// round((rate − bound) / bound × window), the request-quota cap, and the precedence of quota entities.
import { SampledRate, throttleTimeMs } from '../../../../src/server/quota/SampledRate';
import { ClientQuotaManager, resolveQuota } from '../../../../src/server/quota/ClientQuotaManager';

const config = { samples: 11, windowMs: 1000 };

describe('SampledRate (Kafka Rate over SampledTotal)', () => {
  test('a young rate divides by at least (samples − 1) windows', () => {
    const r = new SampledRate(config);
    r.record(10_000, 0);
    expect(r.windowSize(0)).toBe(10_000);
    expect(r.measure(0)).toBe(1000); // 10000 bytes over 10 s
    expect(r.windowSize(2500)).toBe(10_500); // 2 full windows elapsed: 2500 + (10 − 2) × 1000
  });

  test('after more than samples × window, old samples no longer count', () => {
    const r = new SampledRate(config);
    r.record(5000, 0);
    for (let t = 1000; t <= 20_000; t += 1000) r.record(100, t);
    // 11 windows kept: the ones from t=10000..20000, 100 bytes each
    expect(r.measure(20_000)).toBeCloseTo(1100 / 10, 6);
  });

  test('steady 1000 B/s gives 1000 B/s once the window is full', () => {
    const r = new SampledRate(config);
    for (let t = 0; t <= 30_000; t += 100) r.record(100, t);
    expect(r.measure(30_000)).toBeGreaterThan(990);
    expect(r.measure(30_000)).toBeLessThan(1110);
  });
});

test('throttle time formula (QuotaUtils.throttleTime)', () => {
  expect(throttleTimeMs(1500, 1000, 10_000)).toBe(5000);
  expect(throttleTimeMs(1000.4, 1000, 1000)).toBe(0);
  expect(throttleTimeMs(2000, 1000, 11_000)).toBe(11_000);
});

describe('ClientQuotaManager', () => {
  test('no quota configured: nothing is recorded and nobody is throttled', () => {
    const m = new ClientQuotaManager('produce', { rate: config });
    expect(m.quotasEnabled).toBe(false);
    expect(m.recordAndGetThrottleTimeMs('alice', 'app', 1e9, 0)).toBe(0);
  });

  test('a client over its byte rate is throttled by the time that brings it back to the bound', () => {
    const m = new ClientQuotaManager('produce', { rate: config });
    m.updateQuota('clients/app', 1000);
    // 20000 bytes at t=0: rate = 20000 / 10 s = 2000 B/s; throttle = (2000 − 1000) / 1000 × 10000 ms
    expect(m.recordAndGetThrottleTimeMs('alice', 'app', 20_000, 0)).toBe(10_000);
    expect(m.recordAndGetThrottleTimeMs('alice', 'other', 20_000, 0)).toBe(0);
  });

  test('within the quota: 0', () => {
    const m = new ClientQuotaManager('fetch', { rate: config });
    m.updateQuota('users/alice', 1_000_000);
    expect(m.recordAndGetThrottleTimeMs('alice', 'app', 5000, 0)).toBe(0);
  });

  test('the request-percentage throttle is capped at one window; byte throttles are not', () => {
    const req = new ClientQuotaManager('request', { rate: config, maxThrottleTimeMs: 1000 });
    req.updateQuota('users/<default>', 1);
    expect(req.recordAndGetThrottleTimeMs('bob', 'c', 500, 0)).toBe(1000);
    const bytes = new ClientQuotaManager('produce', { rate: config });
    bytes.updateQuota('users/<default>', 1);
    expect(bytes.recordAndGetThrottleTimeMs('bob', 'c', 500, 0)).toBeGreaterThan(1000);
  });

  test('unrecord takes usage back off the rate', () => {
    const m = new ClientQuotaManager('fetch', { rate: config });
    m.updateQuota('clients/app', 1000);
    expect(m.recordAndGetThrottleTimeMs('u', 'app', 20_000, 0)).toBeGreaterThan(0);
    m.unrecord('u', 'app', 20_000, 0);
    expect(m.recordAndGetThrottleTimeMs('u', 'app', 1, 0)).toBe(0);
  });

  test('a user quota is shared by all of its client ids; a client quota is per client id', () => {
    const m = new ClientQuotaManager('produce', { rate: config });
    m.updateQuota('users/alice', 1000);
    expect(m.recordAndGetThrottleTimeMs('alice', 'a', 9000, 0)).toBe(0);
    expect(m.recordAndGetThrottleTimeMs('alice', 'b', 9000, 0)).toBeGreaterThan(0);
  });
});

describe('quota precedence (DefaultQuotaCallback)', () => {
  const q = (entries: Record<string, number>) => new Map(Object.entries(entries));
  const all = {
    'users/u/clients/c': 1, 'users/u/clients/<default>': 2, 'users/u': 3, 'users/<default>/clients/c': 4,
    'users/<default>/clients/<default>': 5, 'users/<default>': 6, 'clients/c': 7, 'clients/<default>': 8,
  };
  const order = Object.keys(all);

  test('most specific first, each level taking over when the ones above are removed', () => {
    for (let i = 0; i < order.length; i++) {
      const m = q(Object.fromEntries(order.slice(i).map((k) => [k, all[k as keyof typeof all]])));
      expect(resolveQuota(m, 'u', 'c', null).bound).toBe(i + 1);
    }
    expect(resolveQuota(q({}), 'u', 'c', 99).bound).toBe(99);
    expect(resolveQuota(q({}), 'u', 'c', null).bound).toBeNull();
  });

  test('sensor sharing: user-level quotas drop the client id, client quotas drop the user', () => {
    expect(resolveQuota(q({ 'users/u': 3 }), 'u', 'c', null)).toEqual({ user: 'u', client: '', bound: 3 });
    expect(resolveQuota(q({ 'clients/<default>': 8 }), 'u', 'c', null)).toEqual({ user: '', client: 'c', bound: 8 });
    expect(resolveQuota(q({ 'users/u/clients/<default>': 2 }), 'u', 'c', null)).toEqual({ user: 'u', client: 'c', bound: 2 });
  });

  test('names are sanitized as in ZooKeeper', () => {
    expect(resolveQuota(q({ 'users/CN%3Dx%2CO%3Dy': 5 }), 'CN=x,O=y', 'c', null).bound).toBe(5);
  });
});

test('a producer that honours the throttle times it is given ends up within 10% of its byte-rate quota', () => {
  const m = new ClientQuotaManager('produce', { rate: config });
  const quota = 100_000; // bytes/s
  m.updateQuota('clients/fast', quota);
  // A client that sends a 16 KiB request every 5 ms unless told to wait (KIP-219: it waits the throttle time).
  let now = 0;
  let sent = 0;
  const measureFrom = 30_000;
  let sentAfter = 0;
  while (now < 90_000) {
    const throttle = m.recordAndGetThrottleTimeMs('u', 'fast', 16_384, now);
    sent += 16_384;
    if (now >= measureFrom) sentAfter += 16_384;
    now += 5 + throttle;
  }
  const rate = sentAfter / ((now - measureFrom) / 1000);
  expect(sent).toBeGreaterThan(0);
  expect(Math.abs(rate - quota) / quota).toBeLessThan(0.1);
});
