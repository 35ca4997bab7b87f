// /config/<type>/<name> entity configs and the /config/changes notifications that announce their changes.
import type { ConfigChangeNotification, Unsubscribe } from './api';
import type { KafkaZkCore } from './KafkaZkCore';
import { NoNodeError, NodeExistsError } from './ZkClient';
import { ConfigChangesZNode, ConfigEntityChangeNotificationSequenceZNode, ConfigEntityZNode, type ConfigEntityType } from './znodes';

export class ConfigZk {
  constructor(private readonly c: KafkaZkCore) {}

  private async readEntityConfig(type: ConfigEntityType, name: string): Promise<Record<string, string>> {
    const path = ConfigEntityZNode.path(type, name);
    try {
      return ConfigEntityZNode.decode(path, (await this.c.zk.getData(path)).data);
    } catch (e) {
      if (e instanceof NoNodeError) return {};
      throw e;
    }
  }

  async writeEntityConfig(type: ConfigEntityType, name: string, config: Record<string, string>): Promise<void> {
    const path = ConfigEntityZNode.path(type, name);
    const data = ConfigEntityZNode.encode(config);
    try {
      await this.c.zk.setData(path, data, -1);
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
      await this.c.zk.createRecursive(`/config/${type}`);
      try {
        await this.c.zk.create(path, data);
      } catch (e2) {
        if (!(e2 instanceof NodeExistsError)) throw e2;
        await this.c.zk.setData(path, data, -1);
      }
    }
  }

  private async notifyConfigChange(type: ConfigEntityType, name: string): Promise<void> {
    const data = ConfigEntityChangeNotificationSequenceZNode.encode(type, name);
    try {
      await this.c.zk.create(ConfigEntityChangeNotificationSequenceZNode.pathPrefix, data, 'persistentSequential');
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
      await this.c.zk.createRecursive(ConfigChangesZNode.path);
      await this.c.zk.create(ConfigEntityChangeNotificationSequenceZNode.pathPrefix, data, 'persistentSequential');
    }
  }

  getTopicConfig(topic: string): Promise<Record<string, string>> {
    return this.readEntityConfig('topics', topic);
  }

  async setTopicConfig(topic: string, config: Record<string, string>): Promise<void> {
    await this.writeEntityConfig('topics', topic, config);
    await this.notifyConfigChange('topics', topic);
  }

  getBrokerConfig(brokerId: number | '<default>'): Promise<Record<string, string>> {
    return this.readEntityConfig('brokers', String(brokerId));
  }

  async setBrokerConfig(brokerId: number | '<default>', config: Record<string, string>): Promise<void> {
    await this.writeEntityConfig('brokers', String(brokerId), config);
    await this.notifyConfigChange('brokers', String(brokerId));
  }

  /** Names of the /config/changes children (config_change_<seq>), in no particular order. */
  async getConfigChangeNotifications(): Promise<string[]> {
    try {
      return (await this.c.zk.getChildren(ConfigChangesZNode.path)).filter((c) => c.startsWith(ConfigChangesZNode.prefix));
    } catch (e) {
      if (e instanceof NoNodeError) return [];
      throw e;
    }
  }

  /** One notification: its entity (null when its content is not understood) and creation time; null when gone. */
  async getConfigChangeNotification(id: string): Promise<ConfigChangeNotification | null> {
    const path = `${ConfigChangesZNode.path}/${id}`;
    const r = await this.c.getDataIfExists(path);
    return r && { change: ConfigEntityChangeNotificationSequenceZNode.decode(path, r.data), ctime: r.stat.ctime };
  }

  /** Deletes a notification (a node another broker deleted first is fine). */
  async deleteConfigChangeNotification(id: string): Promise<void> {
    try {
      await this.c.zk.delete(`${ConfigChangesZNode.path}/${id}`, -1);
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
    }
  }

  onConfigChangeNotifications(cb: () => void): Unsubscribe {
    return this.c.subscribe('children', ConfigChangesZNode.path, cb);
  }
}
