// Shared shapes of a `npm run bench` run (what bench/run.ts writes to bench/results/<timestamp>.json) and the
// small statistics every scenario uses to turn repeated samples into a median with its min-max range.

export interface Metric { unit: string; median: number; min: number; max: number; samples: number[] }
export interface Goal { text: string; /** metric name in this scenario, or 'ratio' */ metric: string; op: '<=' | '>='; target: number; source: string /* e.g. "#6" */ }
export interface Scenario {
  id: string;                 // 'produce-rf1-acks1-1k'
  title: string;              // 'Produce, 1 broker, RF 1, acks=1, 1 KiB records'
  kind: 'produce' | 'consume' | 'latency' | 'startup' | 'failover' | 'other';
  metrics: Record<string, Metric>;          // e.g. { 'MB/s': ..., 'records/s': ..., 'p99 ms': ... }
  /** Comparison with a raw limit measured in the same run. */
  vsRaw?: { metric: string; rawKey: string; ratio: number };
  /** Latency percentile curve of the median run: p in (0,100], ms. */
  latencyCurve?: Array<{ p: number; ms: number }>;
  goals?: Array<Goal & { met: boolean; value: number }>;
  command?: string;           // the brook command line used, for reproduction
  notes?: string;
}
export interface BenchResults {
  version: 1;
  startedAt: string; finishedAt: string; durationS: number;
  machine: { cpus: number; cpuModel: string; memGiB: number; node: string; os: string };
  repeats: number;
  raw: Record<string, Metric & { title: string }>;   // keys 'tcpToFile', 'fileToTcp', 'fsync'
  scenarios: Scenario[];
}

/**
 * Median (lower middle for an even count, so the median is always a value that was really measured), min and
 * max of repeated samples. An empty sample list gives NaN figures rather than throwing, so one failed scenario
 * still leaves a report.
 */
export function summarise(samples: number[], unit: string): Metric {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) return { unit, median: NaN, min: NaN, max: NaN, samples: [...samples] };
  return {
    unit,
    median: sorted[Math.floor((sorted.length - 1) / 2)] as number,
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    samples: [...samples],
  };
}

/** Nearest-rank style percentile of an ascending array: element floor(p/100 * n), clamped to the array. NaN if empty. */
export function percentile(sortedAsc: number[], p: number): number {
  const n = sortedAsc.length;
  if (n === 0) return NaN;
  const i = Math.min(n - 1, Math.max(0, Math.floor((p / 100) * n)));
  return sortedAsc[i] as number;
}
