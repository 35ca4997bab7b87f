// Partition reassignment (KIP-455) as Kafka 2.8's ZooKeeper-mode controller runs it: grow the replica set to
// original ∪ target, wait for the target replicas to join the ISR, then shrink to the target and delete the rest.
import { tpKey } from '../util/types';
import { ZkVersionMismatchError, type TopicAssignment } from '../zk/api';
import { splitTopicPartitionKey } from '../zk/znodes';
import type { PartitionAssignment, TP } from './ControllerContext';
import { refreshLeaderIsr, type PartitionStateMachine, type StateMachineDeps } from './PartitionStateMachine';
import type { PartitionReplica, ReplicaStateMachine } from './ReplicaStateMachine';
import { ControllerApiError, ErrorCode } from './errors';

export interface ReassignmentRequest {
  topic: string;
  partition: number;
  /** null cancels an ongoing reassignment */
  replicas: number[] | null;
}
export interface ReassignmentResult {
  topic: string;
  partition: number;
  errorCode: number;
  errorMessage: string | null;
}
export interface OngoingReassignment {
  topic: string;
  partition: number;
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

const MAX_WRITE_ATTEMPTS = 5;

export class ReassignmentManager {
  /** Partitions with a reassignment started and not yet completed. */
  private readonly ongoing = new Map<string, TP>();
  /** Partitions requested through /admin/reassign_partitions that are still running. */
  private readonly zkRequested = new Set<string>();

  constructor(
    private readonly d: StateMachineDeps,
    private readonly psm: PartitionStateMachine,
    private readonly rsm: ReplicaStateMachine,
  ) {}

  clear(): void {
    this.ongoing.clear();
    this.zkRequested.clear();
  }

  isReassigning(tp: TP): boolean {
    return this.ongoing.has(tpKey(tp.topic, tp.partition));
  }

  /** Ongoing reassignments, optionally limited to `partitions` (those not being reassigned are left out). */
  list(partitions: readonly TP[] | null): OngoingReassignment[] {
    const { ctx } = this.d;
    const asked = partitions ?? [...this.ongoing.values()];
    const out: OngoingReassignment[] = [];
    const seen = new Set<string>();
    for (const tp of asked) {
      const key = tpKey(tp.topic, tp.partition);
      if (seen.has(key) || !this.ongoing.has(key)) continue;
      seen.add(key);
      const a = ctx.assignment(tp);
      if (!a) continue;
      out.push({ topic: tp.topic, partition: tp.partition, replicas: [...a.replicas], addingReplicas: [...a.addingReplicas], removingReplicas: [...a.removingReplicas] });
    }
    return out.sort((x, y) => (x.topic === y.topic ? x.partition - y.partition : x.topic < y.topic ? -1 : 1));
  }

  /** Failover: reassignments recorded in /brokers/topics/<t> (adding/removing replicas) carry on. */
  async resumeOnFailover(): Promise<void> {
    const { ctx } = this.d;
    const found = ctx.allPartitions().filter((tp) => {
      const a = ctx.assignment(tp);
      return a !== undefined && (a.addingReplicas.length > 0 || a.removingReplicas.length > 0) && !ctx.isTopicQueuedUpForDeletion(tp.topic);
    });
    for (const tp of found) this.ongoing.set(tpKey(tp.topic, tp.partition), tp);
    for (const tp of found) {
      const a = ctx.assignment(tp);
      if (a) await this.onPartitionReassignment(tp, a);
    }
  }

