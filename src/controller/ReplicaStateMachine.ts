// Moves replicas between Kafka's replica states, sending LeaderAndIsr/StopReplica and shrinking ISRs on the way.
import { tpKey } from '../util/types';
import { ZkVersionMismatchError, type LeaderIsrState } from '../zk/api';
import type { TP } from './ControllerContext';
import { refreshLeaderIsr, type StateMachineDeps } from './PartitionStateMachine';
import { isValidReplicaTransition, type ReplicaState } from './states';

export interface PartitionReplica {
  readonly tp: TP;
  readonly brokerId: number;
}

const MAX_WRITE_ATTEMPTS = 5;

export class ReplicaStateMachine {
  constructor(private readonly d: StateMachineDeps) {}

  /** Failover: replicas on registered brokers are Online, the others ReplicaDeletionIneligible (as Kafka). */
  initialize(): void {
    const { ctx } = this.d;
    for (const tp of ctx.allPartitions()) {
      for (const r of ctx.replicas(tp)) {
        ctx.setReplicaState(tp, r, ctx.isBrokerLiveOrShuttingDown(r) ? 'OnlineReplica' : 'ReplicaDeletionIneligible');
      }
    }
  }

  /** Failover: every live replica learns its partition's state; dead ones leave the ISRs. */
  async startup(): Promise<void> {
    const { ctx } = this.d;
    const online: PartitionReplica[] = [];
    const offline: PartitionReplica[] = [];
    for (const tp of ctx.allPartitions()) {
      for (const brokerId of ctx.replicas(tp)) (ctx.isBrokerLiveOrShuttingDown(brokerId) ? online : offline).push({ tp, brokerId });
    }
    await this.handleStateChanges(online, 'OnlineReplica');
    await this.handleStateChanges(offline, 'OfflineReplica');
  }

  async handleStateChanges(replicas: readonly PartitionReplica[], target: ReplicaState): Promise<void> {
    const { ctx, batch, stateLog } = this.d;
    const valid: PartitionReplica[] = [];
    for (const r of replicas) {
      const from = ctx.replicaState(r.tp, r.brokerId);
      if (isValidReplicaTransition(from, target)) valid.push(r);
      else stateLog.error({ topicPartition: tpKey(r.tp.topic, r.tp.partition), replica: r.brokerId, from, to: target }, 'invalid replica state transition');
    }
    switch (target) {
      case 'NewReplica':
        for (const r of valid) {
          const s = ctx.leaderIsr(r.tp);
          const a = ctx.assignment(r.tp);
          if (s && a) {
            if (s.leader === r.brokerId) {
              stateLog.error({ topicPartition: tpKey(r.tp.topic, r.tp.partition), replica: r.brokerId }, 'a new replica cannot already be the leader');
              continue;
            }
            batch.addLeaderAndIsr([r.brokerId], r.tp, s, a, true);
          }
          this.transition(r, target);
        }
        break;
      case 'OnlineReplica':
        for (const r of valid) {
          if (ctx.replicaState(r.tp, r.brokerId) !== 'NewReplica') {
            const s = ctx.leaderIsr(r.tp);
            const a = ctx.assignment(r.tp);
            if (s && a) batch.addLeaderAndIsr([r.brokerId], r.tp, s, a, false);
          }
          this.transition(r, target);
        }
        break;
      case 'OfflineReplica':
        await this.toOffline(valid);
        break;
      case 'ReplicaDeletionStarted':
        for (const r of valid) {
          batch.addStopReplica(r.brokerId, r.tp, true);
          this.transition(r, target);
        }
        break;
      case 'ReplicaDeletionIneligible':
      case 'ReplicaDeletionSuccessful':
      case 'NonExistentReplica':
        for (const r of valid) this.transition(r, target);
        break;
    }
  }

