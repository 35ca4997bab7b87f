// The active controller's view of the cluster; mutated only by the controller's event loop.
import type { BrokerRegistration, LeaderIsrState } from '../zk/api';
import { tpKey } from '../util/types';
import { ZERO_UUID } from '../util/uuid';
import type { PartitionState, ReplicaState } from './states';

export interface TP {
  readonly topic: string;
  readonly partition: number;
}

export interface PartitionAssignment {
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

export interface LiveBroker {
  registration: BrokerRegistration;
  epoch: bigint;
}

const replicaKey = (tp: TP, brokerId: number): string => `${tp.topic}\u0000${tp.partition}\u0000${brokerId}`;

export class ControllerContext {
  epoch = 0;
  epochZkVersion = 0;

  readonly liveBrokers = new Map<number, LiveBroker>();
  readonly shuttingDownBrokerIds = new Set<number>();

  /** topic -> partition -> assignment */
  readonly assignments = new Map<string, Map<number, PartitionAssignment>>();
  /** Topic ids (KIP-516) both ways, as Kafka's ControllerContext.topicIds / topicNames. */
  readonly topicIds = new Map<string, string>();
  readonly topicNames = new Map<string, string>();
  /** tpKey -> leader/ISR as last written to ZooKeeper */
  readonly leadership = new Map<string, LeaderIsrState>();
  readonly partitionStates = new Map<string, { tp: TP; state: PartitionState }>();
  readonly replicaStates = new Map<string, { tp: TP; brokerId: number; state: ReplicaState }>();

  readonly topicsToBeDeleted = new Set<string>();
  /** Topics whose deletion waits for a dead replica to come back. */
  readonly topicsIneligibleForDeletion = new Set<string>();
  /** Topics whose partitions were already taken offline for deletion. */
  readonly topicsWithDeletionStarted = new Set<string>();

  reset(): void {
    this.epoch = 0;
    this.epochZkVersion = 0;
    this.liveBrokers.clear();
    this.shuttingDownBrokerIds.clear();
    this.assignments.clear();
    this.topicIds.clear();
    this.topicNames.clear();
    this.leadership.clear();
    this.partitionStates.clear();
    this.replicaStates.clear();
    this.topicsToBeDeleted.clear();
    this.topicsIneligibleForDeletion.clear();
    this.topicsWithDeletionStarted.clear();
  }

  // --- brokers ---
  /** Live and not shutting down: may lead partitions. */
  isBrokerLive(id: number): boolean {
    return this.liveBrokers.has(id) && !this.shuttingDownBrokerIds.has(id);
  }
  /** Registered in ZooKeeper (shutting-down brokers still get requests). */
  isBrokerLiveOrShuttingDown(id: number): boolean {
    return this.liveBrokers.has(id);
  }
  liveBrokerIds(): number[] {
    return [...this.liveBrokers.keys()].filter((id) => !this.shuttingDownBrokerIds.has(id)).sort((a, b) => a - b);
  }
  liveOrShuttingDownBrokerIds(): number[] {
    return [...this.liveBrokers.keys()].sort((a, b) => a - b);
  }
  brokerEpoch(id: number): bigint {
    return this.liveBrokers.get(id)?.epoch ?? -1n;
  }

  // --- topics and assignments ---
  allTopics(): string[] {
    return [...this.assignments.keys()];
  }
  hasTopic(topic: string): boolean {
    return this.assignments.has(topic);
  }
  setAssignment(tp: TP, a: PartitionAssignment): void {
    let m = this.assignments.get(tp.topic);
    if (!m) {
      m = new Map();
      this.assignments.set(tp.topic, m);
    }
    m.set(tp.partition, a);
  }
  assignment(tp: TP): PartitionAssignment | undefined {
    return this.assignments.get(tp.topic)?.get(tp.partition);
  }
  replicas(tp: TP): number[] {
    return this.assignment(tp)?.replicas ?? [];
  }
  partitionsForTopic(topic: string): TP[] {
    const m = this.assignments.get(topic);
    if (!m) return [];
    return [...m.keys()].sort((a, b) => a - b).map((partition) => ({ topic, partition }));
  }
  allPartitions(): TP[] {
    return this.allTopics().flatMap((t) => this.partitionsForTopic(t));
  }
  partitionsOnBroker(brokerId: number): TP[] {
    return this.allPartitions().filter((tp) => this.replicas(tp).includes(brokerId));
  }
  removeTopic(topic: string): void {
    for (const tp of this.partitionsForTopic(topic)) {
      const key = tpKey(tp.topic, tp.partition);
      this.leadership.delete(key);
      this.partitionStates.delete(key);
      for (const r of this.replicas(tp)) this.replicaStates.delete(replicaKey(tp, r));
    }
    this.assignments.delete(topic);
    const id = this.topicIds.get(topic);
    if (id !== undefined) this.topicNames.delete(id);
    this.topicIds.delete(topic);
    this.topicsToBeDeleted.delete(topic);
    this.topicsIneligibleForDeletion.delete(topic);
    this.topicsWithDeletionStarted.delete(topic);
  }
  addTopicId(topic: string, id: string): void {
    this.topicIds.set(topic, id);
    this.topicNames.set(id, topic);
  }
  /** The topic's id, or the zero uuid (what requests carry for a topic without one). */
  topicIdOrZero(topic: string): string {
    return this.topicIds.get(topic) ?? ZERO_UUID;
  }
  isTopicQueuedUpForDeletion(topic: string): boolean {
    return this.topicsToBeDeleted.has(topic);
  }

  // --- leadership ---
  leaderIsr(tp: TP): LeaderIsrState | undefined {
    return this.leadership.get(tpKey(tp.topic, tp.partition));
  }
  setLeaderIsr(tp: TP, s: LeaderIsrState): void {
    this.leadership.set(tpKey(tp.topic, tp.partition), s);
  }

  // --- states ---
  partitionState(tp: TP): PartitionState {
    return this.partitionStates.get(tpKey(tp.topic, tp.partition))?.state ?? 'NonExistentPartition';
  }
  setPartitionState(tp: TP, state: PartitionState): void {
    const key = tpKey(tp.topic, tp.partition);
    if (state === 'NonExistentPartition') this.partitionStates.delete(key);
    else this.partitionStates.set(key, { tp, state });
  }
  partitionsInStates(states: readonly PartitionState[]): TP[] {
    const out: TP[] = [];
    for (const { tp, state } of this.partitionStates.values()) if (states.includes(state)) out.push(tp);
    return out;
  }
  replicaState(tp: TP, brokerId: number): ReplicaState {
    return this.replicaStates.get(replicaKey(tp, brokerId))?.state ?? 'NonExistentReplica';
  }
  setReplicaState(tp: TP, brokerId: number, state: ReplicaState): void {
    const key = replicaKey(tp, brokerId);
    if (state === 'NonExistentReplica') this.replicaStates.delete(key);
    else this.replicaStates.set(key, { tp, brokerId, state });
  }
  replicaStatesOfTopic(topic: string): Array<{ tp: TP; brokerId: number; state: ReplicaState }> {
    return this.partitionsForTopic(topic).flatMap((tp) =>
      this.replicas(tp).map((brokerId) => ({ tp, brokerId, state: this.replicaState(tp, brokerId) })),
    );
  }
}