  /** The AlterPartitionReassignments API: validates and starts (or cancels) each; answers once started. */
  async alter(requests: readonly ReassignmentRequest[]): Promise<ReassignmentResult[]> {
    const out: ReassignmentResult[] = [];
    let tookOverZkRequest = false;
    for (const r of requests) {
      const tp = { topic: r.topic, partition: r.partition };
      try {
        await this.trigger(tp, r.replicas);
        // The API takes over a partition the legacy znode asked for (Kafka drops it from the znode).
        if (this.forgetZkRequest(tpKey(tp.topic, tp.partition))) tookOverZkRequest = true;
        out.push({ ...tp, errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (err) {
        if (!(err instanceof ControllerApiError)) throw err;
        out.push({ ...tp, errorCode: err.errorCode, errorMessage: err.message });
      }
    }
    if (tookOverZkRequest) await this.maybeDeleteZkRequest();
    return out;
  }

  /** The legacy path: /admin/reassign_partitions was created; the znode goes away when all of it is done. */
  async processZkRequest(): Promise<void> {
    const { zk, stateLog } = this.d;
    const requested = await zk.getPartitionReassignment();
    if (requested === null) return;
    for (const [key, replicas] of requested) {
      const tp = splitTopicPartitionKey(key);
      try {
        await this.trigger(tp, replicas);
        if (this.ongoing.has(key)) this.zkRequested.add(key);
      } catch (err) {
        if (!(err instanceof ControllerApiError)) throw err;
        stateLog.warn({ topicPartition: key, replicas, error: err.message }, 'reassignment from /admin/reassign_partitions refused');
      }
    }
    await this.maybeDeleteZkRequest();
  }

  /** ISR changes: reassignments whose target replicas are now all in the ISR complete. */
  async onIsrChange(partitions: readonly TP[]): Promise<void> {
    for (const tp of partitions) {
      if (!this.isReassigning(tp)) continue;
      const a = this.d.ctx.assignment(tp);
      if (a && this.isComplete(tp, targetOf(a))) await this.onPartitionReassignment(tp, a);
    }
  }

  /** Brokers (re)joined: replicas of ongoing reassignments on them get their state again. */
  async onBrokerStartup(ids: readonly number[]): Promise<void> {
    for (const tp of [...this.ongoing.values()]) {
      const a = this.d.ctx.assignment(tp);
      if (a && a.replicas.some((r) => ids.includes(r))) await this.onPartitionReassignment(tp, a);
    }
  }

  /** Topic deleted: its reassignments are gone with it. */
  forgetTopic(topic: string): void {
    for (const [key, tp] of [...this.ongoing]) if (tp.topic === topic) this.ongoing.delete(key);
  }

  // ---------------------------------------------------------------------------------------------------

  private async trigger(tp: TP, target: number[] | null): Promise<void> {
    const { ctx } = this.d;
    const cur = ctx.assignment(tp);
    if (!cur || ctx.isTopicQueuedUpForDeletion(tp.topic)) {
      throw new ControllerApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The partition ${tpKey(tp.topic, tp.partition)} does not exist.`);
    }
    const origin = cur.replicas.filter((r) => !cur.addingReplicas.includes(r));
    let next: PartitionAssignment;
    if (target === null) {
      if (!this.isReassigning(tp)) throw new ControllerApiError(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, 'No reassignment in progress.');
      next = { replicas: origin, addingReplicas: [], removingReplicas: [] };
    } else {
      this.validateTarget(target);
      // Kafka's order: target first, then the original replicas not in it.
      const full = [...new Set([...target, ...origin])];
      next = { replicas: full, addingReplicas: full.filter((r) => !origin.includes(r)), removingReplicas: full.filter((r) => !target.includes(r)) };
    }
    this.ongoing.set(tpKey(tp.topic, tp.partition), tp);
    await this.onPartitionReassignment(tp, next);
  }

  private validateTarget(target: readonly number[]): void {
    const { ctx } = this.d;
    if (target.length === 0) throw new ControllerApiError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Empty replica list specified in partition reassignment.');
    if (new Set(target).size !== target.length) {
      throw new ControllerApiError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Duplicate replica ids in partition reassignment replica list: ${JSON.stringify(target)}`);
    }
    if (target.some((r) => r < 0)) throw new ControllerApiError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Invalid broker id in replica list: ${JSON.stringify(target)}`);
    const notLive = target.filter((r) => !ctx.isBrokerLiveOrShuttingDown(r));
    if (notLive.length > 0) {
      throw new ControllerApiError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The proposed assignment contains non-live brokers: ${JSON.stringify(notLive)}`);
    }
  }

