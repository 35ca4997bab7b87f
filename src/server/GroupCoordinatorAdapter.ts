// Connects the GroupCoordinator to replication: __consumer_offsets reads/appends through the ReplicaManager
// (leadership changes reach it through CoordinatorLeadershipTracker).
import type { OffsetsTopicStore } from '../coordinator/OffsetsTopicStore';
import { OFFSETS_TOPIC } from '../coordinator/javaHash';
import type { ReplicaManager } from './ReplicaManager';
import { ErrorCode, KafkaError } from '../protocol/errors';

export function replicaManagerOffsetsStore(rm: ReplicaManager): OffsetsTopicStore {
  return {
    // Every coordinator write goes in with the coordinator's origin (Kafka's appendRecords(..., AppendOrigin.Coordinator)):
    // transactional offset commits are accepted without the client's sequence checks.
    async append(partition, batch, timeoutMs) {
      const [r] = await rm.appendRecords(timeoutMs, -1, [{ topic: OFFSETS_TOPIC, partition, records: batch }], 'coordinator');
      return { errorCode: r?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, baseOffset: r?.baseOffset ?? -1n };
    },
    // Loading reads up to the log end offset, as Kafka's GroupMetadataManager does: a new leader's high
    // watermark can lag behind commits that every replica already holds (and that were acknowledged).
    async read(partition, fromOffset, maxBytes) {
      const p = rm.getPartition(OFFSETS_TOPIC, partition);
      if (!p || !p.isLeader) throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `not the leader of ${OFFSETS_TOPIC}-${partition}`);
      const end = p.logEndOffset;
      if (fromOffset >= end) return { records: Buffer.alloc(0), highWatermark: end };
      const r = await p.read(fromOffset, maxBytes, { maxOffset: end });
      return { records: r.records, highWatermark: end };
    },
    logStartOffset(partition) {
      return rm.getPartition(OFFSETS_TOPIC, partition)?.logStartOffset ?? null;
    },
  };
}
