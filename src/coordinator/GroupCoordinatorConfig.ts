// The group coordinator's settings under Kafka's property names, and their defaults.

export interface GroupCoordinatorConfig {
  /** offsets.topic.num.partitions */
  offsetsTopicNumPartitions: number;
  /** offsets.commit.timeout.ms */
  offsetsCommitTimeoutMs: number;
  /** offsets.retention.minutes (in ms here) */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes */
  offsetMetadataMaxBytes: number;
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;
  groupInitialRebalanceDelayMs: number;
  groupMaxSize: number;
}

export const DEFAULT_GROUP_COORDINATOR_CONFIG: GroupCoordinatorConfig = {
  offsetsTopicNumPartitions: 50,
  offsetsCommitTimeoutMs: 5000,
  offsetsRetentionMs: 10080 * 60 * 1000,
  offsetsRetentionCheckIntervalMs: 600000,
  offsetMetadataMaxBytes: 4096,
  groupMinSessionTimeoutMs: 6000,
  groupMaxSessionTimeoutMs: 1800000,
  groupInitialRebalanceDelayMs: 3000,
  groupMaxSize: 2147483647,
};

/** Reads the coordinator's settings from broker config (Kafka's property names). */
export function groupCoordinatorConfigFrom(get: (name: string) => unknown): GroupCoordinatorConfig {
  const num = (name: string, fallback: number): number => {
    const v = get(name);
    return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : fallback;
  };
  const d = DEFAULT_GROUP_COORDINATOR_CONFIG;
  return {
    offsetsTopicNumPartitions: num('offsets.topic.num.partitions', d.offsetsTopicNumPartitions),
    offsetsCommitTimeoutMs: num('offsets.commit.timeout.ms', d.offsetsCommitTimeoutMs),
    offsetsRetentionMs: num('offsets.retention.minutes', d.offsetsRetentionMs / 60000) * 60000,
    offsetsRetentionCheckIntervalMs: num('offsets.retention.check.interval.ms', d.offsetsRetentionCheckIntervalMs),
    offsetMetadataMaxBytes: num('offset.metadata.max.bytes', d.offsetMetadataMaxBytes),
    groupMinSessionTimeoutMs: num('group.min.session.timeout.ms', d.groupMinSessionTimeoutMs),
    groupMaxSessionTimeoutMs: num('group.max.session.timeout.ms', d.groupMaxSessionTimeoutMs),
    groupInitialRebalanceDelayMs: num('group.initial.rebalance.delay.ms', d.groupInitialRebalanceDelayMs),
    groupMaxSize: num('group.max.size', d.groupMaxSize),
  };
}
