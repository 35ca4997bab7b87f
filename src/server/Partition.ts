// One partition replica on this broker: leader epoch, ISR (changed only through AlterIsr), follower states and the
// high watermark (Kafka's cluster/Partition.scala).
import { ErrorCode, KafkaError } from '../protocol/errors';
import type { Log } from '../log/Log';
import type { AbortedTxn, AppendOrigin, FetchDataInfo, LogAppendInfo, ReadOptions } from '../log/LogTypes';
import type { LogConfig } from '../log/LogConfig';
import type { ProducerStateEntry } from '../log/ProducerStateManager';
import type { AlterIsrItem, AlterIsrResult } from './AlterIsrManager';
import { moduleLogger, type Logger } from '../util/logger';
import { tpKey } from '../util/types';
import { SharedExclusiveLock } from '../util/AsyncLock';
import { floorIndex } from '../util/binarySearch';

/** A partition's state as the controller sends it in LeaderAndIsr. */
export interface PartitionState {
  controllerEpoch: number;
  leader: number;
  leaderEpoch: number;
  isr: number[];
  zkVersion: number;
  replicas: number[];
  isNew?: boolean;
}

/** What the leader knows of one follower, updated by every follower fetch. */
export class ReplicaState {
  /** -1 until the follower's first fetch after this broker became leader. */
  logEndOffset = -1n;
  logStartOffset = -1n;
  lastCaughtUpTimeMs = 0;
  lastFetchLeaderLogEndOffset = -1n;
  lastFetchTimeMs = 0;
  constructor(readonly brokerId: number) {}

  /** Kafka's rule: caught up when the fetch reached the leader's LEO of now, or of the previous fetch. */
  updateFetchState(fetchOffset: bigint, logStartOffset: bigint, fetchTimeMs: number, leaderEndOffset: bigint): void {
    if (fetchOffset >= leaderEndOffset) this.lastCaughtUpTimeMs = Math.max(this.lastCaughtUpTimeMs, fetchTimeMs);
    else if (fetchOffset >= this.lastFetchLeaderLogEndOffset) this.lastCaughtUpTimeMs = Math.max(this.lastCaughtUpTimeMs, this.lastFetchTimeMs);
    this.logEndOffset = fetchOffset;
    this.logStartOffset = logStartOffset;
    this.lastFetchLeaderLogEndOffset = leaderEndOffset;
    this.lastFetchTimeMs = fetchTimeMs;
  }
}

/**
 * The ISR as last committed by the controller, plus the "maximal" ISR used for the HW while a change is in
 * flight: during an expansion it already includes the new member, during a shrink it still includes the leaving
 * ones, so the HW never runs ahead of what either outcome allows.
 */
export interface IsrState {
  isr: number[];
  maximalIsr: number[];
  pending: 'none' | 'expand' | 'shrink';
}

export interface PartitionDeps {
  localBrokerId: number;
  clock: { now(): number };
  replicaLagTimeMaxMs: number;
  alterIsr: { submit(item: AlterIsrItem): boolean; clearPending(topic: string, partition: number): void };
  /** Called after an asynchronous ISR change was applied (and the HW may have moved), to complete waiters. */
  onIsrChanged?: (p: Partition, hwChanged: boolean) => void;
  /** Counts committed ISR shrinks and expansions (Kafka's IsrShrinksPerSec / IsrExpandsPerSec). */
  stats?: { isrShrinks: number; isrExpands: number };
  logger?: Logger;
}

/** Recent append sizes, so a delayed fetch can tell whether min.bytes are available without reading. */
class AppendWindow {
  private start = -1n;
  private ends: bigint[] = [];
  private cums: number[] = [];
  private total = 0;

  reset(at: bigint): void {
    this.start = at;
    this.ends = [];
    this.cums = [];
    this.total = 0;
  }
  record(firstOffset: bigint, endOffset: bigint, bytes: number): void {
    if (this.start < 0n || (this.ends.length === 0 && firstOffset !== this.start) || (this.ends.length > 0 && this.ends[this.ends.length - 1] !== firstOffset)) {
      this.reset(firstOffset);
    }
    this.total += bytes;
    this.ends.push(endOffset);
    this.cums.push(this.total);
    if (this.ends.length > 4096) {
      const drop = 2048;
      this.start = this.ends[drop - 1] as bigint;
      const base = this.cums[drop - 1] as number;
      this.ends = this.ends.slice(drop);
      this.cums = this.cums.slice(drop).map((c) => c - base);
      this.total -= base;
    }
  }
  private cumAt(x: bigint): number {
    const i = floorIndex(this.ends.length, (j) => (this.ends[j] as bigint) <= x);
    return i < 0 ? 0 : (this.cums[i] as number);
  }
  /** Bytes appended in [from, to); "a lot" when `from` predates the window. */
  bytesBetween(from: bigint, to: bigint): number {
    if (to <= from) return 0;
    if (this.start < 0n || from < this.start) return Number.MAX_SAFE_INTEGER;
    return this.cumAt(to) - this.cumAt(from);
  }
}