  private isComplete(tp: TP, target: readonly number[]): boolean {
    const s = this.d.ctx.leaderIsr(tp);
    return s !== undefined && target.every((r) => s.isr.includes(r));
  }

  /** Kafka's onPartitionReassignment: phase A (start, RS = ORS ∪ TRS) or phase B (finish, RS = TRS). */
  private async onPartitionReassignment(tp: TP, next: PartitionAssignment): Promise<void> {
    const { ctx, batch, stateLog } = this.d;
    const key = tpKey(tp.topic, tp.partition);
    const cur = ctx.assignment(tp);
    if (!cur) return;
    if (!sameAssignment(cur, next)) {
      await this.writeAssignment(tp, next);
      // A replaced or cancelled reassignment may leave replicas being added that nobody needs any more.
      const unneeded = cur.replicas.filter((r) => !next.replicas.includes(r));
      if (unneeded.length > 0) await this.stopRemovedReplicas(tp, unneeded);
    }
    const target = targetOf(next);
    if (!this.isComplete(tp, target)) {
      stateLog.info({ topicPartition: key, replicas: next.replicas, adding: next.addingReplicas, removing: next.removingReplicas }, 'reassignment waiting for target replicas to join the ISR');
      await this.bumpLeaderEpochAndSend(tp, next.replicas);
      const fresh = next.addingReplicas.filter((r) => ctx.replicaState(tp, r) === 'NonExistentReplica').map((brokerId) => ({ tp, brokerId }));
      if (fresh.length > 0) await this.rsm.handleStateChanges(fresh, 'NewReplica');
      return;
    }
    const adding: PartitionReplica[] = next.addingReplicas
      .filter((r) => ctx.replicaState(tp, r) !== 'OnlineReplica' && ctx.isBrokerLiveOrShuttingDown(r))
      .map((brokerId) => ({ tp, brokerId }));
    if (adding.length > 0) await this.rsm.handleStateChanges(adding, 'OnlineReplica');
    const done: PartitionAssignment = { replicas: [...target], addingReplicas: [], removingReplicas: [] };
    ctx.setAssignment(tp, done);
    const s = ctx.leaderIsr(tp);
    if (s && (!target.includes(s.leader) || !ctx.isBrokerLive(s.leader))) {
      const r = (await this.psm.handleStateChanges([tp], 'OnlinePartition', { kind: 'reassign' })).get(key);
      if (!r || !('ok' in r)) stateLog.error({ topicPartition: key, target, error: r && 'message' in r ? r.message : 'no result' }, 'could not move leadership into the reassignment target');
    } else {
      await this.bumpLeaderEpochAndSend(tp, target);
    }
    const removing = next.removingReplicas.filter((r) => !target.includes(r));
    if (removing.length > 0) await this.stopRemovedReplicas(tp, removing);
    await this.d.zk.setTopicAssignment(tp.topic, this.topicAssignment(tp.topic), ctx.epochZkVersion);
    this.ongoing.delete(key);
    batch.addUpdateMetadata(ctx.liveOrShuttingDownBrokerIds(), [tp]);
    stateLog.info({ topicPartition: key, replicas: target, leader: ctx.leaderIsr(tp)?.leader }, 'reassignment completed');
    if (this.forgetZkRequest(key)) await this.maybeDeleteZkRequest();
  }

