// `npm start` = `brook cluster-up`: ZooKeeper and three brokers, registered with Kafka's JSON, usable by kcat and
// kafkajs; Ctrl-C (SIGINT to the whole foreground process group, as a terminal sends it) leaves no process behind;
// starting again on the same data dir reuses the data.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { REPO_ROOT, canConnect, freePort, runBrook, waitFor } from '../harness';
import { KafkaZkClient } from '../../src/zk/KafkaZkClient';

const exec = promisify(execFile);
jest.setTimeout(240_000);

/** Processes (other than jest) whose command line mentions `needle`. */
function processesMentioning(needle: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle)) found.push(`${pid}: ${cmd.slice(0, 160)}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Three consecutive free ports (brokers 1..3 listen on base, base+1, base+2). */
async function freeBasePort(): Promise<number> {
  for (;;) {
    const base = await freePort();
    if (base > 65000) continue;
    const busy = await Promise.all([1, 2].map((i) => canConnect('127.0.0.1', base + i)));
    if (!busy.some(Boolean)) return base;
  }
}

class ClusterUp {
  readonly child: ChildProcess;
  stdout = '';
  exit: Promise<number | null>;

  constructor(readonly args: string[]) {
    // Its own process group, so "Ctrl-C" can be sent to the group as a terminal does.
    this.child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'brook'), 'cluster-up', ...args], {
      cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BROOK_LOG_LEVEL: 'info' },
    });
    this.child.stdout!.on('data', (d: Buffer) => { this.stdout += d.toString(); });
    this.child.stderr!.on('data', (d: Buffer) => { this.stdout += d.toString(); });
    this.exit = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  ready(): Promise<string> {
    return waitFor(() => {
      if (this.child.exitCode !== null) throw new Error(`cluster-up exited early:\n${this.stdout.slice(-3000)}`);
      return /\[cluster\] bootstrap servers: (\S+)/.exec(this.stdout)?.[1];
    }, { timeoutMs: 90_000, what: `cluster-up to print the bootstrap servers; output so far:\n${this.stdout.slice(-2000)}` });
  }

  ctrlC(): void {
    process.kill(-this.child.pid!, 'SIGINT');
  }

  kill(): void {
    try { process.kill(-this.child.pid!, 'SIGKILL'); } catch { /* already gone */ }
  }
}

describe('npm start (brook cluster-up)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-cluster-up-'));
  let zkPort: number;
  let basePort: number;
  let metricsBasePort: number;
  let args: string[];
  let running: ClusterUp | null = null;

  beforeAll(async () => {
    zkPort = await freePort();
    basePort = await freeBasePort();
    do metricsBasePort = await freeBasePort();
    while (Math.abs(metricsBasePort - basePort) < 3);
    args = ['--zookeeper-port', String(zkPort), '--base-port', String(basePort), '--metrics-base-port', String(metricsBasePort), '--data-dir', dataDir, '--console', '0'];
  });

  afterAll(async () => {
    running?.kill();
    // Whatever the outcome, nothing started from this data dir may outlive the test.
    for (const p of processesMentioning(dataDir)) process.kill(Number(p.split(':')[0]), 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('brings up ZooKeeper and brokers 1..3, serves kcat and kafkajs, stops cleanly on Ctrl-C and reuses its data', async () => {
    running = new ClusterUp(args);
    const bootstrap = await running.ready();
    const addresses = [0, 1, 2].map((i) => `127.0.0.1:${basePort + i}`);
    expect(bootstrap).toBe(addresses.join(','));
    // Each broker serves metrics.listener, printed with the bootstrap servers, and reports ready.
    const metricsUrls = [0, 1, 2].map((i) => `http://127.0.0.1:${metricsBasePort + i}`);
    expect(running.stdout).toContain(`[cluster] metrics: ${metricsUrls.map((u) => `${u}/metrics`).join(' ')}`);
    for (const u of metricsUrls) {
      await waitFor(async () => ((await fetch(`${u}/health/ready`).catch(() => null))?.status === 200 ? true : undefined), { timeoutMs: 30_000, what: `${u}/health/ready` });
      expect(await (await fetch(`${u}/metrics`)).text()).toContain('kafka_controller_kafkacontroller_activecontrollercount');
    }

    // /brokers/ids lists [1, 2, 3], each with Kafka 2.8's registration JSON.
    const zk = await KafkaZkClient.connect(`127.0.0.1:${zkPort}`, { sessionTimeoutMs: 10_000, connectionTimeoutMs: 15_000 });
    let clusterId: string;
    try {
      expect((await zk.zk.getChildren('/brokers/ids')).map(Number).sort()).toEqual([1, 2, 3]);
      for (const id of [1, 2, 3]) {
        const json = JSON.parse(String((await zk.zk.getData(`/brokers/ids/${id}`)).data)) as Record<string, unknown>;
        expect(json).toMatchObject({
          version: 5, host: '127.0.0.1', port: basePort + id - 1, endpoints: [`PLAINTEXT://127.0.0.1:${basePort + id - 1}`],
          listener_security_protocol_map: { PLAINTEXT: 'PLAINTEXT' }, jmx_port: -1, features: {},
        });
        expect(typeof json.timestamp).toBe('string');
      }
      clusterId = (JSON.parse(String((await zk.zk.getData('/cluster/id')).data)) as { id: string }).id;
    } finally {
      await zk.close();
    }

    // kcat sees three brokers and the controller.
    const { stdout: meta } = await exec('kcat', ['-L', '-b', addresses[0]!, '-m', '10']);
    expect(meta).toContain('3 brokers:');
    for (const [i, a] of addresses.entries()) expect(meta).toContain(`broker ${i + 1} at ${a}`);
    expect(meta).toMatch(/broker \d at 127\.0\.0\.1:\d+ \(controller\)/);

    // The web console runs too, on the printed URL, and sees the three brokers.
    const consoleUrl = await waitFor(() => /\[console\] web console: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(running!.stdout)?.[1], { timeoutMs: 15_000, what: 'the console URL line' });
    const overview = await (await fetch(`${consoleUrl}api/overview`)).json() as { brokers: Array<{ id: number; live: boolean }> };
    expect(overview.brokers.map((b) => [b.id, b.live])).toEqual([[1, true], [2, true], [3, true]]);

    // kafkajs creates a replication-factor-3 topic and produces with acks=-1; kcat reads it back.
    const kafka = new Kafka({ clientId: 'cluster-up-test', brokers: addresses, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'up', numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    for (let p = 0; p < 3; p++) {
      await producer.send({ topic: 'up', acks: -1, messages: Array.from({ length: 10 }, (_x, i) => ({ partition: p, value: `m-${p}-${i}` })) });
    }
    await producer.disconnect();
    const consume = async (): Promise<string[]> => (await exec('kcat', ['-C', '-b', bootstrap, '-t', 'up', '-o', 'beginning', '-e', '-q', '-f', '%s\\n']))
      .stdout.split('\n').filter((l) => l !== '').sort();
    const expected = [0, 1, 2].flatMap((p) => Array.from({ length: 10 }, (_x, i) => `m-${p}-${i}`)).sort();
    expect(await consume()).toEqual(expected);

    // Ctrl-C: everything stops, exit code 0, no process left that was started from this data dir.
    running.ctrlC();
    expect(await running.exit).toBe(0);
    expect(running.stdout).toContain('[cluster] stopped');
    await waitFor(() => processesMentioning(dataDir).length === 0, { timeoutMs: 10_000, what: `no process left: ${processesMentioning(dataDir).join('\n')}` });
    for (const port of [zkPort, ...[0, 1, 2].map((i) => basePort + i)]) expect(await canConnect('127.0.0.1', port)).toBe(false);
    // Each broker shut down cleanly.
    for (const id of [1, 2, 3]) expect(fs.existsSync(path.join(dataDir, `broker-${id}`, 'logs', '.kafka_cleanshutdown'))).toBe(true);

    // Started again on the same data dir: same cluster, same topic, same messages.
    running = new ClusterUp(args);
    expect(await running.ready()).toBe(bootstrap);
    const zk2 = await KafkaZkClient.connect(`127.0.0.1:${zkPort}`, { sessionTimeoutMs: 10_000, connectionTimeoutMs: 15_000 });
    try {
      expect((JSON.parse(String((await zk2.zk.getData('/cluster/id')).data)) as { id: string }).id).toBe(clusterId);
    } finally {
      await zk2.close();
    }
    expect(await waitFor(async () => {
      const got = await consume().catch(() => []);
      return got.length === expected.length ? got : undefined;
    }, { timeoutMs: 30_000, what: 'the 30 messages after the restart' })).toEqual(expected);
    running.ctrlC();
    expect(await running.exit).toBe(0);
    await waitFor(() => processesMentioning(dataDir).length === 0, { timeoutMs: 10_000, what: 'no process left after the second stop' });
    running = null;
  });

  test('--first-broker-id 0 numbers the brokers from 0, as Kafka\'s quickstart; a bad value exits 2', async () => {
    const bad = await runBrook(['cluster-up', '--first-broker-id', '-1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"-1" is not a broker id (an integer from 0 to 2147483647)');

    const dir = path.join(dataDir, 'first-id-0'); // below dataDir: afterAll's process sweep covers it
    running = new ClusterUp(['--brokers', '1', '--first-broker-id', '0', '--zookeeper-port', String(zkPort), '--base-port', String(basePort), '--metrics-base-port', String(metricsBasePort), '--data-dir', dir, '--no-console']);
    const bootstrap = await running.ready();
    expect(bootstrap).toBe(`127.0.0.1:${basePort}`);
    const zk = await KafkaZkClient.connect(`127.0.0.1:${zkPort}`, { sessionTimeoutMs: 10_000, connectionTimeoutMs: 15_000 });
    try {
      expect(await zk.zk.getChildren('/brokers/ids')).toEqual(['0']);
    } finally {
      await zk.close();
    }
    expect(fs.readFileSync(path.join(dir, 'broker-0', 'server.properties'), 'utf8')).toMatch(/^broker\.id=0$/m);
    const { stdout: meta } = await exec('kcat', ['-L', '-b', bootstrap, '-m', '10']);
    expect(meta).toMatch(/broker 0 at 127\.0\.0\.1:\d+ \(controller\)/);
    // broker 0 leads a partition, takes acks=-1 writes and serves them
    const bs = ['--bootstrap-server', bootstrap];
    expect((await runBrook(['topics', '--create', '--topic', 'zero', '--partitions', '1', '--replication-factor', '1', ...bs])).code).toBe(0);
    expect((await runBrook(['console-producer', '--topic', 'zero', '--acks', '-1', ...bs], { input: 'from-broker-0\n' })).code).toBe(0);
    expect((await exec('kcat', ['-C', '-b', bootstrap, '-t', 'zero', '-o', 'beginning', '-e', '-q'])).stdout.trim()).toBe('from-broker-0');
    running.ctrlC();
    expect(await running.exit).toBe(0);
    running = null;
  });
});
