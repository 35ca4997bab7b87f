// Every start-up failure ends with one clear message and a non-zero exit code, and touches nothing else.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, freePort, startCluster, type TestCluster } from '../harness';

jest.setTimeout(120_000);

const BROOK = path.join(REPO_ROOT, 'bin', 'brook');

function runBroker(props: Record<string, string>, extraArgs: string[] = [], timeoutMs = 30_000): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-badcfg-'));
  const file = path.join(dir, 'server.properties');
  fs.writeFileSync(file, Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BROOK, 'server-start', file, ...extraArgs], { env: { ...process.env, BROOK_LOG_LEVEL: 'warn' } });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`broker did not exit within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ code, stderr, stdout });
    });
  });
}

describe('broker start-up failures', () => {
  let cluster: TestCluster;
  let tmp: string;

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 1 });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-badcfg-dirs-'));
  });
  afterAll(async () => {
    await cluster?.teardown();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const good = async (id: number): Promise<Record<string, string>> => ({
    'broker.id': String(id),
    listeners: `PLAINTEXT://127.0.0.1:${await freePort()}`,
    'zookeeper.connect': cluster.zkConnect,
    'log.dirs': path.join(tmp, `b${id}-${Math.random().toString(36).slice(2)}`),
  });

  it('reports every invalid property at once and exits 1', async () => {
    const r = await runBroker({ 'num.partitions': '0', 'min.insync.replicas': 'two', listeners: 'nonsense' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Invalid broker configuration');
    expect(r.stderr).toContain('broker.id is required');
    expect(r.stderr).toContain('zookeeper.connect is required');
    expect(r.stderr).toContain('num.partitions must be at least 1, got 0');
    expect(r.stderr).toContain('min.insync.replicas must be an integer, got "two"');
  });

  it('reports a malformed --override', async () => {
    const r = await runBroker(await good(50), ['--override', 'nonsense']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--override "nonsense" must look like key=value');
  });

  it('reports a missing config file', async () => {
    const child = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, [BROOK, 'server-start', '/no/such/server.properties']);
      let stderr = '';
      c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      c.on('exit', (code) => resolve({ code, stderr }));
    });
    expect(child.code).toBe(1);
    expect(child.stderr).toContain('cannot read config file /no/such/server.properties: ENOENT');
  });

  it('gives up on an unreachable ZooKeeper after zookeeper.connection.timeout.ms', async () => {
    const props = { ...(await good(51)), 'zookeeper.connect': `127.0.0.1:${await freePort()}`, 'zookeeper.connection.timeout.ms': '1500' };
    const t0 = Date.now();
    const r = await runBroker(props);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not connect to ZooKeeper at 127\.0\.0\.1:\d+ within 1500 ms/);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('refuses a broker id that a live broker already holds', async () => {
    const r = await runBroker(await good(1));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('broker.id 1 is already registered in ZooKeeper by another live broker');
  });

  it('refuses a listener port that is already in use', async () => {
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    try {
      const r = await runBroker({ ...(await good(52)), listeners: `PLAINTEXT://127.0.0.1:${port}` });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('listener port is already in use');
    } finally {
      blocker.close();
    }
  });

  it('refuses a log dir it cannot write', async () => {
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, 'x');
    const r = await runBroker({ ...(await good(53)), 'log.dirs': path.join(file, 'logs') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`log dir ${path.join(file, 'logs')} is not writable`);
  });

  it('refuses a log dir that belongs to another broker id', async () => {
    const props = await good(54);
    fs.mkdirSync(props['log.dirs']!, { recursive: true });
    fs.writeFileSync(path.join(props['log.dirs']!, 'meta.properties'), 'version=0\nbroker.id=7\n');
    const r = await runBroker(props);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`log dir ${props['log.dirs']} belongs to broker.id 7 but this broker is 54`);
    // Nothing else was written into the foreign log dir.
    expect(fs.readdirSync(props['log.dirs']!)).toEqual(['meta.properties']);
  });
});
