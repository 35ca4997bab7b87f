// Output formats of consumer-perf-test and e2e-latency held to patterns written from Kafka 2.8's format strings,
// SimpleDateFormat rendering, the in-place record counter, the percentile rule, and usage errors (exit 2).
import { buildProgram, run } from '../../../src/cli/main';
import { UsageError } from '../../../src/client';
import { consumerPerfOptions } from '../../../src/cli/commands/consumer-perf-test';
import { e2eLatencyOptions } from '../../../src/cli/commands/e2e-latency';
import {
  applyConsumerProps, consumerPerfHeader, countRecordSection, formatConsumerPerfLine, formatConsumerProgressLine,
  parsePropertiesText, progressOf, simpleDateFormat, summarize, timeoutWarning,
} from '../../../src/perf/consumerPerf';
import {
  formatLatencyProgress, formatLatencySummary, javaDouble, kafkaPercentiles, parseLatencyAcks,
} from '../../../src/perf/e2eLatency';
import { BATCH_HEADER_SIZE } from '../../../src/protocol/record/batch-header';
import { buildRecordBatchSync } from '../../../src/protocol/record/records';
import { valueAtPercentile } from '../../../src/perf/stats';

// ConsumerPerformance: "%s, %s, %.4f, %.4f, %d, %.4f, %d, %d, %.4f, %.4f" with dates "yyyy-MM-dd HH:mm:ss:SSS".
const DATE = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}:\d{3}`;
const F4 = String.raw`(-?\d+\.\d{4}|NaN|-?Infinity)`;
const SUMMARY_LINE = new RegExp(`^(${DATE}), (${DATE}), ${F4}, ${F4}, (\\d+), ${F4}, (-?\\d+), (-?\\d+), ${F4}, ${F4}$`);
const PROGRESS_LINE = new RegExp(`^(${DATE}), (\\d+), ${F4}, ${F4}, (\\d+), ${F4}, (-?\\d+), (-?\\d+), ${F4}, ${F4}$`);
// EndToEndLatency: i + "\t" + elapsed / 1000.0 / 1000.0 (a Java double), "Avg latency: %.4f ms\n", percentiles as %d.
const LATENCY_PROGRESS = /^(\d+)\t(\d+\.\d+(E-?\d+)?)$/;
const AVG_LINE = /^Avg latency: (\d+\.\d{4}) ms$/;
const PERCENTILES_LINE = /^Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)$/;

const fmt = simpleDateFormat('yyyy-MM-dd HH:mm:ss:SSS');

describe('consumer-perf-test output', () => {
  test('header is Kafka 2.8\'s, in both layouts', () => {
    expect(consumerPerfHeader(false)).toBe('start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec');
    expect(consumerPerfHeader(true)).toBe('time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec');
  });

  test('summary line: MiB of key+value bytes, rates over elapsed and over fetch time', () => {
    const start = new Date(2024, 0, 5, 7, 8, 9, 45).getTime();
    const r = summarize(start, start + 4000, 100_000, 100_000 * 1024, 1000);
    expect(r).toMatchObject({ mb: 97.65625, fetchMs: 3000, rebalanceMs: 1000, messages: 100_000 });
    const line = formatConsumerPerfLine(r, fmt);
    expect(line).toBe('2024-01-05 07:08:09:045, 2024-01-05 07:08:13:045, 97.6563, 24.4141, 100000, 25000.0000, 1000, 3000, 32.5521, 33333.3333');
    const m = SUMMARY_LINE.exec(line)!;
    expect(m).not.toBeNull();
    expect(Number(m[5])).toBe(100_000);
    expect(Number(m[3])).toBeCloseTo(97.65625, 3);
  });

  test('a zero-length run prints Java\'s NaN / Infinity and still matches', () => {
    const line = formatConsumerPerfLine(summarize(1000, 1000, 0, 0, 0), fmt);
    expect(line).toMatch(SUMMARY_LINE);
    expect(line).toContain('NaN');
    expect(formatConsumerPerfLine(summarize(1000, 2000, 5, 10, 1000), fmt)).toMatch(/, 1000, 0, Infinity, Infinity$/);
  });

  test('detailed stats line: thread id 0, interval rates, join time of the interval', () => {
    const t0 = new Date(2024, 5, 1, 12, 0, 0, 0).getTime();
    const p = progressOf(3 * 1024 * 1024, 1024 * 1024, 3000, 1000, t0, t0 + 500, 100);
    expect(p).toMatchObject({ totalMb: 3, intervalMbPerSec: 4, intervalMsgPerSec: 4000, rebalanceMs: 100, fetchMs: 400, fetchMbPerSec: 5, fetchMsgPerSec: 5000 });
    const line = formatConsumerProgressLine(p, fmt);
    expect(line).toBe('2024-06-01 12:00:00:500, 0, 3.0000, 4.0000, 3000, 4000.0000, 100, 400, 5.0000, 5000.0000');
    expect(line).toMatch(PROGRESS_LINE);
    // fetch time <= 0: Kafka prints zeros instead of dividing
    expect(progressOf(10, 0, 1, 0, t0, t0 + 100, 100)).toMatchObject({ fetchMbPerSec: 0, fetchMsgPerSec: 0 });
  });

  test('timeout warning is Kafka\'s sentence', () => {
    expect(timeoutWarning(10000)).toBe('WARNING: Exiting before consuming the expected number of messages: timeout (10000 ms) exceeded. You can use the --timeout option to increase the timeout.');
  });
});

describe('SimpleDateFormat patterns', () => {
  const t = new Date(2023, 11, 31, 23, 5, 7, 9).getTime();
  test('the default pattern pads every field', () => {
    expect(fmt(t)).toBe('2023-12-31 23:05:07:009');
  });
  test('quoted literals, 12-hour clock, short year, month and day names', () => {
    expect(simpleDateFormat("yy/M/d h:mm a 'at' EEE, MMM")(t)).toBe('23/12/31 11:05 PM at Sun, Dec');
    expect(simpleDateFormat("HH 'o''clock' ''")(t)).toBe("23 o'clock '");
    expect(simpleDateFormat('EEEE MMMM S')(t)).toBe('Sunday December 9');
  });
  test('zone offsets look like Java\'s Z', () => {
    expect(simpleDateFormat('Z')(t)).toMatch(/^[+-]\d{4}$/);
  });
  test('unknown pattern letters are a usage error, as Java refuses them', () => {
    expect(() => simpleDateFormat('yyyy-qq')).toThrow(UsageError);
    expect(() => simpleDateFormat("yyyy 'open")).toThrow(UsageError);
  });
});

describe('counting records in place', () => {
  const batch = buildRecordBatchSync({
    baseOffset: 100n,
    records: [
      { key: 'k1', value: Buffer.alloc(1000, 1) },
      { key: null, value: Buffer.alloc(300, 2), headers: [{ key: 'h', value: Buffer.from('header-bytes-do-not-count') }] },
      { key: Buffer.alloc(200, 3), value: null },
      { key: '', value: Buffer.alloc(70_000, 4) },
    ],
  });
  const count = (minDelta: number, limit: number) => countRecordSection(batch, BATCH_HEADER_SIZE, batch.length, 4, minDelta, limit);

  test('counts records and key+value bytes (headers and nulls excluded)', () => {
    expect(count(0, Infinity)).toEqual({ count: 4, bytes: 2 + 1000 + 300 + 200 + 70_000, lastDelta: 3 });
  });
  test('skips records before the fetch position and stops at the limit', () => {
    expect(count(2, Infinity)).toEqual({ count: 2, bytes: 200 + 70_000, lastDelta: 3 });
    expect(count(1, 1)).toEqual({ count: 1, bytes: 300, lastDelta: 1 });
  });
  test('a record overrunning its batch is refused', () => {
    expect(() => countRecordSection(batch, BATCH_HEADER_SIZE, batch.length - 10, 4, 0, Infinity)).toThrow(RangeError);
  });
});

describe('e2e-latency output', () => {
  test('percentiles use index (int)(n * p) of the sorted whole-ms latencies', () => {
    const indexes = Array.from({ length: 200 }, (_, i) => i);
    expect(valueAtPercentile(indexes, 0.5)).toBe(100);
    expect(valueAtPercentile(indexes, 0.99)).toBe(198);
    expect(valueAtPercentile(indexes, 0.999)).toBe(199);
    expect(valueAtPercentile([7], 0.999)).toBe(7);
    const lat = Array.from({ length: 1000 }, (_, i) => 1000 - i + 0.9); // 1.9 .. 1000.9
    expect(kafkaPercentiles(lat)).toEqual({ p50: 501, p99: 991, p999: 1000 });
  });

  test('progress lines and the summary match Kafka\'s strings', () => {
    expect(formatLatencyProgress(0, 6.350838)).toBe('0\t6.350838');
    expect(formatLatencyProgress(1000, 12)).toBe('1000\t12.0');
    expect(formatLatencyProgress(2000, 0.0001)).toMatch(LATENCY_PROGRESS);
    expect(javaDouble(0.0001)).toBe('1.0E-4');
    const lines = formatLatencySummary({ avgMs: 1.23456, p50: 1, p99: 4, p999: 9 });
    expect(lines).toEqual(['Avg latency: 1.2346 ms', '', 'Percentiles: 50th = 1, 99th = 4, 99.9th = 9']);
    expect(lines[0]).toMatch(AVG_LINE);
    expect(lines[2]).toMatch(PERCENTILES_LINE);
  });

  test('acks must be 1 or all', () => {
    expect(parseLatencyAcks('all')).toBe(-1);
    expect(parseLatencyAcks('1')).toBe(1);
    expect(() => parseLatencyAcks('0')).toThrow('Latency testing requires synchronous acknowledgement. Please use 1 or all');
  });
});

describe('usage errors', () => {
  const base = { timeout: 10_000, reportingInterval: 5000, dateFormat: 'yyyy', consumerProps: [] as string[] };

  test('consumer-perf-test needs --topic and --messages', () => {
    expect(() => consumerPerfOptions({ ...base, messages: 5 })).toThrow(/needs --topic/);
    expect(() => consumerPerfOptions({ ...base, topic: 't' })).toThrow(/needs --messages/);
  });

  test('flags win over consumer properties; earliest by default, latest with --from-latest', () => {
    const { options, warnings } = consumerPerfOptions({
      ...base, topic: 't', messages: 5, fetchSize: 4096, consumerProps: ['group.id=from-props,max.partition.fetch.bytes=10,fetch.max.bytes=99', 'bogus=1'],
    });
    expect(options).toMatchObject({ topic: 't', messages: 5, groupId: 'from-props', fetchSize: 4096, fetchMaxBytes: 99, autoOffsetReset: 'earliest' });
    expect(warnings).toEqual(["The configuration 'bogus' was supplied but isn't a known config."]);
    expect(consumerPerfOptions({ ...base, topic: 't', messages: 1, fromLatest: true, group: 'g' }).options).toMatchObject({ autoOffsetReset: 'latest', groupId: 'g' });
    expect(() => applyConsumerProps(new Map([['auto.offset.reset', 'middle']]))).toThrow(UsageError);
    expect(applyConsumerProps(new Map([['isolation.level', 'read_committed']])).options.isolationLevel).toBe(1);
    expect(applyConsumerProps(new Map([['isolation.level', 'read_uncommitted']])).options.isolationLevel).toBe(0);
    expect(() => applyConsumerProps(new Map([['isolation.level', 'committed']]))).toThrow(/isolation\.level=committed: expected read_committed or read_uncommitted/);
    expect(parsePropertiesText('# c\ngroup.id = a\nfetch.max.bytes: 5\n')).toEqual(new Map([['group.id', 'a'], ['fetch.max.bytes', '5']]));
  });

  test('bad numbers are usage errors before any connection', async () => {
    await expect(buildProgram().parseAsync(['node', 'brook', 'consumer-perf-test', '--topic', 't', '--messages', 'lots'])).rejects.toThrow(/--messages must be an integer, got "lots"/);
    await expect(buildProgram().parseAsync(['node', 'brook', 'consumer-perf-test', '--topic', 't', '--messages', '0'])).rejects.toThrow(UsageError);
    await expect(buildProgram().parseAsync(['node', 'brook', 'consumer-perf-test', '--topic', 't', '--messages', '5', '--timeout', '-3'])).rejects.toThrow(UsageError);
  });

  test('e2e-latency: positional and flag forms, argument count, numbers, not both forms', () => {
    expect(e2eLatencyOptions(['h:1', 't', '200', 'all', '100'], {})).toEqual({ bootstrapServer: 'h:1', topic: 't', numMessages: 200, acks: -1, messageSize: 100 });
    expect(e2eLatencyOptions([], { bootstrapServer: 'h:1', topic: 't', numMessages: '3', producerAcks: '1', messageSize: '10' })).toMatchObject({ numMessages: 3, acks: 1 });
    expect(() => e2eLatencyOptions(['h:1', 't', '200'], {})).toThrow(/expected arguments: broker_list topic/);
    expect(() => e2eLatencyOptions(['h:1', 't', 'x', '1', '100'], {})).toThrow(/num_messages must be an integer/);
    expect(() => e2eLatencyOptions(['h:1', 't', '5', '1', '100'], { topic: 'u' })).toThrow(/not both/);
    expect(() => e2eLatencyOptions([], { bootstrapServer: 'h:1', numMessages: '3', producerAcks: '1', messageSize: '10' })).toThrow(/needs --topic/);
  });

  test('the CLI turns these into exit code 2 with the message on stderr', async () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation(((code?: number) => { throw new Error(`exit ${code}`); }) as never);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await expect(run(['node', 'brook', 'consumer-perf-test', '--messages', '10'])).rejects.toThrow('exit 2');
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(/consumer-perf-test needs --topic <name>/);
      await expect(run(['node', 'brook', 'e2e-latency', 'h:1', 't', '10', '0', '100'])).rejects.toThrow('exit 2');
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(/Please use 1 or all/);
    } finally {
      exit.mockRestore();
      stderr.mockRestore();
    }
  });
});
