// The web console's first page with 1,000 partitions: time from navigation to the first frame painted with the
// brokers and topics (the page's own performance mark, read in headless Chromium), the topic page listing all 1,000
// partitions, and the /api/overview call alone. 3 brokers, one topic of 1,000 partitions RF 3, Debian's Chromium
// driven by playwright-core with a fresh profile; each run loads the page in a new tab.
// Run: npx ts-node --transpile-only bench/console.ts [--runs 5] [--partitions 1000] [--json]   (or: npm run bench -- console)
process.env.BROOK_LOG_LEVEL ??= 'warn';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { startConsole } from '../src/console';
import { runBrook, startCluster, waitFor } from '../test/harness';

const args = process.argv.slice(2);
const RUNS = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 5;
const PARTITIONS = args.includes('--partitions') ? Number(args[args.indexOf('--partitions') + 1]) : 1000;
const json = args.includes('--json');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const GOAL_MS = 1000;

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)] ?? NaN; };
const r1 = (x: number): number => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const cluster = await startCluster({ brokers: 3 });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-bench-chromium-'));
  let close: (() => Promise<void>) | null = null;
  const browser = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
  try {
    const create = await runBrook(['topics', '--bootstrap-server', cluster.bootstrap, '--create', '--topic', 'bench-console', '--partitions', String(PARTITIONS), '--replication-factor', '3'], { timeoutMs: 120_000 });
    if (create.code !== 0) throw new Error(`creating the topic failed: ${create.stderr}`);
    const c = await startConsole({ bootstrapServer: cluster.bootstrap, port: 0 });
    close = c.close;
    // Every partition led and fully replicated, as the console will show it.
    await waitFor(async () => {
      const o = await (await fetch(`${c.url}api/overview`)).json() as { topics: Array<{ name: string; partitions: number; underReplicated: number; offline: number }> };
      const t = o.topics.find((x) => x.name === 'bench-console');
      return t && t.partitions === PARTITIONS && t.underReplicated === 0 && t.offline === 0 ? true : undefined;
    }, { timeoutMs: 60_000, what: `${PARTITIONS} partitions led and fully replicated` });

    const api: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const r = await fetch(`${c.url}api/overview`);
      await r.text();
      api.push(performance.now() - t0);
    }
    const firstPage: number[] = [];
    const topicPage: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      for (const [hash, mark, rows, out] of [['#/', 'overview', 'tr[data-topic="bench-console"]', firstPage], ['#/topic/bench-console', 'topic', 'tr[data-partition]', topicPage]] as const) {
        const page = await browser.newPage();
        await page.goto(c.url + hash);
        await page.waitForFunction(`performance.getEntriesByName('brook:rendered:${mark}').length > 0`, undefined, { timeout: 30_000, polling: 10 });
        const ms = await page.evaluate(`performance.getEntriesByName('brook:rendered:${mark}')[0].startTime`) as number;
        // The data really is on the page: the brokers and the topic, or every partition row.
        if (mark === 'overview') {
          if ((await page.locator('tr[data-broker]').count()) !== 3 || (await page.locator(rows).count()) !== 1) throw new Error('first page without its brokers and topic');
        } else if ((await page.locator(rows).count()) !== PARTITIONS) throw new Error(`topic page shows ${await page.locator(rows).count()} of ${PARTITIONS} partitions`);
        out.push(ms);
        await page.close();
      }
    }
    const result = {
      partitions: PARTITIONS, runs: RUNS,
      firstPageMs: firstPage.map(r1), firstPageMsMedian: r1(median(firstPage)), firstPageMsMax: r1(Math.max(...firstPage)),
      topicPageMs: topicPage.map(r1), topicPageMsMedian: r1(median(topicPage)), topicPageMsMax: r1(Math.max(...topicPage)),
      apiOverviewMs: api.map(r1), apiOverviewMsMedian: r1(median(api)),
      goalMs: GOAL_MS,
    };
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      process.stdout.write(`web console, ${PARTITIONS} partitions RF 3 on 3 brokers (${RUNS} runs, medians; max)\n`);
      const row = (label: string, value: string): void => { process.stdout.write(`  ${label.padEnd(56)}: ${value}\n`); };
      row('first page (brokers + topics painted, from navigation)', `${result.firstPageMsMedian} ms (max ${result.firstPageMsMax})  goal < ${GOAL_MS} ms`);
      row(`topic page (all ${PARTITIONS} partition rows painted)`, `${result.topicPageMsMedian} ms (max ${result.topicPageMsMax})`);
      row('GET /api/overview alone', `${result.apiOverviewMsMedian} ms`);
    }
  } finally {
    await browser.close().catch(() => undefined);
    fs.rmSync(profile, { recursive: true, force: true });
    await close?.().catch(() => undefined);
    await cluster.teardown();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
