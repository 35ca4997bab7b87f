// Tests for the benchmark statistics (summarise, percentile), number formatting, the terminal summary table and
// the Markdown + SVG report rendered from synthetic results.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { percentile, summarise, type BenchResults, type Scenario } from '../../../bench/lib/results';
import { formatNumber, nines, renderReport, summaryTable } from '../../../bench/lib/report';

const curve = (scale: number): Array<{ p: number; ms: number }> =>
  [50, 75, 90, 95, 99, 99.9, 99.99, 100].map((p) => ({ p, ms: scale * (1 + 10 / (100.5 - p)) }));

/** Synthetic results shaped like a real run: every scenario kind, raw limits, goals met and missed. */
function syntheticResults(): BenchResults {
  const scenarios: Scenario[] = [
    {
      id: 'produce-rf1-acks1-100b',
      title: 'Produce, 1 broker, RF 1, acks=1, 100 B records',
      kind: 'produce',
      metrics: { 'MB/s': summarise([61.2, 58.9, 63.4], 'MB/s'), 'records/s': summarise([641_000, 617_000, 664_000], 'records/s') },
      vsRaw: { metric: 'MB/s', rawKey: 'tcpToFile', ratio: 0.0731 },
      command: 'brook producer-perf-test --topic bench-100b --num-records 2000000 --record-size 100 --throughput -1',
    },
    {
      id: 'produce-rf1-acks1-1k',
      title: 'Produce, 1 broker, RF 1, acks=1, 1 KiB records',
      kind: 'produce',
      metrics: { 'MB/s': summarise([402, 388, 415], 'MB/s'), 'records/s': summarise([412_000, 397_000, 425_000], 'records/s') },
      vsRaw: { metric: 'MB/s', rawKey: 'tcpToFile', ratio: 0.48 },
      goals: [{ text: 'at least half the raw TCP-to-file limit', metric: 'ratio', op: '>=', target: 0.5, source: '#6', met: false, value: 0.48 }],
    },
    {
      id: 'produce-rf3-acksall-1k',
      title: 'Produce, 3 brokers, RF 3, acks=-1, 1 KiB records',
      kind: 'produce',
      metrics: { 'MB/s': summarise([151, 139, 160], 'MB/s'), 'p99 ms': summarise([41, 38, 55], 'ms') },
      goals: [{ text: 'p99 under 100 ms', metric: 'p99 ms', op: '<=', target: 100, source: '#6', met: true, value: 41 }],
      notes: 'Leader and followers share 2 cores.',
    },
    {
      id: 'consume-1k',
      title: 'Consume, 1 broker, 1 KiB records',
      kind: 'consume',
      metrics: { 'MB/s': summarise([702, 655, 731], 'MB/s') },
      vsRaw: { metric: 'MB/s', rawKey: 'fileToTcp', ratio: 0.52 },
    },
    {
      id: 'latency-rf3-1000rps',
      title: 'Latency at 1,000 records/s, RF 3, acks=-1',
      kind: 'latency',
      metrics: { 'p50 ms': summarise([2.1, 2.0, 2.4], 'ms'), 'p99 ms': summarise([9.8, 9.1, 12.5], 'ms') },
      latencyCurve: curve(1.5),
    },
    {
      id: 'latency-rf1-1000rps',
      title: 'Latency at 1,000 records/s, RF 1, acks=1',
      kind: 'latency',
      metrics: { 'p99 ms': summarise([3.2, 3.0, 3.9], 'ms') },
      latencyCurve: curve(0.6),
    },
    {
      id: 'startup-3',
      title: 'Start-up, 3 brokers',
      kind: 'startup',
      metrics: { 'ready ms': summarise([1830, 1710, 2020], 'ms'), 'RSS MiB': summarise([92, 90, 95], 'MiB') },
      goals: [{ text: 'cluster ready within 5 s', metric: 'ready ms', op: '<=', target: 5000, source: '#2', met: true, value: 1830 }],
    },
    {
      id: 'failover-leader-kill',
      title: 'Failover after SIGKILL of a leader',
      kind: 'failover',
      metrics: { 'new leader ms': summarise([6.4, 6.1, 7.0], 's') },
    },
  ];
  return {
    version: 1,
    startedAt: '2025-01-02T03:04:05.000Z',
    finishedAt: '2025-01-02T03:14:05.000Z',
    durationS: 600,
    machine: { cpus: 2, cpuModel: 'Test CPU @ 3.0GHz', memGiB: 7.7, node: 'v20.19.0', os: 'Linux 6.1 x64' },
    repeats: 3,
    raw: {
      tcpToFile: { ...summarise([837, 812, 874], 'MB/s'), title: 'TCP-to-file sink' },
      fileToTcp: { ...summarise([1342, 1290, 1388], 'MB/s'), title: 'file-to-TCP source (page cache)' },
      fsync: { ...summarise([5066, 4870, 5210], 'fsync/s'), title: 'fdatasync of 4 KiB appends' },
    },
    scenarios,
  };
}

