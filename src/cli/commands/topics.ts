// `brook topics`: create, list, describe, alter (add partitions) and delete topics, like kafka-topics.sh.
import { setTimeout as delay } from 'node:timers/promises';
import type { Command } from 'commander';
import { ErrorCode } from '../../protocol/errors';
import { CreatePartitions, CreateTopics, DeleteTopics, DescribeConfigs } from '../../protocol/messages';
import { AdminClient, type TopicMeta, AdminError } from '../../client';
import { formatJson, out } from '../format';
import { Progress } from '../progress';
import { addCommonOptions, collect, oneAction, parseIntArg, parseKeyValues, usage, withAdmin, type CommonOptions } from './common';

interface TopicsOptions extends CommonOptions {
  create?: boolean;
  list?: boolean;
  describe?: boolean;
  alter?: boolean;
  delete?: boolean;
  topic?: string;
  partitions?: number;
  replicationFactor?: number;
  config: string[];
  ifNotExists?: boolean;
  ifExists?: boolean;
  underReplicatedPartitions?: boolean;
  unavailablePartitions?: boolean;
  excludeInternal?: boolean;
}

export function registerTopics(program: Command): void {
  const cmd = program
    .command('topics')
    .description('create, list, describe, alter and delete topics (like kafka-topics.sh)')
    .option('--create', 'create a topic (needs --topic, --partitions, --replication-factor)')
    .option('--list', 'list topic names')
    .option('--describe', 'describe topics: partitions, leaders, replicas, ISR, configs')
    .option('--alter', 'raise the partition count of a topic (needs --topic, --partitions)')
    .option('--delete', 'delete a topic (needs --topic)')
    .option('--topic <name>', 'topic name')
    .option('--partitions <n>', 'number of partitions', parseIntArg('--partitions', 1))
    .option('--replication-factor <n>', 'number of replicas per partition', parseIntArg('--replication-factor', 1))
    .option('--config <key=value>', 'topic config for --create (repeatable)', collect, [] as string[])
    .option('--if-not-exists', 'with --create: succeed if the topic already exists')
    .option('--if-exists', 'with --alter/--delete: succeed if the topic does not exist')
    .option('--under-replicated-partitions', 'with --describe: only partitions whose ISR is smaller than the replica set')
    .option('--unavailable-partitions', 'with --describe: only partitions without a live leader')
    .option('--exclude-internal', 'with --list/--describe: leave out internal topics');
  addCommonOptions(cmd).action(async (opts: TopicsOptions) => {
    const action = oneAction(opts, ['create', 'list', 'describe', 'alter', 'delete']);
    const needTopic = (): string => opts.topic ?? usage(`--${action} needs --topic <name>`);
    switch (action) {
      case 'create': {
        const topic = needTopic();
        if (opts.partitions === undefined) usage('--create needs --partitions <n>');
        if (opts.replicationFactor === undefined) usage('--create needs --replication-factor <n>');
        const configs = parseKeyValues(opts.config, '--config');
        await withAdmin(opts, (a) => createTopic(a, topic, opts.partitions!, opts.replicationFactor!, configs, !!opts.ifNotExists, opts));
        return;
      }
      case 'list':
        await withAdmin(opts, async (a) => {
          const names = (await a.refreshMetadata()).topics.filter((t) => !(opts.excludeInternal && t.isInternal)).map((t) => t.name);
          out(opts.output === 'json' ? formatJson(names) : names.join('\n'));
        });
        return;
      case 'describe':
        await withAdmin(opts, (a) => describeTopics(a, opts));
        return;
      case 'alter': {
        const topic = needTopic();
        if (opts.partitions === undefined) usage('--alter needs --partitions <n> (the new, larger partition count)');
        await withAdmin(opts, (a) => alterPartitions(a, topic, opts.partitions!, !!opts.ifExists, opts));
        return;
      }
      case 'delete': {
        const topic = needTopic();
        await withAdmin(opts, (a) => deleteTopic(a, topic, !!opts.ifExists, opts));
        return;
      }
    }
  });
}

