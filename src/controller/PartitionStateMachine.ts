// Moves partitions between New/Online/Offline/NonExistent, electing leaders and writing state znodes on the way.
import type { Logger } from '../util/logger';
import { tpKey } from '../util/types';
import { ZkVersionMismatchError, type KafkaZkApi, type LeaderIsrState } from '../zk/api';
import type { ControllerBrokerRequestBatch } from './ControllerBrokerRequestBatch';
import type { ControllerContext, TP } from './ControllerContext';
import type { ControllerMetrics } from './ControllerMetrics';
import {
  controlledShutdownPartitionLeaderElection,
  offlinePartitionLeaderElection,
  preferredReplicaPartitionLeaderElection,
  reassignPartitionLeaderElection,
  type ElectionOutcome,
} from './Election';
import { ErrorCode } from './errors';
import { isValidPartitionTransition, type PartitionState } from './states';

export interface StateMachineDeps {
  readonly ctx: ControllerContext;
  readonly zk: KafkaZkApi;
  readonly batch: ControllerBrokerRequestBatch;
  readonly stateLog: Logger;
  /** Topic-level `unclean.leader.election.enable`, falling back to the broker's. */
  uncleanLeaderElectionEnabled(topic: string): Promise<boolean>;
}

export type ElectionStrategy =
  | { kind: 'offline'; allowUnclean: boolean }
  | { kind: 'reassign' }
  | { kind: 'preferred' }
  | { kind: 'controlledShutdown' };

export type ElectionResult = { ok: LeaderIsrState } | { errorCode: number; message: string };

/** How many times a partition write is retried after losing a zkVersion race. */
const MAX_WRITE_ATTEMPTS = 5;

export class PartitionStateMachine {
  constructor(
    private readonly d: StateMachineDeps,
    private readonly metrics?: ControllerMetrics,
  ) {}

  /** Failover: partitions with a live leader are Online, with a state but no live leader Offline, else New. */
  initialize(): void {
    const { ctx } = this.d;
    for (const tp of ctx.allPartitions()) {
      const s = ctx.leaderIsr(tp);
      const state: PartitionState = !s ? 'NewPartition' : ctx.isBrokerLiveOrShuttingDown(s.leader) ? 'OnlinePartition' : 'OfflinePartition';
      ctx.setPartitionState(tp, state);
    }
  }

  /** Every New or Offline partition of a topic not being deleted tries to get a leader. */
  async triggerOnlinePartitionStateChange(): Promise<void> {
    const { ctx } = this.d;
    const candidates = ctx
      .partitionsInStates(['NewPartition', 'OfflinePartition'])
      .filter((tp) => !ctx.isTopicQueuedUpForDeletion(tp.topic));
    if (candidates.length > 0) await this.handleStateChanges(candidates, 'OnlinePartition', { kind: 'offline', allowUnclean: false });
  }

  async handleStateChanges(partitions: readonly TP[], target: PartitionState, strategy?: ElectionStrategy): Promise<Map<string, ElectionResult>> {
    const { ctx, stateLog } = this.d;
    const results = new Map<string, ElectionResult>();
    const valid: TP[] = [];
    for (const tp of partitions) {
      const from = ctx.partitionState(tp);
      if (isValidPartitionTransition(from, target)) valid.push(tp);
      else {
        stateLog.error({ topicPartition: tpKey(tp.topic, tp.partition), from, to: target }, 'invalid partition state transition');
        results.set(tpKey(tp.topic, tp.partition), { errorCode: ErrorCode.INVALID_REQUEST, message: `invalid transition ${from} -> ${target}` });
      }
    }
    switch (target) {
      case 'NewPartition':
      case 'OfflinePartition':
      case 'NonExistentPartition':
        for (const tp of valid) this.transition(tp, target);
        break;
      case 'OnlinePartition': {
        const fresh = valid.filter((tp) => ctx.partitionState(tp) === 'NewPartition');
        const existing = valid.filter((tp) => ctx.partitionState(tp) !== 'NewPartition');
        for (const [k, v] of await this.initializeLeaderAndIsr(fresh)) results.set(k, v);
        if (existing.length > 0) {
          const elected = await this.electLeaders(existing, strategy ?? { kind: 'offline', allowUnclean: false });
          for (const [k, v] of elected) results.set(k, v);
        }
        break;
      }
    }
    return results;
  }

  private transition(tp: TP, to: PartitionState, extra?: Record<string, unknown>): void {
    const { ctx, stateLog } = this.d;
    const from = ctx.partitionState(tp);
    ctx.setPartitionState(tp, to);
    stateLog.info({ topicPartition: tpKey(tp.topic, tp.partition), from, to, ...extra }, 'partition state changed');
  }

  /** New partitions: leader = first live replica, ISR = live replicas, leader epoch 0. */
  private async initializeLeaderAndIsr(partitions: readonly TP[]): Promise<Map<string, ElectionResult>> {
    const { ctx, zk, batch, stateLog } = this.d;
    const results = new Map<string, ElectionResult>();
    const creates: Array<{ topic: string; partition: number; state: Omit<LeaderIsrState, 'zkVersion'> }> = [];
    for (const tp of partitions) {
      const live = ctx.replicas(tp).filter((r) => ctx.isBrokerLive(r));
      const leader = live[0];
      if (leader === undefined) {
        stateLog.error({ topicPartition: tpKey(tp.topic, tp.partition), replicas: ctx.replicas(tp) }, 'no live replica for new partition; it stays NewPartition');
        results.set(tpKey(tp.topic, tp.partition), { errorCode: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, message: 'no live replica' });
        continue;
      }
      creates.push({ ...tp, state: { leader, leaderEpoch: 0, isr: live, controllerEpoch: ctx.epoch } });
    }
    if (creates.length === 0) return results;
    const written = await zk.createPartitionStates(creates, ctx.epochZkVersion);
    for (const c of creates) {
      const key = tpKey(c.topic, c.partition);
      const r = written.get(key);
      if (!r || r instanceof Error) {
        stateLog.error({ topicPartition: key, err: r }, 'could not create partition state; it stays NewPartition');
        results.set(key, { errorCode: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, message: r?.message ?? 'no result' });
        continue;
      }
      const tp = { topic: c.topic, partition: c.partition };
      ctx.setLeaderIsr(tp, r);
      const a = ctx.assignment(tp);
      if (a) batch.addLeaderAndIsr(a.replicas, tp, r, a, true);
      this.transition(tp, 'OnlinePartition', { leader: r.leader, leaderEpoch: r.leaderEpoch, isr: r.isr });
      results.set(key, { ok: r });
    }
    return results;
  }

