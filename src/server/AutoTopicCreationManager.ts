// Creates topics on first Metadata request (auto.create.topics.enable), through ZooKeeper as Kafka 2.8 does.
import { isTopicAlreadyExists, type KafkaZkApi } from '../zk/api';
import type { MetadataCache } from './MetadataCache';
import type { Logger } from '../util/logger';
import { ErrorCode } from '../protocol/errors';
import { assignReplicasToBrokers, validateTopicName } from '../controller/ReplicaAssignment';
import { ControllerApiError } from '../controller/errors';

export interface AutoTopicCreationConfig {
  numPartitions: number;
  defaultReplicationFactor: number;
}

export class AutoTopicCreationManager {
  constructor(
    private readonly zk: KafkaZkApi,
    private readonly cache: MetadataCache,
    private readonly config: AutoTopicCreationConfig,
    private readonly logger: Logger,
  ) {}

  /**
   * Starts creating each topic and returns the error code to report for it right now: LEADER_NOT_AVAILABLE
   * while the controller elects leaders (clients retry), or the reason creation is impossible.
   */
  async createTopics(names: string[], overrides: Map<string, { numPartitions: number; replicationFactor: number; config: Record<string, string> }> = new Map()): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const brokers = this.cache.aliveBrokers().map((b) => ({ id: b.id, rack: b.rack }));
    await Promise.all(names.map(async (name) => {
      try {
        validateTopicName(name);
        const o = overrides.get(name);
        const partitions = o?.numPartitions ?? this.config.numPartitions;
        const rf = o?.replicationFactor ?? this.config.defaultReplicationFactor;
        const assignment = assignReplicasToBrokers(partitions, rf, brokers);
        await this.zk.createTopic(name, assignment, o?.config ?? {});
        this.logger.info({ topic: name, partitions, replicationFactor: rf }, 'auto-created topic');
        out.set(name, ErrorCode.LEADER_NOT_AVAILABLE);
      } catch (e) {
        if (e instanceof ControllerApiError) {
          this.logger.info({ topic: name, reason: e.message }, 'cannot auto-create topic');
          out.set(name, e.errorCode);
        } else if (isTopicAlreadyExists(e)) {
          out.set(name, ErrorCode.LEADER_NOT_AVAILABLE); // created concurrently: leaders are on their way
        } else {
          this.logger.warn({ topic: name, err: e }, 'auto-creation failed');
          out.set(name, ErrorCode.UNKNOWN_SERVER_ERROR);
        }
      }
    }));
    return out;
  }
}
