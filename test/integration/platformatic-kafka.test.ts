// @platformatic/kafka 1.35.0, a current TypeScript client that only speaks the versions Kafka 3.5+ serves
// (Metadata 9+, CreateTopics 7, DeleteTopics 6, Produce 7+, Fetch 12+, the 3.x group and admin versions), against a
// 3-broker cluster: topics created and deleted, records produced, a group of two consumers committing, a third
// resuming from the commits after they left, groups listed, described and deleted, configs described and altered,
// records deleted. Every outcome is checked again with Brook's own connection, not only with the client's answers.
// Consuming needs Fetch 13 (topic ids, KIP-516) as soon as Metadata 10+ is served: the client keys topics by the id
// Metadata gives and, at Fetch 12, writes that id into the topic-name field (its fetch-v12.js), which any broker
// answers with UNKNOWN_TOPIC_OR_PARTITION. Kafka never served that pair; Kafka 3.1+ serves Fetch 13 with Metadata 12.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { ErrorCode } from '../../src/protocol/errors';
import { ApiVersions, DescribeProducers, FindCoordinator, ListOffsets, Metadata, OffsetFetch } from '../../src/protocol/messages';
import { BrokerConnections, startCluster, waitFor, type TestCluster } from '../harness';

jest.setTimeout(240_000);

const TOPIC = 'plt-orders';
const OTHER = 'plt-other';
const GROUP = 'plt-group';
const PARTITIONS = 3;

/** The versions @platformatic/kafka 1.35.0 implements, by API key, for the APIs this test makes it send. */
const CLIENT_VERSIONS: Record<number, number[]> = {
  0: [7, 8, 9, 10, 11], 1: [12, 13, 14, 15, 16, 17], 2: [5, 6, 7, 8, 9], 3: [9, 10, 11, 12], 8: [8, 9], 9: [8, 9], 10: [4, 5, 6], 11: [6, 7, 8, 9],
  12: [4], 13: [4, 5], 14: [4, 5], 15: [5], 16: [4, 5], 18: [3, 4], 19: [7], 20: [6], 21: [2], 22: [3, 4, 5], 32: [2, 3, 4], 33: [2], 42: [2], 44: [1],
};

interface ChildEvent { event?: string; id?: number; consumer?: string; topic?: string; partition?: number; offset?: bigint; key?: string; value?: string; result?: unknown; error?: { message: string; code?: string; apiCode?: number; errors?: unknown[] }; assignments?: unknown }

function revive(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(revive);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$bigint === 'string') return BigInt(o.$bigint);
    if (Array.isArray(o.$map)) return new Map((o.$map as [unknown, unknown][]).map(([k, x]) => [revive(k), revive(x)]));
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, revive(x)]));
  }
  return v;
}

function toWire(v: unknown): unknown {
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (Array.isArray(v)) return v.map(toWire);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, toWire(x)]));
  return v;
}

/** The client in its own process (see platformatic-kafka-child.ts), called one command at a time. */
class PlatformaticChild {
  readonly proc: ChildProcess;
  readonly events: ChildEvent[] = [];
  readonly stderr: string[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(bootstrap: string) {
    this.proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'platformatic-kafka-child.ts'), bootstrap], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      let msg: ChildEvent;
      try { msg = revive(JSON.parse(line)) as ChildEvent; } catch { return; }
      if (msg.id !== undefined && this.pending.has(msg.id)) {
        const p = this.pending.get(msg.id)!;
        this.pending.delete(msg.id);
        if (msg.error) p.reject(Object.assign(new Error(`@platformatic/kafka: ${JSON.stringify(msg.error)}`), { details: msg.error }));
        else p.resolve(msg.result);
      } else {
        this.events.push(msg);
      }
    });
    createInterface({ input: this.proc.stderr! }).on('line', (line) => { this.stderr.push(line); });
  }

  call<T = unknown>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.proc.stdin!.write(`${JSON.stringify(toWire({ id, op, args }))}\n`);
    });
  }

  admin<T = unknown>(method: string, options?: Record<string, unknown>): Promise<T> {
    return this.call<T>('admin', { method, options });
  }

  messages(consumer?: string): ChildEvent[] {
    return this.events.filter((e) => e.event === 'message' && (consumer === undefined || e.consumer === consumer));
  }

  errors(): ChildEvent[] {
    return this.events.filter((e) => e.event === 'commitError' || e.event === 'streamError');
  }

  /** Waits for consumed records; a timeout quotes the consumers' errors, which say what the brokers answered. */
  async waitForMessages(done: () => boolean, what: string): Promise<void> {
    try {
      await waitFor(done, { timeoutMs: 60_000, what });
    } catch (e) {
      const errors = JSON.stringify(this.errors().slice(0, 2), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      throw new Error(`${(e as Error).message}; consumer errors: ${errors.slice(0, 3000)}`);
    }
  }
}

