// The group coordinator: membership protocol (join/sync/heartbeat/leave), rebalances and timers, and the
// group/offset APIs, for the groups whose __consumer_offsets partition this broker leads (Kafka 2.8 rules).
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../protocol/errors';
import { moduleLogger, type Logger } from '../util/logger';
import { GroupMetadata, type CommittedOffset, type GroupState } from './GroupMetadata';
import { parseTpKey, tpKey } from '../util/types';
import { GroupMetadataManager } from './GroupMetadataManager';
import { MemberMetadata, type JoinResult, type ProtocolEntry, type SyncResult } from './MemberMetadata';
import type { OffsetsTopicStore } from './OffsetsTopicStore';
import { SystemScheduler, type Scheduler, type TimerHandle } from './Scheduler';

/** How long a new member may take to complete its first join (Kafka's NewMemberJoinTimeoutMs). */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

export interface GroupCoordinatorConfig {
  /** offsets.topic.num.partitions */
  offsetsTopicNumPartitions: number;
  /** offsets.commit.timeout.ms */
  offsetsCommitTimeoutMs: number;
  /** offsets.retention.minutes (in ms here) */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes */
  offsetMetadataMaxBytes: number;
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;
  groupInitialRebalanceDelayMs: number;
  groupMaxSize: number;
}

export const DEFAULT_GROUP_COORDINATOR_CONFIG: GroupCoordinatorConfig = {
  offsetsTopicNumPartitions: 50,
  offsetsCommitTimeoutMs: 5000,
  offsetsRetentionMs: 10080 * 60 * 1000,
  offsetsRetentionCheckIntervalMs: 600000,
  offsetMetadataMaxBytes: 4096,
  groupMinSessionTimeoutMs: 6000,
  groupMaxSessionTimeoutMs: 1800000,
  groupInitialRebalanceDelayMs: 3000,
  groupMaxSize: 2147483647,
};

/** Reads the coordinator's settings from broker config (Kafka's property names). */
export function groupCoordinatorConfigFrom(get: (name: string) => unknown): GroupCoordinatorConfig {
  const num = (name: string, fallback: number): number => {
    const v = get(name);
    return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : fallback;
  };
  const d = DEFAULT_GROUP_COORDINATOR_CONFIG;
  return {
    offsetsTopicNumPartitions: num('offsets.topic.num.partitions', d.offsetsTopicNumPartitions),
    offsetsCommitTimeoutMs: num('offsets.commit.timeout.ms', d.offsetsCommitTimeoutMs),
    offsetsRetentionMs: num('offsets.retention.minutes', d.offsetsRetentionMs / 60000) * 60000,
    offsetsRetentionCheckIntervalMs: num('offsets.retention.check.interval.ms', d.offsetsRetentionCheckIntervalMs),
    offsetMetadataMaxBytes: num('offset.metadata.max.bytes', d.offsetMetadataMaxBytes),
    groupMinSessionTimeoutMs: num('group.min.session.timeout.ms', d.groupMinSessionTimeoutMs),
    groupMaxSessionTimeoutMs: num('group.max.session.timeout.ms', d.groupMaxSessionTimeoutMs),
    groupInitialRebalanceDelayMs: num('group.initial.rebalance.delay.ms', d.groupInitialRebalanceDelayMs),
    groupMaxSize: num('group.max.size', d.groupMaxSize),
  };
}

export interface GroupCoordinatorOptions {
  brokerId: number;
  config: GroupCoordinatorConfig;
  store: OffsetsTopicStore;
  /** Creates __consumer_offsets (the lead wires it to the controller path); called at most once at a time. */
  createOffsetsTopic: () => Promise<void>;
  scheduler?: Scheduler;
  logger?: Logger;
}

export interface JoinGroupParams {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  /** JoinGroup v4+ without a group instance id: first join answers MEMBER_ID_REQUIRED. */
  requireKnownMemberId: boolean;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: ProtocolEntry[];
}

