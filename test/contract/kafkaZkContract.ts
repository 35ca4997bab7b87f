// What the controller and broker rely on from KafkaZkApi, written once and run against both the in-memory double
// used by controller unit tests and KafkaZkClient on a real ZooKeeper, so the double cannot drift from the real thing.
// (ISR changes reach the controller by AlterIsr, KIP-497: KafkaZkApi has no /isr_change_notification to cover.)
import {
  BrokerIdAlreadyRegisteredError,
  ControllerMovedError,
  TopicAlreadyExistsError,
  ZkVersionMismatchError,
  type BrokerRegistration,
  type KafkaZkApi,
  type LeaderIsrState,
} from '../../src/zk/api';
import { DynamicConfigManager } from '../../src/server/DynamicConfigManager';
import { waitFor } from '../harness/waitFor';

/** One ZooKeeper (real or simulated), empty at first, shared by every session opened on it. */
export interface KafkaZkContractEnv {
  /** Opens a new session. */
  session(): Promise<KafkaZkApi>;
  /**
   * Expires `zk`'s session as a ZooKeeper server does: its ephemerals go and everyone watching is told; the client
   * hears onSessionExpired, gets a new session (re-registering its broker) and hears onSessionReestablished.
   * Resolves once it has been re-established.
   */
  expireSession(zk: KafkaZkApi): Promise<void>;
  /** What `kafka-preferred-replica-election.sh --zookeeper` writes: /admin/preferred_replica_election. */
  requestPreferredReplicaElection(partitions: Array<{ topic: string; partition: number }>): Promise<void>;
  /** What `kafka-reassign-partitions.sh --zookeeper` writes: /admin/reassign_partitions. */
  requestPartitionReassignment(reassignment: Map<string, number[]>): Promise<void>;
  /** A topic as Kafka before 2.8 creates it: /brokers/topics/<t> version 1, without a topic id. */
  writeLegacyTopic(topic: string, partitions: Map<number, number[]>): Promise<void>;
  /** Closes every session still open. */
  close(): Promise<void>;
}

const reg = (id: number): BrokerRegistration => ({
  id,
  rack: id % 2 === 0 ? 'rack-b' : null,
  endpoints: [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 9090 + id }],
});

const state = (leader: number, isr: number[], leaderEpoch = 0, controllerEpoch = 1): Omit<LeaderIsrState, 'zkVersion'> => ({ leader, leaderEpoch, isr, controllerEpoch });

/** Counts a subscription's signals. */
function counter(): { count: number; cb: () => void } {
  const c = { count: 0, cb: (): void => void c.count++ };
  return c;
}

/**
 * Runs `action` and waits until the watcher `c` on session `zk` has been told. A read on `zk` afterwards is queued
 * behind the watch the implementation re-armed, so the next change is seen too.
 */
async function expectSignal(zk: KafkaZkApi, c: { count: number }, action: () => Promise<unknown>, what: string): Promise<void> {
  const before = c.count;
  await action();
  await waitFor(() => c.count > before, { timeoutMs: 10_000, intervalMs: 5, what });
  await zk.getControllerId();
}

/** The error `p` rejects with (fails when it resolves). */
function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