  private transition(r: PartitionReplica, to: ReplicaState): void {
    const { ctx, stateLog } = this.d;
    const from = ctx.replicaState(r.tp, r.brokerId);
    ctx.setReplicaState(r.tp, r.brokerId, to);
    stateLog.info({ topicPartition: tpKey(r.tp.topic, r.tp.partition), replica: r.brokerId, from, to }, 'replica state changed');
  }

  /** StopReplica (no delete) to the replica, and it leaves the ISR of every partition it is in. */
  private async toOffline(replicas: readonly PartitionReplica[]): Promise<void> {
    const { ctx, batch } = this.d;
    const byBroker = new Map<number, TP[]>();
    for (const r of replicas) {
      batch.addStopReplica(r.brokerId, r.tp, false);
      const list = byBroker.get(r.brokerId) ?? [];
      list.push(r.tp);
      byBroker.set(r.brokerId, list);
    }
    for (const [brokerId, tps] of byBroker) {
      // Partitions about to be deleted keep their ISR: no point writing state that is going away.
      const shrink = tps.filter((tp) => ctx.leaderIsr(tp) !== undefined && !ctx.isTopicQueuedUpForDeletion(tp.topic));
      const updated = await this.removeReplicaFromIsr(brokerId, shrink);
      for (const [tp, s] of updated) {
        const a = ctx.assignment(tp);
        if (a) batch.addLeaderAndIsr(a.replicas.filter((id) => id !== brokerId), tp, s, a, false);
      }
      batch.addUpdateMetadata(ctx.liveOrShuttingDownBrokerIds(), tps);
      for (const tp of tps) this.transition({ tp, brokerId }, 'OfflineReplica');
    }
  }

  /**
   * Kafka's rule: the replica leaves the ISR unless it is the last member (the ISR keeps it, so we know who
   * has the data); if it led, the leader becomes -1. Each write bumps the leader epoch.
   */
  private async removeReplicaFromIsr(brokerId: number, partitions: readonly TP[]): Promise<Array<[TP, LeaderIsrState]>> {
    const { ctx, zk, stateLog } = this.d;
    const done: Array<[TP, LeaderIsrState]> = [];
    let pending = [...partitions];
    for (let attempt = 1; pending.length > 0; attempt++) {
      const updates: Array<{ topic: string; partition: number; state: LeaderIsrState }> = [];
      for (const tp of pending) {
        const cur = ctx.leaderIsr(tp);
        if (!cur || (!cur.isr.includes(brokerId) && cur.leader !== brokerId)) continue;
        const isr = cur.isr.length === 1 && cur.isr[0] === brokerId ? [...cur.isr] : cur.isr.filter((id) => id !== brokerId);
        const leader = cur.leader === brokerId ? -1 : cur.leader;
        if (leader === cur.leader && isr.length === cur.isr.length) continue; // already offline with the last ISR member kept
        updates.push({ ...tp, state: { leader, leaderEpoch: cur.leaderEpoch + 1, isr, controllerEpoch: ctx.epoch, zkVersion: cur.zkVersion } });
      }
      if (updates.length === 0) break;
      const written = await zk.updatePartitionStates(updates, ctx.epochZkVersion);
      const retry: TP[] = [];
      for (const u of updates) {
        const tp = { topic: u.topic, partition: u.partition };
        const key = tpKey(u.topic, u.partition);
        const r = written.get(key);
        if (r instanceof ZkVersionMismatchError && attempt < MAX_WRITE_ATTEMPTS) retry.push(tp);
        else if (!r || r instanceof Error) stateLog.error({ topicPartition: key, replica: brokerId, err: r }, 'could not remove replica from ISR');
        else {
          ctx.setLeaderIsr(tp, r);
          stateLog.info({ topicPartition: key, replica: brokerId, leader: r.leader, leaderEpoch: r.leaderEpoch, isr: r.isr }, 'replica removed from ISR');
          done.push([tp, r]);
        }
      }
      if (retry.length > 0) await refreshLeaderIsr(this.d, retry);
      pending = retry;
    }
    return done;
  }
}
