// A simple consumer: ListOffsets + Fetch from partition leaders, and group membership (JoinGroup/SyncGroup/
// Heartbeat/OffsetCommit, range assignor, ConsumerProtocol v0) for `--group`; isolation.level read_committed skips
// aborted transactions (readCommitted.ts).
import { ErrorCode } from '../protocol/errors';
import {
  Fetch, Heartbeat, JoinGroup, LeaveGroup, ListOffsets, OffsetCommit, OffsetFetch, SyncGroup,
} from '../protocol/messages';
import { decodeBatchRecords } from '../protocol/record/records';
import { AdminClient } from './AdminClient';
import { AdminError, RetriableAdminError } from './errors';
import { READ_COMMITTED, READ_UNCOMMITTED, selectBatches, type IsolationLevel } from './readCommitted';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, rangeAssign } from './consumerProtocol';

export const EARLIEST = -2n;
export const LATEST = -1n;

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
}

/**
 * Offsets for a timestamp (EARLIEST, LATEST or ms since epoch) per partition, asked of each leader. Under
 * read_committed (ListOffsets v2+) LATEST is the last stable offset.
 */
export async function listOffsets(admin: AdminClient, topic: string, partitions: number[], timestamp: bigint, isolationLevel: IsolationLevel = READ_UNCOMMITTED): Promise<Map<number, bigint>> {
  const out = new Map<number, bigint>();
  await admin.withRetry(`listing offsets of '${topic}'`, async () => {
    await admin.topic(topic);
    const byLeader = new Map<number, number[]>();
    for (const p of partitions.filter((x) => !out.has(x))) {
      const l = admin.leaderOf(topic, p);
      byLeader.set(l, [...(byLeader.get(l) ?? []), p]);
    }
    let retry: RetriableAdminError | null = null;
    await Promise.all([...byLeader].map(async ([leader, parts]) => {
      const { response, version } = await admin.send(leader, ListOffsets, () => ({
        replicaId: -1,
        isolationLevel,
        topics: [{ name: topic, partitions: parts.map((p) => ({ partitionIndex: p, timestamp, maxNumOffsets: 1 })) }],
      }), { max: 5, min: isolationLevel === READ_COMMITTED ? 2 : 0 });
      for (const t of response.topics) {
        for (const p of t.partitions) {
          try {
            AdminClient.check(p.errorCode, `ListOffsets ${topic}-${p.partitionIndex}`);
          } catch (e) {
            if (e instanceof RetriableAdminError) { retry ??= e; continue; }
            throw e;
          }
          const off = version === 0 ? (p.oldStyleOffsets[0] ?? -1n) : p.offset;
          out.set(p.partitionIndex, off);
        }
      }
    }));
    if (retry) throw retry;
  });
  return out;
}

export interface FetcherOptions {
  maxWaitMs?: number;
  partitionMaxBytes?: number;
  /** What to do on OFFSET_OUT_OF_RANGE: jump to the earliest or the latest offset. */
  reset: 'earliest' | 'latest';
  /** isolation.level: 0 read_uncommitted (default), 1 read_committed (only committed transactions, up to the LSO). */
  isolationLevel?: IsolationLevel;
}

/** Fetches from the leaders of assigned partitions, tracking one position per partition. */
export class Fetcher {
  readonly positions = new Map<number, bigint>();
  /** Last high watermark seen per partition. */
  readonly highWatermarks = new Map<number, bigint>();
  /** Last stable offset seen per partition (Fetch v4+; -1 when the broker sent none). */
  readonly lastStableOffsets = new Map<number, bigint>();

  constructor(private readonly admin: AdminClient, readonly topic: string, private readonly opts: FetcherOptions) {}

  seek(partition: number, offset: bigint): void {
    this.positions.set(partition, offset);
  }

