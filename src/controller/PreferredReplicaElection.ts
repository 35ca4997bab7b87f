// Preferred leader elections: the /admin/preferred_replica_election request and the periodic leader-imbalance check
// (auto.leader.rebalance.enable, leader.imbalance.per.broker.percentage) that moves leadership back to the first replica.
import type { Logger } from '../util/logger';
import type { KafkaZkApi } from '../zk/api';
import type { ControllerContext, TP } from './ControllerContext';
import type { PartitionStateMachine } from './PartitionStateMachine';

export interface PreferredReplicaElectionDeps {
  readonly ctx: ControllerContext;
  readonly zk: KafkaZkApi;
  readonly psm: PartitionStateMachine;
  readonly log: Logger;
  leaderImbalancePerBrokerPercentage(): number;
}

export class PreferredReplicaElection {
  constructor(private readonly d: PreferredReplicaElectionDeps) {}

  private preferredCandidates(partitions: readonly TP[]): TP[] {
    const ctx = this.d.ctx;
    return partitions.filter((tp) => {
      const s = ctx.leaderIsr(tp);
      const preferred = ctx.replicas(tp)[0];
      return s !== undefined && preferred !== undefined && s.leader !== preferred && !ctx.isTopicQueuedUpForDeletion(tp.topic);
    });
  }

  async processZkRequest(): Promise<void> {
    const requested = await this.d.zk.getPreferredReplicaElection();
    if (requested === null) return;
    const known = requested.filter((tp) => this.d.ctx.assignment(tp) !== undefined);
    const candidates = this.preferredCandidates(known);
    this.d.log.info({ partitions: candidates.length }, 'preferred replica election requested');
    if (candidates.length > 0) await this.d.psm.handleStateChanges(candidates, 'OnlinePartition', { kind: 'preferred' });
    await this.d.zk.deletePreferredReplicaElection(this.d.ctx.epochZkVersion);
  }

  async checkAndTriggerAutoLeaderRebalance(): Promise<void> {
    const ctx = this.d.ctx;
    if (ctx.shuttingDownBrokerIds.size > 0) return; // leadership is being moved on purpose
    const byPreferred = new Map<number, TP[]>();
    for (const tp of ctx.allPartitions()) {
      const preferred = ctx.replicas(tp)[0];
      if (preferred === undefined || ctx.isTopicQueuedUpForDeletion(tp.topic)) continue;
      const list = byPreferred.get(preferred) ?? [];
      list.push(tp);
      byPreferred.set(preferred, list);
    }
    const toElect: TP[] = [];
    for (const [broker, tps] of byPreferred) {
      if (!ctx.isBrokerLive(broker)) continue;
      const imbalanced = tps.filter((tp) => ctx.leaderIsr(tp)?.leader !== broker);
      const ratio = imbalanced.length / tps.length;
      if (ratio * 100 <= this.d.leaderImbalancePerBrokerPercentage()) continue;
      this.d.log.info({ broker, ratio }, 'leader imbalance above threshold; moving leadership to preferred replicas');
      toElect.push(...imbalanced.filter((tp) => ctx.leaderIsr(tp)?.isr.includes(broker) ?? false));
    }
    if (toElect.length > 0) await this.d.psm.handleStateChanges(toElect, 'OnlinePartition', { kind: 'preferred' });
  }
}
