// Reading the brokers' Prometheus text exposition (format 0.0.4): samples, counter sums, rates between two scrapes
// and histogram means and quantiles. Pure functions; the scraping itself is in metrics.ts.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function parseValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const v = Number(text);
  if (text === '' || Number.isNaN(v)) throw new Error(`not a number: "${text}"`);
  return v;
}

/** The labels of `{a="x",b="y"}` starting at `pos` (just after the brace); returns them and the index after `}`. */
function parseLabels(line: string, pos: number): { labels: Record<string, string>; next: number } {
  const labels: Record<string, string> = {};
  let i = pos;
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return { labels, next: i + 1 };
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
    if (!m) throw new Error(`bad label name at column ${i + 1}`);
    i += m[0].length;
    while (line[i] === ' ') i++;
    if (line[i] !== '=' || line[i + 1] !== '"') throw new Error(`expected ="..." after label ${m[0]}`);
    i += 2;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) throw new Error(`unterminated value of label ${m[0]}`);
      i++;
      if (c === '"') break;
      if (c === '\\') {
        const e = line[i++];
        value += e === 'n' ? '\n' : e ?? '';
      } else value += c;
    }
    labels[m[0]] = value;
  }
}

/**
 * Every sample of a text exposition. Comment and blank lines are skipped; a malformed line is skipped too (one bad
 * line from a broker should not blank a whole chart), and counted in `skipped`.
 */
export function parsePrometheusText(text: string): { samples: Sample[]; skipped: number } {
  const samples: Sample[] = [];
  let skipped = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    try {
      const m = NAME.exec(line);
      if (!m) throw new Error('no metric name');
      let i = m[0].length;
      let labels: Record<string, string> = {};
      if (line[i] === '{') ({ labels, next: i } = parseLabels(line, i + 1));
      // Value, then an optional timestamp in ms.
      const fields = line.slice(i).trim().split(/\s+/);
      samples.push({ name: m[0], labels, value: parseValue(fields[0] ?? '') });
    } catch {
      skipped++;
    }
  }
  return { samples, skipped };
}

/**
 * The sum of a metric's samples whose labels match `where`, or null when there are none. When some samples of the
 * metric carry no `topic` label they are the all-topics total (as Kafka's BrokerTopicMetrics without a topic), and
 * only those are summed, so the per-topic ones are not counted twice.
 */
export function sumMetric(samples: Sample[], name: string, where: Record<string, string> = {}): number | null {
  const matching = samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v));
  if (matching.length === 0) return null;
  const totals = matching.filter((s) => !('topic' in s.labels));
  const use = totals.length > 0 && totals.length < matching.length ? totals : matching;
  return use.reduce((acc, s) => acc + (Number.isFinite(s.value) ? s.value : 0), 0);
}

/** Per-second rate of a counter between two readings; null when either is missing or the counter reset. */
export function counterRate(prev: number | null, cur: number | null, seconds: number): number | null {
  if (prev === null || cur === null || seconds <= 0 || cur < prev) return null;
  return (cur - prev) / seconds;
}

export interface Histogram {
  sum: number;
  count: number;
  /** Cumulative counts by upper bound, ascending, +Inf last. */
  buckets: Array<{ le: number; count: number }>;
}

/** A histogram's series grouped by one label (e.g. `request`), each the sum over its other labels (e.g. versions). */
export function histogramsBy(samples: Sample[], base: string, label: string): Map<string, Histogram> {
  const out = new Map<string, Histogram>();
  const get = (key: string): Histogram => {
    let h = out.get(key);
    if (!h) out.set(key, (h = { sum: 0, count: 0, buckets: [] }));
    return h;
  };
  for (const s of samples) {
    const key = s.labels[label] ?? '';
    if (s.name === `${base}_sum`) get(key).sum += s.value;
    else if (s.name === `${base}_count`) get(key).count += s.value;
    else if (s.name === `${base}_bucket` && s.labels.le !== undefined) {
      const h = get(key);
      const le = parseValue(s.labels.le);
      const b = h.buckets.find((x) => x.le === le);
      if (b) b.count += s.value;
      else h.buckets.push({ le, count: s.value });
    }
  }
  for (const h of out.values()) h.buckets.sort((a, b) => a.le - b.le);
  return out;
}

/** All of `hs` merged into one histogram (bucket bounds matched by value). */
export function mergeHistograms(hs: Iterable<Histogram>): Histogram {
  const m: Histogram = { sum: 0, count: 0, buckets: [] };
  for (const h of hs) {
    m.sum += h.sum;
    m.count += h.count;
    for (const b of h.buckets) {
      const x = m.buckets.find((y) => y.le === b.le);
      if (x) x.count += b.count;
      else m.buckets.push({ ...b });
    }
  }
  m.buckets.sort((a, b) => a.le - b.le);
  return m;
}

/** What was observed between two readings of a histogram (cur - prev); null after a reset. */
export function histogramDelta(prev: Histogram | undefined, cur: Histogram): Histogram | null {
  if (!prev) return cur;
  if (cur.count < prev.count) return null;
  return {
    sum: cur.sum - prev.sum,
    count: cur.count - prev.count,
    buckets: cur.buckets.map((b) => ({ le: b.le, count: b.count - (prev.buckets.find((x) => x.le === b.le)?.count ?? 0) })),
  };
}

/**
 * The q-quantile (0..1) of a histogram by linear interpolation inside the bucket that holds it, as PromQL's
 * histogram_quantile does; null when it observed nothing. A quantile in the +Inf bucket is the highest finite bound.
 */
export function histogramQuantile(h: Histogram, q: number): number | null {
  const total = h.buckets.length > 0 ? h.buckets[h.buckets.length - 1]!.count : 0;
  if (total <= 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return prevLe;
      const inBucket = b.count - prevCount;
      return inBucket <= 0 ? b.le : prevLe + ((b.le - prevLe) * (rank - prevCount)) / inBucket;
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

/** Mean of a histogram's observations, or null when it has none. */
export function histogramMean(h: Histogram): number | null {
  return h.count > 0 ? h.sum / h.count : null;
}
