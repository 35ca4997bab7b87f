// Shared set-up for controller behaviour tests: an in-memory ZooKeeper, a recording channel and controllers.
import { KafkaController, type ControllerConfig } from '../../../src/controller/KafkaController';
import { InMemoryKafkaZk, InMemoryZkServer } from './InMemoryKafkaZk';
import { RecordingChannel } from './RecordingChannel';

export const baseConfig: ControllerConfig = {
  uncleanLeaderElectionEnable: false,
  autoLeaderRebalanceEnable: false,
  leaderImbalanceCheckIntervalSeconds: 300,
  leaderImbalancePerBrokerPercentage: 10,
  defaultReplicationFactor: 1,
  numPartitions: 1,
  deleteTopicEnable: true,
};

export interface Node {
  controller: KafkaController;
  zk: InMemoryKafkaZk;
  channel: RecordingChannel;
}

export function startNode(server: InMemoryZkServer, brokerId: number, config: Partial<ControllerConfig> = {}): Node {
  const zk = server.session();
  const channel = new RecordingChannel();
  const controller = new KafkaController({ brokerId, zk, channel, config: { ...baseConfig, ...config } });
  controller.startup();
  return { controller, zk, channel };
}

/** Waits (bounded) until `cond` holds, letting queued events and simulated responses run in between. */
export async function eventually(nodes: readonly Node[], cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const n of nodes) await n.controller.awaitIdle();
    if (cond()) return;
    if (Date.now() > deadline) throw new Error('condition not reached before the deadline');
    await new Promise((r) => setImmediate(r));
  }
}

export async function idle(...nodes: Node[]): Promise<void> {
  // Two rounds: an event may enqueue follow-ups (StopReplica answers arrive on the next tick).
  for (let i = 0; i < 2; i++) {
    for (const n of nodes) await n.controller.awaitIdle();
    await new Promise((r) => setImmediate(r));
  }
  for (const n of nodes) await n.controller.awaitIdle();
}

/** A cluster with brokers 1..n registered and broker 1's controller active. */
export async function cluster(n = 3, config: Partial<ControllerConfig> = {}): Promise<{ server: InMemoryZkServer; node: Node }> {
  const server = new InMemoryZkServer();
  for (let id = 1; id <= n; id++) server.addBroker(id);
  const node = startNode(server, 1, config);
  await idle(node);
  return { server, node };
}

export function replicasOf(server: InMemoryZkServer, topic: string): Map<number, number[]> {
  return server.topics.get(topic)?.partitions ?? new Map();
}
