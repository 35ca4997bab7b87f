// Behaviour tests of partition reassignment (KIP-455) in the controller, over the in-memory ZooKeeper.
import { ErrorCode } from '../../../src/controller/errors';
import type { InMemoryZkServer } from './InMemoryKafkaZk';
import { cluster, idle, startNode, type Node } from './helpers';

const manual = (name: string, assignment: number[][]) => ({
  name,
  numPartitions: -1,
  replicationFactor: -1,
  assignments: assignment.map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds })),
  configs: [],
});

/** The partition leader reports a bigger ISR, as it would once the new replica caught up. */
async function expandIsr(server: InMemoryZkServer, node: Node, topic: string, partition: number, newIsr: number[]): Promise<void> {
  const s = server.state(topic, partition)!;
  const r = await node.controller.alterIsr({
    brokerId: s.leader,
    brokerEpoch: server.brokers.get(s.leader)!.epoch!,
    topics: [{ name: topic, partitions: [{ partitionIndex: partition, leaderEpoch: s.leaderEpoch, newIsr, currentIsrVersion: s.zkVersion }] }],
  });
  expect(r.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.NONE);
}

async function setUp(): Promise<{ server: InMemoryZkServer; node: Node }> {
  const { server, node } = await cluster(4);
  await node.controller.createTopics([manual('t', [[1, 2, 3], [2, 3, 4]])], { validateOnly: false, timeoutMs: 1000 });
  await idle(node);
  node.channel.clear();
  return { server, node };
}

