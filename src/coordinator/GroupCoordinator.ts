// The group coordinator (Kafka 3.x rules in ZooKeeper mode) for the groups whose __consumer_offsets partition this broker leads: its
// lifecycle, which groups it serves, and loading/unloading them as it gains and loses those partitions. The APIs
// live beside it: GroupMembership (join/sync/heartbeat/leave and rebalances), GroupOffsets and GroupAdmin.
import { ErrorCode } from '../protocol/errors';
import { moduleLogger, type Logger } from '../util/logger';
import type { GroupMetadata, GroupState } from './GroupMetadata';
import { GroupMetadataManager } from './GroupMetadataManager';
import type { JoinResult, SyncResult } from './MemberMetadata';
import type { OffsetsTopicStore } from './OffsetsTopicStore';
import { SystemScheduler, type Scheduler, type TimerHandle } from './Scheduler';
import type { GroupCoordinatorConfig } from './GroupCoordinatorConfig';
import type { GroupCoordinatorContext } from './GroupCoordinatorContext';
import { GroupMembership, joinError, syncError, type JoinGroupParams, type LeaveGroupResult, type LeavingMember, type SyncGroupParams } from './GroupMembership';
import * as offsets from './GroupOffsets';
import * as admin from './GroupAdmin';
import type { CommitOffsetsParams, FetchedOffset, TxnCommitOffsetsParams } from './GroupOffsets';
import type { GroupSummary } from './GroupAdmin';
import { ConsumerLagTracker, type GroupLag } from './ConsumerLag';

export { DEFAULT_GROUP_COORDINATOR_CONFIG, groupCoordinatorConfigFrom, type GroupCoordinatorConfig } from './GroupCoordinatorConfig';
export { NEW_MEMBER_JOIN_TIMEOUT_MS, type JoinGroupParams, type LeaveGroupResult, type LeavingMember, type SyncGroupParams } from './GroupMembership';
export type { OffsetCommitEntry, CommitOffsetsParams, FetchedOffset, TxnCommitOffsetsParams } from './GroupOffsets';
export type { GroupSummary } from './GroupAdmin';

export interface GroupCoordinatorOptions {
  brokerId: number;
  config: GroupCoordinatorConfig;
  store: OffsetsTopicStore;
  /** Creates __consumer_offsets (the lead wires it to the controller path); called at most once at a time. */
  createOffsetsTopic: () => Promise<void>;
  scheduler?: Scheduler;
  logger?: Logger;
  /** Commits per partition in the window the lag status is judged over (consumer.lag.window.commits); default 10. */
  lagWindowCommits?: number;
}

export class GroupCoordinator {
  readonly brokerId: number;
  readonly config: GroupCoordinatorConfig;
  readonly manager: GroupMetadataManager;
  /** Consumer lag and its status for the groups served here (the metrics endpoint and `brook consumer-groups` read it). */
  readonly lag: ConsumerLagTracker;
  /** Counters for the metrics endpoint. */
  readonly stats = { completedRebalances: 0 };
  private readonly scheduler: Scheduler;
  private readonly logger: Logger;
  private readonly createOffsetsTopic: () => Promise<void>;
  private creatingTopic: Promise<void> | null = null;
  private active = false;
  private cleanupTimer: TimerHandle | null = null;
  /** What the API modules see of this coordinator. */
  private readonly ctx: GroupCoordinatorContext;
  private readonly membership: GroupMembership;

  constructor(opts: GroupCoordinatorOptions) {
    this.brokerId = opts.brokerId;
    this.config = opts.config;
    this.scheduler = opts.scheduler ?? new SystemScheduler();
    this.logger = opts.logger ?? moduleLogger('group-coordinator', { brokerId: opts.brokerId });
    this.createOffsetsTopic = opts.createOffsetsTopic;
    this.lag = new ConsumerLagTracker(opts.lagWindowCommits ?? 10, () => this.scheduler.now());
    this.manager = new GroupMetadataManager({
      store: opts.store,
      scheduler: this.scheduler,
      logger: this.logger,
      numPartitions: opts.config.offsetsTopicNumPartitions,
      commitTimeoutMs: opts.config.offsetsCommitTimeoutMs,
      offsetsRetentionMs: opts.config.offsetsRetentionMs,
    });
    this.ctx = {
      config: this.config,
      manager: this.manager,
      scheduler: this.scheduler,
      logger: this.logger,
      stats: this.stats,
      isActive: () => this.active,
      validateGroupStatus: (groupId, allowEmptyId) => this.validateGroupStatus(groupId, allowEmptyId),
      scheduleHeartbeatExpiration: (group, member) => this.membership.scheduleHeartbeatExpiration(group, member),
      onGroupDead: (group) => this.onGroupDead(group),
    };
    this.membership = new GroupMembership(this.ctx);
  }

