// What the console reads and changes about brokers and topics, over the Kafka wire protocol only (Metadata,
// DescribeLogDirs, ListOffsets, DescribeConfigs, CreateTopics, DeleteTopics, IncrementalAlterConfigs), so it works
// against Brook and Kafka alike.
import { ErrorCode } from '../protocol/errors';
import { CreateTopics, DeleteTopics, DescribeConfigs, DescribeLogDirs, IncrementalAlterConfigs, ListOffsets } from '../protocol/messages';
import { AdminClient, AdminError, EARLIEST, LATEST, type ClusterMeta, type TopicMeta } from '../client';

export interface BrokerView {
  id: number;
  host: string | null;
  port: number | null;
  rack: string | null;
  controller: boolean;
  /** Partitions this broker leads, and replicas it holds. */
  leaders: number;
  replicas: number;
  /** In Metadata's broker list; a dead broker is one named in replica sets but absent from that list. */
  live: boolean;
}

export interface TopicSummary {
  name: string;
  internal: boolean;
  partitions: number;
  replicationFactor: number;
  underReplicated: number;
  offline: number;
  /** Sum of the partitions' sizes on their leaders (bytes); null when no broker reported it. */
  size: number | null;
}

export interface Overview {
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerView[];
  topics: TopicSummary[];
  time: number;
}

export interface PartitionView {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offline: number[];
  underReplicated: boolean;
  size: number | null;
  earliest: string | null;
  latest: string | null;
}

export interface ConfigView {
  name: string;
  value: string | null;
  source: string;
  readOnly: boolean;
  sensitive: boolean;
}

const CONFIG_SOURCES: Record<number, string> = {
  0: 'UNKNOWN', 1: 'DYNAMIC_TOPIC_CONFIG', 2: 'DYNAMIC_BROKER_CONFIG', 3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG', 5: 'DEFAULT_CONFIG', 6: 'DYNAMIC_BROKER_LOGGER_CONFIG',
};
const TOPIC_RESOURCE = 2;
const BROKER_RESOURCE = 4;

/** Under-replicated: the ISR is smaller than the replica set (Kafka's UnderReplicatedPartitions rule). */
export const isUnderReplicated = (p: { replicas: number[]; isr: number[] }): boolean => p.isr.length < p.replicas.length;

/** The broker table from one Metadata answer: live brokers plus the dead ones that replica sets still name. */
export function brokerViews(meta: ClusterMeta): BrokerView[] {
  const views = new Map<number, BrokerView>();
  for (const b of meta.brokers) {
    views.set(b.nodeId, { id: b.nodeId, host: b.host, port: b.port, rack: b.rack, controller: b.nodeId === meta.controllerId, leaders: 0, replicas: 0, live: true });
  }
  for (const t of meta.topics) {
    for (const p of t.partitions) {
      for (const r of p.replicas) {
        let v = views.get(r);
        if (!v) views.set(r, (v = { id: r, host: null, port: null, rack: null, controller: false, leaders: 0, replicas: 0, live: false }));
        v.replicas++;
      }
      const l = p.leader >= 0 ? views.get(p.leader) : undefined;
      if (l) l.leaders++;
    }
  }
  return [...views.values()].sort((a, b) => a.id - b.id);
}

export function topicSummary(t: TopicMeta, sizes: Map<string, number>): TopicSummary {
  let size: number | null = null;
  for (const p of t.partitions) {
    const s = sizes.get(`${t.name}:${p.partition}`);
    if (s !== undefined) size = (size ?? 0) + s;
  }
  return {
    name: t.name,
    internal: t.isInternal,
    partitions: t.partitions.length,
    replicationFactor: t.partitions[0]?.replicas.length ?? 0,
    underReplicated: t.partitions.filter(isUnderReplicated).length,
    offline: t.partitions.filter((p) => p.leader < 0).length,
    size,
  };
}

/**
 * Partition sizes (`topic:partition` -> bytes) from DescribeLogDirs on every live broker, taking the leader's
 * replica where it reported one, else the largest replica. Brokers that fail to answer are left out.
 */
