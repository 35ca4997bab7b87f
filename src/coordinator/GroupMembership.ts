// The group membership protocol (Kafka 3.x rules in ZooKeeper mode): JoinGroup, SyncGroup, Heartbeat and LeaveGroup,
// the rebalance state machine with its delayed and initial-delayed joins, and the member heartbeat and pending-member
// timers.
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../protocol/errors';
import type { Logger } from '../util/logger';
import { GroupMetadata } from './GroupMetadata';
import type { GroupMetadataManager } from './GroupMetadataManager';
import { MemberMetadata, type JoinResult, type ProtocolEntry, type SyncResult } from './MemberMetadata';
import type { Scheduler } from './Scheduler';
import type { GroupCoordinatorConfig } from './GroupCoordinatorConfig';
import type { GroupCoordinatorContext } from './GroupCoordinatorContext';

/** How long a new member may take to complete its first join (Kafka's NewMemberJoinTimeoutMs). */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

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
  /** JoinGroup v8+ (KIP-800): why the member (re)joins; only logged, in the rebalance reason. */
  reason?: string | null;
  /** JoinGroup v9+ (KIP-814): the client understands `skipAssignment`. */
  supportSkippingAssignment?: boolean;
}

/** One member leaving (LeaveGroup v3+ batches them; v0-2 send one member id). */
export interface LeavingMember {
  memberId: string;
  groupInstanceId: string | null;
  /** LeaveGroup v5+ (KIP-800); only logged. */
  reason?: string | null;
}

export interface LeaveGroupResult {
  /** A group-level error (the group cannot be served here); members are then empty. */
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
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

export const EMPTY = Buffer.alloc(0);

const clientReason = (p: { reason?: string | null }): string => p.reason ?? 'not provided';

export function joinError(memberId: string, errorCode: number): JoinResult {
  return { errorCode, memberId, generationId: -1, protocolType: null, protocolName: null, leaderId: '', skipAssignment: false, members: [] };
}

export function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

/** Join/sync/heartbeat/leave for the groups the coordinator serves; group state lives in GroupMetadata. */
export class GroupMembership {
  private readonly config: GroupCoordinatorConfig;
  private readonly manager: GroupMetadataManager;
  private readonly scheduler: Scheduler;
  private readonly logger: Logger;
  private readonly validateGroupStatus: (groupId: string) => number;
  private readonly stats: { completedRebalances: number };

  constructor(ctx: GroupCoordinatorContext) {
    this.stats = ctx.stats;
    this.config = ctx.config;
    this.manager = ctx.manager;
    this.scheduler = ctx.scheduler;
    this.logger = ctx.logger;
    this.validateGroupStatus = (groupId) => ctx.validateGroupStatus(groupId);
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
      if (existing) this.removeMemberAndUpdateGroup(group, existing, `member ${existing.memberId} rejoined a group at its maximum size`);
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
      skipAssignment: false,
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
    this.maybePrepareRebalance(group, `adding new member ${memberId}; client reason: ${clientReason(p)}`);
  }

  private updateMemberAndRebalance(group: GroupMetadata, member: MemberMetadata, p: JoinGroupParams, respond: (r: JoinResult) => void): void {
    member.protocols = p.protocols;
    member.rebalanceTimeoutMs = p.rebalanceTimeoutMs;
    member.sessionTimeoutMs = p.sessionTimeoutMs;
    // A retried join replaces the earlier pending one; the earlier request gets the same answer later.
    const previous = member.awaitingJoin;
    member.awaitingJoin = previous ? (r) => { previous(r); respond(r); } : respond;
    this.maybePrepareRebalance(group, `updating metadata for member ${member.memberId} during ${group.state}; client reason: ${clientReason(p)}`);
  }

