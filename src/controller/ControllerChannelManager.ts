// The real ControllerChannel: one ordered queue and connection per broker, each request retried until the
// broker answers or leaves the live set (Kafka's ControllerChannelManager / RequestSendThread).
import { KafkaConnection } from '../client/connection';
import { interBrokerSecurity } from '../client/interBroker';
import { LeaderAndIsr } from '../protocol/messages/04-leader-and-isr';
import { StopReplica } from '../protocol/messages/05-stop-replica';
import { UpdateMetadata } from '../protocol/messages/06-update-metadata';
import type { ApiSchema, RequestInput, ResponseOf } from '../protocol/schema';
import { moduleLogger, type Logger } from '../util/logger';
import type { EndPoint } from '../zk/api';
import type {
  BrokerInfo,
  ControllerChannel,
  LeaderAndIsrCommand,
  StopReplicaCommand,
  StopReplicaResult,
  UpdateMetadataCommand,
} from './channel';

/** The part of KafkaConnection the channel uses (a seam for tests). */
export interface BrokerConnection {
  request<A extends ApiSchema>(api: A, version: number, body: RequestInput<A>): Promise<ResponseOf<A>>;
  close(): void;
  readonly isClosed: boolean;
}

export interface ControllerChannelOptions {
  /** Listener used to reach brokers (inter.broker.listener.name); falls back to the first endpoint. */
  interBrokerListenerName?: string;
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Pause before retrying a request whose connection failed or timed out. */
  retryBackoffMs?: number;
  /** Versions sent; defaults are Kafka 2.8's, which carry topic ids (LeaderAndIsr 5, UpdateMetadata 7). */
  leaderAndIsrVersion?: number;
  updateMetadataVersion?: number;
  stopReplicaVersion?: number;
  connect?: (host: string, port: number) => Promise<BrokerConnection>;
  logger?: Logger;
}

const SECURITY_PROTOCOL_IDS: Readonly<Record<string, number>> = { PLAINTEXT: 0, SSL: 1, SASL_PLAINTEXT: 2, SASL_SSL: 3 };

interface QueueItem {
  readonly name: string;
  send(conn: BrokerConnection): Promise<void>;
}

class BrokerQueue {
  private readonly items: QueueItem[] = [];
  private conn: BrokerConnection | null = null;
  private running = false;
  private stopped = false;
  private wake: (() => void) | null = null;
  private backoffTimer: NodeJS.Timeout | null = null;

  constructor(
    private broker: BrokerInfo,
    private readonly mgr: ControllerChannelManager,
  ) {}

  update(broker: BrokerInfo): void {
    this.broker = broker;
  }

  get pending(): number {
    return this.items.length;
  }

  enqueue(item: QueueItem): void {
    if (this.stopped) return;
    this.items.push(item);
    if (!this.running) void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.items.length = 0;
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.wake?.();
    this.conn?.close();
    this.conn = null;
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.stopped && this.items.length > 0) {
        const item = this.items[0] as QueueItem;
        try {
          const conn = await this.connection();
          if (this.stopped) return;
          await item.send(conn);
          if (this.items[0] === item) this.items.shift();
        } catch (err) {
          if (this.stopped) return;
          this.mgr.log.warn({ broker: this.broker.id, request: item.name, err: (err as Error).message }, 'controller request failed; retrying');
          this.conn?.close();
          this.conn = null;
          await this.backoff();
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async connection(): Promise<BrokerConnection> {
    if (this.conn && !this.conn.isClosed) return this.conn;
    const ep = this.mgr.endpointFor(this.broker);
    if (!ep) throw new Error(`broker ${this.broker.id} has no endpoint`);
    this.conn = await this.mgr.connect(ep.host, ep.port);
    if (this.stopped) this.conn.close();
    return this.conn;
  }

  private backoff(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = null;
        resolve();
      };
      this.backoffTimer = setTimeout(() => this.wake?.(), this.mgr.retryBackoffMs);
    });
  }
}

