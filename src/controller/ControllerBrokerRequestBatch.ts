// Collects LeaderAndIsr, UpdateMetadata and StopReplica requests during one controller event, one request
// per broker and kind, and hands them to the channel in Kafka's order (LeaderAndIsr, UpdateMetadata, StopReplica).
import { tpKey } from '../util/types';
import type { LeaderIsrState } from '../zk/api';
import type { ControllerContext, PartitionAssignment, TP } from './ControllerContext';
import {
  LEADER_DURING_DELETE,
  type BrokerInfo,
  type ControllerChannel,
  type LeaderAndIsrPartition,
  type StopReplicaPartition,
  type StopReplicaResult,
  type UpdateMetadataPartition,
} from './channel';

export class ControllerBrokerRequestBatch {
  private readonly leaderAndIsr = new Map<number, Map<string, LeaderAndIsrPartition>>();
  private readonly updateMetadataBrokers = new Set<number>();
  private readonly updateMetadataPartitions = new Map<string, TP>();
  private readonly stopReplica = new Map<number, Map<string, StopReplicaPartition>>();

  constructor(private readonly ctx: ControllerContext) {}

  isEmpty(): boolean {
    return this.leaderAndIsr.size === 0 && this.updateMetadataBrokers.size === 0 && this.stopReplica.size === 0;
  }

  addLeaderAndIsr(brokerIds: readonly number[], tp: TP, state: LeaderIsrState, assignment: PartitionAssignment, isNew: boolean): void {
    for (const id of brokerIds) {
      if (!this.ctx.isBrokerLiveOrShuttingDown(id)) continue;
      let m = this.leaderAndIsr.get(id);
      if (!m) {
        m = new Map();
        this.leaderAndIsr.set(id, m);
      }
      const key = tpKey(tp.topic, tp.partition);
      // A partition already marked new in this batch stays new even if its state changes again.
      const wasNew = m.get(key)?.isNew ?? false;
      m.set(key, {
        topic: tp.topic,
        topicId: this.ctx.topicIdOrZero(tp.topic),
        partition: tp.partition,
        controllerEpoch: state.controllerEpoch,
        leader: state.leader,
        leaderEpoch: state.leaderEpoch,
        isr: [...state.isr],
        zkVersion: state.zkVersion,
        replicas: [...assignment.replicas],
        addingReplicas: [...assignment.addingReplicas],
        removingReplicas: [...assignment.removingReplicas],
        isNew: isNew || wasNew,
      });
    }
    // As in Kafka, every leadership change also refreshes every broker's metadata cache.
    this.addUpdateMetadata(this.ctx.liveOrShuttingDownBrokerIds(), [tp]);
  }

  /** Brokers get the listed partitions' current state (from the context at send time) and the live broker list. */
  addUpdateMetadata(brokerIds: readonly number[], partitions: readonly TP[]): void {
    for (const id of brokerIds) if (this.ctx.isBrokerLiveOrShuttingDown(id)) this.updateMetadataBrokers.add(id);
    for (const tp of partitions) this.updateMetadataPartitions.set(tpKey(tp.topic, tp.partition), tp);
  }

  addStopReplica(brokerId: number, tp: TP, deletePartition: boolean): void {
    if (!this.ctx.isBrokerLiveOrShuttingDown(brokerId)) return;
    let m = this.stopReplica.get(brokerId);
    if (!m) {
      m = new Map();
      this.stopReplica.set(brokerId, m);
    }
    const key = tpKey(tp.topic, tp.partition);
    const leaderEpoch = this.ctx.leaderIsr(tp)?.leaderEpoch ?? -1;
    // A delete request is never downgraded by a later non-delete one in the same batch.
    const del = deletePartition || (m.get(key)?.deletePartition ?? false);
    m.set(key, { topic: tp.topic, partition: tp.partition, leaderEpoch, deletePartition: del });
  }

  /** Sends everything collected and starts a new batch. */
  send(channel: ControllerChannel, controllerId: number, onStopReplicaResponse: (brokerId: number, r: StopReplicaResult) => void): void {
    const ctx = this.ctx;
    const controllerEpoch = ctx.epoch;
    const info = (id: number): BrokerInfo | undefined => {
      const b = ctx.liveBrokers.get(id);
      return b ? { id, endpoints: b.registration.endpoints, rack: b.registration.rack } : undefined;
    };
    for (const [brokerId, parts] of this.leaderAndIsr) {
      const partitions = [...parts.values()];
      const leaderIds = new Set(partitions.map((p) => p.leader));
      const liveLeaders = [...leaderIds].map(info).filter((b): b is BrokerInfo => b !== undefined);
      channel.sendLeaderAndIsr(brokerId, { controllerId, controllerEpoch, brokerEpoch: ctx.brokerEpoch(brokerId), partitions, liveLeaders });
    }
    if (this.updateMetadataBrokers.size > 0) {
      const partitions: UpdateMetadataPartition[] = [];
      for (const tp of this.updateMetadataPartitions.values()) {
        const s = ctx.leaderIsr(tp);
        const a = ctx.assignment(tp);
        if (!s || !a) continue;
        partitions.push({
          topic: tp.topic,
          topicId: ctx.topicIdOrZero(tp.topic),
          partition: tp.partition,
          controllerEpoch: s.controllerEpoch,
          leader: ctx.isTopicQueuedUpForDeletion(tp.topic) ? LEADER_DURING_DELETE : s.leader,
          leaderEpoch: s.leaderEpoch,
          isr: [...s.isr],
          zkVersion: s.zkVersion,
          replicas: [...a.replicas],
          addingReplicas: [...a.addingReplicas],
          removingReplicas: [...a.removingReplicas],
          offlineReplicas: a.replicas.filter((r) => !ctx.isBrokerLiveOrShuttingDown(r)),
        });
      }
      const liveBrokers = ctx.liveOrShuttingDownBrokerIds().map(info).filter((b): b is BrokerInfo => b !== undefined);
      for (const brokerId of this.updateMetadataBrokers) {
        channel.sendUpdateMetadata(brokerId, { controllerId, controllerEpoch, brokerEpoch: ctx.brokerEpoch(brokerId), partitions, liveBrokers });
      }
    }
    for (const [brokerId, parts] of this.stopReplica) {
      channel.sendStopReplica(
        brokerId,
        { controllerId, controllerEpoch, brokerEpoch: ctx.brokerEpoch(brokerId), partitions: [...parts.values()] },
        (r) => onStopReplicaResponse(brokerId, r),
      );
    }
    this.clear();
  }

  clear(): void {
    this.leaderAndIsr.clear();
    this.updateMetadataBrokers.clear();
    this.updateMetadataPartitions.clear();
    this.stopReplica.clear();
  }
}
