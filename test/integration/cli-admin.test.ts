// The `brook` admin and client subcommands against a real 3-broker cluster: output, exit codes, and
// agreement with kafkajs admin (a topic created by one is described identically by the other).
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { startCluster, waitFor, runBrook, type BrookRun, type TestCluster } from '../harness';

jest.setTimeout(180_000);

const brook = (args: string[], opts: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<BrookRun> => runBrook(args, opts);

describe('brook CLI without a cluster', () => {
  test('an unreachable bootstrap server names the problem and the fix, exit 1', async () => {
    const r = await brook(['topics', '--list', '--bootstrap-server', '127.0.0.1:1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach 127\.0\.0\.1:1: connection refused — is the cluster running\? \(npm start\)/);
  });

  test('bad usage exits 2 and points at --help', async () => {
    const r = await brook(['topics', '--create', '--topic', 't']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--create needs --partitions/);
  });
});

describe('brook CLI against a 3-broker cluster', () => {
  let cluster: TestCluster;
  let admin: Admin;
  let bs: string[];

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3 });
    bs = ['--bootstrap-server', cluster.bootstrap];
    admin = new Kafka({ brokers: cluster.bootstrap.split(','), clientId: 'cli-test', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect().catch(() => undefined);
    await cluster?.teardown();
  });

  const waitForLeaders = (topic: string, partitions: number) => waitFor(async () => {
    const r = await brook(['topics', '--describe', '--topic', topic, '--output', 'json', ...bs]);
    if (r.code !== 0) return false;
    const d = JSON.parse(r.stdout) as Array<{ partitions: Array<{ leader: number; isr: number[] }> }>;
    return d[0]!.partitions.length === partitions && d[0]!.partitions.every((p) => p.leader >= 0) ? d : false;
  }, { timeoutMs: 30_000, what: `leaders for every partition of ${topic}` });

  test('topics: create, alter and delete wait for every broker and show progress on stderr', async () => {
    const each = cluster.bootstrap.split(',');
    const progress = { BROOK_PROGRESS_AFTER_MS: '0' };
    const leadersEverywhere = async (topic: string): Promise<number[]> => Promise.all(each.map(async (b) => {
      const d = await brook(['topics', '--describe', '--topic', topic, '--output', 'json', '--bootstrap-server', b]);
      const parts = (JSON.parse(d.stdout) as Array<{ partitions: Array<{ leader: number }> }>)[0]!.partitions;
      return parts.filter((p) => p.leader >= 0).length;
    }));

    let r = await brook(['topics', '--create', '--topic', 'cli-progress', '--partitions', '120', '--replication-factor', '3', ...bs], { env: progress });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Created topic cli-progress.\n');
    expect(r.stderr).toMatch(/^waiting for leaders of 'cli-progress' on every broker: 120\/120 \(\d+\.\d s\)$/m);
    // The command returned only once every broker's metadata had a leader for every partition.
    expect(await leadersEverywhere('cli-progress')).toEqual([120, 120, 120]);

    r = await brook(['topics', '--alter', '--topic', 'cli-progress', '--partitions', '150', ...bs], { env: progress });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^waiting for leaders of the 150 partitions of 'cli-progress' on every broker: 150\/150 /m);
    expect(await leadersEverywhere('cli-progress')).toEqual([150, 150, 150]);

    r = await brook(['topics', '--delete', '--topic', 'cli-progress', ...bs], { env: progress });
    expect(r).toMatchObject({ code: 0, stdout: 'Topic cli-progress is marked for deletion.\n' });
    expect(r.stderr).toMatch(/^waiting for 'cli-progress' to leave every broker's metadata \(brokers done\): 3\/3 /m);
    for (const b of each) {
      const l = await brook(['topics', '--list', '--bootstrap-server', b]);
      expect(l.stdout.split('\n')).not.toContain('cli-progress');
    }

    // An operation that ends before the progress threshold prints nothing on stderr.
    r = await brook(['topics', '--create', '--topic', 'cli-quiet', '--partitions', '1', '--replication-factor', '1', ...bs], { env: { BROOK_PROGRESS_AFTER_MS: '60000' } });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  });

  test('topics: create, if-not-exists, list, describe agree with kafkajs; alter; delete', async () => {
    let r = await brook(['topics', '--create', '--topic', 'cli-orders', '--partitions', '3', '--replication-factor', '3', '--config', 'retention.ms=3600000', ...bs]);
    expect(r).toMatchObject({ code: 0, stdout: 'Created topic cli-orders.\n' });
    r = await brook(['topics', '--create', '--topic', 'cli-orders', '--partitions', '3', '--replication-factor', '3', ...bs]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/TOPIC_ALREADY_EXISTS/);
    r = await brook(['topics', '--create', '--topic', 'cli-orders', '--partitions', '3', '--replication-factor', '3', '--if-not-exists', ...bs]);
    expect(r.code).toBe(0);

    const described = await waitForLeaders('cli-orders', 3);
    const viaKafkajs = (await admin.fetchTopicMetadata({ topics: ['cli-orders'] })).topics[0]!;
    const ours = (described as unknown as Array<{ partitions: Array<{ partition: number; leader: number; replicas: number[] }> }>)[0]!.partitions;
    expect(ours.map((p) => [p.partition, p.leader, p.replicas])).toEqual(
      viaKafkajs.partitions.sort((a, b) => a.partitionId - b.partitionId).map((p) => [p.partitionId, p.leader, p.replicas]));

    r = await brook(['topics', '--list', ...bs]);
    expect(r.stdout.split('\n')).toContain('cli-orders');
    r = await brook(['topics', '--describe', '--topic', 'cli-orders', ...bs]);
    expect(r.stdout).toMatch(/^Topic: cli-orders\t.*PartitionCount: 3\tReplicationFactor: 3\tConfigs: retention.ms=3600000/m);
    expect(r.stdout.match(/\tPartition: \d/g)).toHaveLength(3);

    // kafkajs creates, the CLI describes.
    await admin.createTopics({ topics: [{ topic: 'kjs-made', numPartitions: 2, replicationFactor: 2 }], waitForLeaders: true });
    const d2 = await waitForLeaders('kjs-made', 2);
    const k2 = (await admin.fetchTopicMetadata({ topics: ['kjs-made'] })).topics[0]!;
    expect((d2 as unknown as Array<{ partitions: Array<{ replicas: number[] }> }>)[0]!.partitions.map((p) => p.replicas)).toEqual(
      k2.partitions.sort((a, b) => a.partitionId - b.partitionId).map((p) => p.replicas));

    r = await brook(['topics', '--alter', '--topic', 'kjs-made', '--partitions', '4', ...bs]);
    expect(r.code).toBe(0);
    await waitForLeaders('kjs-made', 4);
    r = await brook(['topics', '--alter', '--topic', 'kjs-made', '--partitions', '2', ...bs]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot set 'kjs-made' to 2 partitions/);

    r = await brook(['topics', '--delete', '--topic', 'kjs-made', ...bs]);
    expect(r.code).toBe(0);
    await waitFor(async () => !(await admin.listTopics()).includes('kjs-made'), { timeoutMs: 30_000, what: 'kjs-made to be deleted' });
    r = await brook(['topics', '--delete', '--topic', 'kjs-made', ...bs]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not exist/);
  });

  test('configs: alter and describe, seen the same by kafkajs; invalid values rejected', async () => {
    let r = await brook(['configs', '--entity-type', 'topics', '--entity-name', 'cli-orders', '--alter', '--add-config', 'retention.ms=5000,cleanup.policy=[delete,compact]', ...bs]);
    expect(r).toMatchObject({ code: 0 });
    r = await brook(['configs', '--entity-type', 'topics', '--entity-name', 'cli-orders', '--describe', ...bs]);
    expect(r.stdout).toMatch(/retention\.ms\s+5000\s+DYNAMIC_TOPIC_CONFIG/);
    expect(r.stdout).toMatch(/cleanup\.policy\s+delete,compact\s+DYNAMIC_TOPIC_CONFIG/);
    const k = await admin.describeConfigs({ resources: [{ type: 2, name: 'cli-orders', configNames: ['retention.ms'] }], includeSynonyms: false });
    expect(k.resources[0]!.configEntries[0]).toMatchObject({ configName: 'retention.ms', configValue: '5000' });

    r = await brook(['configs', '--entity-type', 'topics', '--entity-name', 'cli-orders', '--alter', '--add-config', 'retention.ms=soon', ...bs]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Invalid value soon for configuration retention\.ms/);
    r = await brook(['configs', '--entity-type', 'topics', '--entity-name', 'cli-orders', '--alter', '--add-config', 'no.such=1', ...bs]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Unknown topic config name: no\.such/);

    r = await brook(['configs', '--entity-type', 'topics', '--entity-name', 'cli-orders', '--alter', '--delete-config', 'cleanup.policy', ...bs]);
    expect(r.code).toBe(0);
    r = await brook(['configs', '--entity-type', 'topics', '--entity-name', 'cli-orders', '--describe', '--output', 'json', ...bs]);
    const names = (JSON.parse(r.stdout) as Array<{ configs: Array<{ name: string }> }>)[0]!.configs.map((c) => c.name);
    expect(names).toEqual(['retention.ms']);

    r = await brook(['configs', '--entity-type', 'brokers', '--entity-default', '--alter', '--add-config', 'log.retention.ms=86400000', ...bs]);
    expect(r.code).toBe(0);
    r = await brook(['configs', '--entity-type', 'brokers', '--entity-name', '1', '--describe', ...bs]);
    expect(r.stdout).toMatch(/log\.retention\.ms\s+86400000\s+DYNAMIC_DEFAULT_BROKER_CONFIG/);
  });

  test('console producer and consumer: keyed records, from-beginning, max-messages', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => `key${i % 5}:value-${i}`).join('\n') + '\n';
    let r = await brook(['console-producer', '--topic', 'cli-orders', '--property', 'parse.key=true', '--property', 'key.separator=:', '--compression', 'gzip', ...bs], { input: lines });
    expect(r.code).toBe(0);
    r = await brook(['console-consumer', '--topic', 'cli-orders', '--from-beginning', '--max-messages', '30', '--timeout-ms', '20000',
      '--property', 'print.key=true', '--property', 'print.partition=true', ...bs]);
    expect(r.code).toBe(0);
    const got = r.stdout.trim().split('\n');
    expect(got).toHaveLength(30);
    // Every key sits in one partition, and within it values keep their order.
    const partitionOfKey = new Map<string, string>();
    for (const line of got) {
      const [part, key, value] = line.split('\t') as [string, string, string];
      expect(partitionOfKey.get(key) ?? part).toBe(part);
      partitionOfKey.set(key, part);
      expect(value).toMatch(/^value-\d+$/);
    }
    expect(new Set(got.map((l) => l.split('\t')[2]))).toEqual(new Set(Array.from({ length: 30 }, (_, i) => `value-${i}`)));
    expect(r.stderr).toMatch(/Processed a total of 30 messages/);
  });

  test('consumer groups: consume in a group, describe lag, reset offsets, delete', async () => {
    let r = await brook(['console-consumer', '--topic', 'cli-orders', '--group', 'cli-group', '--from-beginning', '--max-messages', '30', '--timeout-ms', '30000', ...bs], { timeoutMs: 90_000 });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.stringMatching(/Processed a total of 30 messages/) });
    expect(r.stdout.trim().split('\n')).toHaveLength(30);

    r = await brook(['consumer-groups', '--list', ...bs]);
    expect(r.stdout.split('\n')).toContain('cli-group');
    r = await brook(['consumer-groups', '--describe', '--group', 'cli-group', '--output', 'json', ...bs]);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as { offsets: Array<{ currentOffset: string; logEndOffset: string; lag: string }> };
    expect(d.offsets).toHaveLength(3);
    expect(d.offsets.reduce((s, o) => s + Number(o.currentOffset), 0)).toBe(30);
    expect(d.offsets.every((o) => o.lag === '0')).toBe(true);
    r = await brook(['consumer-groups', '--describe', '--group', 'cli-group', ...bs]);
    expect(r.stdout).toMatch(/GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG\s+CONSUMER-ID\s+HOST\s+CLIENT-ID/);

    r = await brook(['consumer-groups', '--reset-offsets', '--group', 'cli-group', '--topic', 'cli-orders', '--to-earliest', '--dry-run', ...bs]);
    expect(r.stdout).toMatch(/Dry run/);
    r = await brook(['consumer-groups', '--reset-offsets', '--group', 'cli-group', '--topic', 'cli-orders', '--to-earliest', '--execute', ...bs]);
    expect(r.code).toBe(0);
    r = await brook(['consumer-groups', '--describe', '--group', 'cli-group', '--output', 'json', ...bs]);
    const after = JSON.parse(r.stdout) as { offsets: Array<{ lag: string }> };
    expect(after.offsets.reduce((s, o) => s + Number(o.lag), 0)).toBe(30);

    r = await brook(['consumer-groups', '--delete', '--group', 'cli-group', ...bs]);
    expect(r.code).toBe(0);
    r = await brook(['consumer-groups', '--delete', '--group', 'cli-group', ...bs]);
    expect(r.code).toBe(1);
  });

  test('cluster, leader-election and delete-records', async () => {
    let r = await brook(['cluster', '--output', 'json', ...bs]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { brokers: unknown[]; controllerId: number; offline: unknown[] };
    expect(s.brokers).toHaveLength(3);
    expect(s.controllerId).toBeGreaterThan(0);
    expect(s.offline).toEqual([]);

    r = await brook(['leader-election', '--election-type', 'preferred', '--all-topic-partitions', ...bs]);
    expect(r.code).toBe(0);

    const dir = mkdtempSync(join(tmpdir(), 'brook-cli-'));
    const file = join(dir, 'offsets.json');
    writeFileSync(file, JSON.stringify({ partitions: [{ topic: 'cli-orders', partition: 0, offset: -1 }], version: 1 }));
    r = await brook(['delete-records', '--offset-json-file', file, '--output', 'json', ...bs]);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout) as Array<{ lowWatermark: string; error: string | null }>;
    expect(res[0]!.error).toBeNull();
    r = await brook(['console-consumer', '--topic', 'cli-orders', '--partition', '0', '--offset', 'earliest', '--timeout-ms', '1500', ...bs]);
    expect(r.stdout).toBe('');
  });
});
