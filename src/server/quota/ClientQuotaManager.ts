// One quota type's manager (Kafka's ClientQuotaManager with its default quota callback): the quota of a
// (user, client-id) pair resolved by Kafka's precedence over /config/users and /config/clients entities, a sampled
// rate per resolved entity, and the throttle time of a client over its bound (KIP-219).
import { sanitize } from '../../security/scram/sanitizer';
import { SampledRate, throttleTimeMs, type RateConfig } from './SampledRate';

export type QuotaType = 'produce' | 'fetch' | 'request';

/** Entity keys as in ZooKeeper (sanitized names, `<default>`): users/u, users/u/clients/c, clients/c. */
const DEFAULT = '<default>';
const userKey = (u: string): string => `users/${u}`;
const userClientKey = (u: string, c: string): string => `users/${u}/clients/${c}`;
const clientKey = (c: string): string => `clients/${c}`;

/**
 * Kafka's DefaultQuotaCallback: the metric tags (which sensor is shared) and the quota for a user and client id.
 * Precedence: users/u/clients/c, users/u/clients/<default>, users/u, users/<default>/clients/c,
 * users/<default>/clients/<default>, users/<default>, clients/c, clients/<default>, then the static default.
 */
export function resolveQuota(quotas: ReadonlyMap<string, number>, user: string, clientId: string, staticDefault: number | null): { user: string; client: string; bound: number | null } {
  const u = sanitize(user);
  const c = sanitize(clientId);
  let tags: { user: string; client: string };
  if (quotas.has(userClientKey(u, c)) || quotas.has(userClientKey(u, DEFAULT))) tags = { user: u, client: c };
  else if (quotas.has(userKey(u))) tags = { user: u, client: '' };
  else if (quotas.has(userClientKey(DEFAULT, c)) || quotas.has(userClientKey(DEFAULT, DEFAULT))) tags = { user: u, client: c };
  else if (quotas.has(userKey(DEFAULT))) tags = { user: u, client: '' };
  else tags = { user: '', client: c };
  let bound: number | undefined;
  if (tags.user !== '' && tags.client !== '') {
    bound = quotas.get(userClientKey(u, c)) ?? quotas.get(userClientKey(u, DEFAULT)) ?? quotas.get(userClientKey(DEFAULT, c)) ?? quotas.get(userClientKey(DEFAULT, DEFAULT));
  } else if (tags.user !== '') {
    bound = quotas.get(userKey(u)) ?? quotas.get(userKey(DEFAULT));
  } else {
    bound = quotas.get(clientKey(c)) ?? quotas.get(clientKey(DEFAULT)) ?? staticDefault ?? undefined;
  }
  return { ...tags, bound: bound ?? null };
}

/** Kafka expires a client's quota sensors after an hour without use. */
const SENSOR_EXPIRY_MS = 60 * 60 * 1000;

export interface ClientQuotaManagerOptions {
  rate: RateConfig;
  /** quota.producer.default / quota.consumer.default (deprecated static per-client-id default); null = none. */
  staticDefault?: number | null;
  /** The request-percentage throttle is capped at one window; byte-rate throttles are not capped. */
  maxThrottleTimeMs?: number | null;
}

export class ClientQuotaManager {
  /** Configured quotas of this type by entity key. */
  private readonly quotas = new Map<string, number>();
  private readonly sensors = new Map<string, { rate: SampledRate; lastRecordMs: number }>();

  constructor(readonly type: QuotaType, private readonly opts: ClientQuotaManagerOptions) {}

  /** Sets (or with null removes) the quota of an entity key (`users/alice`, `clients/<default>`, ...). */
  updateQuota(entityKey: string, value: number | null): void {
    if (value === null) this.quotas.delete(entityKey);
    else this.quotas.set(entityKey, value);
  }

  /** Whether any quota of this type exists (otherwise nothing is recorded, as in Kafka). */
  get quotasEnabled(): boolean {
    return this.quotas.size > 0 || (this.opts.staticDefault ?? null) !== null;
  }

  quota(user: string, clientId: string): number | null {
    return resolveQuota(this.quotas, user, clientId, this.opts.staticDefault ?? null).bound;
  }

  /**
   * Records `value` (bytes, or request time as percent-seconds) for the client and returns how long it must be
   * throttled: 0 within its quota, else round((rate − bound) / bound × window).
   */
  recordAndGetThrottleTimeMs(user: string, clientId: string, value: number, nowMs: number): number {
    if (!this.quotasEnabled) return 0;
    const r = resolveQuota(this.quotas, user, clientId, this.opts.staticDefault ?? null);
    const sensor = this.sensor(`${r.user}\u0000${r.client}`, nowMs);
    sensor.rate.record(value, nowMs);
    if (r.bound === null) return 0;
    const observed = sensor.rate.measure(nowMs);
    if (observed <= r.bound) return 0;
    const t = throttleTimeMs(observed, r.bound, sensor.rate.windowSize(nowMs));
    return this.opts.maxThrottleTimeMs != null ? Math.min(t, this.opts.maxThrottleTimeMs) : t;
  }

  /**
   * Kafka's getMaxValueInQuotaWindow: the most a client may use at once without being throttled when nothing is recorded
   * in its window, bound × (samples − 1) windows; Infinity without a quota. A consumer's fetch max bytes is capped by it.
   */
  maxValueInQuotaWindow(user: string, clientId: string): number {
    if (!this.quotasEnabled) return Infinity;
    const bound = this.quota(user, clientId);
    return bound === null ? Infinity : (bound * (this.opts.rate.samples - 1) * this.opts.rate.windowMs) / 1000;
  }

  /** Takes recorded usage back off (a throttled Fetch sends no records, so its bytes do not count). */
  unrecord(user: string, clientId: string, value: number, nowMs: number): void {
    if (!this.quotasEnabled) return;
    const r = resolveQuota(this.quotas, user, clientId, this.opts.staticDefault ?? null);
    this.sensor(`${r.user}\u0000${r.client}`, nowMs).rate.record(-value, nowMs);
  }

  private sensor(key: string, nowMs: number): { rate: SampledRate; lastRecordMs: number } {
    let s = this.sensors.get(key);
    if (!s) {
      if (this.sensors.size > 0 && this.sensors.size % 1000 === 0) this.expireSensors(nowMs);
      this.sensors.set(key, (s = { rate: new SampledRate(this.opts.rate), lastRecordMs: nowMs }));
    }
    s.lastRecordMs = nowMs;
    return s;
  }

  private expireSensors(nowMs: number): void {
    for (const [k, s] of this.sensors) if (nowMs - s.lastRecordMs > SENSOR_EXPIRY_MS) this.sensors.delete(k);
  }
}