export function describeKafkaZkContract(name: string, newEnv: () => Promise<KafkaZkContractEnv>): void {
  describe(`KafkaZkApi contract: ${name}`, () => {
    let env: KafkaZkContractEnv;
    /** A session after start-up: base paths created, as a broker does first. */
    async function session(): Promise<KafkaZkApi> {
      const zk = await env.session();
      await zk.ensureBasePaths();
      return zk;
    }
    /** A session that won the controller election, with its epoch zkVersion. */
    async function controller(brokerId = 1): Promise<{ zk: KafkaZkApi; epoch: number; v: number }> {
      const zk = await session();
      const won = await zk.tryElectController(brokerId);
      if (!won) throw new Error('election lost');
      return { zk, epoch: won.epoch, v: won.epochZkVersion };
    }

    beforeEach(async () => {
      env = await newEnv();
    });
    afterEach(async () => {
      await env.close();
    });

    describe('cluster and brokers', () => {
      it('getOrCreateClusterId: the first proposal wins, later ones read it back', async () => {
        const [a, b] = [await session(), await session()];
        expect(await a.getOrCreateClusterId('AAAAAAAAAAAAAAAAAAAAAA')).toBe('AAAAAAAAAAAAAAAAAAAAAA');
        expect(await b.getOrCreateClusterId('BBBBBBBBBBBBBBBBBBBBBB')).toBe('AAAAAAAAAAAAAAAAAAAAAA');
      });

      it('registerBroker answers the broker epoch; getAllBrokers lists every registration with its epoch, by id', async () => {
        const [a, b] = [await session(), await session()];
        expect(await a.getAllBrokers()).toEqual([]);
        const e2 = await a.registerBroker(reg(2));
        const e1 = await b.registerBroker(reg(1));
        expect(typeof e1).toBe('bigint');
        expect(e1).toBeGreaterThan(e2); // czxids grow
        expect(await a.getAllBrokers()).toEqual([
          { ...reg(1), epoch: e1 },
          { ...reg(2), epoch: e2 },
        ]);
      });

      it('registering again from the same session keeps the epoch; another live session cannot take the id', async () => {
        const [a, b] = [await session(), await session()];
        const epoch = await a.registerBroker(reg(1));
        expect(await a.registerBroker(reg(1))).toBe(epoch);
        expect(await rejection(b.registerBroker(reg(1)))).toBeInstanceOf(BrokerIdAlreadyRegisteredError);
        expect((await a.getAllBrokers()).map((x) => [x.id, x.epoch])).toEqual([[1, epoch]]);
      });

      it('a closed session takes its registration with it, and broker watchers are told of joins and leaves', async () => {
        const watcher = await session();
        const c = counter();
        watcher.onBrokersChange(c.cb);
        await watcher.getAllBrokers();
        const [a, b] = [await session(), await session()];
        await expectSignal(watcher, c, () => a.registerBroker(reg(1)), 'broker 1 joining');
        await expectSignal(watcher, c, () => b.registerBroker(reg(2)), 'broker 2 joining');
        await expectSignal(watcher, c, () => a.close(), 'broker 1 leaving');
        expect((await watcher.getAllBrokers()).map((x) => x.id)).toEqual([2]);
      });

      it('session expiry: told expired, then re-registered with a new epoch and told re-established; watches keep firing', async () => {
        const [zk, observer] = [await session(), await session()];
        const epoch = await zk.registerBroker(reg(5));
        const events: string[] = [];
        zk.onSessionExpired(() => events.push('expired'));
        zk.onSessionReestablished(() => events.push('reestablished'));
        const own = counter();
        zk.onBrokersChange(own.cb);
        const seen = counter();
        observer.onBrokersChange(seen.cb);
        await zk.getAllBrokers();
        await observer.getAllBrokers();

        const before = seen.count;
        await env.expireSession(zk);
        expect(events).toEqual(['expired', 'reestablished']);
        const after = await observer.getAllBrokers();
        expect(after.map((x) => x.id)).toEqual([5]);
        expect(after[0]?.epoch).toBeGreaterThan(epoch);
        await waitFor(() => seen.count > before, { timeoutMs: 10_000, intervalMs: 5, what: 'the observer told of the re-registration' });
        // The expired session's own subscription still works on its new session.
        await zk.getAllBrokers();
        await expectSignal(zk, own, () => observer.registerBroker(reg(6)), 'broker 6 joining, seen by the re-established session');
      });
    });

    describe('controller election', () => {
      it('no controller and no controller epoch before the first election', async () => {
        const zk = await session();
        expect(await zk.getControllerId()).toBeNull();
        expect(await zk.getControllerEpoch()).toBeNull();
      });

      it('of two racing sessions exactly one wins epoch 1; the loser (and the winner again) get null; id and epoch read back', async () => {
        const [a, b] = [await session(), await session()];
        const [ra, rb] = await Promise.all([a.tryElectController(1), b.tryElectController(2)]);
        const won = ra ?? rb;
        expect([ra, rb].filter((r) => r !== null)).toEqual([{ epoch: 1, epochZkVersion: expect.any(Number) }]);
        const [winner, winnerId] = ra ? [a, 1] : [b, 2];
        expect(await a.tryElectController(1)).toBeNull();
        expect(await b.tryElectController(2)).toBeNull();
        expect(await a.getControllerId()).toBe(winnerId);
        expect(await b.getControllerEpoch()).toEqual({ epoch: 1, zkVersion: won?.epochZkVersion });
        expect(await winner.getControllerEpoch()).toEqual({ epoch: 1, zkVersion: won?.epochZkVersion });
      });

      it('controller watchers are told of the election and of the controller leaving; the next election bumps epoch and zkVersion', async () => {
        const [a, b] = [await session(), await session()];
        const c = counter();
        b.onControllerChange(c.cb);
        await b.getControllerId();
        const first: Array<{ epoch: number; epochZkVersion: number } | null> = [];
        await expectSignal(b, c, async () => first.push(await a.tryElectController(1)), '/controller created');
        await expectSignal(b, c, () => a.close(), '/controller gone with its session');
        expect(await b.getControllerId()).toBeNull();
        const second = await b.tryElectController(2);
        expect(second?.epoch).toBe(2);
        expect(second?.epochZkVersion).toBeGreaterThan(first[0]?.epochZkVersion ?? Infinity);
        expect(await b.getControllerEpoch()).toEqual({ epoch: 2, zkVersion: second?.epochZkVersion });
        expect(await b.getControllerId()).toBe(2);
      });

      it('the controller session expiring frees /controller (the re-established session does not take it back)', async () => {
        const { zk } = await controller(1);
        const other = await session();
        const c = counter();
        other.onControllerChange(c.cb);
        await other.getControllerId();
        await expectSignal(other, c, () => env.expireSession(zk), '/controller gone with the expired session');
        expect(await other.getControllerId()).toBeNull();
        expect((await other.tryElectController(2))?.epoch).toBe(2);
      });

      it('every fenced write with a stale controller epoch zkVersion throws ControllerMovedError and changes nothing', async () => {
        const old = await controller(1);
        await old.zk.createTopic('t', new Map([[0, [1, 2]]]), {});
        await old.zk.createPartitionStates([{ topic: 't', partition: 0, state: state(1, [1, 2]) }], old.v);
        await old.zk.requestTopicDeletion('t');
        await env.requestPreferredReplicaElection([{ topic: 't', partition: 0 }]);
        await env.requestPartitionReassignment(new Map([['t-0', [2, 1]]]));
        await env.expireSession(old.zk);
        const next = await session();
        const won = await next.tryElectController(2);
        expect(won?.epochZkVersion).not.toBe(old.v);

        const current = (await next.getPartitionStates([{ topic: 't', partition: 0 }])).get('t-0')!;
        const assignment = (await next.getTopicAssignment('t'))!;
        const fenced: Array<[string, () => Promise<unknown>]> = [
          ['setTopicAssignment', () => old.zk.setTopicAssignment('t', { ...assignment, partitions: new Map([[0, [2]]]) }, old.v)],
          ['createPartitionStates', () => old.zk.createPartitionStates([{ topic: 't', partition: 1, state: state(1, [1]) }], old.v)],
          ['updatePartitionStates', () => old.zk.updatePartitionStates([{ topic: 't', partition: 0, state: { ...current, leaderEpoch: 1 } }], old.v)],
          ['deleteTopicZNodes', () => old.zk.deleteTopicZNodes('t', old.v)],
          ['deletePreferredReplicaElection', () => old.zk.deletePreferredReplicaElection(old.v)],
          ['deletePartitionReassignment', () => old.zk.deletePartitionReassignment(old.v)],
        ];
        for (const [what, write] of fenced) {
          const err = await rejection(write());
          expect([what, err]).toEqual([what, expect.any(ControllerMovedError)]);
        }
        expect((await next.getPartitionStates([{ topic: 't', partition: 0 }])).get('t-0')).toEqual(current);
        expect((await next.getTopicAssignment('t'))?.partitions).toEqual(new Map([[0, [1, 2]]]));
        expect(await next.getTopicDeletions()).toEqual(['t']);
        expect(await next.getPreferredReplicaElection()).toEqual([{ topic: 't', partition: 0 }]);
        expect(await next.getPartitionReassignment()).toEqual(new Map([['t-0', [2, 1]]]));
      });
    });

    describe('topics', () => {
      it('createTopic writes the assignment and config; a second create is TOPIC_ALREADY_EXISTS (36); topics are listed sorted', async () => {
        const zk = await session();
        const c = counter();
        zk.onTopicsChange(c.cb);
        await zk.getAllTopics();
        let ordersId = '';
        await expectSignal(zk, c, async () => { ordersId = await zk.createTopic('orders', new Map([[0, [1, 2]], [1, [2, 1]]]), { 'retention.ms': '1000' }); }, 'topic created');
        const auditId = await zk.createTopic('audit', new Map([[0, [3]]]), {});
        expect(await zk.getAllTopics()).toEqual(['audit', 'orders']);
        // Each topic gets its own id (KIP-516), read back from the znode.
        expect(ordersId).toMatch(/^[A-Za-z0-9_-]{22}$/);
        expect(auditId).not.toBe(ordersId);
        const a = await zk.getTopicAssignment('orders');
        expect(a).toEqual({ partitions: new Map([[0, [1, 2]], [1, [2, 1]]]), addingReplicas: new Map(), removingReplicas: new Map(), topicId: ordersId, zkVersion: expect.any(Number) });
        expect(await zk.getTopicConfig('orders')).toEqual({ 'retention.ms': '1000' });
        const dup = await rejection(zk.createTopic('orders', new Map([[0, [1]]]), {}));
        expect(dup).toBeInstanceOf(TopicAlreadyExistsError);
        expect((dup as TopicAlreadyExistsError).code).toBe(36);
        expect((await zk.getTopicAssignment('orders'))?.partitions).toEqual(a?.partitions);
        expect(await zk.getTopicAssignment('missing')).toBeNull();
        expect([...(await zk.getTopicAssignments(['orders', 'missing', 'audit'])).keys()].sort()).toEqual(['audit', 'orders']);
      });

      it('addPartitions adds only the new partitions, conditional on the assignment zkVersion; assignment watchers are told', async () => {
        const zk = await session();
        await zk.createTopic('grow', new Map([[0, [1, 2]]]), {});
        const c = counter();
        zk.onTopicAssignmentChange('grow', c.cb);
        await zk.getAllTopics();
        const before = (await zk.getTopicAssignment('grow'))!;
        // Existing partitions keep their replicas, whatever the full assignment says about them.
        await expectSignal(zk, c, () => zk.addPartitions('grow', new Map([[0, [9]], [1, [2, 1]], [2, [1, 2]]]), before.zkVersion), 'partitions added');
        const after = (await zk.getTopicAssignment('grow'))!;
        expect(after.partitions).toEqual(new Map([[0, [1, 2]], [1, [2, 1]], [2, [1, 2]]]));
        expect(after.topicId).toBe(before.topicId);
        expect(after.zkVersion).toBe(before.zkVersion! + 1);
        expect(await rejection(zk.addPartitions('grow', new Map([[3, [1]]]), before.zkVersion))).toBeInstanceOf(ZkVersionMismatchError);
        expect((await zk.getTopicAssignment('grow'))?.partitions.size).toBe(3);
        expect(await rejection(zk.addPartitions('missing', new Map([[0, [1]]])))).toBeInstanceOf(Error);
      });

      it('setTopicAssignment (fenced) writes adding and removing replicas, read back as written; watchers are told', async () => {
        const { zk, v } = await controller();
        await zk.createTopic('move', new Map([[0, [1, 2]], [1, [2, 3]]]), {});
        const c = counter();
        zk.onTopicAssignmentChange('move', c.cb);
        await zk.getAllTopics();
        const before = (await zk.getTopicAssignment('move'))!;
        const moving = {
          partitions: new Map([[0, [3, 1, 2]], [1, [2, 3]]]),
          addingReplicas: new Map([[0, [3]]]),
          removingReplicas: new Map([[0, [2]]]),
          topicId: before.topicId,
        };
        await expectSignal(zk, c, () => zk.setTopicAssignment('move', moving, v), 'assignment rewritten');
        expect(await zk.getTopicAssignment('move')).toEqual({ ...moving, zkVersion: before.zkVersion! + 1 });
        expect(await rejection(zk.setTopicAssignment('missing', moving, v))).toBeInstanceOf(Error);
      });

      it('assignTopicIds (fenced) gives a topic written without an id a new one and keeps existing ids', async () => {
        const { zk, v } = await controller();
        await env.writeLegacyTopic('legacy', new Map([[0, [1, 2]], [1, [2, 1]]]));
        const modernId = await zk.createTopic('modern', new Map([[0, [1]]]), {});
        const before = (await zk.getTopicAssignment('legacy'))!;
        expect(before.topicId).toBeNull();
        const ids = await zk.assignTopicIds(['legacy', 'modern', 'missing'], v);
        expect([...ids.keys()].sort()).toEqual(['legacy', 'modern']);
        expect(ids.get('modern')).toBe(modernId);
        const after = (await zk.getTopicAssignment('legacy'))!;
        expect(after.topicId).toBe(ids.get('legacy'));
        expect(after.topicId).toMatch(/^[A-Za-z0-9_-]{22}$/);
        expect(after.partitions).toEqual(before.partitions);
        expect((await zk.assignTopicIds(['legacy'], v)).get('legacy')).toBe(after.topicId);
        await env.writeLegacyTopic('stale', new Map([[0, [1]]]));
        expect(await rejection(zk.assignTopicIds(['stale'], v + 7))).toBeInstanceOf(ControllerMovedError);
        expect((await zk.getTopicAssignment('stale'))?.topicId).toBeNull();
      });

      it('assignment watchers are told when the topic is created and when it is deleted', async () => {
        const { zk, v } = await controller();
        const c = counter();
        zk.onTopicAssignmentChange('later', c.cb);
        await zk.getAllTopics();
        await expectSignal(zk, c, () => zk.createTopic('later', new Map([[0, [1]]]), {}), 'topic created');
        await expectSignal(zk, c, () => zk.deleteTopicZNodes('later', v), 'topic deleted');
      });
    });

    describe('partition state', () => {
      it('createPartitionStates creates states at zkVersion 0; an existing state or a missing topic fails for that partition only', async () => {
        const { zk, v } = await controller();
        await zk.createTopic('t', new Map([[0, [1, 2]], [1, [2, 1]]]), {});
        const first = await zk.createPartitionStates([{ topic: 't', partition: 0, state: state(1, [1, 2]) }], v);
        expect(first).toEqual(new Map([['t-0', { ...state(1, [1, 2]), zkVersion: 0 }]]));
        const mixed = await zk.createPartitionStates(
          [
            { topic: 't', partition: 0, state: state(2, [2]) },
            { topic: 't', partition: 1, state: state(2, [2, 1]) },
            { topic: 'missing', partition: 0, state: state(1, [1]) },
          ],
          v,
        );
        expect(mixed.get('t-0')).toBeInstanceOf(Error);
        expect(mixed.get('t-1')).toEqual({ ...state(2, [2, 1]), zkVersion: 0 });
        expect(mixed.get('missing-0')).toBeInstanceOf(Error);
        const read = await zk.getPartitionStates([
          { topic: 't', partition: 0 },
          { topic: 't', partition: 1 },
          { topic: 't', partition: 2 },
          { topic: 'missing', partition: 0 },
        ]);
        expect(read).toEqual(
          new Map([
            ['t-0', { ...state(1, [1, 2]), zkVersion: 0 }],
            ['t-1', { ...state(2, [2, 1]), zkVersion: 0 }],
          ]),
        );
      });

      it('updatePartitionStates is conditional on each zkVersion: a stale one gets ZkVersionMismatchError naming the path, the others apply', async () => {
        const { zk, v } = await controller();
        await zk.createTopic('t', new Map([[0, [1, 2]], [1, [1, 2]]]), {});
        await zk.createPartitionStates(
          [
            { topic: 't', partition: 0, state: state(1, [1, 2]) },
            { topic: 't', partition: 1, state: state(1, [1, 2]) },
          ],
          v,
        );
        // The ISR shrinks (AlterIsr): zkVersion 0 -> 1.
        const shrunk = await zk.updatePartitionStates([{ topic: 't', partition: 0, state: { ...state(1, [1]), zkVersion: 0 } }], v);
        expect(shrunk.get('t-0')).toEqual({ ...state(1, [1]), zkVersion: 1 });
        // A leader election still holding zkVersion 0 for t-0 loses; t-1 applies; an absent partition fails alone.
        const res = await zk.updatePartitionStates(
          [
            { topic: 't', partition: 0, state: { ...state(2, [2], 1), zkVersion: 0 } },
            { topic: 't', partition: 1, state: { ...state(2, [2], 1), zkVersion: 0 } },
            { topic: 't', partition: 7, state: { ...state(2, [2], 1), zkVersion: 0 } },
          ],
          v,
        );
        expect(res.get('t-0')).toBeInstanceOf(ZkVersionMismatchError);
        expect((res.get('t-0') as ZkVersionMismatchError).path).toBe('/brokers/topics/t/partitions/0/state');
        expect(res.get('t-1')).toEqual({ ...state(2, [2], 1), zkVersion: 1 });
        expect(res.get('t-7')).toBeInstanceOf(Error);
        expect(res.get('t-7')).not.toBeInstanceOf(ZkVersionMismatchError);
        const read = await zk.getPartitionStates([
          { topic: 't', partition: 0 },
          { topic: 't', partition: 1 },
        ]);
        expect(read.get('t-0')).toEqual({ ...state(1, [1]), zkVersion: 1 });
        expect(read.get('t-1')).toEqual({ ...state(2, [2], 1), zkVersion: 1 });
      });
    });

    describe('topic deletion', () => {
      it('requests are idempotent and listed sorted; deleteTopicZNodes removes the topic, its states, its config and the request', async () => {
        const { zk, v } = await controller();
        const deletions = counter();
        const topics = counter();
        zk.onTopicDeletionsChange(deletions.cb);
        zk.onTopicsChange(topics.cb);
        await zk.getAllTopics();
        for (const t of ['zeta', 'alpha']) {
          await zk.createTopic(t, new Map([[0, [1]]]), { 'cleanup.policy': 'compact' });
          await zk.createPartitionStates([{ topic: t, partition: 0, state: state(1, [1]) }], v);
        }
        await expectSignal(zk, deletions, () => zk.requestTopicDeletion('zeta'), 'deletion requested');
        await zk.requestTopicDeletion('zeta');
        await zk.requestTopicDeletion('alpha');
        expect(await zk.getTopicDeletions()).toEqual(['alpha', 'zeta']);

        await expectSignal(zk, topics, () => zk.deleteTopicZNodes('zeta', v), 'topic gone');
        expect(await zk.getTopicDeletions()).toEqual(['alpha']);
        expect(await zk.getAllTopics()).toEqual(['alpha']);
        expect(await zk.getTopicAssignment('zeta')).toBeNull();
        expect((await zk.getPartitionStates([{ topic: 'zeta', partition: 0 }])).size).toBe(0);
        expect(await zk.getTopicConfig('zeta')).toEqual({});
        await waitFor(() => deletions.count >= 2, { timeoutMs: 10_000, intervalMs: 5, what: 'deletion watchers told of the finished deletion' });
        // A topic created again under the same name starts afresh.
        await zk.createTopic('zeta', new Map([[0, [2]]]), {});
        expect(await zk.getTopicConfig('zeta')).toEqual({});
        expect((await zk.getPartitionStates([{ topic: 'zeta', partition: 0 }])).size).toBe(0);
      });
    });

    describe('configs', () => {
      it('topic and broker configs read back as last written ({} when absent), whether or not the topic exists', async () => {
        const zk = await session();
        expect(await zk.getTopicConfig('t')).toEqual({});
        expect(await zk.getBrokerConfig(1)).toEqual({});
        expect(await zk.getBrokerConfig('<default>')).toEqual({});
        await zk.setTopicConfig('t', { 'retention.ms': '5', 'cleanup.policy': 'compact' });
        await zk.setTopicConfig('t', { 'retention.ms': '6' }); // replaces, does not merge
        await zk.setBrokerConfig(1, { 'log.cleaner.threads': '2' });
        await zk.setBrokerConfig('<default>', { 'log.retention.ms': '7' });
        expect(await zk.getTopicConfig('t')).toEqual({ 'retention.ms': '6' });
        expect(await zk.getBrokerConfig(1)).toEqual({ 'log.cleaner.threads': '2' });
        expect(await zk.getBrokerConfig(2)).toEqual({});
        expect(await zk.getBrokerConfig('<default>')).toEqual({ 'log.retention.ms': '7' });
        // The topic created later keeps the config given at creation.
        await zk.createTopic('t', new Map([[0, [1]]]), { 'segment.bytes': '1024' });
        expect(await zk.getTopicConfig('t')).toEqual({ 'segment.bytes': '1024' });
      });

      it('DynamicConfigManager over this layer tells each config change once to every broker, in order; earlier ones and topic creation are not', async () => {
        const [writer, reader] = [await session(), await session()];
        await writer.setTopicConfig('before', { a: '1' });
        const seen: string[] = [];
        const other: string[] = [];
        const managers = [new DynamicConfigManager(reader, 1), new DynamicConfigManager(writer, 1)];
        managers[0]?.addListener((type, n) => void seen.push(`${type}/${n}`));
        managers[1]?.addListener((type, n) => void other.push(`${type}/${n}`));
        for (const m of managers) m.startup();
        await reader.getAllTopics();
        await writer.getAllTopics();
        await writer.createTopic('created', new Map([[0, [1]]]), { x: 'y' });
        await writer.setTopicConfig('t', { 'cleanup.policy': 'compact' });
        await writer.setBrokerConfig('<default>', { 'log.retention.ms': '5' });
        await writer.setBrokerConfig(1, { x: 'y' });
        await writer.setTopicConfig('t', { 'cleanup.policy': 'delete' });
        const expected = ['topics/t', 'brokers/<default>', 'brokers/1', 'topics/t'];
        await waitFor(() => seen.length >= 4 && other.length >= 4, { timeoutMs: 10_000, intervalMs: 5, what: 'config change notifications' });
        expect(seen).toEqual(expected);
        expect(other).toEqual(expected);
        for (const m of managers) m.shutdown();
      });

      it('config change notifications list, read back with their entity and creation time, and delete', async () => {
        const zk = await session();
        const before = await zk.getConfigChangeNotifications();
        await zk.setTopicConfig('t', { a: '1' });
        await zk.setBrokerConfig('<default>', { b: '2' });
        const added = (await zk.getConfigChangeNotifications()).filter((id) => !before.includes(id)).sort();
        expect(added).toHaveLength(2);
        for (const id of added) expect(id).toMatch(/^config_change_\d{10}$/);
        const first = await zk.getConfigChangeNotification(added[0] as string);
        expect(first?.change).toEqual({ entityType: 'topics', name: 't' });
        expect(Math.abs(Date.now() - (first?.ctime ?? 0))).toBeLessThan(60_000);
        expect((await zk.getConfigChangeNotification(added[1] as string))?.change).toEqual({ entityType: 'brokers', name: '<default>' });
        await zk.deleteConfigChangeNotification(added[0] as string);
        await zk.deleteConfigChangeNotification(added[0] as string); // already gone: fine
        expect(await zk.getConfigChangeNotification(added[0] as string)).toBeNull();
        expect(await zk.getConfigChangeNotifications()).not.toContain(added[0]);
      });
    });

    describe('admin requests', () => {
      const preferred = [
        { topic: 't', partition: 0 },
        { topic: 'u', partition: 3 },
      ];
      const reassignment = new Map([
        ['t-0', [2, 3]],
        ['my-topic-1', [1]],
      ]);
      const requests = [
        {
          name: '/admin/preferred_replica_election',
          subscribe: (zk: KafkaZkApi, cb: () => void) => zk.onPreferredReplicaElection(cb),
          read: (zk: KafkaZkApi) => zk.getPreferredReplicaElection(),
          write: () => env.requestPreferredReplicaElection(preferred),
          written: preferred,
          remove: (zk: KafkaZkApi, v: number) => zk.deletePreferredReplicaElection(v),
        },
        {
          name: '/admin/reassign_partitions',
          subscribe: (zk: KafkaZkApi, cb: () => void) => zk.onPartitionReassignment(cb),
          read: (zk: KafkaZkApi) => zk.getPartitionReassignment(),
          write: () => env.requestPartitionReassignment(reassignment),
          written: reassignment,
          remove: (zk: KafkaZkApi, v: number) => zk.deletePartitionReassignment(v),
        },
      ];
      it.each(requests)('$name: reads what the tool wrote; watchers told on creation and on the (fenced) deletion', async (r) => {
        const { zk, v } = await controller();
        const c = counter();
        r.subscribe(zk, c.cb);
        await zk.getControllerId();
        expect(await r.read(zk)).toBeNull();
        await expectSignal(zk, c, r.write, 'request written');
        expect(await r.read(zk)).toEqual(r.written);
        await expectSignal(zk, c, () => r.remove(zk, v), 'request removed');
        expect(await r.read(zk)).toBeNull();
        await r.remove(zk, v); // absent: nothing to do
      });
    });

    it('an unsubscribed watcher is told nothing more', async () => {
      const zk = await session();
      const c = counter();
      const off = zk.onTopicsChange(c.cb);
      await zk.getAllTopics();
      await expectSignal(zk, c, () => zk.createTopic('one', new Map([[0, [1]]]), {}), 'topic created');
      off();
      const count = c.count;
      await zk.createTopic('two', new Map([[0, [1]]]), {});
      // A second watcher, subscribed now, proves the change has been seen by now.
      const later = counter();
      zk.onTopicsChange(later.cb);
      await zk.getAllTopics();
      await expectSignal(zk, later, () => zk.createTopic('three', new Map([[0, [1]]]), {}), 'topic created');
      expect(c.count).toBe(count);
    });
  });
}