  /** Offline (leaves the ISR, StopReplica), then deleted (StopReplica with delete), then forgotten. */
  private async stopRemovedReplicas(tp: TP, brokerIds: readonly number[]): Promise<void> {
    const replicas = brokerIds.map((brokerId) => ({ tp, brokerId }));
    await this.rsm.handleStateChanges(replicas, 'OfflineReplica');
    await this.rsm.handleStateChanges(replicas, 'ReplicaDeletionStarted');
    await this.rsm.handleStateChanges(replicas, 'ReplicaDeletionSuccessful');
    await this.rsm.handleStateChanges(replicas, 'NonExistentReplica');
  }

  /** A new leader epoch so replicas accept the changed replica set; LeaderAndIsr to `recipients`. */
  private async bumpLeaderEpochAndSend(tp: TP, recipients: readonly number[]): Promise<void> {
    const { ctx, zk, batch, stateLog } = this.d;
    const key = tpKey(tp.topic, tp.partition);
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const cur = ctx.leaderIsr(tp);
      if (!cur) return;
      const written = await zk.updatePartitionStates(
        [{ ...tp, state: { ...cur, isr: [...cur.isr], leaderEpoch: cur.leaderEpoch + 1, controllerEpoch: ctx.epoch } }],
        ctx.epochZkVersion,
      );
      const r = written.get(key);
      if (r instanceof ZkVersionMismatchError) {
        await refreshLeaderIsr(this.d, [tp]);
        continue;
      }
      if (!r || r instanceof Error) break;
      ctx.setLeaderIsr(tp, r);
      const a = ctx.assignment(tp);
      if (a) batch.addLeaderAndIsr(recipients, tp, r, a, false);
      return;
    }
    stateLog.error({ topicPartition: key }, 'could not bump the leader epoch for a reassignment');
  }

  /** Writes the topic's assignment with `next` for this partition (fenced), then records it in the context. */
  private async writeAssignment(tp: TP, next: PartitionAssignment): Promise<void> {
    const { ctx, zk } = this.d;
    await zk.setTopicAssignment(tp.topic, this.topicAssignment(tp.topic, tp.partition, next), ctx.epochZkVersion);
    ctx.setAssignment(tp, { replicas: [...next.replicas], addingReplicas: [...next.addingReplicas], removingReplicas: [...next.removingReplicas] });
  }

  private topicAssignment(topic: string, partition?: number, override?: PartitionAssignment): TopicAssignment {
    const { ctx } = this.d;
    // The id goes back with the assignment, or the rewrite would drop it from the znode.
    const out: TopicAssignment = { partitions: new Map(), addingReplicas: new Map(), removingReplicas: new Map(), topicId: ctx.topicIds.get(topic) ?? null };
    for (const tp of ctx.partitionsForTopic(topic)) {
      const a = tp.partition === partition && override ? override : ctx.assignment(tp);
      if (!a) continue;
      out.partitions.set(tp.partition, [...a.replicas]);
      if (a.addingReplicas.length > 0) out.addingReplicas.set(tp.partition, [...a.addingReplicas]);
      if (a.removingReplicas.length > 0) out.removingReplicas.set(tp.partition, [...a.removingReplicas]);
    }
    return out;
  }

  private forgetZkRequest(key: string): boolean {
    return this.zkRequested.delete(key);
  }

  private async maybeDeleteZkRequest(): Promise<void> {
    if (this.zkRequested.size > 0) return;
    if ((await this.d.zk.getPartitionReassignment()) === null) return;
    await this.d.zk.deletePartitionReassignment(this.d.ctx.epochZkVersion);
  }
}

/** The replicas a reassignment ends with. */
function targetOf(a: PartitionAssignment): number[] {
  return a.replicas.filter((r) => !a.removingReplicas.includes(r));
}

function sameAssignment(a: PartitionAssignment, b: PartitionAssignment): boolean {
  const eq = (x: readonly number[], y: readonly number[]): boolean => x.length === y.length && x.every((v, i) => v === y[i]);
  return eq(a.replicas, b.replicas) && eq(a.addingReplicas, b.addingReplicas) && eq(a.removingReplicas, b.removingReplicas);
}
