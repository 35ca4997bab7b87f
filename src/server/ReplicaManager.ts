// The broker's replicas: applies LeaderAndIsr/StopReplica/UpdateMetadata, serves produce, fetch, list-offsets,
// offset-for-leader-epoch and delete-records, drives follower fetchers and ISR maintenance (Kafka's ReplicaManager).
// This class owns the partitions and shared services; each request path lives in a module beside it:
// ReplicaStateChanges (controller requests), ReplicaProduce, ReplicaFetch and ReplicaOffsets.
import { ErrorCode } from '../protocol/errors';
import type { LeaderAndIsrRequest } from '../protocol/messages/04-leader-and-isr';
import type { StopReplicaRequest } from '../protocol/messages/05-stop-replica';
import type { UpdateMetadataRequest } from '../protocol/messages/06-update-metadata';
import type { KafkaConfig } from '../config/KafkaConfig';
import type { LogManager } from '../log/LogManager';
import type { LogConfig } from '../log/LogConfig';
import type { AppendOrigin } from '../log/LogTypes';
import type { MetadataCache } from './MetadataCache';
import type { Partition } from './Partition';
import { AlterIsrManager, type AlterIsrSender } from './AlterIsrManager';
import { DelayedOperationPurgatory } from './purgatory/DelayedOperationPurgatory';
import { BrokerTopicStats } from './metrics/BrokerTopicStats';
import { systemTimer, type Timer } from './purgatory/DelayedOperation';
import type { DelayedProduce, ProducePartitionResult } from './purgatory/DelayedProduce';
import type { DelayedFetch } from './purgatory/DelayedFetch';
import { ReplicaFetcherManager } from './fetcher/ReplicaFetcherManager';
import { moduleLogger, type Logger } from '../util/logger';
import { tpKey } from '../util/types';
import type { ReplicaManagerContext } from './ReplicaManagerContext';
import { ReplicaStateChanges, type ControlResult } from './ReplicaStateChanges';
import * as produce from './ReplicaProduce';
import * as fetch from './ReplicaFetch';
import * as offsets from './ReplicaOffsets';
import type { ProduceEntry } from './ReplicaProduce';
import type { FetchParams, FetchPartitionResult } from './ReplicaFetch';
import type { ListOffsetResult } from './ReplicaOffsets';

export type { ProducePartitionResult } from './purgatory/DelayedProduce';
export type { PartitionError, ControlResult } from './ReplicaStateChanges';
export type { ProduceEntry } from './ReplicaProduce';
export type { FetchPartitionRequest, FetchParams, FetchPartitionResult } from './ReplicaFetch';
export type { ListOffsetResult } from './ReplicaOffsets';
export { MAX_TIMESTAMP } from './ReplicaOffsets';

/** One producer's state as DescribeProducers reports it (-1 where there is no sequence, timestamp or open transaction). */
export interface ActiveProducer {
  producerId: bigint;
  producerEpoch: number;
  lastSequence: number;
  lastTimestamp: bigint;
  coordinatorEpoch: number;
  currentTxnStartOffset: bigint;
}

export interface ReplicaManagerOptions {
  brokerId: number;
  config: KafkaConfig;
  logManager: LogManager;
  metadataCache: MetadataCache;
  /** This broker's current registration epoch (czxid of /brokers/ids/<id>), -1 before registration. */
  brokerEpoch: () => bigint;
  /** Sends AlterIsr to the active controller (see `controllerAlterIsrSender`). */
  sendAlterIsr: AlterIsrSender;
  /** A topic's log config: broker defaults plus the topic's ZooKeeper overrides. Cached per topic. */
  topicConfig: (topic: string) => Promise<LogConfig>;
  /** Topic configs read from ZooKeeper before the logs loaded (KafkaServer start-up), seeding the cache. */
  initialTopicConfigs?: Map<string, LogConfig>;
  /** Backoff of a partition state change deferred because its topic config could not be read; default 500 ms. */
  configRetryBackoffMs?: number;
  logger?: Logger;
  clock?: { now(): number };
  timer?: Timer;
  /** Interval of the ISR shrink check; default replica.lag.time.max.ms / 2. */
  isrCheckIntervalMs?: number;
  /**
   * Settles once this broker has registered in ZooKeeper. Controller requests wait for it: the listener is bound
   * first, and a request that arrives before this incarnation knows its own epoch cannot be told from one meant for
   * the previous incarnation.
   */
  registered?: Promise<void>;
  /** Where the produce, fetch and ISR paths count what they did (the metrics endpoint reads it); default: a fresh one. */
  stats?: BrokerTopicStats;
}

