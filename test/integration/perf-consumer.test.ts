// `brook consumer-perf-test` and `brook e2e-latency` against a real 1-broker cluster: exact counts and bytes, Kafka's
// output patterns, committed offsets of the group, the timeout warning, and the one-partition rule.
import { startCluster, waitFor, runBrook, type BrookRun, type TestCluster } from '../harness';
import { AdminClient, fetchCommitted, Producer } from '../../src/client';
import { CreateTopics, ListGroups } from '../../src/protocol/messages';
import { CompressionType } from '../../src/protocol/record/compression';

jest.setTimeout(120_000);

const brook = (args: string[], timeoutMs = 60_000): Promise<BrookRun> => runBrook(args, { timeoutMs });

// Written from ConsumerPerformance's "%s, %s, %.4f, %.4f, %d, %.4f, %d, %d, %.4f, %.4f" and EndToEndLatency's printlns.
const HEADER = 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';
const DATE = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}:\d{3}`;
const F4 = String.raw`(\d+\.\d{4}|NaN|Infinity)`;
const LINE = new RegExp(`^${DATE}, ${DATE}, ${F4}, ${F4}, (\\d+), ${F4}, (\\d+), (-?\\d+), ${F4}, ${F4}$`);
const WARNING = 'WARNING: Exiting before consuming the expected number of messages: timeout (3000 ms) exceeded. You can use the --timeout option to increase the timeout.';

describe('perf tools against a 1-broker cluster', () => {
  let cluster: TestCluster;
  let admin: AdminClient;
  let bs: string[];
  const TOPIC = 'perf-in';
  const N = 3000;
  let payloadBytes = 0;

  beforeAll(async () => {
    // No initial rebalance delay: a new group's join is immediate, keeping each run short.
    cluster = await startCluster({ brokers: 1, overrides: { 'group.initial.rebalance.delay.ms': '0' } });
    bs = ['--bootstrap-server', cluster.bootstrap];
    admin = await AdminClient.connect(cluster.bootstrap);
    for (const [topic, partitions] of [[TOPIC, 2], ['perf-multi', 2]] as const) {
      await admin.withRetry('create', async () => {
        const { response } = await admin.send('controller', CreateTopics, () => ({
          topics: [{ name: topic, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 30_000, validateOnly: false,
        }));
        AdminClient.check(response.topics[0]!.errorCode, 'create');
      });
      await waitFor(async () => {
        try { await admin.topic(topic); admin.leaderOf(topic, 0); admin.leaderOf(topic, 1); return true; } catch { return false; }
      }, { timeoutMs: 30_000, what: `leaders of ${topic}` });
    }
    // Records of mixed sizes, some keyed, half the batches compressed (so both counting paths run).
    const plain = new Producer(admin, { acks: 1 });
    const lz4 = new Producer(admin, { acks: 1, compression: CompressionType.Lz4 });
    for (let b = 0; b < N / 100; b++) {
      const records = Array.from({ length: 100 }, (_, i) => {
        const n = b * 100 + i;
        const key = n % 3 === 0 ? Buffer.from(`key-${n}`) : null;
        const value = Buffer.alloc(50 + (n % 700), 97 + (n % 26));
        payloadBytes += (key?.length ?? 0) + value.length;
        return { key, value, partition: n % 2 };
      });
      await (b % 2 === 0 ? plain : lz4).send(TOPIC, records);
    }
  });

  afterAll(async () => {
    admin?.close();
    await cluster?.teardown();
  });

  test('consumer-perf-test reads exactly N messages; MB is key+value bytes / 2^20; the group commits its offsets', async () => {
    const r = await brook(['consumer-perf-test', '--topic', TOPIC, '--messages', String(N), '--group', 'perf-all', ...bs]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(HEADER);
    const m = LINE.exec(lines[1]!);
    expect(m).not.toBeNull();
    expect(Number(m![3])).toBe(N);
    expect(m![1]).toBe((payloadBytes / 2 ** 20).toFixed(4));

    const groups = (await admin.send('any', ListGroups, () => ({ statesFilter: [] }))).response.groups.map((g) => g.groupId);
    expect(groups).toContain('perf-all');
    const committed = await fetchCommitted(admin, 'perf-all', TOPIC, [0, 1]);
    expect([committed.get(0), committed.get(1)]).toEqual([BigInt(N / 2), BigInt(N / 2)]);
  });

  test('asking for fewer records stops exactly there and commits exactly that many; a second run resumes', async () => {
    let r = await brook(['consumer-perf-test', '--topic', TOPIC, '--messages', '1234', '--group', 'perf-part', '--hide-header', ...bs]);
    expect(r.code).toBe(0);
    expect(Number(LINE.exec(r.stdout.trim())![3])).toBe(1234);
    let committed = await fetchCommitted(admin, 'perf-part', TOPIC, [0, 1]);
    expect((committed.get(0) ?? 0n) + (committed.get(1) ?? 0n)).toBe(1234n);

    r = await brook(['consumer-perf-test', '--topic', TOPIC, '--messages', String(N - 1234), '--group', 'perf-part', '--hide-header', ...bs]);
    expect(Number(LINE.exec(r.stdout.trim())![3])).toBe(N - 1234);
    committed = await fetchCommitted(admin, 'perf-part', TOPIC, [0, 1]);
    expect([committed.get(0), committed.get(1)]).toEqual([BigInt(N / 2), BigInt(N / 2)]);
  });

  test('asking for more than exist prints Kafka\'s WARNING after the timeout and still the result', async () => {
    const r = await brook(['consumer-perf-test', '--topic', TOPIC, '--messages', String(N + 1), '--timeout', '3000', ...bs]);
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toBe(WARNING);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(HEADER);
    expect(Number(LINE.exec(lines[1]!)![3])).toBe(N);
  });

  test('e2e-latency with 200 messages creates the topic and prints the progress, average and percentile lines', async () => {
    const r = await brook(['e2e-latency', cluster.bootstrap, 'perf-latency', '200', 'all', '100']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Topic "perf-latency" does not exist. Will create topic with 1 partition(s) and replication factor = 1');
    expect(lines[1]).toMatch(/^0\t\d+\.\d+(E-?\d+)?$/);
    expect(lines[2]).toMatch(/^Avg latency: \d+\.\d{4} ms$/);
    expect(lines[3]).toBe('');
    const p = /^Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)$/.exec(lines[4]!);
    expect(p).not.toBeNull();
    expect(Number(p![1])).toBeLessThanOrEqual(Number(p![2]));
    expect(Number(p![2])).toBeLessThanOrEqual(Number(p![3]));
    expect(lines.slice(5)).toEqual(['']);

    // The flag form on the now existing topic: no creation notice.
    const again = await brook(['e2e-latency', ...bs, '--topic', 'perf-latency', '--num-messages', '20', '--producer-acks', '1', '--message-size', '1000']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^0\t.*\nAvg latency: .* ms\n\nPercentiles: /);
  });

  test('e2e-latency refuses a topic with more than one partition (exit 1)', async () => {
    const r = await brook(['e2e-latency', cluster.bootstrap, 'perf-multi', '10', '1', '100']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Only topics with one partition are supported: topic 'perf-multi' has 2 partitions/);
  });
});
