// The /config/users and /config/clients entity configs (SCRAM credentials and quotas, KAFKA-FORMATS.md §3.1, §5) and
// the /config/changes notifications that announce them, written as Kafka's AdminZkClient.changeConfigs does
// (entity znode first, then the notification). Names passed in are already sanitized.
import type { Unsubscribe } from './api';
import type { KafkaZkCore } from './KafkaZkCore';
import { NoNodeError, NodeExistsError } from './ZkClient';
import { ConfigChangesZNode, ConfigEntityChangeNotificationSequenceZNode, ConfigEntityZNode } from './znodes';
import { EntityConfigNotification, entityPathString, notificationEntityPath, parseEntityPath, type QuotaEntityPath } from './securityZnodes';

export class EntityConfigZk {
  constructor(private readonly c: KafkaZkCore) {}

  async getEntityConfig(e: QuotaEntityPath): Promise<Record<string, string>> {
    const path = `/config/${entityPathString(e)}`;
    const r = await this.c.getDataIfExists(path);
    return r ? ConfigEntityZNode.decode(path, r.data) : {};
  }

  /** Replaces the entity's config, then writes the change notification. */
  async setEntityConfig(e: QuotaEntityPath, config: Record<string, string>): Promise<void> {
    const path = `/config/${entityPathString(e)}`;
    const data = ConfigEntityZNode.encode(config);
    try {
      await this.c.zk.setData(path, data, -1);
    } catch (err) {
      if (!(err instanceof NoNodeError)) throw err;
      await this.c.zk.createRecursive(path.slice(0, path.lastIndexOf('/')));
      try {
        await this.c.zk.create(path, data);
      } catch (err2) {
        if (!(err2 instanceof NodeExistsError)) throw err2;
        await this.c.zk.setData(path, data, -1);
      }
    }
    await this.notify(entityPathString(e));
  }

  private async notify(entityPath: string): Promise<void> {
    const data = EntityConfigNotification.encode(entityPath);
    try {
      await this.c.zk.create(EntityConfigNotification.pathPrefix, data, 'persistentSequential');
    } catch (err) {
      if (!(err instanceof NoNodeError)) throw err;
      await this.c.zk.createRecursive(ConfigChangesZNode.path);
      await this.c.zk.create(EntityConfigNotification.pathPrefix, data, 'persistentSequential');
    }
  }

  /** Every user, client and user/client entity that has a config znode (names sanitized, `<default>` included). */
  async listEntities(): Promise<QuotaEntityPath[]> {
    const out: QuotaEntityPath[] = [];
    for (const client of await this.children('/config/clients')) out.push({ kind: 'clients', client });
    for (const user of await this.children('/config/users')) {
      // A user znode with only /clients children may hold no data of its own; it is listed anyway (empty config).
      out.push({ kind: 'users', user });
      for (const client of await this.children(`/config/users/${user}/clients`)) out.push({ kind: 'user-clients', user, client });
    }
    return out;
  }

  /** The user/client entity a /config/changes child names; null for other entity types or when it is gone. */
  async getNotificationEntity(id: string): Promise<QuotaEntityPath | null> {
    const path = `${ConfigChangesZNode.path}/${id}`;
    const r = await this.c.getDataIfExists(path);
    if (!r) return null;
    const p = notificationEntityPath(path, r.data);
    return p === null ? null : parseEntityPath(p);
  }

  getNotifications(): Promise<string[]> {
    return this.children(ConfigChangesZNode.path).then((cs) => cs.filter((c) => c.startsWith(ConfigChangesZNode.prefix)));
  }

  onNotifications(cb: () => void): Unsubscribe {
    return this.c.subscribe('children', ConfigChangesZNode.path, cb);
  }

  static sequenceOf(id: string): number {
    return ConfigEntityChangeNotificationSequenceZNode.sequenceOf(id);
  }

  private async children(path: string): Promise<string[]> {
    try {
      return await this.c.zk.getChildren(path);
    } catch (e) {
      if (e instanceof NoNodeError) return [];
      throw e;
    }
  }
}
