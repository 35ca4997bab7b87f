// The harness driving real broker processes: start, kill -9, pause past the session timeout, resume, stop.
import { startCluster, type TestCluster } from '../harness';

jest.setTimeout(120000);

describe('test harness with brokers', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3, sessionTimeoutMs: 4000 });
  });
  afterAll(async () => {
    await cluster?.teardown();
  });

  it('starts three brokers that register with their listener ports', async () => {
    const zk = await cluster.zkClient();
    const brokers = await zk.getAllBrokers();
    expect(brokers.map((b) => b.id)).toEqual([1, 2, 3]);
    for (const b of brokers) expect(b.endpoints[0]?.port).toBe(cluster.broker(b.id).port);
    expect(cluster.bootstrap.split(',')).toHaveLength(3);
  });

  it('kill -9 removes the registration after the session timeout; a restart re-registers', async () => {
    const b = cluster.broker(2);
    await b.killAndWait();
    expect(b.exitSignal).toBe('SIGKILL');
    await b.waitUnregistered(15000);
    await b.start();
    expect(b.running).toBe(true);
  });

  it('a broker paused past its session timeout re-registers when resumed', async () => {
    const b = cluster.broker(3);
    const zk = await cluster.zkClient();
    const before = (await zk.getAllBrokers()).find((x) => x.id === 3)?.epoch;
    b.pause();
    await b.waitUnregistered(15000);
    b.resume();
    await b.waitRegistered(15000);
    const after = (await zk.getAllBrokers()).find((x) => x.id === 3)?.epoch;
    expect(after).toBeDefined();
    expect(after).not.toBe(before); // a new registration znode: a new broker epoch
  });

  it('stop() shuts a broker down cleanly with exit code 0', async () => {
    const b = cluster.broker(1);
    await b.stop();
    expect(b.exitCode).toBe(0);
    await b.waitUnregistered(5000);
  });
});
