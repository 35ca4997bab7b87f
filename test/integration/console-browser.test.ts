// The web console in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core) against a real
// 3-broker cluster: the `brook console` process, brokers and controller on the first page, a topic created from the
// UI found by `brook topics --list`, a group's lag falling to 0 as a consumer catches up, messages browsed by offset
// and by timestamp, and a kill -9 turning partitions under-replicated in the UI within 10 s. Screenshots of each
// page go to test-output/console/ (git-ignored).
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT, runBrook, startCluster, waitFor, type TestCluster } from '../harness';
import { CHROMIUM, CHROMIUM_ARGS, startConsoleProcess } from './util/console';

jest.setTimeout(240_000);

/** What the tests read of a DOM element (this file compiles without the DOM library). */
interface Attrs { getAttribute(name: string): string | null }

const SHOTS = path.join(REPO_ROOT, 'test-output', 'console');

let cluster: TestCluster;
let consoleProc: ChildProcess;
let consoleUrl: string;
let context: BrowserContext;
let page: Page;
let userDataDir: string;
let kafka: Kafka;
let producer: Producer;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  cluster = await startCluster({ brokers: 3 });
  await cluster.waitForController();
  ({ proc: consoleProc, url: consoleUrl } = await startConsoleProcess(cluster.bootstrap));
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
  page = context.pages()[0] ?? await context.newPage();
  kafka = new Kafka({ clientId: 'console-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
  producer = kafka.producer();
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect().catch(() => undefined);
  await context?.close().catch(() => undefined);
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  consoleProc?.kill('SIGTERM');
  await cluster?.teardown();
});

test('the first page shows the 3 brokers, all live, and marks the active controller', async () => {
  const controller = await cluster.waitForController();
  await page.goto(consoleUrl);
  await page.waitForSelector('tr[data-broker]');
  await waitFor(async () => (await page.locator('tr[data-broker] .badge.live').count()) === 3, { timeoutMs: 10_000, what: '3 live brokers' });
  const ids = await page.locator('tr[data-broker]').evaluateAll((rows) => rows.map((r) => Number((r as unknown as Attrs).getAttribute('data-broker'))));
  expect(ids.sort()).toEqual([...cluster.brokers.keys()].sort());
  const marked = await page.locator('tr[data-broker]:has(.badge.controller)').getAttribute('data-broker');
  expect(Number(marked)).toBe(controller);
  expect(await page.locator('#controller-id').textContent()).toBe(String(controller));
  await shot('01-brokers-and-topics');
});

test('a topic created from the UI is listed by brook topics --list', async () => {
  await page.goto(consoleUrl + '#/');
  await page.fill('#create-topic input[name=name]', 'made-in-ui');
  await page.fill('#create-topic input[name=partitions]', '6');
  await page.fill('#create-topic input[name=replicationFactor]', '3');
  await page.fill('#create-topic input[name=configs]', 'retention.ms=3600000');
  await page.click('#create-topic button[type=submit]');
  await page.waitForSelector('#create-result:text("created made-in-ui")', { timeout: 30_000 });
  const listed = await waitFor(async () => {
    const r = await runBrook(['topics', '--bootstrap-server', cluster.bootstrap, '--list']);
    return r.stdout.split('\n').includes('made-in-ui') ? r.stdout : undefined;
  }, { timeoutMs: 15_000, what: 'made-in-ui in brook topics --list' });
  expect(listed.split('\n')).toContain('made-in-ui');
  await page.waitForSelector('tr[data-topic="made-in-ui"]', { timeout: 10_000 });
  // Its page: 6 partitions with 3 replicas each, and the config set at creation.
  await page.click('tr[data-topic="made-in-ui"] a');
  await waitFor(async () => (await page.locator('tr[data-partition]').count()) === 6 && (await page.locator('tr[data-partition].urp').count()) === 0, { timeoutMs: 15_000, what: '6 fully replicated partitions' });
  expect(await page.locator('tr[data-config="retention.ms"] td').nth(1).textContent()).toBe('3600000');
  await shot('02-topic');
});

