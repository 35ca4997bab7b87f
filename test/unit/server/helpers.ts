// Shared helpers for server unit tests: a fake timer/clock, temp logs, record batches, a recording AlterIsr queue,
// and a request context for calling handlers directly.
import type { Timer } from '../../../src/server/purgatory/DelayedOperation';
import type { AlterIsrItem } from '../../../src/server/AlterIsrManager';
import type { BrokerServices } from '../../../src/server/BrokerServices';
import type { RequestContext } from '../../../src/server/handlers/types';
import { ConfigRepository, type ConfigStore } from '../../../src/server/ConfigRepository';
import { advertisedApis } from '../../../src/server/handlers/registry';
import { buildConfig, KafkaConfig } from '../../../src/config/KafkaConfig';
import { rootLogger } from '../../../src/util/logger';

export { tmpDir, batch, openLog } from '../log/helpers';

/** Time that moves only when a test says so; timers fire in deadline order. */
export class FakeTime implements Timer {
  t = 1_000_000;
  private tasks: Array<{ at: number; seq: number; fn: () => void; live: boolean }> = [];
  private seq = 0;
  now(): number {
    return this.t;
  }
  schedule(delayMs: number, fn: () => void): () => void {
    const task = { at: this.t + delayMs, seq: this.seq++, fn, live: true };
    this.tasks.push(task);
    return () => {
      task.live = false;
    };
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.tasks.filter((x) => x.live && x.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      due.live = false;
      this.t = due.at;
      due.fn();
    }
    this.tasks = this.tasks.filter((x) => x.live);
    this.t = end;
  }
  get pendingTimers(): number {
    return this.tasks.filter((x) => x.live).length;
  }
}

/** Records AlterIsr submissions; the test answers them. */
export class RecordingAlterIsr {
  items: AlterIsrItem[] = [];
  submit(item: AlterIsrItem): boolean {
    if (this.items.some((i) => i.topic === item.topic && i.partition === item.partition)) return false;
    this.items.push(item);
    return true;
  }
  clearPending(topic: string, partition: number): void {
    this.items = this.items.filter((i) => !(i.topic === topic && i.partition === partition));
  }
  /** Answers the oldest submission as the controller would on success. */
  accept(zkVersion: number): AlterIsrItem {
    const item = this.items.shift();
    if (!item) throw new Error('no AlterIsr pending');
    item.callback({ errorCode: 0, leaderEpoch: item.leaderEpoch, isr: item.newIsr, zkVersion });
    return item;
  }
  refuse(errorCode: number): AlterIsrItem {
    const item = this.items.shift();
    if (!item) throw new Error('no AlterIsr pending');
    item.callback({ errorCode });
    return item;
  }
}

/**
 * A context for calling a handler directly, as broker 1 with a minimal server.properties (plus `properties`).
 * Services the test does not give throw when a handler reaches for them, naming the one missing.
 */
export function requestContext(opts: {
  services?: Partial<BrokerServices>;
  /** Where `services.configs` (a real ConfigRepository) keeps configs, when a test gives one. */
  configStore?: ConfigStore;
  properties?: Record<string, string>;
  apiVersion?: number;
  metadataCache?: RequestContext['metadataCache'];
} = {}): RequestContext {
  const properties = new Map([['broker.id', '1'], ['zookeeper.connect', '127.0.0.1:2181'], ['listeners', 'PLAINTEXT://127.0.0.1:9092'], ...Object.entries(opts.properties ?? {})]);
  const config = new KafkaConfig(buildConfig(properties));
  const given: Partial<BrokerServices> = { ...(opts.configStore ? { configs: new ConfigRepository(opts.configStore, 1, config, rootLogger) } : {}), ...opts.services };
  const services = new Proxy(given, {
    get: (target, name) => {
      if (typeof name !== 'string' || name in target) return (target as Record<string | symbol, unknown>)[name];
      throw new Error(`service ${name} is not wired in this test`);
    },
  }) as BrokerServices;
  return {
    apiVersion: opts.apiVersion ?? 3, correlationId: 1, clientId: 'test', connection: {} as RequestContext['connection'], brokerId: 1,
    config, metadataCache: opts.metadataCache ?? ({} as RequestContext['metadataCache']),
    services, logger: rootLogger, advertisedApis,
  };
}
