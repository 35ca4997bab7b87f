// The controller: elected through /controller, it owns partition assignment, leader election, ISR state and
// topic lifecycle, and tells brokers what to do. Every change goes through one event queue (DESIGN.md §4).
import { moduleLogger, type Logger } from '../util/logger';
import { tpKey } from '../util/types';
import { ControllerMovedError, type BrokerRegistration, type KafkaZkApi, type LeaderIsrState, type Unsubscribe } from '../zk/api';
import { ControllerBrokerRequestBatch } from './ControllerBrokerRequestBatch';
import { ControllerContext, type TP } from './ControllerContext';
import { ControllerMetrics, describeEvent } from './ControllerMetrics';
import { ControllerEventManager, type QueuedEvent } from './ControllerEventManager';
import { PartitionStateMachine, type StateMachineDeps } from './PartitionStateMachine';
import { ReplicaStateMachine, type PartitionReplica } from './ReplicaStateMachine';
import { TopicDeletionManager } from './TopicDeletionManager';
import { ReassignmentManager, type OngoingReassignment, type ReassignmentRequest, type ReassignmentResult } from './ReassignmentManager';
import { ControllerRequestBridge, type ApiCallEvent } from './ControllerRequestBridge';
import {
  AdminManager,
  type CreatableTopic,
  type CreatePartitionsTopic,
  type CreateTopicResult,
  type ElectionType,
  type ElectLeadersResult,
  type TopicErrorResult,
} from './AdminManager';
import { AlterIsrProcessor, type AlterIsrRequestData, type AlterIsrResponseData } from './AlterIsrProcessor';
import { ControlledShutdown, type ControlledShutdownResult } from './ControlledShutdown';
import { PreferredReplicaElection } from './PreferredReplicaElection';
import { ensureTopicIds } from './topicIds';
import type { ControllerChannel, StopReplicaResult } from './channel';
import { ControllerApiError, ErrorCode } from './errors';

export interface ControllerConfig {
  uncleanLeaderElectionEnable: boolean;
  autoLeaderRebalanceEnable: boolean;
  leaderImbalanceCheckIntervalSeconds: number;
  leaderImbalancePerBrokerPercentage: number;
  defaultReplicationFactor: number;
  numPartitions: number;
  deleteTopicEnable: boolean;
}

export interface KafkaControllerOptions {
  brokerId: number;
  zk: KafkaZkApi;
  channel: ControllerChannel;
  config: ControllerConfig;
  logger?: Logger;
  stateChangeLogger?: Logger;
}

// Request and answer shapes of the APIs the controller serves, for the handlers that call it.
export type { CreatableTopic, CreateTopicResult, CreatePartitionsTopic, TopicErrorResult, ElectLeadersResult } from './AdminManager';
export { ElectionType } from './AdminManager';
export type { AlterIsrRequestData, AlterIsrPartitionResult, AlterIsrResponseData } from './AlterIsrProcessor';
export type { ControlledShutdownResult } from './ControlledShutdown';
export type { OngoingReassignment, ReassignmentRequest, ReassignmentResult } from './ReassignmentManager';

type ControllerEvent =
  | { type: 'Startup' }
  | { type: 'ControllerChange' }
  | { type: 'Expire' }
  | { type: 'BrokerChange' }
  | { type: 'TopicChange' }
  | { type: 'PartitionModifications'; topic: string }
  | { type: 'TopicDeletion' }
  | { type: 'StopReplicaResponse'; brokerId: number; result: StopReplicaResult }
  | { type: 'PreferredReplicaElection' }
  | { type: 'AutoPreferredReplicaLeaderElection' }
  | { type: 'ZkPartitionReassignment' }
  | { type: 'ReassignmentIsrChange'; partitions: TP[] }
  | ApiCallEvent;

export class KafkaController {
  readonly brokerId: number;
  private readonly zk: KafkaZkApi;
  private readonly channel: ControllerChannel;
  private readonly config: ControllerConfig;
  private readonly log: Logger;
  private readonly stateLog: Logger;

