// KafkaZkClient and ZkClient against a real ZooKeeper 3.8 started by our launcher.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startZooKeeper, type ZooKeeperProcess } from '../../src/zkserver';
import { KafkaZkClient } from '../../src/zk/KafkaZkClient';
import { BadVersionError, NoNodeError, NodeExistsError, ZkClient } from '../../src/zk/ZkClient';
import {
  BrokerIdAlreadyRegisteredError,
  ControllerMovedError,
  TopicAlreadyExistsError,
  ZkVersionMismatchError,
  type BrokerRegistration,
} from '../../src/zk/api';
import { DynamicConfigManager } from '../../src/server/DynamicConfigManager';
import { freePort, waitFor } from '../harness';
import { expireSession } from './util/zkSession';

jest.setTimeout(60000);

let zkServer: ZooKeeperProcess;
let tmp: string;
const clients: Array<KafkaZkClient | ZkClient> = [];
let chrootSeq = 0;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-zk-'));
  zkServer = await startZooKeeper({ port: await freePort(), dataDir: path.join(tmp, 'zk'), tickTime: 200, forceSync: false });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await zkServer?.kill();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Each test gets its own chroot, so tests never see each other's znodes. */
function chroot(): string {
  return `${zkServer.connectString}/t${++chrootSeq}`;
}

async function kafkaClient(connect: string, sessionTimeoutMs = 4000): Promise<KafkaZkClient> {
  const c = await KafkaZkClient.connect(connect, { sessionTimeoutMs, connectionTimeoutMs: 10000 });
  clients.push(c);
  return c;
}

const reg = (id: number, port = 9092): BrokerRegistration => ({
  id,
  rack: null,
  endpoints: [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port }],
});

