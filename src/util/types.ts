// Identifiers shared by every layer: branded ids, and the one topic-partition key with its group-by-topic helper.

declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type PartitionId = Brand<number, 'PartitionId'>;
export type LeaderEpoch = Brand<number, 'LeaderEpoch'>;
export type ControllerEpoch = Brand<number, 'ControllerEpoch'>;

export const PartitionId = (n: number): PartitionId => n as PartitionId;
export const LeaderEpoch = (n: number): LeaderEpoch => n as LeaderEpoch;
export const ControllerEpoch = (n: number): ControllerEpoch => n as ControllerEpoch;

/**
 * A topic-partition as a map key, printed the Kafka way (`orders-0`, as in Kafka's TopicPartition.toString): it is
 * also what logs and error messages show, so it stays readable.
 */
export const tpKey = (topic: string, partition: number): string => `${topic}-${partition}`;

/**
 * The topic and partition of a `tpKey`. A partition number holds no '-', so the last one separates them even when
 * the topic name has some (partitions are never negative: they are checked against metadata before use).
 */
export function parseTpKey(key: string): { topic: string; partition: number } {
  const i = key.lastIndexOf('-');
  return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
}

/** Groups per-partition items by topic, keeping first-seen topic order (responses list each topic once). */
export function groupByTopic<T extends { readonly topic: string }>(items: Iterable<T>): Array<[string, T[]]> {
  const m = new Map<string, T[]>();
  for (const i of items) {
    const l = m.get(i.topic);
    if (l) l.push(i);
    else m.set(i.topic, [i]);
  }
  return [...m];
}
