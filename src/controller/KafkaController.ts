// The controller: elected through /controller, it owns partition assignment, leader election, ISR state and
// topic lifecycle, and tells brokers what to do. Every change goes through one event queue (DESIGN.md §4).
import { moduleLogger, type Logger } from '../util/logger';
import { tpKey } from '../util/types';
import { ControllerMovedError, type BrokerRegistration, type KafkaZkApi, type LeaderIsrState, type Unsubscribe } from '../zk/api';
import { ControllerBrokerRequestBatch } from './ControllerBrokerRequestBatch';
import { ControllerContext, type TP } from './ControllerContext';
import { ControllerEventManager, type QueuedEvent } from './ControllerEventManager';
import { PartitionStateMachine, type ElectionResult, type StateMachineDeps } from './PartitionStateMachine';
import { ReplicaStateMachine, type PartitionReplica } from './ReplicaStateMachine';
import {
  assignReplicasToBrokers,
  collidingTopic,
  hasCollisionChars,
  validateManualAssignment,
  validateTopicName,
  type BrokerRack,
} from './ReplicaAssignment';
import { TopicDeletionManager } from './TopicDeletionManager';
import { ReassignmentManager, type OngoingReassignment, type ReassignmentRequest, type ReassignmentResult } from './ReassignmentManager';
import type { ControllerChannel, StopReplicaResult } from './channel';
import { ControllerApiError, ErrorCode } from './errors';
import { checkTopicConfigs } from '../config/topicConfigs';

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

// --- admin and inter-broker request shapes (field names follow the wire messages) ---

export interface CreatableTopic {
  name: string;
  /** -1 = num.partitions */
  numPartitions: number;
  /** -1 = default.replication.factor */
  replicationFactor: number;
  assignments: Array<{ partitionIndex: number; brokerIds: number[] }>;
  configs: Array<{ name: string; value: string | null }>;
}
export interface CreateTopicResult {
  name: string;
  errorCode: number;
  errorMessage: string | null;
  numPartitions: number;
  replicationFactor: number;
}
export interface CreatePartitionsTopic {
  name: string;
  count: number;
  assignments: Array<{ brokerIds: number[] }> | null;
}
export interface TopicErrorResult {
  name: string;
  errorCode: number;
  errorMessage: string | null;
}
export interface AlterIsrRequestData {
  brokerId: number;
  brokerEpoch: bigint;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; leaderEpoch: number; newIsr: number[]; currentIsrVersion: number }> }>;
}
export interface AlterIsrPartitionResult {
  partitionIndex: number;
  errorCode: number;
  leaderId: number;
  leaderEpoch: number;
  isr: number[];
  currentIsrVersion: number;
}
export interface AlterIsrResponseData {
  throttleTimeMs: number;
  errorCode: number;
  topics: Array<{ name: string; partitions: AlterIsrPartitionResult[] }>;
}
export interface ControlledShutdownResult {
  errorCode: number;
  remainingPartitions: Array<{ topicName: string; partitionIndex: number }>;
}
/** ElectLeaders election types (KIP-460). */
export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const;
export type ElectionType = (typeof ElectionType)[keyof typeof ElectionType];
export type { OngoingReassignment, ReassignmentRequest, ReassignmentResult } from './ReassignmentManager';
export interface ElectLeadersResult {
  topic: string;
  partition: number;
  errorCode: number;
  errorMessage: string | null;
}

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
  | { type: 'ApiCall'; name: string; run: () => Promise<void>; preempt: () => void };

type WaitOutcome = 'done' | 'timeout' | 'resigned';
interface Waiter {
  check: () => boolean;
  finish: (o: WaitOutcome) => void;
}

export class KafkaController {
  readonly brokerId: number;
  private readonly zk: KafkaZkApi;
  private readonly channel: ControllerChannel;
  private readonly config: ControllerConfig;
  private readonly log: Logger;
  private readonly stateLog: Logger;

