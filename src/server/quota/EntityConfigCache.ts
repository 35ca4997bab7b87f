// The /config/users and /config/clients entity configs as this broker knows them: read in full at start, then kept
// current from /config/changes (Kafka's UserConfigHandler and ClientIdConfigHandler behind the DynamicConfigManager).
// Listeners (SCRAM credentials, quota managers) are told each entity's new config; names stay sanitized here.
import type { EntityConfigZk } from '../../zk/EntityConfigZk';
import { entityPathString, type QuotaEntityPath } from '../../zk/securityZnodes';
import { moduleLogger, type Logger } from '../../util/logger';
import { NotificationFollower } from '../authorizer/NotificationFollower';

export type EntityConfigListener = (entity: QuotaEntityPath, config: Record<string, string>) => void;

export class EntityConfigCache {
  private readonly configs = new Map<string, { entity: QuotaEntityPath; config: Record<string, string> }>();
  private readonly listeners = new Set<EntityConfigListener>();
  private follower: NotificationFollower | null = null;
  private readonly log: Logger;

  constructor(private readonly zk: EntityConfigZk, brokerId: number) {
    this.log = moduleLogger('entity-configs', { brokerId });
  }

  addListener(l: EntityConfigListener): void {
    this.listeners.add(l);
    for (const { entity, config } of this.configs.values()) l(entity, config);
  }

  /** Follows notifications first, then reads every entity, so no change falls between the two. */
  async startup(): Promise<void> {
    if (this.follower) return;
    this.follower = new NotificationFollower({
      list: () => this.zk.getNotifications(),
      sequenceOf: (id) => Number(id.slice('config_change_'.length)),
      handle: async (id) => {
        const e = await this.zk.getNotificationEntity(id);
        if (e) await this.reload(e);
      },
      // The DynamicConfigManager purges /config/changes; this follower only reads.
      subscribe: (cb) => this.zk.onNotifications(cb),
    }, this.log, Number.POSITIVE_INFINITY, true);
    this.follower.startup();
    for (const e of await this.zk.listEntities()) await this.reload(e);
  }

  shutdown(): void {
    this.follower?.shutdown();
    this.follower = null;
  }

  /** Resolves once the notifications received so far are applied (tests). */
  idle(): Promise<void> {
    return this.follower?.idle() ?? Promise.resolve();
  }

  get(entity: QuotaEntityPath): Record<string, string> {
    return this.configs.get(entityPathString(entity))?.config ?? {};
  }

  entries(): Array<{ entity: QuotaEntityPath; config: Record<string, string> }> {
    return [...this.configs.values()];
  }

  /** Re-reads one entity from ZooKeeper and tells the listeners (also used right after this broker writes one). */
  async reload(entity: QuotaEntityPath): Promise<void> {
    const config = await this.zk.getEntityConfig(entity);
    const key = entityPathString(entity);
    if (Object.keys(config).length === 0) this.configs.delete(key);
    else this.configs.set(key, { entity, config });
    this.log.info({ entity: key, keys: Object.keys(config) }, 'user/client config changed');
    for (const l of this.listeners) {
      try {
        l(entity, config);
      } catch (e) {
        this.log.error({ err: e, entity: key }, 'entity config listener failed');
      }
    }
  }
}
