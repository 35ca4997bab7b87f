// The groups and committed offsets of the __consumer_offsets partitions this broker leads: load/unload on
// leadership changes, writes to the log (acks=-1), the offsets cache and offset/group expiry.
import { ErrorCode } from '../protocol/errors';
import { buildRecordBatchSync, type RecordInput } from '../protocol/record/records';
import type { Logger } from '../util/logger';
import { GroupMetadata, olderThan, type CommittedOffset } from './GroupMetadata';
import { parseTpKey, tpKey } from '../util/types';
import { MemberMetadata } from './MemberMetadata';
import type { OffsetsTopicStore } from './OffsetsTopicStore';
import { partitionFor } from './javaHash';
import { replayOffsetsPartition } from './GroupMetadataLoader';
import {
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  type GroupMetadataValue,
} from './records';
import type { Scheduler } from './Scheduler';

export interface GroupMetadataManagerOptions {
  store: OffsetsTopicStore;
  scheduler: Scheduler;
  logger: Logger;
  /** offsets.topic.num.partitions */
  numPartitions: number;
  /** offsets.commit.timeout.ms */
  commitTimeoutMs: number;
  /** offsets.retention.minutes, in ms */
  offsetsRetentionMs: number;
  /** Bytes read per load step. */
  loadBufferSize?: number;
}

/** The producer of a transactional offset commit. */
export interface TxnProducer {
  producerId: bigint;
  producerEpoch: number;
}

interface PartitionOwnership {
  state: 'loading' | 'loaded';
  epoch: number;
  /** Transactions completed while the partition was loading, applied once it is loaded. */
  deferredTxnCompletions: { producerId: bigint; commit: boolean }[];
}

/** Backoff between attempts to load an offsets partition: 100 ms doubling, at most 10 s. */
const LOAD_RETRY_BASE_MS = 100;
const LOAD_RETRY_MAX_MS = 10_000;

/** The mapping both store paths share; they differ only in how a timeout and an oversized write read. */
function mapStoreError(code: number, onTimeout: number, onTooLarge: number): number {
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.REQUEST_TIMED_OUT:
      return onTimeout;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return onTooLarge;
    default:
      return code;
  }
}

/** Maps log append errors to what a group write reports (Kafka's GroupMetadataManager.storeGroup). */
export function mapGroupStoreError(code: number): number {
  return mapStoreError(code, ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.UNKNOWN_SERVER_ERROR);
}

/** Maps log append errors to what an offset commit reports (Kafka's GroupMetadataManager.storeOffsets). */
export function mapOffsetStoreError(code: number): number {
  return mapStoreError(code, ErrorCode.REQUEST_TIMED_OUT, ErrorCode.INVALID_COMMIT_OFFSET_SIZE);
}

export class GroupMetadataManager {
  private readonly groups = new Map<string, GroupMetadata>();
  private readonly owned = new Map<number, PartitionOwnership>();
  private readonly store: OffsetsTopicStore;
  private readonly scheduler: Scheduler;
  private readonly logger: Logger;
  readonly numPartitions: number;
  private readonly commitTimeoutMs: number;
  private readonly offsetsRetentionMs: number;
  private readonly loadBufferSize: number;

  constructor(opts: GroupMetadataManagerOptions) {
    this.store = opts.store;
    this.scheduler = opts.scheduler;
    this.logger = opts.logger;
    this.numPartitions = opts.numPartitions;
    this.commitTimeoutMs = opts.commitTimeoutMs;
    this.offsetsRetentionMs = opts.offsetsRetentionMs;
    this.loadBufferSize = opts.loadBufferSize ?? 1 << 20;
  }

  partitionFor(groupId: string): number {
    return partitionFor(groupId, this.numPartitions);
  }

  /** 'loaded': this broker coordinates the group; 'loading': answer COORDINATOR_LOAD_IN_PROGRESS; null: NOT_COORDINATOR. */
  ownership(groupId: string): 'loading' | 'loaded' | null {
    return this.owned.get(this.partitionFor(groupId))?.state ?? null;
  }

