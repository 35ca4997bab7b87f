// The broker's client quotas: produce, fetch and request managers fed from /config/users and /config/clients
// (producer_byte_rate, consumer_byte_rate, request_percentage), the throttle hook that mutes a connection (KIP-219),
// and the ZooKeeper side of DescribeClientQuotas / AlterClientQuotas (Kafka's ZkAdminManager).
import type { KafkaPrincipal } from '../../security/types';
import { desanitize, sanitize } from '../../security/scram/sanitizer';
import type { EntityConfigZk } from '../../zk/EntityConfigZk';
import { entityPathString, type QuotaEntityPath } from '../../zk/securityZnodes';
import type { EntityConfigCache } from './EntityConfigCache';
import { ClientQuotaManager, type QuotaType } from './ClientQuotaManager';
import type { RateConfig } from './SampledRate';

/** Quota keys with their Kafka types (QuotaConfigs): longs must be whole numbers. */
export const QUOTA_KEYS: Record<string, 'long' | 'double'> = {
  producer_byte_rate: 'long',
  consumer_byte_rate: 'long',
  request_percentage: 'double',
  controller_mutation_rate: 'double',
};
const KEY_OF: Record<QuotaType, string> = { produce: 'producer_byte_rate', fetch: 'consumer_byte_rate', request: 'request_percentage' };

export interface ClientQuotasOptions {
  rate: RateConfig;
  /** quota.producer.default / quota.consumer.default (Long.MAX = none). */
  producerDefault?: number | null;
  consumerDefault?: number | null;
}

/** A quota entity as the admin APIs name it: user and/or client-id, null name = the default entity. */
export interface QuotaEntity {
  user?: string | null;
  clientId?: string | null;
}

export class QuotaRequestError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}
const INVALID_REQUEST = 42;
const UNSUPPORTED_VERSION = 35;

export type ThrottleListener = (connectionId: number, throttleTimeMs: number) => void;

export class ClientQuotas {
  readonly produce: ClientQuotaManager;
  readonly fetch: ClientQuotaManager;
  readonly request: ClientQuotaManager;
  private readonly throttleListeners = new Set<ThrottleListener>();

  constructor(private readonly zk: EntityConfigZk, private readonly cache: EntityConfigCache, opts: ClientQuotasOptions) {
    this.produce = new ClientQuotaManager('produce', { rate: opts.rate, staticDefault: opts.producerDefault ?? null });
    this.fetch = new ClientQuotaManager('fetch', { rate: opts.rate, staticDefault: opts.consumerDefault ?? null });
    this.request = new ClientQuotaManager('request', { rate: opts.rate, maxThrottleTimeMs: opts.rate.windowMs });
    cache.addListener((entity, config) => {
      const key = entityPathString(entity);
      for (const m of [this.produce, this.fetch, this.request]) {
        const v = config[KEY_OF[m.type]];
        const n = v === undefined ? NaN : Number(v);
        m.updateQuota(key, Number.isFinite(n) ? n : null);
      }
    });
  }

  manager(type: QuotaType): ClientQuotaManager {
    return type === 'produce' ? this.produce : type === 'fetch' ? this.fetch : this.request;
  }

  /** Records usage of a request and returns its throttle time (0 when within quota or no quota applies). */
  recordAndGetThrottleTimeMs(type: QuotaType, principal: KafkaPrincipal, clientId: string | null, value: number, nowMs: number): number {
    return this.manager(type).recordAndGetThrottleTimeMs(principal.name, clientId ?? '', value, nowMs);
  }

  /**
   * KIP-219: after sending a response with a throttle time, the broker stops reading from the connection for that
   * long. The network layer registers here and mutes the connection; handlers call throttle().
   */
  onThrottle(l: ThrottleListener): () => void {
    this.throttleListeners.add(l);
    return () => this.throttleListeners.delete(l);
  }

  throttle(connectionId: number, throttleTimeMs: number): void {
    if (throttleTimeMs <= 0) return;
    for (const l of this.throttleListeners) l(connectionId, throttleTimeMs);
  }

  // ------------------------------------------------------------------------------------------- admin