export interface SyncGroupParams {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface OffsetCommitEntry {
  topic: string;
  partition: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string | null;
}

export interface CommitOffsetsParams {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  generationId: number;
  /** OffsetCommit v2-4 retention_time_ms; -1 = broker default. */
  retentionTimeMs: bigint;
  offsets: OffsetCommitEntry[];
}

export interface FetchedOffset {
  topic: string;
  partition: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  errorCode: number;
}

export interface GroupSummary {
  errorCode: number;
  groupId: string;
  state: GroupState;
  protocolType: string;
  protocolData: string;
  members: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    metadata: Buffer;
    assignment: Buffer;
  }[];
}

const EMPTY = Buffer.alloc(0);

function joinError(memberId: string, errorCode: number): JoinResult {
  return { errorCode, memberId, generationId: -1, protocolType: null, protocolName: null, leaderId: '', members: [] };
}

function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

export class GroupCoordinator {
  readonly brokerId: number;
  readonly config: GroupCoordinatorConfig;
  readonly manager: GroupMetadataManager;
  private readonly scheduler: Scheduler;
  private readonly logger: Logger;
  private readonly createOffsetsTopic: () => Promise<void>;
  private creatingTopic: Promise<void> | null = null;
  private active = false;
  private cleanupTimer: TimerHandle | null = null;

