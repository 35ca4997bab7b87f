// The broker's HTTP listener (metrics.listener): Prometheus metrics, health probes for load balancers and Kubernetes,
// the controller's recent events and consumer lag as JSON for the console and `brook consumer-groups`.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../util/logger';
import type { ControllerEventRecord } from '../../controller/ControllerMetrics';
import type { GroupLag } from '../../coordinator/ConsumerLag';
import type { BrokerMetrics } from './BrokerMetrics';

/** Why the broker is not ready, or null when it is. */
export type ReadinessCheck = () => { ready: true } | { ready: false; reason: string; details?: unknown };

export interface MetricsServerOptions {
  /** `http://host:port` (port 0 picks a free one). */
  listener: string;
  brokerId: number;
  metrics: BrokerMetrics;
  readiness: ReadinessCheck;
  controllerEvents: () => { active: boolean; events: ControllerEventRecord[] };
  /** A group's lag when this broker coordinates it (after refreshing remote high watermarks), else null. */
  groupLag: (group: string) => Promise<GroupLag | null>;
  logger: Logger;
}

export function parseMetricsListener(listener: string): { host: string; port: number } {
  const m = /^http:\/\/([^/:]*):(\d{1,5})\/?$/.exec(listener);
  if (!m) throw new Error(`metrics.listener must look like http://127.0.0.1:9644, got ${listener}`);
  return { host: m[1] === '' ? '0.0.0.0' : m[1]!, port: Number(m[2]) };
}

export class MetricsServer {
  private server: http.Server | null = null;

  constructor(private readonly opts: MetricsServerOptions) {}

  /** The bound URL (with the real port when 0 was asked). */
  get url(): string | null {
    const a = this.server?.address() as AddressInfo | null | undefined;
    if (!a) return null;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}`;
  }

  async startup(): Promise<void> {
    if (this.server) return;
    const { host, port } = parseMetricsListener(this.opts.listener);
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.opts.logger.info({ url: this.url }, 'metrics listener started');
  }

  async shutdown(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = null;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'only GET\n');
      switch (url.pathname) {
        case '/metrics':
          return send(res, 200, this.opts.metrics.registry.contentType, await this.opts.metrics.scrape());
        case '/health/live':
          return sendJson(res, 200, { status: 'live', brokerId: this.opts.brokerId });
        case '/health/ready': {
          const r = this.opts.readiness();
          return r.ready ? sendJson(res, 200, { status: 'ready', brokerId: this.opts.brokerId }) : sendJson(res, 503, { status: 'not ready', brokerId: this.opts.brokerId, reason: r.reason, details: r.details });
        }
        case '/controller/events': {
          const e = this.opts.controllerEvents();
          return sendJson(res, 200, { brokerId: this.opts.brokerId, active: e.active, events: e.events });
        }
        case '/consumer-groups/lag': {
          const group = url.searchParams.get('group');
          if (!group) return sendJson(res, 400, { error: 'give ?group=<id>' });
          const lag = await this.opts.groupLag(group);
          if (!lag) return sendJson(res, 404, { error: `group '${group}' is not coordinated by broker ${this.opts.brokerId}` });
          return sendJson(res, 200, lagToJson(lag));
        }
        default:
          return sendJson(res, 404, { error: 'not found', paths: ['/metrics', '/health/live', '/health/ready', '/controller/events', '/consumer-groups/lag?group=<id>'] });
      }
    } catch (e) {
      this.opts.logger.error({ err: e, path: url.pathname }, 'metrics listener request failed');
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
      else res.destroy();
    }
  }
}

/** Offsets as JSON numbers would lose precision past 2^53: they go out as strings. */
export function lagToJson(l: GroupLag): unknown {
  return {
    group: l.group,
    status: l.status,
    totalLag: l.totalLag.toString(),
    partitions: l.partitions.map((p) => ({
      topic: p.topic,
      partition: p.partition,
      committedOffset: p.committedOffset.toString(),
      highWatermark: p.highWatermark?.toString() ?? null,
      lag: p.lag?.toString() ?? null,
      status: p.status,
      windowCommits: p.windowCommits,
    })),
  };
}

function send(res: http.ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json', JSON.stringify(body) + '\n');
}