  private readonly ctx = new ControllerContext();
  /** Recent events, elections and offline partitions, read by the broker's metrics endpoint. */
  readonly metrics = new ControllerMetrics(this.ctx);
  private readonly batch: ControllerBrokerRequestBatch;
  private readonly events: ControllerEventManager<ControllerEvent & QueuedEvent>;
  private readonly psm: PartitionStateMachine;
  private readonly rsm: ReplicaStateMachine;
  private readonly deletion: TopicDeletionManager;
  private readonly reassignment: ReassignmentManager;
  private readonly requests: ControllerRequestBridge;
  private readonly admin: AdminManager;
  private readonly alterIsrs: AlterIsrProcessor;
  private readonly shutdowns: ControlledShutdown;
  private readonly preferred: PreferredReplicaElection;

  private active = false;
  private activeId = -1;
  private started = false;
  private stopped = false;
  private readonly baseSubscriptions: Unsubscribe[] = [];
  private controllerSubscriptions: Unsubscribe[] = [];
  private readonly topicSubscriptions = new Map<string, Unsubscribe>();
  private rebalanceTimer: NodeJS.Timeout | null = null;
  /** Topic-level unclean election settings read during the current event. */
  private uncleanCache = new Map<string, boolean>();

  constructor(opts: KafkaControllerOptions) {
    this.brokerId = opts.brokerId;
    this.zk = opts.zk;
    this.channel = opts.channel;
    this.config = opts.config;
    this.log = opts.logger ?? moduleLogger('controller', { brokerId: opts.brokerId });
    this.stateLog = opts.stateChangeLogger ?? moduleLogger('state.change', { brokerId: opts.brokerId });
    this.batch = new ControllerBrokerRequestBatch(this.ctx);
    const deps: StateMachineDeps = {
      ctx: this.ctx,
      zk: this.zk,
      batch: this.batch,
      stateLog: this.stateLog,
      uncleanLeaderElectionEnabled: (topic) => this.uncleanLeaderElectionEnabled(topic),
    };
    this.psm = new PartitionStateMachine(deps, this.metrics);
    this.rsm = new ReplicaStateMachine(deps);
    this.deletion = new TopicDeletionManager(deps, this.psm, this.rsm, (topic) => this.deleteTopicZNodes(topic));
    this.reassignment = new ReassignmentManager(deps, this.psm, this.rsm);
    this.events = new ControllerEventManager((e) => this.process(e), this.log, (e, time, durationMs) => this.active && this.metrics.recordEvent({ time, type: e.type, detail: describeEvent(e), durationMs }));
    this.requests = new ControllerRequestBridge({ put: (e) => this.events.put(e), isActive: () => this.active, log: this.log });
    const { ctx, zk, batch, stateLog, log, requests, psm, rsm } = this;
    this.admin = new AdminManager({ ctx, zk, config: this.config, requests, psm, log });
    this.alterIsrs = new AlterIsrProcessor({
      ctx,
      zk,
      batch,
      stateLog,
      requests,
      isReassigning: (tp) => this.reassignment.isReassigning(tp),
      onReassignmentIsrChange: (partitions) => this.events.put({ type: 'ReassignmentIsrChange', partitions }),
    });
    this.shutdowns = new ControlledShutdown({ ctx, requests, psm, rsm, log });
    this.preferred = new PreferredReplicaElection({ ctx, zk, psm, log, leaderImbalancePerBrokerPercentage: () => this.config.leaderImbalancePerBrokerPercentage });
  }

  /** True while this broker is the elected, un-fenced controller. */
  get isActive(): boolean {
    return this.active;
  }
  get epoch(): number { return this.ctx.epoch; }
  /** Broker id holding /controller as last seen (-1 = none known). */
  get activeControllerId(): number { return this.activeId; }

