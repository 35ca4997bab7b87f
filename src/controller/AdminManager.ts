// CreateTopics, DeleteTopics, CreatePartitions and ElectLeaders with their validation (Kafka 2.8's ZkAdminManager and
// AdminZkClient checks). Unlike Kafka they run inside the controller's event loop, so they validate against the
// controller's own view (ControllerContext) and then wait, bounded, for the controller to finish the change.
import type { Logger } from '../util/logger';
import { tpKey } from '../util/types';
import { ZERO_UUID } from '../util/uuid';
import { isTopicAlreadyExists, type KafkaZkApi } from '../zk/api';
import { checkTopicConfigs } from '../config/topicConfigs';
import type { ControllerContext, TP } from './ControllerContext';
import type { ControllerRequestBridge } from './ControllerRequestBridge';
import type { ElectionResult, PartitionStateMachine } from './PartitionStateMachine';
import {
  assignReplicasToBrokers,
  collidingTopic,
  hasCollisionChars,
  validateManualAssignment,
  validateTopicName,
  type BrokerRack,
} from './ReplicaAssignment';
import { ControllerApiError, ErrorCode } from './errors';


export interface CreatableTopic {
  name: string;
  /** -1 = num.partitions */
  numPartitions: number;
  /** -1 = default.replication.factor */
  replicationFactor: number;
  assignments: Array<{ partitionIndex: number; brokerIds: number[] }>;
  configs: Array<{ name: string; value: string | null }>;
}
export interface CreateTopicResult {
  name: string;
  /** The new topic's id (KIP-516); the zero uuid when it was not created (an error, or validateOnly). */
  topicId: string;
  errorCode: number;
  errorMessage: string | null;
  numPartitions: number;
  replicationFactor: number;
}
export interface CreatePartitionsTopic {
  name: string;
  count: number;
  assignments: Array<{ brokerIds: number[] }> | null;
}
export interface TopicErrorResult {
  name: string;
  errorCode: number;
  errorMessage: string | null;
}
/** ElectLeaders election types (KIP-460). */
export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const;
export type ElectionType = (typeof ElectionType)[keyof typeof ElectionType];
export interface ElectLeadersResult {
  topic: string;
  partition: number;
  errorCode: number;
  errorMessage: string | null;
}

export interface AdminManagerConfig {
  readonly defaultReplicationFactor: number;
  readonly numPartitions: number;
  readonly deleteTopicEnable: boolean;
}

export interface AdminManagerDeps {
  readonly ctx: ControllerContext;
  readonly zk: KafkaZkApi;
  readonly config: AdminManagerConfig;
  readonly requests: ControllerRequestBridge;
  readonly psm: PartitionStateMachine;
  readonly log: Logger;
}

export class AdminManager {
  constructor(private readonly d: AdminManagerDeps) {}

