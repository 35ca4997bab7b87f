// Branded identifiers shared by every layer, so a broker id is never passed where a partition is meant.

declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type TopicName = Brand<string, 'TopicName'>;
export type PartitionId = Brand<number, 'PartitionId'>;
export type BrokerId = Brand<number, 'BrokerId'>;
export type LeaderEpoch = Brand<number, 'LeaderEpoch'>;
export type ControllerEpoch = Brand<number, 'ControllerEpoch'>;

export const TopicName = (s: string): TopicName => s as TopicName;
export const PartitionId = (n: number): PartitionId => n as PartitionId;
export const BrokerId = (n: number): BrokerId => n as BrokerId;
export const LeaderEpoch = (n: number): LeaderEpoch => n as LeaderEpoch;
export const ControllerEpoch = (n: number): ControllerEpoch => n as ControllerEpoch;

/** A topic-partition pair, printed the Kafka way: `orders-0`. */
export interface TopicPartition {
  readonly topic: TopicName;
  readonly partition: PartitionId;
}
export const tpKey = (topic: string, partition: number): string => `${topic}-${partition}`;
