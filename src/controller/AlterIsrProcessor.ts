// AlterIsr (KIP-497) on the controller: the only path for ISR changes. A leader proposes a new ISR for partitions it
// leads; the controller checks broker epoch, leader epoch and the state znode's zkVersion, writes it and answers.
import type { Logger } from '../util/logger';
import { groupByTopic, tpKey } from '../util/types';
import type { KafkaZkApi, LeaderIsrState } from '../zk/api';
import type { ControllerBrokerRequestBatch } from './ControllerBrokerRequestBatch';
import type { ControllerContext, TP } from './ControllerContext';
import type { ControllerRequestBridge } from './ControllerRequestBridge';
import { ErrorCode } from './errors';

export interface AlterIsrRequestData {
  brokerId: number;
  brokerEpoch: bigint;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; leaderEpoch: number; newIsr: number[]; currentIsrVersion: number }> }>;
}
export interface AlterIsrPartitionResult {
  partitionIndex: number;
  errorCode: number;
  leaderId: number;
  leaderEpoch: number;
  isr: number[];
  currentIsrVersion: number;
}
export interface AlterIsrResponseData {
  throttleTimeMs: number;
  errorCode: number;
  topics: Array<{ name: string; partitions: AlterIsrPartitionResult[] }>;
}
export interface AlterIsrDeps {
  readonly ctx: ControllerContext;
  readonly zk: KafkaZkApi;
  readonly batch: ControllerBrokerRequestBatch;
  readonly stateLog: Logger;
  readonly requests: ControllerRequestBridge;
  isReassigning(tp: TP): boolean;
  /** An ISR expansion may complete a reassignment: checked in its own event, after the AlterIsr answer is sent. */
  onReassignmentIsrChange(partitions: TP[]): void;
}

export class AlterIsrProcessor {
  private readonly ctx: ControllerContext;
  private readonly zk: KafkaZkApi;
  private readonly batch: ControllerBrokerRequestBatch;
  private readonly stateLog: Logger;

  constructor(private readonly d: AlterIsrDeps) {
    this.ctx = d.ctx;
    this.zk = d.zk;
    this.batch = d.batch;
    this.stateLog = d.stateLog;
  }

  /** KIP-497: the only path for ISR changes. A leader proposes a new ISR for partitions it leads. */
  alterIsr(req: AlterIsrRequestData): Promise<AlterIsrResponseData> {
    const notController = (): AlterIsrResponseData => ({ throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, topics: [] });
    return this.d.requests.call('alterIsr', async () => {
      const ctx = this.ctx;
      const known = ctx.liveBrokers.get(req.brokerId);
      if (!known || known.epoch !== req.brokerEpoch) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.STALE_BROKER_EPOCH, topics: [] };
      }
      const results = new Map<string, AlterIsrPartitionResult>();
      const order: Array<{ topic: string; partition: number }> = [];
      const updates: Array<{ topic: string; partition: number; state: LeaderIsrState }> = [];
      const answer = (tp: TP, errorCode: number, s?: LeaderIsrState): void => {
        results.set(tpKey(tp.topic, tp.partition), {
          partitionIndex: tp.partition,
          errorCode,
          leaderId: s?.leader ?? -1,
          leaderEpoch: s?.leaderEpoch ?? -1,
          isr: s ? [...s.isr] : [],
          currentIsrVersion: s?.zkVersion ?? -1,
        });
      };
      for (const topic of req.topics) {
        for (const p of topic.partitions) {
          const tp = { topic: topic.name, partition: p.partitionIndex };
          order.push(tp);
          const cur = ctx.leaderIsr(tp);
          const replicas = ctx.replicas(tp);
          if (!cur || ctx.isTopicQueuedUpForDeletion(tp.topic)) answer(tp, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          else if (p.leaderEpoch !== cur.leaderEpoch) answer(tp, ErrorCode.FENCED_LEADER_EPOCH);
          else if (cur.leader !== req.brokerId) answer(tp, ErrorCode.NOT_LEADER_OR_FOLLOWER);
          else if (sameMembers(p.newIsr, cur.isr)) answer(tp, ErrorCode.NONE, cur); // already applied (a retry)
          else if (p.currentIsrVersion !== cur.zkVersion) answer(tp, ErrorCode.INVALID_UPDATE_VERSION);
          else if (!p.newIsr.includes(req.brokerId) || p.newIsr.some((r) => !replicas.includes(r)) || new Set(p.newIsr).size !== p.newIsr.length) {
            answer(tp, ErrorCode.INVALID_REQUEST);
          } else {
            updates.push({ ...tp, state: { leader: cur.leader, leaderEpoch: cur.leaderEpoch, isr: [...p.newIsr], controllerEpoch: ctx.epoch, zkVersion: cur.zkVersion } });
          }
        }
      }
      if (updates.length > 0) {
        const written = await this.zk.updatePartitionStates(updates, ctx.epochZkVersion);
        const stale: TP[] = [];
        for (const u of updates) {
          const tp = { topic: u.topic, partition: u.partition };
          const r = written.get(tpKey(u.topic, u.partition));
          if (!r || r instanceof Error) {
            answer(tp, ErrorCode.INVALID_UPDATE_VERSION);
            stale.push(tp);
            continue;
          }
          const before = ctx.leaderIsr(tp)?.isr ?? [];
          ctx.setLeaderIsr(tp, r);
          this.stateLog.info({ topicPartition: tpKey(tp.topic, tp.partition), from: before, to: r.isr, leaderEpoch: r.leaderEpoch, zkVersion: r.zkVersion }, 'ISR changed (AlterIsr)');
          answer(tp, ErrorCode.NONE, r);
        }
        if (stale.length > 0) {
          const states = await this.zk.getPartitionStates(stale.map((tp) => ({ topic: tp.topic, partition: tp.partition })));
          for (const tp of stale) {
            const s = states.get(tpKey(tp.topic, tp.partition));
            if (s) ctx.setLeaderIsr(tp, s);
          }
        }
        // Kafka 2.8 tells every broker about ISR changes with UpdateMetadata.
        this.batch.addUpdateMetadata(ctx.liveOrShuttingDownBrokerIds(), updates.map((u) => ({ topic: u.topic, partition: u.partition })));
        // An ISR expansion may complete a reassignment: checked in its own event, after this answer is sent.
        const reassigning = updates.map((u) => ({ topic: u.topic, partition: u.partition })).filter((tp) => this.d.isReassigning(tp));
        if (reassigning.length > 0) this.d.onReassignmentIsrChange(reassigning);
      }
      const answered = order.flatMap((tp) => {
        const r = results.get(tpKey(tp.topic, tp.partition));
        return r ? [{ topic: tp.topic, r }] : [];
      });
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, topics: groupByTopic(answered).map(([name, rs]) => ({ name, partitions: rs.map((x) => x.r) })) };
    }, notController);
  }
}

function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