test("a topic's config is edited and reset, and the topic deleted, from the UI", async () => {
  const topic = 'short-lived';
  expect((await runBrook(['topics', '--bootstrap-server', cluster.bootstrap, '--create', '--topic', topic, '--partitions', '2', '--replication-factor', '1'])).code).toBe(0);
  const dynamic = async (): Promise<string> => (await runBrook(['configs', '--bootstrap-server', cluster.bootstrap, '--entity-type', 'topics', '--entity-name', topic, '--describe'])).stdout;
  await page.goto(`${consoleUrl}#/topic/${topic}`);
  await page.waitForSelector('tr[data-config="retention.ms"]');
  await page.click('tr[data-config="retention.ms"] button[data-edit]');
  await page.fill('#set-config input[name=value]', '7200000');
  await page.click('#set-config button[type=submit]');
  await page.waitForSelector('tr[data-config="retention.ms"] td:text-is("DYNAMIC_TOPIC_CONFIG")', { timeout: 15_000 });
  expect(await page.locator('tr[data-config="retention.ms"] td').nth(1).textContent()).toBe('7200000');
  expect(await dynamic()).toMatch(/retention\.ms\s+7200000\s+DYNAMIC_TOPIC_CONFIG/);
  await shot('03-topic-config-edited');
  await page.click('tr[data-config="retention.ms"] button[data-reset]');
  await page.waitForSelector('tr[data-config="retention.ms"] td:text-is("DEFAULT_CONFIG")', { timeout: 15_000 });
  expect(await dynamic()).not.toMatch(/retention\.ms/);

  page.once('dialog', (d) => void d.accept());
  await page.click('#delete-topic');
  await page.waitForFunction("location.hash === '#/'", undefined, { timeout: 30_000 });
  const listed = await waitFor(async () => {
    const r = await runBrook(['topics', '--bootstrap-server', cluster.bootstrap, '--list']);
    return r.stdout.split('\n').includes(topic) ? undefined : r.stdout;
  }, { timeoutMs: 30_000, what: `${topic} gone from brook topics --list` });
  expect(listed.split('\n')).not.toContain(topic);
});

test("a group's lag falls to 0 in the UI as its consumer catches up", async () => {
  const topic = 'lagging';
  await runBrook(['topics', '--bootstrap-server', cluster.bootstrap, '--create', '--topic', topic, '--partitions', '1', '--replication-factor', '3']);
  await producer.send({ topic, messages: Array.from({ length: 200 }, (_x, i) => ({ partition: 0, value: `m-${i}` })) });
  // The group starts at offset 0 with nothing consumed.
  const admin = kafka.admin();
  await admin.connect();
  await admin.setOffsets({ groupId: 'catching-up', topic, partitions: [{ partition: 0, offset: '0' }] });
  await admin.disconnect();

  await page.goto(consoleUrl + '#/group/catching-up');
  await page.waitForSelector('#group-total-lag:text-is("200")', { timeout: 15_000 });
  await shot('04-group-lagging');
  const seen = new Set<string>();
  const watch = setInterval(() => { void page.locator('#group-total-lag').textContent().then((t) => { if (t) seen.add(t); }, () => undefined); }, 200);
  try {
    // The consumer catches up in two steps, each committing what it read.
    for (const n of [100, 100]) {
      const r = await runBrook(['console-consumer', '--bootstrap-server', cluster.bootstrap, '--topic', topic, '--group', 'catching-up', '--max-messages', String(n)], { timeoutMs: 60_000 });
      expect(r.code).toBe(0);
    }
    await page.waitForSelector('#group-total-lag:text-is("0")', { timeout: 20_000 });
  } finally {
    clearInterval(watch);
  }
  expect(seen.has('200')).toBe(true);
  // The sparkline drew more than one reading.
  const points = await page.locator('tr[data-lag-partition="lagging:0"] svg.spark polyline').getAttribute('points');
  expect((points ?? '').trim().split(' ').length).toBeGreaterThan(1);
  expect(await page.locator('tr[data-lag-partition="lagging:0"] td.lag').textContent()).toBe('0');
  await shot('05-group-caught-up');
  await page.goto(consoleUrl + '#/groups');
  await page.waitForSelector('tr[data-group="catching-up"]');
  await shot('06-groups');
});