describe('@platformatic/kafka 1.35.0 against a 3-broker cluster', () => {
  let cluster: TestCluster;
  let plt: PlatformaticChild;
  const brokers = new BrokerConnections(() => cluster, 'plt-check');

  beforeAll(async () => {
    cluster = await startCluster({
      brokers: 3,
      overrides: { 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '10', 'group.min.session.timeout.ms': '1000' },
    });
    plt = new PlatformaticChild(cluster.bootstrap);
    await waitFor(() => plt.events.some((e) => e.event === 'ready'), { timeoutMs: 30_000, what: 'the @platformatic/kafka process to start' });
  });

  afterAll(async () => {
    if (plt) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([plt.call('close').catch(() => undefined), new Promise((r) => { timer = setTimeout(r, 10_000); })]);
      clearTimeout(timer);
      plt.proc.stdin!.end();
      plt.proc.kill('SIGKILL');
    }
    brokers.closeAll();
    await cluster?.teardown();
  });

  const connectTo = (id: number) => brokers.to(id);

  /** Brook's own view of a topic: Metadata v9 from broker 1. */
  async function brookTopic(name: string) {
    const m = await (await connectTo(1)).request(Metadata, 9, { topics: [{ name }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    return m.topics[0]!;
  }

  /** Earliest (-2) or latest (-1) offset of every partition, asked of each leader with ListOffsets v7. */
  async function brookOffsets(name: string, timestamp: bigint): Promise<bigint[]> {
    const t = await brookTopic(name);
    const out: bigint[] = [];
    for (const p of [...t.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex)) {
      const r = await (await connectTo(p.leaderId)).request(ListOffsets, 7, {
        replicaId: -1, isolationLevel: 0, topics: [{ name, partitions: [{ partitionIndex: p.partitionIndex, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }] }],
      });
      const rp = r.topics[0]!.partitions[0]!;
      expect(rp.errorCode).toBe(ErrorCode.NONE);
      out.push(rp.offset);
    }
    return out;
  }

  /** The group's committed offsets per partition of TOPIC, asked of its coordinator with OffsetFetch v8. */
  async function brookCommitted(group: string): Promise<Map<number, bigint>> {
    const coordinatorId = await waitFor(async () => {
      const r = await (await connectTo(1)).request(FindCoordinator, 4, { key: '', keyType: 0, coordinatorKeys: [group] });
      const c = r.coordinators[0]!;
      return c.errorCode === ErrorCode.NONE ? c.nodeId : null;
    }, { timeoutMs: 20_000, what: `the coordinator of ${group}` });
    const r = await (await connectTo(coordinatorId)).request(OffsetFetch, 8, { groups: [{ groupId: group, topics: null }], requireStable: false });
    const g = r.groups[0]!;
    expect(g.errorCode).toBe(ErrorCode.NONE);
    return new Map((g.topics.find((t) => t.name === TOPIC)?.partitions ?? []).map((p) => [p.partitionIndex, p.committedOffset]));
  }

  async function produce(from: number, count: number): Promise<string[]> {
    const values = Array.from({ length: count }, (_, i) => `v-${from + i}`);
    const result = await plt.call<{ offsets?: { topic: string; partition: number; offset: bigint }[] }>('produce', {
      options: { acks: -1, messages: values.map((value, i) => ({ topic: TOPIC, key: `k-${from + i}`, value, partition: (from + i) % PARTITIONS })) },
    });
    // One offset per partition written: the base offset of its batch in this send.
    expect(new Set(result.offsets?.map((o) => o.partition))).toEqual(new Set(Array.from({ length: Math.min(count, PARTITIONS) }, (_, p) => p)));
    return values;
  }

  test('createTopics (CreateTopics v7) makes topics with their partitions and replicas; listTopics and metadata see them', async () => {
    const created = await plt.admin<{ id: string; name: string; partitions: number; replicas: number }[]>('createTopics', { topics: [TOPIC, OTHER], partitions: PARTITIONS, replicas: 3 });
    expect(created.map((t) => [t.name, t.partitions, t.replicas]).sort()).toEqual([[TOPIC, PARTITIONS, 3], [OTHER, PARTITIONS, 3]]);
    // CreateTopics v7 answers each topic's id (KIP-516), the one Metadata v10+ gives later.
    for (const t of created) expect(t.id).toMatch(/^(?!0{8}-0{4}-0{4}-0{4}-0{12})[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    for (const name of [TOPIC, OTHER]) {
      const t = await waitFor(async () => {
        const m = await brookTopic(name);
        return m.errorCode === ErrorCode.NONE && m.partitions.length === PARTITIONS && m.partitions.every((p) => p.leaderId >= 0 && p.isrNodes.length === 3) ? m : null;
      }, { timeoutMs: 30_000, what: `${name} to have a leader and 3 in-sync replicas on every partition` });
      for (const p of t.partitions) expect([...p.replicaNodes].sort()).toEqual([1, 2, 3]);
    }

    const topics = await plt.admin<string[]>('listTopics');
    expect(topics).toEqual(expect.arrayContaining([TOPIC, OTHER]));
    const meta = await plt.admin<{ brokers: Map<number, unknown>; topics: Map<string, { id: string; partitionsCount: number }> }>('metadata', { topics: [TOPIC] });
    expect([...meta.brokers.keys()].sort()).toEqual([1, 2, 3]);
    expect(meta.topics.get(TOPIC)?.partitionsCount).toBe(PARTITIONS);
    expect(meta.topics.get(TOPIC)?.id).toBe(created.find((t) => t.name === TOPIC)!.id);
  });

  test('two consumers in a group split the partitions, consume everything produced once and commit it', async () => {
    await plt.call('startConsumer', { name: 'c1', groupId: GROUP, topics: [TOPIC] });
    await plt.call('startConsumer', { name: 'c2', groupId: GROUP, topics: [TOPIC] });
    // Both members hold partitions of the same generation: the group is balanced before anything is produced.
    await waitFor(async () => {
      const groups = await plt.admin<Map<string, { state: string; members: Map<string, { assignments?: Map<string, { partitions: number[] }> }> }>>('describeGroups', { groups: [GROUP] });
      const g = groups.get(GROUP);
      if (g?.state !== 'STABLE' || g.members.size !== 2) return false;
      const counts = [...g.members.values()].map((m) => m.assignments?.get(TOPIC)?.partitions.length ?? 0);
      return counts.every((n) => n > 0) && counts.reduce((a, b) => a + b, 0) === PARTITIONS;
    }, { timeoutMs: 60_000, intervalMs: 500, what: 'the group of two to be Stable with every partition assigned' });

    const values = await produce(0, 30);
    expect(await brookOffsets(TOPIC, -1n)).toEqual([10n, 10n, 10n]);

    await plt.waitForMessages(() => plt.messages().length >= values.length, 'both consumers to receive the 30 records');
    const seen = plt.messages();
    expect(plt.errors()).toEqual([]);
    expect(seen.map((m) => m.value).sort()).toEqual([...values].sort());
    // Each partition was read by one member only, and both members read.
    const byPartition = new Map<number, Set<string>>();
    for (const m of seen) byPartition.set(m.partition!, (byPartition.get(m.partition!) ?? new Set()).add(m.consumer!));
    expect([...byPartition.values()].every((s) => s.size === 1)).toBe(true);
    expect(new Set(seen.map((m) => m.consumer))).toEqual(new Set(['c1', 'c2']));
    for (const m of seen) expect(m.value).toBe(`v-${m.key!.slice(2)}`);

    // Commits reached the coordinator: the next offset to read on every partition.
    await waitFor(async () => {
      const committed = await brookCommitted(GROUP);
      return [0, 1, 2].every((p) => committed.get(p) === 10n);
    }, { timeoutMs: 20_000, what: 'committed offsets 10 on every partition' });
    const listed = await plt.admin<{ groupId: string; topics: { name: string; partitions: { partitionIndex: number; committedOffset: bigint }[] }[] }[]>('listConsumerGroupOffsets', { groups: [GROUP] });
    const mine = listed[0]!.topics.find((t) => t.name === TOPIC)!;
    expect(mine.partitions.map((p) => [p.partitionIndex, p.committedOffset]).sort()).toEqual([[0, 10n], [1, 10n], [2, 10n]]);
  });

  test('listGroups and describeGroups (ListGroups v4, DescribeGroups v5) show the live group and its members', async () => {
    const groups = await plt.admin<Map<string, { id: string; state: string; protocolType: string }>>('listGroups');
    expect(groups.get(GROUP)).toMatchObject({ id: GROUP, state: 'STABLE', protocolType: 'consumer' });
    const stable = await plt.admin<Map<string, unknown>>('listGroups', { states: ['STABLE'] });
    expect([...stable.keys()]).toContain(GROUP);
    const empty = await plt.admin<Map<string, unknown>>('listGroups', { states: ['EMPTY'] });
    expect([...empty.keys()]).not.toContain(GROUP);

    const described = await plt.admin<Map<string, { state: string; protocolType: string; protocol: string; members: Map<string, { clientId: string; clientHost: string }> }>>('describeGroups', { groups: [GROUP] });
    const g = described.get(GROUP)!;
    expect(g).toMatchObject({ state: 'STABLE', protocolType: 'consumer' });
    expect(g.protocol).not.toBe('');
    expect([...g.members.values()].map((m) => m.clientId).sort()).toEqual(['plt-c1', 'plt-c2']);
    for (const m of g.members.values()) expect(m.clientHost).toMatch(/127\.0\.0\.1/);
  });

  test('after both leave, a third consumer resumes from the committed offsets', async () => {
    await plt.call('stopConsumer', { name: 'c1' });
    await plt.call('stopConsumer', { name: 'c2' });
    await waitFor(async () => {
      const d = await plt.admin<Map<string, { state: string; members: Map<string, unknown> }>>('describeGroups', { groups: [GROUP] });
      return d.get(GROUP)?.state === 'EMPTY' && d.get(GROUP)?.members.size === 0;
    }, { timeoutMs: 20_000, intervalMs: 300, what: 'the group to be Empty once both members left' });
    expect([...(await brookCommitted(GROUP)).entries()].sort()).toEqual([[0, 10n], [1, 10n], [2, 10n]]);

    const before = plt.messages().length;
    const more = await produce(30, 15);
    await plt.call('startConsumer', { name: 'c3', groupId: GROUP, topics: [TOPIC] });
    await plt.waitForMessages(() => plt.messages('c3').length >= more.length, 'the third consumer to receive the 15 new records');
    const third = plt.messages('c3');
    expect(third.map((m) => m.value).sort()).toEqual([...more].sort());
    expect(third.every((m) => m.offset! >= 10n)).toBe(true);
    expect(plt.messages().length).toBe(before + more.length);
    await waitFor(async () => {
      const committed = await brookCommitted(GROUP);
      return [0, 1, 2].every((p) => committed.get(p) === 15n);
    }, { timeoutMs: 20_000, what: 'committed offsets 15 on every partition' });
    await plt.call('stopConsumer', { name: 'c3' });
    expect(plt.errors()).toEqual([]);
  });

  test('deleteGroups (DeleteGroups v2) removes the empty group and its offsets', async () => {
    await waitFor(async () => {
      const d = await plt.admin<Map<string, { state: string }>>('describeGroups', { groups: [GROUP] });
      return d.get(GROUP)?.state === 'EMPTY';
    }, { timeoutMs: 20_000, intervalMs: 300, what: 'the group to be Empty again' });
    await plt.admin('deleteGroups', { groups: [GROUP] });
    const groups = await plt.admin<Map<string, unknown>>('listGroups');
    expect(groups.has(GROUP)).toBe(false);
    const d = await plt.admin<Map<string, { state: string; members: Map<string, unknown> }>>('describeGroups', { groups: [GROUP] });
    expect(d.get(GROUP)?.state).toBe('DEAD');
    expect((await brookCommitted(GROUP)).size).toBe(0);
  });

  test('describeConfigs (v4) and alterConfigs (v2) / incrementalAlterConfigs (v1) on a topic', async () => {
    type Described = { resourceName: string; configs: { name: string; value: string | null; configSource: number; readOnly: boolean; configType: number }[] }[];
    const describe = async (keys: string[]) => {
      const r = await plt.admin<Described>('describeConfigs', { resources: [{ resourceType: 2, resourceName: TOPIC, configurationKeys: keys }], includeSynonyms: true, includeDocumentation: true });
      return new Map(r[0]!.configs.map((c) => [c.name, c]));
    };
    const initial = await describe(['retention.ms', 'cleanup.policy']);
    expect(initial.get('retention.ms')).toMatchObject({ value: '604800000', configSource: 5, configType: 5 });
    expect(initial.get('cleanup.policy')).toMatchObject({ value: 'delete', configType: 7 });

    await plt.admin('alterConfigs', { resources: [{ resourceType: 2, resourceName: TOPIC, configs: [{ name: 'retention.ms', value: '3600000' }] }] });
    await waitFor(async () => (await describe(['retention.ms'])).get('retention.ms')?.value === '3600000', { timeoutMs: 20_000, what: 'retention.ms to read 3600000' });
    expect((await describe(['retention.ms'])).get('retention.ms')).toMatchObject({ configSource: 1 });

    // IncrementalAlterConfigs SET keeps what AlterConfigs set; AlterConfigs would have replaced the whole set.
    await plt.admin('incrementalAlterConfigs', { resources: [{ resourceType: 2, resourceName: TOPIC, configs: [{ name: 'max.message.bytes', configOperation: 0, value: '200000' }] }] });
    await waitFor(async () => {
      const c = await describe(['retention.ms', 'max.message.bytes']);
      return c.get('max.message.bytes')?.value === '200000' && c.get('retention.ms')?.value === '3600000';
    }, { timeoutMs: 20_000, what: 'max.message.bytes 200000 next to retention.ms 3600000' });

    const broker = await plt.admin<Described>('describeConfigs', { resources: [{ resourceType: 4, resourceName: '1', configurationKeys: ['broker.id', 'log.retention.hours'] }] });
    expect(new Map(broker[0]!.configs.map((c) => [c.name, c.value])).get('broker.id')).toBe('1');

    await expect(plt.admin('alterConfigs', { resources: [{ resourceType: 2, resourceName: TOPIC, configs: [{ name: 'retention.ms', value: 'soon' }] }] })).rejects.toThrow(/INVALID_CONFIG|40|Invalid value/i);
  });

  test('deleteRecords (DeleteRecords v2) moves the log start offset; listOffsets (ListOffsets v7) sees it', async () => {
    const r = await plt.admin<{ name: string; partitions: { partition: number; lowWatermark: bigint }[] }[]>('deleteRecords', { topics: [{ name: TOPIC, partitions: [{ partition: 0, offset: 7n }, { partition: 1, offset: -1n }] }] });
    expect(r[0]!.partitions.map((p) => [p.partition, p.lowWatermark]).sort()).toEqual([[0, 7n], [1, 15n]]);
    await waitFor(async () => {
      const earliest = await brookOffsets(TOPIC, -2n);
      return earliest[0] === 7n && earliest[1] === 15n && earliest[2] === 0n;
    }, { timeoutMs: 20_000, what: 'log start offsets 7, 15, 0' });
    const listed = await plt.admin<{ name: string; partitions: { partitionIndex: number; offset: bigint }[] }[]>('listOffsets', { topics: [{ name: TOPIC, partitions: [0, 1, 2].map((p) => ({ partitionIndex: p, timestamp: -2n })) }] });
    expect(listed[0]!.partitions.map((p) => [p.partitionIndex, p.offset]).sort()).toEqual([[0, 7n], [1, 15n], [2, 0n]]);
  });

  test('an idempotent producer (InitProducerId, Produce with sequences): the leader tracks its id and last sequence', async () => {
    const send = (from: number) => plt.call<{ offsets?: { partition: number; offset: bigint }[]; producerId: bigint; producerEpoch: number }>('produceIdempotent', {
      options: { messages: Array.from({ length: 5 }, (_, i) => ({ topic: OTHER, key: `i-${from + i}`, value: `idem-${from + i}`, partition: 0 })) },
    });
    const first = await send(0);
    const second = await send(5);
    expect(first.producerId).toBeGreaterThanOrEqual(0n);
    expect(second.producerId).toBe(first.producerId);
    expect([first.offsets?.[0]?.offset, second.offsets?.[0]?.offset]).toEqual([0n, 5n]);

    const leader = (await brookTopic(OTHER)).partitions.find((p) => p.partitionIndex === 0)!.leaderId;
    const r = await (await connectTo(leader)).request(DescribeProducers, 0, { topics: [{ name: OTHER, partitionIndexes: [0] }] });
    expect(r.topics[0]!.partitions[0]).toMatchObject({
      errorCode: ErrorCode.NONE,
      activeProducers: [expect.objectContaining({ producerId: first.producerId, producerEpoch: first.producerEpoch, lastSequence: 9 })],
    });
    expect(await brookOffsets(OTHER, -1n)).toEqual([10n, 0n, 0n]);
  });

  test('deleteTopics (DeleteTopics v6) removes a topic from the cluster', async () => {
    await plt.admin('deleteTopics', { topics: [OTHER] });
    await waitFor(async () => (await brookTopic(OTHER)).errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, { timeoutMs: 30_000, what: `${OTHER} to be gone` });
    await waitFor(async () => !(await plt.admin<string[]>('listTopics')).includes(OTHER), { timeoutMs: 20_000, what: `listTopics without ${OTHER}` });
    expect(await plt.admin<string[]>('listTopics')).toContain(TOPIC);
  });

  test('for every request the client chose the highest version it shares with the brokers', async () => {
    const sent = await plt.call<Record<string, number[]>>('versionsSent');
    const advertised = await (await connectTo(1)).request(ApiVersions, 3, { clientSoftwareName: 'plt-check', clientSoftwareVersion: '0' });
    const ranges = new Map(advertised.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion] as const]));
    expect(Object.keys(sent).map(Number).sort((a, b) => a - b)).toEqual(Object.keys(CLIENT_VERSIONS).map(Number));
    for (const [key, versions] of Object.entries(sent)) {
      const apiKey = Number(key);
      // ApiVersions itself is always sent at v3, the lowest version the client has.
      if (apiKey === 18) { expect(versions).toEqual([3]); continue; }
      const [min, max] = ranges.get(apiKey)!;
      const best = Math.max(...CLIENT_VERSIONS[apiKey]!.filter((v) => v >= min && v <= max));
      expect({ apiKey, versions }).toEqual({ apiKey, versions: [best] });
    }
  });
});