  private updateStaticMemberAndRebalance(group: GroupMetadata, oldMemberId: string, newMemberId: string, p: JoinGroupParams, respond: (r: JoinResult) => void): void {
    const currentLeader = group.leaderId;
    const old = group.get(oldMemberId);
    if (!old) return respond(joinError(p.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    // The old incarnation is fenced: its pending requests fail and its heartbeats no longer match.
    old.completeJoin(joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID));
    old.completeSync(syncError(ErrorCode.FENCED_INSTANCE_ID));
    const previous = { protocols: old.protocols, rebalanceTimeoutMs: old.rebalanceTimeoutMs, sessionTimeoutMs: old.sessionTimeoutMs };
    const member = group.replaceStaticMember(oldMemberId, newMemberId);
    this.scheduleHeartbeatExpiration(group, member);
    // The rejoin's timeouts apply too (Kafka 3.5+); all three are restored if persisting the new member id fails.
    Object.assign(member, { protocols: p.protocols, rebalanceTimeoutMs: p.rebalanceTimeoutMs, sessionTimeoutMs: p.sessionTimeoutMs });
    member.awaitingJoin = respond;
    switch (group.state) {
      case 'Stable': {
        if (group.protocolName !== group.selectProtocol()) {
          return this.maybePrepareRebalance(group, `static member ${p.groupInstanceId} rejoined with a protocol change; client reason: ${clientReason(p)}`);
        }
        // Same protocol: no rebalance. Persist the new member id, then answer with the current generation.
        const assignment = new Map([...group.members.values()].map((m) => [m.memberId, m.assignment] as const));
        const generation = group.generationId;
        void this.manager.storeGroup(group, assignment).then((code) => {
          if (code !== ErrorCode.NONE && group.generationId === generation && group.get(newMemberId) === member) {
            group.replaceStaticMember(newMemberId, oldMemberId);
            Object.assign(member, previous);
            member.completeJoin(joinError(newMemberId, code));
            return;
          }
          if (p.supportSkippingAssignment === true) {
            // JoinGroup v9 (KIP-814): a rejoined static leader learns it leads, with the members, but must not run
            // the assignor: the group is Stable and would ignore a new assignment anyway.
            const isLeader = group.isLeader(newMemberId);
            member.completeJoin({ ...this.currentJoinResult(group, newMemberId, isLeader), skipAssignment: isLeader });
          } else {
            // Before v9 the old leader id is returned, so a rejoined leader does not try a no-op assignment.
            member.completeJoin(this.currentJoinResult(group, newMemberId, false, currentLeader));
          }
        });
        return;
      }
      case 'CompletingRebalance':
        // The leader may already have assigned to the old member id: rebalance so the new id gets an assignment.
        return this.prepareRebalance(group, `static member ${p.groupInstanceId} rejoined during CompletingRebalance; client reason: ${clientReason(p)}`);
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
    this.stats.completedRebalances++;
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

  /**
   * LeaveGroup: members leave (v3+ batches them, by member id or, for an administrative removal, by group instance id
   * alone). Each member gets its own error; a group-level error means no member was looked at.
   */
  leaveGroup(groupId: string, leaving: LeavingMember[]): LeaveGroupResult {
    const status = this.validateGroupStatus(groupId);
    if (status !== ErrorCode.NONE) return { errorCode: status, members: [] };
    const group = this.manager.getGroup(groupId);
    const answer = (m: LeavingMember, errorCode: number) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode });
    if (!group) return { errorCode: ErrorCode.NONE, members: leaving.map((m) => answer(m, ErrorCode.UNKNOWN_MEMBER_ID)) };
    if (group.is('Dead')) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    return { errorCode: ErrorCode.NONE, members: leaving.map((m) => answer(m, this.leaveOne(group, m))) };
  }

  private leaveOne(group: GroupMetadata, leaving: LeavingMember): number {
    const { memberId, groupInstanceId } = leaving;
    let current: string | undefined = memberId;
    if (memberId === '') {
      current = groupInstanceId === null ? undefined : group.staticMembers.get(groupInstanceId);
    } else if (group.pendingMembers.has(memberId)) {
      this.removePendingMember(group, memberId);
      this.logger.info({ groupId: group.groupId, memberId }, 'pending member left the group');
      return ErrorCode.NONE;
    } else if (groupInstanceId !== null) {
      const staticId = group.staticMembers.get(groupInstanceId);
      if (staticId === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (staticId !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    }
    const member = current === undefined ? undefined : group.get(current);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    member.isLeaving = true;
    this.logger.info({ groupId: group.groupId, memberId: member.memberId, reason: clientReason(leaving) }, 'member left the group');
    this.removeMemberAndUpdateGroup(group, member, `removing member ${member.memberId} on LeaveGroup; client reason: ${clientReason(leaving)}`);
    return ErrorCode.NONE;
  }

  private removeMemberAndUpdateGroup(group: GroupMetadata, member: MemberMetadata, reason: string): void {
    member.completeJoin(joinError(member.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    member.heartbeatTimer?.cancel();
    member.heartbeatTimer = null;
    group.remove(member.memberId);
    switch (group.state) {
      case 'Stable':
      case 'CompletingRebalance':
        this.maybePrepareRebalance(group, reason);
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
  scheduleHeartbeatExpiration(group: GroupMetadata, member: MemberMetadata, timeoutMs = member.sessionTimeoutMs): void {
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
    this.removeMemberAndUpdateGroup(group, member, `removing member ${member.memberId}: its session expired`);
  }
}
