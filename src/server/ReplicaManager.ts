// The broker's replicas: applies LeaderAndIsr/StopReplica/UpdateMetadata, serves produce, fetch, list-offsets,
// offset-for-leader-epoch and delete-records, drives follower fetchers and ISR maintenance (Kafka's ReplicaManager).
import { ErrorCode, KafkaError } from '../protocol/errors';
import type { LeaderAndIsrRequest } from '../protocol/messages/04-leader-and-isr';
import type { StopReplicaRequest } from '../protocol/messages/05-stop-replica';
import type { UpdateMetadataRequest } from '../protocol/messages/06-update-metadata';
import type { KafkaConfig } from '../config/KafkaConfig';
import type { LogManager } from '../log/LogManager';
import type { LogConfig } from '../log/LogConfig';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP } from '../log/LogTypes';
import { LogError, LogErrorCode } from '../log/errors';
import type { CachedBroker, CachedPartition, MetadataCache } from './MetadataCache';
import { Partition, type PartitionState } from './Partition';
import { AlterIsrManager, type AlterIsrSender } from './AlterIsrManager';
import { DelayedOperationPurgatory } from './purgatory/DelayedOperationPurgatory';
import { systemTimer, type Timer } from './purgatory/DelayedOperation';
import { DelayedProduce, type ProducePartitionResult, type ProducePartitionStatus } from './purgatory/DelayedProduce';
import { DelayedFetch, type FetchPartitionStatus } from './purgatory/DelayedFetch';
import { ReplicaFetcherManager, type AddFetcherItem } from './fetcher/ReplicaFetcherManager';
import { AsyncLock } from '../util/AsyncLock';
import { moduleLogger, type Logger } from '../util/logger';
import { tpKey } from '../util/types';
import { mapErrorToCode } from './errorMapping';

export type { ProducePartitionResult } from './purgatory/DelayedProduce';

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
}

export interface PartitionError {
  topic: string;
  partition: number;
  errorCode: number;
}

export interface ControlResult {
  errorCode: number;
  partitionErrors: PartitionError[];
}

export interface ProduceEntry {
  topic: string;
  partition: number;
  records: Buffer | null;
}

export interface FetchPartitionRequest {
  topic: string;
  partition: number;
  fetchOffset: bigint;
  currentLeaderEpoch: number;
  /** The follower's log start offset (-1 from consumers). */
  logStartOffset: bigint;
  maxBytes: number;
}

export interface FetchParams {
  /** -1 for consumers, the follower's broker id for replication. */
  replicaId: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  /** Fetch v0-2: maxBytes is a hard limit (no first-batch exception). */
  hardMaxBytesLimit?: boolean;
  partitions: FetchPartitionRequest[];
}

export interface FetchPartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  records: Buffer | null;
}

export interface ListOffsetResult {
  errorCode: number;
  timestamp: bigint;
  offset: bigint;
  leaderEpoch: number;
}

interface DeferredState {
  s: PartitionState;
  attempt: number;
  timer: NodeJS.Timeout;
}

/** Kafka's security protocol ids in UpdateMetadata endpoints. */
const SECURITY_PROTOCOL_NAMES: Record<number, string> = { 0: 'PLAINTEXT', 1: 'SSL', 2: 'SASL_PLAINTEXT', 3: 'SASL_SSL' };
/** StopReplica leader epoch meaning "the topic is being deleted". */
const EPOCH_DURING_DELETE = -2;

export class ReplicaManager {
  private readonly partitions = new Map<string, Partition>();
  private readonly logger: Logger;
  private readonly clock: { now(): number };
  readonly alterIsrManager: AlterIsrManager;
  readonly fetcherManager: ReplicaFetcherManager;
  readonly producePurgatory: DelayedOperationPurgatory<DelayedProduce>;
  readonly fetchPurgatory: DelayedOperationPurgatory<DelayedFetch>;
  /** LeaderAndIsr and StopReplica run one at a time. Lock order: this → fetcher lock → Log lock. */
  private readonly stateChangeLock = new AsyncLock();
  private readonly topicConfigs = new Map<string, LogConfig>();
  private readonly leaderEndpoints = new Map<number, { host: string; port: number }>();
  private controllerEpochValue = -1;
  private isrTimer: NodeJS.Timeout | null = null;
  private state: 'new' | 'running' | 'stopped' = 'new';
  private readonly replicaLagTimeMaxMs: number;
  private readonly leadershipListeners = new Set<(p: Partition, isLeader: boolean) => void>();
  /** LeaderAndIsr states not applied because the topic's config could not be read, retried with backoff. */
  private readonly deferredStates = new Map<string, DeferredState>();

