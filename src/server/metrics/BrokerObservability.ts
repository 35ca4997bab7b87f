// Everything behind metrics.listener, built by KafkaServer in one place: the Prometheus registry, the HTTP listener,
// readiness, and the high watermarks consumer lag is computed against.
import type { Logger } from '../../util/logger';
import type { KafkaController } from '../../controller/KafkaController';
import type { GroupCoordinator } from '../../coordinator/GroupCoordinator';
import type { LogManager } from '../../log/LogManager';
import type { ZkClient } from '../../zk/ZkClient';
import type { MetadataCache } from '../MetadataCache';
import type { ReplicaManager } from '../ReplicaManager';
import { BrokerMetrics, type RequestMetrics } from './BrokerMetrics';
import { MetricsServer, type ReadinessCheck } from './MetricsServer';
import { RemoteHighWatermarks } from './RemoteHighWatermarks';

export interface BrokerParts {
  replicaManager: ReplicaManager;
  logManager: LogManager;
  controller: KafkaController;
  groupCoordinator: GroupCoordinator;
  metadataCache: MetadataCache;
  zkSession: ZkClient;
}

export interface BrokerObservabilityOptions {
  brokerId: number;
  listener: string;
  interBrokerListenerName: string;
  requestTimeoutMs: number;
  /** The broker's lifecycle state ('starting', 'running', ...) and whether it holds a registration in ZooKeeper. */
  lifecycle: () => { state: string; registered: boolean };
  logger: Logger;
}

const BROKER_STATE: Readonly<Record<string, number>> = { new: 0, starting: 1, running: 3, stopping: 6, stopped: 7 };

export class BrokerObservability {
  readonly metrics: BrokerMetrics;
  private parts: BrokerParts | null = null;
  private highWatermarks: RemoteHighWatermarks | null = null;
  private server: MetricsServer | null = null;

  constructor(private readonly opts: BrokerObservabilityOptions) {
    this.metrics = new BrokerMetrics({
      brokerId: opts.brokerId,
      replicaManager: () => this.parts?.replicaManager ?? null,
      logManager: () => this.parts?.logManager ?? null,
      controller: () => this.parts?.controller ?? null,
      groupCoordinator: () => this.parts?.groupCoordinator ?? null,
      zkSession: () => this.parts?.zkSession ?? null,
      brokerState: () => BROKER_STATE[opts.lifecycle().state] ?? 0,
      refreshLagHighWatermarks: () => this.highWatermarks?.refresh() ?? Promise.resolve(),
    });
  }

  /** For the request processor: per-request timing. */
  get requests(): RequestMetrics {
    return this.metrics.requests;
  }

  /** The bound URL once started. */
  get url(): string | null {
    return this.server?.url ?? null;
  }

  /** Starts the listener once the broker's parts exist (before network start-up, so probes see it starting). */
  async startup(parts: BrokerParts): Promise<void> {
    if (this.server) return;
    this.parts = parts;
    this.metrics.attach();
    this.highWatermarks = new RemoteHighWatermarks({
      brokerId: this.opts.brokerId,
      replicaManager: parts.replicaManager,
      metadataCache: parts.metadataCache,
      interBrokerListenerName: this.opts.interBrokerListenerName,
      refreshIntervalMs: 2000,
      requestTimeoutMs: this.opts.requestTimeoutMs,
      logger: this.opts.logger,
    });
    const hw = this.highWatermarks;
    parts.groupCoordinator.lag.setHighWatermarkSource((t, p) => hw.get(t, p));
    hw.startup();
    this.server = new MetricsServer({
      listener: this.opts.listener,
      brokerId: this.opts.brokerId,
      metrics: this.metrics,
      readiness: this.readiness,
      controllerEvents: () => ({ active: parts.controller.isActive, events: parts.controller.metrics.recentEvents() }),
      groupLag: async (group) => {
        if (!parts.groupCoordinator.groupLag(group)) return null;
        await Promise.race([hw.refresh(), new Promise((r) => setTimeout(r, 1000).unref())]);
        return parts.groupCoordinator.groupLag(group);
      },
      logger: this.opts.logger,
    });
    try {
      await this.server.startup();
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EADDRINUSE') throw new Error(`metrics.listener port is already in use (${this.opts.listener}); stop the other process or change metrics.listener`);
      throw e;
    }
  }

  async shutdown(): Promise<void> {
    await this.server?.shutdown();
    this.server = null;
    this.highWatermarks?.shutdown();
    this.metrics.detach();
  }

  /** Ready: running and registered in ZooKeeper (logs are loaded before), and every partition it should lead is led. */
  private readonly readiness: ReadinessCheck = () => {
    const { state, registered } = this.opts.lifecycle();
    const parts = this.parts;
    if (state !== 'running' || !parts) return { ready: false, reason: `broker is ${state === 'starting' ? 'starting (loading logs or registering)' : state}` };
    if (!registered || !parts.zkSession.isConnected) return { ready: false, reason: 'not registered in ZooKeeper (session disconnected or expired)' };
    const offline: string[] = [];
    const cache = parts.metadataCache;
    for (const topic of cache.topicNames()) {
      for (const cp of cache.partitionsOf(topic) ?? []) {
        if (cp.leader !== this.opts.brokerId) continue;
        const p = parts.replicaManager.getPartition(topic, cp.partition);
        const log = parts.logManager.getLog(topic, cp.partition);
        if (!p || !p.isLeader || !log || log.isOffline) offline.push(`${topic}-${cp.partition}`);
      }
    }
    if (offline.length > 0) return { ready: false, reason: `${offline.length} partition(s) this broker should lead are offline here`, details: { partitions: offline.slice(0, 100) } };
    return { ready: true };
  };
}
