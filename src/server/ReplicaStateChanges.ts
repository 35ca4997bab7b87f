// The ReplicaManager's controller requests: LeaderAndIsr (become leader or follower), StopReplica and UpdateMetadata,
// fenced by controller and broker epoch, and the LeaderAndIsr states deferred until their topic config can be read.
import { ErrorCode } from '../protocol/errors';
import type { LeaderAndIsrRequest } from '../protocol/messages/04-leader-and-isr';
import type { StopReplicaRequest } from '../protocol/messages/05-stop-replica';
import type { UpdateMetadataRequest } from '../protocol/messages/06-update-metadata';
import type { LogConfig } from '../log/LogConfig';
import type { CachedBroker, CachedPartition } from './MetadataCache';
import { Partition, type PartitionState } from './Partition';
import type { AddFetcherItem } from './fetcher/ReplicaFetcherManager';
import { AsyncLock } from '../util/AsyncLock';
import type { Logger } from '../util/logger';
import { tpKey } from '../util/types';
import { isRealTopicId } from '../util/uuid';
import type { ReplicaManagerContext } from './ReplicaManagerContext';
import type { ReplicaManagerOptions } from './ReplicaManager';

export interface PartitionError {
  topic: string;
  partition: number;
  errorCode: number;
}

export interface ControlResult {
  errorCode: number;
  partitionErrors: PartitionError[];
}

/** One partition's LeaderAndIsr state, with its topic's id (null: the request carried none). */
interface RequestedState {
  topic: string;
  partition: number;
  s: PartitionState;
  topicId: string | null;
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

export class ReplicaStateChanges {
  /** LeaderAndIsr and StopReplica run one at a time. Lock order: this → fetcher lock → Log lock. */
  private readonly stateChangeLock = new AsyncLock();
  private readonly leaderEndpoints = new Map<number, { host: string; port: number }>();
  private controllerEpochValue = -1;
  /** LeaderAndIsr states not applied because the topic's config could not be read, retried with backoff. */
  private readonly deferredStates = new Map<string, DeferredState>();
  private readonly opts: ReplicaManagerOptions;
  private readonly logger: Logger;

  constructor(private readonly rm: ReplicaManagerContext) {
    this.opts = rm.opts;
    this.logger = rm.logger;
  }

  get controllerEpoch(): number {
    return this.controllerEpochValue;
  }

  /** Drops the deferred states (the ReplicaManager is shutting down). */
  shutdown(): void {
    for (const d of this.deferredStates.values()) clearTimeout(d.timer);
    this.deferredStates.clear();
  }

  /**
   * A controller request for an older incarnation of this broker. Until this incarnation has registered (its epoch
   * is unknown, below 0) every controller request is: the listener is bound before registration, and a controller
   * that has not yet seen the restart still sends the old incarnation its deltas. Taking one would seed the metadata
   * cache with a few partitions of a topic, and clients (kafkajs drops a send to a partition its metadata lacks,
   * answering success) would write nowhere until their next metadata refresh. Kafka serves no request before
   * registering.
   */
  private isBrokerEpochStale(requestEpoch: bigint): boolean {
    const current = this.opts.brokerEpoch();
    if (current < 0n) return true;
    return requestEpoch !== -1n && requestEpoch < current;
  }

