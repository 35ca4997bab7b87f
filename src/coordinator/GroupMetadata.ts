// One consumer group's state: the state machine, generation, members, protocol choice and committed offsets.
import { MemberMetadata, type ProtocolEntry } from './MemberMetadata';
import type { TimerHandle } from './Scheduler';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** Allowed previous states of each state (Kafka's GroupState.validPreviousStates). */
const VALID_PREVIOUS: Record<GroupState, ReadonlySet<GroupState>> = {
  Empty: new Set(['PreparingRebalance']),
  PreparingRebalance: new Set(['Stable', 'CompletingRebalance', 'Empty']),
  CompletingRebalance: new Set(['PreparingRebalance']),
  Stable: new Set(['CompletingRebalance']),
  Dead: new Set(['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead']),
};

export function isValidTransition(from: GroupState, to: GroupState): boolean {
  return VALID_PREVIOUS[to].has(from);
}

export interface CommittedOffset {
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: bigint;
  /** Explicit expiry (OffsetCommit v2-4 retention); null: retention follows the group's state. */
  expireTimestamp: bigint | null;
  /**
   * Base offset of the __consumer_offsets batch the commit was written in (Kafka's appendedBatchOffset); undefined
   * until the write is appended. Decides which of two commits of one partition is newer when a transaction completes.
   */
  appendedBatchOffset?: bigint;
}

/**
 * True when `a` was written before `b` (Kafka's CommitRecordMetadataAndOffset.olderThan). When either position is
 * unknown (undefined, or -1 from a store that did not report it) `b`, the one being applied now, wins.
 */
export function olderThan(a: CommittedOffset, b: CommittedOffset): boolean {
  const x = a.appendedBatchOffset;
  const y = b.appendedBatchOffset;
  if (x === undefined || y === undefined || x < 0n || y < 0n) return true;
  return x < y;
}

/** A pending rebalance completion (DelayedJoin / InitialDelayedJoin). */
export interface PendingJoin {
  timer: TimerHandle;
  initial: boolean;
}

export class GroupMetadata {
  state: GroupState;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  currentStateTimestamp: number | null;
  readonly members = new Map<string, MemberMetadata>();
  /** group.instance.id -> member id of static members. */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet. */
  readonly pendingMembers = new Map<string, TimerHandle>();
  /** A member joined during the initial delayed join (extends the delay). */
  newMemberAdded = false;
  pendingJoin: PendingJoin | null = null;
  /** Topics of the selected consumer protocol's subscriptions; null when unknown (not the consumer protocol). */
  subscribedTopics: Set<string> | null = null;
  readonly offsets = new Map<string, CommittedOffset>();
  /** Offset commits in flight: their keys may not be expired or deleted underneath them. */
  pendingOffsetCommits = 0;
  /** Partitions (tpKey) with a plain offset commit in flight, and how many; OffsetFetch requireStable reports them unstable. */
  readonly pendingOffsetKeys = new Map<string, number>();
  /**
   * Transactional offset commits not yet completed by a marker: producer id -> partition (tpKey) -> offset. Their
   * `appendedBatchOffset` is undefined while the write is still in flight. Invisible to OffsetFetch until committed.
   */
  readonly pendingTxnOffsets = new Map<bigint, Map<string, CommittedOffset>>();
  /** Which kinds of offset commit this group has taken; both at once is warned about (Kafka does too). */
  receivedConsumerOffsetCommits = false;
  receivedTransactionalOffsetCommits = false;

  constructor(
    readonly groupId: string,
    initialState: GroupState,
    now: number,
  ) {
    this.state = initialState;
    this.currentStateTimestamp = now;
  }

  is(s: GroupState): boolean {
    return this.state === s;
  }

  transitionTo(s: GroupState, now: number): void {
    if (!isValidTransition(this.state, s)) {
      throw new Error(`group ${this.groupId}: invalid transition ${this.state} -> ${s}`);
    }
    this.state = s;
    this.currentStateTimestamp = now;
  }

  get size(): number {
    return this.members.size;
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  get(memberId: string): MemberMetadata | undefined {
    return this.members.get(memberId);
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  hasStaticMember(instanceId: string | null): boolean {
    return instanceId !== null && this.staticMembers.has(instanceId);
  }

  /** A static member whose instance id now belongs to another member id is fenced. */
  isStaticMemberFenced(memberId: string, instanceId: string | null): boolean {
    if (instanceId === null) return false;
    const current = this.staticMembers.get(instanceId);
    return current !== undefined && current !== memberId;
  }

  canRebalance(): boolean {
    return VALID_PREVIOUS.PreparingRebalance.has(this.state);
  }

  numAwaitingJoin(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.isAwaitingJoin) n++;
    return n;
  }

  hasAllMembersJoined(): boolean {
    return this.members.size === this.numAwaitingJoin() && this.pendingMembers.size === 0;
  }

  add(member: MemberMetadata): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
  }

  remove(memberId: string): void {
    const m = this.members.get(memberId);
    if (!m) return;
    this.members.delete(memberId);
    if (m.groupInstanceId !== null && this.staticMembers.get(m.groupInstanceId) === memberId) {
      this.staticMembers.delete(m.groupInstanceId);
    }
    if (this.leaderId === memberId) {
      // Prefer a member that is already rejoining, so the new generation's leader is certain to answer.
      const next = [...this.members.values()].find((x) => x.isAwaitingJoin) ?? this.members.values().next().value;
      this.leaderId = next ? next.memberId : null;
    }
  }

  /** Static member rejoining with a new member id: the member keeps its assignment under the new id. */
  replaceStaticMember(oldMemberId: string, newMemberId: string): MemberMetadata {
    const m = this.members.get(oldMemberId);
    if (!m) throw new Error(`no member ${oldMemberId}`);
    this.members.delete(oldMemberId);
    m.memberId = newMemberId;
    this.members.set(newMemberId, m);
    if (m.groupInstanceId !== null) this.staticMembers.set(m.groupInstanceId, newMemberId);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    return m;
  }

  /** Protocols every member supports (the candidates of the vote). */
  private candidateProtocols(): string[] {
    const all = [...this.members.values()];
    const first = all[0];
    if (!first) return [];
    return first.protocols.map((p) => p.name).filter((name) => all.every((m) => m.protocols.some((p) => p.name === name)));
  }

  /** Each member votes for its most preferred candidate; the most votes win (ties: earliest candidate). */
  selectProtocol(): string {
    const candidates = this.candidateProtocols();
    if (candidates.length === 0) throw new Error(`group ${this.groupId}: no protocol common to all members`);
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => votes.has(p.name));
      if (choice) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
    }
    let best = candidates[0] as string;
    for (const c of candidates) if ((votes.get(c) ?? 0) > (votes.get(best) ?? 0)) best = c;
    return best;
  }

  /** A joining member is compatible if its protocol type matches and it shares a protocol with every member. */
  supportsProtocols(memberProtocolType: string, protocols: ProtocolEntry[]): boolean {
    if (this.is('Empty') || this.members.size === 0) return memberProtocolType !== '' && protocols.length > 0;
    if (this.protocolType !== memberProtocolType) return false;
    return protocols.some((p) => [...this.members.values()].every((m) => m.protocols.some((q) => q.name === p.name)));
  }

  /** Moves to the next generation at the end of the join phase. */
  initNextGeneration(now: number): void {
    this.generationId += 1;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.refreshSubscribedTopics();
      this.transitionTo('CompletingRebalance', now);
    } else {
      this.protocolName = null;
      this.subscribedTopics = null;
      this.transitionTo('Empty', now);
    }
  }

  /** Recomputes the subscribed topics from the members' metadata of the selected protocol. */
  refreshSubscribedTopics(): void {
    this.subscribedTopics = null;
    if (this.protocolType !== 'consumer' || this.protocolName === null) return;
    const topics = new Set<string>();
    for (const m of this.members.values()) {
      const parsed = parseConsumerSubscriptionTopics(m.metadata(this.protocolName));
      if (parsed === null) return;
      for (const t of parsed) topics.add(t);
    }
    this.subscribedTopics = topics;
  }

  /** If the leader is not rejoining, hands leadership to a member that is; false when nobody is rejoining. */
  maybeElectNewJoinedLeader(): boolean {
    const leader = this.leaderId === null ? undefined : this.members.get(this.leaderId);
    if (leader?.isAwaitingJoin) return true;
    const next = [...this.members.values()].find((m) => m.isAwaitingJoin);
    if (!next) return false;
    this.leaderId = next.memberId;
    return true;
  }

  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics === null ? true : this.subscribedTopics.has(topic);
  }

  /** Member metadata of the selected protocol, as the leader receives it. */
  currentMemberMetadata(): { memberId: string; groupInstanceId: string | null; metadata: Buffer }[] {
    const protocol = this.protocolName ?? '';
    return [...this.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata(protocol) }));
  }

  // ---- transactional offset commits (Kafka's GroupMetadata pending transactional offsets) ----

  /** Stages a producer's transactional commits before they are written. */
  prepareTxnOffsetCommit(producerId: bigint, offsets: ReadonlyMap<string, CommittedOffset>): void {
    this.receivedTransactionalOffsetCommits = true;
    let m = this.pendingTxnOffsets.get(producerId);
    if (!m) this.pendingTxnOffsets.set(producerId, (m = new Map()));
    for (const [k, o] of offsets) m.set(k, o);
  }

  /** The write of a staged commit was appended at `batchOffset`; a commit staged again meanwhile is left alone. */
  onTxnOffsetCommitAppend(producerId: bigint, key: string, staged: CommittedOffset, batchOffset: bigint): void {
    const m = this.pendingTxnOffsets.get(producerId);
    if (m?.get(key) === staged) m.set(key, { ...staged, appendedBatchOffset: batchOffset });
  }

  /** The write of a staged commit failed: the client retries, maybe elsewhere. */
  failPendingTxnOffsetCommit(producerId: bigint, key: string): void {
    const m = this.pendingTxnOffsets.get(producerId);
    if (!m) return;
    m.delete(key);
    if (m.size === 0) this.pendingTxnOffsets.delete(producerId);
  }

  /**
   * The producer's transaction ended (its marker is written): on commit each pending offset replaces the committed one
   * unless that was written later (a plain commit appended after the transactional one wins); on abort they are dropped.
   * Staged commits whose write never completed are dropped (Kafka raises there; nothing of them is in the log).
   */
  completePendingTxnOffsetCommit(producerId: bigint, commit: boolean): void {
    const m = this.pendingTxnOffsets.get(producerId);
    this.pendingTxnOffsets.delete(producerId);
    if (!m || !commit) return;
    for (const [k, o] of m) {
      if (o.appendedBatchOffset === undefined) continue;
      const current = this.offsets.get(k);
      if (!current || olderThan(current, o)) this.offsets.set(k, o);
    }
  }

  hasPendingOffsetCommitsFromProducer(producerId: bigint): boolean {
    return this.pendingTxnOffsets.has(producerId);
  }

  /** A plain or transactional commit of this partition is not settled yet (OffsetFetch requireStable). */
  hasPendingOffsetCommitsForTopicPartition(key: string): boolean {
    if (this.pendingOffsetKeys.has(key)) return true;
    for (const m of this.pendingTxnOffsets.values()) if (m.has(key)) return true;
    return false;
  }

  /** Committed or pending offsets exist: an Empty group with any is kept (Kafka's hasOffsets). */
  hasOffsets(): boolean {
    return this.offsets.size > 0 || this.pendingOffsetCommits > 0 || this.pendingTxnOffsets.size > 0;
  }

  /** Removes partitions' committed offsets and any pending transactional ones (Kafka's removeOffsets); returns the keys that had a committed offset. */
  removeOffsets(keys: Iterable<string>): string[] {
    const removed: string[] = [];
    for (const k of keys) {
      // As Kafka, a producer left with no pending partition stays listed until its marker completes it.
      for (const m of this.pendingTxnOffsets.values()) m.delete(k);
      if (this.offsets.delete(k)) removed.push(k);
    }
    return removed;
  }

  /** Largest rebalance timeout of the members: how long the join phase may wait. */
  rebalanceTimeoutMs(): number {
    let t = 0;
    for (const m of this.members.values()) t = Math.max(t, m.rebalanceTimeoutMs);
    return t;
  }
}

/** The topics of a ConsumerProtocol subscription (int16 version, array of strings, ...); null if unparsable. */
export function parseConsumerSubscriptionTopics(buf: Buffer): string[] | null {
  try {
    let pos = 2;
    const n = buf.readInt32BE(pos);
    pos += 4;
    if (n < 0 || n > 100000) return null;
    const topics: string[] = [];
    for (let i = 0; i < n; i++) {
      const len = buf.readInt16BE(pos);
      pos += 2;
      if (len < 0 || pos + len > buf.length) return null;
      topics.push(buf.toString('utf8', pos, pos + len));
      pos += len;
    }
    return topics;
  } catch {
    return null;
  }
}
