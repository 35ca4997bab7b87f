// The test harness and the ZooKeeper launcher: start, restart, pause, failure messages and clean-up.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fourLetterWord, startZooKeeper } from '../../src/zkserver';
import { startCluster, waitFor, freePort, type TestCluster } from '../harness';

jest.setTimeout(90000);

describe('test harness with ZooKeeper only', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster({ startBrokers: false, sessionTimeoutMs: 10000 });
  });
  afterAll(async () => {
    await cluster?.teardown();
  });

  it('runs a real ZooKeeper answering ruok and srvr on a loopback port', async () => {
    expect(cluster.zkConnect).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await fourLetterWord('127.0.0.1', cluster.zk.port, 'ruok')).toBe('imok');
    expect(await fourLetterWord('127.0.0.1', cluster.zk.port, 'srvr')).toMatch(/Zookeeper version: 3\.8/);
    const cfg = fs.readFileSync(path.join(cluster.zk.dataDir, 'zoo.cfg'), 'utf8');
    expect(cfg).toMatch(/^tickTime=200$/m);
    expect(cfg).toMatch(/^minSessionTimeout=400$/m);
    expect(cfg).toMatch(/^admin\.enableServer=false$/m);
    expect(cfg).toMatch(/^4lw\.commands\.whitelist=\*$/m);
  });

  it('keeps sessions and ephemerals across a ZooKeeper restart within the session timeout', async () => {
    const zk = await cluster.zkClient();
    await zk.ensureBasePaths();
    const epoch = await zk.registerBroker({
      id: 1,
      rack: null,
      endpoints: [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 1 }],
    });
    const session = zk.zk.sessionId;
    let brokerEvents = 0;
    zk.onBrokersChange(() => brokerEvents++);
    const oldPid = cluster.zk.pid;

    await cluster.zk.restart();
    expect(cluster.zk.pid).not.toBe(oldPid);
    // The client reconnects by itself and resumes the same session; its ephemeral survived.
    const stat = await waitFor(() => zk.zk.exists('/brokers/ids/1'), { timeoutMs: 20000, what: 'reconnect after restart' });
    expect(zk.zk.sessionId).toBe(session);
    expect(stat.czxid).toBe(epoch);
    // Watches were carried over to the restarted server.
    const other = await cluster.newZkClient();
    await other.registerBroker({ id: 2, rack: null, endpoints: [] });
    await waitFor(() => brokerEvents >= 1, { timeoutMs: 5000, what: 'broker watch after ZooKeeper restart' });
  });

  it('pause and resume ZooKeeper', async () => {
    const zk = await cluster.zkClient();
    cluster.zk.pause();
    expect(await fourLetterWord('127.0.0.1', cluster.zk.port, 'ruok', 300)).toBe('');
    cluster.zk.resume();
    await waitFor(async () => (await fourLetterWord('127.0.0.1', cluster.zk.port, 'ruok', 500)) === 'imok', {
      timeoutMs: 5000,
      what: 'ZooKeeper to answer after SIGCONT',
    });
    expect(await zk.getAllBrokers()).toBeDefined();
  });

  it('a broker that exits during start-up fails fast, quoting its output', async () => {
    const t0 = Date.now();
    const err = await cluster.startBroker(99, { 'broker.id': 'not-a-number' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/broker 99 exited/);
    expect((err as Error).message).toContain('--- broker 99 output');
    expect(Date.now() - t0).toBeLessThan(20000);
    expect(cluster.broker(99).running).toBe(false);
  });
});

describe('waitFor and freePort', () => {
  it('resolves with the first truthy value', async () => {
    let n = 0;
    await expect(waitFor(() => (++n >= 3 ? n : false), { timeoutMs: 2000, intervalMs: 5, what: 'n' })).resolves.toBe(3);
  });
  it('times out with the condition and the last error in the message', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('boom');
        },
        { timeoutMs: 100, intervalMs: 10, what: 'the impossible' },
      ),
    ).rejects.toThrow('timed out after 100 ms waiting for the impossible (last error: boom)');
  });
  it('hands out distinct free ports', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    expect(new Set(ports).size).toBe(3);
  });
});

describe('ZooKeeper launcher errors and clean-up', () => {
  it('refuses a port already in use with a clear message', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen({ host: '127.0.0.1', port: 0 }, () => r()));
    const port = (srv.address() as net.AddressInfo).port;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-zkport-'));
    try {
      await expect(startZooKeeper({ port, dataDir: dir })).rejects.toThrow(`port 127.0.0.1:${port} is already in use`);
    } finally {
      srv.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('teardown kills ZooKeeper and removes the temporary directory', async () => {
    const c = await startCluster({ startBrokers: false });
    const { pid } = c.zk;
    const dir = c.dataDir;
    expect(fs.existsSync(dir)).toBe(true);
    await c.teardown();
    expect(fs.existsSync(dir)).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
