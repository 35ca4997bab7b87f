// `brook consumer-groups`: list, describe (offsets, lag, members), delete and reset offsets of consumer
// groups (like kafka-consumer-groups.sh).
import type { Command } from 'commander';
import { ErrorCode } from '../../protocol/errors';
import { DeleteGroups, DescribeGroups, ListGroups, OffsetCommit } from '../../protocol/messages';
import { AdminClient, EARLIEST, LATEST, fetchCommitted, listOffsets, decodeAssignment, AdminError } from '../../client';
import { formatJson, formatTable, out } from '../format';
import { coordinatorLagStatus, formatLagStatus } from './consumerLagStatus';
import { addCommonOptions, oneAction, usage, withAdmin, type CommonOptions } from './common';

interface GroupsOptions extends CommonOptions {
  list?: boolean;
  describe?: boolean;
  delete?: boolean;
  resetOffsets?: boolean;
  group?: string;
  topic?: string;
  toEarliest?: boolean;
  toLatest?: boolean;
  toOffset?: string;
  toDatetime?: string;
  execute?: boolean;
  dryRun?: boolean;
}

export interface GroupDescription {
  group: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: Array<{ consumerId: string; host: string; clientId: string; assignment: Array<{ topic: string; partitions: number[] }> }>;
  offsets: Array<{ topic: string; partition: number; currentOffset: bigint | null; logEndOffset: bigint | null; lag: bigint | null; consumerId: string | null; host: string | null; clientId: string | null }>;
}

