// The brokers' metrics endpoints as the console uses them: where each broker serves them (its `metrics.listener`
// config read with DescribeConfigs, or --metrics-url), periodic scrapes of `/metrics` turned into bytes in/out
// rates and request latencies, and the active controller's `/controller/events`.
import type { AdminClient } from '../client';
import { rootLogger } from '../util/logger';
import { brokerMetricsListener } from './cluster';
import {
  counterRate, histogramDelta, histogramMean, histogramQuantile, histogramsBy, mergeHistograms, parsePrometheusText, sumMetric,
  type Histogram,
} from './prometheus';

export const BYTES_IN = 'kafka_server_brokertopicmetrics_bytesin_total';
export const BYTES_OUT = 'kafka_server_brokertopicmetrics_bytesout_total';
export const REQUEST_TOTAL_TIME = 'kafka_network_requestmetrics_totaltimems';
/** The latency key of every request type but Produce and Fetch, merged. */
export const OTHER_REQUESTS = '*other';

const log = rootLogger.child({ module: 'console-metrics' });

/** `--metrics-url` as given: `http://h:p` (its broker learned from /controller/events) or `<brokerId>=http://h:p`. */
export interface MetricsUrlOption {
  brokerId: number | null;
  url: string;
}

export function parseMetricsUrlOption(text: string): MetricsUrlOption {
  const m = /^(?:(\d+)=)?(https?:\/\/\S+)$/.exec(text.trim());
  if (!m) throw new Error(`--metrics-url "${text}": expected http://host:port or <brokerId>=http://host:port`);
  return { brokerId: m[1] === undefined ? null : Number(m[1]), url: normaliseMetricsUrl(m[2]!, null) };
}

/**
 * The base URL of a metrics listener: no trailing slash or `/metrics`; a wildcard host (0.0.0.0, ::) replaced by the
 * broker's own host, as the listener then answers on every address.
 */
export function normaliseMetricsUrl(value: string, brokerHost: string | null): string {
  const u = new URL(value.trim());
  if (brokerHost !== null && (u.hostname === '0.0.0.0' || u.hostname === '[::]' || u.hostname === '')) u.hostname = brokerHost;
  return u.toString().replace(/\/+$/, '').replace(/\/metrics$/, '');
}

export interface MetricsPoint {
  time: number;
  /** Bytes per second over the interval before `time`, summed over the brokers that answered twice in a row. */
  bytesIn: number | null;
  bytesOut: number | null;
  /** Request latency over the interval per request type, and OTHER_REQUESTS for the rest merged, in ms. */
  latency: Record<string, { mean: number | null; p99: number | null; count: number }>;
}

export interface MetricsSnapshot {
  available: boolean;
  reason: string | null;
  endpoints: Array<{ broker: number | null; url: string; up: boolean; error: string | null; missing: string[] }>;
  points: MetricsPoint[];
}

interface Scrape {
  time: number;
  bytesIn: number | null;
  bytesOut: number | null;
  requests: Map<string, Histogram>;
}