  constructor(opts: GroupCoordinatorOptions) {
    this.brokerId = opts.brokerId;
    this.config = opts.config;
    this.scheduler = opts.scheduler ?? new SystemScheduler();
    this.logger = opts.logger ?? moduleLogger('group-coordinator', { brokerId: opts.brokerId });
    this.createOffsetsTopic = opts.createOffsetsTopic;
    this.manager = new GroupMetadataManager({
      store: opts.store,
      scheduler: this.scheduler,
      logger: this.logger,
      numPartitions: opts.config.offsetsTopicNumPartitions,
      commitTimeoutMs: opts.config.offsetsCommitTimeoutMs,
      offsetsRetentionMs: opts.config.offsetsRetentionMs,
    });
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
    for (const m of group.members.values()) this.scheduleHeartbeatExpiration(group, m);
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

  // ---- JoinGroup ------------------------------------------------------------------------------

  joinGroup(p: JoinGroupParams): Promise<JoinResult> {
    const status = this.validateGroupStatus(p.groupId);
    if (status !== ErrorCode.NONE) return Promise.resolve(joinError(p.memberId, status));
    if (p.sessionTimeoutMs < this.config.groupMinSessionTimeoutMs || p.sessionTimeoutMs > this.config.groupMaxSessionTimeoutMs) {
      return Promise.resolve(joinError(p.memberId, ErrorCode.INVALID_SESSION_TIMEOUT));
    }
    const isUnknown = p.memberId === '';
    let group = this.manager.getGroup(p.groupId);
    if (!group) {
      if (!isUnknown) return Promise.resolve(joinError(p.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
      group = this.manager.addGroup(new GroupMetadata(p.groupId, 'Empty', this.scheduler.now()));
    }
    if (!this.acceptJoiningMember(group, p.memberId)) {
      const existing = group.get(p.memberId);
      if (existing) this.removeMemberAndUpdateGroup(group, existing);
      return Promise.resolve(joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED));
    }
    const result = new Promise<JoinResult>((resolve) => {
      if (isUnknown) this.doUnknownJoinGroup(group, p, resolve);
      else this.doJoinGroup(group, p, resolve);
    });
    if (group.is('PreparingRebalance')) this.tryCompleteJoin(group);
    return result;
  }

  private acceptJoiningMember(group: GroupMetadata, memberId: string): boolean {
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance':
        return (group.get(memberId)?.isAwaitingJoin ?? false) || group.numAwaitingJoin() < this.config.groupMaxSize;
      default:
        return group.has(memberId) || group.size < this.config.groupMaxSize;
    }
  }

  private doUnknownJoinGroup(group: GroupMetadata, p: JoinGroupParams, respond: (r: JoinResult) => void): void {
    if (group.is('Dead')) return respond(joinError(p.memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(p.protocolType, p.protocols)) return respond(joinError(p.memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    const newMemberId = `${p.groupInstanceId ?? p.clientId}-${randomUUID()}`;
    if (p.groupInstanceId !== null) {
      const oldMemberId = group.staticMembers.get(p.groupInstanceId);
      if (oldMemberId !== undefined && group.has(oldMemberId)) {
        return this.updateStaticMemberAndRebalance(group, oldMemberId, newMemberId, p, respond);
      }
      return this.addMemberAndRebalance(group, newMemberId, p, respond);
    }
    if (p.requireKnownMemberId) {
      // KIP-394: the member id is handed out first, so a client that times out rejoins as the same member.
      const timer = this.scheduler.schedule(p.sessionTimeoutMs, () => this.onExpirePendingMember(group, newMemberId));
      group.pendingMembers.set(newMemberId, timer);
      return respond(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED));
    }
    this.addMemberAndRebalance(group, newMemberId, p, respond);
  }

  private doJoinGroup(group: GroupMetadata, p: JoinGroupParams, respond: (r: JoinResult) => void): void {
    if (group.is('Dead')) return respond(joinError(p.memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(p.protocolType, p.protocols)) return respond(joinError(p.memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    if (group.pendingMembers.has(p.memberId)) {
      if (p.groupInstanceId !== null) return respond(joinError(p.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
      return this.addMemberAndRebalance(group, p.memberId, p, respond);
    }
    if (group.isStaticMemberFenced(p.memberId, p.groupInstanceId)) return respond(joinError(p.memberId, ErrorCode.FENCED_INSTANCE_ID));
    const member = group.get(p.memberId);
    if (!member || (p.groupInstanceId !== null && !group.hasStaticMember(p.groupInstanceId))) {
      return respond(joinError(p.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, p, respond);
      case 'CompletingRebalance':
        if (member.matches(p.protocols)) {
          // A retried join of the current generation: answer it again.
          return respond(this.currentJoinResult(group, member.memberId, group.isLeader(member.memberId)));
        }
        return this.updateMemberAndRebalance(group, member, p, respond);
      case 'Stable':
        if (group.isLeader(member.memberId) || !member.matches(p.protocols)) {
          // The leader rejoining asks for a new assignment (e.g. its subscription's metadata changed).
          return this.updateMemberAndRebalance(group, member, p, respond);
        }
        this.scheduleHeartbeatExpiration(group, member);
        return respond(this.currentJoinResult(group, member.memberId, false));
      default:
        return respond(joinError(p.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  private currentJoinResult(group: GroupMetadata, memberId: string, withMembers: boolean, leaderId?: string | null): JoinResult {
    return {
      errorCode: ErrorCode.NONE,
      memberId,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leaderId: (leaderId === undefined ? group.leaderId : leaderId) ?? '',
      members: withMembers ? group.currentMemberMetadata() : [],
    };
  }

  private addMemberAndRebalance(group: GroupMetadata, memberId: string, p: JoinGroupParams, respond: (r: JoinResult) => void): void {
    const pending = group.pendingMembers.get(memberId);
    if (pending) {
      pending.cancel();
      group.pendingMembers.delete(memberId);
    }
    const member = new MemberMetadata(memberId, p.groupInstanceId, p.clientId, p.clientHost, p.rebalanceTimeoutMs, p.sessionTimeoutMs, p.protocolType, p.protocols);
    member.isNew = true;
    // A new member during the initial delay extends it (InitialDelayedJoin).
    if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true;
    group.add(member);
    member.awaitingJoin = respond;
    this.scheduleHeartbeatExpiration(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS);
    this.maybePrepareRebalance(group, `adding new member ${memberId}`);
  }

  private updateMemberAndRebalance(group: GroupMetadata, member: MemberMetadata, p: JoinGroupParams, respond: (r: JoinResult) => void): void {
    member.protocols = p.protocols;
    member.rebalanceTimeoutMs = p.rebalanceTimeoutMs;
    member.sessionTimeoutMs = p.sessionTimeoutMs;
    // A retried join replaces the earlier pending one; the earlier request gets the same answer later.
    const previous = member.awaitingJoin;
    member.awaitingJoin = previous ? (r) => { previous(r); respond(r); } : respond;
    this.maybePrepareRebalance(group, `updating metadata for member ${member.memberId}`);
  }

  private updateStaticMemberAndRebalance(group: GroupMetadata, oldMemberId: string, newMemberId: string, p: JoinGroupParams, respond: (r: JoinResult) => void): void {
    const currentLeader = group.leaderId;
    const old = group.get(oldMemberId);
    if (!old) return respond(joinError(p.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    // The old incarnation is fenced: its pending requests fail and its heartbeats no longer match.
    old.completeJoin(joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID));
    old.completeSync(syncError(ErrorCode.FENCED_INSTANCE_ID));
    const oldProtocols = old.protocols;
    const member = group.replaceStaticMember(oldMemberId, newMemberId);
    this.scheduleHeartbeatExpiration(group, member);
    member.protocols = p.protocols;
    member.awaitingJoin = respond;
    switch (group.state) {
      case 'Stable': {
        if (group.protocolName !== group.selectProtocol()) {
          return this.maybePrepareRebalance(group, `static member ${p.groupInstanceId} rejoined with a protocol change`);
        }
        // Same protocol: no rebalance. Persist the new member id, then answer with the current generation;
        // the old leader id is returned so a rejoined leader does not try a no-op assignment.
        const assignment = new Map([...group.members.values()].map((m) => [m.memberId, m.assignment] as const));
        const generation = group.generationId;
        void this.manager.storeGroup(group, assignment).then((code) => {
          if (code !== ErrorCode.NONE && group.generationId === generation && group.get(newMemberId) === member) {
            group.replaceStaticMember(newMemberId, oldMemberId);
            member.protocols = oldProtocols;
            member.completeJoin(joinError(newMemberId, code));
            return;
          }
          member.completeJoin(this.currentJoinResult(group, newMemberId, false, currentLeader));
        });
        return;
      }
      case 'CompletingRebalance':
        // The leader may already have assigned to the old member id: rebalance so the new id gets an assignment.
        return this.prepareRebalance(group, `static member ${p.groupInstanceId} rejoined during CompletingRebalance`);
      case 'PreparingRebalance':
        return;
      default:
        return respond(joinError(p.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  private maybePrepareRebalance(group: GroupMetadata, reason: string): void {
    if (group.canRebalance()) this.prepareRebalance(group, reason);
  }

  private prepareRebalance(group: GroupMetadata, reason: string): void {
    if (group.is('CompletingRebalance')) this.resetAndPropagateAssignmentError(group, ErrorCode.REBALANCE_IN_PROGRESS);
    const initial = group.is('Empty');
    group.transitionTo('PreparingRebalance', this.scheduler.now());
    this.logger.info({ groupId: group.groupId, generationId: group.generationId, reason }, 'preparing to rebalance group');
    group.pendingJoin?.timer.cancel();
    if (initial) {
      const delay = this.config.groupInitialRebalanceDelayMs;
      this.scheduleInitialJoin(group, delay, Math.max(group.rebalanceTimeoutMs() - delay, 0));
    } else {
      this.scheduleDelayedJoin(group);
      this.tryCompleteJoin(group);
    }
  }

  private scheduleDelayedJoin(group: GroupMetadata): void {
    const timer = this.scheduler.schedule(group.rebalanceTimeoutMs(), () => {
      if (group.pendingJoin?.timer !== timer) return;
      this.onCompleteJoin(group);
    });
    group.pendingJoin = { timer, initial: false };
  }

  /** InitialDelayedJoin: waits `delay`, and again (bounded by `remaining`) as long as new members keep arriving. */
  private scheduleInitialJoin(group: GroupMetadata, delay: number, remaining: number): void {
    const timer = this.scheduler.schedule(delay, () => {
      if (group.pendingJoin?.timer !== timer) return;
      if (group.newMemberAdded && remaining !== 0) {
        group.newMemberAdded = false;
        const next = Math.min(this.config.groupInitialRebalanceDelayMs, remaining);
        this.scheduleInitialJoin(group, next, Math.max(remaining - delay, 0));
        return;
      }
      this.onCompleteJoin(group);
    });
    group.pendingJoin = { timer, initial: true };
  }

  /** DelayedJoin.tryComplete: completes the join phase as soon as every known member has rejoined. */
  private tryCompleteJoin(group: GroupMetadata): void {
    const pj = group.pendingJoin;
    if (!pj || pj.initial || !group.is('PreparingRebalance')) return;
    if (group.hasAllMembersJoined()) {
      pj.timer.cancel();
      this.onCompleteJoin(group);
    }
  }

  private onCompleteJoin(group: GroupMetadata): void {
    group.pendingJoin = null;
    if (group.is('Dead')) return;
    const now = this.scheduler.now();
    // Dynamic members that did not rejoin in time are gone; static ones keep their place (KIP-345).
    for (const m of [...group.members.values()]) {
      if (!m.isAwaitingJoin && !m.isStatic) {
        m.heartbeatTimer?.cancel();
        group.remove(m.memberId);
      }
    }
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // Only static members that have not rejoined: wait another rebalance timeout for them.
      this.scheduleDelayedJoin(group);
      return;
    }
    group.initNextGeneration(now);
    if (group.is('Empty')) {
      void this.manager.storeGroup(group, new Map()).then((code) => {
        if (code !== ErrorCode.NONE) this.logger.warn({ groupId: group.groupId, errorCode: code }, 'failed to write empty group metadata');
      });
      return;
    }
    this.logger.info({ groupId: group.groupId, generationId: group.generationId, members: group.size, protocol: group.protocolName }, 'group rebalanced to a new generation');
    for (const m of group.members.values()) {
      const isLeader = group.isLeader(m.memberId);
      m.completeJoin(this.currentJoinResult(group, m.memberId, isLeader));
      m.isNew = false;
      this.scheduleHeartbeatExpiration(group, m);
    }
  }

  // ---- SyncGroup ------------------------------------------------------------------------------

  syncGroup(p: SyncGroupParams): Promise<SyncResult> {
    const status = this.validateGroupStatus(p.groupId);
    if (status !== ErrorCode.NONE) return Promise.resolve(syncError(status));
    const group = this.manager.getGroup(p.groupId);
    if (!group) return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    if (group.is('Dead')) return Promise.resolve(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (group.isStaticMemberFenced(p.memberId, p.groupInstanceId)) return Promise.resolve(syncError(ErrorCode.FENCED_INSTANCE_ID));
    const member = group.get(p.memberId);
    if (!member) return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    if (p.generationId !== group.generationId) return Promise.resolve(syncError(ErrorCode.ILLEGAL_GENERATION));
    if ((p.protocolType !== null && p.protocolType !== group.protocolType) || (p.protocolName !== null && p.protocolName !== group.protocolName)) {
      return Promise.resolve(syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    switch (group.state) {
      case 'Empty':
        return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
      case 'PreparingRebalance':
        return Promise.resolve(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      case 'Stable':
        this.scheduleHeartbeatExpiration(group, member);
        return Promise.resolve({ errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment });
      default:
        break;
    }
    // CompletingRebalance: wait for the leader's assignment.
    const result = new Promise<SyncResult>((resolve) => {
      member.completeSync(syncError(ErrorCode.REBALANCE_IN_PROGRESS)); // a duplicate sync replaces the older one
      member.awaitingSync = resolve;
    });
    this.scheduleHeartbeatExpiration(group, member);
    if (group.isLeader(p.memberId)) {
      const assignment = new Map<string, Buffer>();
      for (const a of p.assignments) if (group.has(a.memberId)) assignment.set(a.memberId, Buffer.from(a.assignment));
      for (const id of group.members.keys()) if (!assignment.has(id)) assignment.set(id, EMPTY);
      const generation = group.generationId;
      void this.manager.storeGroup(group, assignment).then((code) => {
        // Only if nothing moved the group on while the write was in flight.
        if (!group.is('CompletingRebalance') || group.generationId !== generation) return;
        if (code !== ErrorCode.NONE) {
          this.resetAndPropagateAssignmentError(group, code);
          this.maybePrepareRebalance(group, `failed to persist the assignment: error ${code}`);
          return;
        }
        this.setAndPropagateAssignment(group, assignment);
        group.transitionTo('Stable', this.scheduler.now());
        this.logger.info({ groupId: group.groupId, generationId: generation }, 'group stable');
      });
    }
    return result;
  }

  private setAndPropagateAssignment(group: GroupMetadata, assignment: ReadonlyMap<string, Buffer>): void {
    for (const m of group.members.values()) m.assignment = assignment.get(m.memberId) ?? EMPTY;
    this.propagateAssignment(group, ErrorCode.NONE);
  }

  private resetAndPropagateAssignmentError(group: GroupMetadata, errorCode: number): void {
    for (const m of group.members.values()) m.assignment = EMPTY;
    this.propagateAssignment(group, errorCode);
  }

  private propagateAssignment(group: GroupMetadata, errorCode: number): void {
    for (const m of group.members.values()) {
      const answered = m.completeSync({
        errorCode,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        assignment: m.assignment,
      });
      if (answered) this.scheduleHeartbeatExpiration(group, m);
    }
  }

  // ---- Heartbeat / LeaveGroup -----------------------------------------------------------------

  heartbeat(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): number {
    const status = this.validateGroupStatus(groupId);
    if (status !== ErrorCode.NONE) return status;
    const group = this.manager.getGroup(groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (group.isStaticMemberFenced(memberId, groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    const member = group.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    switch (group.state) {
      case 'Empty':
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case 'PreparingRebalance':
        this.scheduleHeartbeatExpiration(group, member);
        return ErrorCode.REBALANCE_IN_PROGRESS;
      default:
        // CompletingRebalance: members may heartbeat between the join and the sync answer.
        this.scheduleHeartbeatExpiration(group, member);
        return ErrorCode.NONE;
    }
  }

  /** LeaveGroup v0-2: one member leaves. */
  leaveGroup(groupId: string, memberId: string, groupInstanceId: string | null = null): number {
    const status = this.validateGroupStatus(groupId);
    if (status !== ErrorCode.NONE) return status;
    const group = this.manager.getGroup(groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (group.isStaticMemberFenced(memberId, groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    const member = group.get(memberId);
    if (!member) {
      const pending = group.pendingMembers.get(memberId);
      if (!pending) return ErrorCode.UNKNOWN_MEMBER_ID;
      this.removePendingMember(group, memberId);
      return ErrorCode.NONE;
    }
    member.isLeaving = true;
    this.logger.info({ groupId, memberId }, 'member left the group');
    this.removeMemberAndUpdateGroup(group, member);
    return ErrorCode.NONE;
  }

  private removeMemberAndUpdateGroup(group: GroupMetadata, member: MemberMetadata): void {
    member.completeJoin(joinError(member.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    member.heartbeatTimer?.cancel();
    member.heartbeatTimer = null;
    group.remove(member.memberId);
    switch (group.state) {
      case 'Stable':
      case 'CompletingRebalance':
        this.maybePrepareRebalance(group, `removing member ${member.memberId}`);
        break;
      case 'PreparingRebalance':
        this.tryCompleteJoin(group);
        break;
      default:
        break;
    }
  }

  private removePendingMember(group: GroupMetadata, memberId: string): void {
    group.pendingMembers.get(memberId)?.cancel();
    group.pendingMembers.delete(memberId);
    if (group.is('PreparingRebalance')) this.tryCompleteJoin(group);
  }

  private onExpirePendingMember(group: GroupMetadata, memberId: string): void {
    if (!group.pendingMembers.has(memberId) || group.is('Dead')) return;
    this.logger.info({ groupId: group.groupId, memberId }, 'pending member expired');
    this.removePendingMember(group, memberId);
  }

  /** Completes the current heartbeat expectation and arms the next one (session timeout by default). */
  private scheduleHeartbeatExpiration(group: GroupMetadata, member: MemberMetadata, timeoutMs = member.sessionTimeoutMs): void {
    member.heartbeatTimer?.cancel();
    member.heartbeatSatisfied = false;
    const timer = this.scheduler.schedule(timeoutMs, () => {
      if (member.heartbeatTimer !== timer) return;
      member.heartbeatTimer = null;
      this.onExpireHeartbeat(group, member);
    });
    member.heartbeatTimer = timer;
  }

  private onExpireHeartbeat(group: GroupMetadata, member: MemberMetadata): void {
    if (group.is('Dead') || group.get(member.memberId) !== member) return;
    if (member.hasSatisfiedHeartbeat()) return;
    this.logger.info({ groupId: group.groupId, memberId: member.memberId, generationId: group.generationId }, 'member session expired');
    this.removeMemberAndUpdateGroup(group, member);
  }

  // ---- offsets --------------------------------------------------------------------------------

  /** OffsetCommit: one error code per entry, in request order, resolved once the write is committed. */
  async commitOffsets(p: CommitOffsetsParams): Promise<number[]> {
    const all = (code: number): number[] => p.offsets.map(() => code);
    const status = this.validateGroupStatus(p.groupId, true);
    if (status !== ErrorCode.NONE) return all(status);
    let group = this.manager.getGroup(p.groupId);
    if (!group) {
      // Group-less ("simple") consumers commit with generation -1 and no member.
      if (p.generationId >= 0) return all(ErrorCode.ILLEGAL_GENERATION);
      group = this.manager.addGroup(new GroupMetadata(p.groupId, 'Empty', this.scheduler.now()));
    }
    if (group.is('Dead')) return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (group.isStaticMemberFenced(p.memberId, p.groupInstanceId)) return all(ErrorCode.FENCED_INSTANCE_ID);
    if (!(p.generationId < 0 && group.is('Empty'))) {
      if (group.is('CompletingRebalance')) return all(ErrorCode.REBALANCE_IN_PROGRESS);
      const member = group.get(p.memberId);
      if (!member) return all(ErrorCode.UNKNOWN_MEMBER_ID);
      if (p.generationId !== group.generationId) return all(ErrorCode.ILLEGAL_GENERATION);
      this.scheduleHeartbeatExpiration(group, member);
    }
    const now = BigInt(this.scheduler.now());
    const expireTimestamp = p.retentionTimeMs > 0n ? now + p.retentionTimeMs : null;
    const codes = new Array<number>(p.offsets.length).fill(ErrorCode.NONE);
    const toStore = new Map<string, CommittedOffset>();
    p.offsets.forEach((o, i) => {
      const metadata = o.metadata ?? '';
      if (Buffer.byteLength(metadata, 'utf8') > this.config.offsetMetadataMaxBytes) {
        codes[i] = ErrorCode.OFFSET_METADATA_TOO_LARGE;
        return;
      }
      toStore.set(tpKey(o.topic, o.partition), { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata, commitTimestamp: now, expireTimestamp });
    });
    const stored = await this.manager.storeOffsets(group, toStore);
    p.offsets.forEach((o, i) => {
      if (codes[i] === ErrorCode.NONE) codes[i] = stored.get(tpKey(o.topic, o.partition)) ?? ErrorCode.NONE;
    });
    return codes;
  }

  /** OffsetFetch; `partitions` null = every committed offset of the group. */
  fetchOffsets(groupId: string, partitions: { topic: string; partition: number }[] | null): { errorCode: number; offsets: FetchedOffset[] } {
    const status = this.validateGroupStatus(groupId, true);
    if (status !== ErrorCode.NONE) return { errorCode: status, offsets: [] };
    const group = this.manager.getGroup(groupId);
    const none = (topic: string, partition: number): FetchedOffset => ({ topic, partition, offset: -1n, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE });
    const entry = (topic: string, partition: number, o: CommittedOffset): FetchedOffset => ({
      topic,
      partition,
      offset: o.offset,
      leaderEpoch: o.leaderEpoch,
      metadata: o.metadata,
      errorCode: ErrorCode.NONE,
    });
    if (partitions === null) {
      const offsets: FetchedOffset[] = [];
      if (group && !group.is('Dead')) {
        for (const [k, o] of group.offsets) {
          const { topic, partition } = parseTpKey(k);
          offsets.push(entry(topic, partition, o));
        }
      }
      return { errorCode: ErrorCode.NONE, offsets };
    }
    return {
      errorCode: ErrorCode.NONE,
      offsets: partitions.map(({ topic, partition }) => {
        const o = group && !group.is('Dead') ? group.offsets.get(tpKey(topic, partition)) : undefined;
        return o ? entry(topic, partition, o) : none(topic, partition);
      }),
    };
  }

  // ---- DescribeGroups / ListGroups / DeleteGroups / OffsetDelete --------------------------------

  describeGroup(groupId: string): GroupSummary {
    const status = this.validateGroupStatus(groupId, true);
    const dead = (errorCode: number): GroupSummary => ({ errorCode, groupId, state: 'Dead', protocolType: '', protocolData: '', members: [] });
    if (status !== ErrorCode.NONE) return dead(status);
    const group = this.manager.getGroup(groupId);
    if (!group) return dead(ErrorCode.NONE);
    const stable = group.is('Stable');
    const protocol = group.protocolName ?? '';
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? protocol : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? m.metadata(protocol) : EMPTY,
        assignment: stable ? m.assignment : EMPTY,
      })),
    };
  }

  listGroups(): { errorCode: number; groups: { groupId: string; protocolType: string; state: GroupState }[] } {
    if (!this.active) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    const groups = this.manager
      .currentGroups()
      .filter((g) => this.manager.ownership(g.groupId) === 'loaded')
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state }));
    return { errorCode: this.manager.isLoading() ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE, groups };
  }

  /** DeleteGroups: only empty groups; their offsets and metadata are tombstoned. */
  async deleteGroups(groupIds: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const writes: Promise<unknown>[] = [];
    for (const groupId of groupIds) {
      const status = this.validateGroupStatus(groupId, true);
      if (status !== ErrorCode.NONE) {
        out.set(groupId, status);
        continue;
      }
      const group = this.manager.getGroup(groupId);
      if (!group || group.is('Dead')) {
        out.set(groupId, ErrorCode.GROUP_ID_NOT_FOUND);
      } else if (!group.is('Empty')) {
        out.set(groupId, ErrorCode.NON_EMPTY_GROUP);
      } else {
        group.transitionTo('Dead', this.scheduler.now());
        this.onGroupDead(group);
        this.manager.removeGroup(group);
        const keys = [...group.offsets.keys()];
        group.offsets.clear();
        writes.push(this.manager.writeTombstones(groupId, keys, true));
        out.set(groupId, ErrorCode.NONE);
      }
    }
    await Promise.all(writes);
    return out;
  }

  /** OffsetDelete: removes offsets of topics the group is not consuming. */
  async deleteOffsets(groupId: string, partitions: { topic: string; partition: number }[]): Promise<{ errorCode: number; results: number[] }> {
    const status = this.validateGroupStatus(groupId);
    if (status !== ErrorCode.NONE) return { errorCode: status, results: [] };
    const group = this.manager.getGroup(groupId);
    if (!group || group.is('Dead')) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, results: [] };
    let results: number[];
    if (group.is('Empty')) {
      results = partitions.map(() => ErrorCode.NONE);
    } else if (group.protocolType === 'consumer') {
      results = partitions.map((p) => (group.isSubscribedToTopic(p.topic) ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : ErrorCode.NONE));
    } else {
      return { errorCode: ErrorCode.NON_EMPTY_GROUP, results: [] };
    }
    const removed: string[] = [];
    partitions.forEach((p, i) => {
      const k = tpKey(p.topic, p.partition);
      if (results[i] === ErrorCode.NONE && group.offsets.delete(k)) removed.push(k);
    });
    if (removed.length > 0) {
      const code = await this.manager.writeTombstones(groupId, removed, false);
      if (code !== ErrorCode.NONE) return { errorCode: code, results: [] };
    }
    return { errorCode: ErrorCode.NONE, results };
  }
}
