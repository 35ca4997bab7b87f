// /config/<type>/<name> entity configs and the /config/changes notifications that announce their changes.
import type { Unsubscribe } from './api';
import type { KafkaZkCore } from './KafkaZkCore';
import { NoNodeError, NodeExistsError } from './ZkClient';
import { ConfigChangesZNode, ConfigEntityChangeNotificationSequenceZNode, ConfigEntityZNode, type ConfigEntityType } from './znodes';

export class ConfigZk {
  constructor(
    private readonly c: KafkaZkCore,
    private readonly configChangeExpirationMs: number,
  ) {}

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

  /**
   * Reports each new /config/changes notification once, in sequence order. Notifications already present
   * when subscribing are skipped: the subscriber reads current configs itself at start-up.
   */
  /**
   * Kafka's ZkNodeChangeNotificationListener.purgeObsoleteNotifications: notifications older than 15 minutes have
   * been seen by every live broker (a broker starting later reads the configs themselves) and are deleted, so
   * /config/changes does not grow without bound. Every broker does it; a node another one deleted first is fine.
   */
  private async purgeObsoleteConfigChanges(children: string[], now = Date.now()): Promise<void> {
    for (const c of children) {
      const path = `${ConfigChangesZNode.path}/${c}`;
      try {
        const stat = await this.c.zk.exists(path);
        if (stat && now - stat.ctime > this.configChangeExpirationMs) await this.c.zk.delete(path, -1);
      } catch (e) {
        if (!(e instanceof NoNodeError)) this.c.log.warn({ err: e, path }, 'could not purge an old config change notification');
      }
    }
  }

  onConfigChange(cb: (entityType: 'topics' | 'brokers', entityName: string) => void): Unsubscribe {
    let lastSeq: number | null = null;
    let chain = Promise.resolve();
    const processNotifications = async (): Promise<void> => {
      let children: string[];
      try {
        children = await this.c.zk.getChildren(ConfigChangesZNode.path);
      } catch (e) {
        if (e instanceof NoNodeError) children = [];
        else throw e;
      }
      const seqs = children
        .filter((c) => c.startsWith(ConfigChangesZNode.prefix))
        .map((c) => ({ c, seq: ConfigEntityChangeNotificationSequenceZNode.sequenceOf(c) }))
        .sort((a, b) => a.seq - b.seq);
      if (lastSeq === null) {
        lastSeq = seqs.length ? (seqs[seqs.length - 1]?.seq ?? -1) : -1;
        return;
      }
      for (const { c, seq } of seqs) {
        if (seq <= lastSeq) continue;
        lastSeq = seq;
        const path = `${ConfigChangesZNode.path}/${c}`;
        try {
          const n = ConfigEntityChangeNotificationSequenceZNode.decode(path, (await this.c.zk.getData(path)).data);
          if (n) this.c.safeCall(() => cb(n.entityType, n.name));
        } catch (e) {
          if (!(e instanceof NoNodeError)) this.c.log.warn({ err: e, path }, 'bad config change notification');
        }
      }
      await this.purgeObsoleteConfigChanges(seqs.map((x) => x.c));
    };
    const enqueue = (): void => {
      chain = chain.then(processNotifications).catch((e) => this.c.log.warn({ err: e }, 'processing config changes failed'));
    };
    // Started synchronously, so the listing (which records the current high-water sequence) is queued on
    // the session before any request the caller sends after subscribing.
    chain = processNotifications().catch((e) => this.c.log.warn({ err: e }, 'reading config changes failed'));
    return this.c.subscribe('children', ConfigChangesZNode.path, enqueue);
  }
}