export class ReplicaManager {
  private readonly partitions = new Map<string, Partition>();
  private readonly logger: Logger;
  private readonly clock: { now(): number };
  readonly alterIsrManager: AlterIsrManager;
  readonly fetcherManager: ReplicaFetcherManager;
  readonly producePurgatory: DelayedOperationPurgatory<DelayedProduce>;
  readonly fetchPurgatory: DelayedOperationPurgatory<DelayedFetch>;
  readonly stats: BrokerTopicStats;
  private readonly topicConfigs = new Map<string, LogConfig>();
  private isrTimer: NodeJS.Timeout | null = null;
  private state: 'new' | 'running' | 'stopped' = 'new';
  private readonly replicaLagTimeMaxMs: number;
  private readonly leadershipListeners = new Set<(p: Partition, isLeader: boolean) => void>();
  /** What the request-path modules see of this manager. */
  private readonly ctx: ReplicaManagerContext;
  private readonly stateChanges: ReplicaStateChanges;

  constructor(private readonly opts: ReplicaManagerOptions) {
    for (const [topic, cfg] of opts.initialTopicConfigs ?? []) this.topicConfigs.set(topic, cfg);
    const v = opts.config.values;
    this.logger = opts.logger ?? moduleLogger('replica-manager', { brokerId: opts.brokerId });
    this.clock = opts.clock ?? { now: () => Date.now() };
    this.replicaLagTimeMaxMs = Number(v['replica.lag.time.max.ms']);
    const timer = opts.timer ?? systemTimer;
    this.stats = opts.stats ?? new BrokerTopicStats();
    this.producePurgatory = new DelayedOperationPurgatory('Produce', timer);
    this.fetchPurgatory = new DelayedOperationPurgatory('Fetch', timer);
    this.alterIsrManager = new AlterIsrManager({
      brokerId: opts.brokerId,
      brokerEpoch: opts.brokerEpoch,
      send: opts.sendAlterIsr,
      retryBackoffMs: 200,
      logger: this.logger.child({ module: 'alter-isr' }),
    });
    this.fetcherManager = new ReplicaFetcherManager(
      opts.brokerId,
      {
        fetchWaitMaxMs: v['replica.fetch.wait.max.ms'],
        fetchMinBytes: v['replica.fetch.min.bytes'],
        fetchMaxBytes: v['replica.fetch.max.bytes'],
        fetchResponseMaxBytes: v['replica.fetch.response.max.bytes'],
        fetchBackoffMs: v['replica.fetch.backoff.ms'],
        socketTimeoutMs: v['replica.socket.timeout.ms'],
        numFetchers: v['num.replica.fetchers'],
      },
      (t, p) => this.getPartition(t, p),
      this.logger.child({ module: 'replica-fetcher' }),
    );
    this.ctx = {
      opts,
      logger: this.logger,
      clock: this.clock,
      replicaLagTimeMaxMs: this.replicaLagTimeMaxMs,
      partitions: this.partitions,
      alterIsrManager: this.alterIsrManager,
      fetcherManager: this.fetcherManager,
      producePurgatory: this.producePurgatory,
      fetchPurgatory: this.fetchPurgatory,
      stats: this.stats,
      getPartition: (t, p) => this.getPartition(t, p),
      allPartitions: () => this.allPartitions(),
      notHostedError: (t, p) => this.notHostedError(t, p),
      completeDelayed: (key) => this.completeDelayed(key),
      isStopped: () => this.state === 'stopped',
      logConfigFor: (topic) => this.logConfigFor(topic),
      invalidateTopicConfig: (topic) => this.invalidateTopicConfig(topic),
      notifyLeadership: (p, isLeader) => this.notifyLeadership(p, isLeader),
    };
    this.stateChanges = new ReplicaStateChanges(this.ctx);
  }