  /** LeaderAndIsr: fenced by controller and broker epoch, then per partition by leader epoch. */
  becomeLeaderOrFollower(req: LeaderAndIsrRequest, version: number): Promise<ControlResult> {
    const states: RequestedState[] = [];
    const add = (topic: string, ps: LeaderAndIsrRequest['ungroupedPartitionStates'][number], topicId: string | null): void => {
      states.push({ topic, partition: ps.partitionIndex, topicId, s: { controllerEpoch: ps.controllerEpoch, leader: ps.leader, leaderEpoch: ps.leaderEpoch, isr: ps.isr, zkVersion: ps.zkVersion, replicas: ps.replicas, isNew: ps.isNew } });
    };
    // v5+ names each topic's id (KIP-516); the zero uuid means the controller has none for it.
    if (version < 2) for (const ps of req.ungroupedPartitionStates) add(ps.topicName, ps, null);
    else for (const t of req.topicStates) for (const ps of t.partitionStates) add(t.topicName, ps, version >= 5 && isRealTopicId(t.topicId) ? t.topicId : null);
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
  private async applyPartitionStates(states: RequestedState[], controllerEpoch: number): Promise<PartitionError[]> {
    const errors: PartitionError[] = [];
    const toLead: Array<{ p: Partition; s: PartitionState }> = [];
    const toFollow: Array<{ p: Partition; s: PartitionState }> = [];
    for (const { topic, partition, s, topicId } of states) {
      const key = tpKey(topic, partition);
      const existing = this.rm.partitions.get(key);
      const currentEpoch = existing?.leaderEpoch ?? -1;
      // Kafka's hasConsistentTopicId: a replica recorded under another id belongs to an older topic of this name.
      const localTopicId = existing?.topicId ?? this.opts.logManager.getLog(topic, partition)?.topicId ?? null;
      if (topicId !== null && localTopicId !== null && localTopicId !== topicId) {
        this.logger.error({ topicPartition: key, localTopicId, requestTopicId: topicId }, 'ignoring LeaderAndIsr: the topic id does not match the one in partition.metadata');
        errors.push({ topic, partition, errorCode: ErrorCode.INCONSISTENT_TOPIC_ID });
        continue;
      }
      if (s.leaderEpoch === currentEpoch && existing && topicId !== null && localTopicId === null) {
        // A controller that just gave the topic its id re-sends the same leader epoch: record the id, change nothing else.
        errors.push({ topic, partition, errorCode: await this.recordTopicId(existing, topicId) });
        continue;
      }
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
        cfg = await this.rm.logConfigFor(topic);
      } catch (e) {
        // Neither lead nor follow under guessed settings: answer an error and apply this state once the config
        // can be read (unless a newer state or a StopReplica replaces it first).
        this.deferState({ topic, partition, s, topicId }, controllerEpoch, e);
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
            clock: this.rm.clock,
            replicaLagTimeMaxMs: this.rm.replicaLagTimeMaxMs,
            alterIsr: this.rm.alterIsrManager,
            onIsrChanged: (part) => this.rm.completeDelayed(part.key),
            stats: this.rm.stats,
            logger: this.logger,
          });
          this.rm.partitions.set(key, p);
        } else p.setLog(log);
        if (topicId !== null) await log.assignTopicId(topicId);
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
    await this.rm.fetcherManager.removeFetcherForPartitions(toLead.map((x) => x.p.key));
    // Each partition makes its new epoch durable (a leader-epoch checkpoint fsync) on its own: all at once, so a
    // failover of many partitions waits for the slowest fsync (the file system commits them together), not their sum.
    const outcomes = await Promise.all(toLead.map(async ({ p, s }) => {
      try {
        await p.makeLeader(s);
        return true;
      } catch (e) {
        // The epoch could not be made durable: the log went offline. Not a leader we can vouch for.
        this.logger.error({ topicPartition: p.key, err: e }, 'cannot become leader: storage error');
        const entry = errors.find((x) => x.topic === p.topic && x.partition === p.partition);
        if (entry) entry.errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
        return false;
      }
    }));
    const led = toLead.filter((_l, i) => outcomes[i]);
    for (const { p, s } of led) {
      this.logger.info({ topicPartition: p.key, leaderEpoch: s.leaderEpoch, isr: s.isr, hw: p.highWatermark.toString(), leo: p.logEndOffset.toString() }, 'became leader');
    }

    // Followers: stop the old fetcher BEFORE any truncation; the new fetcher truncates via OffsetForLeaderEpoch.
    const changed: typeof toFollow = [];
    for (const f of toFollow) if (await f.p.makeFollower(f.s)) changed.push(f);
    await this.rm.fetcherManager.removeFetcherForPartitions(changed.map((x) => x.p.key));
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
    for (const { p } of [...toLead, ...toFollow]) this.rm.completeDelayed(p.key);
    await this.rm.fetcherManager.addFetcherForPartitions(fetchItems);
    await this.rm.fetcherManager.shutdownIdleFetchers();
    for (const { p } of led) this.rm.notifyLeadership(p, true);
    for (const { p } of changed) this.rm.notifyLeadership(p, false);
    return errors;
  }