async function createTopic(a: AdminClient, topic: string, partitions: number, rf: number, configs: Map<string, string>, ifNotExists: boolean, opts: CommonOptions): Promise<void> {
  const r = await a.withRetry(`creating topic '${topic}'`, async () => {
    const { response, version } = await a.send('controller', CreateTopics, () => ({
      topics: [{ name: topic, numPartitions: partitions, replicationFactor: rf, assignments: [], configs: [...configs].map(([name, value]) => ({ name, value })) }],
      timeoutMs: 30_000,
      validateOnly: false,
    }), { max: 5 });
    const t = response.topics[0];
    if (!t) throw new AdminError('CreateTopics answered without a result');
    if (t.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS && ifNotExists) return 'exists' as const;
    AdminClient.check(t.errorCode, `creating topic '${topic}'`, version >= 1 ? t.errorMessage : null);
    return 'created' as const;
  });
  if (r === 'created') await untilEveryBroker(a, topic, `waiting for leaders of '${topic}' on every broker`, partitions, leadersOf);
  if (opts.output === 'json') out(formatJson({ topic, result: r }));
  else out(r === 'created' ? `Created topic ${topic}.` : `Topic ${topic} already exists.`);
}

/** Partitions of a topic that have a leader, as one broker sees it. */
const leadersOf = (t: TopicMeta | undefined): number => (t ? t.partitions.filter((p) => p.leader >= 0).length : 0);

/**
 * Waits, with a progress line on stderr when it takes a while, until every live broker's metadata gives
 * `count(topic) >= total`, taking the smallest count over the brokers, or, with 'sum' (per-broker 0/1 counts),
 * until every broker live at that moment counts 1. After the command timeout it warns and returns: the
 * operation itself was accepted by the controller, only its propagation is late.
 */
async function untilEveryBroker(a: AdminClient, topic: string, what: string, total: number, count: (t: TopicMeta | undefined) => number, combine: 'min' | 'sum' = 'min'): Promise<void> {
  const deadline = Date.now() + a.retryDeadlineMs;
  const progress = new Progress(what, total);
  let done = 0;
  for (;;) {
    const brokers = (await a.refreshMetadata([topic]).catch(() => null))?.brokers ?? [];
    const counts = await Promise.all(brokers.map(async (b) => {
      const m = await a.metadataOf(b.nodeId, [topic]).catch(() => null);
      return m ? count(m.topics.find((t) => t.name === topic && t.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)) : 0;
    }));
    done = brokers.length === 0 ? 0 : combine === 'min' ? Math.min(...counts) : counts.reduce((x, y) => x + y, 0);
    if (brokers.length > 0 && done >= (combine === 'min' ? total : brokers.length)) break;
    progress.update(done);
    if (Date.now() >= deadline) {
      progress.finish(done);
      process.stderr.write(`warning: ${what}: only ${done}/${total} after ${a.retryDeadlineMs} ms; the controller accepted the change and may still be applying it — check with: brook topics --describe --topic ${topic}\n`);
      return;
    }
    await delay(100);
  }
  progress.finish(done);
}

async function alterPartitions(a: AdminClient, topic: string, count: number, ifExists: boolean, opts: CommonOptions): Promise<void> {
  const r = await a.withRetry(`adding partitions to '${topic}'`, async () => {
    const { response } = await a.send('controller', CreatePartitions, () => ({
      topics: [{ name: topic, count, assignments: null }], timeoutMs: 30_000, validateOnly: false,
    }), { max: 2 });
    const t = response.results[0];
    if (!t) throw new AdminError('CreatePartitions answered without a result');
    if (t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && ifExists) return 'absent' as const;
    if (t.errorCode === ErrorCode.INVALID_PARTITIONS) {
      throw new AdminError(`cannot set '${topic}' to ${count} partitions: ${t.errorMessage ?? 'the count must be larger than the current one'} (Kafka never removes partitions)`, t.errorCode);
    }
    AdminClient.check(t.errorCode, `adding partitions to '${topic}'`, t.errorMessage);
    return 'altered' as const;
  });
  if (r === 'altered') await untilEveryBroker(a, topic, `waiting for leaders of the ${count} partitions of '${topic}' on every broker`, count, leadersOf);
  if (opts.output === 'json') out(formatJson({ topic, partitions: count, result: r }));
  else out(r === 'altered' ? `Topic ${topic} now has ${count} partitions.` : `Topic ${topic} does not exist.`);
}