  isLoading(): boolean {
    for (const o of this.owned.values()) if (o.state === 'loading') return true;
    return false;
  }

  ownedPartitions(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  getGroup(groupId: string): GroupMetadata | undefined {
    return this.groups.get(groupId);
  }

  /** Adds the group unless one is cached already; returns the cached one. */
  addGroup(group: GroupMetadata): GroupMetadata {
    const existing = this.groups.get(group.groupId);
    if (existing) return existing;
    this.groups.set(group.groupId, group);
    return group;
  }

  removeGroup(group: GroupMetadata): void {
    if (this.groups.get(group.groupId) === group) this.groups.delete(group.groupId);
  }

  currentGroups(): GroupMetadata[] {
    return [...this.groups.values()];
  }

  // ---- writes -------------------------------------------------------------------------------

  private async append(partition: number, records: RecordInput[], txn: TxnProducer | null = null): Promise<{ errorCode: number; baseOffset: bigint }> {
    // A transactional offset commit is a transactional batch of the producer (Kafka's storeOffsets: base sequence 0),
    // so the producer's end-transaction marker closes it in the log.
    const batch = txn === null
      ? buildRecordBatchSync({ records })
      : buildRecordBatchSync({ records, producerId: txn.producerId, producerEpoch: txn.producerEpoch, baseSequence: 0, isTransactional: true });
    try {
      return await this.store.append(partition, batch, this.commitTimeoutMs);
    } catch (e) {
      this.logger.error({ err: e, partition }, 'append to __consumer_offsets failed');
      return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, baseOffset: -1n };
    }
  }