  private async elect(tp: TP, current: LeaderIsrState, strategy: ElectionStrategy): Promise<ElectionOutcome> {
    const { ctx } = this.d;
    const assignment = ctx.replicas(tp);
    const input = { assignment, isr: current.isr };
    const isLive = (id: number): boolean => ctx.isBrokerLive(id);
    switch (strategy.kind) {
      case 'offline': {
        const clean = offlinePartitionLeaderElection(input, isLive, false);
        if (clean.leader !== null) return clean;
        const unclean = strategy.allowUnclean || (await this.d.uncleanLeaderElectionEnabled(tp.topic));
        return unclean ? offlinePartitionLeaderElection(input, isLive, true) : clean;
      }
      case 'reassign':
        return reassignPartitionLeaderElection(assignment, current.isr, isLive);
      case 'preferred':
        return preferredReplicaPartitionLeaderElection(input, isLive);
      case 'controlledShutdown':
        return controlledShutdownPartitionLeaderElection(
          input,
          (id) => ctx.isBrokerLiveOrShuttingDown(id),
          (id) => ctx.shuttingDownBrokerIds.has(id),
        );
    }
  }

  /** Elects and writes new leaders, re-reading and retrying partitions whose state znode moved under us. */
  private async electLeaders(partitions: readonly TP[], strategy: ElectionStrategy): Promise<Map<string, ElectionResult>> {
    const { ctx, zk, batch, stateLog } = this.d;
    const results = new Map<string, ElectionResult>();
    const started = Date.now();
    let pending = [...partitions];
    for (let attempt = 1; pending.length > 0; attempt++) {
      const updates: Array<{ topic: string; partition: number; state: LeaderIsrState; unclean: boolean }> = [];
      for (const tp of pending) {
        const key = tpKey(tp.topic, tp.partition);
        const current = ctx.leaderIsr(tp);
        if (!current) {
          results.set(key, { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: 'no leader and ISR state' });
          continue;
        }
        const outcome = await this.elect(tp, current, strategy);
        if (outcome.leader === null) {
          const errorCode = strategy.kind === 'preferred' ? ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE : ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE;
          results.set(key, { errorCode, message: `no eligible leader among ${JSON.stringify(ctx.replicas(tp))} (isr ${JSON.stringify(current.isr)})` });
          if (strategy.kind === 'offline') stateLog.warn({ topicPartition: key, isr: current.isr }, 'no eligible leader; partition stays offline');
          continue;
        }
        updates.push({
          ...tp,
          unclean: outcome.unclean,
          state: { leader: outcome.leader, leaderEpoch: current.leaderEpoch + 1, isr: [...outcome.isr], controllerEpoch: ctx.epoch, zkVersion: current.zkVersion },
        });
      }
      if (updates.length === 0) break;
      const written = await zk.updatePartitionStates(updates.map(({ topic, partition, state }) => ({ topic, partition, state })), ctx.epochZkVersion);
      const retry: TP[] = [];
      for (const u of updates) {
        const tp = { topic: u.topic, partition: u.partition };
        const key = tpKey(u.topic, u.partition);
        const r = written.get(key);
        if (r instanceof ZkVersionMismatchError && attempt < MAX_WRITE_ATTEMPTS) {
          retry.push(tp);
          continue;
        }
        if (!r || r instanceof Error) {
          results.set(key, { errorCode: ErrorCode.INVALID_UPDATE_VERSION, message: r?.message ?? 'no result' });
          continue;
        }
        ctx.setLeaderIsr(tp, r);
        const a = ctx.assignment(tp);
        if (a) batch.addLeaderAndIsr(a.replicas, tp, r, a, false);
        if (u.unclean) stateLog.warn({ topicPartition: key, leader: r.leader }, 'unclean leader election: data may be lost');
        this.transition(tp, 'OnlinePartition', { election: strategy.kind, leader: r.leader, leaderEpoch: r.leaderEpoch, isr: r.isr });
        results.set(key, { ok: r });
      }
      if (retry.length > 0) await refreshLeaderIsr(this.d, retry);
      pending = retry;
    }
    let elected = 0;
    for (const r of results.values()) if ('ok' in r) elected++;
    this.metrics?.recordElections(Date.now() - started, elected);
    return results;
  }
}

/** Re-reads partition states from ZooKeeper into the context (after losing a zkVersion race). */
export async function refreshLeaderIsr(d: Pick<StateMachineDeps, 'ctx' | 'zk'>, partitions: readonly TP[]): Promise<void> {
  const states = await d.zk.getPartitionStates(partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition })));
  for (const tp of partitions) {
    const s = states.get(tpKey(tp.topic, tp.partition));
    if (s) d.ctx.setLeaderIsr(tp, s);
  }
}
