// The console's controller-events and metrics pages in headless Chromium, fed by a metrics endpoint that follows
// the metrics.listener contract of issue #18 (Prometheus text at /metrics with Kafka's JMX-exporter names,
// JSON at /controller/events) served by this test, next to a real 1-broker cluster. The console learns whose
// endpoint it is from /controller/events, draws bytes in/out and latency from counter and histogram deltas, and
// reports an endpoint that does not answer.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT, freePort, startCluster, type TestCluster } from '../harness';
import { CHROMIUM, CHROMIUM_ARGS, startConsoleProcess } from './util/console';

jest.setTimeout(120_000);

const SHOTS = path.join(REPO_ROOT, 'test-output', 'console');
let cluster: TestCluster;
let metrics: Server;
let scrapes = 0;
let consoleProc: ChildProcess;
let consoleUrl: string;
let context: BrowserContext;
let page: Page;
let profile: string;
let controllerId: number;

/** The exposition after `n` scrapes: counters that grow 4 KiB in and 8 KiB out per scrape, 10 Produce and 10 Fetch. */
function exposition(n: number): string {
  const lines = [
    '# TYPE kafka_server_brokertopicmetrics_bytesin_total counter',
    `kafka_server_brokertopicmetrics_bytesin_total ${4096 * n}`,
    `kafka_server_brokertopicmetrics_bytesin_total{topic="t"} ${4096 * n}`,
    `kafka_server_brokertopicmetrics_bytesout_total ${8192 * n}`,
    '# TYPE kafka_network_requestmetrics_totaltimems histogram',
  ];
  for (const [req, le1, le10] of [['Produce', 0, 10], ['Fetch', 5, 10]] as const) {
    lines.push(
      `kafka_network_requestmetrics_totaltimems_bucket{request="${req}",version="9",le="1"} ${le1 * n}`,
      `kafka_network_requestmetrics_totaltimems_bucket{request="${req}",version="9",le="10"} ${le10 * n}`,
      `kafka_network_requestmetrics_totaltimems_bucket{request="${req}",version="9",le="+Inf"} ${10 * n}`,
      `kafka_network_requestmetrics_totaltimems_sum{request="${req}",version="9"} ${35 * n}`,
      `kafka_network_requestmetrics_totaltimems_count{request="${req}",version="9"} ${10 * n}`,
    );
  }
  return lines.join('\n') + '\n';
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  cluster = await startCluster({ brokers: 1 });
  controllerId = await cluster.waitForController();
  metrics = createServer((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end(exposition(++scrapes));
    } else if (req.url === '/controller/events') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ brokerId: controllerId, active: true, events: [
        { time: Date.now() - 5000, type: 'Startup', detail: 'controller startup', durationMs: 12.5 },
        { time: Date.now() - 1000, type: 'TopicChange', detail: 'topic orders', durationMs: 3 },
      ] }));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => metrics.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(metrics.address() as AddressInfo).port}`;
  const deadPort = await freePort();
  ({ proc: consoleProc, url: consoleUrl } = await startConsoleProcess(cluster.bootstrap, ['--metrics-url', `${url}/metrics`, '--metrics-url', `7=http://127.0.0.1:${deadPort}`]));
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  page = context.pages()[0] ?? await context.newPage();
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
  consoleProc?.kill('SIGTERM');
  await new Promise<void>((r) => (metrics ? metrics.close(() => r()) : r()));
  await cluster?.teardown();
});

test("the controller page lists the active controller's recent events from its metrics listener", async () => {
  await page.goto(consoleUrl + '#/controller');
  await page.waitForSelector('tr.event');
  expect(await page.locator('tr.event').count()).toBe(2);
  // Newest first.
  expect(await page.locator('tr.event').first().textContent()).toContain('TopicChange');
  expect(await page.locator('tr.event').last().textContent()).toContain('12.5 ms');
  expect(await page.locator('#events').textContent()).toContain(`broker ${controllerId}`);
  await page.screenshot({ path: path.join(SHOTS, '13-controller-events.png'), fullPage: true });
});

test('the metrics page charts bytes in/out and request latency from successive scrapes, and flags a dead endpoint', async () => {
  await page.goto(consoleUrl + '#/metrics');
  // Two scrapes make one point; wait for a line with at least two points in each chart.
  await page.waitForFunction("[...document.querySelectorAll('#chart-bytes path, #chart-latency path, #chart-p99 path')].filter((p) => (p.getAttribute('d') || '').includes('L')).length >= 4", undefined, { timeout: 20_000, polling: 200 });
  const data = await (await fetch(`${consoleUrl}api/metrics`)).json() as { points: Array<{ bytesIn: number; bytesOut: number; latency: Record<string, { mean: number; p99: number }> }>; endpoints: Array<{ broker: number | null; up: boolean }> };
  const last = data.points[data.points.length - 1]!;
  // 4 KiB in and 8 KiB out per scrape: out is twice in, whatever the interval.
  expect(last.bytesOut / last.bytesIn).toBeCloseTo(2, 5);
  expect(last.latency.Produce!.mean).toBeCloseTo(3.5, 5);
  expect(last.latency.Fetch!.mean).toBeCloseTo(3.5, 5);
  // Only Produce and Fetch were observed: no aggregate of other request types.
  expect(last.latency['*other']).toBeUndefined();
  // Produce: all 10 observations in (1, 10]; the 99th percentile interpolates to 9.91.
  expect(last.latency.Produce!.p99).toBeCloseTo(9.91, 5);
  expect(data.endpoints).toEqual([
    expect.objectContaining({ broker: controllerId, up: true }),
    expect.objectContaining({ broker: 7, up: false }),
  ]);
  expect(await page.locator('.legend').first().textContent()).toContain('bytes in/s');
  expect(await page.locator('#metrics').textContent()).toMatch(/down/);
  await page.screenshot({ path: path.join(SHOTS, '14-metrics-charts.png'), fullPage: true });
});