  async createTopics(topics: readonly CreatableTopic[], opts: { validateOnly: boolean; timeoutMs: number }): Promise<CreateTopicResult[]> {
    const notController = (): CreateTopicResult[] =>
      topics.map((t) => ({ name: t.name, topicId: ZERO_UUID, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'This is not the correct controller for this cluster.', numPartitions: -1, replicationFactor: -1 }));
    const created: Array<{ name: string; partitions: number }> = [];
    const results = await this.d.requests.call('createTopics', async () => {
      const counts = new Map<string, number>();
      for (const t of topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
      const out: CreateTopicResult[] = [];
      for (const t of topics) {
        const failed = (errorCode: number, errorMessage: string): CreateTopicResult => ({ name: t.name, topicId: ZERO_UUID, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1 });
        try {
          if ((counts.get(t.name) ?? 0) > 1) throw new ControllerApiError(ErrorCode.INVALID_REQUEST, `Create topics request contains multiple entries for topic ${t.name}.`);
          validateTopicName(t.name);
          if (this.d.ctx.hasTopic(t.name)) throw new ControllerApiError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
          const collides = collidingTopic(t.name, this.d.ctx.allTopics());
          if (collides !== undefined) throw new ControllerApiError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${t.name}' collides with existing topic: ${collides}`);
          const nullConfigs = t.configs.filter((c) => c.value === null).map((c) => c.name);
          if (nullConfigs.length > 0) throw new ControllerApiError(ErrorCode.INVALID_REQUEST, `Null value not supported for topic configs : ${nullConfigs.join(',')}`);
          let assignment: Map<number, number[]>;
          if (t.assignments.length > 0) {
            if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
              throw new ControllerApiError(ErrorCode.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.');
            }
            assignment = new Map();
            for (const a of t.assignments) {
              if (assignment.has(a.partitionIndex)) throw new ControllerApiError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Partition ${a.partitionIndex} is assigned twice.`);
              assignment.set(a.partitionIndex, [...a.brokerIds]);
            }
            validateManualAssignment(assignment, new Set(this.d.ctx.liveBrokers.keys()));
          } else {
            const np = t.numPartitions === -1 ? this.d.config.numPartitions : t.numPartitions;
            const rf = t.replicationFactor === -1 ? this.d.config.defaultReplicationFactor : t.replicationFactor;
            assignment = assignReplicasToBrokers(np, rf, this.brokerRacks());
          }
          const config: Record<string, string> = {};
          for (const c of t.configs) if (c.value !== null) config[c.name] = c.value;
          // Kafka's LogConfig.validate, after the assignment as in AdminZkClient.validateTopicCreate; a value that does
          // not parse is a ConfigException there, which CreateTopics also answers with INVALID_CONFIG.
          const configProblem = checkTopicConfigs(config);
          if (configProblem) throw new ControllerApiError(ErrorCode.INVALID_CONFIG, configProblem.message);
          const numPartitions = assignment.size;
          const replicationFactor = assignment.get(0)?.length ?? -1;
          if (hasCollisionChars(t.name)) this.d.log.warn({ topic: t.name }, "topic names with '.' or '_' could collide in metric names");
          let topicId = ZERO_UUID;
          if (!opts.validateOnly) {
            try {
              topicId = await this.d.zk.createTopic(t.name, assignment, config);
            } catch (err) {
              if (isTopicAlreadyExists(err)) throw new ControllerApiError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
              throw err;
            }
            created.push({ name: t.name, partitions: numPartitions });
            this.d.log.info({ topic: t.name, topicId, partitions: numPartitions, replicationFactor }, 'topic created');
          }
          out.push({ name: t.name, topicId, errorCode: ErrorCode.NONE, errorMessage: null, numPartitions, replicationFactor });
        } catch (err) {
          const e = AdminManager.apiError(err);
          out.push(failed(e.errorCode, e.errorMessage));
        }
      }
      return out;
    }, notController);
    return this.awaitOnline(results, created, opts.timeoutMs, (r, outcome) =>
      outcome === 'timeout'
        ? { ...r, errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: 'Timed out waiting for the topic partitions to get leaders.' }
        : { ...r, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'The controller moved while the topic was being created.' },
    );
  }

  async deleteTopics(names: readonly string[], timeoutMs: number): Promise<TopicErrorResult[]> {
    const notController = (): TopicErrorResult[] => names.map((name) => ({ name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null }));
    const pending: string[] = [];
    const results = await this.d.requests.call('deleteTopics', async () => {
      const out: TopicErrorResult[] = [];
      for (const name of names) {
        if (!this.d.config.deleteTopicEnable) {
          out.push({ name, errorCode: ErrorCode.TOPIC_DELETION_DISABLED, errorMessage: 'Topic deletion is disabled.' });
        } else if (!this.d.ctx.hasTopic(name)) {
          out.push({ name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.' });
        } else {
          if (!this.d.ctx.isTopicQueuedUpForDeletion(name)) await this.d.zk.requestTopicDeletion(name);
          pending.push(name);
          out.push({ name, errorCode: ErrorCode.NONE, errorMessage: null });
        }
      }
      return out;
    }, notController);
    if (pending.length === 0 || timeoutMs <= 0) return results;
    const gone = (n: string): boolean => !this.d.ctx.hasTopic(n);
    const outcome = await this.d.requests.waitFor(() => pending.every(gone), timeoutMs);
    if (outcome === 'done') return results;
    return results.map((r) =>
      pending.includes(r.name) && !gone(r.name)
        ? { ...r, errorCode: outcome === 'timeout' ? ErrorCode.REQUEST_TIMED_OUT : ErrorCode.NOT_CONTROLLER, errorMessage: 'Topic deletion did not complete in time.' }
        : r,
    );
  }

  async createPartitions(topics: readonly CreatePartitionsTopic[], opts: { validateOnly: boolean; timeoutMs: number }): Promise<TopicErrorResult[]> {
    const notController = (): TopicErrorResult[] => topics.map((t) => ({ name: t.name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null }));
    const grown: Array<{ name: string; partitions: number }> = [];
    const results = await this.d.requests.call('createPartitions', async () => {
      const out: TopicErrorResult[] = [];
      for (const t of topics) {
        try {
          const ctx = this.d.ctx;
          if (!ctx.hasTopic(t.name)) throw new ControllerApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${t.name}' does not exist.`);
          if (ctx.isTopicQueuedUpForDeletion(t.name)) throw new ControllerApiError(ErrorCode.INVALID_TOPIC_EXCEPTION, 'The topic is queued for deletion.');
          const existing = ctx.partitionsForTopic(t.name);
          const oldCount = existing.length;
          if (t.count === oldCount) throw new ControllerApiError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${oldCount} partitions.`);
          if (t.count < oldCount) {
            throw new ControllerApiError(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${oldCount} partitions, which is higher than the requested ${t.count}.`);
          }
          const first = ctx.replicas({ topic: t.name, partition: 0 });
          const rf = first.length;
          const toAdd = t.count - oldCount;
          let added: Map<number, number[]>;
          if (t.assignments !== null) {
            if (t.assignments.length !== toAdd) {
              throw new ControllerApiError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Increasing the number of partitions by ${toAdd} but ${t.assignments.length} assignments provided.`);
            }
            added = new Map(t.assignments.map((a, i) => [oldCount + i, [...a.brokerIds]]));
            validateManualAssignment(added, new Set(ctx.liveBrokers.keys()), { firstPartition: oldCount, replicationFactor: rf });
          } else {
            const brokers = this.brokerRacks().sort((a, b) => a.id - b.id);
            const firstReplica = first[0] ?? 0;
            const startIndex = Math.max(0, brokers.findIndex((b) => b.id >= firstReplica));
            added = assignReplicasToBrokers(toAdd, rf, brokers, { fixedStartIndex: startIndex, startPartitionId: oldCount });
          }
          if (!opts.validateOnly) {
            const full = new Map<number, number[]>(existing.map((tp) => [tp.partition, [...ctx.replicas(tp)]]));
            for (const [p, r] of added) full.set(p, r);
            await this.d.zk.addPartitions(t.name, full);
            grown.push({ name: t.name, partitions: t.count });
          }
          out.push({ name: t.name, errorCode: ErrorCode.NONE, errorMessage: null });
        } catch (err) {
          const e = AdminManager.apiError(err);
          out.push({ name: t.name, ...e });
        }
      }
      return out;
    }, notController);
    return this.awaitOnline(results, grown, opts.timeoutMs, (r, outcome) => ({
      ...r,
      errorCode: outcome === 'timeout' ? ErrorCode.REQUEST_TIMED_OUT : ErrorCode.NOT_CONTROLLER,
      errorMessage: 'New partitions did not get leaders in time.',
    }));
  }

  /** ElectLeaders API (KIP-460): `partitions` null = every partition. */
  electLeaders(partitions: readonly TP[] | null, electionType: ElectionType): Promise<ElectLeadersResult[]> {
    const notController = (): ElectLeadersResult[] =>
      (partitions ?? []).map((tp) => ({ topic: tp.topic, partition: tp.partition, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null }));
    return this.d.requests.call('electLeaders', async () => {
      const ctx = this.d.ctx;
      const asked = partitions ?? ctx.allPartitions();
      const out = new Map<string, ElectLeadersResult>();
      const candidates: TP[] = [];
      const set = (tp: TP, errorCode: number, errorMessage: string | null): void => {
        out.set(tpKey(tp.topic, tp.partition), { topic: tp.topic, partition: tp.partition, errorCode, errorMessage });
      };
      for (const tp of asked) {
        const s = ctx.leaderIsr(tp);
        if (!ctx.assignment(tp) || ctx.isTopicQueuedUpForDeletion(tp.topic)) set(tp, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'The partition does not exist.');
        else if (!s) set(tp, ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, 'The partition has no state yet.');
        else if (electionType === ElectionType.PREFERRED && s.leader === ctx.replicas(tp)[0]) set(tp, ErrorCode.ELECTION_NOT_NEEDED, 'Leader is already the preferred replica.');
        else if (electionType === ElectionType.UNCLEAN && s.leader >= 0 && ctx.isBrokerLive(s.leader)) set(tp, ErrorCode.ELECTION_NOT_NEEDED, 'The partition has a live leader.');
        else candidates.push(tp);
      }
      if (candidates.length > 0) {
        const strategy = electionType === ElectionType.PREFERRED ? ({ kind: 'preferred' } as const) : ({ kind: 'offline', allowUnclean: true } as const);
        const results: Map<string, ElectionResult> = await this.d.psm.handleStateChanges(candidates, 'OnlinePartition', strategy);
        for (const tp of candidates) {
          const r = results.get(tpKey(tp.topic, tp.partition));
          if (r && 'ok' in r) set(tp, ErrorCode.NONE, null);
          else set(tp, r?.errorCode ?? ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, r?.message ?? null);
        }
      }
      return asked.map((tp) => out.get(tpKey(tp.topic, tp.partition))).filter((r): r is ElectLeadersResult => r !== undefined);
    }, notController);
  }

  /** Waits (bounded) until every partition of `topics` has a leader; the answers of topics still without get `late`. */
  private async awaitOnline<R extends { name: string }>(
    results: R[],
    topics: ReadonlyArray<{ name: string; partitions: number }>,
    timeoutMs: number,
    late: (r: R, outcome: 'timeout' | 'resigned') => R,
  ): Promise<R[]> {
    if (topics.length === 0 || timeoutMs <= 0) return results;
    const online = (t: { name: string; partitions: number }): boolean => this.topicFullyOnline(t.name, t.partitions);
    const outcome = await this.d.requests.waitFor(() => topics.every(online), timeoutMs);
    if (outcome === 'done') return results;
    return results.map((r) => (topics.some((t) => t.name === r.name && !online(t)) ? late(r, outcome) : r));
  }

  private topicFullyOnline(topic: string, partitions: number): boolean {
    const tps = this.d.ctx.partitionsForTopic(topic);
    return tps.length >= partitions && tps.every((tp) => this.d.ctx.partitionState(tp) === 'OnlinePartition' && (this.d.ctx.leaderIsr(tp)?.leader ?? -1) >= 0);
  }

  private brokerRacks(): BrokerRack[] {
    return [...this.d.ctx.liveBrokers.values()].map((b) => ({ id: b.registration.id, rack: b.registration.rack }));
  }

  private static apiError(err: unknown): { errorCode: number; errorMessage: string } {
    if (err instanceof ControllerApiError) return { errorCode: err.errorCode, errorMessage: err.message };
    throw err;
  }
}
