// producer-perf-test's pure parts: Kafka's output formats, the statistics (sampling, percentiles, windows),
// producer property parsing and payload handling.
import { decodeBatchRecordsSync } from '../../../src/protocol/record/records';
import { PRODUCER_DEFAULTS, finishBatch, isSecurityProperty, parseProducerProps, randomPayload, splitPayloads, writeRecord } from '../../../src/perf/producerPerf';
import { checkBatch, readBatchHeader } from '../../../src/protocol/record/batch-header';
import { PerfStats, SUMMARY_LINE, WINDOW_LINE, formatSummary, formatWindow, percentileOf } from '../../../src/perf/stats';
import { CompressionType } from '../../../src/protocol/record/compression';

describe('output formats', () => {
  test("Kafka's own lines match the patterns Brook's output is held to", () => {
    expect('10004 records sent, 2000.4 records/sec (1.91 MB/sec), 0.3 ms avg latency, 3.0 ms max latency.').toMatch(WINDOW_LINE);
    expect('100000 records sent, 1999.680051 records/sec (1.91 MB/sec), 0.87 ms avg latency, 324.00 ms max latency, 0 ms 50th, 1 ms 95th, 5 ms 99th, 70 ms 99.9th.').toMatch(SUMMARY_LINE);
  });

  test('window line: %d, %.1f, %.2f MiB/s, %.1f, %.1f', () => {
    const line = formatWindow({ records: 49961, recordsPerSec: 9988.24, mbPerSec: 9.5258, avgLatencyMs: 178.04, maxLatencyMs: 712 });
    expect(line).toBe('49961 records sent, 9988.2 records/sec (9.53 MB/sec), 178.0 ms avg latency, 712.0 ms max latency.');
    expect(line).toMatch(WINDOW_LINE);
  });

  test('summary line: %f records/sec with six decimals and whole-ms percentiles', () => {
    const line = formatSummary({ records: 100000, recordsPerSec: 30102.347983, mbPerSec: 28.708, avgLatencyMs: 697.54, maxLatencyMs: 959, p50: 721, p95: 946, p99: 955, p999: 958 });
    expect(line).toBe('100000 records sent, 30102.347983 records/sec (28.71 MB/sec), 697.54 ms avg latency, 959.00 ms max latency, 721 ms 50th, 946 ms 95th, 955 ms 99th, 958 ms 99.9th.');
    expect(line).toMatch(SUMMARY_LINE);
  });

  test("percentiles use Kafka's index rule (int)(p * size) and print whole ms", () => {
    const sorted = Float64Array.from({ length: 1000 }, (_x, i) => i + 0.9);
    expect(percentileOf(sorted, 0.5)).toBe(500);
    expect(percentileOf(sorted, 0.999)).toBe(999);
    expect(percentileOf(new Float64Array(0), 0.5)).toBe(0);
    expect(percentileOf(Float64Array.of(3.7), 0.999)).toBe(3);
  });
});