describe('partition reassignment', () => {
  test('move [1,2,3] -> [2,3,4]: RS = union with adding/removing, waits for the ISR, then moves the leader and drops 1', async () => {
    const { server, node } = await setUp();
    const epochBefore = server.state('t', 0)!.leaderEpoch;
    const topicId = server.topics.get('t')!.topicId;
    const res = await node.controller.alterPartitionReassignments([{ topic: 't', partition: 0, replicas: [2, 3, 4] }], 30000);
    expect(res).toEqual([{ topic: 't', partition: 0, errorCode: ErrorCode.NONE, errorMessage: null }]);
    await idle(node);

    // Phase A: the full replica set is recorded in /brokers/topics/t, fenced.
    const t = server.topics.get('t')!;
    expect(t.partitions.get(0)).toEqual([2, 3, 4, 1]);
    expect(t.addingReplicas.get(0)).toEqual([4]);
    expect(t.removingReplicas.get(0)).toEqual([1]);
    expect(t.partitions.get(1)).toEqual([2, 3, 4]); // other partitions untouched
    expect(t.topicId).toBe(topicId); // the rewritten znode keeps the topic id
    expect(server.state('t', 0)!.leaderEpoch).toBe(epochBefore + 1);
    for (const id of [1, 2, 3, 4]) {
      const p = node.channel.leaderAndIsr(id).flatMap((r) => r.partitions).find((x) => x.topic === 't' && x.partition === 0);
      expect(p).toMatchObject({ replicas: [2, 3, 4, 1], addingReplicas: [4], removingReplicas: [1], leader: 1 });
    }
    expect(node.channel.leaderAndIsr(4).flatMap((r) => r.partitions).find((x) => x.partition === 0)?.isNew).toBe(true);
    expect(await node.controller.listPartitionReassignments(null)).toEqual([
      { topic: 't', partition: 0, replicas: [2, 3, 4, 1], addingReplicas: [4], removingReplicas: [1] },
    ]);
    expect(await node.controller.listPartitionReassignments([{ topic: 't', partition: 1 }])).toEqual([]);
    expect(node.channel.stopReplica()).toEqual([]);

    // Phase B: broker 4 joins the ISR.
    node.channel.clear();
    await expandIsr(server, node, 't', 0, [1, 2, 3, 4]);
    await idle(node);
    expect(t.partitions.get(0)).toEqual([2, 3, 4]);
    expect(t.addingReplicas.get(0)).toBeUndefined();
    expect(t.removingReplicas.get(0)).toBeUndefined();
    expect(t.topicId).toBe(topicId);
    const s = server.state('t', 0)!;
    expect(s.leader).toBe(2);
    expect([...s.isr].sort()).toEqual([2, 3, 4]);
    expect(await node.controller.listPartitionReassignments(null)).toEqual([]);
    const stops = node.channel.stopReplica(1).flatMap((r) => r.partitions).filter((p) => p.partition === 0);
    expect(stops.some((p) => p.deletePartition)).toBe(true);
    for (const id of [2, 3, 4]) {
      expect(node.channel.leaderAndIsr(id).flatMap((r) => r.partitions).filter((p) => p.partition === 0).at(-1)).toMatchObject({ leader: 2, replicas: [2, 3, 4] });
    }
    const um = node.channel.updateMetadata(3).at(-1)!.partitions.find((p) => p.topic === 't' && p.partition === 0);
    expect(um).toMatchObject({ replicas: [2, 3, 4], addingReplicas: [], removingReplicas: [], leader: 2 });
    await node.controller.shutdown();
  });

  test('validation: unknown partition, empty, duplicate, dead broker, cancelling nothing', async () => {
    const { server, node } = await setUp();
    const res = await node.controller.alterPartitionReassignments(
      [
        { topic: 'nope', partition: 0, replicas: [1] },
        { topic: 't', partition: 7, replicas: [1] },
        { topic: 't', partition: 0, replicas: [] },
        { topic: 't', partition: 0, replicas: [1, 1, 2] },
        { topic: 't', partition: 0, replicas: [1, 2, 9] },
        { topic: 't', partition: 0, replicas: null },
      ],
      1000,
    );
    expect(res.map((r) => r.errorCode)).toEqual([
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
    ]);
    expect(server.topics.get('t')!.partitions.get(0)).toEqual([1, 2, 3]);
    expect(await node.controller.listPartitionReassignments(null)).toEqual([]);
    await node.controller.shutdown();
  });

  test('an inactive controller answers NOT_CONTROLLER', async () => {
    const { server, node } = await setUp();
    const other = startNode(server, 2);
    await idle(node, other);
    expect(other.controller.isActive).toBe(false);
    const res = await other.controller.alterPartitionReassignments([{ topic: 't', partition: 0, replicas: [2, 3, 4] }], 1000);
    expect(res[0]?.errorCode).toBe(ErrorCode.NOT_CONTROLLER);
    await expect(other.controller.listPartitionReassignments(null)).rejects.toMatchObject({ errorCode: ErrorCode.NOT_CONTROLLER });
    await other.controller.shutdown();
    await node.controller.shutdown();
  });

  test('cancel: the original replicas come back and the replica being added is deleted', async () => {
    const { server, node } = await setUp();
    await node.controller.alterPartitionReassignments([{ topic: 't', partition: 0, replicas: [2, 3, 4] }], 1000);
    await idle(node);
    node.channel.clear();
    const res = await node.controller.alterPartitionReassignments([{ topic: 't', partition: 0, replicas: null }], 1000);
    expect(res[0]?.errorCode).toBe(ErrorCode.NONE);
    await idle(node);
    const t = server.topics.get('t')!;
    // As Kafka: the original replicas are the full set minus those being added, in the full set's order.
    expect(t.partitions.get(0)).toEqual([2, 3, 1]);
    expect(t.addingReplicas.size + t.removingReplicas.size).toBe(0);
    expect(server.state('t', 0)!.leader).toBe(1);
    expect(node.channel.stopReplica(4).flatMap((r) => r.partitions).some((p) => p.partition === 0 && p.deletePartition)).toBe(true);
    expect(await node.controller.listPartitionReassignments(null)).toEqual([]);
    await node.controller.shutdown();
  });

  test('shrinking to replicas already in the ISR completes at once', async () => {
    const { server, node } = await setUp();
    await node.controller.alterPartitionReassignments([{ topic: 't', partition: 0, replicas: [1, 2] }], 1000);
    await idle(node);
    expect(server.topics.get('t')!.partitions.get(0)).toEqual([1, 2]);
    expect(server.state('t', 0)).toMatchObject({ leader: 1, isr: [1, 2] });
    expect(node.channel.stopReplica(3).flatMap((r) => r.partitions).some((p) => p.partition === 0 && p.deletePartition)).toBe(true);
    expect(await node.controller.listPartitionReassignments(null)).toEqual([]);
    await node.controller.shutdown();
  });

  test('legacy /admin/reassign_partitions: started, and the znode is removed once the reassignment completes', async () => {
    const { server, node } = await setUp();
    server.requestReassignment(new Map([['t-1', [3, 4, 1]]]));
    await idle(node);
    expect(server.topics.get('t')!.partitions.get(1)).toEqual([3, 4, 1, 2]);
    expect(server.reassignment).not.toBeNull();
    await expandIsr(server, node, 't', 1, [2, 3, 4, 1]);
    await idle(node);
    expect(server.topics.get('t')!.partitions.get(1)).toEqual([3, 4, 1]);
    expect(server.state('t', 1)!.leader).toBe(3);
    expect(server.reassignment).toBeNull();
    await node.controller.shutdown();
  });

  test('a new controller resumes a reassignment recorded in ZooKeeper', async () => {
    const { server, node } = await setUp();
    await node.controller.alterPartitionReassignments([{ topic: 't', partition: 0, replicas: [2, 3, 4] }], 1000);
    await idle(node);
    const b = startNode(server, 2);
    await idle(node, b);
    node.zk.expire();
    await idle(node, b);
    expect(b.controller.isActive).toBe(true);
    expect(await b.controller.listPartitionReassignments(null)).toEqual([
      { topic: 't', partition: 0, replicas: [2, 3, 4, 1], addingReplicas: [4], removingReplicas: [1] },
    ]);
    await expandIsr(server, b, 't', 0, [1, 2, 3, 4]);
    await idle(b);
    expect(server.topics.get('t')!.partitions.get(0)).toEqual([2, 3, 4]);
    expect(server.state('t', 0)!.leader).toBe(2);
    await b.controller.shutdown();
    await node.controller.shutdown();
  });
});
