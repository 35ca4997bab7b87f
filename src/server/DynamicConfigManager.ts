// Turns /config/changes notifications into calls of registered listeners with the entity's new config,
// so topic and broker config changes take effect without a restart (Kafka's DynamicConfigManager).
import type { KafkaZkApi, Unsubscribe } from '../zk/api';
import { moduleLogger, type Logger } from '../util/logger';

export type ConfigEntityType = 'topics' | 'brokers';
export type ConfigChangeListener = (entityType: ConfigEntityType, name: string, newConfig: Record<string, string>) => void | Promise<void>;

export class DynamicConfigManager {
  private readonly listeners = new Set<ConfigChangeListener>();
  private unsubscribe: Unsubscribe | null = null;
  /** Notifications are handled one at a time, in order, so a listener never sees an older config after a newer one. */
  private chain: Promise<void> = Promise.resolve();
  private readonly log: Logger;

  constructor(private readonly zk: KafkaZkApi, private readonly brokerId: number) {
    this.log = moduleLogger('dynamic-config', { brokerId });
  }

  /** Adds a listener; returns its remover. */
  addListener(l: ConfigChangeListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  startup(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.zk.onConfigChange((entityType, name) => {
      this.chain = this.chain.then(() => this.handle(entityType, name)).catch((e) => this.log.warn({ err: e, entityType, name }, 'applying config change failed'));
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