  // ---- lifecycle and placement ----------------------------------------------------------------

  startup(): void {
    if (this.active) return;
    this.active = true;
    const tick = (): void => {
      if (!this.active) return;
      void this.manager.cleanupGroupMetadata((g) => this.onGroupDead(g)).finally(() => {
        if (this.active) this.cleanupTimer = this.scheduler.schedule(this.config.offsetsRetentionCheckIntervalMs, tick);
      });
    };
    this.cleanupTimer = this.scheduler.schedule(this.config.offsetsRetentionCheckIntervalMs, tick);
  }

  shutdown(): void {
    if (!this.active) return;
    this.active = false;
    this.cleanupTimer?.cancel();
    this.cleanupTimer = null;
    for (const p of this.manager.ownedPartitions()) this.onBecomeFollower(p);
  }

  get isActive(): boolean {
    return this.active;
  }

  partitionFor(groupId: string): number {
    return this.manager.partitionFor(groupId);
  }

  /** Creates __consumer_offsets through the injected admin path; concurrent callers share one attempt. */
  ensureOffsetsTopic(): Promise<void> {
    if (!this.creatingTopic) {
      this.creatingTopic = this.createOffsetsTopic()
        .catch((e: unknown) => this.logger.warn({ err: e }, 'creating __consumer_offsets failed'))
        .finally(() => {
          this.creatingTopic = null;
        });
    }
    return this.creatingTopic;
  }

  /** ReplicaManager calls this when this broker becomes leader of __consumer_offsets-<partition>. */
  onBecomeLeader(partition: number, leaderEpoch: number): Promise<void> {
    return this.manager.loadPartition(partition, leaderEpoch, (g) => this.onGroupLoaded(g));
  }

  /** ReplicaManager calls this when this broker stops leading __consumer_offsets-<partition> (follower or deleted). */
  onBecomeFollower(partition: number): void {
    for (const g of this.manager.unloadPartition(partition)) this.onGroupUnloaded(g);
  }

  private onGroupLoaded(group: GroupMetadata): void {
    for (const m of group.members.values()) this.membership.scheduleHeartbeatExpiration(group, m);
  }

  private onGroupUnloaded(group: GroupMetadata): void {
    const previous = group.state;
    group.transitionTo('Dead', this.scheduler.now());
    this.onGroupDead(group);
    for (const m of group.members.values()) {
      if (previous === 'PreparingRebalance') m.completeJoin(joinError(m.memberId, ErrorCode.NOT_COORDINATOR));
      m.completeSync(syncError(ErrorCode.NOT_COORDINATOR));
    }
  }

  /** Stops every timer of a group that has died. */
  private onGroupDead(group: GroupMetadata): void {
    this.lag.forgetGroup(group.groupId);
    group.pendingJoin?.timer.cancel();
    group.pendingJoin = null;
    for (const t of group.pendingMembers.values()) t.cancel();
    for (const m of group.members.values()) {
      m.heartbeatTimer?.cancel();
      m.heartbeatTimer = null;
    }
  }

  /** NONE when this broker may serve `groupId` now, else the error to return. */
  validateGroupStatus(groupId: string, allowEmptyId = false): number {
    if (!allowEmptyId && groupId === '') return ErrorCode.INVALID_GROUP_ID;
    if (!this.active) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const o = this.manager.ownership(groupId);
    if (o === 'loading') return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    if (o === null) return ErrorCode.NOT_COORDINATOR;
    return ErrorCode.NONE;
  }

  // ---- JoinGroup / SyncGroup / Heartbeat / LeaveGroup (GroupMembership) -------------------------

  joinGroup(p: JoinGroupParams): Promise<JoinResult> {
    return this.membership.joinGroup(p);
  }

  syncGroup(p: SyncGroupParams): Promise<SyncResult> {
    return this.membership.syncGroup(p);
  }

