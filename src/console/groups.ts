// Consumer groups as the console shows them: ListGroups on every broker (each answers for the groups it
// coordinates), DescribeGroups and OffsetFetch at the coordinator, end offsets from the partition leaders, and lag
// polled periodically into a LagHistory for the sparklines.
import { DescribeGroups, ListGroups, OffsetFetch } from '../protocol/messages';
import { AdminClient, LATEST, decodeAssignment, type ClusterMeta } from '../client';
import { rootLogger } from '../util/logger';
import { offsetsAt } from './cluster';
import { LagHistory, partitionLag, totalLag, type LagPoint } from './lag';

export interface GroupMemberView {
  memberId: string;
  clientId: string;
  host: string;
  assignment: Array<{ topic: string; partitions: number[] }>;
}

export interface GroupOffsetView {
  topic: string;
  partition: number;
  committed: string | null;
  end: string | null;
  lag: string | null;
  memberId: string | null;
  history: LagPoint[];
}

export interface GroupView {
  group: string;
  coordinator: number;
  state: string;
  protocolType: string;
  protocol: string;
  members: GroupMemberView[];
  offsets: GroupOffsetView[];
  totalLag: string | null;
  totalHistory: LagPoint[];
  time: number;
}

const log = rootLogger.child({ module: 'console-groups' });

/** The partitions a member owns, from its ConsumerProtocol assignment (empty for other protocol types). */
function assignmentOf(protocolType: string, bytes: Buffer): Array<{ topic: string; partitions: number[] }> {
  if (protocolType !== 'consumer' || bytes.length === 0) return [];
  try {
    return [...decodeAssignment(bytes).partitions].map(([topic, partitions]) => ({ topic, partitions: [...partitions].sort((a, b) => a - b) }));
  } catch {
    return [];
  }
}

/** Polls every group's lag on an interval while the console is in use, and describes groups on demand. */
export class GroupMonitor {
  readonly history: LagHistory;
  private latest = new Map<string, GroupView>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastUse = Date.now();

  constructor(private readonly admin: AdminClient, private readonly intervalMs = 2000, private readonly idleAfterMs = 120_000) {
    this.history = new LagHistory(90);
  }

  start(): void {
    if (this.timer) return;
    const tick = (): void => {
      // Nobody looked for a while: do not load the cluster for a console no one reads.
      const work = Date.now() - this.lastUse > this.idleAfterMs ? Promise.resolve() : this.pollAll().catch((e: unknown) => log.debug({ err: e }, 'lag poll failed'));
      void work.then(() => { if (this.timer) this.timer = setTimeout(tick, this.intervalMs); });
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Every group with its state and total lag (the last poll; the first call waits for one). */
  async list(): Promise<GroupView[]> {
    this.lastUse = Date.now();
    if (this.latest.size === 0) await this.pollAll();
    return [...this.latest.values()].sort((a, b) => (a.group < b.group ? -1 : 1));
  }

  /** One group, freshly described. */
  async describe(group: string): Promise<GroupView | null> {
    this.lastUse = Date.now();
    const meta = await this.admin.refreshMetadata();
    const coord = await this.admin.coordinator(group);
    const [v] = await this.describeAt(coord, [group], meta);
    if (v) this.latest.set(group, v);
    return v ?? null;
  }

  /** One poll of every group; concurrent callers share it. */
  pollAll(): Promise<void> {
    this.running ??= (async () => {
      try {
        const meta = await this.admin.refreshMetadata();
        const answers = await this.admin.broadcast(ListGroups, () => ({ statesFilter: [] }), { max: 3 });
        const seen = new Set<string>();
        await Promise.all(answers.map(async (a) => {
          if (!a.response || a.response.errorCode !== 0) return;
          const ids = a.response.groups.map((g) => g.groupId);
          if (ids.length === 0) return;
          for (const v of await this.describeAt(a.nodeId, ids, meta)) {
            seen.add(v.group);
            this.latest.set(v.group, v);
          }
        }));
        for (const g of [...this.latest.keys()]) if (!seen.has(g)) this.latest.delete(g);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async describeAt(coordinator: number, groups: string[], meta: ClusterMeta): Promise<GroupView[]> {
    const { response } = await this.admin.send(coordinator, DescribeGroups, () => ({ groups, includeAuthorizedOperations: false }), { max: 4 });
    const views: GroupView[] = [];
    await Promise.all(response.groups.map(async (g) => {
      if (g.errorCode !== 0) return;
      const members = g.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, host: m.clientHost, assignment: assignmentOf(g.protocolType, m.memberAssignment) }));
      let committed = new Map<string, Map<number, bigint>>();
      try {
        committed = await this.committed(coordinator, g.groupId);
      } catch (e) {
        log.debug({ err: e, group: g.groupId }, 'OffsetFetch failed');
      }
      // Partitions: those with a commit and those assigned to a member.
      const owner = new Map<string, string>();
      const parts = new Map<string, Set<number>>();
      const add = (t: string, p: number): void => { let s = parts.get(t); if (!s) parts.set(t, (s = new Set())); s.add(p); };
      for (const m of members) for (const a of m.assignment) for (const p of a.partitions) { owner.set(`${a.topic}:${p}`, m.memberId); add(a.topic, p); }
      for (const [t, ps] of committed) for (const [p, o] of ps) if (o >= 0n) add(t, p);
      const offsets: GroupOffsetView[] = [];
      const readings: Array<{ topic: string; partition: number; lag: bigint | null }> = [];
      await Promise.all([...parts].map(async ([topic, ps]) => {
        const tm = meta.topics.find((t) => t.name === topic);
        const ends = tm ? await offsetsAt(this.admin, tm, [...ps], LATEST) : new Map<number, bigint>();
        for (const p of ps) {
          const c = committed.get(topic)?.get(p);
          const cur = c !== undefined && c >= 0n ? c : null;
          const end = ends.get(p) ?? null;
          const lag = partitionLag(cur, end);
          readings.push({ topic, partition: p, lag });
          offsets.push({ topic, partition: p, committed: cur?.toString() ?? null, end: end?.toString() ?? null, lag: lag?.toString() ?? null, memberId: owner.get(`${topic}:${p}`) ?? null, history: [] });
        }
      }));
      const now = Date.now();
      this.history.record(g.groupId, now, readings);
      for (const o of offsets) o.history = this.history.points(g.groupId, LagHistory.key(o.topic, o.partition));
      offsets.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
      const total = totalLag(readings.map((r) => r.lag));
      views.push({
        group: g.groupId, coordinator, state: g.groupState, protocolType: g.protocolType, protocol: g.protocolData, members, offsets,
        totalLag: total?.toString() ?? null, totalHistory: this.history.points(g.groupId, '*'), time: now,
      });
    }));
    return views;
  }

  private async committed(coordinator: number, group: string): Promise<Map<string, Map<number, bigint>>> {
    const { response } = await this.admin.send(coordinator, OffsetFetch, () => ({ groupId: group, topics: null }), { min: 2, max: 5 });
    AdminClient.check(response.errorCode, `OffsetFetch for group '${group}'`);
    const out = new Map<string, Map<number, bigint>>();
    for (const t of response.topics) {
      const m = new Map<number, bigint>();
      for (const p of t.partitions) if (p.errorCode === 0) m.set(p.partitionIndex, p.committedOffset);
      out.set(t.name, m);
    }
    return out;
  }
}
