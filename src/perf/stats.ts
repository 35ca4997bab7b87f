// Kafka's producer-perf-test statistics: per-window lines every reporting interval, a final line with latency
// percentiles from a sample of at most 500,000 records, and the exact output formats (MB meaning MiB).

const MIB = 1024 * 1024;

export interface WindowStats {
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
}

export interface PerfSummary {
  records: number;
  elapsedMs: number;
  recordsPerSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  /** The latency sample (ms), sorted ascending: for percentile curves. */
  sortedLatenciesMs: Float64Array;
  windows: WindowStats[];
}

/** Java's %.Nf for finite numbers; NaN and infinities print as Java does. */
export function javaFixed(v: number, digits: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  return v.toFixed(digits);
}

/** `%d records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, %.1f ms max latency.` */
export function formatWindow(w: WindowStats): string {
  return `${w.records} records sent, ${javaFixed(w.recordsPerSec, 1)} records/sec (${javaFixed(w.mbPerSec, 2)} MB/sec), ${javaFixed(w.avgLatencyMs, 1)} ms avg latency, ${javaFixed(w.maxLatencyMs, 1)} ms max latency.`;
}

/** `%d records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max latency, %d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th.` */
export function formatSummary(s: Omit<PerfSummary, 'sortedLatenciesMs' | 'windows' | 'elapsedMs'>): string {
  return `${s.records} records sent, ${javaFixed(s.recordsPerSec, 6)} records/sec (${javaFixed(s.mbPerSec, 2)} MB/sec), ${javaFixed(s.avgLatencyMs, 2)} ms avg latency, ${javaFixed(s.maxLatencyMs, 2)} ms max latency, ${s.p50} ms 50th, ${s.p95} ms 95th, ${s.p99} ms 99th, ${s.p999} ms 99.9th.`;
}

/** The patterns Kafka's own output is parsed with; the tests hold Brook's output to them. */
export const WINDOW_LINE = /^(\d+) records sent, (\d+\.\d) records\/sec \((\d+\.\d{2}) MB\/sec\), (\d+\.\d|NaN) ms avg latency, (\d+\.\d) ms max latency\.$/;
export const SUMMARY_LINE = /^(\d+) records sent, (\d+\.\d{6}) records\/sec \((\d+\.\d{2}) MB\/sec\), (\d+\.\d{2}|NaN) ms avg latency, (\d+\.\d{2}) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th\.$/;

/** Kafka's percentile rule on an ascending sample: the element at index (int)(p * size); 0 for an empty sample. */
export function valueAtPercentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

/** The same, printed as Kafka's tools print latencies: whole milliseconds. */
export function percentileOf(sorted: ArrayLike<number>, p: number): number {
  return Math.floor(valueAtPercentile(sorted, p));
}

/**
 * Record statistics without per-record objects: callers report ranges of consecutive records (iterations)
 * enqueued at one time and batches completed at one time; every `sampling`-th record's latency is kept.
 */
export class PerfStats {
  private readonly sampling: number;
  private readonly sendTimes: Float64Array;
  private readonly latencies: Float64Array;
  private index = 0;
  private startAt = 0;
  private count = 0;
  private bytes = 0;
  private totalLatency = 0;
  private maxLatency = 0;
  private windowStart = 0;
  private windowCount = 0;
  private windowBytes = 0;
  private windowTotalLatency = 0;
  private windowMaxLatency = 0;
  private readonly windows: WindowStats[] = [];

  constructor(numRecords: number, private readonly reportingIntervalMs: number, private readonly print: (line: string) => void) {
    const n = Math.max(1, numRecords);
    this.sampling = Math.floor(n / Math.min(n, 500_000));
    this.sendTimes = new Float64Array(Math.floor(n / this.sampling) + 1);
    this.latencies = new Float64Array(Math.floor(n / this.sampling) + 1);
  }

  start(t: number): void {
    this.startAt = t;
    this.windowStart = t;
  }

  /** Records [first, first+n) were handed to the producer at time t (ms). */
  enqueued(first: number, n: number, t: number): void {
    for (let k = Math.ceil(first / this.sampling); k * this.sampling < first + n; k++) this.sendTimes[k] = t;
  }

  /** Records [first, first+n) were acknowledged at t; sumEnqueue and minEnqueue summarise their enqueue times. */
  completed(first: number, n: number, bytes: number, t: number, sumEnqueue: number, minEnqueue: number): void {
    const total = n * t - sumEnqueue;
    const max = t - minEnqueue;
    this.count += n;
    this.bytes += bytes;
    this.totalLatency += total;
    this.maxLatency = Math.max(this.maxLatency, max);
    this.windowCount += n;
    this.windowBytes += bytes;
    this.windowTotalLatency += total;
    this.windowMaxLatency = Math.max(this.windowMaxLatency, max);
    for (let k = Math.ceil(first / this.sampling); k * this.sampling < first + n; k++) {
      if (this.index < this.latencies.length) this.latencies[this.index++] = t - (this.sendTimes[k] as number);
    }
    if (t - this.windowStart >= this.reportingIntervalMs) {
      this.printWindow(t);
      this.windowStart = t;
      this.windowCount = 0;
      this.windowBytes = 0;
      this.windowTotalLatency = 0;
      this.windowMaxLatency = 0;
    }
  }

  private printWindow(t: number): void {
    const elapsed = Math.max(t - this.windowStart, 1e-3);
    const w: WindowStats = {
      records: this.windowCount,
      recordsPerSec: (1000 * this.windowCount) / elapsed,
      mbPerSec: (1000 * this.windowBytes) / elapsed / MIB,
      avgLatencyMs: this.windowTotalLatency / this.windowCount,
      maxLatencyMs: this.windowMaxLatency,
    };
    this.windows.push(w);
    this.print(formatWindow(w));
  }

  /** Prints and returns the final summary. */
  finish(t: number): PerfSummary {
    const elapsedMs = Math.max(t - this.startAt, 1e-3);
    const sorted = this.latencies.slice(0, this.index).sort();
    const s: PerfSummary = {
      records: this.count,
      elapsedMs,
      recordsPerSec: (1000 * this.count) / elapsedMs,
      mbPerSec: (1000 * this.bytes) / elapsedMs / MIB,
      avgLatencyMs: this.totalLatency / this.count,
      maxLatencyMs: this.maxLatency,
      p50: percentileOf(sorted, 0.5),
      p95: percentileOf(sorted, 0.95),
      p99: percentileOf(sorted, 0.99),
      p999: percentileOf(sorted, 0.999),
      sortedLatenciesMs: sorted,
      windows: this.windows,
    };
    this.print(formatSummary(s));
    return s;
  }
}