async function deleteTopic(a: AdminClient, topic: string, ifExists: boolean, opts: CommonOptions): Promise<void> {
  const r = await a.withRetry(`deleting topic '${topic}'`, async () => {
    const { response, version } = await a.send('controller', DeleteTopics, (v) => (v >= 6
      ? { topics: [{ name: topic, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], timeoutMs: 30_000 }
      : { topicNames: [topic], timeoutMs: 30_000 }), { max: 5 });
    const t = response.responses[0];
    if (!t) throw new AdminError('DeleteTopics answered without a result');
    if (t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
      if (ifExists) return 'absent' as const;
      throw new AdminError(`topic '${topic}' does not exist — list topics with: brook topics --list`, t.errorCode);
    }
    AdminClient.check(t.errorCode, `deleting topic '${topic}'`, version >= 5 ? t.errorMessage : null);
    return 'deleted' as const;
  });
  if (r === 'deleted') {
    const brokers = a.metadata.brokers.length;
    await untilEveryBroker(a, topic, `waiting for '${topic}' to leave every broker's metadata (brokers done)`, brokers, (t) => (t ? 0 : 1), 'sum');
  }
  if (opts.output === 'json') out(formatJson({ topic, result: r }));
  else out(r === 'deleted' ? `Topic ${topic} is marked for deletion.` : `Topic ${topic} does not exist.`);
}

/** Dynamic (non-default) configs per topic; empty when the brokers do not serve DescribeConfigs. */
export async function topicOverrides(a: AdminClient, topics: string[]): Promise<Map<string, Array<[string, string]>>> {
  const outMap = new Map<string, Array<[string, string]>>();
  if (topics.length === 0 || !(await a.supports(DescribeConfigs))) return outMap;
  const { response, version } = await a.send('any', DescribeConfigs, () => ({
    resources: topics.map((t) => ({ resourceType: 2, resourceName: t, configurationKeys: null })),
    includeSynonyms: false,
    includeDocumentation: false,
  }), { max: 3 });
  for (const r of response.results) {
    if (r.errorCode !== ErrorCode.NONE) continue;
    const dyn = r.configs.filter((c) => (version >= 1 ? c.configSource === 1 : !c.isDefault && !c.readOnly));
    outMap.set(r.resourceName, dyn.map((c) => [c.name, c.value ?? '']));
  }
  return outMap;
}

async function describeTopics(a: AdminClient, opts: TopicsOptions): Promise<void> {
  let topics: TopicMeta[];
  if (opts.topic) topics = [await a.topic(opts.topic).catch(async (e) => {
    if (e instanceof AdminError && e.code === ErrorCode.LEADER_NOT_AVAILABLE) return a.metadata.topics.find((t) => t.name === opts.topic)!;
    throw e;
  })];
  else topics = (await a.refreshMetadata()).topics.filter((t) => !(opts.excludeInternal && t.isInternal));
  const live = new Set(a.metadata.brokers.map((b) => b.nodeId));
  const filterParts = opts.underReplicatedPartitions || opts.unavailablePartitions;
  const configs = filterParts ? new Map<string, Array<[string, string]>>() : await topicOverrides(a, topics.map((t) => t.name));
  const described = topics.map((t) => ({
    topic: t.name,
    topicId: t.topicId,
    partitionCount: t.partitions.length,
    replicationFactor: t.partitions[0]?.replicas.length ?? 0,
    configs: Object.fromEntries(configs.get(t.name) ?? []),
    partitions: t.partitions
      .filter((p) => !opts.underReplicatedPartitions || p.isr.length < p.replicas.length)
      .filter((p) => !opts.unavailablePartitions || p.leader < 0 || !live.has(p.leader))
      .map((p) => ({ partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr, offline: p.offline })),
  })).filter((t) => !filterParts || t.partitions.length > 0);
  if (opts.output === 'json') { out(formatJson(described)); return; }
  const lines: string[] = [];
  for (const t of described) {
    // Kafka's own layout, so scripts written for kafka-topics.sh --describe keep working.
    if (!filterParts) {
      const cfg = Object.entries(t.configs).map(([k, v]) => `${k}=${v}`).join(',');
      lines.push(`Topic: ${t.topic}\t${t.topicId && t.topicId !== 'AAAAAAAAAAAAAAAAAAAAAA' ? `TopicId: ${t.topicId}\t` : ''}PartitionCount: ${t.partitionCount}\tReplicationFactor: ${t.replicationFactor}\tConfigs: ${cfg}`);
    }
    for (const p of t.partitions) {
      const offline = p.offline.length > 0 ? `\tOffline: ${p.offline.join(',')}` : '';
      lines.push(`\tTopic: ${t.topic}\tPartition: ${p.partition}\tLeader: ${p.leader < 0 ? 'none' : p.leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}${offline}`);
    }
  }
  if (lines.length > 0) out(lines.join('\n'));
}