  constructor(private readonly opts: ReplicaManagerOptions) {
    for (const [topic, cfg] of opts.initialTopicConfigs ?? []) this.topicConfigs.set(topic, cfg);
    const v = opts.config.values;
    this.logger = opts.logger ?? moduleLogger('replica-manager', { brokerId: opts.brokerId });
    this.clock = opts.clock ?? { now: () => Date.now() };
    this.replicaLagTimeMaxMs = Number(v['replica.lag.time.max.ms']);
    const timer = opts.timer ?? systemTimer;
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
      },
      (t, p) => this.getPartition(t, p),
      this.logger.child({ module: 'replica-fetcher' }),
    );
  }

  get controllerEpoch(): number {
    return this.controllerEpochValue;
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
    for (const d of this.deferredStates.values()) clearTimeout(d.timer);
    this.deferredStates.clear();
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

  private isBrokerEpochStale(requestEpoch: bigint): boolean {
    return requestEpoch !== -1n && requestEpoch < this.opts.brokerEpoch();
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

  // ---- controller requests ------------------------------------------------------------------

  /** LeaderAndIsr: fenced by controller and broker epoch, then per partition by leader epoch. */
  becomeLeaderOrFollower(req: LeaderAndIsrRequest, version: number): Promise<ControlResult> {
    const states: Array<{ topic: string; partition: number; s: PartitionState }> = [];
    const add = (topic: string, ps: LeaderAndIsrRequest['ungroupedPartitionStates'][number]): void => {
      states.push({ topic, partition: ps.partitionIndex, s: { controllerEpoch: ps.controllerEpoch, leader: ps.leader, leaderEpoch: ps.leaderEpoch, isr: ps.isr, zkVersion: ps.zkVersion, replicas: ps.replicas, isNew: ps.isNew } });
    };
    if (version < 2) for (const ps of req.ungroupedPartitionStates) add(ps.topicName, ps);
    else for (const t of req.topicStates) for (const ps of t.partitionStates) add(t.topicName, ps);
    const all = (code: number): ControlResult => ({ errorCode: code, partitionErrors: states.map(({ topic, partition }) => ({ topic, partition, errorCode: code })) });

    return this.stateChangeLock.run(async () => {
      if (req.controllerEpoch < this.controllerEpochValue) {
        this.logger.warn({ controllerId: req.controllerId, controllerEpoch: req.controllerEpoch, current: this.controllerEpochValue }, 'ignoring LeaderAndIsr from a stale controller');
        return all(ErrorCode.STALE_CONTROLLER_EPOCH);
      }
      if (this.isBrokerEpochStale(req.brokerEpoch)) {
        this.logger.warn({ requestBrokerEpoch: String(req.brokerEpoch), current: String(this.opts.brokerEpoch()) }, 'ignoring LeaderAndIsr for an older incarnation of this broker');
        return all(ErrorCode.STALE_BROKER_EPOCH);
      }
      this.controllerEpochValue = req.controllerEpoch;
      for (const l of req.liveLeaders) this.leaderEndpoints.set(l.brokerId, { host: l.hostName, port: l.port });
      return { errorCode: ErrorCode.NONE, partitionErrors: await this.applyPartitionStates(states, req.controllerEpoch) };
    });
  }

  /** Applies LeaderAndIsr partition states (under the state-change lock); returns one error per state. */
  private async applyPartitionStates(states: Array<{ topic: string; partition: number; s: PartitionState }>, controllerEpoch: number): Promise<PartitionError[]> {
    const errors: PartitionError[] = [];
    const toLead: Array<{ p: Partition; s: PartitionState }> = [];
    const toFollow: Array<{ p: Partition; s: PartitionState }> = [];
    for (const { topic, partition, s } of states) {
      const key = tpKey(topic, partition);
      const existing = this.partitions.get(key);
      const currentEpoch = existing?.leaderEpoch ?? -1;
      if (s.leaderEpoch <= currentEpoch) {
        // Kafka 2.8 answers STALE_CONTROLLER_EPOCH for an older or equal leader epoch.
        this.logger.info({ topicPartition: key, requestEpoch: s.leaderEpoch, currentEpoch }, 'ignoring LeaderAndIsr: leader epoch not newer');
        errors.push({ topic, partition, errorCode: ErrorCode.STALE_CONTROLLER_EPOCH });
        continue;
      }
      if (!s.replicas.includes(this.opts.brokerId)) {
        errors.push({ topic, partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
        continue;
      }
      let cfg: LogConfig;
      try {
        cfg = await this.logConfigFor(topic);
      } catch (e) {
        // Neither lead nor follow under guessed settings: answer an error and apply this state once the config
        // can be read (unless a newer state or a StopReplica replaces it first).
        this.deferState(topic, partition, s, controllerEpoch, e);
        errors.push({ topic, partition, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR });
        continue;
      }
      this.cancelDeferred(key);
      let p = existing;
      try {
        const log = this.opts.logManager.getOrCreateLog(topic, partition, cfg);
        log.config = cfg;
        if (!p) {
          p = new Partition(topic, partition, log, {
            localBrokerId: this.opts.brokerId,
            clock: this.clock,
            replicaLagTimeMaxMs: this.replicaLagTimeMaxMs,
            alterIsr: this.alterIsrManager,
            onIsrChanged: (part) => this.completeDelayed(part.key),
            logger: this.logger,
          });
          this.partitions.set(key, p);
        } else p.setLog(log);
      } catch (e) {
        this.logger.error({ topicPartition: key, err: e }, 'cannot create the log for a partition');
        errors.push({ topic, partition, errorCode: ErrorCode.KAFKA_STORAGE_ERROR });
        continue;
      }
      errors.push({ topic, partition, errorCode: ErrorCode.NONE });
      if (s.leader === this.opts.brokerId) toLead.push({ p, s });
      else toFollow.push({ p, s });
    }

    // Leaders: stop fetching first, then take over.
    await this.fetcherManager.removeFetcherForPartitions(toLead.map((x) => x.p.key));
    const led: typeof toLead = [];
    for (const l of toLead) {
      const { p, s } = l;
      try {
        await p.makeLeader(s);
      } catch (e) {
        // The epoch could not be made durable: the log went offline. Not a leader we can vouch for.
        this.logger.error({ topicPartition: p.key, err: e }, 'cannot become leader: storage error');
        const entry = errors.find((x) => x.topic === p.topic && x.partition === p.partition);
        if (entry) entry.errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
        continue;
      }
      led.push(l);
      this.logger.info({ topicPartition: p.key, leaderEpoch: s.leaderEpoch, isr: s.isr, hw: p.highWatermark.toString(), leo: p.logEndOffset.toString() }, 'became leader');
    }

    // Followers: stop the old fetcher BEFORE any truncation; the new fetcher truncates via OffsetForLeaderEpoch.
    const changed: typeof toFollow = [];
    for (const f of toFollow) if (await f.p.makeFollower(f.s)) changed.push(f);
    await this.fetcherManager.removeFetcherForPartitions(changed.map((x) => x.p.key));
    const fetchItems: AddFetcherItem[] = [];
    for (const { p, s } of changed) {
      const ep = this.leaderEndpoint(s.leader);
      this.logger.info({ topicPartition: p.key, leader: s.leader, leaderEpoch: s.leaderEpoch, leo: p.logEndOffset.toString() }, 'became follower');
      if (!ep) {
        this.logger.info({ topicPartition: p.key, leader: s.leader }, 'leader not available: not fetching until a new LeaderAndIsr');
        continue;
      }
      fetchItems.push({ topic: p.topic, partition: p.partition, leaderEpoch: s.leaderEpoch, fetchOffset: p.logEndOffset, leader: { id: s.leader, host: ep.host, port: ep.port } });
    }
    for (const { p } of [...toLead, ...toFollow]) this.completeDelayed(p.key);
    await this.fetcherManager.addFetcherForPartitions(fetchItems);
    await this.fetcherManager.shutdownIdleFetchers();
    for (const { p } of led) this.notifyLeadership(p, true);
    for (const { p } of changed) this.notifyLeadership(p, false);
    return errors;
  }

  /** Remembers a state whose topic config could not be read and retries it with backoff (doubling, 30 s cap). */
  private deferState(topic: string, partition: number, s: PartitionState, controllerEpoch: number, err: unknown): void {
    const key = tpKey(topic, partition);
    const prev = this.deferredStates.get(key);
    if (prev) clearTimeout(prev.timer);
    const attempt = prev && prev.s.leaderEpoch === s.leaderEpoch ? prev.attempt + 1 : 0;
    const delayMs = Math.min(30_000, (this.opts.configRetryBackoffMs ?? 500) * 2 ** Math.min(attempt, 10));
    this.logger.error({ topicPartition: key, leaderEpoch: s.leaderEpoch, err: (err as Error).message ?? String(err), retryInMs: delayMs }, 'cannot read the topic config: partition state change deferred');
    const timer = setTimeout(() => {
      void this.stateChangeLock.run(async () => {
        const d = this.deferredStates.get(key);
        if (d !== deferred || this.state === 'stopped') return;
        this.deferredStates.delete(key);
        // A newer controller re-sends every state on failover; this one is no longer its word.
        if (controllerEpoch < this.controllerEpochValue) return;
        await this.applyPartitionStates([{ topic, partition, s }], controllerEpoch);
      });
    }, delayMs);
    timer.unref?.();
    const deferred: DeferredState = { s, attempt, timer };
    this.deferredStates.set(key, deferred);
  }

  private cancelDeferred(key: string): void {
    const d = this.deferredStates.get(key);
    if (!d) return;
    clearTimeout(d.timer);
    this.deferredStates.delete(key);
  }

  private leaderEndpoint(id: number): { host: string; port: number } | undefined {
    if (id < 0) return undefined;
    const fromCache = this.opts.metadataCache.getBroker(id)?.endpoints.get(this.opts.config.interBrokerListener.name);
    return this.leaderEndpoints.get(id) ?? fromCache;
  }

  /** StopReplica: stop fetching and optionally delete the log. */
  stopReplicas(req: StopReplicaRequest, version: number): Promise<ControlResult> {
    const items: Array<{ topic: string; partition: number; leaderEpoch: number; deletePartition: boolean }> = [];
    if (version === 0) for (const p of req.ungroupedPartitions) items.push({ topic: p.topicName, partition: p.partitionIndex, leaderEpoch: -1, deletePartition: req.deletePartitions });
    else if (version <= 2) for (const t of req.topics) for (const i of t.partitionIndexes) items.push({ topic: t.name, partition: i, leaderEpoch: -1, deletePartition: req.deletePartitions });
    else for (const t of req.topicStates) for (const p of t.partitionStates) items.push({ topic: t.topicName, partition: p.partitionIndex, leaderEpoch: p.leaderEpoch, deletePartition: p.deletePartition });

    return this.stateChangeLock.run(async () => {
      if (req.controllerEpoch < this.controllerEpochValue) return { errorCode: ErrorCode.STALE_CONTROLLER_EPOCH, partitionErrors: [] };
      if (this.isBrokerEpochStale(req.brokerEpoch)) return { errorCode: ErrorCode.STALE_BROKER_EPOCH, partitionErrors: [] };
      this.controllerEpochValue = req.controllerEpoch;
      const errors: PartitionError[] = [];
      const toStop: typeof items = [];
      for (const it of items) {
        const p = this.getPartition(it.topic, it.partition);
        const e = it.leaderEpoch;
        // Kafka's rule, plus: a delete at the current epoch is accepted (our controller sends the current epoch
        // rather than -2 with topic deletion; a delete is final either way).
        if (p && !(e === EPOCH_DURING_DELETE || e === -1 || e > p.leaderEpoch || (it.deletePartition && e === p.leaderEpoch))) {
          errors.push({ topic: it.topic, partition: it.partition, errorCode: ErrorCode.FENCED_LEADER_EPOCH });
          continue;
        }
        toStop.push(it);
      }
      await this.fetcherManager.removeFetcherForPartitions(toStop.map((i) => tpKey(i.topic, i.partition)));
      for (const it of toStop) {
        const key = tpKey(it.topic, it.partition);
        this.cancelDeferred(key);
        let code: number = ErrorCode.NONE;
        const stopped = this.partitions.get(key);
        if (it.deletePartition) {
          this.partitions.delete(key);
          this.alterIsrManager.clearPending(it.topic, it.partition);
          try {
            await this.opts.logManager.deleteLog(it.topic, it.partition);
          } catch (e) {
            this.logger.error({ topicPartition: key, err: e }, 'failed to delete log');
            code = ErrorCode.KAFKA_STORAGE_ERROR;
          }
          if (!this.allPartitions().some((p) => p.topic === it.topic)) this.invalidateTopicConfig(it.topic);
        }
        this.logger.info({ topicPartition: key, deleted: it.deletePartition }, 'stopped replica');
        errors.push({ topic: it.topic, partition: it.partition, errorCode: code });
        this.completeDelayed(key);
        if (stopped) this.notifyLeadership(stopped, false);
      }
      await this.fetcherManager.shutdownIdleFetchers();
      return { errorCode: ErrorCode.NONE, partitionErrors: errors };
    });
  }

  /** UpdateMetadata: fills the metadata cache (leader -2 = deleted), fenced by controller and broker epoch. */
  updateMetadata(req: UpdateMetadataRequest, version: number): number {
    if (req.controllerEpoch < this.controllerEpochValue) return ErrorCode.STALE_CONTROLLER_EPOCH;
    if (this.isBrokerEpochStale(req.brokerEpoch)) return ErrorCode.STALE_BROKER_EPOCH;
    this.controllerEpochValue = req.controllerEpoch;
    const brokers: CachedBroker[] = req.liveBrokers.map((b) => {
      const endpoints = new Map<string, { host: string; port: number }>();
      if (version === 0) endpoints.set('PLAINTEXT', { host: b.v0Host, port: b.v0Port });
      for (const e of b.endpoints) {
        const name = version >= 3 ? e.listener : (SECURITY_PROTOCOL_NAMES[e.securityProtocol] ?? 'PLAINTEXT');
        endpoints.set(name, { host: e.host, port: e.port });
      }
      const known = this.opts.metadataCache.getBroker(b.id);
      return { id: b.id, rack: b.rack, endpoints, epoch: known?.epoch ?? -1n };
    });
    const partitions: CachedPartition[] = [];
    const add = (topic: string, p: UpdateMetadataRequest['ungroupedPartitionStates'][number]): void => {
      partitions.push({ topic, partition: p.partitionIndex, leader: p.leader, leaderEpoch: p.leaderEpoch, isr: p.isr, replicas: p.replicas, offlineReplicas: p.offlineReplicas, zkVersion: p.zkVersion, controllerEpoch: p.controllerEpoch });
    };
    if (version < 5) for (const p of req.ungroupedPartitionStates) add(p.topicName, p);
    else for (const t of req.topicStates) for (const p of t.partitionStates) add(t.topicName, p);
    this.opts.metadataCache.applyUpdate(req.controllerId, req.controllerEpoch, brokers, partitions);
    for (const p of partitions) {
      if (p.leader === -2) {
        this.invalidateTopicConfig(p.topic);
        this.completeDelayed(tpKey(p.topic, p.partition));
      }
    }
    return ErrorCode.NONE;
  }

  // ---- produce --------------------------------------------------------------------------------

  private notHostedError(topic: string, partition: number): number {
    return this.opts.metadataCache.getPartition(topic, partition) ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  }

  /**
   * Appends to the partitions this broker leads. acks=0/1 resolve after the local append; acks=-1 resolve once the
   * HW covers every append (or `timeoutMs` passes: REQUEST_TIMED_OUT).
   */
  async appendRecords(timeoutMs: number, requiredAcks: number, entries: ProduceEntry[]): Promise<ProducePartitionResult[]> {
    const blank = (e: ProduceEntry, errorCode: number, errorMessage: string | null = null): ProducePartitionResult => ({
      topic: e.topic,
      partition: e.partition,
      errorCode,
      errorMessage,
      baseOffset: -1n,
      logAppendTime: -1n,
      logStartOffset: -1n,
    });
    if (requiredAcks !== -1 && requiredAcks !== 0 && requiredAcks !== 1) return entries.map((e) => blank(e, ErrorCode.INVALID_REQUIRED_ACKS));
    const hwMoved = new Set<string>();
    const appended = await Promise.all(
      entries.map(async (e): Promise<{ result: ProducePartitionResult; requiredOffset: bigint }> => {
        const p = this.getPartition(e.topic, e.partition);
        if (!p || !p.isLeader) return { result: blank(e, p ? ErrorCode.NOT_LEADER_OR_FOLLOWER : this.notHostedError(e.topic, e.partition)), requiredOffset: -1n };
        if (e.records === null) return { result: blank(e, ErrorCode.CORRUPT_MESSAGE, 'null records'), requiredOffset: -1n };
        try {
          const { info, hwChanged } = await p.appendRecordsToLeader(e.records, requiredAcks);
          if (hwChanged) hwMoved.add(p.key);
          return {
            result: { topic: e.topic, partition: e.partition, errorCode: ErrorCode.NONE, errorMessage: null, baseOffset: info.firstOffset, logAppendTime: info.logAppendTime, logStartOffset: info.logStartOffset },
            requiredOffset: info.lastOffset + 1n,
          };
        } catch (err) {
          const code = mapLogError(err);
          if (code === ErrorCode.UNKNOWN_SERVER_ERROR) this.logger.error({ topicPartition: p.key, err }, 'append failed');
          const r = blank(e, code, (err as Error).message ?? null);
          r.logStartOffset = p.logStartOffset;
          return { result: r, requiredOffset: -1n };
        }
      }),
    );
    // New data: wake followers' (and, if the HW moved, consumers') parked fetches and parked produces.
    for (const a of appended) if (a.result.errorCode === ErrorCode.NONE) this.fetchPurgatory.checkAndComplete(tpKey(a.result.topic, a.result.partition));
    for (const key of hwMoved) this.producePurgatory.checkAndComplete(key);

    const results = appended.map((a) => a.result);
    if (requiredAcks !== -1 || !appended.some((a) => a.result.errorCode === ErrorCode.NONE)) return results;
    return new Promise((resolve) => {
      const statuses: ProducePartitionStatus[] = appended.map((a) => ({ result: a.result, requiredOffset: a.requiredOffset, acksPending: a.result.errorCode === ErrorCode.NONE }));
      const keys = appended.filter((a) => a.result.errorCode === ErrorCode.NONE).map((a) => tpKey(a.result.topic, a.result.partition));
      const op = new DelayedProduce(timeoutMs, statuses, (t, p) => this.getPartition(t, p), resolve);
      this.producePurgatory.tryCompleteElseWatch(op, keys);
    });
  }

  // ---- fetch ----------------------------------------------------------------------------------

  /** Fetch for consumers (bounded by the HW) and followers (bounded by the LEO), long-polling via DelayedFetch. */
  async fetchMessages(params: FetchParams): Promise<FetchPartitionResult[]> {
    const first = await this.readFromLocalLog(params, true);
    const bytes = first.reduce((s, r) => s + (r.records?.length ?? 0), 0);
    const anyError = first.some((r) => r.errorCode !== ErrorCode.NONE);
    if (params.maxWaitMs <= 0 || params.partitions.length === 0 || bytes >= params.minBytes || anyError || this.state === 'stopped') return first;
    return new Promise((resolve, reject) => {
      const statuses: FetchPartitionStatus[] = params.partitions.map((p) => ({ topic: p.topic, partition: p.partition, fetchOffset: p.fetchOffset, currentLeaderEpoch: p.currentLeaderEpoch, maxBytes: p.maxBytes }));
      const op = new DelayedFetch(params.maxWaitMs, params.minBytes, params.replicaId >= 0, statuses, (t, p) => this.getPartition(t, p), () => {
        this.readFromLocalLog(params, false).then(resolve, reject);
      });
      this.fetchPurgatory.tryCompleteElseWatch(op, params.partitions.map((p) => tpKey(p.topic, p.partition)));
    });
  }

  /**
   * Reads every requested partition in order within the response byte budget; the first partition with data may
   * exceed it by one batch (unless the limit is hard). A follower's fetch offset updates its state on the leader.
   */
  private async readFromLocalLog(params: FetchParams, updateFollowers: boolean): Promise<FetchPartitionResult[]> {
    const fromFollower = params.replicaId >= 0;
    let limit = params.maxBytes;
    let minOne = !params.hardMaxBytesLimit;
    const out: FetchPartitionResult[] = [];
    const hwMoved: string[] = [];
    for (const req of params.partitions) {
      const res: FetchPartitionResult = { topic: req.topic, partition: req.partition, errorCode: ErrorCode.NONE, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: null };
      out.push(res);
      const p = this.getPartition(req.topic, req.partition);
      if (!p || !p.isLeader) {
        res.errorCode = p ? ErrorCode.NOT_LEADER_OR_FOLLOWER : this.notHostedError(req.topic, req.partition);
        continue;
      }
      const epochError = p.checkLeaderEpoch(req.currentLeaderEpoch);
      if (epochError !== ErrorCode.NONE) {
        res.errorCode = epochError;
        continue;
      }
      try {
        const leaderEnd = p.logEndOffset;
        if (fromFollower && updateFollowers && req.fetchOffset >= p.logStartOffset && req.fetchOffset <= leaderEnd) {
          if (p.updateFollowerFetchState(params.replicaId, req.fetchOffset, req.logStartOffset, this.clock.now(), leaderEnd)) hwMoved.push(p.key);
        }
        const maxBytes = Math.max(0, Math.min(req.maxBytes, limit));
        if (maxBytes === 0 && !minOne) {
          if (req.fetchOffset < p.logStartOffset || req.fetchOffset > p.logEndOffset) throw new LogError(LogErrorCode.OFFSET_OUT_OF_RANGE, 'fetch offset out of range');
          res.records = Buffer.alloc(0);
        } else {
          const info = await p.read(req.fetchOffset, maxBytes, { maxOffset: fromFollower ? undefined : p.highWatermark, minOneBatch: minOne });
          res.records = info.records;
          if (info.records.length > 0) {
            minOne = false;
            limit -= info.records.length;
          }
        }
      } catch (err) {
        res.errorCode = mapLogError(err);
        res.records = null;
        if (res.errorCode === ErrorCode.UNKNOWN_SERVER_ERROR) this.logger.error({ topicPartition: p.key, err }, 'read failed');
      }
      res.highWatermark = p.highWatermark;
      res.lastStableOffset = p.highWatermark;
      res.logStartOffset = p.logStartOffset;
    }
    for (const key of hwMoved) this.completeDelayed(key);
    return out;
  }

  // ---- offsets ------------------------------------------------------------------------------

  /**
   * ListOffsets on the leader: -2 earliest, -1 latest (HW for consumers, LEO for replicas: `isolationLevel` null),
   * otherwise the first offset whose timestamp >= the given one.
   */
  async fetchOffsetForTimestamp(topic: string, partition: number, timestamp: bigint, isolationLevel: number | null, currentLeaderEpoch: number, replicaId: number): Promise<ListOffsetResult> {
    const none = (errorCode: number): ListOffsetResult => ({ errorCode, timestamp: -1n, offset: -1n, leaderEpoch: -1 });
    const p = this.getPartition(topic, partition);
    // replicaId -2 (debugging) may read from a follower.
    if (!p) return none(this.notHostedError(topic, partition));
    if (!p.isLeader && replicaId !== -2) return none(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const epochError = p.checkLeaderEpoch(currentLeaderEpoch);
    if (epochError !== ErrorCode.NONE) return none(epochError);
    const lastFetchable = isolationLevel === null ? p.logEndOffset : p.highWatermark;
    try {
      if (timestamp === LATEST_TIMESTAMP) return { errorCode: ErrorCode.NONE, timestamp: -1n, offset: lastFetchable, leaderEpoch: p.latestEpoch() };
      if (timestamp === EARLIEST_TIMESTAMP) {
        const r = await p.fetchOffsetByTimestamp(EARLIEST_TIMESTAMP);
        return { errorCode: ErrorCode.NONE, timestamp: -1n, offset: p.logStartOffset, leaderEpoch: r?.leaderEpoch ?? -1 };
      }
      if (timestamp < 0n) return none(ErrorCode.INVALID_REQUEST);
      const r = await p.fetchOffsetByTimestamp(timestamp);
      if (!r || r.offset >= lastFetchable) return { errorCode: ErrorCode.NONE, timestamp: -1n, offset: -1n, leaderEpoch: -1 };
      return { errorCode: ErrorCode.NONE, timestamp: r.timestamp, offset: r.offset, leaderEpoch: r.leaderEpoch };
    } catch (err) {
      return none(mapLogError(err));
    }
  }

  /**
   * ListOffsets v0 (Kafka's Partition.legacyFetchOffsetsForTimestamp): the log's segment offsets by file time, newest
   * first; a consumer (replicaId -1) gets the HW in place of every offset above it. Debugging replicas (-2) may ask a
   * follower.
   */
  legacyFetchOffsetsForTimestamp(topic: string, partition: number, timestamp: bigint, maxNumOffsets: number, replicaId: number): { errorCode: number; offsets: bigint[] } {
    const p = this.getPartition(topic, partition);
    if (!p) return { errorCode: this.notHostedError(topic, partition), offsets: [] };
    if (!p.isLeader && replicaId !== -2) return { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, offsets: [] };
    try {
      const offsets = p.legacyFetchOffsetsBefore(timestamp, maxNumOffsets);
      const hw = p.highWatermark;
      if (replicaId !== -1 || !offsets.some((o) => o > hw)) return { errorCode: ErrorCode.NONE, offsets };
      return { errorCode: ErrorCode.NONE, offsets: [hw, ...offsets.filter((o) => o <= hw)] };
    } catch (err) {
      return { errorCode: mapLogError(err), offsets: [] };
    }
  }

  /** OffsetForLeaderEpoch on the leader: the end offset of `leaderEpoch` in this log (KIP-101/279). */
  lastOffsetForLeaderEpoch(topic: string, partition: number, currentLeaderEpoch: number, leaderEpoch: number): { errorCode: number; leaderEpoch: number; endOffset: bigint } {
    const p = this.getPartition(topic, partition);
    if (!p || !p.isLeader) return { errorCode: p ? ErrorCode.NOT_LEADER_OR_FOLLOWER : this.notHostedError(topic, partition), leaderEpoch: -1, endOffset: -1n };
    const epochError = p.checkLeaderEpoch(currentLeaderEpoch);
    if (epochError !== ErrorCode.NONE) return { errorCode: epochError, leaderEpoch: -1, endOffset: -1n };
    const r = p.endOffsetForEpoch(leaderEpoch);
    return { errorCode: ErrorCode.NONE, leaderEpoch: r.epoch, endOffset: r.endOffset };
  }

  /** DeleteRecords on the leader: moves the log start offset (offset -1 = the HW); answers the new low watermark. */
  async deleteRecords(topic: string, partition: number, offset: bigint): Promise<{ errorCode: number; lowWatermark: bigint }> {
    const p = this.getPartition(topic, partition);
    if (!p || !p.isLeader) return { errorCode: p ? ErrorCode.NOT_LEADER_OR_FOLLOWER : this.notHostedError(topic, partition), lowWatermark: -1n };
    const target = offset === -1n ? p.highWatermark : offset;
    if (target < 0n || target > p.highWatermark) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1n };
    try {
      const low = await p.deleteRecordsBefore(target);
      return { errorCode: ErrorCode.NONE, lowWatermark: low };
    } catch (err) {
      return { errorCode: mapLogError(err), lowWatermark: -1n };
    }
  }
}

/** Storage errors carry Kafka codes; anything else is UNKNOWN_SERVER_ERROR (logged by the caller). */
function mapLogError(err: unknown): number {
  if (err instanceof KafkaError || err instanceof LogError) return err.code;
  return mapErrorToCode(err);
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
