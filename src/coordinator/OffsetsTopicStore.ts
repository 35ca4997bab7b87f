// What the coordinator needs from the data path for __consumer_offsets (the lead adapts ReplicaManager to it).

export interface OffsetsTopicStore {
  /**
   * Appends one magic-2 batch to __consumer_offsets-<partition> as leader with acks=-1 semantics and the coordinator's
   * append origin (transactional offset-commit batches are accepted without sequence checks); resolves once the
   * high watermark has passed it (errorCode 0) or with the error code (NOT_LEADER_OR_FOLLOWER,
   * NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT, ...). Must not reject for ordinary failures.
   */
  append(partition: number, batch: Buffer, timeoutMs: number): Promise<{ errorCode: number; baseOffset: bigint }>;
  /**
   * Reads whole batches of __consumer_offsets-<partition> from `fromOffset` (the batch containing it first) up to
   * about `maxBytes`, bounded by the end offset to load to — the leader's log end offset, as Kafka loads — which
   * is returned as `highWatermark`; `records` may be empty when nothing is left.
   */
  read(partition: number, fromOffset: bigint, maxBytes: number): Promise<{ records: Buffer; highWatermark: bigint }>;
  /** The log start offset of the local replica, or null when this broker has no replica of the partition. */
  logStartOffset(partition: number): bigint | null;
}