  private readonly ctx = new ControllerContext();
  private readonly batch: ControllerBrokerRequestBatch;
  private readonly events: ControllerEventManager<ControllerEvent & QueuedEvent>;
  private readonly psm: PartitionStateMachine;
  private readonly rsm: ReplicaStateMachine;
  private readonly deletion: TopicDeletionManager;
  private readonly reassignment: ReassignmentManager;

  private active = false;
  private activeId = -1;
  private started = false;
  private stopped = false;
  private readonly baseSubscriptions: Unsubscribe[] = [];
  private controllerSubscriptions: Unsubscribe[] = [];
  private readonly topicSubscriptions = new Map<string, Unsubscribe>();
  private rebalanceTimer: NodeJS.Timeout | null = null;
  private waiters: Waiter[] = [];
  /** Topic-level unclean election settings read during the current event. */
  private uncleanCache = new Map<string, boolean>();
  /** Request answers, delivered once the event's requests to brokers have been handed to the channel. */
  private replies: Array<() => void> = [];

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
    this.psm = new PartitionStateMachine(deps);
    this.rsm = new ReplicaStateMachine(deps);
    this.deletion = new TopicDeletionManager(deps, this.psm, this.rsm, (topic) => this.deleteTopicZNodes(topic));
    this.reassignment = new ReassignmentManager(deps, this.psm, this.rsm);
    this.events = new ControllerEventManager((e) => this.process(e), this.log);
  }

  /** True while this broker is the elected, un-fenced controller. */
  get isActive(): boolean {
    return this.active;
  }
  get epoch(): number {
    return this.ctx.epoch;
  }
  /** Broker id holding /controller as last seen (-1 = none known). */
  get activeControllerId(): number {
    return this.activeId;
  }

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
      this.checkWaiters();
      for (const r of this.replies.splice(0)) r();
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
        return this.processPreferredReplicaElectionZk();
      case 'AutoPreferredReplicaLeaderElection':
        return this.checkAndTriggerAutoLeaderRebalance();
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
    await this.processPreferredReplicaElectionZk();
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
    for (const w of this.waiters.splice(0)) w.finish('resigned');
    this.log.info({ epoch }, 'resigned as controller');
  }

  private addLiveBroker(reg: BrokerRegistration): void {
    this.ctx.liveBrokers.set(reg.id, { registration: reg, epoch: reg.epoch ?? -1n });
    this.channel.addBroker({ id: reg.id, endpoints: reg.endpoints, rack: reg.rack });
  }

  private async loadTopics(topics: readonly string[]): Promise<TP[]> {
    if (topics.length === 0) return [];
    const assignments = await this.zk.getTopicAssignments([...topics]);
    const added: TP[] = [];
    for (const topic of topics) {
      const a = assignments.get(topic);
      if (!a) continue;
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
  // preferred leaders

  private preferredCandidates(partitions: readonly TP[]): TP[] {
    const ctx = this.ctx;
    return partitions.filter((tp) => {
      const s = ctx.leaderIsr(tp);
      const preferred = ctx.replicas(tp)[0];
      return s !== undefined && preferred !== undefined && s.leader !== preferred && !ctx.isTopicQueuedUpForDeletion(tp.topic);
    });
  }

  private async processPreferredReplicaElectionZk(): Promise<void> {
    const requested = await this.zk.getPreferredReplicaElection();
    if (requested === null) return;
    const known = requested.filter((tp) => this.ctx.assignment(tp) !== undefined);
    const candidates = this.preferredCandidates(known);
    this.log.info({ partitions: candidates.length }, 'preferred replica election requested');
    if (candidates.length > 0) await this.psm.handleStateChanges(candidates, 'OnlinePartition', { kind: 'preferred' });
    await this.zk.deletePreferredReplicaElection(this.ctx.epochZkVersion);
  }

  private async checkAndTriggerAutoLeaderRebalance(): Promise<void> {
    const ctx = this.ctx;
    if (ctx.shuttingDownBrokerIds.size > 0) return; // leadership is being moved on purpose
    const byPreferred = new Map<number, TP[]>();
    for (const tp of ctx.allPartitions()) {
      const preferred = ctx.replicas(tp)[0];
      if (preferred === undefined || ctx.isTopicQueuedUpForDeletion(tp.topic)) continue;
      const list = byPreferred.get(preferred) ?? [];
      list.push(tp);
      byPreferred.set(preferred, list);
    }
    const toElect: TP[] = [];
    for (const [broker, tps] of byPreferred) {
      if (!ctx.isBrokerLive(broker)) continue;
      const imbalanced = tps.filter((tp) => ctx.leaderIsr(tp)?.leader !== broker);
      const ratio = imbalanced.length / tps.length;
      if (ratio * 100 <= this.config.leaderImbalancePerBrokerPercentage) continue;
      this.log.info({ broker, ratio }, 'leader imbalance above threshold; moving leadership to preferred replicas');
      toElect.push(...imbalanced.filter((tp) => ctx.leaderIsr(tp)?.isr.includes(broker) ?? false));
    }
    if (toElect.length > 0) await this.psm.handleStateChanges(toElect, 'OnlinePartition', { kind: 'preferred' });
  }

  // =================================================================================================
  // request entry points (called by request handlers on this broker)

  /** Runs `fn` in the event loop when active; otherwise (or if dropped) answers `notController()`. */
  private runApi<T>(name: string, fn: () => Promise<T>, notController: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (f: () => void): void => {
        if (!settled) {
          settled = true;
          f();
        }
      };
      this.events.put({
        type: 'ApiCall',
        name,
        preempt: () => settle(() => resolve(notController())),
        run: async () => {
          if (!this.active) return settle(() => resolve(notController()));
          try {
            const v = await fn();
            this.replies.push(() => settle(() => resolve(v)));
          } catch (err) {
            if (err instanceof ControllerMovedError) {
              settle(() => resolve(notController()));
              throw err; // the event loop resigns
            }
            this.log.error({ err, api: name }, 'controller request failed');
            settle(() => reject(err));
          }
          return undefined;
        },
      });
    });
  }

  private waitFor(check: () => boolean, timeoutMs: number): Promise<WaitOutcome> {
    if (check()) return Promise.resolve('done');
    if (!this.active) return Promise.resolve('resigned');
    return new Promise((resolve) => {
      const waiter: Waiter = {
        check,
        finish: (o) => {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(o);
        },
      };
      const timer = setTimeout(() => waiter.finish('timeout'), Math.max(0, timeoutMs));
      this.waiters.push(waiter);
    });
  }

  private checkWaiters(): void {
    for (const w of [...this.waiters]) if (w.check()) w.finish('done');
  }

  private topicFullyOnline(topic: string, partitions: number): boolean {
    const tps = this.ctx.partitionsForTopic(topic);
    return tps.length >= partitions && tps.every((tp) => this.ctx.partitionState(tp) === 'OnlinePartition' && (this.ctx.leaderIsr(tp)?.leader ?? -1) >= 0);
  }

  private brokerRacks(): BrokerRack[] {
    return [...this.ctx.liveBrokers.values()].map((b) => ({ id: b.registration.id, rack: b.registration.rack }));
  }

  private static apiError(err: unknown): { errorCode: number; errorMessage: string } {
    if (err instanceof ControllerApiError) return { errorCode: err.errorCode, errorMessage: err.message };
    throw err;
  }

  async createTopics(topics: readonly CreatableTopic[], opts: { validateOnly: boolean; timeoutMs: number }): Promise<CreateTopicResult[]> {
    const notController = (): CreateTopicResult[] =>
      topics.map((t) => ({ name: t.name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'This is not the correct controller for this cluster.', numPartitions: -1, replicationFactor: -1 }));
    const created: Array<{ name: string; partitions: number }> = [];
    const results = await this.runApi('createTopics', async () => {
      const counts = new Map<string, number>();
      for (const t of topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
      const out: CreateTopicResult[] = [];
      for (const t of topics) {
        const failed = (errorCode: number, errorMessage: string): CreateTopicResult => ({ name: t.name, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1 });
        try {
          if ((counts.get(t.name) ?? 0) > 1) throw new ControllerApiError(ErrorCode.INVALID_REQUEST, `Create topics request contains multiple entries for topic ${t.name}.`);
          validateTopicName(t.name);
          if (this.ctx.hasTopic(t.name)) throw new ControllerApiError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
          const collides = collidingTopic(t.name, this.ctx.allTopics());
          if (collides !== undefined) throw new ControllerApiError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${t.name}' collides with existing topic: ${collides}`);
          const nullConfigs = t.configs.filter((c) => c.value === null).map((c) => c.name);
          if (nullConfigs.length > 0) throw new ControllerApiError(ErrorCode.INVALID_REQUEST, `Null value not supported for topic configs : ${nullConfigs.join(',')}`);
          let assignment: Map<number, number[]>;
          if (t.assignments.length > 0) {
            if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
              throw new ControllerApiError(ErrorCode.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.');
            }
            assignment = new Map();
            for (const a of t.assignments) {
              if (assignment.has(a.partitionIndex)) throw new ControllerApiError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Partition ${a.partitionIndex} is assigned twice.`);
              assignment.set(a.partitionIndex, [...a.brokerIds]);
            }
            validateManualAssignment(assignment, new Set(this.ctx.liveBrokers.keys()));
          } else {
            const np = t.numPartitions === -1 ? this.config.numPartitions : t.numPartitions;
            const rf = t.replicationFactor === -1 ? this.config.defaultReplicationFactor : t.replicationFactor;
            assignment = assignReplicasToBrokers(np, rf, this.brokerRacks());
          }
          const config: Record<string, string> = {};
          for (const c of t.configs) if (c.value !== null) config[c.name] = c.value;
          // Kafka's LogConfig.validate, after the assignment as in AdminZkClient.validateTopicCreate; a value that does
          // not parse is a ConfigException there, which CreateTopics also answers with INVALID_CONFIG.
          const configProblem = checkTopicConfigs(config);
          if (configProblem) throw new ControllerApiError(ErrorCode.INVALID_CONFIG, configProblem.message);
          const numPartitions = assignment.size;
          const replicationFactor = assignment.get(0)?.length ?? -1;
          if (hasCollisionChars(t.name)) this.log.warn({ topic: t.name }, "topic names with '.' or '_' could collide in metric names");
          if (!opts.validateOnly) {
            try {
              await this.zk.createTopic(t.name, assignment, config);
            } catch (err) {
              if (isTopicExists(err)) throw new ControllerApiError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
              throw err;
            }
            created.push({ name: t.name, partitions: numPartitions });
            this.log.info({ topic: t.name, partitions: numPartitions, replicationFactor }, 'topic created');
          }
          out.push({ name: t.name, errorCode: ErrorCode.NONE, errorMessage: null, numPartitions, replicationFactor });
        } catch (err) {
          const e = KafkaController.apiError(err);
          out.push(failed(e.errorCode, e.errorMessage));
        }
      }
      return out;
    }, notController);
    if (created.length === 0 || opts.timeoutMs <= 0) return results;
    const outcome = await this.waitFor(() => created.every((c) => this.topicFullyOnline(c.name, c.partitions)), opts.timeoutMs);
    if (outcome === 'done') return results;
    return results.map((r) =>
      created.some((c) => c.name === r.name) && !this.topicFullyOnline(r.name, r.numPartitions)
        ? outcome === 'timeout'
          ? { ...r, errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: 'Timed out waiting for the topic partitions to get leaders.' }
          : { ...r, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'The controller moved while the topic was being created.' }
        : r,
    );
  }

  async deleteTopics(names: readonly string[], timeoutMs: number): Promise<TopicErrorResult[]> {
    const notController = (): TopicErrorResult[] => names.map((name) => ({ name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null }));
    const pending: string[] = [];
    const results = await this.runApi('deleteTopics', async () => {
      const out: TopicErrorResult[] = [];
      for (const name of names) {
        if (!this.config.deleteTopicEnable) {
          out.push({ name, errorCode: ErrorCode.TOPIC_DELETION_DISABLED, errorMessage: 'Topic deletion is disabled.' });
        } else if (!this.ctx.hasTopic(name)) {
          out.push({ name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.' });
        } else {
          if (!this.ctx.isTopicQueuedUpForDeletion(name)) await this.zk.requestTopicDeletion(name);
          pending.push(name);
          out.push({ name, errorCode: ErrorCode.NONE, errorMessage: null });
        }
      }
      return out;
    }, notController);
    if (pending.length === 0 || timeoutMs <= 0) return results;
    const gone = (n: string): boolean => !this.ctx.hasTopic(n);
    const outcome = await this.waitFor(() => pending.every(gone), timeoutMs);
    if (outcome === 'done') return results;
    return results.map((r) =>
      pending.includes(r.name) && !gone(r.name)
        ? { ...r, errorCode: outcome === 'timeout' ? ErrorCode.REQUEST_TIMED_OUT : ErrorCode.NOT_CONTROLLER, errorMessage: 'Topic deletion did not complete in time.' }
        : r,
    );
  }

  async createPartitions(topics: readonly CreatePartitionsTopic[], opts: { validateOnly: boolean; timeoutMs: number }): Promise<TopicErrorResult[]> {
    const notController = (): TopicErrorResult[] => topics.map((t) => ({ name: t.name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null }));
    const grown: Array<{ name: string; partitions: number }> = [];
    const results = await this.runApi('createPartitions', async () => {
      const out: TopicErrorResult[] = [];
      for (const t of topics) {
        try {
          const ctx = this.ctx;
          if (!ctx.hasTopic(t.name)) throw new ControllerApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${t.name}' does not exist.`);
          if (ctx.isTopicQueuedUpForDeletion(t.name)) throw new ControllerApiError(ErrorCode.INVALID_TOPIC_EXCEPTION, 'The topic is queued for deletion.');
          const existing = ctx.partitionsForTopic(t.name);
          const oldCount = existing.length;
          if (t.count === oldCount) throw new ControllerApiError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${oldCount} partitions.`);
          if (t.count < oldCount) {
            throw new ControllerApiError(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${oldCount} partitions, which is higher than the requested ${t.count}.`);
          }
          const first = ctx.replicas({ topic: t.name, partition: 0 });
          const rf = first.length;
          const toAdd = t.count - oldCount;
          let added: Map<number, number[]>;
          if (t.assignments !== null) {
            if (t.assignments.length !== toAdd) {
              throw new ControllerApiError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Increasing the number of partitions by ${toAdd} but ${t.assignments.length} assignments provided.`);
            }
            added = new Map(t.assignments.map((a, i) => [oldCount + i, [...a.brokerIds]]));
            validateManualAssignment(added, new Set(ctx.liveBrokers.keys()), { firstPartition: oldCount, replicationFactor: rf });
          } else {
            const brokers = this.brokerRacks().sort((a, b) => a.id - b.id);
            const firstReplica = first[0] ?? 0;
            const startIndex = Math.max(0, brokers.findIndex((b) => b.id >= firstReplica));
            added = assignReplicasToBrokers(toAdd, rf, brokers, { fixedStartIndex: startIndex, startPartitionId: oldCount });
          }
          if (!opts.validateOnly) {
            const full = new Map<number, number[]>(existing.map((tp) => [tp.partition, [...ctx.replicas(tp)]]));
            for (const [p, r] of added) full.set(p, r);
            await this.zk.addPartitions(t.name, full);
            grown.push({ name: t.name, partitions: t.count });
          }
          out.push({ name: t.name, errorCode: ErrorCode.NONE, errorMessage: null });
        } catch (err) {
          const e = KafkaController.apiError(err);
          out.push({ name: t.name, ...e });
        }
      }
      return out;
    }, notController);
    if (grown.length === 0 || opts.timeoutMs <= 0) return results;
    const outcome = await this.waitFor(() => grown.every((g) => this.topicFullyOnline(g.name, g.partitions)), opts.timeoutMs);
    if (outcome === 'done') return results;
    return results.map((r) =>
      grown.some((g) => g.name === r.name && !this.topicFullyOnline(g.name, g.partitions))
        ? { ...r, errorCode: outcome === 'timeout' ? ErrorCode.REQUEST_TIMED_OUT : ErrorCode.NOT_CONTROLLER, errorMessage: 'New partitions did not get leaders in time.' }
        : r,
    );
  }

  /** KIP-497: the only path for ISR changes. A leader proposes a new ISR for partitions it leads. */
  alterIsr(req: AlterIsrRequestData): Promise<AlterIsrResponseData> {
    const notController = (): AlterIsrResponseData => ({ throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, topics: [] });
    return this.runApi('alterIsr', async () => {
      const ctx = this.ctx;
      const known = ctx.liveBrokers.get(req.brokerId);
      if (!known || known.epoch !== req.brokerEpoch) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.STALE_BROKER_EPOCH, topics: [] };
      }
      const results = new Map<string, AlterIsrPartitionResult>();
      const order: Array<{ topic: string; partition: number }> = [];
      const updates: Array<{ topic: string; partition: number; state: LeaderIsrState }> = [];
      const answer = (tp: TP, errorCode: number, s?: LeaderIsrState): void => {
        results.set(tpKey(tp.topic, tp.partition), {
          partitionIndex: tp.partition,
          errorCode,
          leaderId: s?.leader ?? -1,
          leaderEpoch: s?.leaderEpoch ?? -1,
          isr: s ? [...s.isr] : [],
          currentIsrVersion: s?.zkVersion ?? -1,
        });
      };
      for (const topic of req.topics) {
        for (const p of topic.partitions) {
          const tp = { topic: topic.name, partition: p.partitionIndex };
          order.push(tp);
          const cur = ctx.leaderIsr(tp);
          const replicas = ctx.replicas(tp);
          if (!cur || ctx.isTopicQueuedUpForDeletion(tp.topic)) answer(tp, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          else if (p.leaderEpoch !== cur.leaderEpoch) answer(tp, ErrorCode.FENCED_LEADER_EPOCH);
          else if (cur.leader !== req.brokerId) answer(tp, ErrorCode.NOT_LEADER_OR_FOLLOWER);
          else if (sameMembers(p.newIsr, cur.isr)) answer(tp, ErrorCode.NONE, cur); // already applied (a retry)
          else if (p.currentIsrVersion !== cur.zkVersion) answer(tp, ErrorCode.INVALID_UPDATE_VERSION);
          else if (!p.newIsr.includes(req.brokerId) || p.newIsr.some((r) => !replicas.includes(r)) || new Set(p.newIsr).size !== p.newIsr.length) {
            answer(tp, ErrorCode.INVALID_REQUEST);
          } else {
            updates.push({ ...tp, state: { leader: cur.leader, leaderEpoch: cur.leaderEpoch, isr: [...p.newIsr], controllerEpoch: ctx.epoch, zkVersion: cur.zkVersion } });
          }
        }
      }
      if (updates.length > 0) {
        const written = await this.zk.updatePartitionStates(updates, ctx.epochZkVersion);
        const stale: TP[] = [];
        for (const u of updates) {
          const tp = { topic: u.topic, partition: u.partition };
          const r = written.get(tpKey(u.topic, u.partition));
          if (!r || r instanceof Error) {
            answer(tp, ErrorCode.INVALID_UPDATE_VERSION);
            stale.push(tp);
            continue;
          }
          const before = ctx.leaderIsr(tp)?.isr ?? [];
          ctx.setLeaderIsr(tp, r);
          this.stateLog.info({ topicPartition: tpKey(tp.topic, tp.partition), from: before, to: r.isr, leaderEpoch: r.leaderEpoch, zkVersion: r.zkVersion }, 'ISR changed (AlterIsr)');
          answer(tp, ErrorCode.NONE, r);
        }
        if (stale.length > 0) {
          const states = await this.zk.getPartitionStates(stale.map((tp) => ({ topic: tp.topic, partition: tp.partition })));
          for (const tp of stale) {
            const s = states.get(tpKey(tp.topic, tp.partition));
            if (s) ctx.setLeaderIsr(tp, s);
          }
        }
        // Kafka 2.8 tells every broker about ISR changes with UpdateMetadata.
        this.batch.addUpdateMetadata(ctx.liveOrShuttingDownBrokerIds(), updates.map((u) => ({ topic: u.topic, partition: u.partition })));
        // An ISR expansion may complete a reassignment: checked in its own event, after this answer is sent.
        const reassigning = updates.map((u) => ({ topic: u.topic, partition: u.partition })).filter((tp) => this.reassignment.isReassigning(tp));
        if (reassigning.length > 0) this.events.put({ type: 'ReassignmentIsrChange', partitions: reassigning });
      }
      const byTopic = new Map<string, AlterIsrPartitionResult[]>();
      for (const tp of order) {
        const r = results.get(tpKey(tp.topic, tp.partition));
        if (!r) continue;
        const list = byTopic.get(tp.topic) ?? [];
        list.push(r);
        byTopic.set(tp.topic, list);
      }
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) };
    }, notController);
  }

  /**
   * A broker about to stop asks to lose leadership: partitions it leads (replication factor > 1) move to
   * another ISR member, it leaves the ISRs it follows in. Answers the partitions it still leads.
   */
  controlledShutdown(brokerId: number, brokerEpoch: bigint): Promise<ControlledShutdownResult> {
    const notController = (): ControlledShutdownResult => ({ errorCode: ErrorCode.NOT_CONTROLLER, remainingPartitions: [] });
    return this.runApi('controlledShutdown', async () => {
      const ctx = this.ctx;
      const known = ctx.liveBrokers.get(brokerId);
      if (!known) return { errorCode: ErrorCode.BROKER_NOT_AVAILABLE, remainingPartitions: [] };
      if (brokerEpoch !== -1n && brokerEpoch < known.epoch) return { errorCode: ErrorCode.STALE_BROKER_EPOCH, remainingPartitions: [] };
      ctx.shuttingDownBrokerIds.add(brokerId);
      this.log.info({ shuttingDown: brokerId }, 'controlled shutdown requested');
      const act = ctx
        .partitionsOnBroker(brokerId)
        .filter((tp) => ctx.replicas(tp).length > 1 && ctx.leaderIsr(tp) !== undefined && !ctx.isTopicQueuedUpForDeletion(tp.topic));
      const led = act.filter((tp) => ctx.leaderIsr(tp)?.leader === brokerId);
      const followed = act.filter((tp) => ctx.leaderIsr(tp)?.leader !== brokerId);
      if (led.length > 0) await this.psm.handleStateChanges(led, 'OnlinePartition', { kind: 'controlledShutdown' });
      if (followed.length > 0) await this.rsm.handleStateChanges(followed.map((tp) => ({ tp, brokerId })), 'OfflineReplica');
      const remaining = ctx
        .partitionsOnBroker(brokerId)
        .filter((tp) => ctx.replicas(tp).length > 1 && ctx.leaderIsr(tp)?.leader === brokerId)
        .map((tp) => ({ topicName: tp.topic, partitionIndex: tp.partition }));
      this.log.info({ shuttingDown: brokerId, moved: led.length, remaining: remaining.length }, 'controlled shutdown step done');
      return { errorCode: ErrorCode.NONE, remainingPartitions: remaining };
    }, notController);
  }

  /**
   * AlterPartitionReassignments (KIP-455): starts (replicas set) or cancels (replicas null) reassignments.
   * Answers once each is started; completion happens when the target replicas have joined the ISR.
   */
  alterPartitionReassignments(reassignments: readonly ReassignmentRequest[], _timeoutMs: number): Promise<ReassignmentResult[]> {
    const notController = (): ReassignmentResult[] =>
      reassignments.map((r) => ({ topic: r.topic, partition: r.partition, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'This is not the correct controller for this cluster.' }));
    return this.runApi('alterPartitionReassignments', () => this.reassignment.alter(reassignments), notController);
  }

  /** ListPartitionReassignments: ongoing reassignments (`partitions` null = all); throws NOT_CONTROLLER when inactive. */
  async listPartitionReassignments(partitions: readonly TP[] | null): Promise<OngoingReassignment[]> {
    const notController = (): null => null;
    const r = await this.runApi<OngoingReassignment[] | null>('listPartitionReassignments', async () => this.reassignment.list(partitions), notController);
    if (r === null) throw new ControllerApiError(ErrorCode.NOT_CONTROLLER, 'This is not the correct controller for this cluster.');
    return r;
  }

  /** ElectLeaders API (KIP-460): `partitions` null = every partition. */
  electLeaders(partitions: readonly TP[] | null, electionType: ElectionType): Promise<ElectLeadersResult[]> {
    const notController = (): ElectLeadersResult[] =>
      (partitions ?? []).map((tp) => ({ topic: tp.topic, partition: tp.partition, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null }));
    return this.runApi('electLeaders', async () => {
      const ctx = this.ctx;
      const asked = partitions ?? ctx.allPartitions();
      const out = new Map<string, ElectLeadersResult>();
      const candidates: TP[] = [];
      const set = (tp: TP, errorCode: number, errorMessage: string | null): void => {
        out.set(tpKey(tp.topic, tp.partition), { topic: tp.topic, partition: tp.partition, errorCode, errorMessage });
      };
      for (const tp of asked) {
        const s = ctx.leaderIsr(tp);
        if (!ctx.assignment(tp) || ctx.isTopicQueuedUpForDeletion(tp.topic)) set(tp, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'The partition does not exist.');
        else if (!s) set(tp, ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, 'The partition has no state yet.');
        else if (electionType === ElectionType.PREFERRED && s.leader === ctx.replicas(tp)[0]) set(tp, ErrorCode.ELECTION_NOT_NEEDED, 'Leader is already the preferred replica.');
        else if (electionType === ElectionType.UNCLEAN && s.leader >= 0 && ctx.isBrokerLive(s.leader)) set(tp, ErrorCode.ELECTION_NOT_NEEDED, 'The partition has a live leader.');
        else candidates.push(tp);
      }
      if (candidates.length > 0) {
        const strategy = electionType === ElectionType.PREFERRED ? ({ kind: 'preferred' } as const) : ({ kind: 'offline', allowUnclean: true } as const);
        const results: Map<string, ElectionResult> = await this.psm.handleStateChanges(candidates, 'OnlinePartition', strategy);
        for (const tp of candidates) {
          const r = results.get(tpKey(tp.topic, tp.partition));
          if (r && 'ok' in r) set(tp, ErrorCode.NONE, null);
          else set(tp, r?.errorCode ?? ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, r?.message ?? null);
        }
      }
      return asked.map((tp) => out.get(tpKey(tp.topic, tp.partition))).filter((r): r is ElectLeadersResult => r !== undefined);
    }, notController);
  }
}

function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** src/zk signals an existing topic with an error carrying code 36 (TOPIC_ALREADY_EXISTS) or a TopicExists name. */
function isTopicExists(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as Error & { code?: unknown; errorCode?: unknown }).code ?? (err as Error & { errorCode?: unknown }).errorCode;
  return code === ErrorCode.TOPIC_ALREADY_EXISTS || /TopicExists|TopicAlreadyExists/i.test(err.name);
}
