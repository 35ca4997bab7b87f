// /brokers/topics/<t> and its partitions/<p>/state: topic assignments and partition leader/ISR state.
import {
  ControllerMovedError,
  TopicAlreadyExistsError,
  ZkVersionMismatchError,
  type LeaderIsrState,
  type TopicAssignment,
  type Unsubscribe,
} from './api';
import type { ConfigZk } from './ConfigZk';
import { type KafkaZkCore } from './KafkaZkCore';
import { tpKey as key } from '../util/types';
import { randomUuid } from '../util/uuid';
import { BadVersionError, NoNodeError, NodeExistsError } from './ZkClient';
import { TopicPartitionStateZNode, TopicPartitionZNode, TopicPartitionsZNode, TopicZNode } from './znodes';

export class TopicZk {
  constructor(
    private readonly c: KafkaZkCore,
    private readonly configs: ConfigZk,
  ) {}

  async getAllTopics(): Promise<string[]> {
    try {
      return (await this.c.zk.getChildren('/brokers/topics')).sort();
    } catch (e) {
      if (e instanceof NoNodeError) return [];
      throw e;
    }
  }

  onTopicsChange(cb: () => void): Unsubscribe {
    return this.c.subscribe('children', '/brokers/topics', cb);
  }

  async getTopicAssignment(topic: string): Promise<TopicAssignment | null> {
    const r = await this.c.getDataIfExists(TopicZNode.path(topic));
    return r && { ...TopicZNode.decode(topic, r.data), zkVersion: r.stat.version };
  }

  async getTopicAssignments(topics: string[]): Promise<Map<string, TopicAssignment>> {
    const all = await Promise.all(topics.map(async (t) => [t, await this.getTopicAssignment(t)] as const));
    const out = new Map<string, TopicAssignment>();
    for (const [t, a] of all) if (a) out.set(t, a);
    return out;
  }

  onTopicAssignmentChange(topic: string, cb: () => void): Unsubscribe {
    return this.c.subscribe('exists', TopicZNode.path(topic), cb);
  }

  /**
   * As Kafka's AdminZkClient: topic config first, then the assignment with a new topic id, whose creation is the
   * commit point. Returns the topic id.
   */
  async createTopic(topic: string, assignment: Map<number, number[]>, config: Record<string, string>): Promise<string> {
    if (await this.c.zk.exists(TopicZNode.path(topic))) throw new TopicAlreadyExistsError(topic);
    await this.configs.writeEntityConfig('topics', topic, config);
    const topicId = randomUuid();
    const data = TopicZNode.encode({ partitions: assignment, addingReplicas: new Map(), removingReplicas: new Map(), topicId });
    try {
      await this.c.zk.create(TopicZNode.path(topic), data);
    } catch (e) {
      if (e instanceof NodeExistsError) throw new TopicAlreadyExistsError(topic);
      if (!(e instanceof NoNodeError)) throw e;
      await this.c.zk.createRecursive('/brokers/topics');
      try {
        await this.c.zk.create(TopicZNode.path(topic), data);
      } catch (e2) {
        if (e2 instanceof NodeExistsError) throw new TopicAlreadyExistsError(topic);
        throw e2;
      }
    }
    return topicId;
  }

  async addPartitions(topic: string, fullAssignment: Map<number, number[]>, expectedZkVersion?: number): Promise<void> {
    const current = await this.getTopicAssignment(topic);
    if (!current) throw new NoNodeError(-101, 'NO_NODE', TopicZNode.path(topic));
    // Existing partitions keep their replicas (and any reassignment in progress); only new ones are added.
    const partitions = new Map(current.partitions);
    for (const [p, replicas] of fullAssignment) if (!partitions.has(p)) partitions.set(p, replicas);
    const sorted = new Map([...partitions].sort((a, b) => a[0] - b[0]));
    const version = expectedZkVersion ?? current.zkVersion ?? -1;
    try {
      await this.c.zk.setData(
        TopicZNode.path(topic),
        TopicZNode.encode({ ...current, partitions: sorted }),
        version,
      );
    } catch (e) {
      if (e instanceof BadVersionError) throw new ZkVersionMismatchError(TopicZNode.path(topic));
      throw e;
    }
  }

  async setTopicAssignment(topic: string, assignment: TopicAssignment, controllerEpochZkVersion: number): Promise<void> {
    await this.c.fencedMulti(controllerEpochZkVersion, [
      { type: 'setData', path: TopicZNode.path(topic), data: TopicZNode.encode(assignment), version: -1 },
    ]);
  }