  get controllerEpoch(): number {
    return this.stateChanges.controllerEpoch;
  }

  /** Starts the periodic ISR shrink check. Idempotent. */
  startup(): void {
    if (this.state !== 'new') return;
    this.state = 'running';
    const interval = this.opts.isrCheckIntervalMs ?? Math.max(50, Math.floor(this.replicaLagTimeMaxMs / 2));
    this.isrTimer = setInterval(() => this.maybeShrinkIsr(), interval);
    this.isrTimer.unref?.();
  }

  /** Stops fetchers and ISR work and answers every parked request. Idempotent; call before LogManager.shutdown. */
  async shutdown(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    if (this.isrTimer) clearInterval(this.isrTimer);
    this.isrTimer = null;
    this.stateChanges.shutdown();
    await this.fetcherManager.shutdown();
    this.alterIsrManager.shutdown();
    this.producePurgatory.shutdown();
    this.fetchPurgatory.shutdown();
  }

  /**
   * Called after every applied leadership change of a local replica (true: became leader; false: became follower,
   * stopped or deleted), once the LeaderAndIsr/StopReplica is fully applied. Returns an unsubscribe function.
   */
  onLeadershipChange(cb: (p: Partition, isLeader: boolean) => void): () => void {
    this.leadershipListeners.add(cb);
    return () => this.leadershipListeners.delete(cb);
  }

  private notifyLeadership(p: Partition, isLeader: boolean): void {
    for (const cb of [...this.leadershipListeners]) {
      try {
        cb(p, isLeader);
      } catch (e) {
        this.logger.error({ err: e, topicPartition: p.key }, 'leadership listener failed');
      }
    }
  }

  getPartition(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(tpKey(topic, partition));
  }

  allPartitions(): Partition[] {
    return [...this.partitions.values()];
  }

  /** Runs the ISR shrink check on every partition this broker leads. */
  maybeShrinkIsr(): void {
    const now = this.clock.now();
    for (const p of this.partitions.values()) if (p.isLeader) p.maybeShrinkIsr(now);
  }

  private completeDelayed(key: string): void {
    this.producePurgatory.checkAndComplete(key);
    this.fetchPurgatory.checkAndComplete(key);
  }

  /**
   * The topic's config, from the cache or ZooKeeper. Throws when it cannot be read: a log must never run under
   * broker defaults it merely guessed (a compacted topic under delete retention, the wrong min.insync.replicas).
   */
  private async logConfigFor(topic: string): Promise<LogConfig> {
    const cached = this.topicConfigs.get(topic);
    if (cached) return cached;
    const cfg = await withTimeout(this.opts.topicConfig(topic), 10000);
    this.topicConfigs.set(topic, cfg);
    return cfg;
  }

  /** Forgets cached topic configs (config change notification or topic deletion). */
  invalidateTopicConfig(topic: string): void {
    this.topicConfigs.delete(topic);
  }

  private notHostedError(topic: string, partition: number): number {
    return this.opts.metadataCache.getPartition(topic, partition) ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  }

  // ---- controller requests (ReplicaStateChanges) ----------------------------------------------

  /** LeaderAndIsr: fenced by controller and broker epoch, then per partition by leader epoch. */
  becomeLeaderOrFollower(req: LeaderAndIsrRequest, version: number): Promise<ControlResult> {
    return this.stateChanges.becomeLeaderOrFollower(req, version);
  }

  /** StopReplica: stop fetching and optionally delete the log. */
  stopReplicas(req: StopReplicaRequest, version: number): Promise<ControlResult> {
    return this.stateChanges.stopReplicas(req, version);
  }

