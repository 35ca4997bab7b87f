// Drives topic deletion (Kafka's TopicDeletionManager): StopReplica with delete to every replica, wait for
// all of them to answer, then remove the topic's znodes; deletion waits for dead replicas to come back.
import type { TP } from './ControllerContext';
import type { PartitionStateMachine, StateMachineDeps } from './PartitionStateMachine';
import type { PartitionReplica, ReplicaStateMachine } from './ReplicaStateMachine';
import type { StopReplicaResult } from './channel';

export class TopicDeletionManager {
  constructor(
    private readonly d: StateMachineDeps,
    private readonly psm: PartitionStateMachine,
    private readonly rsm: ReplicaStateMachine,
    /** Removes the topic's znodes (fenced) and stops watching it. */
    private readonly deleteTopicZNodes: (topic: string) => Promise<void>,
  ) {}

  async enqueueTopicsForDeletion(topics: readonly string[]): Promise<void> {
    for (const t of topics) this.d.ctx.topicsToBeDeleted.add(t);
    await this.resumeDeletions();
  }

  /** A broker came back: topics waiting on its replicas may proceed. */
  async resumeDeletionForTopics(topics: readonly string[]): Promise<void> {
    const { ctx } = this.d;
    const queued = topics.filter((t) => ctx.topicsToBeDeleted.has(t));
    if (queued.length === 0) return;
    for (const t of queued) ctx.topicsIneligibleForDeletion.delete(t);
    await this.resumeDeletions();
  }

  /** Replicas on dead brokers (or that answered with an error) cannot be deleted now. */
  async failReplicaDeletion(replicas: readonly PartitionReplica[]): Promise<void> {
    const { ctx } = this.d;
    const relevant = replicas.filter((r) => ctx.topicsToBeDeleted.has(r.tp.topic));
    if (relevant.length === 0) return;
    await this.rsm.handleStateChanges(relevant, 'ReplicaDeletionIneligible');
    for (const r of relevant) ctx.topicsIneligibleForDeletion.add(r.tp.topic);
    await this.resumeDeletions();
  }

  async onStopReplicaResponse(brokerId: number, result: StopReplicaResult): Promise<void> {
    const { ctx } = this.d;
    const ok: PartitionReplica[] = [];
    const failed: PartitionReplica[] = [];
    for (const p of result.partitions) {
      const tp: TP = { topic: p.topic, partition: p.partition };
      if (!ctx.topicsToBeDeleted.has(tp.topic) || ctx.replicaState(tp, brokerId) !== 'ReplicaDeletionStarted') continue;
      (result.errorCode === 0 && p.errorCode === 0 ? ok : failed).push({ tp, brokerId });
    }
    if (ok.length > 0) await this.rsm.handleStateChanges(ok, 'ReplicaDeletionSuccessful');
    if (failed.length > 0) await this.failReplicaDeletion(failed);
    else if (ok.length > 0) await this.resumeDeletions();
  }

  async resumeDeletions(): Promise<void> {
    const { ctx } = this.d;
    const retry: string[] = [];
    const eligible: string[] = [];
    for (const topic of [...ctx.topicsToBeDeleted]) {
      const states = ctx.replicaStatesOfTopic(topic);
      if (states.every((s) => s.state === 'ReplicaDeletionSuccessful')) {
        await this.completeDeleteTopic(topic);
        continue;
      }
      const inProgress = states.some((s) => s.state === 'ReplicaDeletionStarted');
      if (!inProgress && states.some((s) => s.state === 'ReplicaDeletionIneligible')) retry.push(topic);
      if (!inProgress && !ctx.topicsIneligibleForDeletion.has(topic)) eligible.push(topic);
    }
    if (retry.length > 0) {
      const replicas = retry.flatMap((t) => ctx.replicaStatesOfTopic(t).filter((s) => s.state === 'ReplicaDeletionIneligible'));
      await this.rsm.handleStateChanges(replicas, 'OfflineReplica');
    }
    if (eligible.length > 0) await this.onTopicDeletion(eligible);
  }

  private async onTopicDeletion(topics: readonly string[]): Promise<void> {
    const { ctx, batch } = this.d;
    const unseen = topics.filter((t) => !ctx.topicsWithDeletionStarted.has(t));
    const unseenPartitions = unseen.flatMap((t) => ctx.partitionsForTopic(t));
    if (unseenPartitions.length > 0) {
      await this.psm.handleStateChanges(unseenPartitions, 'OfflinePartition');
      await this.psm.handleStateChanges(unseenPartitions, 'NonExistentPartition');
    }
    for (const t of unseen) ctx.topicsWithDeletionStarted.add(t);
    // Every broker drops the partitions from its metadata (leader -2 while the topic is queued for deletion).
    batch.addUpdateMetadata(ctx.liveOrShuttingDownBrokerIds(), topics.flatMap((t) => ctx.partitionsForTopic(t)));

    const replicas = topics.flatMap((t) => ctx.replicaStatesOfTopic(t)).filter((s) => s.state !== 'ReplicaDeletionSuccessful');
    const dead = replicas.filter((r) => !ctx.isBrokerLiveOrShuttingDown(r.brokerId));
    const alive = replicas.filter((r) => ctx.isBrokerLiveOrShuttingDown(r.brokerId));
    if (dead.length > 0) {
      await this.rsm.handleStateChanges(dead, 'ReplicaDeletionIneligible');
      for (const r of dead) ctx.topicsIneligibleForDeletion.add(r.tp.topic);
    }
    await this.rsm.handleStateChanges(alive, 'OfflineReplica');
    await this.rsm.handleStateChanges(alive, 'ReplicaDeletionStarted');
  }

  private async completeDeleteTopic(topic: string): Promise<void> {
    const { ctx, batch, stateLog } = this.d;
    const replicas = ctx.replicaStatesOfTopic(topic);
    await this.rsm.handleStateChanges(replicas, 'NonExistentReplica');
    await this.deleteTopicZNodes(topic);
    ctx.removeTopic(topic);
    batch.addUpdateMetadata(ctx.liveOrShuttingDownBrokerIds(), []);
    stateLog.info({ topic }, 'topic deletion completed');
  }
}