  /** One round of fetches (one request per leader, in parallel); returns the new records in offset order per partition. */
  async poll(): Promise<ConsumedRecord[]> {
    const byLeader = new Map<number, number[]>();
    try {
      for (const p of this.positions.keys()) {
        const l = this.admin.leaderOf(this.topic, p);
        byLeader.set(l, [...(byLeader.get(l) ?? []), p]);
      }
    } catch (e) {
      if (e instanceof RetriableAdminError) { await this.admin.topic(this.topic).catch(() => undefined); return []; }
      throw e;
    }
    const out: ConsumedRecord[] = [];
    let refresh = false;
    const reset: number[] = [];
    await Promise.all([...byLeader].map(async ([leader, parts]) => {
      let response;
      try {
        ({ response } = await this.admin.send(leader, Fetch, () => ({
          replicaId: -1,
          maxWaitMs: this.opts.maxWaitMs ?? 500,
          minBytes: 1,
          maxBytes: 52_428_800,
          isolationLevel: this.opts.isolationLevel ?? READ_UNCOMMITTED,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [{ topic: this.topic, partitions: parts.map((p) => ({ partition: p, fetchOffset: this.positions.get(p)!, partitionMaxBytes: this.opts.partitionMaxBytes ?? 1_048_576 })) }],
          forgottenTopicsData: [],
          rackId: '',
        }), { min: 4, max: 11 }));
      } catch (e) {
        if (e instanceof RetriableAdminError) { refresh = true; return; }
        throw e;
      }
      for (const t of response.responses) {
        for (const p of t.partitionResponses) {
          if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) { reset.push(p.partition); continue; }
          try {
            AdminClient.check(p.errorCode, `fetching ${this.topic}-${p.partition}`);
          } catch (e) {
            if (e instanceof RetriableAdminError) { refresh = true; continue; }
            throw e;
          }
          this.highWatermarks.set(p.partition, p.highWatermark);
          this.lastStableOffsets.set(p.partition, p.lastStableOffset);
          const data = p.recordSet;
          if (!data || data.length === 0) continue;
          let pos = this.positions.get(p.partition)!;
          for (const { batch: b, deliver } of selectBatches(data, this.opts.isolationLevel ?? READ_UNCOMMITTED, p.abortedTransactions)) {
            const last = b.header.baseOffset + BigInt(b.header.lastOffsetDelta);
            if (last < pos) continue;
            if (deliver) {
              for (const r of await decodeBatchRecords(data, b.position)) {
                if (r.offset < pos) continue;
                out.push({ topic: this.topic, partition: p.partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value });
              }
            }
            pos = last + 1n;
          }
          this.positions.set(p.partition, pos);
        }
      }
    }));
    if (reset.length > 0) {
      const to = await listOffsets(this.admin, this.topic, reset, this.opts.reset === 'earliest' ? EARLIEST : LATEST, this.opts.isolationLevel);
      for (const [p, o] of to) this.positions.set(p, o);
    }
    if (refresh) await this.admin.topic(this.topic).catch(() => undefined);
    return out;
  }
}

export interface GroupOptions {
  groupId: string;
  topic: string;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
}

/**
 * One member of a consumer group subscribed to one topic. join() runs JoinGroup + SyncGroup (the leader
 * computes the range assignment); heartbeat() says whether a rejoin is needed.
 */
export class GroupMember {
  memberId = '';
  generationId = -1;
  assignment: number[] = [];
  private coordinatorId = -1;

  constructor(private readonly admin: AdminClient, private readonly opts: GroupOptions) {}

  /** Kafka's consumer.groupMetadata(): what Producer.sendOffsetsToTransaction needs to fence zombie members (KIP-447). */
  groupMetadata(): { groupId: string; generationId: number; memberId: string; groupInstanceId: string | null } {
    return { groupId: this.opts.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: null };
  }

  private async coordinator(): Promise<number> {
    if (this.coordinatorId < 0) this.coordinatorId = await this.admin.coordinator(this.opts.groupId);
    return this.coordinatorId;
  }

  private groupCheck(code: number, what: string): void {
    if (code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_NOT_AVAILABLE) this.coordinatorId = -1;
    AdminClient.check(code, `${what} for group '${this.opts.groupId}'`);
  }