  /** UpdateMetadata: fills the metadata cache (leader -2 = deleted), fenced by controller and broker epoch. */
  /** Resolves once this broker knows its registration epoch (at most `timeoutMs`; controller requests wait here). */
  async awaitRegistered(timeoutMs = 30_000): Promise<void> {
    if (this.opts.registered === undefined || this.opts.brokerEpoch() >= 0n) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.opts.registered, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  updateMetadata(req: UpdateMetadataRequest, version: number): number {
    return this.stateChanges.updateMetadata(req, version);
  }

  // ---- produce, fetch, offsets (ReplicaProduce, ReplicaFetch, ReplicaOffsets) ----------------

  /** Produce: acks=0/1 resolve after the local append, acks=-1 once the HW covers it (DelayedProduce). */
  /** `origin` 'coordinator': the group and transaction coordinators writing their topics and transaction markers. */
  appendRecords(timeoutMs: number, requiredAcks: number, entries: ProduceEntry[], origin: AppendOrigin = 'client', onOrdered?: () => void): Promise<ProducePartitionResult[]> {
    return produce.appendRecords(this.ctx, timeoutMs, requiredAcks, entries, origin, onOrdered);
  }

  /**
   * Fetch for consumers (bounded by the HW; read_committed by the LSO, with the aborted transactions) and followers
   * (bounded by the LEO), long-polling via DelayedFetch.
   */
  fetchMessages(params: FetchParams): Promise<FetchPartitionResult[]> {
    return fetch.fetchMessages(this.ctx, params);
  }

  /**
   * ListOffsets on the leader by timestamp (-2 earliest, -1 latest, -3 largest timestamp), bounded by the last
   * fetchable offset of `isolationLevel` (1: the LSO, 0: the HW, null for replicas: the LEO).
   */
  fetchOffsetForTimestamp(topic: string, partition: number, timestamp: bigint, isolationLevel: number | null, currentLeaderEpoch: number, replicaId: number): Promise<ListOffsetResult> {
    return offsets.fetchOffsetForTimestamp(this.ctx, topic, partition, timestamp, isolationLevel, currentLeaderEpoch, replicaId);
  }

  /** ListOffsets v0: the log's segment offsets by file time, newest first. */
  legacyFetchOffsetsForTimestamp(topic: string, partition: number, timestamp: bigint, maxNumOffsets: number, replicaId: number): { errorCode: number; offsets: bigint[] } {
    return offsets.legacyFetchOffsetsForTimestamp(this.ctx, topic, partition, timestamp, maxNumOffsets, replicaId);
  }

  /** OffsetForLeaderEpoch on the leader: the end offset of `leaderEpoch` in this log (KIP-101/279). */
  lastOffsetForLeaderEpoch(topic: string, partition: number, currentLeaderEpoch: number, leaderEpoch: number): { errorCode: number; leaderEpoch: number; endOffset: bigint } {
    return offsets.lastOffsetForLeaderEpoch(this.ctx, topic, partition, currentLeaderEpoch, leaderEpoch);
  }

  // ---- producer state (DescribeProducers) -----------------------------------------------------

  /**
   * DescribeProducers (KIP-664): the active producers this replica's log tracks, ordered by producer id. As Kafka's
   * ReplicaManager.activeProducerState, any hosted replica answers, the leader or a follower (which replays the same
   * state from the leader's batches; the admin client asks the leader unless told otherwise); a partition this broker
   * does not host is NOT_LEADER_OR_FOLLOWER when it exists and UNKNOWN_TOPIC_OR_PARTITION when it does not.
   */
  activeProducerState(topic: string, partition: number): { errorCode: number; producers: ActiveProducer[] } {
    const p = this.getPartition(topic, partition);
    if (!p) return { errorCode: this.notHostedError(topic, partition), producers: [] };
    const producers = [...p.activeProducers().values()]
      .sort((a, b) => (a.producerId < b.producerId ? -1 : a.producerId > b.producerId ? 1 : 0))
      .map((e) => ({
        producerId: e.producerId,
        producerEpoch: e.producerEpoch,
        lastSequence: e.lastSeq,
        lastTimestamp: e.lastTimestamp,
        coordinatorEpoch: e.coordinatorEpoch,
        currentTxnStartOffset: e.currentTxnFirstOffset ?? -1n,
      }));
    return { errorCode: ErrorCode.NONE, producers };
  }

  /** DeleteRecords on the leader: moves the log start offset (offset -1 = the HW); answers the new low watermark. */
  deleteRecords(topic: string, partition: number, offset: bigint): Promise<{ errorCode: number; lowWatermark: bigint }> {
    return offsets.deleteRecords(this.ctx, topic, partition, offset);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e as Error);
      },
    );
  });
}
