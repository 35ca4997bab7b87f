// /admin: topic deletion requests, the preferred replica election request and the legacy reassignment request.
import type { Unsubscribe } from './api';
import type { KafkaZkCore } from './KafkaZkCore';
import { NoNodeError, NodeExistsError } from './ZkClient';
import { ConfigEntityZNode, DeleteTopicsTopicZNode, DeleteTopicsZNode, PreferredReplicaElectionZNode, ReassignPartitionsZNode, TopicZNode } from './znodes';

export class AdminZk {
  constructor(private readonly c: KafkaZkCore) {}

  async requestTopicDeletion(topic: string): Promise<void> {
    try {
      await this.c.zk.create(DeleteTopicsTopicZNode.path(topic));
    } catch (e) {
      if (e instanceof NodeExistsError) return;
      if (!(e instanceof NoNodeError)) throw e;
      await this.c.zk.createRecursive(DeleteTopicsTopicZNode.path(topic));
    }
  }

  async getTopicDeletions(): Promise<string[]> {
    try {
      return (await this.c.zk.getChildren(DeleteTopicsZNode.path)).sort();
    } catch (e) {
      if (e instanceof NoNodeError) return [];
      throw e;
    }
  }

  onTopicDeletionsChange(cb: () => void): Unsubscribe {
    return this.c.subscribe('children', DeleteTopicsZNode.path, cb);
  }

  async deleteTopicZNodes(topic: string, controllerEpochZkVersion: number): Promise<void> {
    // Kafka's order: the assignment (so the topic is gone), then its config, then the deletion request.
    await this.c.fencedDeleteRecursive(TopicZNode.path(topic), controllerEpochZkVersion);
    await this.c.fencedDeleteIfExists(ConfigEntityZNode.path('topics', topic), controllerEpochZkVersion);
    await this.c.fencedDeleteIfExists(DeleteTopicsTopicZNode.path(topic), controllerEpochZkVersion);
  }

  async getPreferredReplicaElection(): Promise<Array<{ topic: string; partition: number }> | null> {
    const r = await this.c.getDataIfExists(PreferredReplicaElectionZNode.path);
    return r && PreferredReplicaElectionZNode.decode(r.data);
  }

  onPreferredReplicaElection(cb: () => void): Unsubscribe {
    return this.c.subscribe('exists', PreferredReplicaElectionZNode.path, cb);
  }

  deletePreferredReplicaElection(controllerEpochZkVersion: number): Promise<void> {
    return this.c.fencedDeleteIfExists(PreferredReplicaElectionZNode.path, controllerEpochZkVersion);
  }

  async getPartitionReassignment(): Promise<Map<string, number[]> | null> {
    const r = await this.c.getDataIfExists(ReassignPartitionsZNode.path);
    return r && ReassignPartitionsZNode.decode(r.data);
  }

  onPartitionReassignment(cb: () => void): Unsubscribe {
    return this.c.subscribe('exists', ReassignPartitionsZNode.path, cb);
  }

  deletePartitionReassignment(controllerEpochZkVersion: number): Promise<void> {
    return this.c.fencedDeleteIfExists(ReassignPartitionsZNode.path, controllerEpochZkVersion);
  }
}