describe('ZkClient', () => {
  it('creates a missing chroot, then works inside it', async () => {
    const root = chroot();
    const c = await ZkClient.connect(`${root}/deeper`, { sessionTimeoutMs: 4000, connectionTimeoutMs: 10000 });
    clients.push(c);
    await c.create('/x', Buffer.from('1'));
    const plain = await ZkClient.connect(zkServer.connectString, { sessionTimeoutMs: 4000, connectionTimeoutMs: 10000 });
    clients.push(plain);
    const { data } = await plain.getData(`/t${chrootSeq}/deeper/x`);
    expect(data?.toString()).toBe('1');
  });

  it('fails clearly when ZooKeeper is unreachable', async () => {
    const port = await freePort();
    await expect(ZkClient.connect(`127.0.0.1:${port}`, { sessionTimeoutMs: 4000, connectionTimeoutMs: 500 })).rejects.toThrow(
      `could not connect to ZooKeeper at 127.0.0.1:${port} within 500 ms`,
    );
  });

  it('maps errors to typed errors and runs multi with version-0 conditions faithfully', async () => {
    const c = await ZkClient.connect(chroot(), { sessionTimeoutMs: 4000, connectionTimeoutMs: 10000 });
    clients.push(c);
    await c.create('/a', Buffer.from('v0'));
    await expect(c.create('/a')).rejects.toBeInstanceOf(NodeExistsError);
    await c.setData('/a', Buffer.from('v1'), 0); // now version 1
    // A check on version 0 must fail (the library's own helper would have turned 0 into "any version").
    const err = await c.multi([{ type: 'check', path: '/a', version: 0 }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadVersionError);
    expect((err as BadVersionError).opIndex).toBe(0);
    const res = await c.multi([
      { type: 'check', path: '/a', version: 1 },
      { type: 'create', path: '/b', data: Buffer.from('b') },
      { type: 'setData', path: '/a', data: Buffer.from('v2'), version: 1 },
      { type: 'delete', path: '/b', version: 0 },
    ]);
    expect(res.map((r) => r.type)).toEqual(['check', 'create', 'setData', 'delete']);
    const r2 = res[2];
    expect(r2?.type === 'setData' && r2.stat.version).toBe(2);
    // A failing later op rolls back the earlier ones and names its index.
    const e2 = await c
      .multi([
        { type: 'create', path: '/c' },
        { type: 'create', path: '/a' },
      ])
      .catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(NodeExistsError);
    expect((e2 as NodeExistsError).opIndex).toBe(1);
    expect(await c.exists('/c')).toBeNull();
    await c.createRecursive('/d/e/f');
    await c.deleteRecursive('/d');
    expect(await c.exists('/d')).toBeNull();
  });
});

describe('brokers', () => {
  it('registers /brokers/ids/<id> with Kafka JSON and returns the czxid as broker epoch', async () => {
    const c = await kafkaClient(chroot());
    await c.ensureBasePaths();
    const epoch = await c.registerBroker(reg(1));
    const { data, stat } = await c.zk.getData('/brokers/ids/1');
    expect(stat.czxid).toBe(epoch);
    expect(stat.ephemeralOwner).toBe(c.zk.sessionId);
    expect(data?.toString()).toMatch(
      /^\{"features":\{\},"listener_security_protocol_map":\{"PLAINTEXT":"PLAINTEXT"\},"endpoints":\["PLAINTEXT:\/\/127\.0\.0\.1:9092"\],"jmx_port":-1,"port":9092,"host":"127\.0\.0\.1","version":5,"timestamp":"\d+"\}$/,
    );
    const all = await c.getAllBrokers();
    expect(all).toEqual([{ ...reg(1), epoch }]);
    // Registering again from the same session is harmless.
    expect(await c.registerBroker(reg(1))).toBe(epoch);
  });

  it('refuses a broker id registered by another live session', async () => {
    const root = chroot();
    const a = await kafkaClient(root);
    const b = await kafkaClient(root);
    await a.ensureBasePaths();
    await a.registerBroker(reg(1));
    await expect(b.registerBroker(reg(1, 9093))).rejects.toBeInstanceOf(BrokerIdAlreadyRegisteredError);
  });

  it('re-registers after session expiry, then runs onSessionReestablished and re-arms watches', async () => {
    const root = chroot();
    const c = await kafkaClient(root);
    const observer = await kafkaClient(root);
    await c.ensureBasePaths();
    const epoch1 = await c.registerBroker(reg(5));
    const oldSession = c.zk.sessionId;
    const events: string[] = [];
    c.onSessionExpired(() => events.push('expired'));
    c.onSessionReestablished(() => events.push(`reestablished:${c.brokerEpoch !== epoch1}`));
    let brokerChanges = 0;
    c.onBrokersChange(() => brokerChanges++);
    await c.getAllBrokers(); // same session, queued after the watch: it is armed

    await expireSession(zkServer.connectString, c.zk);
    await waitFor(() => events.includes('reestablished:true'), { timeoutMs: 15000, what: 'session re-establishment' });
    expect(events.filter((e) => e === 'expired')).toHaveLength(1);
    await c.getAllBrokers(); // the re-armed watch is in place before the observer changes anything
    expect(events[0]).toBe('expired');
    expect(c.zk.sessionId).not.toBe(oldSession);
    const stat = await observer.zk.exists('/brokers/ids/5');
    expect(stat?.ephemeralOwner).toBe(c.zk.sessionId);
    expect(stat?.czxid).toBe(c.brokerEpoch);

    // The broker watch works on the new session.
    const before = brokerChanges;
    await observer.registerBroker(reg(6));
    await waitFor(() => brokerChanges > before, { timeoutMs: 5000, what: 'broker watch on the new session' });
  });

  it('watches fire on broker join and leave, and keep firing (re-armed)', async () => {
    const root = chroot();
    const watcher = await kafkaClient(root);
    await watcher.ensureBasePaths();
    let fired = 0;
    const seen: number[][] = [];
    watcher.onBrokersChange(() => {
      fired++;
      void watcher.getAllBrokers().then((bs) => seen.push(bs.map((b) => b.id)));
    });
    await watcher.getAllBrokers();
    const b1 = await kafkaClient(root);
    await b1.registerBroker(reg(1));
    await waitFor(() => seen.some((s) => s.join() === '1'), { timeoutMs: 5000, what: 'join of broker 1' });
    const b2 = await kafkaClient(root);
    await b2.registerBroker(reg(2));
    await waitFor(() => seen.some((s) => s.join() === '1,2'), { timeoutMs: 5000, what: 'join of broker 2' });
    await b1.close(); // closing the session removes the ephemeral at once
    await waitFor(() => seen.some((s) => s.join() === '2'), { timeoutMs: 5000, what: 'leave of broker 1' });
    expect(fired).toBeGreaterThanOrEqual(3);
  });
});

describe('controller election and fencing', () => {
  it('exactly one of two racing brokers wins; the epoch increments on each election', async () => {
    const root = chroot();
    const a = await kafkaClient(root);
    const b = await kafkaClient(root);
    const [ra, rb] = await Promise.all([a.tryElectController(1), b.tryElectController(2)]);
    const winners = [ra, rb].filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]?.epoch).toBe(1);
    const winnerId = ra ? 1 : 2;
    expect(await a.getControllerId()).toBe(winnerId);
    const ctl = await a.zk.getData('/controller');
    expect(ctl.data?.toString()).toMatch(new RegExp(`^\\{"version":1,"brokerid":${winnerId},"timestamp":"\\d+"\\}$`));
    const epochNode = await a.getControllerEpoch();
    expect(epochNode).toEqual({ epoch: 1, zkVersion: winners[0]?.epochZkVersion });

    // The loser watches /controller and takes over when the winner's session ends.
    const loser = ra ? b : a;
    const winner = ra ? a : b;
    let changed = false;
    loser.onControllerChange(() => (changed = true));
    await loser.getControllerId(); // queued after the watch on the same session: the watch is now armed
    await winner.close();
    await waitFor(() => changed, { timeoutMs: 5000, what: '/controller deletion watch' });
    const second = await loser.tryElectController(ra ? 2 : 1);
    expect(second?.epoch).toBe(2);
    expect((await loser.zk.getData('/controller_epoch')).data?.toString()).toBe('2');
  });

  it('a write fenced with a stale epoch zkVersion fails with ControllerMovedError', async () => {
    const root = chroot();
    const old = await kafkaClient(root);
    await old.ensureBasePaths();
    const first = await old.tryElectController(1);
    expect(first).not.toBeNull();
    await old.createTopic('t', new Map([[0, [1]]]), {});
    const created = await old.createPartitionStates(
      [{ topic: 't', partition: 0, state: { leader: 1, leaderEpoch: 0, isr: [1], controllerEpoch: 1 } }],
      first!.epochZkVersion,
    );
    expect(created.get('t-0')).toEqual({ leader: 1, leaderEpoch: 0, isr: [1], controllerEpoch: 1, zkVersion: 0 });
    // A new controller takes over (the old session is gone, so /controller is free).
    await old.zk.delete('/controller', -1);
    const next = await kafkaClient(root);
    const second = await next.tryElectController(2);
    expect(second?.epoch).toBe(2);

    const stale = { leader: 1, leaderEpoch: 1, isr: [1], controllerEpoch: 1, zkVersion: 0 };
    await expect(old.updatePartitionStates([{ topic: 't', partition: 0, state: stale }], first!.epochZkVersion)).rejects.toBeInstanceOf(
      ControllerMovedError,
    );
    await expect(old.deleteTopicZNodes('t', first!.epochZkVersion)).rejects.toBeInstanceOf(ControllerMovedError);
    // Nothing was written.
    expect((await next.getPartitionStates([{ topic: 't', partition: 0 }])).get('t-0')?.zkVersion).toBe(0);
    // The new controller's writes go through.
    const ok = await next.updatePartitionStates([{ topic: 't', partition: 0, state: { ...stale, controllerEpoch: 2 } }], second!.epochZkVersion);
    expect(ok.get('t-0')).toEqual({ ...stale, controllerEpoch: 2, zkVersion: 1 });
  });

  it('a partition state update on a stale zkVersion gets ZkVersionMismatchError while others apply', async () => {
    const c = await kafkaClient(chroot());
    await c.ensureBasePaths();
    const ctl = (await c.tryElectController(1))!;
    const s = { leader: 1, leaderEpoch: 0, isr: [1, 2], controllerEpoch: 1 };
    // Without the topic znode, each partition reports NO_NODE.
    const missing = await c.createPartitionStates([{ topic: 't', partition: 0, state: s }], ctl.epochZkVersion);
    expect(missing.get('t-0')).toBeInstanceOf(NoNodeError);
    await c.createTopic('t', new Map([[0, [1, 2]], [1, [1, 2]]]), {});
    await c.createPartitionStates(
      [
        { topic: 't', partition: 0, state: s },
        { topic: 't', partition: 1, state: s },
      ],
      ctl.epochZkVersion,
    );
    // Someone else changes partition 0 behind our back.
    await c.zk.setData('/brokers/topics/t/partitions/0/state', Buffer.from(JSON.stringify({ ...s, leader: 2 })), 0);
    const res = await c.updatePartitionStates(
      [
        { topic: 't', partition: 0, state: { ...s, leaderEpoch: 1, isr: [1], zkVersion: 0 } },
        { topic: 't', partition: 1, state: { ...s, leaderEpoch: 1, isr: [1], zkVersion: 0 } },
      ],
      ctl.epochZkVersion,
    );
    expect(res.get('t-0')).toBeInstanceOf(ZkVersionMismatchError);
    expect((res.get('t-0') as ZkVersionMismatchError).path).toBe('/brokers/topics/t/partitions/0/state');
    expect(res.get('t-1')).toEqual({ ...s, leaderEpoch: 1, isr: [1], zkVersion: 1 });
    const again = await c.createPartitionStates([{ topic: 't', partition: 1, state: s }], ctl.epochZkVersion);
    expect(again.get('t-1')).toBeInstanceOf(NodeExistsError);
  });

  it('creates 1,000 partition states well under a second', async () => {
    const c = await kafkaClient(chroot(), 10000);
    await c.ensureBasePaths();
    const ctl = (await c.tryElectController(1))!;
    const assignment = new Map(Array.from({ length: 1000 }, (_, p) => [p, [1, 2, 3]] as [number, number[]]));
    await c.createTopic('big', assignment, {});
    const states = Array.from({ length: 1000 }, (_, p) => ({
      topic: 'big',
      partition: p,
      state: { leader: (p % 3) + 1, leaderEpoch: 0, isr: [1, 2, 3], controllerEpoch: ctl.epoch },
    }));
    const t0 = process.hrtime.bigint();
    const res = await c.createPartitionStates(states, ctl.epochZkVersion);
    const createMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const t1 = process.hrtime.bigint();
    const read = await c.getPartitionStates(states.map((s) => ({ topic: s.topic, partition: s.partition })));
    const readMs = Number(process.hrtime.bigint() - t1) / 1e6;
    const t2 = process.hrtime.bigint();
    await c.updatePartitionStates(
      [...read].map(([k, st]) => ({ topic: 'big', partition: Number(k.slice(4)), state: { ...st, leaderEpoch: 1 } })),
      ctl.epochZkVersion,
    );
    const updateMs = Number(process.hrtime.bigint() - t2) / 1e6;
    process.stdout.write(
      `[zk bench] 1000 partitions: createPartitionStates ${createMs.toFixed(0)} ms, getPartitionStates ${readMs.toFixed(0)} ms, updatePartitionStates ${updateMs.toFixed(0)} ms\n`,
    );
    expect([...res.values()].filter((v) => v instanceof Error)).toHaveLength(0);
    expect(read.size).toBe(1000);
    expect(createMs).toBeLessThan(1000);
    const t3 = process.hrtime.bigint();
    await c.deleteTopicZNodes('big', ctl.epochZkVersion);
    const deleteMs = Number(process.hrtime.bigint() - t3) / 1e6;
    process.stdout.write(`[zk bench] deleteTopicZNodes of 1000 partitions ${deleteMs.toFixed(0)} ms\n`);
    expect(await c.getAllTopics()).toEqual([]);
  });
});

