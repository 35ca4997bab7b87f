// Turns /config/changes notifications into calls of registered listeners with the entity's new config,
// so topic and broker config changes take effect without a restart (Kafka's DynamicConfigManager with its
// ZkNodeChangeNotificationListener). The only reader of the notification sequence: it tracks the last sequence
// seen, handles newer ones in order and purges expired ones.
import type { KafkaZkApi, Unsubscribe } from '../zk/api';
import { ConfigEntityChangeNotificationSequenceZNode } from '../zk/znodes';
import { moduleLogger, type Logger } from '../util/logger';

export type ConfigEntityType = 'topics' | 'brokers';
export type ConfigChangeListener = (entityType: ConfigEntityType, name: string, newConfig: Record<string, string>) => void | Promise<void>;

/** Kafka's changeExpirationMs for /config/changes notifications. */
export const CONFIG_CHANGE_EXPIRATION_MS = 15 * 60 * 1000;

export interface DynamicConfigManagerOptions {
  /** Age after which /config/changes notifications are deleted (Kafka: 15 minutes); tests shorten it. */
  changeExpirationMs?: number;
}

export class DynamicConfigManager {
  private readonly listeners = new Set<ConfigChangeListener>();
  private unsubscribe: Unsubscribe | null = null;
  /** Notifications are handled one at a time, in order, so a listener never sees an older config after a newer one. */
  private chain: Promise<void> = Promise.resolve();
  /** Highest notification sequence handled; null until the first listing. */
  private lastSeq: number | null = null;
  private readonly changeExpirationMs: number;
  private readonly log: Logger;

  constructor(private readonly zk: KafkaZkApi, private readonly brokerId: number, opts: DynamicConfigManagerOptions = {}) {
    this.log = moduleLogger('dynamic-config', { brokerId });
    this.changeExpirationMs = opts.changeExpirationMs ?? CONFIG_CHANGE_EXPIRATION_MS;
  }

  /** Adds a listener; returns its remover. */
  addListener(l: ConfigChangeListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /**
   * From now on, each new notification is handled once, in sequence order. Notifications already present are
   * skipped: the broker read the current configs at start-up.
   */
  startup(): void {
    if (this.unsubscribe) return;
    // Started synchronously, so the listing (which records the current high-water sequence) is queued on the
    // session before any request the caller sends after starting up.
    this.chain = this.processNotifications().catch((e) => this.log.warn({ err: e }, 'reading config changes failed'));
    this.unsubscribe = this.zk.onConfigChangeNotifications(() => {
      this.chain = this.chain.then(() => this.processNotifications()).catch((e) => this.log.warn({ err: e }, 'processing config changes failed'));
    });
  }

  shutdown(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Resolves once every notification received so far has been delivered (for tests and orderly shutdown). */
  idle(): Promise<void> {
    return this.chain;
  }

  private async processNotifications(): Promise<void> {
    const children = await this.zk.getConfigChangeNotifications();
    const seqs = children
      .map((id) => ({ id, seq: ConfigEntityChangeNotificationSequenceZNode.sequenceOf(id) }))
      .sort((a, b) => a.seq - b.seq);
    if (this.lastSeq === null) {
      this.lastSeq = seqs[seqs.length - 1]?.seq ?? -1;
      return;
    }
    for (const { id, seq } of seqs) {
      if (seq <= this.lastSeq) continue;
      this.lastSeq = seq;
      try {
        const n = await this.zk.getConfigChangeNotification(id);
        if (n?.change) await this.handle(n.change.entityType, n.change.name);
      } catch (e) {
        this.log.warn({ err: e, notification: id }, 'bad config change notification');
      }
    }
    await this.purgeObsoleteNotifications(seqs.map((x) => x.id));
  }

  /**
   * Kafka's ZkNodeChangeNotificationListener.purgeObsoleteNotifications: notifications older than 15 minutes have
   * been seen by every live broker (a broker starting later reads the configs themselves) and are deleted, so
   * /config/changes does not grow without bound. Every broker does it; a node another one deleted first is fine.
   */
  private async purgeObsoleteNotifications(ids: string[], now = Date.now()): Promise<void> {
    for (const id of ids) {
      try {
        const n = await this.zk.getConfigChangeNotification(id);
        if (n && now - n.ctime > this.changeExpirationMs) await this.zk.deleteConfigChangeNotification(id);
      } catch (e) {
        this.log.warn({ err: e, notification: id }, 'could not purge an old config change notification');
      }
    }
  }

  /** Reads the entity's current config and tells every listener; brokers other than us (and <default>) are skipped. */
  async handle(entityType: ConfigEntityType, name: string): Promise<void> {
    if (entityType === 'brokers' && name !== '<default>' && name !== String(this.brokerId)) return;
    const config = entityType === 'topics'
      ? await this.zk.getTopicConfig(name)
      : await this.zk.getBrokerConfig(name === '<default>' ? '<default>' : Number(name));
    this.log.info({ entityType, name, config }, 'config changed');
    for (const l of this.listeners) {
      try {
        await l(entityType, name, config);
      } catch (e) {
        this.log.error({ err: e, entityType, name }, 'config change listener failed');
      }
    }
  }
}