export class Partition {
  readonly key: string;
  leaderId = -1;
  leaderEpoch = -1;
  controllerEpoch = -1;
  zkVersion = -1;
  assignment: number[] = [];
  isrState: IsrState = { isr: [], maximalIsr: [], pending: 'none' };
  /** Offset at which this broker's current leader epoch starts (leader only). */
  leaderEpochStartOffset: bigint | null = null;
  private remoteReplicas = new Map<number, ReplicaState>();
  private readonly window = new AppendWindow();
  /**
   * Kafka's leaderIsrUpdateLock: leader appends hold it shared from the leadership check until the log has the
   * records; role changes hold it exclusively, so they wait for appends in flight and no append of the old role
   * lands after the change (with the old epoch, behind a follower's truncation point).
   */
  private readonly leaderIsrUpdateLock = new SharedExclusiveLock();
  private readonly logger: Logger;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private log: Log,
    private readonly deps: PartitionDeps,
  ) {
    this.key = tpKey(topic, partition);
    this.logger = (deps.logger ?? moduleLogger('partition')).child({ topicPartition: this.key });
  }

  get isLeader(): boolean {
    return this.leaderId === this.deps.localBrokerId;
  }
  get isr(): number[] {
    return this.isrState.isr;
  }
  get highWatermark(): bigint {
    return this.log.highWatermark;
  }
  /** The last stable offset (KIP-98): read_committed consumers read below it. */
  get lastStableOffset(): bigint {
    return this.log.lastStableOffset;
  }
  /** Aborted transactions overlapping [fetchOffset, upperBoundOffset), for a read_committed fetch. */
  collectAbortedTransactions(fetchOffset: bigint, upperBoundOffset: bigint): AbortedTxn[] {
    return this.log.collectAbortedTransactions(fetchOffset, upperBoundOffset);
  }
  get logEndOffset(): bigint {
    return this.log.logEndOffset;
  }
  get logStartOffset(): bigint {
    return this.log.logStartOffset;
  }
  get minInSyncReplicas(): number {
    return this.log.config['min.insync.replicas'];
  }
  /** The topic's log config as this replica applies it. */
  get config(): LogConfig {
    return this.log.config;
  }
  /** The topic id recorded in the replica's partition.metadata (KIP-516), null before the controller told one. */
  get topicId(): string | null {
    return this.log.topicId;
  }

  // ---- the log, through the partition (the fetcher, request handlers and coordinators hold no Log) ------------

  /** The replica's log after LeaderAndIsr found or created it (the same log, or a new one after a log dir move). */
  setLog(log: Log): void {
    this.log = log;
  }
  read(offset: bigint, maxBytes: number, opts?: ReadOptions): Promise<FetchDataInfo> {
    return this.log.read(offset, maxBytes, opts);
  }
  latestEpoch(): number {
    return this.log.latestEpoch();
  }
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: bigint } {
    return this.log.endOffsetForEpoch(epoch);
  }
  fetchOffsetByTimestamp(timestamp: bigint): ReturnType<Log['fetchOffsetByTimestamp']> {
    return this.log.fetchOffsetByTimestamp(timestamp);
  }
  /** ListOffsets v0: segment base offsets by file time, newest first (Kafka's legacyFetchOffsetsBefore). */
  legacyFetchOffsetsBefore(timestamp: bigint, maxNumOffsets: number): bigint[] {
    return this.log.legacyFetchOffsetsBefore(timestamp, maxNumOffsets);
  }
  /** The producers whose state this replica's log keeps (idempotence and transactions), leader or follower alike. */
  activeProducers(): ReadonlyMap<bigint, ProducerStateEntry> {
    return this.log.activeProducers();
  }
  /** Base offsets of the segments (tests and tools). */
  segmentBaseOffsets(): bigint[] {
    return this.log.segmentBaseOffsets();
  }
  // ---- the high watermark and log start offset ----------------------------------------------
  // The Partition is their one writer: it alone calls the Log's setters below (the fetcher, request handlers and
  // LogManager go through it). The Log stores both and keeps them within its own bounds when it removes data:
  // truncation caps them at the new end, retention moves the log start to the first segment left.

  /** Stores a new HW (the Log bounds it by [logStartOffset, LEO]). Returns true when it changed. */
  private setHighWatermark(hw: bigint): boolean {
    if (hw === this.log.highWatermark) return false;
    this.log.updateHighWatermark(hw);
    return true;
  }

  /** DeleteRecords on the leader: the log start moves up to `offset` (at most the HW). */
  deleteRecordsBefore(offset: bigint): Promise<bigint> {
    return this.log.deleteRecordsBefore(offset);
  }

  /**
   * Follower, after a fetch: the HW is the leader's, bounded by what this replica holds; the log start follows the
   * leader's (DeleteRecords, retention) as far as that HW allows. The only place a follower's HW moves.
   */
  async updateFollowerOffsets(leaderHw: bigint, leaderLogStart: bigint): Promise<void> {
    const leo = this.log.logEndOffset;
    this.setHighWatermark(leaderHw < leo ? leaderHw : leo);
    if (leaderLogStart > this.log.logStartOffset) {
      const target = leaderLogStart < this.log.highWatermark ? leaderLogStart : this.log.highWatermark;
      if (target > this.log.logStartOffset) await this.deleteRecordsBefore(target);
    }
  }
  replicaState(id: number): ReplicaState | undefined {
    return this.remoteReplicas.get(id);
  }

  /** Becomes (or stays) leader for the given state; returns true when this broker was not the leader before. */
  makeLeader(state: PartitionState): Promise<boolean> {
    return this.leaderIsrUpdateLock.withExclusive(() => this.makeLeaderLocked(state));
  }

  private async makeLeaderLocked(state: PartitionState): Promise<boolean> {
    const wasLeader = this.isLeader;
    const isNewEpoch = state.leaderEpoch > this.leaderEpoch;
    const leo = this.log.logEndOffset;
    // The new epoch starts at our LEO (no append is in flight under the exclusive lock) and is on disk before we
    // lead, so OffsetForLeaderEpoch answers correctly before our first append and after a crash. A failure here
    // (the log went offline) leaves the partition's state as it was.
    if (isNewEpoch) await this.log.assignEpochDurably(state.leaderEpoch, leo);
    const now = this.deps.clock.now();
    this.controllerEpoch = state.controllerEpoch;
    this.assignment = [...state.replicas];
    this.zkVersion = state.zkVersion;
    this.isrState = { isr: [...state.isr], maximalIsr: [...state.isr], pending: 'none' };
    this.deps.alterIsr.clearPending(this.topic, this.partition);
    // Follower states start over: unknown LEO; ISR members count as caught up now, others never.
    this.remoteReplicas = new Map();
    for (const id of state.replicas) {
      if (id === this.deps.localBrokerId) continue;
      const r = new ReplicaState(id);
      r.lastCaughtUpTimeMs = state.isr.includes(id) ? now : 0;
      r.lastFetchLeaderLogEndOffset = leo;
      r.lastFetchTimeMs = now;
      this.remoteReplicas.set(id, r);
    }
    if (isNewEpoch) this.leaderEpochStartOffset = leo;
    this.leaderEpoch = state.leaderEpoch;
    this.leaderId = this.deps.localBrokerId;
    this.window.reset(leo);
    this.maybeIncrementLeaderHW(now);
    return !wasLeader;
  }

  /** Becomes follower of `state.leader`; returns true when the leader or the epoch changed (fetching restarts). */
  makeFollower(state: PartitionState): Promise<boolean> {
    return this.leaderIsrUpdateLock.withExclusive(() => this.makeFollowerLocked(state));
  }

  private makeFollowerLocked(state: PartitionState): boolean {
    const changed = this.leaderId !== state.leader || state.leaderEpoch !== this.leaderEpoch;
    this.controllerEpoch = state.controllerEpoch;
    this.assignment = [...state.replicas];
    this.zkVersion = state.zkVersion;
    this.isrState = { isr: [...state.isr], maximalIsr: [...state.isr], pending: 'none' };
    this.deps.alterIsr.clearPending(this.topic, this.partition);
    this.remoteReplicas = new Map();
    this.leaderEpochStartOffset = null;
    this.leaderEpoch = state.leaderEpoch;
    this.leaderId = state.leader;
    return changed;
  }

  /** Current-leader-epoch fencing of client and follower requests (KIP-320). */
  checkLeaderEpoch(currentLeaderEpoch: number): number {
    if (currentLeaderEpoch === -1 || currentLeaderEpoch === this.leaderEpoch) return ErrorCode.NONE;
    return currentLeaderEpoch < this.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH;
  }

  // ---- leader: appends, HW, ISR -------------------------------------------------------------

  /** Leader append; refuses acks=-1 when the ISR is below min.insync.replicas. Returns whether the HW moved. */
  /** `onOrdered`: see AppendOptions (called once the append is queued in the log behind those before it). */
  appendRecordsToLeader(records: Buffer, requiredAcks: number, origin: AppendOrigin = 'client', onOrdered?: () => void): Promise<{ info: LogAppendInfo; hwChanged: boolean }> {
    return this.leaderIsrUpdateLock.withShared(() => this.appendRecordsToLeaderLocked(records, requiredAcks, origin, onOrdered));
  }

  private async appendRecordsToLeaderLocked(records: Buffer, requiredAcks: number, origin: AppendOrigin, onOrdered?: () => void): Promise<{ info: LogAppendInfo; hwChanged: boolean }> {
    if (!this.isLeader) throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `broker ${this.deps.localBrokerId} is not the leader of ${this.key}`);
    const minIsr = this.minInSyncReplicas;
    if (requiredAcks === -1 && this.isrState.isr.length < minIsr) {
      throw new KafkaError(ErrorCode.NOT_ENOUGH_REPLICAS, `ISR ${JSON.stringify(this.isrState.isr)} of ${this.key} is smaller than min.insync.replicas ${minIsr}`);
    }
    const info = await this.log.append(records, { assignOffsets: true, leaderEpoch: this.leaderEpoch, origin, onOrdered });
    if (info.numMessages > 0) this.window.record(info.firstOffset, info.lastOffset + 1n, info.validBytes);
    // Role changes wait for this append (shared lock), so we are still the leader of the same epoch here.
    const hwChanged = this.maybeIncrementLeaderHW(this.deps.clock.now());
    return { info, hwChanged };
  }

  /** Follower append of the leader's batches (offsets kept). */
  async appendRecordsToFollower(records: Buffer): Promise<LogAppendInfo> {
    const info = await this.log.append(records, { assignOffsets: false, leaderEpoch: -1 });
    if (info.numMessages > 0) this.window.record(info.firstOffset, info.lastOffset + 1n, info.validBytes);
    return info;
  }

  /** Follower truncation (after OffsetForLeaderEpoch or an out-of-range answer). */
  async truncateTo(offset: bigint): Promise<void> {
    await this.log.truncateTo(offset);
    this.window.reset(this.log.logEndOffset);
  }
  async truncateFullyAndStartAt(offset: bigint): Promise<void> {
    await this.log.truncateFullyAndStartAt(offset);
    this.window.reset(offset);
  }

  /** Bytes readable between two offsets, for DelayedFetch's min.bytes check. */
  bytesBetween(from: bigint, to: bigint): number {
    return this.window.bytesBetween(from, to);
  }

  /**
   * A follower fetched at `fetchOffset`: record its LEO, maybe propose adding it to the ISR, maybe advance the HW.
   * Returns true when the HW moved.
   */
  updateFollowerFetchState(followerId: number, fetchOffset: bigint, followerStartOffset: bigint, fetchTimeMs: number, leaderEndOffset: bigint): boolean {
    const r = this.remoteReplicas.get(followerId);
    if (!r) return false;
    r.updateFetchState(fetchOffset, followerStartOffset, fetchTimeMs, leaderEndOffset);
    this.maybeExpandIsr(followerId);
    return this.maybeIncrementLeaderHW(fetchTimeMs);
  }

  /** In sync for an expansion: reached the HW and the start of this leader's epoch. */
  private isFollowerInSync(r: ReplicaState): boolean {
    return r.logEndOffset >= this.log.highWatermark && r.logEndOffset >= (this.leaderEpochStartOffset ?? 0n);
  }

  maybeExpandIsr(followerId: number): void {
    if (!this.isLeader || this.isrState.pending !== 'none' || this.isrState.isr.includes(followerId)) return;
    const r = this.remoteReplicas.get(followerId);
    if (!r || !this.assignment.includes(followerId) || !this.isFollowerInSync(r)) return;
    const newIsr = [...this.isrState.isr, followerId];
    this.proposeIsr(newIsr, 'expand');
  }

  /** ISR members (other than the leader) that have not caught up to the leader's LEO within the lag bound. */
  getOutOfSyncReplicas(now: number): number[] {
    const leo = this.log.logEndOffset;
    return this.isrState.isr.filter((id) => {
      if (id === this.deps.localBrokerId) return false;
      const r = this.remoteReplicas.get(id);
      if (!r) return true;
      return r.logEndOffset !== leo && now - r.lastCaughtUpTimeMs > this.deps.replicaLagTimeMaxMs;
    });
  }

  /** Periodic check: proposes removing lagging followers. Returns the proposed ISR, or null. */
  maybeShrinkIsr(now: number): number[] | null {
    if (!this.isLeader || this.isrState.pending !== 'none') return null;
    const out = this.getOutOfSyncReplicas(now);
    if (out.length === 0) return null;
    const newIsr = this.isrState.isr.filter((id) => !out.includes(id));
    this.logger.info({ isr: this.isrState.isr, outOfSync: out, newIsr }, 'shrinking ISR: followers lag beyond replica.lag.time.max.ms');
    return this.proposeIsr(newIsr, 'shrink') ? newIsr : null;
  }

  private proposeIsr(newIsr: number[], kind: 'expand' | 'shrink'): boolean {
    const epoch = this.leaderEpoch;
    const previous = this.isrState;
    const maximal = kind === 'expand' ? [...new Set([...previous.isr, ...newIsr])] : [...previous.isr];
    const submitted = this.deps.alterIsr.submit({
      topic: this.topic,
      partition: this.partition,
      leaderEpoch: epoch,
      newIsr,
      zkVersion: this.zkVersion,
      callback: (res) => this.onAlterIsrResult(epoch, newIsr, res),
    });
    if (!submitted) return false;
    this.isrState = { isr: previous.isr, maximalIsr: maximal, pending: kind };
    if (kind === 'expand') this.logger.info({ isr: previous.isr, newIsr }, 'expanding ISR: follower caught up');
    return true;
  }

  private onAlterIsrResult(epoch: number, proposed: number[], res: AlterIsrResult): void {
    // An answer for an older epoch is stale: a LeaderAndIsr has replaced the state since.
    if (epoch !== this.leaderEpoch || !this.isLeader || this.isrState.pending === 'none') return;
    if (res.errorCode === ErrorCode.NONE && 'isr' in res) {
      if (res.leaderEpoch !== this.leaderEpoch) return;
      const stats = this.deps.stats;
      if (stats && res.isr.length < this.isrState.isr.length) stats.isrShrinks++;
      else if (stats && res.isr.length > this.isrState.isr.length) stats.isrExpands++;
      this.isrState = { isr: [...res.isr], maximalIsr: [...res.isr], pending: 'none' };
      this.zkVersion = res.zkVersion;
      this.logger.info({ isr: res.isr, zkVersion: res.zkVersion }, 'ISR updated by the controller');
    } else {
      // Refused (stale version or epoch, unknown partition): keep the committed ISR; a LeaderAndIsr will follow.
      this.logger.info({ proposed, errorCode: res.errorCode }, 'ISR change refused by the controller');
      this.isrState = { isr: this.isrState.isr, maximalIsr: this.isrState.isr, pending: 'none' };
    }
    const hwChanged = this.maybeIncrementLeaderHW(this.deps.clock.now());
    this.deps.onIsrChanged?.(this, hwChanged);
  }

  /**
   * HW = min LEO over the leader, the maximal ISR and followers caught up within the lag bound (so a follower about
   * to join cannot be overtaken). Never decreases. Returns true when it moved.
   */
  maybeIncrementLeaderHW(now: number): boolean {
    if (!this.isLeader) return false;
    let newHw = this.log.logEndOffset;
    for (const r of this.remoteReplicas.values()) {
      if (r.logEndOffset < newHw && (now - r.lastCaughtUpTimeMs <= this.deps.replicaLagTimeMaxMs || this.isrState.maximalIsr.includes(r.brokerId))) {
        newHw = r.logEndOffset;
      }
    }
    return newHw > this.log.highWatermark && this.setHighWatermark(newHw);
  }

  /**
   * For DelayedProduce: done once the HW reached `requiredOffset`; NOT_ENOUGH_REPLICAS_AFTER_APPEND if by then the
   * ISR is below min.insync.replicas; NOT_LEADER_OR_FOLLOWER when leadership moved.
   */
  checkEnoughReplicasReachOffset(requiredOffset: bigint): { done: boolean; errorCode: number } {
    if (!this.isLeader) return { done: true, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
    if (this.log.highWatermark >= requiredOffset) {
      return this.isrState.maximalIsr.length >= this.minInSyncReplicas
        ? { done: true, errorCode: ErrorCode.NONE }
        : { done: true, errorCode: ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND };
    }
    return { done: false, errorCode: ErrorCode.NONE };
  }
}
