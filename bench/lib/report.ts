// Turns one `npm run bench` result (BenchResults) into the terminal summary table, SVG charts rendered with
// Apache ECharts' server-side renderer, and a Markdown report beside them; pure apart from writing into outDir.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as echarts from 'echarts';
import type { BenchResults, Goal, Metric, Scenario } from './results';

type EvaluatedGoal = Goal & { met: boolean; value: number };

// ---------------------------------------------------------------------------------------------------------------
// Number formatting

/** Three significant digits, thousands separators from 1,000 up; '—' for a missing (NaN/infinite) figure. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return '—';
  if (v === 0) return '0';
  const rounded = Number(v.toPrecision(3));
  if (Math.abs(rounded) >= 1000) return Math.round(rounded).toLocaleString('en-US');
  return String(rounded);
}

function withUnit(v: number, unit: string): string {
  const n = formatNumber(v);
  return unit && n !== '—' ? `${n} ${unit}` : n;
}

function goalTarget(g: Goal, unit: string): string {
  return `${g.op === '<=' ? '≤' : '≥'} ${withUnit(g.target, g.metric === 'ratio' ? '' : unit)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Summary table (terminal and Markdown share the rows)

const HEADERS = ['Scenario', 'Metric', 'Median', 'Min–max', 'Raw limit', 'Ratio', 'Goal', 'Met?'];

/** Goals of a scenario grouped by the metric row they belong on ('ratio' goals sit on the compared metric). */
function goalsByRow(s: Scenario): Map<string, EvaluatedGoal[]> {
  const names = Object.keys(s.metrics);
  const out = new Map<string, EvaluatedGoal[]>();
  for (const g of s.goals ?? []) {
    let row = g.metric === 'ratio' ? s.vsRaw?.metric : g.metric;
    // A goal naming no metric of this scenario still shows, on its first row, rather than vanishing.
    if (row === undefined || !names.includes(row)) row = names[0] ?? '';
    out.set(row, [...(out.get(row) ?? []), g]);
  }
  return out;
}

/** One row per scenario metric, then one per raw limit; `label` picks how a scenario is named in the first column. */
function summaryRows(results: BenchResults, label: (s: Scenario) => string): string[][] {
  const rows: string[][] = [];
  for (const s of results.scenarios) {
    const goals = goalsByRow(s);
    const entries = Object.entries(s.metrics);
    if (entries.length === 0) {
      rows.push([label(s), '(no data)', '—', '—', '—', '—', '—', '—']);
      continue;
    }
    for (const [name, m] of entries) {
      let rawCell = '';
      let ratioCell = '';
      if (s.vsRaw && s.vsRaw.metric === name) {
        const raw = results.raw[s.vsRaw.rawKey];
        rawCell = raw ? `${withUnit(raw.median, raw.unit)} (${s.vsRaw.rawKey})` : `? (${s.vsRaw.rawKey})`;
        ratioCell = formatNumber(s.vsRaw.ratio);
      }
      const gs = goals.get(name) ?? [];
      rows.push([
        label(s),
        name,
        withUnit(m.median, m.unit),
        `${formatNumber(m.min)}–${formatNumber(m.max)}`,
        rawCell,
        ratioCell,
        gs.map((g) => `${g.metric === 'ratio' ? 'ratio ' : ''}${goalTarget(g, m.unit)} (${g.source})`).join('; '),
        gs.map((g) => (g.met ? 'yes' : 'NO')).join('; '),
      ]);
    }
  }
  for (const [key, r] of Object.entries(results.raw)) {
    rows.push([`raw: ${key}`, r.title, withUnit(r.median, r.unit), `${formatNumber(r.min)}–${formatNumber(r.max)}`, '', '', '', '']);
  }
  return rows;
}

