// Controlled shutdown on the controller: a broker about to stop asks to lose leadership before it goes, so its
// partitions move to another ISR member instead of going offline.
import type { Logger } from '../util/logger';
import type { ControllerContext } from './ControllerContext';
import type { ControllerRequestBridge } from './ControllerRequestBridge';
import type { PartitionStateMachine } from './PartitionStateMachine';
import type { ReplicaStateMachine } from './ReplicaStateMachine';
import { ErrorCode } from './errors';

export interface ControlledShutdownResult {
  errorCode: number;
  remainingPartitions: Array<{ topicName: string; partitionIndex: number }>;
}

export interface ControlledShutdownDeps {
  readonly ctx: ControllerContext;
  readonly requests: ControllerRequestBridge;
  readonly psm: PartitionStateMachine;
  readonly rsm: ReplicaStateMachine;
  readonly log: Logger;
}

export class ControlledShutdown {
  constructor(private readonly d: ControlledShutdownDeps) {}

  /**
   * A broker about to stop asks to lose leadership: partitions it leads (replication factor > 1) move to
   * another ISR member, it leaves the ISRs it follows in. Answers the partitions it still leads.
   */
  controlledShutdown(brokerId: number, brokerEpoch: bigint): Promise<ControlledShutdownResult> {
    const notController = (): ControlledShutdownResult => ({ errorCode: ErrorCode.NOT_CONTROLLER, remainingPartitions: [] });
    return this.d.requests.call('controlledShutdown', async () => {
      const ctx = this.d.ctx;
      const known = ctx.liveBrokers.get(brokerId);
      if (!known) return { errorCode: ErrorCode.BROKER_NOT_AVAILABLE, remainingPartitions: [] };
      if (brokerEpoch !== -1n && brokerEpoch < known.epoch) return { errorCode: ErrorCode.STALE_BROKER_EPOCH, remainingPartitions: [] };
      ctx.shuttingDownBrokerIds.add(brokerId);
      this.d.log.info({ shuttingDown: brokerId }, 'controlled shutdown requested');
      const act = ctx
        .partitionsOnBroker(brokerId)
        .filter((tp) => ctx.replicas(tp).length > 1 && ctx.leaderIsr(tp) !== undefined && !ctx.isTopicQueuedUpForDeletion(tp.topic));
      const led = act.filter((tp) => ctx.leaderIsr(tp)?.leader === brokerId);
      const followed = act.filter((tp) => ctx.leaderIsr(tp)?.leader !== brokerId);
      if (led.length > 0) await this.d.psm.handleStateChanges(led, 'OnlinePartition', { kind: 'controlledShutdown' });
      if (followed.length > 0) await this.d.rsm.handleStateChanges(followed.map((tp) => ({ tp, brokerId })), 'OfflineReplica');
      const remaining = ctx
        .partitionsOnBroker(brokerId)
        .filter((tp) => ctx.replicas(tp).length > 1 && ctx.leaderIsr(tp)?.leader === brokerId)
        .map((tp) => ({ topicName: tp.topic, partitionIndex: tp.partition }));
      this.d.log.info({ shuttingDown: brokerId, moved: led.length, remaining: remaining.length }, 'controlled shutdown step done');
      return { errorCode: ErrorCode.NONE, remainingPartitions: remaining };
    }, notController);
  }
}