export async function getText(url: string, timeoutMs: number): Promise<string> {
  let r: Response;
  try {
    r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, a timeout...) is in its cause.
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`${url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
  }
  if (!r.ok) throw new Error(`${url} answered HTTP ${r.status}`);
  return r.text();
}

export class MetricsMonitor {
  private readonly urls = new Map<number, string>();
  private readonly unbound: string[] = [];
  private lastDiscovery = 0;
  private readonly prev = new Map<string, Scrape>();
  private readonly status = new Map<string, { broker: number | null; up: boolean; error: string | null; missing: string[] }>();
  private readonly points: MetricsPoint[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastUse = Date.now();

  constructor(private readonly admin: AdminClient, given: MetricsUrlOption[], private readonly intervalMs = 2000, private readonly capacity = 150) {
    for (const g of given) {
      if (g.brokerId === null) this.unbound.push(g.url);
      else this.urls.set(g.brokerId, g.url);
    }
  }

  private readonly explicit = new Set<number>();

  /** Metrics URL per broker id: the given ones, then each live broker's `metrics.listener` (re-read every 30 s). */
  async endpoints(): Promise<Map<number, string>> {
    if (this.explicit.size === 0) for (const id of this.urls.keys()) this.explicit.add(id);
    if (Date.now() - this.lastDiscovery > 30_000) {
      this.lastDiscovery = Date.now();
      // URLs given without a broker id: the listener says whose it is.
      for (const url of this.unbound.splice(0)) {
        try {
          const ev = JSON.parse(await getText(`${url}/controller/events`, 2000)) as { brokerId?: unknown };
          if (typeof ev.brokerId === 'number') this.urls.set(ev.brokerId, url);
          else this.unbound.push(url);
        } catch {
          this.unbound.push(url);
        }
      }
      const meta = await this.admin.refreshMetadata();
      await Promise.all(meta.brokers.filter((b) => !this.explicit.has(b.nodeId)).map(async (b) => {
        try {
          const v = await brokerMetricsListener(this.admin, b.nodeId);
          if (v !== null) this.urls.set(b.nodeId, normaliseMetricsUrl(v, b.host));
        } catch (e) {
          log.debug({ err: e, broker: b.nodeId }, 'reading metrics.listener failed');
        }
      }));
    }
    return this.urls;
  }

  start(): void {
    if (this.timer) return;
    const tick = (): void => {
      const work = Date.now() - this.lastUse > 120_000 ? Promise.resolve() : this.poll().catch((e: unknown) => log.debug({ err: e }, 'metrics poll failed'));
      void work.then(() => { if (this.timer) this.timer = setTimeout(tick, this.intervalMs); });
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Scrapes every known endpoint once and appends a point. */
  async poll(): Promise<void> {
    const eps = new Map<string, number | null>();
    for (const [id, url] of await this.endpoints()) eps.set(url, id);
    for (const url of this.unbound) if (!eps.has(url)) eps.set(url, null);
    const now = Date.now();
    let bytesIn: number | null = null;
    let bytesOut: number | null = null;
    const deltas: Array<Map<string, Histogram>> = [];
    await Promise.all([...eps].map(async ([url, broker]) => {
      let scrape: Scrape;
      try {
        const { samples } = parsePrometheusText(await getText(`${url}/metrics`, Math.max(1000, this.intervalMs)));
        scrape = { time: now, bytesIn: sumMetric(samples, BYTES_IN), bytesOut: sumMetric(samples, BYTES_OUT), requests: histogramsBy(samples, REQUEST_TOTAL_TIME, 'request') };
        const missing = [BYTES_IN, BYTES_OUT].filter((n) => !samples.some((s) => s.name === n));
        if (scrape.requests.size === 0) missing.push(REQUEST_TOTAL_TIME);
        this.status.set(url, { broker, up: true, error: null, missing });
      } catch (e) {
        this.status.set(url, { broker, up: false, error: (e as Error).message, missing: [] });
        this.prev.delete(url);
        return;
      }
      const before = this.prev.get(url);
      this.prev.set(url, scrape);
      if (!before) return;
      const secs = (scrape.time - before.time) / 1000;
      const rin = counterRate(before.bytesIn, scrape.bytesIn, secs);
      const rout = counterRate(before.bytesOut, scrape.bytesOut, secs);
      if (rin !== null) bytesIn = (bytesIn ?? 0) + rin;
      if (rout !== null) bytesOut = (bytesOut ?? 0) + rout;
      const d = new Map<string, Histogram>();
      for (const [req, h] of scrape.requests) {
        const delta = histogramDelta(before.requests.get(req), h);
        if (delta) d.set(req, delta);
      }
      deltas.push(d);
    }));
    if (deltas.length === 0) return;
    const latency: MetricsPoint['latency'] = {};
    const byReq = new Map<string, Histogram[]>();
    for (const d of deltas) for (const [req, h] of d) byReq.set(req, [...(byReq.get(req) ?? []), h]);
    const others: Histogram[] = [];
    for (const [req, hs] of byReq) {
      const m = mergeHistograms(hs);
      if (req !== 'Produce' && req !== 'Fetch') others.push(m);
      latency[req] = { mean: histogramMean(m), p99: histogramQuantile(m, 0.99), count: m.count };
    }
    // Fetch's time includes its long poll (fetch.max.wait.ms), so it is kept out of the aggregate of the rest.
    if (others.length > 0) {
      const m = mergeHistograms(others);
      latency[OTHER_REQUESTS] = { mean: histogramMean(m), p99: histogramQuantile(m, 0.99), count: m.count };
    }
    this.points.push({ time: now, bytesIn, bytesOut, latency });
    if (this.points.length > this.capacity) this.points.splice(0, this.points.length - this.capacity);
  }

  async snapshot(): Promise<MetricsSnapshot> {
    this.lastUse = Date.now();
    const eps = await this.endpoints();
    if (eps.size === 0 && this.unbound.length === 0) {
      return { available: false, reason: 'no metrics endpoint known: the brokers have no metrics.listener set and no --metrics-url was given', endpoints: [], points: [] };
    }
    const endpoints = [...this.status].map(([url, s]) => ({ url, ...s })).sort((a, b) => (a.broker ?? 1e9) - (b.broker ?? 1e9));
    return { available: true, reason: null, endpoints, points: [...this.points] };
  }

  /** The active controller's recent events, or why they cannot be shown. */
  async controllerEvents(): Promise<{ available: boolean; reason: string | null; controllerId: number; url: string | null; events: unknown[]; active: boolean | null }> {
    this.lastUse = Date.now();
    const meta = await this.admin.refreshMetadata();
    const id = meta.controllerId;
    const base = { controllerId: id, events: [] as unknown[], active: null };
    if (id < 0) return { ...base, available: false, reason: 'the cluster has no active controller right now', url: null };
    const url = (await this.endpoints()).get(id) ?? null;
    if (url === null) {
      return { ...base, available: false, url, reason: `not available: no metrics URL is known for broker ${id}, the active controller (set metrics.listener on the brokers or pass --metrics-url ${id}=http://host:port)` };
    }
    try {
      const body = JSON.parse(await getText(`${url}/controller/events`, 3000)) as { active?: boolean; events?: unknown[] };
      return { ...base, available: true, reason: null, url, active: body.active ?? null, events: Array.isArray(body.events) ? body.events : [] };
    } catch (e) {
      return { ...base, available: false, url, reason: `not available: ${url}/controller/events failed: ${(e as Error).message}` };
    }
  }
}