  groupMetadataValue(group: GroupMetadata, assignment: ReadonlyMap<string, Buffer>): GroupMetadataValue {
    const protocol = group.protocolName;
    return {
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol,
      leader: group.leaderId,
      currentStateTimestamp: group.currentStateTimestamp === null ? -1n : BigInt(group.currentStateTimestamp),
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: protocol === null ? Buffer.alloc(0) : m.metadata(protocol),
        assignment: assignment.get(m.memberId) ?? Buffer.alloc(0),
      })),
    };
  }

  /** Persists the group's metadata with the given assignment; resolves with the (mapped) error code. */
  async storeGroup(group: GroupMetadata, assignment: ReadonlyMap<string, Buffer>): Promise<number> {
    const value = encodeGroupMetadataValue(this.groupMetadataValue(group, assignment));
    const now = BigInt(this.scheduler.now());
    const { errorCode: code } = await this.append(this.partitionFor(group.groupId), [{ key: encodeGroupMetadataKey(group.groupId), value, timestamp: now }]);
    if (code !== ErrorCode.NONE) this.logger.warn({ groupId: group.groupId, errorCode: code }, 'storing group metadata failed');
    return mapGroupStoreError(code);
  }

  /**
   * Writes the commits; the cache is updated only once the write is committed. Returns one code per key. With `txn`
   * (TxnOffsetCommit) the batch is the producer's transactional batch and the offsets become pending for the producer
   * until its transaction completes (onTxnCompletion), as Kafka's GroupMetadataManager.storeOffsets does.
   */
  async storeOffsets(group: GroupMetadata, offsets: ReadonlyMap<string, CommittedOffset>, txn: TxnProducer | null = null): Promise<Map<string, number>> {
    const now = BigInt(this.scheduler.now());
    const records: RecordInput[] = [];
    for (const [k, o] of offsets) {
      const { topic, partition } = parseTpKey(k);
      records.push({ key: encodeOffsetCommitKey(group.groupId, topic, partition), value: encodeOffsetCommitValue(o), timestamp: now });
    }
    const result = new Map<string, number>();
    if (records.length === 0) return result;
    if (group.receivedConsumerOffsetCommits && group.receivedTransactionalOffsetCommits) {
      this.logger.warn({ groupId: group.groupId, leader: group.leaderId }, 'group has received offset commits from consumers as well as transactional producers; mixing both generally surprises and should be avoided');
    }
    if (txn !== null) {
      group.prepareTxnOffsetCommit(txn.producerId, offsets);
    } else {
      group.receivedConsumerOffsetCommits = true;
      group.pendingOffsetCommits++;
      for (const k of offsets.keys()) group.pendingOffsetKeys.set(k, (group.pendingOffsetKeys.get(k) ?? 0) + 1);
    }
    let appended: { errorCode: number; baseOffset: bigint };
    try {
      appended = await this.append(this.partitionFor(group.groupId), records, txn);
    } finally {
      if (txn === null) {
        group.pendingOffsetCommits--;
        for (const k of offsets.keys()) {
          const n = (group.pendingOffsetKeys.get(k) ?? 1) - 1;
          if (n > 0) group.pendingOffsetKeys.set(k, n);
          else group.pendingOffsetKeys.delete(k);
        }
      }
    }
    const code = mapOffsetStoreError(appended.errorCode);
    // A group unloaded or deleted while the write was in flight must not get offsets back.
    if (!group.is('Dead')) {
      for (const [k, o] of offsets) {
        if (txn !== null) {
          if (code === ErrorCode.NONE) group.onTxnOffsetCommitAppend(txn.producerId, k, o, appended.baseOffset);
          else group.failPendingTxnOffsetCommit(txn.producerId, k);
        } else if (code === ErrorCode.NONE) {
          // A transactional commit completed meanwhile from a later batch stays (Kafka's onOffsetCommitAppend).
          const stored: CommittedOffset = { ...o, appendedBatchOffset: appended.baseOffset };
          const current = group.offsets.get(k);
          if (!current || olderThan(current, stored)) group.offsets.set(k, stored);
        }
      }
    }
    if (code !== ErrorCode.NONE && txn !== null) {
      this.logger.debug({ groupId: group.groupId, producerId: txn.producerId.toString(), errorCode: appended.errorCode }, 'transactional offset commit failed');
    }
    for (const k of offsets.keys()) result.set(k, code);
    return result;
  }

  /**
   * A producer's transaction ended with its marker written to these offsets partitions (Kafka's handleTxnCompletion):
   * its pending offsets in their groups are applied (commit) or dropped (abort). A partition still loading gets the
   * completion once loaded (the load may have read the log before the marker); one not led here is skipped, as its
   * new leader reads the marker from the log.
   */
  onTxnCompletion(producerId: bigint, partitions: Iterable<number>, commit: boolean): void {
    for (const partition of new Set(partitions)) {
      const o = this.owned.get(partition);
      if (!o) continue;
      if (o.state === 'loading') {
        o.deferredTxnCompletions.push({ producerId, commit });
        continue;
      }
      this.completeTxnInPartition(partition, producerId, commit);
    }
  }

  private completeTxnInPartition(partition: number, producerId: bigint, commit: boolean): void {
    for (const g of this.groups.values()) {
      if (this.partitionFor(g.groupId) !== partition || g.is('Dead') || !g.hasPendingOffsetCommitsFromProducer(producerId)) continue;
      g.completePendingTxnOffsetCommit(producerId, commit);
    }
  }

  /** Writes tombstones for the given offsets (and the group's metadata when `withGroup`). */
  async writeTombstones(groupId: string, offsetKeys: Iterable<string>, withGroup: boolean): Promise<number> {
    const now = BigInt(this.scheduler.now());
    const records: RecordInput[] = [];
    for (const k of offsetKeys) {
      const { topic, partition } = parseTpKey(k);
      records.push({ key: encodeOffsetCommitKey(groupId, topic, partition), value: null, timestamp: now });
    }
    if (withGroup) records.push({ key: encodeGroupMetadataKey(groupId), value: null, timestamp: now });
    if (records.length === 0) return ErrorCode.NONE;
    return mapGroupStoreError((await this.append(this.partitionFor(groupId), records)).errorCode);
  }

  // ---- expiry -------------------------------------------------------------------------------

  /** Offsets of `group` due to expire now (Kafka 2.8 rules, KIP-211). */
  expiredOffsets(group: GroupMetadata, now: number): string[] {
    const expired = (base: (o: CommittedOffset) => bigint, subscribed: ReadonlySet<string> = new Set()): string[] => {
      const out: string[] = [];
      for (const [k, o] of group.offsets) {
        if (subscribed.has(parseTpKey(k).topic)) continue;
        const due = o.expireTimestamp !== null
          ? BigInt(now) >= o.expireTimestamp
          : BigInt(now) - base(o) >= BigInt(this.offsetsRetentionMs);
        if (due) out.push(k);
      }
      return out;
    };
    if (group.pendingOffsetCommits > 0) return [];
    if (group.protocolType !== null && group.is('Empty')) {
      const since = group.currentStateTimestamp;
      return expired((o) => (since === null ? o.commitTimestamp : BigInt(since)));
    }
    if (group.protocolType === 'consumer' && group.subscribedTopics !== null) {
      return expired((o) => o.commitTimestamp, group.subscribedTopics);
    }
    if (group.protocolType === null) return expired((o) => o.commitTimestamp);
    return [];
  }

  /**
   * Removes expired offsets and then empty groups without offsets (tombstones written for both).
   * `onGroupDead` lets the coordinator finish the group's state (it is already Dead when called).
   */
  async cleanupGroupMetadata(onGroupDead: (g: GroupMetadata) => void = () => undefined): Promise<number> {
    const now = this.scheduler.now();
    let removedOffsets = 0;
    const writes: Promise<number>[] = [];
    for (const group of this.currentGroups()) {
      if (this.owned.get(this.partitionFor(group.groupId))?.state !== 'loaded') continue;
      const expired = this.expiredOffsets(group, now);
      for (const k of expired) group.offsets.delete(k);
      removedOffsets += expired.length;
      let groupGone = false;
      // Pending transactional offsets keep the group (Kafka's hasOffsets) until their transaction completes.
      if (group.is('Empty') && !group.hasOffsets()) {
        group.transitionTo('Dead', now);
        this.removeGroup(group);
        onGroupDead(group);
        groupGone = true;
      }
      if (expired.length > 0 || groupGone) writes.push(this.writeTombstones(group.groupId, expired, groupGone));
    }
    await Promise.all(writes);
    if (removedOffsets > 0) this.logger.info({ removedOffsets }, 'removed expired offsets');
    return removedOffsets;
  }

  // ---- load / unload ------------------------------------------------------------------------

  /**
   * Starts loading an offsets partition this broker now leads. Groups become visible once the whole
   * committed log has been replayed; until then the partition answers COORDINATOR_LOAD_IN_PROGRESS.
   */
  async loadPartition(partition: number, epoch: number, onGroupLoaded: (g: GroupMetadata) => void): Promise<void> {
    const current = this.owned.get(partition);
    if (current && current.epoch >= epoch) return; // already loading/loaded for this leadership
    this.owned.set(partition, { state: 'loading', epoch, deferredTxnCompletions: [] });
    await this.tryLoad(partition, epoch, onGroupLoaded, 0);
  }

  /**
   * One load attempt. A failed attempt (a read error, the log briefly unavailable) is retried with backoff for as
   * long as this leadership lasts, so the partition's groups answer COORDINATOR_LOAD_IN_PROGRESS (retriable) meanwhile
   * instead of being left without a coordinator until the next leader change.
   */
  private async tryLoad(partition: number, epoch: number, onGroupLoaded: (g: GroupMetadata) => void, attempt: number): Promise<void> {
    const started = this.scheduler.now();
    try {
      const { groups: loaded, skipped } = await this.replay(partition);
      const o = this.owned.get(partition);
      if (!o || o.epoch !== epoch) return; // lost leadership meanwhile
      for (const g of loaded) {
        if (this.groups.has(g.groupId)) continue;
        this.groups.set(g.groupId, g);
        onGroupLoaded(g);
      }
      o.state = 'loaded';
      for (const c of o.deferredTxnCompletions.splice(0)) this.completeTxnInPartition(partition, c.producerId, c.commit);
      this.logger.info({ partition, groups: loaded.length, skippedRecords: skipped, ms: this.scheduler.now() - started }, 'loaded offsets partition');
    } catch (e) {
      const o = this.owned.get(partition);
      if (!o || o.epoch !== epoch) return;
      const delayMs = Math.min(LOAD_RETRY_MAX_MS, LOAD_RETRY_BASE_MS * 2 ** Math.min(attempt, 16));
      this.logger.error({ err: e, partition, attempt: attempt + 1, retryInMs: delayMs }, 'loading offsets partition failed; retrying');
      await new Promise<void>((resolve) => {
        this.scheduler.schedule(delayMs, () => resolve());
      });
      const still = this.owned.get(partition);
      if (!still || still.epoch !== epoch || still.state !== 'loading') return;
      await this.tryLoad(partition, epoch, onGroupLoaded, attempt + 1);
    }
  }

  /** Stops coordinating the groups of `partition`; returns them (the coordinator marks them Dead). */
  unloadPartition(partition: number): GroupMetadata[] {
    this.owned.delete(partition);
    const out: GroupMetadata[] = [];
    for (const g of this.currentGroups()) {
      if (this.partitionFor(g.groupId) !== partition) continue;
      this.groups.delete(g.groupId);
      out.push(g);
    }
    return out;
  }

  private async replay(partition: number): Promise<{ groups: GroupMetadata[]; skipped: number }> {
    const { groupValues, offsets, pending, skipped } = await replayOffsetsPartition(this.store, partition, this.loadBufferSize, this.logger);
    // Open transactions' offsets by group (Kafka's pendingOffsetsByGroup): group -> producer -> tpKey -> offset.
    const pendingByGroup = new Map<string, Map<bigint, Map<string, CommittedOffset>>>();
    for (const [producerId, byGroup] of pending) {
      for (const [groupId, m] of byGroup) {
        if (m.size === 0) continue;
        let g = pendingByGroup.get(groupId);
        if (!g) pendingByGroup.set(groupId, (g = new Map()));
        g.set(producerId, m);
      }
    }
    const now = this.scheduler.now();
    const out: GroupMetadata[] = [];
    const ids = new Set([...groupValues.keys(), ...offsets.keys(), ...pendingByGroup.keys()]);
    for (const id of ids) {
      const v = groupValues.get(id) ?? null;
      const groupOffsets = offsets.get(id);
      const groupPending = pendingByGroup.get(id);
      if (v === null && (!groupOffsets || groupOffsets.size === 0) && !groupPending) continue;
      const g = v === null ? new GroupMetadata(id, 'Empty', now) : this.groupFromValue(id, v, now);
      if (groupOffsets) for (const [k, o] of groupOffsets) g.offsets.set(k, o);
      if (groupPending) for (const [producerId, m] of groupPending) g.prepareTxnOffsetCommit(producerId, m);
      out.push(g);
    }
    return { groups: out, skipped };
  }

  private groupFromValue(id: string, v: GroupMetadataValue, now: number): GroupMetadata {
    const g = new GroupMetadata(id, v.members.length > 0 ? 'Stable' : 'Empty', now);
    g.generationId = v.generation;
    g.protocolType = v.protocolType === '' ? null : v.protocolType;
    g.protocolName = v.protocol;
    g.currentStateTimestamp = v.currentStateTimestamp < 0n ? null : Number(v.currentStateTimestamp);
    for (const mv of v.members) {
      const protocols = v.protocol === null ? [] : [{ name: v.protocol, metadata: mv.subscription }];
      const m = new MemberMetadata(mv.memberId, mv.groupInstanceId, mv.clientId, mv.clientHost, mv.rebalanceTimeout, mv.sessionTimeout, v.protocolType, protocols);
      m.assignment = mv.assignment;
      g.add(m);
    }
    g.leaderId = v.leader;
    g.refreshSubscribedTopics();
    return g;
  }
}
