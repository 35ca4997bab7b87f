// The broker's view of cluster metadata, fed by the controller's UpdateMetadata (and by ZooKeeper at start-up).
import { ZERO_UUID } from '../util/uuid';

export interface CachedBroker {
  id: number;
  rack: string | null;
  /** listener name -> host/port */
  endpoints: Map<string, { host: string; port: number }>;
  epoch: bigint;
}

export interface CachedPartition {
  topic: string;
  partition: number;
  leader: number;
  leaderEpoch: number;
  isr: number[];
  replicas: number[];
  offlineReplicas: number[];
  zkVersion: number;
  controllerEpoch: number;
}

export class MetadataCache {
  private brokers = new Map<number, CachedBroker>();
  private topics = new Map<string, Map<number, CachedPartition>>();
  /** Topic ids (KIP-516) both ways: the one place request handlers resolve names and ids. */
  private topicIdsByName = new Map<string, string>();
  private topicNamesById = new Map<string, string>();
  private controllerIdValue: number | null = null;
  private controllerEpochValue = -1;
  private listeners = new Set<() => void>();

  constructor(readonly clusterId: string, readonly brokerId: number) {}

  get controllerId(): number | null { return this.controllerIdValue; }
  get controllerEpoch(): number { return this.controllerEpochValue; }

  aliveBrokers(): CachedBroker[] {
    return [...this.brokers.values()].sort((a, b) => a.id - b.id);
  }

  getBroker(id: number): CachedBroker | undefined { return this.brokers.get(id); }
  isBrokerAlive(id: number): boolean { return this.brokers.has(id); }

  topicNames(): string[] { return [...this.topics.keys()].sort(); }
  hasTopic(topic: string): boolean { return this.topics.has(topic); }

  partitionsOf(topic: string): CachedPartition[] | undefined {
    const t = this.topics.get(topic);
    return t ? [...t.values()].sort((a, b) => a.partition - b.partition) : undefined;
  }

  getPartition(topic: string, partition: number): CachedPartition | undefined {
    return this.topics.get(topic)?.get(partition);
  }

  /** The topic's id, undefined when the topic is unknown or has none. */
  getTopicId(topic: string): string | undefined {
    return this.topicIdsByName.get(topic);
  }

  /** The topic's id as responses carry it: the zero uuid when unknown (Kafka's getTopicId). */
  topicIdOrZero(topic: string): string {
    return this.topicIdsByName.get(topic) ?? ZERO_UUID;
  }

  /** The name of the topic with this id, undefined when no known topic has it (requests answer UNKNOWN_TOPIC_ID). */
  getTopicName(topicId: string): string | undefined {
    return this.topicNamesById.get(topicId);
  }

  /** Every known topic id and its name (for requests that name many topics by id, e.g. Fetch v13+). */
  topicNamesByIdSnapshot(): ReadonlyMap<string, string> {
    return new Map(this.topicNamesById);
  }

  /** Replaces the live broker set and controller (used before the first UpdateMetadata arrives). */
  setBrokers(brokers: CachedBroker[], controllerId: number | null): void {
    this.brokers = new Map(brokers.map((b) => [b.id, b]));
    this.controllerIdValue = controllerId;
    this.notify();
  }

  setController(controllerId: number | null, controllerEpoch?: number): void {
    this.controllerIdValue = controllerId;
    if (controllerEpoch !== undefined) this.controllerEpochValue = controllerEpoch;
    this.notify();
  }

  /**
   * Applies an UpdateMetadata: live brokers are replaced; partition states are upserted, and a partition whose
   * leader is -2 (LeaderDuringDelete) is removed, as Kafka does for deleted topics.
   */
  applyUpdate(
    controllerId: number,
    controllerEpoch: number,
    brokers: CachedBroker[] | null,
    partitions: CachedPartition[],
    topicIds: ReadonlyMap<string, string> = new Map(),
  ): void {
    this.controllerIdValue = controllerId;
    this.controllerEpochValue = controllerEpoch;
    if (brokers !== null) this.brokers = new Map(brokers.map((b) => [b.id, b]));
    // As Kafka's ZkMetadataCache: an id replaces the topic's, the zero uuid removes it (a controller without ids).
    for (const [topic, id] of topicIds) {
      this.forgetTopicId(topic);
      if (id !== ZERO_UUID) {
        this.topicIdsByName.set(topic, id);
        this.topicNamesById.set(id, topic);
      }
    }
    for (const p of partitions) {
      if (p.leader === -2) {
        const t = this.topics.get(p.topic);
        t?.delete(p.partition);
        if (t && t.size === 0) {
          this.topics.delete(p.topic);
          this.forgetTopicId(p.topic);
        }
        continue;
      }
      let t = this.topics.get(p.topic);
      if (!t) {
        t = new Map();
        this.topics.set(p.topic, t);
      }
      t.set(p.partition, p);
    }
    this.notify();
  }

  removeTopic(topic: string): void {
    this.topics.delete(topic);
    this.forgetTopicId(topic);
    this.notify();
  }

  private forgetTopicId(topic: string): void {
    const id = this.topicIdsByName.get(topic);
    if (id === undefined) return;
    this.topicIdsByName.delete(topic);
    if (this.topicNamesById.get(id) === topic) this.topicNamesById.delete(id);
  }

  /** Called after every change (used by requests waiting for metadata, e.g. CreateTopics). */
  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /**
   * Resolves true as soon as `check()` holds (now or after a change), false when `timeoutMs` passes first; a timeout of
   * 0 or less only checks once.
   */
  waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    if (timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (ok: boolean): void => {
        clearTimeout(timer);
        stop();
        resolve(ok);
      };
      const stop = this.onChange(() => {
        if (check()) finish(true);
      });
      const timer = setTimeout(() => finish(check()), timeoutMs);
    });
  }

  private notify(): void {
    for (const cb of [...this.listeners]) cb();
  }
}
