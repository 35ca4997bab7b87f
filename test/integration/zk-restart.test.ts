// Sessions surviving a ZooKeeper restart: clients and real brokers must reconnect in time to keep (or,
// after an expiry, re-create) their /brokers/ids registrations, and keep answering requests.
import { startCluster, waitFor, type TestCluster } from '../harness';
import { KafkaZkClient } from '../../src/zk/KafkaZkClient';
import { BrokerIdZNode, BrokerIdsZNode } from '../../src/zk/znodes';
import type { BrokerRegistration } from '../../src/zk/api';

jest.setTimeout(150000);

const SESSION_MS = 4000;
// Comfortably above the session timeout (a restart plus one expiry and re-registration), far below "never".
const DEADLINE_MS = 20000;

let cluster: TestCluster;
const clients: KafkaZkClient[] = [];

beforeAll(async () => {
  cluster = await startCluster({ brokers: 2, sessionTimeoutMs: SESSION_MS });
});

afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await cluster?.teardown();
});

/** A request that hangs (client stuck connecting) must fail the wait, not the whole jest run. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const reg = (id: number): BrokerRegistration => ({
  id,
  rack: null,
  endpoints: [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 9 }],
});

/** Waits until every client answers and /brokers/ids (read through each of them) holds exactly `ids`. */
async function waitAllRegistered(ids: number[], readers: KafkaZkClient[], what: string): Promise<void> {
  const want = [...ids].sort((a, b) => a - b).join(',');
  let last = '';
  await waitFor(
    async () => {
      for (const c of readers) {
        const got = await within(c.zk.getChildren(BrokerIdsZNode.path), 2000, 'getChildren /brokers/ids');
        last = got.map(Number).sort((a, b) => a - b).join(',');
        if (last !== want) return false;
      }
      return true;
    },
    { timeoutMs: DEADLINE_MS, intervalMs: 100, what: `${what}: /brokers/ids = [${want}] (last seen [${last}])` },
  );
}

test('brokers and clients keep or re-create their registrations across ZooKeeper restarts', async () => {
  const harnessZk = await cluster.zkClient();
  const own = await cluster.newZkClient(SESSION_MS);
  clients.push(own);
  await own.registerBroker(reg(100));
  const watcher = await cluster.newZkClient(SESSION_MS);
  clients.push(watcher);
  let brokerChanges = 0;
  watcher.onBrokersChange(() => brokerChanges++);

  const all = [1, 2, 100];
  await waitAllRegistered(all, [harnessZk, own, watcher], 'before any restart');

  for (let round = 1; round <= 3; round++) {
    await cluster.zk.restart();
    await waitAllRegistered(all, [harnessZk, own, watcher], `after ZooKeeper restart ${round}`);
    // The watch is still armed (kept by the session, or re-armed after an expiry): a new broker id is seen.
    const before = brokerChanges;
    const probe = await cluster.newZkClient(SESSION_MS);
    try {
      await probe.registerBroker(reg(200 + round));
      await waitFor(() => brokerChanges > before, { timeoutMs: DEADLINE_MS, what: `broker watch to fire (round ${round})` });
    } finally {
      await probe.close();
    }
    await waitAllRegistered(all, [harnessZk, own, watcher], `after the probe of round ${round} closed`);
  }
});

test('a broker whose session expired after a pause is re-registered, also across a later ZooKeeper restart', async () => {
  const harnessZk = await cluster.zkClient();
  const broker = cluster.broker(1);
  const epochOf = async (): Promise<bigint | undefined> =>
    (await within(harnessZk.zk.exists(BrokerIdZNode.path(1)), 2000, 'exists /brokers/ids/1'))?.czxid;
  const firstEpoch = await epochOf();
  expect(firstEpoch).toBeDefined();

  broker.pause();
  try {
    await waitFor(async () => (await epochOf()) === undefined, {
      timeoutMs: DEADLINE_MS,
      what: 'the paused broker 1 to lose its registration (session expiry)',
    });
  } finally {
    broker.resume();
  }
  await waitFor(async () => {
    const e = await epochOf();
    return e !== undefined && e !== firstEpoch;
  }, { timeoutMs: DEADLINE_MS, what: 'broker 1 to register again under a new session' });

  for (let round = 1; round <= 2; round++) {
    await cluster.zk.restart();
    await waitAllRegistered(clients.length > 0 ? [1, 2, 100] : [1, 2], [harnessZk], `after ZooKeeper restart ${round} following the expiry`);
  }
  expect(broker.running).toBe(true);
});