export class ControllerChannelManager implements ControllerChannel {
  readonly log: Logger;
  readonly retryBackoffMs: number;
  readonly connect: (host: string, port: number) => Promise<BrokerConnection>;
  private readonly queues = new Map<number, BrokerQueue>();
  private readonly listener: string | undefined;
  private readonly versions: { leaderAndIsr: number; updateMetadata: number; stopReplica: number };

  constructor(opts: ControllerChannelOptions = {}) {
    this.log = opts.logger ?? moduleLogger('controller.channel');
    this.retryBackoffMs = opts.retryBackoffMs ?? 100;
    this.listener = opts.interBrokerListenerName;
    this.versions = {
      leaderAndIsr: opts.leaderAndIsrVersion ?? 5,
      updateMetadata: opts.updateMetadataVersion ?? 7,
      stopReplica: opts.stopReplicaVersion ?? 3,
    };
    const requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    const connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    this.connect =
      opts.connect ??
      ((host, port) => KafkaConnection.connect(host, port, { clientId: 'controller', connectTimeoutMs, requestTimeoutMs, security: interBrokerSecurity() }));
  }

  endpointFor(b: BrokerInfo): EndPoint | undefined {
    return b.endpoints.find((e) => e.listenerName === this.listener) ?? b.endpoints[0];
  }

  /** Requests waiting (or in flight) for a broker; 0 when it is not in the channel. */
  pendingFor(brokerId: number): number {
    return this.queues.get(brokerId)?.pending ?? 0;
  }

  addBroker(broker: BrokerInfo): void {
    const q = this.queues.get(broker.id);
    if (q) q.update(broker);
    else this.queues.set(broker.id, new BrokerQueue(broker, this));
  }

  removeBroker(brokerId: number): void {
    this.queues.get(brokerId)?.stop();
    this.queues.delete(brokerId);
  }

  removeAllBrokers(): void {
    for (const id of [...this.queues.keys()]) this.removeBroker(id);
  }

  private enqueue(brokerId: number, item: QueueItem): void {
    const q = this.queues.get(brokerId);
    if (!q) {
      this.log.warn({ broker: brokerId, request: item.name }, 'dropping a request to a broker not in the channel');
      return;
    }
    q.enqueue(item);
  }