export async function partitionSizes(admin: AdminClient, meta: ClusterMeta, topics: string[] | null = null): Promise<Map<string, number>> {
  const byReplica = new Map<string, Map<number, number>>();
  await Promise.all(meta.brokers.map(async (b) => {
    try {
      const { response } = await admin.send(b.nodeId, DescribeLogDirs, () => ({
        topics: topics === null ? null : topics.map((topic) => ({ topic, partitionIndex: meta.topics.find((t) => t.name === topic)?.partitions.map((p) => p.partition) ?? [] })),
      }), { max: 4 });
      for (const dir of response.results) {
        if (dir.errorCode !== ErrorCode.NONE) continue;
        for (const t of dir.topics) {
          for (const p of t.partitions) {
            if (p.isFutureKey) continue;
            const key = `${t.name}:${p.partitionIndex}`;
            let m = byReplica.get(key);
            if (!m) byReplica.set(key, (m = new Map()));
            m.set(b.nodeId, Number(p.partitionSize));
          }
        }
      }
    } catch {
      // A broker that cannot answer (down, or too old for DescribeLogDirs) leaves its sizes out.
    }
  }));
  const leaders = new Map<string, number>();
  for (const t of meta.topics) for (const p of t.partitions) leaders.set(`${t.name}:${p.partition}`, p.leader);
  const out = new Map<string, number>();
  for (const [key, m] of byReplica) {
    const l = m.get(leaders.get(key) ?? -1);
    out.set(key, l ?? Math.max(...m.values()));
  }
  return out;
}

export async function overview(admin: AdminClient): Promise<Overview> {
  const meta = await admin.refreshMetadata();
  const sizes = await partitionSizes(admin, meta);
  return { clusterId: meta.clusterId, controllerId: meta.controllerId, brokers: brokerViews(meta), topics: meta.topics.map((t) => topicSummary(t, sizes)), time: Date.now() };
}

/**
 * Offsets at `timestamp` (EARLIEST, LATEST or ms) of a topic's partitions, one ListOffsets per leader and no
 * retries: a partition whose leader is down or does not answer is left out rather than holding up the page.
 */
export async function offsetsAt(admin: AdminClient, t: TopicMeta, partitions: number[], timestamp: bigint): Promise<Map<number, bigint>> {
  const byLeader = new Map<number, number[]>();
  for (const p of t.partitions) {
    if (p.leader < 0 || !partitions.includes(p.partition)) continue;
    byLeader.set(p.leader, [...(byLeader.get(p.leader) ?? []), p.partition]);
  }
  const out = new Map<number, bigint>();
  await Promise.all([...byLeader].map(async ([leader, parts]) => {
    try {
      const { response, version } = await admin.send(leader, ListOffsets, () => ({
        replicaId: -1, isolationLevel: 0,
        topics: [{ name: t.name, partitions: parts.map((p) => ({ partitionIndex: p, timestamp, maxNumOffsets: 1, currentLeaderEpoch: -1 })) }],
      }), { max: 5 });
      for (const rt of response.topics) {
        for (const p of rt.partitions) {
          if (p.errorCode !== ErrorCode.NONE) continue;
          out.set(p.partitionIndex, version === 0 ? (p.oldStyleOffsets[0] ?? -1n) : p.offset);
        }
      }
    } catch {
      // Leader unreachable: no offsets for its partitions this time.
    }
  }));
  return out;
}

