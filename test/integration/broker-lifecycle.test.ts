// Broker process lifecycle on a real ZooKeeper: registration JSON, kill -9, pause past the session, clean stop.
import fs from 'node:fs';
import path from 'node:path';
import { startCluster, waitFor, type TestCluster } from '../harness';

jest.setTimeout(120_000);

describe('broker lifecycle', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3, sessionTimeoutMs: 4000 });
  });
  afterAll(async () => {
    await cluster?.teardown();
  });

  it('registers brokers 1..3 with Kafka 2.8 broker znode JSON', async () => {
    const zk = await cluster.zkClient();
    const brokers = await zk.getAllBrokers();
    expect(brokers.map((b) => b.id).sort()).toEqual([1, 2, 3]);
    const b1 = cluster.broker(1);
    const raw = String((await zk.zk.getData('/brokers/ids/1')).data);
    const json = JSON.parse(raw) as Record<string, unknown>;
    expect(json).toMatchObject({
      version: 5,
      host: '127.0.0.1',
      port: b1.port,
      endpoints: [`PLAINTEXT://127.0.0.1:${b1.port}`],
      listener_security_protocol_map: { PLAINTEXT: 'PLAINTEXT' },
      jmx_port: -1,
      features: {},
    });
    expect(typeof json.timestamp).toBe('string');
    expect(Number(json.timestamp)).toBeGreaterThan(Date.now() - 600_000);
    const clusterId = JSON.parse(String((await zk.zk.getData('/cluster/id')).data)) as { version: string; id: string };
    expect(clusterId.version).toBe('1');
    expect(clusterId.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const meta = fs.readFileSync(path.join(b1.logDir, 'meta.properties'), 'utf8');
    expect(meta).toContain('broker.id=1');
    expect(meta).toContain(`cluster.id=${clusterId.id}`);
  });

  it('a broker killed with kill -9 leaves /brokers/ids after its session timeout and re-registers on restart', async () => {
    const zk = await cluster.zkClient();
    const b = cluster.broker(3);
    const epochBefore = (await zk.getAllBrokers()).find((x) => x.id === 3)!.epoch!;
    b.kill('SIGKILL');
    await b.waitExit();
    await waitFor(async () => !(await zk.getAllBrokers()).some((x) => x.id === 3), { timeoutMs: 15_000, what: 'broker 3 to leave /brokers/ids' });
    await b.restart();
    const after = await waitFor(async () => (await zk.getAllBrokers()).find((x) => x.id === 3), { timeoutMs: 15_000, what: 'broker 3 to re-register' });
    expect(after.epoch! > epochBefore).toBe(true);
  });

  it('a broker paused past its session timeout re-registers when resumed', async () => {
    const zk = await cluster.zkClient();
    const b = cluster.broker(2);
    b.pause();
    try {
      await waitFor(async () => !(await zk.getAllBrokers()).some((x) => x.id === 2), { timeoutMs: 20_000, what: 'paused broker 2 to lose its registration' });
    } finally {
      b.resume();
    }
    await waitFor(async () => (await zk.getAllBrokers()).some((x) => x.id === 2), { timeoutMs: 20_000, what: 'broker 2 to re-register after resuming' });
    expect(b.running).toBe(true);
  });

  it('SIGTERM stops a broker cleanly: exit 0, unregistered, clean-shutdown marker written', async () => {
    const zk = await cluster.zkClient();
    const b = cluster.broker(1);
    await b.stop();
    expect(b.exitCode).toBe(0);
    expect((await zk.getAllBrokers()).some((x) => x.id === 1)).toBe(false);
    expect(fs.existsSync(path.join(b.logDir, '.kafka_cleanshutdown'))).toBe(true);
    await b.restart();
    expect((await zk.getAllBrokers()).some((x) => x.id === 1)).toBe(true);
  });
});
