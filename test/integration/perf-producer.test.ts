// `brook producer-perf-test` against a real broker: Kafka's output formats line by line, throttling, every
// acknowledged record stored (read back with kcat), compression codecs, payload files, acks=0 and -1, bad usage.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startCluster, waitFor, runBrook, type BrookRun, type TestCluster } from '../harness';
import { SUMMARY_LINE, WINDOW_LINE } from '../../src/perf/stats';

const exec = promisify(execFile);
jest.setTimeout(120_000);

const brook = (args: string[], timeoutMs = 60_000): Promise<BrookRun> => runBrook(args, { timeoutMs });

/** Values of every record in the topic, read with kcat (librdkafka) from the beginning to the end. */
async function readAll(bootstrap: string, topic: string): Promise<string[]> {
  const { stdout } = await exec('kcat', ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n'], { maxBuffer: 256 * 1024 * 1024 });
  return stdout.split('\n').slice(0, -1);
}

describe('brook producer-perf-test', () => {
  let cluster: TestCluster;
  let bs: string[];

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 1 });
    bs = ['--bootstrap-server', cluster.bootstrap];
  });
  afterAll(async () => {
    await cluster?.teardown();
  });

  test('throttled run: window lines and the final line in Kafka formats, rate honoured, every record stored', async () => {
    const r = await brook(['producer-perf-test', ...bs, '--topic', 'perf-throttled', '--num-records', '6000', '--record-size', '100', '--throughput', '3000', '--reporting-interval', '500']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const windows = lines.slice(0, -1);
    expect(windows.length).toBeGreaterThanOrEqual(2);
    for (const w of windows) expect(w).toMatch(WINDOW_LINE);
    const m = SUMMARY_LINE.exec(lines[lines.length - 1]!);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(6000);
    // 6,000 records at 3,000/s take about two seconds: the throttle keeps the average at or under the target.
    expect(Number(m![2])).toBeLessThanOrEqual(3000 * 1.05);
    expect(Number(m![3])).toBeCloseTo((Number(m![2]) * 100) / 1048576, 2);
    const values = await readAll(cluster.bootstrap, 'perf-throttled');
    expect(values).toHaveLength(6000);
    expect(values.every((v) => /^[A-Z]{100}$/.test(v))).toBe(true);
  });

  test.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'])('acks=-1, compression %s, unlimited rate: all records acknowledged and readable by kcat', async (codec) => {
    const topic = `perf-${codec}`;
    const r = await brook(['producer-perf-test', ...bs, '--topic', topic, '--num-records', '30000', '--record-size', '200', '--throughput', '-1', '--producer-props', 'acks=all', 'linger.ms=5', 'batch.size=65536', `compression.type=${codec}`]);
    expect(r.code).toBe(0);
    const last = r.stdout.trim().split('\n').pop()!;
    expect(last).toMatch(SUMMARY_LINE);
    expect(SUMMARY_LINE.exec(last)![1]).toBe('30000');
    const values = await readAll(cluster.bootstrap, topic);
    expect(values).toHaveLength(30000);
    expect(new Set(values.map((v) => v.length))).toEqual(new Set([200]));
  });

  test('--payload-file: records carry the file payloads; Kafka prints how many it read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brook-perf-'));
    const file = join(dir, 'payloads.txt');
    writeFileSync(file, 'alpha\nbravo\n\ncharlie\n');
    const r = await brook(['producer-perf-test', ...bs, '--topic', 'perf-payloads', '--num-records', '3000', '--payload-file', file, '--throughput', '-1']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(`Reading payloads from: ${file}`);
    expect(lines[1]).toBe('Number of messages read: 3');
    expect(lines[lines.length - 1]).toMatch(SUMMARY_LINE);
    const values = await readAll(cluster.bootstrap, 'perf-payloads');
    expect(values).toHaveLength(3000);
    expect(new Set(values)).toEqual(new Set(['alpha', 'bravo', 'charlie']));
  });

  test('acks=0: the broker answers nothing, the tool still reports, and the records arrive', async () => {
    const jsonOut = join(mkdtempSync(join(tmpdir(), 'brook-perf-')), 'summary.json');
    const r = await brook(['producer-perf-test', ...bs, '--topic', 'perf-acks0', '--num-records', '20000', '--record-size', '50', '--throughput', '-1', '--producer-props', 'acks=0', '--json-out', jsonOut]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').pop()).toMatch(SUMMARY_LINE);
    const summary = JSON.parse(readFileSync(jsonOut, 'utf8')) as { records: number; latencyCurve: Array<{ p: number; ms: number }>; config: { acks: number } };
    expect(summary.records).toBe(20000);
    expect(summary.config.acks).toBe(0);
    expect(summary.latencyCurve.map((x) => x.p)).toContain(99.9);
    await waitFor(async () => (await readAll(cluster.bootstrap, 'perf-acks0')).length === 20000, { timeoutMs: 15_000, what: '20000 records stored after acks=0' });
  });

  test.each([
    [['--topic', 't', '--num-records', '10', '--record-size', '10'], /needs --throughput/],
    [['--topic', 't', '--num-records', '10', '--throughput', '-1'], /exactly one of --record-size or --payload-file/],
    [['--topic', 't', '--num-records', '10', '--record-size', '1', '--payload-file', '/nonexistent', '--throughput', '-1'], /exactly one of --record-size or --payload-file/],
    [['--topic', 't', '--num-records', 'ten', '--record-size', '1', '--throughput', '-1'], /--num-records must be an integer/],
    [['--topic', 't', '--num-records', '10', '--record-size', '1', '--throughput', '-1', '--producer-props', 'acks=2'], /acks=2: expected all, -1, 0 or 1/],
    [['--topic', 't', '--num-records', '10', '--payload-file', '/nonexistent/file', '--throughput', '-1'], /cannot read --payload-file \/nonexistent\/file/],
  ])('bad usage %j exits 2 with a precise message', async (args, msg) => {
    const r = await brook(['producer-perf-test', ...bs, ...(args as string[])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg as RegExp);
  });

  test('an unreachable cluster is a failed operation (exit 1) naming the address', async () => {
    const r = await brook(['producer-perf-test', '--bootstrap-server', '127.0.0.1:1', '--topic', 't', '--num-records', '10', '--record-size', '10', '--throughput', '-1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach 127\.0\.0\.1:1/);
  });
});