describe('topics, config and admin requests', () => {
  it('creates topics with Kafka JSON, refuses duplicates with code 36, watches assignments', async () => {
    const c = await kafkaClient(chroot());
    await c.ensureBasePaths();
    let topicEvents = 0;
    c.onTopicsChange(() => topicEvents++);
    await c.createTopic('orders', new Map([[0, [1, 2]], [1, [2, 1]]]), { 'retention.ms': '1000' });
    // Kafka 2.8's version 3 JSON with a topic id (KIP-516), keys in Kafka's order.
    const topicJson = (await c.zk.getData('/brokers/topics/orders')).data?.toString() ?? '';
    const id = /"topic_id":"([A-Za-z0-9_-]{22})"/.exec(topicJson)?.[1];
    expect(id).toBeDefined();
    expect(topicJson).toBe(`{"partitions":{"0":[1,2],"1":[2,1]},"removing_replicas":{},"topic_id":"${id}","adding_replicas":{},"version":3}`);
    expect((await c.zk.getData('/config/topics/orders')).data?.toString()).toBe('{"version":1,"config":{"retention.ms":"1000"}}');
    const dup = await c.createTopic('orders', new Map([[0, [1]]]), {}).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(TopicAlreadyExistsError);
    expect((dup as TopicAlreadyExistsError).code).toBe(36);
    await waitFor(() => topicEvents >= 1, { timeoutMs: 5000, what: 'topic watch' });
    expect(await c.getAllTopics()).toEqual(['orders']);

    let assignmentEvents = 0;
    c.onTopicAssignmentChange('orders', () => assignmentEvents++);
    const before = (await c.getTopicAssignment('orders'))!;
    await c.addPartitions('orders', new Map([[0, [9]], [1, [2, 1]], [2, [1, 2]]]), before.zkVersion);
    const after = (await c.getTopicAssignment('orders'))!;
    expect([...after.partitions]).toEqual([
      [0, [1, 2]],
      [1, [2, 1]],
      [2, [1, 2]],
    ]);
    await waitFor(() => assignmentEvents >= 1, { timeoutMs: 5000, what: 'assignment watch' });
    await expect(c.addPartitions('orders', new Map([[3, [1]]]), before.zkVersion)).rejects.toBeInstanceOf(ZkVersionMismatchError);
    const all = await c.getTopicAssignments(['orders', 'missing']);
    expect([...all.keys()]).toEqual(['orders']);
  });

  it('config changes write a notification that a DynamicConfigManager sees once', async () => {
    const root = chroot();
    const writer = await kafkaClient(root);
    const reader = await kafkaClient(root);
    await writer.ensureBasePaths();
    await writer.setTopicConfig('old', { a: '1' }); // before subscribing: not replayed
    const seen: string[] = [];
    const manager = new DynamicConfigManager(reader, 1);
    manager.addListener((type, name) => void seen.push(`${type}/${name}`));
    manager.startup();
    await reader.getTopicConfig('old'); // queued after the subscription's first listing on the same session
    await writer.setTopicConfig('t', { 'cleanup.policy': 'compact' });
    await writer.setBrokerConfig('<default>', { 'log.retention.ms': '5' });
    await writer.setBrokerConfig(1, { x: 'y' });
    await waitFor(() => seen.length >= 3, { timeoutMs: 5000, what: 'config change notifications' });
    expect(seen).toEqual(['topics/t', 'brokers/<default>', 'brokers/1']);
    expect(await reader.getTopicConfig('t')).toEqual({ 'cleanup.policy': 'compact' });
    expect(await reader.getBrokerConfig('<default>')).toEqual({ 'log.retention.ms': '5' });
    const children = await reader.zk.getChildren('/config/changes');
    const last = children.sort().pop()!;
    expect(last).toMatch(/^config_change_\d{10}$/);
    expect((await reader.zk.getData(`/config/changes/${last}`)).data?.toString()).toBe('{"version":2,"entity_path":"brokers/1"}');
  });

  it('config change notifications older than the expiration are purged by a subscriber as it processes new ones', async () => {
    const root = chroot();
    const writer = await kafkaClient(root);
    const reader = await kafkaClient(root);
    await writer.ensureBasePaths();
    const seen: string[] = [];
    const manager = new DynamicConfigManager(reader, 1, { changeExpirationMs: 1500 });
    manager.addListener((_t, name) => void seen.push(name));
    manager.startup();
    await reader.getTopicConfig('x'); // the subscription's first listing is done
    await writer.setTopicConfig('first', { a: '1' });
    await waitFor(() => seen.includes('first'), { timeoutMs: 5000, what: 'first notification' });
    const [old] = await reader.zk.getChildren('/config/changes');
    // Once it is older than 1.5 s, the next notification's processing deletes it (and keeps the new one).
    const created = (await reader.zk.exists(`/config/changes/${old}`))!.ctime;
    await waitFor(() => Date.now() - created > 1600, { timeoutMs: 5000, intervalMs: 100, what: 'the first notification to age' });
    await writer.setTopicConfig('second', { b: '2' });
    await waitFor(async () => (await reader.zk.exists(`/config/changes/${old}`)) === null, { timeoutMs: 5000, what: 'the old notification purged' });
    expect(seen).toEqual(['first', 'second']);
    expect(await reader.zk.getChildren('/config/changes')).toHaveLength(1);
  });

  it('topic deletion, preferred replica election and reassignment requests', async () => {
    const c = await kafkaClient(chroot());
    await c.ensureBasePaths();
    const ctl = (await c.tryElectController(1))!;
    let deletions = 0;
    c.onTopicDeletionsChange(() => deletions++);
    await c.createTopic('gone', new Map([[0, [1]]]), { a: 'b' });
    await c.createPartitionStates([{ topic: 'gone', partition: 0, state: { leader: 1, leaderEpoch: 0, isr: [1], controllerEpoch: 1 } }], ctl.epochZkVersion);
    await c.requestTopicDeletion('gone');
    await c.requestTopicDeletion('gone'); // idempotent
    expect(await c.getTopicDeletions()).toEqual(['gone']);
    await waitFor(() => deletions >= 1, { timeoutMs: 5000, what: 'deletion watch' });
    await c.deleteTopicZNodes('gone', ctl.epochZkVersion);
    expect(await c.getAllTopics()).toEqual([]);
    expect(await c.getTopicDeletions()).toEqual([]);
    expect(await c.zk.exists('/config/topics/gone')).toBeNull();

    let pre = 0;
    let reassign = 0;
    c.onPreferredReplicaElection(() => pre++);
    c.onPartitionReassignment(() => reassign++);
    expect(await c.getPreferredReplicaElection()).toBeNull();
    await c.zk.create('/admin/preferred_replica_election', Buffer.from('{"version":1,"partitions":[{"topic":"t","partition":0}]}'));
    await c.zk.create('/admin/reassign_partitions', Buffer.from('{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2]}]}'));
    await waitFor(() => pre >= 1 && reassign >= 1, { timeoutMs: 5000, what: 'admin watches' });
    expect(await c.getPreferredReplicaElection()).toEqual([{ topic: 't', partition: 0 }]);
    expect([...(await c.getPartitionReassignment())!]).toEqual([['t-0', [1, 2]]]);
    await c.deletePreferredReplicaElection(ctl.epochZkVersion);
    await c.deletePartitionReassignment(ctl.epochZkVersion);
    await waitFor(() => pre >= 2 && reassign >= 2, { timeoutMs: 5000, what: 'admin watches after deletion' });
    expect(await c.getPartitionReassignment()).toBeNull();
  });

  it('cluster id is created once and then read back', async () => {
    const root = chroot();
    const a = await kafkaClient(root);
    const b = await kafkaClient(root);
    const [x, y] = await Promise.all([a.getOrCreateClusterId('AAAAAAAAAAAAAAAAAAAAAA'), b.getOrCreateClusterId('BBBBBBBBBBBBBBBBBBBBBB')]);
    expect(x).toBe(y);
    expect((await a.zk.getData('/cluster/id')).data?.toString()).toBe(`{"version":"1","id":"${x}"}`);
  });
});
