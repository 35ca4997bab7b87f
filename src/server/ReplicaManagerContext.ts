// What the parts of the ReplicaManager (state changes, produce, fetch, offsets) share: the partition registry,
// purgatories, fetcher and ISR managers and the topic config cache, all owned by the ReplicaManager.
import { KafkaError } from '../protocol/errors';
import type { LogConfig } from '../log/LogConfig';
import { LogError } from '../log/errors';
import type { Partition } from './Partition';
import type { AlterIsrManager } from './AlterIsrManager';
import type { DelayedOperationPurgatory } from './purgatory/DelayedOperationPurgatory';
import type { DelayedProduce } from './purgatory/DelayedProduce';
import type { DelayedFetch } from './purgatory/DelayedFetch';
import type { ReplicaFetcherManager } from './fetcher/ReplicaFetcherManager';
import type { BrokerTopicStats } from './metrics/BrokerTopicStats';
import type { Logger } from '../util/logger';
import type { ReplicaManagerOptions } from './ReplicaManager';
import { mapErrorToCode } from './errorMapping';

/** The ReplicaManager's state as its parts see it; built once by the ReplicaManager, which stays the only owner. */
export interface ReplicaManagerContext {
  readonly opts: ReplicaManagerOptions;
  readonly logger: Logger;
  readonly clock: { now(): number };
  readonly replicaLagTimeMaxMs: number;
  /** Hosted partitions by tpKey. */
  readonly partitions: Map<string, Partition>;
  readonly alterIsrManager: AlterIsrManager;
  readonly fetcherManager: ReplicaFetcherManager;
  readonly producePurgatory: DelayedOperationPurgatory<DelayedProduce>;
  readonly fetchPurgatory: DelayedOperationPurgatory<DelayedFetch>;
  /** Produce, fetch and ISR counters for the metrics endpoint. */
  readonly stats: BrokerTopicStats;
  getPartition(topic: string, partition: number): Partition | undefined;
  allPartitions(): Partition[];
  /** The error for a partition this broker does not host: NOT_LEADER_OR_FOLLOWER if the cluster knows it. */
  notHostedError(topic: string, partition: number): number;
  /** Re-checks the parked produces and fetches watching `key`. */
  completeDelayed(key: string): void;
  isStopped(): boolean;
  /** The topic's config, from the cache or ZooKeeper; throws when it cannot be read. */
  logConfigFor(topic: string): Promise<LogConfig>;
  invalidateTopicConfig(topic: string): void;
  notifyLeadership(p: Partition, isLeader: boolean): void;
}

/** Storage errors carry Kafka codes; anything else is UNKNOWN_SERVER_ERROR (logged by the caller). */
export function mapLogError(err: unknown): number {
  if (err instanceof KafkaError || err instanceof LogError) return err.code;
  return mapErrorToCode(err);
}
