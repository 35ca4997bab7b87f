// Tests of the per-broker request queues: order, wire shapes, retries until answered, removal.
import { ControllerChannelManager, type BrokerConnection } from '../../../src/controller/ControllerChannelManager';
import type { ApiSchema, RequestInput, ResponseOf } from '../../../src/protocol/schema';
import type { StopReplicaResult } from '../../../src/controller/channel';

interface Call {
  api: string;
  version: number;
  body: Record<string, unknown>;
}

class FakeBroker {
  calls: Call[] = [];
  connects = 0;
  /** Number of upcoming requests that fail as a dropped connection. */
  failNext = 0;
  connect = async (): Promise<BrokerConnection> => {
    this.connects += 1;
    const broker = this;
    let closed = false;
    return {
      get isClosed() {
        return closed;
      },
      close() {
        closed = true;
      },
      async request<A extends ApiSchema>(api: A, version: number, body: RequestInput<A>): Promise<ResponseOf<A>> {
        if (broker.failNext > 0) {
          broker.failNext -= 1;
          closed = true;
          throw new Error('connection reset');
        }
        broker.calls.push({ api: api.name, version, body: body as Record<string, unknown> });
        const response: Record<string, unknown> = { errorCode: 0, partitionErrors: [], topics: [] };
        if (api.name === 'StopReplica') {
          const states = (body as unknown as { topicStates: Array<{ topicName: string; partitionStates: Array<{ partitionIndex: number }> }> }).topicStates;
          response.partitionErrors = states.flatMap((t) => t.partitionStates.map((p) => ({ topicName: t.topicName, partitionIndex: p.partitionIndex, errorCode: 0 })));
        }
        return response as ResponseOf<A>;
      },
    };
  };
}

const broker = (id: number) => ({ id, endpoints: [{ host: '127.0.0.1', port: 9000 + id, listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT' }], rack: null });

async function until(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not reached before the deadline');
    await new Promise((r) => setTimeout(r, 1));
  }
}

const header = { controllerId: 1, controllerEpoch: 3, brokerEpoch: 77n };
const topicId = 'zZ3Ab1FCRmGvjlqDH7bD8g';
const part = { topic: 't', topicId, partition: 0, controllerEpoch: 3, leader: 2, leaderEpoch: 1, isr: [2], zkVersion: 4, replicas: [2], addingReplicas: [], removingReplicas: [] };

test('requests go out in order, grouped by topic in the wire shape, with the controller header', async () => {
  const fake = new FakeBroker();
  const ch = new ControllerChannelManager({ connect: fake.connect, retryBackoffMs: 1 });
  ch.addBroker(broker(2));
  ch.sendLeaderAndIsr(2, { ...header, partitions: [{ ...part, isNew: true }], liveLeaders: [broker(2)] });
  ch.sendUpdateMetadata(2, { ...header, partitions: [{ ...part, offlineReplicas: [] }], liveBrokers: [broker(2)] });
  let result: StopReplicaResult | undefined;
  ch.sendStopReplica(2, { ...header, partitions: [{ topic: 't', partition: 0, leaderEpoch: 1, deletePartition: true }] }, (r) => (result = r));
  await until(() => result !== undefined);
  expect(fake.calls.map((c) => `${c.api} v${c.version}`)).toEqual(['LeaderAndIsr v5', 'UpdateMetadata v7', 'StopReplica v3']);
  expect(fake.calls[0]?.body).toMatchObject({
    controllerId: 1,
    controllerEpoch: 3,
    brokerEpoch: 77n,
    // Kafka 2.8's versions: the topic id goes with each topic's states (KIP-516).
    topicStates: [{ topicName: 't', topicId, partitionStates: [expect.objectContaining({ partitionIndex: 0, leader: 2, isNew: true, zkVersion: 4 })] }],
    liveLeaders: [{ brokerId: 2, hostName: '127.0.0.1', port: 9002 }],
  });
  expect(fake.calls[1]?.body).toMatchObject({
    topicStates: [{ topicName: 't', topicId, partitionStates: [expect.objectContaining({ partitionIndex: 0, leader: 2 })] }],
    liveBrokers: [{ id: 2, endpoints: [{ host: '127.0.0.1', port: 9002, listener: 'PLAINTEXT', securityProtocol: 0 }], rack: null }],
  });
  expect(result).toEqual({ errorCode: 0, partitions: [{ topic: 't', partition: 0, errorCode: 0 }] });
  expect(fake.connects).toBe(1);
  ch.removeAllBrokers();
});

test('a failed request is retried on a new connection until the broker answers', async () => {
  const fake = new FakeBroker();
  fake.failNext = 2;
  const ch = new ControllerChannelManager({ connect: fake.connect, retryBackoffMs: 1 });
  ch.addBroker(broker(2));
  ch.sendUpdateMetadata(2, { ...header, partitions: [], liveBrokers: [] });
  ch.sendUpdateMetadata(2, { ...header, controllerEpoch: 4, partitions: [], liveBrokers: [] });
  await until(() => fake.calls.length === 2);
  expect(fake.connects).toBe(3);
  expect(fake.calls.map((c) => c.body.controllerEpoch)).toEqual([3, 4]);
  expect(ch.pendingFor(2)).toBe(0);
  ch.removeAllBrokers();
});

test('removing a broker drops its queue and stops retrying', async () => {
  const fake = new FakeBroker();
  fake.failNext = 1_000_000;
  const ch = new ControllerChannelManager({ connect: fake.connect, retryBackoffMs: 1 });
  ch.addBroker(broker(2));
  ch.sendUpdateMetadata(2, { ...header, partitions: [], liveBrokers: [] });
  await until(() => fake.connects >= 2);
  ch.removeBroker(2);
  const after = fake.connects;
  expect(ch.pendingFor(2)).toBe(0);
  ch.sendUpdateMetadata(2, { ...header, partitions: [], liveBrokers: [] }); // not in the channel: dropped
  expect(ch.pendingFor(2)).toBe(0);
  expect(fake.connects).toBe(after);
  expect(fake.calls).toEqual([]);
});