describe('PerfStats', () => {
  test('counts, bytes, average and max latency from batch completions; MB means MiB', () => {
    const lines: string[] = [];
    const s = new PerfStats(4, 5000, (l) => lines.push(l));
    s.start(0);
    s.enqueued(0, 2, 10);
    s.enqueued(2, 2, 20);
    s.completed(0, 2, 2 * 1024 * 1024, 30, 20, 10); // latencies 20, 20
    s.completed(2, 2, 2 * 1024 * 1024, 1000, 40, 20); // latencies 980, 980
    const sum = s.finish(1000);
    expect(sum.records).toBe(4);
    expect(sum.recordsPerSec).toBeCloseTo(4, 6);
    expect(sum.mbPerSec).toBeCloseTo(4, 6);
    expect(sum.avgLatencyMs).toBeCloseTo(500, 6);
    expect(sum.maxLatencyMs).toBe(980);
    expect([...sum.sortedLatenciesMs]).toEqual([20, 20, 980, 980]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(SUMMARY_LINE);
  });

  test('prints a window line once the reporting interval has passed, then starts a new window', () => {
    const lines: string[] = [];
    const s = new PerfStats(3, 1000, (l) => lines.push(l));
    s.start(0);
    s.enqueued(0, 3, 0);
    s.completed(0, 1, 100, 500, 0, 0);
    expect(lines).toHaveLength(0);
    s.completed(1, 1, 100, 1000, 0, 0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(WINDOW_LINE);
    expect(lines[0]).toMatch(/^2 records sent, 2\.0 records\/sec/);
    s.completed(2, 1, 100, 1200, 0, 0);
    expect(lines).toHaveLength(1);
  });

  test('keeps at most 500,000 latency samples, every (n / 500000)-th record as Kafka does', () => {
    const s = new PerfStats(1_500_000, 1e9, () => undefined);
    s.start(0);
    s.enqueued(0, 1_500_000, 0);
    s.completed(0, 1_500_000, 0, 7, 0, 0);
    const sum = s.finish(7);
    expect(sum.sortedLatenciesMs.length).toBe(500_000);
    expect(sum.records).toBe(1_500_000);
  });
});

describe('producer properties', () => {
  test('Kafka 2.x defaults', () => {
    expect(parseProducerProps(new Map()).config).toEqual(PRODUCER_DEFAULTS);
    expect(PRODUCER_DEFAULTS).toMatchObject({ acks: 1, lingerMs: 0, batchSize: 16384, maxInFlight: 5, compression: CompressionType.None });
  });

  test('known keys are applied; acks=all means -1', () => {
    const { config, warnings } = parseProducerProps(new Map([['acks', 'all'], ['linger.ms', '5'], ['batch.size', '65536'], ['compression.type', 'zstd'], ['bootstrap.servers', 'h:1'], ['max.in.flight.requests.per.connection', '1']]));
    expect(config).toMatchObject({ acks: -1, lingerMs: 5, batchSize: 65536, compression: CompressionType.Zstd, bootstrapServers: 'h:1', maxInFlight: 1 });
    expect(warnings).toEqual([]);
  });

  test.each([
    ['acks', '2', /acks=2: expected all, -1, 0 or 1/],
    ['linger.ms', 'soon', /linger\.ms=soon: expected an integer/],
    ['batch.size', '-5', /batch\.size=-5: must be at least 0/],
    ['compression.type', 'brotli', /compression\.type=brotli: expected none, gzip, snappy, lz4 or zstd/],
  ])('%s=%s is refused with a message naming the key', (k, v, msg) => {
    expect(() => parseProducerProps(new Map([[k, v]]))).toThrow(msg);
  });

  test('enable.idempotence=true: acks becomes all unless given; acks other than all or max.in.flight over 5 are refused as Kafka does', () => {
    expect(PRODUCER_DEFAULTS.enableIdempotence).toBe(false);
    expect(parseProducerProps(new Map([['enable.idempotence', 'true']])).config).toMatchObject({ enableIdempotence: true, acks: -1, maxInFlight: 5 });
    expect(parseProducerProps(new Map([['enable.idempotence', 'true'], ['acks', 'all']])).config).toMatchObject({ enableIdempotence: true, acks: -1 });
    expect(parseProducerProps(new Map([['enable.idempotence', 'false'], ['acks', '1']])).config).toMatchObject({ enableIdempotence: false, acks: 1 });
    expect(() => parseProducerProps(new Map([['enable.idempotence', 'true'], ['acks', '1']]))).toThrow(/Must set acks to all in order to use the idempotent producer/);
    expect(() => parseProducerProps(new Map([['enable.idempotence', 'true'], ['max.in.flight.requests.per.connection', '6']]))).toThrow(/max\.in\.flight\.requests\.per\.connection to at most 5/);
    expect(() => parseProducerProps(new Map([['enable.idempotence', 'yes']]))).toThrow(/enable\.idempotence=yes: expected true or false/);
  });

  test('unknown keys warn as Kafka does; serializers are accepted quietly', () => {
    const { warnings } = parseProducerProps(new Map([['value.serializer', 'x'], ['fancy.knob', '1']]));
    expect(warnings).toEqual(["The configuration 'fancy.knob' was supplied but isn't a known config."]);
  });

  test('security settings are the command\'s (it builds the connection security from them), not unknown keys', () => {
    const props = new Map([['security.protocol', 'SASL_SSL'], ['ssl.truststore.location', '/ca.pem'], ['sasl.mechanism', 'PLAIN'], ['sasl.jaas.config', 'x']]);
    expect(parseProducerProps(props).warnings).toEqual([]);
    expect([...props.keys()].every(isSecurityProperty)).toBe(true);
    expect(isSecurityProperty('acks')).toBe(false);
  });
});

describe('payloads', () => {
  test('generated payload: the given size of upper-case letters', () => {
    const p = randomPayload(1000);
    expect(p.length).toBe(1000);
    expect(/^[A-Z]+$/.test(p.toString('latin1'))).toBe(true);
  });

  test('payload file split by the delimiter, empty pieces dropped', () => {
    expect(splitPayloads('a\nbb\n\nccc\n', '\n').map(String)).toEqual(['a', 'bb', 'ccc']);
    expect(splitPayloads('x|y', '|').map(String)).toEqual(['x', 'y']);
    expect(splitPayloads('\n\n', '\n')).toEqual([]);
  });
});

describe('fast batch encoder', () => {
  test('records written in place decode with the shared decoder, CRC valid', () => {
    const compression = CompressionType.None;
    const buf = Buffer.alloc(4096);
    const values = [Buffer.from('A'), Buffer.alloc(0), Buffer.alloc(300, 0x42), Buffer.from('last')];
    let pos = 61;
    values.forEach((v, i) => {
      pos = writeRecord(buf, pos, i * 70, i, v);
      expect(pos).toBeGreaterThan(0);
    });
    finishBatch(buf, pos, { compression, count: values.length, baseTs: 1_700_000_000_000, maxTs: 1_700_000_000_210 });
    const recs = decodeBatchRecordsSync(buf.subarray(0, pos));
    expect(recs.map((r) => r.value)).toEqual(values);
    expect(recs.map((r) => r.key)).toEqual([null, null, null, null]);
    expect(recs.map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n]);
    expect(recs.map((r) => r.timestamp)).toEqual([0n, 70n, 140n, 210n].map((d) => 1_700_000_000_000n + d));
    expect(checkBatch(buf, 0, pos)).toBe(pos);
  });

  test('an idempotent batch carries its producer id, epoch and base sequence in the signed header', () => {
    const buf = Buffer.alloc(256);
    const pos = writeRecord(buf, 61, 0, 0, Buffer.from('v'));
    finishBatch(buf, pos, { compression: CompressionType.None, count: 1, baseTs: 1, maxTs: 1, stamp: { producerId: 4242n, producerEpoch: 3, baseSequence: 17 } });
    expect(readBatchHeader(buf)).toMatchObject({ producerId: 4242n, producerEpoch: 3, baseSequence: 17 });
    expect(buf.readBigInt64BE(43)).toBe(4242n);
    expect(buf.readInt16BE(51)).toBe(3);
    expect(buf.readInt32BE(53)).toBe(17);
    expect(checkBatch(buf, 0, pos)).toBe(pos);
    finishBatch(buf, pos, { compression: CompressionType.None, count: 1, baseTs: 1, maxTs: 1 });
    expect(readBatchHeader(buf)).toMatchObject({ producerId: -1n, producerEpoch: -1, baseSequence: -1 });
  });

  test('a record that does not fit returns -1 and writes nothing past the end', () => {
    const buf = Buffer.alloc(80, 0xee);
    expect(writeRecord(buf, 61, 0, 0, Buffer.alloc(30))).toBe(-1);
    expect(buf.subarray(61).every((x) => x === 0xee)).toBe(true);
  });
});