  sendLeaderAndIsr(brokerId: number, r: LeaderAndIsrCommand): void {
    const version = this.versions.leaderAndIsr;
    const byTopic = new Map<string, LeaderAndIsrCommand['partitions']>();
    for (const p of r.partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
    const partitionState = (p: LeaderAndIsrCommand['partitions'][number]) => ({
      topicName: p.topic,
      partitionIndex: p.partition,
      controllerEpoch: p.controllerEpoch,
      leader: p.leader,
      leaderEpoch: p.leaderEpoch,
      isr: p.isr,
      zkVersion: p.zkVersion,
      replicas: p.replicas,
      addingReplicas: p.addingReplicas,
      removingReplicas: p.removingReplicas,
      isNew: p.isNew,
    });
    const body: RequestInput<typeof LeaderAndIsr> = {
      controllerId: r.controllerId,
      controllerEpoch: r.controllerEpoch,
      brokerEpoch: r.brokerEpoch,
      type: 0,
      ungroupedPartitionStates: version < 2 ? r.partitions.map(partitionState) : [],
      topicStates: version >= 2 ? [...byTopic].map(([topicName, ps]) => ({ topicName, topicId: ps[0]?.topicId, partitionStates: ps.map(partitionState) })) : [],
      liveLeaders: r.liveLeaders.flatMap((b) => {
        const ep = this.endpointFor(b);
        return ep ? [{ brokerId: b.id, hostName: ep.host, port: ep.port }] : [];
      }),
    };
    this.enqueue(brokerId, {
      name: 'LeaderAndIsr',
      send: async (conn) => {
        const res = await conn.request(LeaderAndIsr, version, body);
        if (res.errorCode !== 0) this.log.warn({ broker: brokerId, errorCode: res.errorCode }, 'LeaderAndIsr refused');
      },
    });
  }

  sendUpdateMetadata(brokerId: number, r: UpdateMetadataCommand): void {
    const version = this.versions.updateMetadata;
    const state = (p: UpdateMetadataCommand['partitions'][number]) => ({
      topicName: p.topic,
      partitionIndex: p.partition,
      controllerEpoch: p.controllerEpoch,
      leader: p.leader,
      leaderEpoch: p.leaderEpoch,
      isr: p.isr,
      zkVersion: p.zkVersion,
      replicas: p.replicas,
      offlineReplicas: p.offlineReplicas,
    });
    const byTopic = new Map<string, UpdateMetadataCommand['partitions']>();
    for (const p of r.partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
    const body: RequestInput<typeof UpdateMetadata> = {
      controllerId: r.controllerId,
      controllerEpoch: r.controllerEpoch,
      brokerEpoch: r.brokerEpoch,
      ungroupedPartitionStates: version < 5 ? r.partitions.map(state) : [],
      topicStates: version >= 5 ? [...byTopic].map(([topicName, ps]) => ({ topicName, topicId: ps[0]?.topicId, partitionStates: ps.map(state) })) : [],
      liveBrokers: r.liveBrokers.map((b) => {
        const first = b.endpoints[0];
        return {
          id: b.id,
          v0Host: first?.host ?? '',
          v0Port: first?.port ?? -1,
          endpoints: b.endpoints.map((e) => ({
            port: e.port,
            host: e.host,
            listener: e.listenerName,
            securityProtocol: SECURITY_PROTOCOL_IDS[e.securityProtocol] ?? 0,
          })),
          rack: b.rack,
        };
      }),
    };
    this.enqueue(brokerId, {
      name: 'UpdateMetadata',
      send: async (conn) => {
        const res = await conn.request(UpdateMetadata, version, body);
        if (res.errorCode !== 0) this.log.warn({ broker: brokerId, errorCode: res.errorCode }, 'UpdateMetadata refused');
      },
    });
  }

  sendStopReplica(brokerId: number, r: StopReplicaCommand, onResponse?: (result: StopReplicaResult) => void): void {
    const version = this.versions.stopReplica;
    // Before v3 one request carries a single delete flag: send deletes and non-deletes separately.
    const groups = version >= 3 ? [r.partitions] : [r.partitions.filter((p) => p.deletePartition), r.partitions.filter((p) => !p.deletePartition)];
    for (const parts of groups) {
      if (parts.length === 0) continue;
      const byTopic = new Map<string, typeof parts>();
      for (const p of parts) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
      const body: RequestInput<typeof StopReplica> = {
        controllerId: r.controllerId,
        controllerEpoch: r.controllerEpoch,
        brokerEpoch: r.brokerEpoch,
        deletePartitions: parts[0]?.deletePartition ?? false,
        ungroupedPartitions: version === 0 ? parts.map((p) => ({ topicName: p.topic, partitionIndex: p.partition })) : [],
        topics: version >= 1 && version <= 2 ? [...byTopic].map(([name, ps]) => ({ name, partitionIndexes: ps.map((p) => p.partition) })) : [],
        topicStates:
          version >= 3
            ? [...byTopic].map(([topicName, ps]) => ({
                topicName,
                partitionStates: ps.map((p) => ({ partitionIndex: p.partition, leaderEpoch: p.leaderEpoch, deletePartition: p.deletePartition })),
              }))
            : [],
      };
      this.enqueue(brokerId, {
        name: 'StopReplica',
        send: async (conn) => {
          const res = await conn.request(StopReplica, version, body);
          // A request-level error (stale epoch) comes without partition errors: it applies to every partition.
          const partitions =
            res.partitionErrors.length > 0
              ? res.partitionErrors.map((e) => ({ topic: e.topicName, partition: e.partitionIndex, errorCode: e.errorCode }))
              : parts.map((p) => ({ topic: p.topic, partition: p.partition, errorCode: res.errorCode }));
          onResponse?.({ errorCode: res.errorCode, partitions });
        },
      });
    }
  }
}