  heartbeat(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): number {
    return this.membership.heartbeat(groupId, memberId, groupInstanceId, generationId);
  }

  /** LeaveGroup: each member's own error, or a group-level one. */
  leaveGroup(groupId: string, members: LeavingMember[]): LeaveGroupResult {
    return this.membership.leaveGroup(groupId, members);
  }

  // ---- OffsetCommit / OffsetFetch / OffsetDelete (GroupOffsets) --------------------------------

  /** OffsetCommit: one error code per entry, in request order, resolved once the write is committed. */
  commitOffsets(p: CommitOffsetsParams): Promise<number[]> {
    return offsets.commitOffsets(this.ctx, p).then((codes) => {
      codes.forEach((code, i) => {
        const o = p.offsets[i];
        if (code === ErrorCode.NONE && o) this.lag.recordCommit(p.groupId, o.topic, o.partition, o.offset);
      });
      return codes;
    });
  }

  /** Lag and status of a group served here; null when it is not (or has no committed offsets). */
  groupLag(groupId: string): GroupLag | null {
    if (!this.manager.getGroup(groupId)) return null;
    const fetched = this.fetchOffsets(groupId, null);
    if (fetched.errorCode !== ErrorCode.NONE) return null;
    return this.lag.groupLag(groupId, fetched.offsets.filter((o) => o.errorCode === ErrorCode.NONE && o.offset >= 0n));
  }

  /** Every group served here, with its lag. */
  allGroupLags(): GroupLag[] {
    const out: GroupLag[] = [];
    for (const g of this.manager.currentGroups()) {
      const l = this.groupLag(g.groupId);
      if (l) out.push(l);
    }
    return out;
  }

  /** Groups served here by state (Kafka's NumGroups{Stable,PreparingRebalance,...}). */
  groupCountsByState(): Map<GroupState, number> {
    const counts = new Map<GroupState, number>();
    for (const g of this.manager.currentGroups()) counts.set(g.state, (counts.get(g.state) ?? 0) + 1);
    return counts;
  }

  /**
   * TxnOffsetCommit: one error code per entry, in request order, once the producer's transactional batch is written;
   * the offsets stay pending (invisible to OffsetFetch) until onTransactionCompleted.
   */
  commitTxnOffsets(p: TxnCommitOffsetsParams): Promise<number[]> {
    return offsets.commitTxnOffsets(this.ctx, p);
  }

  /**
   * OffsetFetch; `partitions` null = every committed offset of the group. `requireStable` (v7+): partitions with an
   * unsettled commit answer UNSTABLE_OFFSET_COMMIT.
   */
  fetchOffsets(groupId: string, partitions: { topic: string; partition: number }[] | null, requireStable = false): { errorCode: number; offsets: FetchedOffset[] } {
    return offsets.fetchOffsets(this.ctx, groupId, partitions, requireStable);
  }

  /** OffsetDelete: removes offsets of topics the group is not consuming. */
  deleteOffsets(groupId: string, partitions: { topic: string; partition: number }[]): Promise<{ errorCode: number; results: number[] }> {
    return offsets.deleteOffsets(this.ctx, groupId, partitions);
  }

  // ---- DescribeGroups / ListGroups / DeleteGroups (GroupAdmin) ---------------------------------

  /**
   * A transaction marker was written (and replicated) to these __consumer_offsets partitions: the producer's pending
   * transactional offset commits there are applied (commit) or dropped (abort) (Kafka's scheduleHandleTxnCompletion).
   */
  onTransactionCompleted(producerId: bigint, offsetsPartitions: readonly number[], commit: boolean): void {
    this.manager.onTxnCompletion(producerId, offsetsPartitions, commit);
  }

  describeGroup(groupId: string): GroupSummary {
    return admin.describeGroup(this.ctx, groupId);
  }

  /** ListGroups; a non-empty `statesFilter` (v4, KIP-518) keeps only groups in those states. */
  listGroups(statesFilter: readonly string[] = []): { errorCode: number; groups: { groupId: string; protocolType: string; state: GroupState }[] } {
    return admin.listGroups(this.ctx, statesFilter);
  }

  /** DeleteGroups: only empty groups; their offsets and metadata are tombstoned. */
  deleteGroups(groupIds: string[]): Promise<Map<string, number>> {
    return admin.deleteGroups(this.ctx, groupIds);
  }
}