/** Plain-text table for the terminal, columns padded to align; numeric columns right-aligned. */
export function summaryTable(results: BenchResults): string {
  const rows = [HEADERS, ...summaryRows(results, (s) => s.id)];
  const widths = HEADERS.map((_, c) => Math.max(...rows.map((r) => [...(r[c] ?? '')].length)));
  const rightAligned = new Set([2, 3, 4, 5]);
  const line = (r: string[]): string =>
    r
      .map((cell, c) => {
        const pad = ' '.repeat((widths[c] ?? 0) - [...cell].length);
        return rightAligned.has(c) ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(HEADERS), rule, ...rows.slice(1).map(line)].join('\n');
}

const mdCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function markdownTable(headers: string[], rows: string[][]): string {
  return [
    `| ${headers.map(mdCell).join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Charts

const RAW_COLOUR = '#9a9a9a';
const PALETTE = ['#3b6fd4', '#e07b39', '#3a9e5c', '#c0433f', '#7d5bbf', '#2b9aa8', '#b5892e', '#d45d9a'];
const WIDTH = 960;

function renderSvg(option: echarts.EChartsOption, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height });
  try {
    chart.setOption({ animation: false, backgroundColor: '#ffffff', ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

interface BarItem { label: string; metric: Metric; raw?: boolean }

/**
 * Horizontal bars of medians, each with a whisker over its min–max range and, right of the whisker, the median
 * and range as text (drawn by the custom series so a short bar never hides its label).
 */
function barChart(title: string, unit: string, items: BarItem[]): string {
  const height = 110 + 44 * items.length;
  const finite = (v: number): number => (Number.isFinite(v) ? v : 0);
  const labels = items.map((i) => `${formatNumber(i.metric.median)}  (${formatNumber(i.metric.min)}–${formatNumber(i.metric.max)})`);
  return renderSvg(
    {
      title: { text: title, left: 'center', textStyle: { fontSize: 15 } },
      // Fixed margins rather than containLabel: server-side text measurement is approximate.
      grid: { left: 350, right: 200, top: 44, bottom: 40 },
      xAxis: { type: 'value', name: unit, nameLocation: 'middle', nameGap: 26 },
      yAxis: {
        type: 'category',
        inverse: true, // first item on top, in the order given
        data: items.map((i) => i.label),
        axisLabel: { width: 330, overflow: 'truncate' },
      },
      series: [
        {
          type: 'bar',
          barMaxWidth: 28,
          data: items.map((i, idx) => ({
            value: finite(i.metric.median),
            itemStyle: { color: i.raw ? RAW_COLOUR : PALETTE[idx % PALETTE.length] },
          })),
        },
        {
          type: 'custom',
          encode: { x: [1, 2], y: 0 },
          data: items.map((i, idx) => [idx, finite(i.metric.min), finite(i.metric.max)]),
          z: 10,
          renderItem: (params, api) => {
            const y = api.value(0);
            const lo = api.coord([api.value(1), y]);
            const hi = api.coord([api.value(2), y]);
            const [x1, cy] = [lo[0] ?? 0, lo[1] ?? 0];
            const x2 = hi[0] ?? 0;
            const style = { stroke: '#222222', lineWidth: 1.5 };
            return {
              type: 'group',
              children: [
                { type: 'line', shape: { x1, y1: cy, x2, y2: cy }, style },
                { type: 'line', shape: { x1, y1: cy - 6, x2: x1, y2: cy + 6 }, style },
                { type: 'line', shape: { x1: x2, y1: cy - 6, x2, y2: cy + 6 }, style },
                {
                  type: 'text',
                  x: x2 + 8,
                  y: cy,
                  style: { text: labels[params.dataIndex] ?? '', fill: '#222222', fontSize: 12, verticalAlign: 'middle' },
                },
              ],
            };
          },
        },
      ],
    },
    height,
  );
}

/** The metric holding a throughput in MiB/s: named 'MB/s', else the first whose unit says so. */
function throughputMetric(s: Scenario): Metric | undefined {
  return s.metrics['MB/s'] ?? Object.values(s.metrics).find((m) => /^Mi?B\/s(ec)?$/i.test(m.unit));
}

function throughputItems(r: BenchResults): BarItem[] {
  const items: BarItem[] = [];
  for (const s of r.scenarios) {
    if (s.kind !== 'produce' && s.kind !== 'consume') continue;
    const m = throughputMetric(s);
    if (m) items.push({ label: s.title, metric: m });
  }
  for (const key of ['tcpToFile', 'fileToTcp']) {
    const raw = r.raw[key];
    if (raw) items.push({ label: `raw limit: ${raw.title}`, metric: raw, raw: true });
  }
  return items;
}

function recordItems(r: BenchResults): BarItem[] {
  return r.scenarios.flatMap((s) => {
    const m = s.metrics['records/s'];
    return s.kind === 'produce' && m ? [{ label: s.title, metric: m }] : [];
  });
}

/** Start-up and failover times, converted to ms when recorded in seconds. */
function timingItems(r: BenchResults): BarItem[] {
  const items: BarItem[] = [];
  for (const s of r.scenarios) {
    if (s.kind !== 'startup' && s.kind !== 'failover') continue;
    for (const [name, m] of Object.entries(s.metrics)) {
      const scale = m.unit === 'ms' ? 1 : m.unit === 's' ? 1000 : undefined;
      if (scale === undefined) continue;
      const metric: Metric = { unit: 'ms', median: m.median * scale, min: m.min * scale, max: m.max * scale, samples: m.samples.map((x) => x * scale) };
      items.push({ label: `${s.title}: ${name}`, metric });
    }
  }
  return items;
}

/** p (percent) to "nines" = log10(1 / (1 - p/100)); p = 100 (the maximum) is drawn at 99.999 so it stays finite. */
export function nines(p: number): number {
  const q = Math.min(p, 99.999);
  return Math.log10(1 / (1 - q / 100));
}

function latencyChart(r: BenchResults): string | undefined {
  const curves = r.scenarios.filter((s) => (s.latencyCurve?.length ?? 0) > 0);
  if (curves.length === 0) return undefined;
  const series = curves.map((s, idx) => ({
    type: 'line' as const,
    name: s.title,
    showSymbol: true,
    symbolSize: 5,
    color: PALETTE[idx % PALETTE.length],
    data: [...(s.latencyCurve ?? [])].sort((a, b) => a.p - b.p).map((pt) => [nines(pt.p), pt.ms]),
  }));
  const xs = series.flatMap((s) => s.data.map((d) => d[0] ?? 0));
  const ms = series.flatMap((s) => s.data.map((d) => d[1] ?? 0)).filter((v) => v > 0);
  const xMax = Math.max(2, Math.ceil(Math.max(...xs) - 1e-9));
  const hasMax = curves.some((s) => s.latencyCurve?.some((pt) => pt.p >= 100));
  const ticks = [Math.log10(2), ...Array.from({ length: xMax }, (_, i) => i + 1)];
  // Tails often span orders of magnitude; a log y axis keeps the median visible next to them.
  const logY = ms.length > 0 && Math.max(...ms) / Math.min(...ms) > 50;
  return renderSvg(
    {
      title: { text: 'End-to-end latency by percentile', left: 'center', textStyle: { fontSize: 15 } },
      legend: { bottom: 4, left: 60, orient: 'vertical' }, // one line per curve: titles are long
      grid: { left: 60, right: 40, top: 44, bottom: 56 + 22 * curves.length },
      xAxis: {
        type: 'value',
        min: 0,
        max: xMax,
        name: 'percentile',
        nameLocation: 'middle',
        nameGap: 26,
        axisLabel: {
          customValues: ticks,
          formatter: (v: number) => (hasMax && Math.abs(v - nines(100)) < 1e-9 ? 'max' : String(Number((100 * (1 - 10 ** -v)).toPrecision(6)))),
        },
        axisTick: { customValues: ticks },
        splitLine: { show: true },
      },
      yAxis: { type: logY ? 'log' : 'value', name: 'ms', nameLocation: 'end' },
      series,
    },
    380 + 22 * curves.length,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown

function markdown(r: BenchResults, charts: Array<{ file: string; alt: string }>): string {
  const out: string[] = [];
  const started = new Date(r.startedAt);
  const when = Number.isNaN(started.getTime()) ? r.startedAt : `${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const m = r.machine;
  out.push(`# Brook benchmark report — ${when}`, '');
  out.push(
    `Machine: ${m.cpus} × ${m.cpuModel}, ${formatNumber(m.memGiB)} GiB RAM, Node ${m.node}, ${m.os}. ` +
      `Each run repeated ${r.repeats}×; figures are the median with min–max. Run took ${formatNumber(r.durationS)} s ` +
      `(${r.startedAt} → ${r.finishedAt}).`,
    '',
  );
  out.push('Reproduce with `npm run bench` from the repository root (raw JSON in `bench/results/`).', '');
  out.push('MB means MiB (2^20 bytes), as in Kafka\'s perf tools. "Ratio" is the scenario figure over the raw limit it names.', '');

  out.push('## Summary', '', markdownTable(HEADERS, summaryRows(r, (s) => s.title)), '');

  if (charts.length > 0) {
    out.push('## Charts', '');
    for (const c of charts) out.push(`![${c.alt}](${c.file})`, '');
  }

  out.push('## Goals', '');
  const goals = r.scenarios.flatMap((s) => (s.goals ?? []).map((g) => ({ s, g })));
  if (goals.length === 0) out.push('No goals were evaluated in this run.', '');
  else {
    out.push(`${goals.filter((x) => x.g.met).length} of ${goals.length} goals met.`, '');
    for (const { s, g } of goals) {
      const unit = g.metric === 'ratio' ? '' : (s.metrics[g.metric]?.unit ?? '');
      out.push(
        `- **${g.met ? 'met' : 'missed'}** — ${s.title}: ${g.text} — measured ${withUnit(g.value, unit)}, ` +
          `target ${g.metric} ${goalTarget(g, unit)} (source ${g.source})`,
      );
    }
    out.push('');
  }

  out.push('## Raw limits', '');
  out.push(
    'Measured in the same run by forked processes on loopback, without a broker: what the machine allows. ' +
      'The file-to-TCP source reads a freshly written file, so it is a page-cache read limit.',
    '',
  );
  out.push(
    markdownTable(
      ['Key', 'What', 'Median', 'Min', 'Max', 'Samples'],
      Object.entries(r.raw).map(([k, v]) => [k, v.title, withUnit(v.median, v.unit), formatNumber(v.min), formatNumber(v.max), v.samples.map(formatNumber).join(', ')]),
    ),
    '',
  );

  out.push('## Scenarios', '');
  for (const s of r.scenarios) {
    out.push(`### ${s.title}`, '', `\`${s.id}\` · ${s.kind}`, '');
    if (s.command) out.push('```sh', s.command, '```', '');
    if (s.notes) out.push(s.notes, '');
    const metrics = Object.entries(s.metrics);
    if (metrics.length > 0) {
      out.push(
        markdownTable(
          ['Metric', 'Unit', 'Median', 'Min', 'Max', 'Samples'],
          metrics.map(([n, x]) => [n, x.unit, formatNumber(x.median), formatNumber(x.min), formatNumber(x.max), x.samples.map(formatNumber).join(', ')]),
        ),
        '',
      );
    } else out.push('No figures were recorded.', '');
    if (s.vsRaw) {
      const raw = r.raw[s.vsRaw.rawKey];
      out.push(
        `Against raw limit \`${s.vsRaw.rawKey}\`${raw ? ` (${withUnit(raw.median, raw.unit)})` : ''}: ${s.vsRaw.metric} ratio ${formatNumber(s.vsRaw.ratio)}.`,
        '',
      );
    }
    if (s.latencyCurve && s.latencyCurve.length > 0) {
      const pts = [...s.latencyCurve].sort((a, b) => a.p - b.p);
      out.push('Latency curve of the median run:', '', markdownTable(['Percentile', 'ms'], pts.map((pt) => [String(pt.p), formatNumber(pt.ms)])), '');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * Writes report.md and the charts that have data (throughput.svg always when any throughput or raw limit exists;
 * records.svg, latency.svg, timings.svg when their scenarios are present) into outDir, creating it.
 */
export async function renderReport(results: BenchResults, outDir: string): Promise<{ markdownPath: string; chartPaths: string[] }> {
  await fs.mkdir(outDir, { recursive: true });
  const charts: Array<{ file: string; alt: string; svg: string }> = [];
  const tp = throughputItems(results);
  if (tp.length > 0) charts.push({ file: 'throughput.svg', alt: 'Throughput (MB/s) next to raw limits', svg: barChart('Throughput, median with min–max (MB/s = MiB/s)', 'MB/s', tp) });
  const rec = recordItems(results);
  if (rec.length > 0) charts.push({ file: 'records.svg', alt: 'Produce records per second', svg: barChart('Produce records/s, median with min–max', 'records/s', rec) });
  const lat = latencyChart(results);
  if (lat) charts.push({ file: 'latency.svg', alt: 'Latency percentile curves', svg: lat });
  const tim = timingItems(results);
  if (tim.length > 0) charts.push({ file: 'timings.svg', alt: 'Start-up and failover times', svg: barChart('Start-up and failover times, median with min–max', 'ms', tim) });

  const chartPaths: string[] = [];
  for (const c of charts) {
    const p = path.join(outDir, c.file);
    await fs.writeFile(p, c.svg);
    chartPaths.push(p);
  }
  const markdownPath = path.join(outDir, 'report.md');
  await fs.writeFile(markdownPath, markdown(results, charts));
  return { markdownPath, chartPaths };
}