  /**
   * Kafka's ZkAdminManager.describeClientQuotas for user/client-id components. matchType 0 = EXACT (match is the
   * name, or null for the default entity), 1 = DEFAULT, 2 = SPECIFIED (any entity of that type).
   */
  describe(components: Array<{ entityType: string; matchType: number; match: string | null }>, strict: boolean): Array<{ entity: QuotaEntity; values: Record<string, number> }> {
    let user: { match: string | null | undefined } | undefined;
    let client: { match: string | null | undefined } | undefined;
    for (const c of components) {
      // EXACT with a name, DEFAULT = the <default> entity (null), SPECIFIED = any name (undefined).
      const match = c.matchType === 0 ? c.match : c.matchType === 1 ? null : c.matchType === 2 ? undefined : 'bad';
      if (match === 'bad') throw new QuotaRequestError(INVALID_REQUEST, `Unexpected match type ${c.matchType}`);
      if (c.entityType === 'user') {
        if (user) throw new QuotaRequestError(INVALID_REQUEST, 'Duplicate user filter component entity type');
        user = { match };
      } else if (c.entityType === 'client-id') {
        if (client) throw new QuotaRequestError(INVALID_REQUEST, 'Duplicate client filter component entity type');
        client = { match };
      } else if (c.entityType === '') {
        throw new QuotaRequestError(INVALID_REQUEST, 'Unexpected empty filter component entity type');
      } else {
        throw new QuotaRequestError(UNSUPPORTED_VERSION, `Custom entity type '${c.entityType}' not supported`);
      }
    }
    const matches = (component: { match: string | null | undefined } | undefined, name: string | null | undefined): boolean => {
      if (!component) return name === undefined || !strict;
      if (component.match === undefined) return name !== undefined;
      return name !== undefined && name === component.match;
    };
    const out: Array<{ entity: QuotaEntity; values: Record<string, number> }> = [];
    for (const { entity, config } of this.cache.entries()) {
      const e = toQuotaEntity(entity);
      const values: Record<string, number> = {};
      for (const [k, v] of Object.entries(config)) if (k in QUOTA_KEYS) values[k] = Number(v);
      if (Object.keys(values).length === 0) continue;
      if (matches(user, e.user) && matches(client, e.clientId)) out.push({ entity: e, values });
    }
    return out;
  }

  /** Kafka's alterClientQuotas for one entity: applies the ops to its config znode (unless validateOnly). */
  async alter(entity: Array<{ entityType: string; entityName: string | null }>, ops: Array<{ key: string; value: number; remove: boolean }>, validateOnly: boolean): Promise<void> {
    let user: string | null | undefined;
    let clientId: string | null | undefined;
    for (const e of entity) {
      if (e.entityType === 'user' && user === undefined) user = e.entityName;
      else if (e.entityType === 'client-id' && clientId === undefined) clientId = e.entityName;
      else if (e.entityType === 'ip') throw new QuotaRequestError(INVALID_REQUEST, 'IP quotas are not supported by this broker');
      else throw new QuotaRequestError(INVALID_REQUEST, 'Invalid client quota entity');
    }
    const s = (n: string | null): string => (n === null ? '<default>' : sanitize(n));
    let path: QuotaEntityPath;
    if (user !== undefined && clientId !== undefined) path = { kind: 'user-clients', user: s(user), client: s(clientId) };
    else if (user !== undefined) path = { kind: 'users', user: s(user) };
    else if (clientId !== undefined) path = { kind: 'clients', client: s(clientId) };
    else throw new QuotaRequestError(INVALID_REQUEST, 'Invalid client quota entity');
    const config = { ...(await this.zk.getEntityConfig(path)) };
    for (const op of ops) {
      if (op.remove) {
        delete config[op.key];
        continue;
      }
      const type = QUOTA_KEYS[op.key];
      if (!type) throw new QuotaRequestError(INVALID_REQUEST, `Invalid configuration key ${op.key}`);
      if (type === 'double') config[op.key] = javaDoubleToString(op.value);
      else {
        const whole = Math.floor(op.value + 1e-6);
        if (Math.abs(whole - op.value) > 1e-6) throw new QuotaRequestError(INVALID_REQUEST, `Configuration ${op.key} must be a LONG value`);
        config[op.key] = String(whole);
      }
    }
    if (validateOnly) return;
    await this.zk.setEntityConfig(path, config);
    await this.cache.reload(path);
  }
}

function toQuotaEntity(e: QuotaEntityPath): QuotaEntity {
  const name = (n: string): string | null => (n === '<default>' ? null : desanitize(n));
  if (e.kind === 'users') return { user: name(e.user) };
  if (e.kind === 'clients') return { clientId: name(e.client) };
  return { user: name(e.user), clientId: name(e.client) };
}

/** Java's Double.toString for the values quotas take (e.g. 50.0, 12.5). */
function javaDoubleToString(v: number): string {
  return Number.isInteger(v) ? `${v}.0` : String(v);
}
