// The ZooKeeper-coordinated controller on real brokers: election, topics, failover, fencing, controlled shutdown.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, waitFor, type TestBroker, type TestCluster } from '../harness';
import { allHaveLeaders, metadataFrom, partitionViews } from './util/metadata';

const exec = promisify(execFile);
jest.setTimeout(180_000);

const SESSION_MS = 4000;

/** The per-topic error kafkajs reports inside its aggregate "Topic creation errors". */
async function creationError(p: Promise<unknown>): Promise<{ type: string; message: string }> {
  try {
    await p;
  } catch (e) {
    const inner = (e as { errors?: Array<{ type: string; message: string }> }).errors?.[0];
    if (inner) return { type: inner.type, message: inner.message };
    throw e;
  }
  throw new Error('expected the creation to fail');
}

describe('controller', () => {
  let cluster: TestCluster;
  let kafka: Kafka;
  const live = (): TestBroker[] => [...cluster.brokers.values()].filter((b) => b.running);

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3, sessionTimeoutMs: SESSION_MS, overrides: { 'auto.leader.rebalance.enable': 'false', 'controlled.shutdown.retry.backoff.ms': '200' } });
    kafka = new Kafka({ clientId: 'controller-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
  });
  afterAll(async () => {
    await cluster?.teardown();
  });

  const zkRead = async (path: string): Promise<string> => String((await (await cluster.zkClient()).zk.getData(path)).data);
  const controllerId = async (): Promise<number> => waitFor(async () => (await (await cluster.zkClient()).getControllerId()) ?? undefined, { timeoutMs: 20_000, what: 'an elected controller' });

  it('elects exactly one controller and bumps /controller_epoch', async () => {
    const id = await controllerId();
    expect([1, 2, 3]).toContain(id);
    const c = JSON.parse(await zkRead('/controller')) as Record<string, unknown>;
    expect(c).toMatchObject({ version: 1, brokerid: id });
    expect(typeof c.timestamp).toBe('string');
    expect(Number(await zkRead('/controller_epoch'))).toBeGreaterThanOrEqual(1);
    for (const b of live()) expect((await metadataFrom(b)).controllerId).toBe(id);
  });

  it('creates a topic through kafkajs admin with Kafka 2.8 ZooKeeper JSON, visible on every broker and in kcat', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 6, replicationFactor: 3 }], waitForLeaders: true })).toBe(true);
    } finally {
      await admin.disconnect();
    }
    await waitFor(() => allHaveLeaders(live(), 'orders', 6), { timeoutMs: 20_000, what: 'leaders for orders on every broker' });
    const topicJson = JSON.parse(await zkRead('/brokers/topics/orders')) as { version: number; partitions: Record<string, number[]>; adding_replicas: object; removing_replicas: object; topic_id: string };
    // Kafka 2.8+: version 3 with the topic's id (KIP-516).
    expect(topicJson.version).toBe(3);
    expect(topicJson.topic_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Object.keys(topicJson.partitions).sort()).toEqual(['0', '1', '2', '3', '4', '5']);
    for (const replicas of Object.values(topicJson.partitions)) expect([...replicas].sort()).toEqual([1, 2, 3]);
    expect(topicJson.adding_replicas).toEqual({});
    expect(topicJson.removing_replicas).toEqual({});
    // Leaders are spread evenly: two per broker.
    const leaders = Object.values(topicJson.partitions).map((r) => r[0]);
    for (const id of [1, 2, 3]) expect(leaders.filter((l) => l === id)).toHaveLength(2);
    const state = JSON.parse(await zkRead('/brokers/topics/orders/partitions/0/state')) as Record<string, unknown>;
    expect(Object.keys(state).sort()).toEqual(['controller_epoch', 'isr', 'leader', 'leader_epoch', 'version']);
    expect(state).toMatchObject({ version: 1, leader: topicJson.partitions['0']![0], leader_epoch: 0 });
    const config = JSON.parse(await zkRead('/config/topics/orders')) as Record<string, unknown>;
    expect(config).toEqual({ version: 1, config: {} });
    const { stdout } = await exec('kcat', ['-L', '-b', cluster.broker(1).address, '-t', 'orders']);
    expect(stdout).toContain('topic "orders" with 6 partitions:');
    expect(stdout).toMatch(/partition 0, leader \d, replicas: \d,\d,\d, isrs: \d,\d,\d/);
  });

  it('refuses bad topic requests with Kafka error codes', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await expect(admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 1 }] })).resolves.toBe(false); // exists: kafkajs reports false
      expect(await creationError(admin.createTopics({ topics: [{ topic: 'bad name!', numPartitions: 1 }] }))).toMatchObject({ type: 'INVALID_TOPIC_EXCEPTION' });
      expect(await creationError(admin.createTopics({ topics: [{ topic: 'too-many-replicas', numPartitions: 1, replicationFactor: 4 }] }))).toMatchObject({ type: 'INVALID_REPLICATION_FACTOR' });
      expect(await creationError(admin.createTopics({ topics: [{ topic: 'zero-partitions', numPartitions: 0 }] }))).toMatchObject({ type: 'INVALID_PARTITIONS' });
      expect(await (await cluster.zkClient()).getAllTopics()).not.toEqual(expect.arrayContaining(['too-many-replicas']));
    } finally {
      await admin.disconnect();
    }
  });

  it('adds partitions and deletes topics', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'grow', numPartitions: 2, replicationFactor: 2 }], waitForLeaders: true });
      await admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 5 }] });
      await waitFor(() => allHaveLeaders(live(), 'grow', 5), { timeoutMs: 20_000, what: 'five partitions of grow with leaders' });
      await expect(admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 3 }] })).rejects.toThrow(/partition/i);
      await admin.deleteTopics({ topics: ['grow'] });
      await waitFor(async () => {
        for (const b of live()) if ((await partitionViews(b, 'grow')) !== null) return false;
        return true;
      }, { timeoutMs: 20_000, what: 'grow to disappear from every broker' });
      const zk = await cluster.zkClient();
      expect(await zk.getAllTopics()).not.toContain('grow');
      expect(await zk.getTopicDeletions()).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });

  it('kill -9 of a broker moves its leaderships to ISR members on every broker; its return makes it a follower', async () => {
    const before = (await partitionViews(cluster.broker(1), 'orders'))!;
    const victim = before.get(0)!.leader;
    const victimLed = [...before].filter(([, v]) => v.leader === victim).map(([p]) => p);
    cluster.broker(victim).kill('SIGKILL');
    await cluster.broker(victim).waitExit();
    const others = live();
    await waitFor(async () => {
      for (const b of others) {
        const v = await partitionViews(b, 'orders');
        if (!v) return false;
        for (const p of victimLed) {
          const pv = v.get(p)!;
          if (pv.leader === victim || pv.leader < 0 || pv.isr.includes(victim)) return false;
          if (!before.get(p)!.isr.includes(pv.leader)) return false; // new leader came from the ISR
        }
      }
      return true;
    }, { timeoutMs: SESSION_MS + 15_000, what: `new leaders for the partitions broker ${victim} led` });
    await cluster.broker(victim).restart();
    await waitFor(async () => {
      for (const b of live()) {
        const v = await partitionViews(b, 'orders');
        if (!v) return false;
        for (const p of victimLed) if (v.get(p)!.leader === victim || !v.get(p)!.replicas.includes(victim)) return false;
      }
      return (await metadataFrom(cluster.broker(victim))).brokers.length === 3;
    }, { timeoutMs: 20_000, what: `broker ${victim} back as a follower` });
  });

  it('with unclean election off, a partition whose only ISR replica is dead stays offline', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'single', numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    const v = (await partitionViews(cluster.broker(1), 'single'))!;
    const owner = v.get(0)!.leader;
    cluster.broker(owner).kill('SIGKILL');
    await cluster.broker(owner).waitExit();
    const other = live()[0]!;
    await waitFor(async () => (await partitionViews(other, 'single').catch(() => null))?.get(0)?.leader === -1, { timeoutMs: SESSION_MS + 15_000, what: 'single-0 to go offline' });
    const state = JSON.parse(await zkRead('/brokers/topics/single/partitions/0/state')) as { leader: number; isr: number[] };
    expect(state.leader).toBe(-1);
    expect(state.isr).toEqual([owner]);
    await cluster.broker(owner).restart();
    await waitFor(async () => (await partitionViews(other, 'single'))?.get(0)?.leader === owner, { timeoutMs: 20_000, what: 'single-0 back online on its only replica' });
  });

  it('kill -9 of the controller elects a new one within the session timeout plus 2 s, epoch bumped, leaders intact', async () => {
    const old = await controllerId();
    const epochBefore = Number(await zkRead('/controller_epoch'));
    const leadersBefore = (await partitionViews(live().find((b) => b.id !== old)!, 'orders'))!;
    const killedAt = Date.now();
    cluster.broker(old).kill('SIGKILL');
    const next = await waitFor(async () => {
      const id = await (await cluster.zkClient()).getControllerId();
      return id !== null && id !== old ? id : undefined;
    }, { timeoutMs: SESSION_MS + 10_000, intervalMs: 20, what: 'a new controller' });
    const elapsed = Date.now() - killedAt;
    expect(elapsed).toBeLessThan(SESSION_MS + 2000);
    expect(Number(await zkRead('/controller_epoch'))).toBe(epochBefore + 1);
    // Partitions not led by the dead broker keep their leader and epoch through the failover.
    const survivor = cluster.broker(next);
    await waitFor(async () => (await metadataFrom(survivor)).controllerId === next, { timeoutMs: 10_000, what: 'metadata to name the new controller' });
    const after = (await partitionViews(survivor, 'orders'))!;
    for (const [p, v] of leadersBefore) {
      if (v.leader !== old) expect(after.get(p)!.leader).toBe(v.leader);
    }
    await cluster.broker(old).restart();
  });

  it('a controller paused past its session is fenced: after resuming it writes nothing and is a normal broker', async () => {
    const old = await controllerId();
    const b = cluster.broker(old);
    b.pause();
    let next: number;
    try {
      next = await waitFor(async () => {
        const id = await (await cluster.zkClient()).getControllerId();
        return id !== null && id !== old ? id : undefined;
      }, { timeoutMs: SESSION_MS + 15_000, what: 'another broker to take over as controller' });
    } finally {
      b.resume();
    }
    const epoch = Number(await zkRead('/controller_epoch'));
    await waitFor(async () => (await (await cluster.zkClient()).getAllBrokers()).some((x) => x.id === old), { timeoutMs: 20_000, what: 'the resumed broker to re-register' });
    try {
      await waitFor(async () => (await metadataFrom(b)).controllerId === next, { timeoutMs: 20_000, what: 'the resumed broker to see the new controller' });
    } catch (e) {
      const seen = await metadataFrom(b).then((m) => m.controllerId, (x: unknown) => String(x));
      throw new Error(`${(e as Error).message}; it names ${seen}, ZooKeeper names ${next}\n--- broker ${old}:\n${b.output(60)}\n--- controller ${next}:\n${cluster.broker(next).output(40)}`);
    }
    expect(await (await cluster.zkClient()).getControllerId()).toBe(next);
    expect(Number(await zkRead('/controller_epoch'))).toBe(epoch);
    // Every partition state was last written by a controller of the current epoch or earlier, never a later one.
    for (let p = 0; p < 6; p++) {
      const s = JSON.parse(await zkRead(`/brokers/topics/orders/partitions/${p}/state`)) as { controller_epoch: number };
      expect(s.controller_epoch).toBeLessThanOrEqual(epoch);
    }
  });

  it('controlled shutdown of a broker leading partitions never leaves a partition without a leader', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'rolling', numPartitions: 6, replicationFactor: 3 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    await waitFor(() => allHaveLeaders(live(), 'rolling', 6), { timeoutMs: 20_000, what: 'rolling healthy before the shutdown' });
    // As an operator does before a rolling restart: wait until no partition of any topic is under-replicated
    // (earlier cases stopped brokers; a partition whose only in-sync replica is the target cannot move).
    await waitFor(async () => {
      const md = await metadataFrom(cluster.broker(1));
      return md.topics.every((t) => t.partitions.every((p) => p.isrNodes.length === p.replicaNodes.length));
    }, { timeoutMs: 30_000, what: 'no under-replicated partition before the shutdown' });
    const views = (await partitionViews(cluster.broker(1), 'rolling'))!;
    const leaderCounts = new Map<number, number>();
    for (const v of views.values()) leaderCounts.set(v.leader, (leaderCounts.get(v.leader) ?? 0) + 1);
    const target = [...leaderCounts].sort((a, b) => b[1] - a[1])[0]![0];
    const observer = live().find((x) => x.id !== target)!;
    let leaderless = 0;
    let polls = 0;
    let done = false;
    const poller = (async () => {
      while (!done) {
        const v = await partitionViews(observer, 'rolling').catch(() => null);
        if (v) {
          polls++;
          for (const pv of v.values()) if (pv.leader < 0) leaderless++;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const controllerBefore = await controllerId();
    const stoppedAt = Date.now();
    await cluster.broker(target).stop();
    const stopMs = Date.now() - stoppedAt;
    const out = cluster.broker(target).output(100_000);
    if (cluster.broker(target).exitCode !== 0 || !out.includes('controlled shutdown succeeded')) {
      // Rare in CI: show both sides of the conversation instead of a bare assertion.
      const ctl = controllerBefore === target ? '(the target was the controller)' : cluster.broker(controllerBefore).output(60);
      throw new Error(`broker ${target} stopped in ${stopMs} ms with exit code ${cluster.broker(target).exitCode}\n--- its output:\n${cluster.broker(target).output(60)}\n--- controller ${controllerBefore}:\n${ctl}`);
    }
    expect(cluster.broker(target).exitCode).toBe(0);
    expect(out).toContain('controlled shutdown succeeded');
    // Keep polling until every broker's view has settled without the stopped broker.
    await waitFor(async () => [...(await partitionViews(observer, 'rolling'))!.values()].every((v) => v.leader !== target && v.leader >= 0), { timeoutMs: 10_000, what: 'no partition led by the stopped broker' });
    done = true;
    await poller;
    expect(polls).toBeGreaterThanOrEqual(1);
    expect(leaderless).toBe(0);
    await cluster.broker(target).restart();
  });
});