export function registerConsumerGroups(program: Command): void {
  const cmd = program
    .command('consumer-groups')
    .description('list, describe, delete consumer groups and reset their offsets (like kafka-consumer-groups.sh)')
    .option('--list', 'list group ids')
    .option('--describe', 'committed offsets, log end offsets, lag and members of --group')
    .option('--delete', 'delete --group (it must have no members)')
    .option('--reset-offsets', 'move the committed offsets of --group on --topic (group must have no members)')
    .option('--group <id>', 'consumer group id')
    .option('--topic <name[:p,p]>', 'with --reset-offsets: the topic, optionally with partitions (orders:0,1)')
    .option('--to-earliest', 'reset to the earliest offset')
    .option('--to-latest', 'reset to the latest offset')
    .option('--to-offset <n>', 'reset to this offset (clamped to the available range)')
    .option('--to-datetime <iso>', 'reset to the first offset at or after this time, e.g. 2024-01-01T00:00:00.000Z')
    .option('--execute', 'with --reset-offsets: commit the new offsets')
    .option('--dry-run', 'with --reset-offsets: only show the new offsets (the default)');
  addCommonOptions(cmd).action(async (opts: GroupsOptions) => {
    const action = oneAction(opts, ['list', 'describe', 'delete', 'resetOffsets']);
    const group = (): string => opts.group ?? usage(`--${action === 'resetOffsets' ? 'reset-offsets' : action} needs --group <id>`);
    switch (action) {
      case 'list':
        await withAdmin(opts, async (a) => {
          const groups = await listGroups(a);
          out(opts.output === 'json' ? formatJson(groups) : groups.map((g) => g.group).join('\n'));
        });
        return;
      case 'describe': {
        const g = group();
        await withAdmin(opts, async (a) => {
          const d = await describeGroup(a, g);
          const status = await coordinatorLagStatus(a, g);
          if (opts.output === 'json') { out(formatJson({ ...d, lagStatus: status })); return; }
          const lines: string[] = [];
          if (d.members.length === 0) lines.push(`Consumer group '${g}' has no active members.`, '');
          lines.push(formatTable(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
            d.offsets.map((o) => [g, o.topic, o.partition, o.currentOffset, o.logEndOffset, o.lag, o.consumerId, o.host, o.clientId])));
          if (status) lines.push('', formatLagStatus(status));
          out(lines.join('\n'));
        });
        return;
      }
      case 'delete': {
        const g = group();
        await withAdmin(opts, async (a) => {
          await deleteGroup(a, g);
          out(opts.output === 'json' ? formatJson({ group: g, result: 'deleted' }) : `Deletion of requested consumer group ('${g}') was successful.`);
        });
        return;
      }
      case 'resetOffsets': {
        const g = group();
        const topicArg = opts.topic ?? usage('--reset-offsets needs --topic <name> (or name:partitions)');
        const targets = [opts.toEarliest && 'earliest', opts.toLatest && 'latest', opts.toOffset !== undefined && 'offset', opts.toDatetime !== undefined && 'datetime'].filter(Boolean);
        if (targets.length !== 1) usage('--reset-offsets needs exactly one of --to-earliest, --to-latest, --to-offset N, --to-datetime ISO');
        if (opts.execute && opts.dryRun) usage('give --execute or --dry-run, not both');
        let to: bigint;
        if (opts.toEarliest) to = EARLIEST;
        else if (opts.toLatest) to = LATEST;
        else if (opts.toOffset !== undefined) {
          if (!/^\d+$/.test(opts.toOffset)) usage(`--to-offset must be a non-negative integer, got "${opts.toOffset}"`);
          to = BigInt(opts.toOffset);
        } else {
          const ms = Date.parse(opts.toDatetime!);
          if (Number.isNaN(ms)) usage(`--to-datetime must be an ISO date-time like 2024-01-01T00:00:00.000Z, got "${opts.toDatetime}"`);
          to = BigInt(ms);
        }
        const m = /^([^:]+)(?::(\d+(?:,\d+)*))?$/.exec(topicArg) ?? usage(`--topic "${topicArg}" must be a name or name:p,p`);
        const parts = m[2] ? m[2].split(',').map(Number) : null;
        await withAdmin(opts, async (a) => {
          const plan = await resetOffsets(a, g, m[1]!, parts, opts.toOffset !== undefined ? { offset: to } : opts.toDatetime !== undefined ? { timestamp: to } : { timestamp: to }, !!opts.execute);
          if (opts.output === 'json') { out(formatJson({ group: g, executed: !!opts.execute, offsets: plan })); return; }
          const head = opts.execute ? '' : 'Dry run (nothing committed; add --execute to apply):\n';
          out(head + formatTable(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'], plan.map((p) => [g, p.topic, p.partition, p.offset])));
        });
        return;
      }
    }
  });
}

export async function listGroups(a: AdminClient): Promise<Array<{ group: string; protocolType: string; coordinator: number }>> {
  const answers = await a.broadcast(ListGroups, () => ({ statesFilter: [] }), { max: 3 });
  const groups: Array<{ group: string; protocolType: string; coordinator: number }> = [];
  for (const ans of answers) {
    if (ans.error) throw ans.error;
    const r = ans.response!;
    AdminClient.check(r.errorCode, `ListGroups on broker ${ans.nodeId}`);
    for (const g of r.groups) groups.push({ group: g.groupId, protocolType: g.protocolType, coordinator: ans.nodeId });
  }
  return groups.sort((x, y) => (x.group < y.group ? -1 : x.group > y.group ? 1 : 0));
}

async function describeRaw(a: AdminClient, group: string) {
  return a.withRetry(`describing group '${group}'`, async () => {
    const coord = await a.coordinator(group);
    const { response } = await a.send(coord, DescribeGroups, () => ({ groups: [group], includeAuthorizedOperations: false }), { max: 4 });
    const g = response.groups[0];
    if (!g) throw new AdminError('DescribeGroups answered without a result');
    AdminClient.check(g.errorCode, `describing group '${group}'`);
    return g;
  });
}

export async function describeGroup(a: AdminClient, group: string): Promise<GroupDescription> {
  const g = await describeRaw(a, group);
  const committed = await fetchCommitted(a, group, null, null);
  if (g.groupState === 'Dead' && committed.size === 0) {
    throw new AdminError(`consumer group '${group}' does not exist — list groups with: brook consumer-groups --list`, ErrorCode.GROUP_ID_NOT_FOUND);
  }
  const members = g.members.map((m) => {
    let assignment: Array<{ topic: string; partitions: number[] }> = [];
    if (g.protocolType === 'consumer' && m.memberAssignment.length > 0) {
      try {
        assignment = [...decodeAssignment(m.memberAssignment).partitions].map(([topic, partitions]) => ({ topic, partitions }));
      } catch {
        assignment = [];
      }
    }
    return { consumerId: m.memberId, host: m.clientHost, clientId: m.clientId, assignment };
  });
  const owner = new Map<string, (typeof members)[number]>();
  for (const m of members) for (const t of m.assignment) for (const p of t.partitions) owner.set(`${t.topic}\u0000${p}`, m);
  const keys = new Set<string>([...owner.keys()]);
  for (const [t, ps] of committed) for (const [p, o] of ps) if (o >= 0n) keys.add(`${t}\u0000${p}`);
  const byTopic = new Map<string, number[]>();
  for (const k of keys) {
    const [t, p] = k.split('\u0000') as [string, string];
    byTopic.set(t, [...(byTopic.get(t) ?? []), Number(p)]);
  }
  const offsets: GroupDescription['offsets'] = [];
  for (const [topic, parts] of [...byTopic].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    let ends = new Map<number, bigint>();
    try {
      ends = await listOffsets(a, topic, parts, LATEST);
    } catch {
      // A deleted topic still has committed offsets; show them without an end offset.
    }
    for (const p of parts.sort((x, y) => x - y)) {
      const c = committed.get(topic)?.get(p);
      const current = c !== undefined && c >= 0n ? c : null;
      const end = ends.get(p) ?? null;
      const m = owner.get(`${topic}\u0000${p}`);
      offsets.push({ topic, partition: p, currentOffset: current, logEndOffset: end, lag: current !== null && end !== null ? end - current : null, consumerId: m?.consumerId ?? null, host: m?.host ?? null, clientId: m?.clientId ?? null });
    }
  }
  return { group, state: g.groupState, protocolType: g.protocolType, protocol: g.protocolData, members, offsets };
}

export async function deleteGroup(a: AdminClient, group: string): Promise<void> {
  await a.withRetry(`deleting group '${group}'`, async () => {
    const coord = await a.coordinator(group);
    const { response } = await a.send(coord, DeleteGroups, () => ({ groupsNames: [group] }), { max: 1 });
    const r = response.results[0];
    if (!r) throw new AdminError('DeleteGroups answered without a result');
    if (r.errorCode === ErrorCode.NON_EMPTY_GROUP) throw new AdminError(`consumer group '${group}' still has members — stop its consumers first, then delete`, r.errorCode);
    if (r.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) throw new AdminError(`consumer group '${group}' does not exist — list groups with: brook consumer-groups --list`, r.errorCode);
    AdminClient.check(r.errorCode, `deleting group '${group}'`);
  });
}

/** Computes (and with execute, commits) new offsets; the group must have no members, as in Kafka. */
export async function resetOffsets(a: AdminClient, group: string, topic: string, partitions: number[] | null, target: { offset: bigint } | { timestamp: bigint }, execute: boolean): Promise<Array<{ topic: string; partition: number; offset: bigint }>> {
  const g = await describeRaw(a, group);
  if (g.groupState !== 'Empty' && g.groupState !== 'Dead') {
    throw new AdminError(`consumer group '${group}' is ${g.groupState} with ${g.members.length} member(s): offsets can only be reset while it has no members — stop its consumers first`);
  }
  const meta = await a.topic(topic);
  const all = meta.partitions.map((p) => p.partition);
  const parts = partitions ?? all;
  for (const p of parts) if (!all.includes(p)) throw new AdminError(`topic '${topic}' has no partition ${p}`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const earliest = await listOffsets(a, topic, parts, EARLIEST);
  const latest = await listOffsets(a, topic, parts, LATEST);
  let chosen: Map<number, bigint>;
  if ('offset' in target) {
    chosen = new Map(parts.map((p) => {
      const lo = earliest.get(p)!;
      const hi = latest.get(p)!;
      return [p, target.offset < lo ? lo : target.offset > hi ? hi : target.offset];
    }));
  } else if (target.timestamp === EARLIEST) chosen = earliest;
  else if (target.timestamp === LATEST) chosen = latest;
  else {
    const byTime = await listOffsets(a, topic, parts, target.timestamp);
    // No record at or after the time: Kafka moves to the end.
    chosen = new Map(parts.map((p) => [p, (byTime.get(p) ?? -1n) < 0n ? latest.get(p)! : byTime.get(p)!]));
  }
  const plan = parts.sort((x, y) => x - y).map((p) => ({ topic, partition: p, offset: chosen.get(p)! }));
  if (execute) {
    await a.withRetry(`committing offsets of group '${group}'`, async () => {
      const coord = await a.coordinator(group);
      const { response } = await a.send(coord, OffsetCommit, () => ({
        groupId: group, generationId: -1, memberId: '', groupInstanceId: null,
        topics: [{ name: topic, partitions: plan.map((p) => ({ partitionIndex: p.partition, committedOffset: p.offset, committedMetadata: '' })) }],
      }), { max: 7 });
      for (const t of response.topics) for (const p of t.partitions) AdminClient.check(p.errorCode, `committing ${t.name}-${p.partitionIndex} for group '${group}'`);
    });
  }
  return plan;
}