export async function describeTopicConfigs(admin: AdminClient, topic: string): Promise<ConfigView[]> {
  const { response, version } = await admin.send('any', DescribeConfigs, () => ({
    resources: [{ resourceType: TOPIC_RESOURCE, resourceName: topic, configurationKeys: null }],
    includeSynonyms: false, includeDocumentation: false,
  }), { max: 3 });
  const r = response.results[0];
  if (!r) throw new AdminError('DescribeConfigs answered without a result');
  AdminClient.check(r.errorCode, `describing configs of topic '${topic}'`, r.errorMessage);
  return r.configs.map((c) => ({
    name: c.name,
    value: c.isSensitive ? null : c.value,
    source: version >= 1 ? (CONFIG_SOURCES[c.configSource] ?? 'UNKNOWN') : c.isDefault ? 'DEFAULT_CONFIG' : 'DYNAMIC_TOPIC_CONFIG',
    readOnly: c.readOnly,
    sensitive: c.isSensitive,
  })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function topicDetail(admin: AdminClient, name: string): Promise<{ name: string; topicId: string | null; internal: boolean; partitions: PartitionView[]; configs: ConfigView[]; liveBrokers: number[] }> {
  const meta = await admin.refreshMetadata([name]);
  const t = meta.topics.find((x) => x.name === name);
  if (!t || t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw new AdminError(`topic '${name}' does not exist`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const parts = t.partitions.map((p) => p.partition);
  const [sizes, earliest, latest, configs] = await Promise.all([
    partitionSizes(admin, { ...meta, topics: [t] }, [name]),
    offsetsAt(admin, t, parts, EARLIEST),
    offsetsAt(admin, t, parts, LATEST),
    describeTopicConfigs(admin, name).catch(() => [] as ConfigView[]),
  ]);
  return {
    name, topicId: t.topicId, internal: t.isInternal, configs, liveBrokers: meta.brokers.map((b) => b.nodeId),
    partitions: t.partitions.map((p) => ({
      partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr, offline: p.offline,
      underReplicated: isUnderReplicated(p), size: sizes.get(`${name}:${p.partition}`) ?? null,
      earliest: earliest.get(p.partition)?.toString() ?? null, latest: latest.get(p.partition)?.toString() ?? null,
    })),
  };
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export interface CreateTopicInput {
  name: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

/** Checks a create request from the browser; returns the reason it is refused, or null. */
export function validateCreateTopic(x: Partial<CreateTopicInput>): string | null {
  if (typeof x.name !== 'string' || !TOPIC_NAME.test(x.name) || x.name === '.' || x.name === '..') return 'topic name: 1-249 of a-z A-Z 0-9 . _ -';
  if (!Number.isInteger(x.partitions) || x.partitions! < 1) return 'partitions: a whole number, at least 1';
  if (!Number.isInteger(x.replicationFactor) || x.replicationFactor! < 1) return 'replication factor: a whole number, at least 1';
  if (x.configs !== undefined && (typeof x.configs !== 'object' || x.configs === null || Object.values(x.configs).some((v) => typeof v !== 'string'))) return 'configs: an object of string values';
  return null;
}

export async function createTopic(admin: AdminClient, x: CreateTopicInput): Promise<void> {
  await admin.withRetry(`creating topic '${x.name}'`, async () => {
    const { response, version } = await admin.send('controller', CreateTopics, () => ({
      topics: [{ name: x.name, numPartitions: x.partitions, replicationFactor: x.replicationFactor, assignments: [], configs: Object.entries(x.configs).map(([name, value]) => ({ name, value })) }],
      timeoutMs: 30_000, validateOnly: false,
    }), { max: 5 });
    const t = response.topics[0];
    if (!t) throw new AdminError('CreateTopics answered without a result');
    AdminClient.check(t.errorCode, `creating topic '${x.name}'`, version >= 1 ? t.errorMessage : null);
  });
}

export async function deleteTopic(admin: AdminClient, name: string): Promise<void> {
  await admin.withRetry(`deleting topic '${name}'`, async () => {
    const { response, version } = await admin.send('controller', DeleteTopics, (v) => (v >= 6
      ? { topics: [{ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], timeoutMs: 30_000 }
      : { topicNames: [name], timeoutMs: 30_000 }), { max: 5 });
    const t = response.responses[0];
    if (!t) throw new AdminError('DeleteTopics answered without a result');
    AdminClient.check(t.errorCode, `deleting topic '${name}'`, version >= 5 ? t.errorMessage : null);
  });
}

/** Sets and removes topic configs key by key (IncrementalAlterConfigs). */
export async function alterTopicConfigs(admin: AdminClient, name: string, set: Record<string, string>, remove: string[]): Promise<void> {
  await admin.withRetry(`altering configs of topic '${name}'`, async () => {
    const { response } = await admin.send('any', IncrementalAlterConfigs, () => ({
      resources: [{
        resourceType: TOPIC_RESOURCE, resourceName: name,
        configs: [
          ...Object.entries(set).map(([k, v]) => ({ name: k, configOperation: 0, value: v })),
          ...remove.map((k) => ({ name: k, configOperation: 1, value: null })),
        ],
      }],
      validateOnly: false,
    }), { max: 1 });
    const r = response.responses[0];
    if (!r) throw new AdminError('IncrementalAlterConfigs answered without a result');
    AdminClient.check(r.errorCode, `altering configs of topic '${name}'`, r.errorMessage);
  });
}

/** One broker's `metrics.listener` (DescribeConfigs on the broker); null when unset or unknown to the broker. */
export async function brokerMetricsListener(admin: AdminClient, brokerId: number): Promise<string | null> {
  const { response } = await admin.send(brokerId, DescribeConfigs, () => ({
    resources: [{ resourceType: BROKER_RESOURCE, resourceName: String(brokerId), configurationKeys: ['metrics.listener'] }],
    includeSynonyms: false, includeDocumentation: false,
  }), { max: 3 });
  const r = response.results[0];
  if (!r || r.errorCode !== ErrorCode.NONE) return null;
  const v = r.configs.find((c) => c.name === 'metrics.listener')?.value ?? null;
  return v === null || v.trim() === '' ? null : v.trim();
}