describe('summarise', () => {
  it.each([
    { samples: [5], median: 5, min: 5, max: 5 },
    { samples: [3, 1, 2], median: 2, min: 1, max: 3 },
    { samples: [4, 1, 3, 2], median: 2, min: 1, max: 4 }, // even count: lower middle
    { samples: [10, 10, 30, 20, 50, 40], median: 20, min: 10, max: 50 },
    { samples: [-1.5, 2.25], median: -1.5, min: -1.5, max: 2.25 },
  ])('$samples → median $median, min $min, max $max', ({ samples, median, min, max }) => {
    const m = summarise(samples, 'MB/s');
    expect(m).toEqual({ unit: 'MB/s', median, min, max, samples });
  });

  it('keeps the samples in measurement order and does not reorder the caller array', () => {
    const input = [3, 1, 2];
    const m = summarise(input, 'ms');
    expect(m.samples).toEqual([3, 1, 2]);
    expect(input).toEqual([3, 1, 2]);
    expect(m.samples).not.toBe(input);
  });

  it('gives NaN figures for no samples', () => {
    const m = summarise([], 'ms');
    expect([m.median, m.min, m.max].every(Number.isNaN)).toBe(true);
  });
});

describe('percentile', () => {
  const tens = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
  it.each([
    [0, 10],
    [10, 20],
    [50, 60], // index floor(0.5 * 10) = 5
    [89.9, 90],
    [90, 100],
    [99, 100],
    [100, 100], // clamped to the last element
    [-5, 10], // clamped to the first element
  ])('p%p of 10..100 is %p', (p, want) => {
    expect(percentile(tens, p)).toBe(want);
  });

  it('handles one and zero elements', () => {
    expect(percentile([7], 99.9)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('formatNumber', () => {
  it.each([
    [0, '0'],
    [61.234, '61.2'],
    [402.4, '402'],
    [0.012345, '0.0123'],
    [1342.7, '1,340'],
    [641_234, '641,000'],
    [-2.345, '-2.35'],
    [NaN, '—'],
    [Infinity, '—'],
  ])('%p → %p', (v, want) => {
    expect(formatNumber(v)).toBe(want);
  });
});

describe('nines', () => {
  it('maps percentiles to a log scale of 1/(1-p) and keeps the maximum finite', () => {
    expect(nines(50)).toBeCloseTo(Math.log10(2), 12);
    expect(nines(90)).toBeCloseTo(1, 12);
    expect(nines(99.9)).toBeCloseTo(3, 9);
    expect(nines(100)).toBeCloseTo(5, 6);
  });
});

describe('summaryTable', () => {
  it('has a header, a rule and one row per scenario metric and raw limit', () => {
    const r = syntheticResults();
    const lines = summaryTable(r).split('\n');
    const metricRows = r.scenarios.flatMap((s) => Object.keys(s.metrics).map((m) => ({ id: s.id, m })));
    const rawRows = Object.keys(r.raw);
    expect(lines).toHaveLength(2 + metricRows.length + rawRows.length);
    expect(lines[0]).toMatch(/^Scenario\s+Metric\s+Median\s+Min–max\s+Raw limit\s+Ratio\s+Goal\s+Met\?$/);
    metricRows.forEach(({ id, m }, i) => {
      const line = lines[2 + i] ?? '';
      expect(line.startsWith(id)).toBe(true);
      expect(line).toContain(m);
    });
    rawRows.forEach((k, i) => expect(lines[2 + metricRows.length + i]).toMatch(new RegExp(`^raw: ${k}\\s`)));
  });

  it('shows the raw limit and ratio on the compared metric and each goal on its own metric row', () => {
    const lines = summaryTable(syntheticResults()).split('\n');
    const row = (id: string, metric: string): string => lines.find((l) => l.startsWith(`${id} `) && l.includes(` ${metric} `)) ?? '';
    expect(row('produce-rf1-acks1-1k', 'MB/s')).toMatch(/402 MB\/s\s+388–415\s+837 MB\/s \(tcpToFile\)\s+0\.48\s+ratio ≥ 0\.5 \(#6\)\s+NO$/);
    expect(row('produce-rf1-acks1-1k', 'records/s')).not.toMatch(/tcpToFile|#6/);
    expect(row('produce-rf3-acksall-1k', 'p99 ms')).toMatch(/≤ 100 ms \(#6\)\s+yes$/);
    expect(row('consume-1k', 'MB/s')).toContain('1,340 MB/s (fileToTcp)');
  });

  it('lists a scenario without figures on one row rather than dropping it', () => {
    const r = syntheticResults();
    r.scenarios = [{ id: 'broken', title: 'Broken run', kind: 'other', metrics: {} }];
    const lines = summaryTable(r).split('\n');
    expect(lines.filter((l) => l.startsWith('broken'))).toHaveLength(1);
  });
});

describe('renderReport', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-report-test-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes report.md and the four charts as SVG', async () => {
    const r = syntheticResults();
    const out = await renderReport(r, path.join(dir, 'nested'));
    expect(out.markdownPath).toBe(path.join(dir, 'nested', 'report.md'));
    expect(out.chartPaths.map((p) => path.basename(p))).toEqual(['throughput.svg', 'records.svg', 'latency.svg', 'timings.svg']);
    for (const p of out.chartPaths) {
      const svg = fs.readFileSync(p, 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    }
    const md = fs.readFileSync(out.markdownPath, 'utf8');
    expect(md).toMatch(/^# Brook benchmark report — 2025-01-02 03:04 UTC\n/);
    expect(md).toContain('npm run bench');
    expect(md).toContain('2 × Test CPU @ 3.0GHz');
    for (const p of out.chartPaths) expect(md).toContain(`](${path.basename(p)})`);
    for (const s of r.scenarios) {
      expect(md).toContain(`### ${s.title}`);
      expect(md).toContain(`\`${s.id}\``);
    }
    expect(md).toContain(r.scenarios[0]?.command ?? 'missing');
    expect(md).toContain('Leader and followers share 2 cores.');
    // every sample appears in the per-scenario details
    expect(md).toContain('| records/s | records/s | 641,000 | 617,000 | 664,000 | 641,000, 617,000, 664,000 |');
  });

  it('lists every goal as met or missed with its value and source', async () => {
    const { markdownPath } = await renderReport(syntheticResults(), dir);
    const md = fs.readFileSync(markdownPath, 'utf8');
    const goals = md.slice(md.indexOf('## Goals'), md.indexOf('## Raw limits'));
    expect(goals).toContain('2 of 3 goals met.');
    expect(goals).toMatch(/\*\*missed\*\* — Produce, 1 broker, RF 1, acks=1, 1 KiB records: .*measured 0\.48, target ratio ≥ 0\.5 \(source #6\)/);
    expect(goals).toMatch(/\*\*met\*\* — Start-up, 3 brokers: .*measured 1,830 ms, target ready ms ≤ 5,000 ms \(source #2\)/);
  });

  it('has a summary table and a raw limits table in Markdown', async () => {
    const r = syntheticResults();
    const { markdownPath } = await renderReport(r, dir);
    const md = fs.readFileSync(markdownPath, 'utf8');
    const summary = md.slice(md.indexOf('## Summary'), md.indexOf('## Charts'));
    const rows = summary.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Scenario') && !l.startsWith('| ---'));
    expect(rows).toHaveLength(r.scenarios.reduce((n, s) => n + Object.keys(s.metrics).length, 0) + Object.keys(r.raw).length);
    const raw = md.slice(md.indexOf('## Raw limits'), md.indexOf('## Scenarios'));
    expect(raw).toContain('| fsync | fdatasync of 4 KiB appends | 5,070 fsync/s | 4,870 | 5,210 | 5,070, 4,870, 5,210 |');
  });

  it('labels the charts with medians, ranges and the nines axis', async () => {
    const { chartPaths } = await renderReport(syntheticResults(), dir);
    const read = (name: string): string => fs.readFileSync(chartPaths.find((p) => p.endsWith(name)) ?? '', 'utf8');
    const throughput = read('throughput.svg');
    expect(throughput).toContain('402  (388–415)');
    expect(throughput).toContain('raw limit: TCP-to-file sink');
    const latency = read('latency.svg');
    for (const tick of ['>50<', '>90<', '>99<', '>99.9<', '>99.99<', '>max<']) expect(latency).toContain(tick);
    // seconds are converted to ms on the timings chart
    expect(read('timings.svg')).toContain('6,400  (6,100–7,000)');
  });

  it('escapes pipes in Markdown cells', async () => {
    const r = syntheticResults();
    r.scenarios = [{ id: 'pipe', title: 'A | B', kind: 'other', metrics: { 'x|y': { unit: 'ms', median: 1, min: 1, max: 1, samples: [1] } } }];
    const md = fs.readFileSync((await renderReport(r, dir)).markdownPath, 'utf8');
    expect(md).toContain('| A \\| B | x\\|y | 1 ms |');
  });

  it('draws only the charts it has data for', async () => {
    const onlyRaw: BenchResults = { ...syntheticResults(), scenarios: [] };
    expect((await renderReport(onlyRaw, path.join(dir, 'a'))).chartPaths.map((p) => path.basename(p))).toEqual(['throughput.svg']);
    const nothing: BenchResults = { ...onlyRaw, raw: {} };
    const out = await renderReport(nothing, path.join(dir, 'b'));
    expect(out.chartPaths).toEqual([]);
    const md = fs.readFileSync(out.markdownPath, 'utf8');
    expect(md).not.toContain('## Charts');
    expect(md).toContain('No goals were evaluated in this run.');
  });
});