  async join(): Promise<number[]> {
    const group = this.opts.groupId;
    return this.admin.withRetry(`joining group '${group}'`, async () => {
      const coord = await this.coordinator();
      const metadata = encodeSubscription({ topics: [this.opts.topic], userData: null });
      let join;
      for (;;) {
        ({ response: join } = await this.admin.send(coord, JoinGroup, () => ({
          groupId: group,
          sessionTimeoutMs: this.opts.sessionTimeoutMs ?? 10_000,
          rebalanceTimeoutMs: this.opts.rebalanceTimeoutMs ?? 30_000,
          memberId: this.memberId,
          groupInstanceId: null,
          protocolType: 'consumer',
          protocols: [{ name: 'range', metadata }],
        }), { max: 5 }));
        // KIP-394: the first join answers MEMBER_ID_REQUIRED with our id; join again with it.
        if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED) { this.memberId = join.memberId; continue; }
        if (join.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) { this.memberId = ''; }
        break;
      }
      if (join.errorCode === ErrorCode.REBALANCE_IN_PROGRESS || join.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
        throw new RetriableAdminError(`group '${group}' is rebalancing`, join.errorCode);
      }
      this.groupCheck(join.errorCode, 'JoinGroup');
      this.memberId = join.memberId;
      this.generationId = join.generationId;
      let assignments: Array<{ memberId: string; assignment: Buffer }> = [];
      if (join.leader === join.memberId) {
        const subs = new Map<string, string[]>();
        const topics = new Set<string>();
        for (const m of join.members) {
          const s = decodeSubscription(m.metadata);
          subs.set(m.memberId, s.topics);
          s.topics.forEach((t) => topics.add(t));
        }
        const counts = new Map<string, number>();
        await this.admin.refreshMetadata([...topics]);
        for (const t of this.admin.metadata.topics) if (topics.has(t.name)) counts.set(t.name, t.partitions.length);
        const plan = rangeAssign(subs, counts);
        assignments = [...plan].map(([memberId, parts]) => ({ memberId, assignment: encodeAssignment({ partitions: parts, userData: null }) }));
      }
      const { response: sync } = await this.admin.send(coord, SyncGroup, () => ({
        groupId: group,
        generationId: this.generationId,
        memberId: this.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments,
      }), { max: 4 });
      if (sync.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) throw new RetriableAdminError(`group '${group}' is rebalancing`, sync.errorCode);
      this.groupCheck(sync.errorCode, 'SyncGroup');
      this.assignment = (decodeAssignment(sync.assignment).partitions.get(this.opts.topic) ?? []).sort((a, b) => a - b);
      return this.assignment;
    });
  }

  /** true when the group is rebalancing and this member must rejoin. */
  async heartbeat(): Promise<boolean> {
    const coord = await this.coordinator();
    const { response } = await this.admin.send(coord, Heartbeat, () => ({
      groupId: this.opts.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: null,
    }), { max: 3 });
    if (response.errorCode === ErrorCode.REBALANCE_IN_PROGRESS || response.errorCode === ErrorCode.ILLEGAL_GENERATION) return true;
    if (response.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) { this.memberId = ''; return true; }
    if (response.errorCode === ErrorCode.NOT_COORDINATOR || response.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE) { this.coordinatorId = -1; return true; }
    this.groupCheck(response.errorCode, 'Heartbeat');
    return false;
  }

  /** Committed offsets of the group for our topic (-1 = none). */
  async committed(partitions: number[]): Promise<Map<number, bigint>> {
    return fetchCommitted(this.admin, this.opts.groupId, this.opts.topic, partitions);
  }

  async commit(offsets: Map<number, bigint>): Promise<void> {
    if (offsets.size === 0) return;
    const coord = await this.coordinator();
    const { response } = await this.admin.send(coord, OffsetCommit, () => ({
      groupId: this.opts.groupId,
      generationId: this.generationId,
      memberId: this.memberId,
      groupInstanceId: null,
      topics: [{ name: this.opts.topic, partitions: [...offsets].map(([p, o]) => ({ partitionIndex: p, committedOffset: o, committedMetadata: '' })) }],
    }), { max: 7 });
    for (const t of response.topics) for (const p of t.partitions) this.groupCheck(p.errorCode, `OffsetCommit ${t.name}-${p.partitionIndex}`);
  }

  async leave(): Promise<void> {
    if (this.memberId === '') return;
    const coord = await this.coordinator();
    await this.admin.send(coord, LeaveGroup, (v) => (v >= 3
      ? { groupId: this.opts.groupId, members: [{ memberId: this.memberId, groupInstanceId: null }] }
      : { groupId: this.opts.groupId, memberId: this.memberId }), { max: 4 });
    this.memberId = '';
  }
}

/** Committed offsets of `group` for `topic` (OffsetFetch to the coordinator); -1 where none. */
export async function fetchCommitted(admin: AdminClient, group: string, topic: string, partitions: number[]): Promise<Map<number, bigint>>;
export async function fetchCommitted(admin: AdminClient, group: string, topic: null, partitions: null): Promise<Map<string, Map<number, bigint>>>;
export async function fetchCommitted(admin: AdminClient, group: string, topic: string | null, partitions: number[] | null): Promise<Map<number, bigint> | Map<string, Map<number, bigint>>> {
  const all = await admin.withRetry(`fetching committed offsets of group '${group}'`, async () => {
    const coord = await admin.coordinator(group);
    const { response, version } = await admin.send(coord, OffsetFetch, () => ({
      groupId: group,
      topics: topic === null ? null : [{ name: topic, partitionIndexes: partitions ?? [] }],
    }), { min: topic === null ? 2 : 1, max: 5 });
    if (version >= 2) AdminClient.check(response.errorCode, `OffsetFetch for group '${group}'`);
    const out = new Map<string, Map<number, bigint>>();
    for (const t of response.topics) {
      const m = new Map<number, bigint>();
      for (const p of t.partitions) {
        AdminClient.check(p.errorCode, `OffsetFetch ${t.name}-${p.partitionIndex}`);
        m.set(p.partitionIndex, p.committedOffset);
      }
      out.set(t.name, m);
    }
    return out;
  });
  if (topic !== null && partitions !== null) return all.get(topic) ?? new Map<number, bigint>();
  return all;
}
