// Behaviour tests of KafkaController over an in-memory ZooKeeper and a recording channel.
import { ElectionType } from '../../../src/controller/KafkaController';
import { ErrorCode } from '../../../src/controller/errors';
import { InMemoryZkServer } from './InMemoryKafkaZk';
import { baseConfig, cluster, eventually, idle, startNode } from './helpers';

const topic = (name: string, numPartitions: number, replicationFactor: number) => ({ name, numPartitions, replicationFactor, assignments: [], configs: [] });
const manual = (name: string, assignment: number[][], configs: Array<{ name: string; value: string }> = []) => ({
  name,
  numPartitions: -1,
  replicationFactor: -1,
  assignments: assignment.map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds })),
  configs,
});

afterEach(() => jest.useRealTimers());

describe('election', () => {
  test('the first broker wins, bumps the epoch; the others follow it', async () => {
    const server = new InMemoryZkServer();
    for (const id of [1, 2]) server.addBroker(id);
    const a = startNode(server, 1);
    await idle(a);
    const b = startNode(server, 2);
    await idle(a, b);
    expect(a.controller.isActive).toBe(true);
    expect(a.controller.epoch).toBe(1);
    expect(server.controllerEpoch).toBe(1);
    expect(b.controller.isActive).toBe(false);
    expect(b.controller.activeControllerId).toBe(1);
    await a.controller.shutdown();
    await b.controller.shutdown();
  });

  test('session expiry of the controller: it resigns, another broker takes over with a higher epoch, leaders intact', async () => {
    const server = new InMemoryZkServer();
    for (const id of [1, 2, 3]) server.addBroker(id);
    const a = startNode(server, 1);
    await idle(a);
    await a.controller.createTopics([topic('t', 3, 3)], { validateOnly: false, timeoutMs: 1000 });
    const before = [0, 1, 2].map((p) => server.state('t', p));
    const b = startNode(server, 2);
    await idle(a, b);
    a.zk.expire();
    await idle(a, b);
    expect(a.controller.isActive).toBe(false);
    expect(b.controller.isActive).toBe(true);
    expect(b.controller.epoch).toBe(2);
    expect(a.channel.brokers.size).toBe(0);
    // Failover sends the full metadata to every live broker and LeaderAndIsr for every partition to its replicas.
    for (const id of [1, 2, 3]) {
      const um = b.channel.updateMetadata(id);
      expect(um.length).toBeGreaterThan(0);
      expect(um[0]?.partitions.map((p) => `${p.topic}-${p.partition}`).sort()).toEqual(['t-0', 't-1', 't-2']);
      const lair = b.channel.leaderAndIsr(id).flatMap((r) => r.partitions);
      expect(lair.map((p) => p.partition).sort()).toEqual([0, 1, 2]);
      expect(b.channel.leaderAndIsr(id)[0]?.controllerEpoch).toBe(2);
    }
    expect([0, 1, 2].map((p) => server.state('t', p))).toEqual(before);
    // The old controller re-enters the election after its session comes back, and loses.
    a.zk.reestablish();
    await idle(a, b);
    expect(a.controller.isActive).toBe(false);
    expect(a.controller.activeControllerId).toBe(2);
    await a.controller.shutdown();
    await b.controller.shutdown();
  });

  test('failover gives topics written without an id (Kafka before 2.8) a new one, keeps existing ids, and sends them to brokers', async () => {
    const server = new InMemoryZkServer();
    for (const id of [1, 2, 3]) server.addBroker(id);
    const isr = (leader: number, replicas: number[]) => ({ leader, leaderEpoch: 3, isr: replicas, controllerEpoch: 1 });
    server.putTopic('legacy', new Map([[0, [1, 2]], [1, [2, 3]]]), new Map([[0, isr(1, [1, 2])], [1, isr(2, [2, 3])]]));
    server.putTopic('modern', new Map([[0, [3, 1]]]), new Map([[0, isr(3, [3, 1])]]), 'zZ3Ab1FCRmGvjlqDH7bD8g');
    const before = server.topics.get('legacy')!.zkVersion;
    const a = startNode(server, 1);
    await idle(a);
    const legacyId = server.topics.get('legacy')?.topicId;
    expect(legacyId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(legacyId).not.toBe('AAAAAAAAAAAAAAAAAAAAAA');
    expect(server.topics.get('legacy')?.zkVersion).toBe(before + 1);
    expect(server.topics.get('legacy')?.partitions).toEqual(new Map([[0, [1, 2]], [1, [2, 3]]]));
    expect(server.topics.get('modern')?.topicId).toBe('zZ3Ab1FCRmGvjlqDH7bD8g');
    const ids = { legacy: legacyId, modern: 'zZ3Ab1FCRmGvjlqDH7bD8g' };
    for (const id of [1, 2, 3]) {
      for (const p of a.channel.updateMetadata(id).flatMap((r) => r.partitions)) expect(p.topicId).toBe(ids[p.topic as keyof typeof ids]);
      const lair = a.channel.leaderAndIsr(id).flatMap((r) => r.partitions);
      expect(lair.length).toBeGreaterThan(0);
      // The same leader epochs as before: brokers that already lead or follow record the id (partition.metadata).
      for (const p of lair) expect(p).toMatchObject({ topicId: ids[p.topic as keyof typeof ids], leaderEpoch: 3 });
    }
    // The next controller reads the ids back and assigns nothing new.
    const b = startNode(server, 2);
    await idle(a, b);
    a.zk.expire();
    await idle(a, b);
    expect(b.controller.isActive).toBe(true);
    expect(server.topics.get('legacy')?.topicId).toBe(legacyId);
    expect(b.channel.updateMetadata(3).flatMap((r) => r.partitions).find((p) => p.topic === 'legacy')?.topicId).toBe(legacyId);
    await a.controller.shutdown();
    await b.controller.shutdown();
  });

  test('a topic created without an id while the controller runs (an older admin tool) gets one too', async () => {
    const { server, node } = await cluster(3);
    server.putTopic('late', new Map([[0, [1, 2]]]));
    await eventually([node], () => (server.state('late', 0)?.leader ?? -1) >= 0);
    const id = server.topics.get('late')?.topicId;
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(node.channel.leaderAndIsr(1).flatMap((r) => r.partitions).find((p) => p.topic === 'late')?.topicId).toBe(id);
    await node.controller.shutdown();
  });

  test('failover elects leaders for partitions whose leader died while there was no controller', async () => {
    const server = new InMemoryZkServer();
    for (const id of [1, 2, 3]) server.addBroker(id);
    server.putTopic('t', new Map([[0, [3, 2]]]), new Map([[0, { leader: 3, leaderEpoch: 4, isr: [3, 2], controllerEpoch: 0 }]]));
    server.removeBroker(3);
    const node = startNode(server, 1);
    await idle(node);
    expect(server.state('t', 0)).toMatchObject({ leader: 2, isr: [2], controllerEpoch: 1 });
    expect(server.state('t', 0)?.leaderEpoch).toBeGreaterThan(4);
    await node.controller.shutdown();
  });

  test('a controller fenced by a newer epoch (ControllerMovedError) resigns at once and writes nothing', async () => {
    const { server, node } = await cluster(3);
    await node.controller.createTopics([manual('t', [[2, 3]])], { validateOnly: false, timeoutMs: 1000 });
    const before = server.state('t', 0);
    // Another controller bumped the epoch, but the /controller watch has not reached us yet.
    server.epochZkVersion += 1;
    node.channel.clear();
    server.removeBroker(2);
    await idle(node);
    expect(node.controller.isActive).toBe(false);
    expect(server.fencedWrites).toBeGreaterThan(0);
    expect(server.state('t', 0)).toEqual(before);
    expect(node.channel.sent).toEqual([]);
    expect(node.channel.brokers.size).toBe(0);
    const answer = await node.controller.createTopics([topic('u', 1, 1)], { validateOnly: false, timeoutMs: 100 });
    expect(answer[0]?.errorCode).toBe(ErrorCode.NOT_CONTROLLER);
    await node.controller.shutdown();
  });

  test('a controller that sees another controller elected resigns', async () => {
    const { server, node } = await cluster(2);
    server.stealController(2);
    await idle(node);
    expect(node.controller.isActive).toBe(false);
    expect(node.controller.activeControllerId).toBe(2);
    await node.controller.shutdown();
  });
});

describe('topics', () => {
  test('creation: state znodes with leader = first live replica, ISR = live replicas, epoch 0; LeaderAndIsr to replicas, UpdateMetadata to all', async () => {
    const { server, node } = await cluster(3);
    node.channel.clear();
    const res = await node.controller.createTopics([manual('orders', [[2, 3], [3, 1]])], { validateOnly: false, timeoutMs: 1000 });
    const topicId = server.topics.get('orders')?.topicId;
    expect(topicId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(res).toEqual([{ name: 'orders', topicId, errorCode: 0, errorMessage: null, numPartitions: 2, replicationFactor: 2 }]);
    expect(server.state('orders', 0)).toEqual({ leader: 2, leaderEpoch: 0, isr: [2, 3], controllerEpoch: 1, zkVersion: 0 });
    expect(server.state('orders', 1)).toEqual({ leader: 3, leaderEpoch: 0, isr: [3, 1], controllerEpoch: 1, zkVersion: 0 });
    const toBroker2 = node.channel.leaderAndIsr(2).flatMap((r) => r.partitions);
    expect(toBroker2).toEqual([expect.objectContaining({ topic: 'orders', topicId, partition: 0, leader: 2, isr: [2, 3], replicas: [2, 3], isNew: true })]);
    expect(node.channel.leaderAndIsr(1).flatMap((r) => r.partitions).map((p) => p.partition)).toEqual([1]);
    for (const id of [1, 2, 3]) {
      const parts = node.channel.updateMetadata(id).flatMap((r) => r.partitions);
      expect(parts.filter((p) => p.topic === 'orders').length).toBeGreaterThanOrEqual(2);
      expect(parts.filter((p) => p.topic === 'orders').every((p) => p.topicId === topicId)).toBe(true);
    }
    // Every request carries the controller id and epoch and the target's broker epoch.
    const lair = node.channel.leaderAndIsr(2)[0];
    expect(lair).toMatchObject({ controllerId: 1, controllerEpoch: 1, brokerEpoch: server.brokers.get(2)?.epoch });
    expect(lair?.liveLeaders.map((b) => b.id)).toEqual([2]);
    await node.controller.shutdown();
  });

  test('creation defaults (-1) come from num.partitions and default.replication.factor; configs are written', async () => {
    const { server, node } = await cluster(3, { numPartitions: 4, defaultReplicationFactor: 2 });
    const res = await node.controller.createTopics(
      [{ name: 'd', numPartitions: -1, replicationFactor: -1, assignments: [], configs: [{ name: 'retention.ms', value: '1000' }] }],
      { validateOnly: false, timeoutMs: 1000 },
    );
    expect(res[0]).toMatchObject({ errorCode: 0, numPartitions: 4, replicationFactor: 2 });
    expect(server.topicConfig('d')).toEqual({ 'retention.ms': '1000' });
    // Leaders spread over the brokers.
    const leaders = [0, 1, 2, 3].map((p) => server.state('d', p)?.leader);
    expect(new Set(leaders).size).toBe(3);
    await node.controller.shutdown();
  });

  test.each([
    ['existing topic', [topic('dup', 1, 1)], ErrorCode.TOPIC_ALREADY_EXISTS],
    ['invalid name', [topic('bad name', 1, 1)], ErrorCode.INVALID_TOPIC_EXCEPTION],
    ['colliding name', [topic('dup.x', 1, 1)], ErrorCode.INVALID_TOPIC_EXCEPTION],
    ['zero partitions', [topic('z', 0, 1)], ErrorCode.INVALID_PARTITIONS],
    ['replication factor above live brokers', [topic('rf', 1, 4)], ErrorCode.INVALID_REPLICATION_FACTOR],
    ['zero replication factor', [topic('rf0', 1, 0)], ErrorCode.INVALID_REPLICATION_FACTOR],
    ['manual assignment with unknown broker', [manual('m', [[1, 7]])], ErrorCode.INVALID_REPLICA_ASSIGNMENT],
    ['manual assignment with counts set', [{ ...manual('m2', [[1]]), numPartitions: 1 }], ErrorCode.INVALID_REQUEST],
    ['unknown config name', [{ ...topic('c1', 1, 1), configs: [{ name: 'dummy.doesntexist', value: '1' }] }], ErrorCode.INVALID_CONFIG],
    ['config value that does not parse', [{ ...topic('c2', 1, 1), configs: [{ name: 'retention.ms', value: 'soon' }] }], ErrorCode.INVALID_CONFIG],
    ['message format before 0.11', [{ ...topic('c3', 1, 1), configs: [{ name: 'message.format.version', value: '0.10.2' }] }], ErrorCode.INVALID_CONFIG],
    ['null config value', [{ ...topic('c4', 1, 1), configs: [{ name: 'retention.ms', value: null }] }], ErrorCode.INVALID_REQUEST],
  ])('creation error: %s', async (_name, topics, code) => {
    const { server, node } = await cluster(3);
    await node.controller.createTopics([topic('dup', 1, 1), topic('dup_x', 1, 1)], { validateOnly: false, timeoutMs: 1000 });
    const before = [...server.topics.keys()].sort();
    const res = await node.controller.createTopics(topics, { validateOnly: false, timeoutMs: 1000 });
    expect(res[0]?.errorCode).toBe(code);
    expect(res[0]?.errorMessage).toBeTruthy();
    expect([...server.topics.keys()].sort()).toEqual(before);
    await node.controller.shutdown();
  });

  test('validateOnly checks but writes nothing', async () => {
    const { server, node } = await cluster(3);
    const res = await node.controller.createTopics([topic('v', 6, 3), topic('w', 1, 9)], { validateOnly: true, timeoutMs: 1000 });
    expect(res.map((r) => r.errorCode)).toEqual([0, ErrorCode.INVALID_REPLICATION_FACTOR]);
    expect(res[0]).toMatchObject({ numPartitions: 6, replicationFactor: 3 });
    expect(server.topics.has('v')).toBe(false);
    await node.controller.shutdown();
  });

  test('creation answers REQUEST_TIMED_OUT when partitions get no leader within timeoutMs', async () => {
    const { server, node } = await cluster(3);
    server.failStateCreation.add('late'); // the partition cannot get a leader
    const res = await node.controller.createTopics([manual('late', [[2]])], { validateOnly: false, timeoutMs: 50 });
    expect(res[0]?.errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
    expect(server.topics.has('late')).toBe(true);
    await node.controller.shutdown();
  });

  test('deletion: StopReplica with delete to every replica, znodes removed after all answer, UpdateMetadata marks it deleted', async () => {
    const { server, node } = await cluster(3);
    await node.controller.createTopics([manual('gone', [[1, 2], [2, 3]])], { validateOnly: false, timeoutMs: 1000 });
    node.channel.clear();
    const res = await node.controller.deleteTopics(['gone', 'never'], 2000);
    expect(res).toEqual([
      { name: 'gone', errorCode: 0, errorMessage: null },
      { name: 'never', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: expect.any(String) },
    ]);
    expect(server.topics.has('gone')).toBe(false);
    expect(server.deletions.size).toBe(0);
    for (const [id, parts] of [[1, [0]], [2, [0, 1]], [3, [1]]] as const) {
      const stops = node.channel.stopReplica(id).flatMap((r) => r.partitions);
      expect(stops.filter((p) => p.deletePartition).map((p) => p.partition).sort()).toEqual(parts);
    }
    const marked = node.channel.updateMetadata(3).flatMap((r) => r.partitions).filter((p) => p.topic === 'gone');
    expect(marked.length).toBe(2);
    expect(marked.every((p) => p.leader === -2)).toBe(true);
    await node.controller.shutdown();
  });

  test('deletion waits for a dead replica to come back', async () => {
    const { server, node } = await cluster(3);
    await node.controller.createTopics([manual('wait', [[2, 3]])], { validateOnly: false, timeoutMs: 1000 });
    server.removeBroker(3);
    await idle(node);
    const res = await node.controller.deleteTopics(['wait'], 50);
    expect(res[0]?.errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
    expect(server.topics.has('wait')).toBe(true);
    server.addBroker(3);
    await eventually([node], () => !server.topics.has('wait'));
    expect(node.channel.stopReplica(3).some((r) => r.partitions.some((p) => p.topic === 'wait' && p.deletePartition))).toBe(true);
    await node.controller.shutdown();
  });

  test('deletion disabled answers TOPIC_DELETION_DISABLED', async () => {
    const { server, node } = await cluster(1, { deleteTopicEnable: false });
    await node.controller.createTopics([topic('keep', 1, 1)], { validateOnly: false, timeoutMs: 1000 });
    const res = await node.controller.deleteTopics(['keep'], 1000);
    expect(res[0]?.errorCode).toBe(ErrorCode.TOPIC_DELETION_DISABLED);
    expect(server.topics.has('keep')).toBe(true);
    await node.controller.shutdown();
  });

  test('adding partitions: new partitions get states and leaders; errors for no increase and unknown topics', async () => {
    const { server, node } = await cluster(3);
    await node.controller.createTopics([topic('grow', 2, 2)], { validateOnly: false, timeoutMs: 1000 });
    node.channel.clear();
    const res = await node.controller.createPartitions(
      [
        { name: 'grow', count: 5, assignments: null },
        { name: 'nope', count: 2, assignments: null },
      ],
      { validateOnly: false, timeoutMs: 1000 },
    );
    expect(res.map((r) => r.errorCode)).toEqual([0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    expect([...server.topics.get('grow')!.partitions.keys()]).toEqual([0, 1, 2, 3, 4]);
    for (const p of [2, 3, 4]) {
      const s = server.state('grow', p);
      expect(s?.leaderEpoch).toBe(0);
      expect(s?.isr).toHaveLength(2);
    }
    expect(node.channel.leaderAndIsr().flatMap((r) => r.partitions).every((p) => p.partition >= 2 && p.isNew)).toBe(true);
    const again = await node.controller.createPartitions([{ name: 'grow', count: 5, assignments: null }, { name: 'grow', count: 3, assignments: null }], { validateOnly: false, timeoutMs: 1000 });
    expect(again.map((r) => r.errorCode)).toEqual([ErrorCode.INVALID_PARTITIONS, ErrorCode.INVALID_PARTITIONS]);
    const manualRes = await node.controller.createPartitions([{ name: 'grow', count: 6, assignments: [{ brokerIds: [3] }] }], { validateOnly: false, timeoutMs: 1000 });
    expect(manualRes[0]?.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    const ok = await node.controller.createPartitions([{ name: 'grow', count: 6, assignments: [{ brokerIds: [3, 1] }] }], { validateOnly: false, timeoutMs: 1000 });
    expect(ok[0]?.errorCode).toBe(0);
    expect(server.state('grow', 5)).toMatchObject({ leader: 3, isr: [3, 1] });
    await node.controller.shutdown();
  });
});

describe('broker changes', () => {
  test('failure: partitions it led get ISR leaders, it leaves every ISR, everyone gets UpdateMetadata', async () => {
    const { server, node } = await cluster(3);
    await node.controller.createTopics([manual('t', [[2, 1, 3], [1, 2, 3], [3, 1, 2]])], { validateOnly: false, timeoutMs: 1000 });
    node.channel.clear();
    server.removeBroker(2);
    await idle(node);
    expect(server.state('t', 0)).toMatchObject({ leader: 1, leaderEpoch: 1, isr: [1, 3] });
    expect(server.state('t', 1)).toMatchObject({ leader: 1, leaderEpoch: 1, isr: [1, 3] });
    expect(server.state('t', 2)).toMatchObject({ leader: 3, leaderEpoch: 1, isr: [3, 1] });
    expect(node.channel.sent.some((s) => s.brokerId === 2)).toBe(false);
    for (const id of [1, 3]) {
      const um = node.channel.updateMetadata(id);
      expect(um.length).toBeGreaterThan(0);
      expect(um.at(-1)?.liveBrokers.map((b) => b.id)).toEqual([1, 3]);
    }
    // The new leader of t-0 is told by LeaderAndIsr.
    expect(node.channel.leaderAndIsr(1).flatMap((r) => r.partitions).find((p) => p.partition === 0)).toMatchObject({ leader: 1, leaderEpoch: 1 });
    await node.controller.shutdown();
  });

  test('no eligible replica: the partition goes offline with leader -1 and keeps the last ISR member', async () => {
    const { server, node } = await cluster(3);
    await node.controller.createTopics([manual('single', [[3]]), manual('pair', [[2, 3]])], { validateOnly: false, timeoutMs: 1000 });
    // Shrink pair-0's ISR to [2] through AlterIsr, as its leader would.
    const s = server.state('pair', 0)!;
    const r = await node.controller.alterIsr({
      brokerId: 2,
      brokerEpoch: server.brokers.get(2)!.epoch!,
      topics: [{ name: 'pair', partitions: [{ partitionIndex: 0, leaderEpoch: s.leaderEpoch, newIsr: [2], currentIsrVersion: s.zkVersion }] }],
    });
    expect(r.topics[0]?.partitions[0]?.errorCode).toBe(0);
    server.removeBroker(3);
    server.removeBroker(2);
    await idle(node);
    expect(server.state('single', 0)).toMatchObject({ leader: -1, isr: [3] });
    expect(server.state('pair', 0)).toMatchObject({ leader: -1, isr: [2] }); // 3 is alive? no: both dead; unclean off anyway
    await node.controller.shutdown();
  });

  test('unclean election off: a live out-of-sync replica does not become leader; on (topic config): it does', async () => {
    const { server, node } = await cluster(3);
    await node.controller.createTopics(
      [manual('clean', [[2, 3]]), manual('dirty', [[2, 3]], [{ name: 'unclean.leader.election.enable', value: 'true' }])],
      { validateOnly: false, timeoutMs: 1000 },
    );
    for (const name of ['clean', 'dirty']) {
      const s = server.state(name, 0)!;
      await node.controller.alterIsr({
        brokerId: 2,
        brokerEpoch: server.brokers.get(2)!.epoch!,
        topics: [{ name, partitions: [{ partitionIndex: 0, leaderEpoch: s.leaderEpoch, newIsr: [2], currentIsrVersion: s.zkVersion }] }],
      });
    }
    server.removeBroker(2);
    await idle(node);
    expect(server.state('clean', 0)).toMatchObject({ leader: -1, isr: [2] });
    expect(server.state('dirty', 0)).toMatchObject({ leader: 3, isr: [3] });
    await node.controller.shutdown();
  });

  test('return: the broker gets full metadata, then LeaderAndIsr as follower; offline partitions it holds get it as leader', async () => {
    const { server, node } = await cluster(3);
    await node.controller.createTopics([manual('t', [[1, 3]]), manual('solo', [[3]])], { validateOnly: false, timeoutMs: 1000 });
    server.removeBroker(3);
    await idle(node);
    expect(server.state('solo', 0)?.leader).toBe(-1);
    node.channel.clear();
    const epoch = server.addBroker(3);
    await idle(node);
    const first = node.channel.sent.find((s) => s.brokerId === 3);
    expect(first?.kind).toBe('UpdateMetadata');
    const lair = node.channel.leaderAndIsr(3);
    expect(lair.every((r) => r.brokerEpoch === epoch)).toBe(true);
    const parts = lair.flatMap((r) => r.partitions);
    expect(parts.find((p) => p.topic === 't')).toMatchObject({ leader: 1 }); // follower of the current leader
    expect(server.state('solo', 0)).toMatchObject({ leader: 3, isr: [3] });
    expect(parts.filter((p) => p.topic === 'solo').at(-1)).toMatchObject({ leader: 3 });
    await node.controller.shutdown();
  });

  test('a bounced broker (new epoch, no gap seen) is handled as a failure then a startup', async () => {
    const { server, node } = await cluster(3);
    await node.controller.createTopics([manual('t', [[2, 1]])], { validateOnly: false, timeoutMs: 1000 });
    node.channel.clear();
    const epoch = server.bounceBroker(2);
    await idle(node);
    expect(server.state('t', 0)).toMatchObject({ leader: 1, isr: [1] });
    const lair = node.channel.leaderAndIsr(2);
    expect(lair.length).toBeGreaterThan(0);
    expect(lair.at(-1)?.brokerEpoch).toBe(epoch);
    expect(lair.at(-1)?.partitions[0]).toMatchObject({ leader: 1 });
    await node.controller.shutdown();
  });

  test('a lost zkVersion race is re-read and retried', async () => {
    const { server, node } = await cluster(3);
    await node.controller.createTopics([manual('t', [[2, 1]])], { validateOnly: false, timeoutMs: 1000 });
    server.raceNextWrite.add('t-0');
    server.removeBroker(2);
    await idle(node);
    expect(server.state('t', 0)).toMatchObject({ leader: 1, isr: [1] });
    await node.controller.shutdown();
  });
});

describe('AlterIsr', () => {
  async function setup() {
    const { server, node } = await cluster(3);
    await node.controller.createTopics([manual('a', [[1, 2, 3]])], { validateOnly: false, timeoutMs: 1000 });
    const s = server.state('a', 0)!;
    const epoch = server.brokers.get(1)!.epoch!;
    const req = (over: Partial<{ leaderEpoch: number; newIsr: readonly number[]; currentIsrVersion: number }> = {}, brokerId = 1, brokerEpoch = epoch) => ({
      brokerId,
      brokerEpoch,
      topics: [{ name: 'a', partitions: [{ partitionIndex: 0, leaderEpoch: over.leaderEpoch ?? s.leaderEpoch, newIsr: [...(over.newIsr ?? [1, 2])], currentIsrVersion: over.currentIsrVersion ?? s.zkVersion }] }],
    });
    return { server, node, req, s };
  }

  test('a valid change is written and answered with the new zkVersion, then UpdateMetadata goes to all', async () => {
    const { server, node, req, s } = await setup();
    node.channel.clear();
    const res = await node.controller.alterIsr(req());
    expect(res.errorCode).toBe(0);
    expect(res.topics[0]?.partitions[0]).toEqual({ partitionIndex: 0, errorCode: 0, leaderId: 1, leaderEpoch: s.leaderEpoch, isr: [1, 2], currentIsrVersion: s.zkVersion + 1 });
    expect(server.state('a', 0)).toMatchObject({ isr: [1, 2], zkVersion: s.zkVersion + 1, leaderEpoch: s.leaderEpoch });
    for (const id of [1, 2, 3]) expect(node.channel.updateMetadata(id).flatMap((r) => r.partitions)).toEqual([expect.objectContaining({ topic: 'a', isr: [1, 2] })]);
    await node.controller.shutdown();
  });

  test.each([
    ['stale leader epoch', { leaderEpoch: -1 }, 1, undefined, 0, ErrorCode.FENCED_LEADER_EPOCH],
    ['stale zkVersion', { currentIsrVersion: 42 }, 1, undefined, 0, ErrorCode.INVALID_UPDATE_VERSION],
    ['not the leader', {}, 2, 'own', 0, ErrorCode.NOT_LEADER_OR_FOLLOWER],
    ['ISR without the leader', { newIsr: [2, 3] }, 1, undefined, 0, ErrorCode.INVALID_REQUEST],
    ['old broker epoch', {}, 1, 1n, ErrorCode.STALE_BROKER_EPOCH, undefined],
  ] as const)('%s', async (_n, over, brokerId, epochMode, topLevel, partitionCode) => {
    const { server, node, req, s } = await setup();
    const brokerEpoch = epochMode === 'own' ? server.brokers.get(brokerId)!.epoch! : epochMode ?? server.brokers.get(1)!.epoch!;
    const res = await node.controller.alterIsr(req(over, brokerId, brokerEpoch));
    expect(res.errorCode).toBe(topLevel);
    if (partitionCode !== undefined) expect(res.topics[0]?.partitions[0]?.errorCode).toBe(partitionCode);
    expect(server.state('a', 0)).toEqual(s);
    await node.controller.shutdown();
  });

  test('a non-controller answers NOT_CONTROLLER', async () => {
    const server = new InMemoryZkServer();
    server.addBroker(1);
    server.addBroker(2);
    const a = startNode(server, 1);
    await idle(a);
    const b = startNode(server, 2);
    await idle(b);
    const res = await b.controller.alterIsr({ brokerId: 1, brokerEpoch: 0n, topics: [] });
    expect(res.errorCode).toBe(ErrorCode.NOT_CONTROLLER);
    await a.controller.shutdown();
    await b.controller.shutdown();
  });
});

describe('controlled shutdown', () => {
  test('leadership moves to other ISR members, the broker leaves ISRs, StopReplica for its follower replicas', async () => {
    const { server, node } = await cluster(3);
    await node.controller.createTopics(
      [manual('t', [[1, 2, 3], [2, 1, 3], [3, 2, 1]]), manual('solo', [[1]])],
      { validateOnly: false, timeoutMs: 1000 },
    );
    node.channel.clear();
    const res = await node.controller.controlledShutdown(1, server.brokers.get(1)!.epoch!);
    expect(res).toEqual({ errorCode: 0, remainingPartitions: [] });
    expect(server.state('t', 0)).toMatchObject({ leader: 2, isr: [2, 3], leaderEpoch: 1 });
    expect(server.state('t', 1)).toMatchObject({ leader: 2, isr: [2, 3] });
    expect(server.state('t', 2)).toMatchObject({ leader: 3, isr: [3, 2] });
    expect(server.state('solo', 0)).toMatchObject({ leader: 1 }); // RF 1 cannot move
    const stops = node.channel.stopReplica(1).flatMap((r) => r.partitions);
    expect(stops.map((p) => p.partition).sort()).toEqual([1, 2]);
    expect(stops.every((p) => !p.deletePartition)).toBe(true);
    // The shutting-down broker is told it is now a follower of t-0.
    expect(node.channel.leaderAndIsr(1).flatMap((r) => r.partitions).find((p) => p.topic === 't' && p.partition === 0)).toMatchObject({ leader: 2 });
    await node.controller.shutdown();
  });

  test('partitions whose ISR holds only the stopping broker remain', async () => {
    const { server, node } = await cluster(2);
    await node.controller.createTopics([manual('t', [[1, 2]])], { validateOnly: false, timeoutMs: 1000 });
    const s = server.state('t', 0)!;
    await node.controller.alterIsr({
      brokerId: 1,
      brokerEpoch: server.brokers.get(1)!.epoch!,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, leaderEpoch: s.leaderEpoch, newIsr: [1], currentIsrVersion: s.zkVersion }] }],
    });
    const res = await node.controller.controlledShutdown(1, server.brokers.get(1)!.epoch!);
    expect(res.remainingPartitions).toEqual([{ topicName: 't', partitionIndex: 0 }]);
    expect(server.state('t', 0)?.leader).toBe(1);
    await node.controller.shutdown();
  });

  test('unknown broker and stale epoch are refused', async () => {
    const { server, node } = await cluster(2);
    expect((await node.controller.controlledShutdown(9, 1n)).errorCode).toBe(ErrorCode.BROKER_NOT_AVAILABLE);
    const epoch = server.brokers.get(2)!.epoch!;
    expect((await node.controller.controlledShutdown(2, epoch - 1n)).errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
    await node.controller.shutdown();
  });
});

describe('preferred leaders', () => {
  async function imbalanced() {
    const { server, node } = await cluster(3, { leaderImbalancePerBrokerPercentage: 10 });
    await node.controller.createTopics([manual('p', [[1, 2], [2, 1]])], { validateOnly: false, timeoutMs: 1000 });
    server.removeBroker(1);
    await idle(node);
    server.addBroker(1);
    await idle(node);
    expect(server.state('p', 0)?.leader).toBe(2);
    // Broker 1 is back; make it rejoin the ISR, as its leader would after catching up.
    const s = server.state('p', 0)!;
    await node.controller.alterIsr({
      brokerId: 2,
      brokerEpoch: server.brokers.get(2)!.epoch!,
      topics: [{ name: 'p', partitions: [{ partitionIndex: 0, leaderEpoch: s.leaderEpoch, newIsr: [2, 1], currentIsrVersion: s.zkVersion }] }],
    });
    return { server, node };
  }

  test('/admin/preferred_replica_election moves leadership back and is removed', async () => {
    const { server, node } = await imbalanced();
    server.requestPreferredReplicaElection([{ topic: 'p', partition: 0 }]);
    await idle(node);
    expect(server.state('p', 0)?.leader).toBe(1);
    expect(server.preferred).toBeNull();
    await node.controller.shutdown();
  });

  test('the auto rebalance check elects preferred leaders above the imbalance threshold', async () => {
    const { server, node } = await imbalanced();
    node.controller.triggerAutoLeaderRebalance();
    await idle(node);
    expect(server.state('p', 0)?.leader).toBe(1);
    expect(server.state('p', 1)?.leader).toBe(2);
    await node.controller.shutdown();
  });

  test('ElectLeaders API: preferred and unclean, with per-partition errors', async () => {
    const { server, node } = await imbalanced();
    const res = await node.controller.electLeaders(
      [
        { topic: 'p', partition: 0 },
        { topic: 'p', partition: 1 },
        { topic: 'x', partition: 0 },
      ],
      ElectionType.PREFERRED,
    );
    expect(res.map((r) => r.errorCode)).toEqual([0, ErrorCode.ELECTION_NOT_NEEDED, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    expect(server.state('p', 0)?.leader).toBe(1);
    const unclean = await node.controller.electLeaders([{ topic: 'p', partition: 0 }], ElectionType.UNCLEAN);
    expect(unclean[0]?.errorCode).toBe(ErrorCode.ELECTION_NOT_NEEDED);
    await node.controller.shutdown();
  });
});

test('base config is the documented default set', () => {
  expect(baseConfig.uncleanLeaderElectionEnable).toBe(false);
});