  /**
   * Kafka's setTopicIds, but each write is conditional on the zkVersion just read (re-read on a race), so a partition
   * addition written meanwhile by an admin path is not overwritten.
   */
  async assignTopicIds(topics: string[], controllerEpochZkVersion: number): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    await Promise.all(
      topics.map(async (topic) => {
        for (;;) {
          const current = await this.getTopicAssignment(topic);
          if (!current) return;
          if (current.topicId) {
            out.set(topic, current.topicId);
            return;
          }
          const topicId = randomUuid();
          const data = TopicZNode.encode({ ...current, topicId });
          try {
            await this.c.fencedMulti(controllerEpochZkVersion, [{ type: 'setData', path: TopicZNode.path(topic), data, version: current.zkVersion ?? -1 }]);
            out.set(topic, topicId);
            return;
          } catch (e) {
            if (e instanceof BadVersionError) continue;
            if (e instanceof NoNodeError) return;
            throw e;
          }
        }
      }),
    );
    return out;
  }


  async getPartitionStates(partitions: Array<{ topic: string; partition: number }>): Promise<Map<string, LeaderIsrState>> {
    const read = await Promise.all(
      partitions.map(async ({ topic, partition }) => {
        try {
          const { data, stat } = await this.c.zk.getData(TopicPartitionStateZNode.path(topic, partition));
          return [key(topic, partition), TopicPartitionStateZNode.decode(topic, partition, data, stat.version)] as const;
        } catch (e) {
          if (e instanceof NoNodeError) return null;
          throw e;
        }
      }),
    );
    const out = new Map<string, LeaderIsrState>();
    for (const r of read) if (r) out.set(r[0], r[1]);
    return out;
  }

  /**
   * One fenced multi per partition, all sent at once (ZooKeeper pipelines them on the session), creating
   * .../partitions/<p> and its state. A partition whose state already exists gets a NodeExistsError.
   */
  async createPartitionStates(
    states: Array<{ topic: string; partition: number; state: Omit<LeaderIsrState, 'zkVersion'> }>,
    controllerEpochZkVersion: number,
  ): Promise<Map<string, LeaderIsrState | Error>> {
    const topics = [...new Set(states.map((s) => s.topic))];
    // A topic whose /brokers/topics/<t> is missing (deleted meanwhile) fails for each of its partitions.
    const topicErrors = new Map<string, Error>();
    await Promise.all(
      topics.map(async (t) => {
        try {
          await this.c.fencedMulti(controllerEpochZkVersion, [{ type: 'create', path: TopicPartitionsZNode.path(t) }]);
        } catch (e) {
          if (e instanceof NoNodeError) topicErrors.set(t, e);
          else if (!(e instanceof NodeExistsError)) throw e;
        }
      }),
    );
    const results = await Promise.all(
      states.map(async ({ topic, partition, state }): Promise<readonly [string, LeaderIsrState | Error]> => {
        const topicError = topicErrors.get(topic);
        if (topicError) return [key(topic, partition), topicError];
        const statePath = TopicPartitionStateZNode.path(topic, partition);
        const data = TopicPartitionStateZNode.encode(state);
        const created = { ...state, zkVersion: 0 };
        try {
          await this.c.fencedMulti(controllerEpochZkVersion, [
            { type: 'create', path: TopicPartitionZNode.path(topic, partition) },
            { type: 'create', path: statePath, data },
          ]);
          return [key(topic, partition), created];
        } catch (e) {
          if (!(e instanceof NodeExistsError) || e.opIndex !== 0) {
            if (e instanceof ControllerMovedError) throw e;
            return [key(topic, partition), e as Error];
          }
        }
        // The partition znode existed (e.g. a half-finished earlier attempt): create just the state.
        try {
          await this.c.fencedMulti(controllerEpochZkVersion, [{ type: 'create', path: statePath, data }]);
          return [key(topic, partition), created];
        } catch (e) {
          if (e instanceof ControllerMovedError) throw e;
          return [key(topic, partition), e as Error];
        }
      }),
    );
    return new Map(results);
  }

  async updatePartitionStates(
    updates: Array<{ topic: string; partition: number; state: LeaderIsrState }>,
    controllerEpochZkVersion: number,
  ): Promise<Map<string, LeaderIsrState | Error>> {
    const results = await Promise.all(
      updates.map(async ({ topic, partition, state }): Promise<readonly [string, LeaderIsrState | Error]> => {
        const path = TopicPartitionStateZNode.path(topic, partition);
        try {
          const r = await this.c.fencedMulti(controllerEpochZkVersion, [
            { type: 'setData', path, data: TopicPartitionStateZNode.encode(state), version: state.zkVersion },
          ]);
          const set = r[1];
          const zkVersion = set && set.type === 'setData' ? set.stat.version : state.zkVersion + 1;
          return [key(topic, partition), { ...state, zkVersion }];
        } catch (e) {
          if (e instanceof ControllerMovedError) throw e;
          if (e instanceof BadVersionError) return [key(topic, partition), new ZkVersionMismatchError(path)];
          return [key(topic, partition), e as Error];
        }
      }),
    );
    return new Map(results);
  }
}
