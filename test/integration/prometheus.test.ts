// A real Prometheus server (Debian's prometheus package) scrapes the three brokers' metrics.listener every second,
// and a PromQL query over its HTTP API returns the bytes-in rate of a topic being produced to.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, startCluster, waitFor, type TestCluster } from '../harness';

jest.setTimeout(180_000);

const PROMETHEUS = '/usr/bin/prometheus';

interface PromResult {
  status: string;
  data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

describe('Prometheus scraping a 3-broker cluster', () => {
  let cluster: TestCluster;
  let prom: ChildProcess | null = null;
  let promExited: Promise<void> = Promise.resolve();
  let promLog = '';
  let dir: string;
  let promUrl: string;
  const metricsPorts: number[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: install Debian's prometheus package (scripts/ensure-test-clients.sh does)`);
    for (let i = 0; i < 3; i++) metricsPorts.push(await freePort());
    cluster = await startCluster({ brokers: 3, overrides: (id) => ({ 'metrics.listener': `http://127.0.0.1:${metricsPorts[id - 1]}` }) });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-prometheus-'));
    const config = [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: brook',
      '    static_configs:',
      `      - targets: [${metricsPorts.map((p) => `'127.0.0.1:${p}'`).join(', ')}]`,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), config);
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prom = spawn(PROMETHEUS, [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    const child = prom;
    promExited = new Promise((resolve) => child.once('exit', () => resolve()));
    const keep = (b: Buffer): void => {
      promLog = (promLog + b.toString()).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
  });

  afterAll(async () => {
    if (prom && prom.exitCode === null) {
      prom.kill('SIGTERM');
      const timer = setTimeout(() => prom?.kill('SIGKILL'), 10_000);
      await promExited;
      clearTimeout(timer);
    }
    await cluster?.teardown();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const query = async (q: string): Promise<PromResult['data']['result']> => {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as PromResult;
    if (body.status !== 'success') throw new Error(`query ${q} failed: ${JSON.stringify(body)}`);
    return body.data.result;
  };

  it('scrapes every broker and rate(bytesin_total[5s]) over PromQL is positive while producing', async () => {
    await waitFor(async () => {
      if (prom?.exitCode !== null) throw new Error(`prometheus exited (${prom?.exitCode}):\n${promLog}`);
      try {
        const up = await query('up{job="brook"} == 1');
        return up.length === 3 || undefined;
      } catch {
        return undefined;
      }
    }, { timeoutMs: 60_000, what: 'Prometheus sees the three brokers up' });

    const kafka = new Kafka({ clientId: 'prom-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'prom', numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    let producing = true;
    const load = (async () => {
      for (let i = 0; producing; i++) await producer.send({ topic: 'prom', acks: 1, messages: Array.from({ length: 20 }, (_, j) => ({ key: String(j), value: `v${i}-${j}`.padEnd(200, '.') })) });
    })();
    try {
      const rate = await waitFor(async () => {
        const r = await query('sum(rate(kafka_server_brokertopicmetrics_bytesin_total{topic="prom"}[5s]))');
        const v = r[0] ? Number(r[0].value[1]) : 0;
        return v > 0 ? v : undefined;
      }, { timeoutMs: 60_000, what: 'a positive bytes-in rate from PromQL' });
      expect(rate).toBeGreaterThan(0);
      // The all-topics series and the per-broker breakdown are there as well; exactly one broker is the controller.
      const perBroker = await query('rate(kafka_server_brokertopicmetrics_bytesin_total{topic=""}[5s])');
      expect(perBroker).toHaveLength(3);
      const controllers = await query('sum(kafka_controller_kafkacontroller_activecontrollercount)');
      expect(Number(controllers[0]!.value[1])).toBe(1);
    } finally {
      producing = false;
      await load;
      await producer.disconnect();
    }
  });
});