test('messages are browsed by offset and by timestamp, with headers, as text, JSON and hex', async () => {
  const topic = 'browsed';
  await runBrook(['topics', '--bootstrap-server', cluster.bootstrap, '--create', '--topic', topic, '--partitions', '1', '--replication-factor', '3']);
  const early = 1_700_000_000_000;
  const late = 1_700_000_100_000;
  await producer.send({ topic, messages: Array.from({ length: 10 }, (_x, i) => ({ partition: 0, key: `k${i}`, value: `early-${i}`, timestamp: String(early + i) })) });
  await producer.send({ topic, messages: Array.from({ length: 10 }, (_x, i) => ({ partition: 0, key: `k${10 + i}`, value: JSON.stringify({ n: i, kind: 'late' }), timestamp: String(late + i), headers: { trace: `t-${i}` } })) });

  await page.goto(consoleUrl + '#/messages');
  await page.fill('#browse input[name=topic]', topic);
  await page.fill('#browse input[name=partition]', '0');
  await page.selectOption('#browse select[name=mode]', 'offset');
  await page.fill('#browse input[name=at]', '5');
  await page.click('#browse button[type=submit]');
  await page.waitForSelector('#start-offset');
  expect(await page.locator('#start-offset').textContent()).toBe('5');
  const firstOffsets = await page.locator('tr[data-offset]').evaluateAll((rows) => rows.map((r) => (r as unknown as Attrs).getAttribute('data-offset')));
  expect(firstOffsets[0]).toBe('5');
  expect(firstOffsets).toHaveLength(15);
  expect(await page.locator('tr[data-offset="5"] td.value').textContent()).toBe('early-5');
  await shot('07-messages-by-offset');

  await page.selectOption('#browse select[name=mode]', 'timestamp');
  await page.fill('#browse input[name=at]', new Date(early + 50_000).toISOString());
  await page.click('#browse button[type=submit]');
  await page.waitForSelector('#start-offset:text-is("10")');
  expect(await page.locator('tr[data-offset]').first().getAttribute('data-offset')).toBe('10');
  expect(await page.locator('tr[data-offset="10"] td.value').textContent()).toBe('{"n":0,"kind":"late"}');
  expect(await page.locator('tr[data-offset="10"] td').last().textContent()).toContain('trace: t-0');
  await page.selectOption('#browse select[name=format]', 'json');
  expect(await page.locator('tr[data-offset="10"] td.value pre').textContent()).toBe('{\n  "n": 0,\n  "kind": "late"\n}');
  await page.selectOption('#browse select[name=format]', 'hex');
  expect(await page.locator('tr[data-offset="10"] td.key pre').textContent()).toBe('0000  6b 31 30');
  await shot('08-messages-by-timestamp');
  await page.selectOption('#browse select[name=format]', 'text');
});

test('the controller and metrics pages say clearly when no metrics endpoint is known', async () => {
  await page.goto(consoleUrl + '#/controller');
  const controllerText = await page.locator('#events-unavailable').textContent({ timeout: 10_000 });
  expect(controllerText).toMatch(/not available/);
  await shot('09-controller');
  await page.goto(consoleUrl + '#/metrics');
  expect(await page.locator('#metrics-unavailable').textContent({ timeout: 10_000 })).toMatch(/not available/i);
  await shot('10-metrics');
});

test('the API refuses foreign Host names, cross-origin changes and bad input, and serves only its own files', async () => {
  const { request } = await import('node:http');
  const u = new URL(consoleUrl);
  // fetch() will not set Host; node:http sends what a DNS-rebound page would.
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: '/api/overview', headers: { Host: `evil.example:${u.port}` } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end();
  });
  expect(status).toBe(403);
  const create = (body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${consoleUrl}api/topics`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  expect((await create({ name: 'x', partitions: 1, replicationFactor: 1 }, { Origin: 'http://evil.example' })).status).toBe(403);
  const bad = await create({ name: 'bad name', partitions: 1, replicationFactor: 1 });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { error: string }).error).toMatch(/topic name/);
  // The cluster's own refusal comes back as 422 with the broker's reason.
  const dup = await create({ name: 'made-in-ui', partitions: 1, replicationFactor: 1 });
  expect(dup.status).toBe(422);
  expect(((await dup.json()) as { error: string }).error).toMatch(/TOPIC_ALREADY_EXISTS/);
  expect((await fetch(`${consoleUrl}api/topics`, { method: 'POST', body: '{}' })).status).toBe(415);
  expect((await fetch(`${consoleUrl}static/../server.js`)).status).toBe(404);
  expect((await fetch(`${consoleUrl}api/nothing`)).status).toBe(404);
  expect((await fetch(`${consoleUrl}static/app.js`)).headers.get('content-type')).toMatch(/javascript/);
});

test("kill -9 of a broker turns its partitions under-replicated in the UI within 10 s", async () => {
  const controller = await cluster.waitForController();
  const victim = [...cluster.brokers.keys()].find((id) => id !== controller)!;
  await page.goto(consoleUrl + '#/topic/made-in-ui');
  await waitFor(async () => (await page.locator('tr[data-partition]').count()) === 6 && (await page.locator('tr[data-partition].urp').count()) === 0, { timeoutMs: 15_000, what: 'made-in-ui fully replicated before the kill' });
  const t0 = Date.now();
  await cluster.broker(victim).killAndWait();
  // Every partition has the victim among its 3 replicas: all 6 turn under-replicated.
  await page.waitForFunction("document.querySelectorAll('tr[data-partition].urp').length === 6", undefined, { timeout: 10_000, polling: 100 });
  const elapsed = Date.now() - t0;
  expect(elapsed).toBeLessThan(10_000);
  await shot('11-topic-under-replicated');
  await page.goto(consoleUrl + '#/');
  await page.waitForSelector(`tr[data-broker="${victim}"] .badge.dead`, { timeout: 10_000 });
  await page.waitForSelector('tr[data-topic="made-in-ui"].urp');
  await shot('12-broker-dead');
  process.stdout.write(`console: partitions of broker ${victim} shown under-replicated ${elapsed} ms after kill -9\n`);
});
