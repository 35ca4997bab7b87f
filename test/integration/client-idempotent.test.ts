// enable.idempotence=true end to end on a 3-broker cluster: Brook's client Producer, `brook console-producer` and
// `brook producer-perf-test` send with a producer id, epoch and sequence numbers (InitProducerId first), and every
// record is in the log exactly once, in the order sent. Needs the broker's InitProducerId (API 22) and its
// sequence checks on produce.
import { startCluster, runBrook, type BrookRun, type TestCluster } from '../harness';
import { AdminClient, EARLIEST, Fetcher, LATEST, Producer, listOffsets, type ProduceRecord } from '../../src/client';

jest.setTimeout(180_000);

const brook = (args: string[], input?: string): Promise<BrookRun> => runBrook(args, { input, timeoutMs: 90_000 });

describe('idempotent producers against a 3-broker cluster', () => {
  let cluster: TestCluster;
  let admin: AdminClient;
  let bs: string[];

  /** Creates a replicated topic (acks=all needs the ISR); `brook topics --create` waits for its leaders. */
  async function createTopic(topic: string, partitions: number): Promise<void> {
    const r = await brook(['topics', '--create', '--topic', topic, '--partitions', String(partitions), '--replication-factor', '3', '--config', 'min.insync.replicas=2', ...bs]);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
  }

  /** Every record value of each partition, from offset 0 to the end offset as it is now. */
  async function readAll(topic: string, partitions: number): Promise<string[][]> {
    const ids = Array.from({ length: partitions }, (_, p) => p);
    const starts = await listOffsets(admin, topic, ids, EARLIEST);
    const ends = await listOffsets(admin, topic, ids, LATEST);
    const fetcher = new Fetcher(admin, topic, { reset: 'earliest', maxWaitMs: 100 });
    for (const p of ids) fetcher.seek(p, starts.get(p)!);
    const values: string[][] = ids.map(() => []);
    const deadline = Date.now() + 60_000;
    while (ids.some((p) => fetcher.positions.get(p)! < ends.get(p)!)) {
      if (Date.now() > deadline) throw new Error(`reading ${topic} did not reach the end offsets ${[...ends.values()].join(',')}`);
      for (const r of await fetcher.poll()) values[r.partition]!.push(r.value!.toString());
    }
    return values;
  }

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3 });
    bs = ['--bootstrap-server', cluster.bootstrap];
    admin = await AdminClient.connect(cluster.bootstrap);
  });

  afterAll(async () => {
    admin?.close();
    await cluster?.teardown();
  });

  test('the client Producer writes every record once, in order, on each partition', async () => {
    const topic = 'idem-client';
    await createTopic(topic, 3);
    const producer = new Producer(admin, { acks: -1, idempotent: true });
    const expected: string[][] = [[], [], []];
    const ROUNDS = 12;
    const PER_PARTITION = 25;
    for (let round = 0; round < ROUNDS; round++) {
      const records: ProduceRecord[] = [];
      for (let p = 0; p < 3; p++) {
        for (let i = 0; i < PER_PARTITION; i++) {
          const value = `p${p}-r${round}-i${i}`;
          expected[p]!.push(value);
          records.push({ key: null, value: Buffer.from(value), partition: p });
        }
      }
      const produced = await producer.send(topic, records);
      expect(produced.map((r) => [r.partition, r.baseOffset, r.count])).toEqual(
        [0, 1, 2].map((p) => [p, BigInt(round * PER_PARTITION), PER_PARTITION]),
      );
    }
    expect(await readAll(topic, 3)).toEqual(expected);
  });

  test('console-producer --producer-property enable.idempotence=true writes every line once, in order', async () => {
    const topic = 'idem-cli';
    await createTopic(topic, 1);
    const lines = Array.from({ length: 500 }, (_, i) => `line-${i}`);
    const r = await brook(['console-producer', '--topic', topic, '--producer-property', 'enable.idempotence=true', '--batch-size', '40', ...bs], lines.join('\n') + '\n');
    expect(r.stderr).toBe(`Sent ${lines.length} record(s) to ${topic}.\n`);
    expect(r.code).toBe(0);
    expect(await readAll(topic, 1)).toEqual([lines]);
  });

  test('console-producer refuses enable.idempotence=true with --acks 1, as Kafka refuses the config', async () => {
    const r = await brook(['console-producer', '--topic', 'idem-cli', '--acks', '1', '--producer-property', 'enable.idempotence=true', ...bs], 'x\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Must set acks to all in order to use the idempotent producer');
  });

  test('producer-perf-test --producer-props enable.idempotence=true: exactly --num-records records, acks=all', async () => {
    const topic = 'idem-perf';
    await createTopic(topic, 2);
    const N = 20_000;
    const r = await brook(['producer-perf-test', '--topic', topic, '--num-records', String(N), '--record-size', '100', '--throughput', '-1',
      ...bs, '--producer-props', 'enable.idempotence=true', 'linger.ms=2', 'batch.size=4096']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ends = await listOffsets(admin, topic, [0, 1], LATEST);
    expect((ends.get(0) ?? 0n) + (ends.get(1) ?? 0n)).toBe(BigInt(N));
  });

  test('producer-perf-test refuses enable.idempotence=true with acks=1, as Kafka refuses the config', async () => {
    const refused = await brook(['producer-perf-test', '--topic', 'idem-perf', '--num-records', '1', '--record-size', '1', '--throughput', '-1',
      ...bs, '--producer-props', 'enable.idempotence=true', 'acks=1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Must set acks to all in order to use the idempotent producer');
  });
});
