// The web console's HTTP server (node:http): the static front end from ./static and a JSON API over the cluster's
// wire protocol and metrics endpoints. Mutating calls need a JSON body and a same-origin request, and on a loopback
// address the Host header must name loopback (so a web page elsewhere cannot drive it through DNS rebinding).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { AdminClient, AdminError } from '../client';
import { rootLogger } from '../util/logger';
import { alterTopicConfigs, createTopic, deleteTopic, overview, topicDetail, validateCreateTopic, type CreateTopicInput } from './cluster';
import { GroupMonitor } from './groups';
import { browse, parseBrowseQuery } from './messages';
import { MetricsMonitor, type MetricsUrlOption } from './metrics';
import { toJson } from './render';

export interface ConsoleOptions {
  bootstrapServer: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  metricsUrls?: MetricsUrlOption[];
  /** How often group lag and broker metrics are polled while the console is in use. */
  pollIntervalMs?: number;
}

export interface RunningConsole {
  url: string;
  close(): Promise<void>;
}

/** Where the front end's files are: next to this module, in src/ (ts-node) and in dist/ (copied by the build). */
export const STATIC_DIR = path.join(__dirname, 'static');

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

const log = rootLogger.child({ module: 'console' });

export const isLoopback = (host: string): boolean => LOOPBACK_NAMES.has(host) || /^127\./.test(host);

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'send application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 1024 * 1024) throw new HttpError(413, 'body too large');
    chunks.push(c as Buffer);
  }
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'the body is not a JSON object');
  }
}

export async function startConsole(opts: ConsoleOptions): Promise<RunningConsole> {
  const host = opts.host ?? '127.0.0.1';
  let staticFiles: Set<string>;
  try {
    staticFiles = new Set(readdirSync(STATIC_DIR));
  } catch {
    throw new Error(`the console's front end is missing (${STATIC_DIR}): run npm run build`);
  }
  const admin = await AdminClient.connect(opts.bootstrapServer, { clientId: 'brook-console', requestTimeoutMs: 10_000, connectTimeoutMs: 3000, retryDeadlineMs: 10_000 });
  const groups = new GroupMonitor(admin, opts.pollIntervalMs ?? 2000);
  const metrics = new MetricsMonitor(admin, opts.metricsUrls ?? [], opts.pollIntervalMs ?? 2000);
  groups.start();
  metrics.start();

  const api = async (req: IncomingMessage, url: URL): Promise<unknown> => {
    const parts = url.pathname.split('/').slice(2).map(decodeURIComponent); // after "/api"
    const method = req.method ?? 'GET';
    const route = `${method} ${parts[0] ?? ''}${parts.length > 1 ? '/:x' : ''}${parts.length > 2 ? `/${parts[2]}` : ''}`;
    switch (route) {
      case 'GET overview': return overview(admin);
      case 'GET topics/:x': return topicDetail(admin, parts[1]!);
      case 'POST topics': {
        const body = await readJson(req);
        const input = { name: body.name, partitions: Number(body.partitions), replicationFactor: Number(body.replicationFactor), configs: body.configs ?? {} } as CreateTopicInput;
        const bad = validateCreateTopic(input);
        if (bad) throw new HttpError(400, bad);
        await createTopic(admin, input);
        return { created: input.name };
      }
      case 'DELETE topics/:x':
        await deleteTopic(admin, parts[1]!);
        return { deleted: parts[1] };
      case 'POST topics/:x/configs': {
        const body = await readJson(req);
        const set = (body.set ?? {}) as Record<string, unknown>;
        const remove = (body.delete ?? []) as unknown[];
        if (typeof set !== 'object' || Object.values(set).some((v) => typeof v !== 'string') || !Array.isArray(remove) || remove.some((k) => typeof k !== 'string')) {
          throw new HttpError(400, 'expected { "set": { name: value }, "delete": [name] }');
        }
        await alterTopicConfigs(admin, parts[1]!, set as Record<string, string>, remove as string[]);
        return { altered: parts[1] };
      }
      case 'GET groups': return groups.list();
      case 'GET groups/:x': {
        const g = await groups.describe(parts[1]!);
        if (!g) throw new HttpError(404, `group '${parts[1]}' not found`);
        return g;
      }
      case 'GET messages': {
        const q = parseBrowseQuery(url.searchParams);
        if (typeof q === 'string') throw new HttpError(400, q);
        return browse(admin, q);
      }
      case 'GET controller': return metrics.controllerEvents();
      case 'GET metrics': return metrics.snapshot();
      default: throw new HttpError(404, `no API ${method} ${url.pathname}`);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (isLoopback(host) && !isLoopback(hostHeader)) throw new HttpError(403, 'this console answers only to loopback host names');
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'GET') {
        const origin = req.headers.origin;
        if (origin !== undefined && origin !== `http://${req.headers.host}`) throw new HttpError(403, 'cross-origin changes are refused');
      }
      try {
        send(res, 200, toJson(await api(req, url)));
      } catch (e) {
        if (e instanceof HttpError) throw e;
        // Cluster-side refusals (topic exists, bad config, ...) are the user's to read, not server faults.
        if (e instanceof AdminError) throw new HttpError(422, e.message);
        throw e;
      }
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'GET only');
    const name = url.pathname === '/' ? 'index.html' : url.pathname.replace(/^\/static\//, '');
    if (!staticFiles.has(name)) throw new HttpError(404, 'not found');
    send(res, 200, await readFile(path.join(STATIC_DIR, name), 'utf8'), TYPES[path.extname(name)] ?? 'application/octet-stream');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (status === 500) log.warn({ err: e, url: req.url }, 'console request failed');
      if (!res.headersSent) send(res, status, toJson({ error: (e as Error).message }));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8080, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  if (!isLoopback(host)) log.warn({ host }, 'the console listens beyond loopback and has no login: anyone who can reach it can create and delete topics');
  return {
    url,
    close: async () => {
      groups.stop();
      metrics.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      admin.close();
    },
  };
}