  startup(): void {
    if (this.started) return;
    this.started = true;
    this.baseSubscriptions.push(
      this.zk.onControllerChange(() => this.events.put({ type: 'ControllerChange' })),
      this.zk.onSessionExpired(() => this.events.clearAndPut({ type: 'Expire' })),
      this.zk.onSessionReestablished(() => this.events.put({ type: 'ControllerChange' })),
    );
    this.events.put({ type: 'Startup' });
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const u of this.baseSubscriptions.splice(0)) u();
    await this.events.close();
    if (this.active) this.onControllerResignation();
  }

  /** Resolves when every queued event has been processed (tests, orderly shutdown). */
  awaitIdle(): Promise<void> {
    return this.events.idle();
  }

  /** Enqueues one leader-imbalance check (the periodic timer does the same). */
  triggerAutoLeaderRebalance(): void {
    this.events.put({ type: 'AutoPreferredReplicaLeaderElection' });
  }

  /** A copy of the controller's current leader/ISR for a partition (for tests and diagnostics). */
  partitionLeadership(topic: string, partition: number): LeaderIsrState | undefined {
    const s = this.ctx.leaderIsr({ topic, partition });
    return s ? { ...s, isr: [...s.isr] } : undefined;
  }

  // =================================================================================================
  // event processing

  private async process(e: ControllerEvent): Promise<void> {
    this.uncleanCache = new Map();
    try {
      switch (e.type) {
        case 'Startup':
        case 'ControllerChange':
          await this.processControllerChange();
          break;
        case 'Expire':
          this.activeId = -1;
          if (this.active) this.onControllerResignation();
          break;
        case 'ApiCall':
          // A request from this broker's handlers: CreateTopics, DeleteTopics, CreatePartitions, ElectLeaders
          // (AdminManager), AlterIsr (AlterIsrProcessor), ControlledShutdown, partition reassignments.
          await e.run();
          break;
        default:
          if (!this.active) return;
          await this.processActive(e);
      }
    } catch (err) {
      if (err instanceof ControllerMovedError) {
        this.log.warn({ event: e.type, epoch: this.ctx.epoch }, 'controller moved: another controller was elected; resigning');
        if (this.active) this.onControllerResignation();
        this.events.put({ type: 'ControllerChange' });
        return;
      }
      throw err;
    } finally {
      if (this.active) this.sendRequests();
      this.requests.afterEvent();
    }
  }

  private async processActive(e: ControllerEvent): Promise<void> {
    switch (e.type) {
      case 'BrokerChange':
        return this.processBrokerChange();
      case 'TopicChange':
        return this.processTopicChange();
      case 'PartitionModifications':
        return this.processPartitionModifications(e.topic);
      case 'TopicDeletion':
        return this.processTopicDeletion();
      case 'StopReplicaResponse':
        return this.deletion.onStopReplicaResponse(e.brokerId, e.result);
      case 'PreferredReplicaElection':
        return this.preferred.processZkRequest();
      case 'AutoPreferredReplicaLeaderElection':
        return this.preferred.checkAndTriggerAutoLeaderRebalance();
      case 'ZkPartitionReassignment':
        return this.reassignment.processZkRequest();
      case 'ReassignmentIsrChange':
        return this.reassignment.onIsrChange(e.partitions);
      default:
        return undefined;
    }
  }

  private sendRequests(): void {
    if (this.batch.isEmpty()) return;
    this.batch.send(this.channel, this.brokerId, (brokerId, result) => {
      this.events.put({ type: 'StopReplicaResponse', brokerId, result });
    });
  }

  // =================================================================================================
  // election and failover

  private async processControllerChange(): Promise<void> {
    if (this.stopped) return;
    const wasActive = this.active;
    const current = await this.zk.getControllerId();
    this.activeId = current ?? -1;
    if (wasActive && current !== this.brokerId) {
      this.log.info({ newController: current }, 'another broker is controller now; resigning');
      this.onControllerResignation();
    }
    if (current === null) await this.elect();
  }

  private async elect(): Promise<void> {
    const won = await this.zk.tryElectController(this.brokerId);
    if (!won) {
      this.activeId = (await this.zk.getControllerId()) ?? -1;
      this.log.info({ activeController: this.activeId }, 'lost the controller election');
      return;
    }
    this.ctx.reset();
    this.ctx.epoch = won.epoch;
    this.ctx.epochZkVersion = won.epochZkVersion;
    this.activeId = this.brokerId;
    this.active = true;
    this.log.info({ epoch: won.epoch, epochZkVersion: won.epochZkVersion }, 'elected controller');
    try {
      await this.onControllerFailover();
    } catch (err) {
      if (err instanceof ControllerMovedError) throw err;
      // A half-initialised controller must not act: resign; the next controller change retries.
      this.log.error({ err }, 'controller failover failed; resigning');
      this.onControllerResignation();
    }
  }

  private async onControllerFailover(): Promise<void> {
    const started = Date.now();
    const zk = this.zk;
    const ctx = this.ctx;
    this.controllerSubscriptions.push(
      zk.onBrokersChange(() => this.events.put({ type: 'BrokerChange' })),
      zk.onTopicsChange(() => this.events.put({ type: 'TopicChange' })),
      zk.onTopicDeletionsChange(() => this.events.put({ type: 'TopicDeletion' })),
      zk.onPreferredReplicaElection(() => this.events.put({ type: 'PreferredReplicaElection' })),
      zk.onPartitionReassignment(() => this.events.put({ type: 'ZkPartitionReassignment' })),
    );

    for (const reg of await zk.getAllBrokers()) this.addLiveBroker(reg);

    const topics = await zk.getAllTopics();
    await this.loadTopics(topics);
    const partitions = ctx.allPartitions();
    const states = await zk.getPartitionStates(partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition })));
    for (const tp of partitions) {
      const s = states.get(tpKey(tp.topic, tp.partition));
      if (s) ctx.setLeaderIsr(tp, s);
    }

    const deletions = await zk.getTopicDeletions();
    const toDelete = deletions.filter((t) => ctx.hasTopic(t));
    if (this.config.deleteTopicEnable) for (const t of toDelete) ctx.topicsToBeDeleted.add(t);
    else if (deletions.length > 0) this.log.warn({ topics: deletions }, 'delete.topic.enable=false: ignoring topic deletion requests');

    // Every live broker gets the full metadata first, then each replica its partition state.
    this.batch.addUpdateMetadata(ctx.liveOrShuttingDownBrokerIds(), partitions);
    this.sendRequests();
    this.psm.initialize();
    this.rsm.initialize();
    await this.rsm.startup();
    await this.psm.triggerOnlinePartitionStateChange();

    if (this.config.deleteTopicEnable) {
      for (const t of deletions.filter((d) => !ctx.hasTopic(d))) await this.deleteTopicZNodes(t);
      await this.deletion.resumeDeletions();
    }
    // Reassignments recorded in /brokers/topics carry on, then any legacy /admin/reassign_partitions request.
    await this.reassignment.resumeOnFailover();
    await this.reassignment.processZkRequest();
    await this.preferred.processZkRequest();
    if (this.config.autoLeaderRebalanceEnable) {
      const ms = Math.max(1, this.config.leaderImbalanceCheckIntervalSeconds) * 1000;
      this.rebalanceTimer = setInterval(() => this.triggerAutoLeaderRebalance(), ms);
      this.rebalanceTimer.unref();
    }
    this.log.info({ epoch: ctx.epoch, brokers: ctx.liveBrokerIds(), topics: topics.length, partitions: partitions.length, ms: Date.now() - started }, 'controller failover complete');
  }

  /** Clears everything the active controller held; it sends and writes nothing afterwards. */
  private onControllerResignation(): void {
    this.active = false;
    if (this.activeId === this.brokerId) this.activeId = -1;
    for (const u of this.controllerSubscriptions.splice(0)) u();
    for (const u of this.topicSubscriptions.values()) u();
    this.topicSubscriptions.clear();
    if (this.rebalanceTimer) clearInterval(this.rebalanceTimer);
    this.rebalanceTimer = null;
    this.batch.clear();
    this.reassignment.clear();
    this.channel.removeAllBrokers();
    const epoch = this.ctx.epoch;
    this.ctx.reset();
    this.requests.onResignation();
    this.log.info({ epoch }, 'resigned as controller');
  }

  private addLiveBroker(reg: BrokerRegistration): void {
    this.ctx.liveBrokers.set(reg.id, { registration: reg, epoch: reg.epoch ?? -1n });
    this.channel.addBroker({ id: reg.id, endpoints: reg.endpoints, rack: reg.rack });
  }

  private async loadTopics(topics: readonly string[]): Promise<TP[]> {
    if (topics.length === 0) return [];
    const assignments = await this.zk.getTopicAssignments([...topics]);
    const ids = await ensureTopicIds(this.zk, assignments, this.ctx.epochZkVersion, this.log);
    const added: TP[] = [];
    for (const topic of topics) {
      const a = assignments.get(topic);
      if (!a) continue;
      const topicId = ids.get(topic);
      if (topicId) this.ctx.addTopicId(topic, topicId);
      for (const [partition, replicas] of [...a.partitions].sort((x, y) => x[0] - y[0])) {
        const tp = { topic, partition };
        this.ctx.setAssignment(tp, {
          replicas: [...replicas],
          addingReplicas: [...(a.addingReplicas.get(partition) ?? [])],
          removingReplicas: [...(a.removingReplicas.get(partition) ?? [])],
        });
        added.push(tp);
      }
      if (!this.topicSubscriptions.has(topic)) {
        this.topicSubscriptions.set(topic, this.zk.onTopicAssignmentChange(topic, () => this.events.put({ type: 'PartitionModifications', topic })));
      }
    }
    return added;
  }

  private async uncleanLeaderElectionEnabled(topic: string): Promise<boolean> {
    const cached = this.uncleanCache.get(topic);
    if (cached !== undefined) return cached;
    const v = (await this.zk.getTopicConfig(topic))['unclean.leader.election.enable'];
    const enabled = v === undefined ? this.config.uncleanLeaderElectionEnable : v.trim().toLowerCase() === 'true';
    this.uncleanCache.set(topic, enabled);
    return enabled;
  }

  // =================================================================================================
  // brokers

  private async processBrokerChange(): Promise<void> {
    const ctx = this.ctx;
    const regs = await this.zk.getAllBrokers();
    const current = new Map(regs.map((r) => [r.id, r]));
    const newBrokers = regs.filter((r) => !ctx.liveBrokers.has(r.id));
    const bounced = regs.filter((r) => {
      const known = ctx.liveBrokers.get(r.id);
      return known !== undefined && r.epoch !== undefined && known.epoch !== r.epoch;
    });
    const dead = [...ctx.liveBrokers.keys()].filter((id) => !current.has(id)).sort((a, b) => a - b);
    if (newBrokers.length + bounced.length + dead.length === 0) return;
    this.log.info({ newBrokers: newBrokers.map((b) => b.id), bounced: bounced.map((b) => b.id), dead }, 'broker change');

    for (const id of dead) this.channel.removeBroker(id);
    if (newBrokers.length > 0) {
      for (const r of newBrokers) this.addLiveBroker(r);
      await this.onBrokerStartup(newBrokers.map((b) => b.id).sort((a, b) => a - b));
    }
    if (bounced.length > 0) {
      const ids = bounced.map((b) => b.id).sort((a, b) => a - b);
      for (const id of ids) {
        this.channel.removeBroker(id);
        ctx.liveBrokers.delete(id);
      }
      await this.onBrokerFailure(ids);
      for (const r of bounced) this.addLiveBroker(r);
      await this.onBrokerStartup(ids);
    }
    if (dead.length > 0) {
      for (const id of dead) ctx.liveBrokers.delete(id);
      await this.onBrokerFailure(dead);
    }
  }

  private async onBrokerStartup(ids: readonly number[]): Promise<void> {
    const ctx = this.ctx;
    for (const id of ids) ctx.shuttingDownBrokerIds.delete(id);
    const existing = ctx.liveOrShuttingDownBrokerIds().filter((id) => !ids.includes(id));
    // Existing brokers learn the new broker list; new ones get the full metadata before any LeaderAndIsr.
    this.batch.addUpdateMetadata(existing, []);
    this.batch.addUpdateMetadata(ids, ctx.allPartitions().filter((tp) => ctx.leaderIsr(tp) !== undefined));
    this.sendRequests();
    const replicas: PartitionReplica[] = ids.flatMap((brokerId) => ctx.partitionsOnBroker(brokerId).map((tp) => ({ tp, brokerId })));
    await this.rsm.handleStateChanges(replicas.filter((r) => !ctx.isTopicQueuedUpForDeletion(r.tp.topic)), 'OnlineReplica');
    await this.psm.triggerOnlinePartitionStateChange();
    const topics = new Set(replicas.map((r) => r.tp.topic).filter((t) => ctx.isTopicQueuedUpForDeletion(t)));
    if (topics.size > 0) await this.deletion.resumeDeletionForTopics([...topics]);
    await this.reassignment.onBrokerStartup(ids);
  }

  private async onBrokerFailure(ids: readonly number[]): Promise<void> {
    const ctx = this.ctx;
    for (const id of ids) ctx.shuttingDownBrokerIds.delete(id);
    const dead = new Set(ids);
    const ledByDead = ctx
      .allPartitions()
      .filter((tp) => dead.has(ctx.leaderIsr(tp)?.leader ?? -1) && !ctx.isTopicQueuedUpForDeletion(tp.topic));
    await this.psm.handleStateChanges(ledByDead, 'OfflinePartition');
    await this.psm.triggerOnlinePartitionStateChange();
    const replicas: PartitionReplica[] = ids.flatMap((brokerId) => ctx.partitionsOnBroker(brokerId).map((tp) => ({ tp, brokerId })));
    await this.rsm.handleStateChanges(replicas.filter((r) => !ctx.isTopicQueuedUpForDeletion(r.tp.topic)), 'OfflineReplica');
    await this.deletion.failReplicaDeletion(replicas.filter((r) => ctx.isTopicQueuedUpForDeletion(r.tp.topic)));
    // Everyone learns the new broker list even when no partition changed.
    this.batch.addUpdateMetadata(ctx.liveOrShuttingDownBrokerIds(), []);
  }

  // =================================================================================================
  // topics

  private async processTopicChange(): Promise<void> {
    const ctx = this.ctx;
    const topics = await this.zk.getAllTopics();
    const present = new Set(topics);
    const newTopics = topics.filter((t) => !ctx.hasTopic(t));
    for (const t of ctx.allTopics().filter((x) => !present.has(x))) {
      // Removed behind our back (not through deletion): forget it.
      this.log.warn({ topic: t }, 'topic znode disappeared outside of topic deletion');
      this.topicSubscriptions.get(t)?.();
      this.topicSubscriptions.delete(t);
      ctx.removeTopic(t);
      this.batch.addUpdateMetadata(ctx.liveOrShuttingDownBrokerIds(), []);
    }
    if (newTopics.length === 0) return;
    const added = await this.loadTopics(newTopics);
    this.log.info({ topics: newTopics, partitions: added.length }, 'new topics');
    await this.onNewPartitionCreation(added);
  }

  private async onNewPartitionCreation(partitions: readonly TP[]): Promise<void> {
    const ctx = this.ctx;
    const replicas = partitions.flatMap((tp) => ctx.replicas(tp).map((brokerId) => ({ tp, brokerId })));
    await this.psm.handleStateChanges(partitions, 'NewPartition');
    await this.rsm.handleStateChanges(replicas, 'NewReplica');
    await this.psm.handleStateChanges(partitions, 'OnlinePartition', { kind: 'offline', allowUnclean: false });
    await this.rsm.handleStateChanges(replicas, 'OnlineReplica');
  }

  private async processPartitionModifications(topic: string): Promise<void> {
    const ctx = this.ctx;
    if (!ctx.hasTopic(topic)) return;
    const a = await this.zk.getTopicAssignment(topic);
    if (!a) return;
    if (ctx.isTopicQueuedUpForDeletion(topic)) {
      this.log.warn({ topic }, 'ignoring partition changes of a topic queued for deletion');
      return;
    }
    const added: TP[] = [];
    for (const [partition, replicas] of [...a.partitions].sort((x, y) => x[0] - y[0])) {
      const tp = { topic, partition };
      const known = ctx.assignment(tp);
      if (known) {
        if (known.replicas.join(',') !== replicas.join(',')) {
          this.log.warn({ topicPartition: tpKey(topic, partition), replicas }, 'ignoring a replica change of an existing partition (reassignment is not supported this way)');
        }
        continue;
      }
      ctx.setAssignment(tp, { replicas: [...replicas], addingReplicas: [], removingReplicas: [] });
      added.push(tp);
    }
    if (added.length === 0) return;
    this.log.info({ topic, partitions: added.map((p) => p.partition) }, 'new partitions');
    await this.onNewPartitionCreation(added);
  }

  private async processTopicDeletion(): Promise<void> {
    const ctx = this.ctx;
    const requested = await this.zk.getTopicDeletions();
    if (requested.length === 0) return;
    if (!this.config.deleteTopicEnable) {
      this.log.warn({ topics: requested }, 'delete.topic.enable=false: ignoring topic deletion requests');
      return;
    }
    const unknown = requested.filter((t) => !ctx.hasTopic(t));
    for (const t of unknown) await this.deleteTopicZNodes(t); // stale request: only clears /admin/delete_topics/<t>
    const fresh = requested.filter((t) => ctx.hasTopic(t) && !ctx.topicsToBeDeleted.has(t));
    if (fresh.length === 0) return;
    this.log.info({ topics: fresh }, 'topic deletion requested');
    await this.deletion.enqueueTopicsForDeletion(fresh);
  }

  private async deleteTopicZNodes(topic: string): Promise<void> {
    this.reassignment.forgetTopic(topic);
    this.topicSubscriptions.get(topic)?.();
    this.topicSubscriptions.delete(topic);
    await this.zk.deleteTopicZNodes(topic, this.ctx.epochZkVersion);
  }

  // =================================================================================================
  // requests from this broker's handlers: each runs as an event (ControllerRequestBridge)

  createTopics(topics: readonly CreatableTopic[], opts: { validateOnly: boolean; timeoutMs: number }): Promise<CreateTopicResult[]> {
    return this.admin.createTopics(topics, opts);
  }

  deleteTopics(names: readonly string[], timeoutMs: number): Promise<TopicErrorResult[]> {
    return this.admin.deleteTopics(names, timeoutMs);
  }

  createPartitions(topics: readonly CreatePartitionsTopic[], opts: { validateOnly: boolean; timeoutMs: number }): Promise<TopicErrorResult[]> {
    return this.admin.createPartitions(topics, opts);
  }

  /** ElectLeaders API (KIP-460): `partitions` null = every partition. */
  electLeaders(partitions: readonly TP[] | null, electionType: ElectionType): Promise<ElectLeadersResult[]> {
    return this.admin.electLeaders(partitions, electionType);
  }

  /** KIP-497: the only path for ISR changes. */
  alterIsr(req: AlterIsrRequestData): Promise<AlterIsrResponseData> {
    return this.alterIsrs.alterIsr(req);
  }

  controlledShutdown(brokerId: number, brokerEpoch: bigint): Promise<ControlledShutdownResult> {
    return this.shutdowns.controlledShutdown(brokerId, brokerEpoch);
  }

  /**
   * AlterPartitionReassignments (KIP-455): starts (replicas set) or cancels (replicas null) reassignments.
   * Answers once each is started; completion happens when the target replicas have joined the ISR.
   */
  alterPartitionReassignments(reassignments: readonly ReassignmentRequest[], _timeoutMs: number): Promise<ReassignmentResult[]> {
    const notController = (): ReassignmentResult[] =>
      reassignments.map((r) => ({ topic: r.topic, partition: r.partition, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'This is not the correct controller for this cluster.' }));
    return this.requests.call('alterPartitionReassignments', () => this.reassignment.alter(reassignments), notController);
  }

  /** ListPartitionReassignments: ongoing reassignments (`partitions` null = all); throws NOT_CONTROLLER when inactive. */
  async listPartitionReassignments(partitions: readonly TP[] | null): Promise<OngoingReassignment[]> {
    const notController = (): null => null;
    const r = await this.requests.call<OngoingReassignment[] | null>('listPartitionReassignments', async () => this.reassignment.list(partitions), notController);
    if (r === null) throw new ControllerApiError(ErrorCode.NOT_CONTROLLER, 'This is not the correct controller for this cluster.');
    return r;
  }
}