  /** Writes partition.metadata for a replica that has none; the error code to answer. */
  private async recordTopicId(p: Partition, topicId: string): Promise<number> {
    try {
      await this.opts.logManager.getOrCreateLog(p.topic, p.partition).assignTopicId(topicId);
      this.logger.info({ topicPartition: p.key, topicId }, 'recorded the topic id of an existing replica');
      return ErrorCode.NONE;
    } catch (e) {
      this.logger.error({ topicPartition: p.key, err: e }, 'cannot record the topic id');
      return ErrorCode.KAFKA_STORAGE_ERROR;
    }
  }

  /** Remembers a state whose topic config could not be read and retries it with backoff (doubling, 30 s cap). */
  private deferState(state: RequestedState, controllerEpoch: number, err: unknown): void {
    const { topic, partition, s } = state;
    const key = tpKey(topic, partition);
    const prev = this.deferredStates.get(key);
    if (prev) clearTimeout(prev.timer);
    const attempt = prev && prev.s.leaderEpoch === s.leaderEpoch ? prev.attempt + 1 : 0;
    const delayMs = Math.min(30_000, (this.opts.configRetryBackoffMs ?? 500) * 2 ** Math.min(attempt, 10));
    this.logger.error({ topicPartition: key, leaderEpoch: s.leaderEpoch, err: (err as Error).message ?? String(err), retryInMs: delayMs }, 'cannot read the topic config: partition state change deferred');
    const timer = setTimeout(() => {
      void this.stateChangeLock.run(async () => {
        const d = this.deferredStates.get(key);
        if (d !== deferred || this.rm.isStopped()) return;
        this.deferredStates.delete(key);
        // A newer controller re-sends every state on failover; this one is no longer its word.
        if (controllerEpoch < this.controllerEpochValue) return;
        await this.applyPartitionStates([state], controllerEpoch);
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
        const p = this.rm.getPartition(it.topic, it.partition);
        const e = it.leaderEpoch;
        // Kafka's rule, plus: a delete at the current epoch is accepted (our controller sends the current epoch
        // rather than -2 with topic deletion; a delete is final either way).
        if (p && !(e === EPOCH_DURING_DELETE || e === -1 || e > p.leaderEpoch || (it.deletePartition && e === p.leaderEpoch))) {
          errors.push({ topic: it.topic, partition: it.partition, errorCode: ErrorCode.FENCED_LEADER_EPOCH });
          continue;
        }
        toStop.push(it);
      }
      await this.rm.fetcherManager.removeFetcherForPartitions(toStop.map((i) => tpKey(i.topic, i.partition)));
      for (const it of toStop) {
        const key = tpKey(it.topic, it.partition);
        this.cancelDeferred(key);
        let code: number = ErrorCode.NONE;
        const stopped = this.rm.partitions.get(key);
        if (it.deletePartition) {
          this.rm.partitions.delete(key);
          this.rm.alterIsrManager.clearPending(it.topic, it.partition);
          try {
            await this.opts.logManager.deleteLog(it.topic, it.partition);
          } catch (e) {
            this.logger.error({ topicPartition: key, err: e }, 'failed to delete log');
            code = ErrorCode.KAFKA_STORAGE_ERROR;
          }
          // The topic's last replica here is gone: its config cache and (as Kafka's removeMetrics) its metric series.
          if (!this.rm.allPartitions().some((p) => p.topic === it.topic)) {
            this.rm.invalidateTopicConfig(it.topic);
            this.rm.stats.removeTopic(it.topic);
          }
        }
        this.logger.info({ topicPartition: key, deleted: it.deletePartition }, 'stopped replica');
        errors.push({ topic: it.topic, partition: it.partition, errorCode: code });
        this.rm.completeDelayed(key);
        if (stopped) this.rm.notifyLeadership(stopped, false);
      }
      await this.rm.fetcherManager.shutdownIdleFetchers();
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
    // v7+ carries each topic's id (the zero uuid when the controller has none, which clears ours).
    const topicIds = new Map(version >= 7 ? req.topicStates.map((t) => [t.topicName, t.topicId] as const) : []);
    this.opts.metadataCache.applyUpdate(req.controllerId, req.controllerEpoch, brokers, partitions, topicIds);
    for (const p of partitions) {
      if (p.leader === -2) {
        this.rm.invalidateTopicConfig(p.topic);
        this.rm.completeDelayed(tpKey(p.topic, p.partition));
      }
    }
    return ErrorCode.NONE;
  }
}
