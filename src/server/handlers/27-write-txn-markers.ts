// WriteTxnMarkers (27, KIP-98): a transaction coordinator has a COMMIT or ABORT marker appended to every partition of a
// transaction this broker leads; committed or aborted transactional offset commits then settle in the group
// coordinator (Kafka's KafkaApis.handleWriteTxnMarkersRequest).
import { WriteTxnMarkers, type WriteTxnMarkersRequest, type WriteTxnMarkersResponse } from '../../protocol/messages/27-write-txn-markers';
import { ErrorCode } from '../../protocol/errors';
import { buildEndTxnMarker } from '../../protocol/record/controlRecords';
import { OFFSETS_TOPIC } from '../../coordinator/javaHash';
import type { ProduceEntry } from '../ReplicaManager';
import { defineHandler, type RequestContext } from './types';
import { authorizeCluster } from './authorize';

/**
 * Kafka appends markers with the broker's request.timeout.ms (default 30 s) as the acks=-1 wait; Brook has no such
 * setting, so its default stands. A marker the ISR has not confirmed by then is retried by the coordinator.
 */
export const MARKER_APPEND_TIMEOUT_MS = 30_000;

type Marker = WriteTxnMarkersRequest['markers'][number];
interface PartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
}

/** Kafka's answer to a refused request (WriteTxnMarkersRequest.getErrorResponse): the error for every partition. */
function refuseAll(req: WriteTxnMarkersRequest, errorCode: number): WriteTxnMarkersResponse {
  return {
    markers: req.markers.map((m) => ({
      producerId: m.producerId,
      topics: m.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode })) })),
    })),
  };
}

/**
 * Appends one marker to each of its partitions (acks=-1, as the coordinator: control batches allowed, no sequence
 * checks); partitions without a local replica are UNKNOWN_TOPIC_OR_PARTITION (Kafka's getMagic finds no log), a
 * replica that does not lead answers NOT_LEADER_OR_FOLLOWER from the append, and the log's own refusals (a stale
 * coordinator epoch: TRANSACTION_COORDINATOR_FENCED; a stale producer epoch: INVALID_PRODUCER_EPOCH) come back as
 * they are. Once the append is settled, the __consumer_offsets partitions it reached let the group coordinator
 * apply (commit) or drop (abort) the producer's pending offsets, before the answer.
 */
async function writeMarker(ctx: RequestContext, m: Marker): Promise<PartitionResult[]> {
  const rm = ctx.services.replicaManager;
  const results: PartitionResult[] = [];
  const entries: ProduceEntry[] = [];
  // A partition named twice gets one marker (Kafka keys the appends by partition).
  const seen = new Set<string>();
  for (const t of m.topics) {
    for (const partition of t.partitionIndexes) {
      const key = `${t.name}\u0000${partition}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!rm.getPartition(t.name, partition)) results.push({ topic: t.name, partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
      else {
        // Each partition gets its own batch: the leader assigns the offsets, so the buffers must not be shared.
        const records = buildEndTxnMarker({ producerId: m.producerId, producerEpoch: m.producerEpoch, coordinatorEpoch: m.coordinatorEpoch, commit: m.transactionResult, timestamp: BigInt(Date.now()) });
        entries.push({ topic: t.name, partition, records });
      }
    }
  }
  if (entries.length === 0) return results;
  const appended = await rm.appendRecords(MARKER_APPEND_TIMEOUT_MS, -1, entries, 'coordinator');
  const written = appended.map((r) => ({ topic: r.topic, partition: r.partition, errorCode: r.errorCode }));
  const offsetsPartitions = written.filter((r) => r.topic === OFFSETS_TOPIC && r.errorCode === ErrorCode.NONE);
  if (offsetsPartitions.length > 0) {
    try {
      ctx.services.groupCoordinator.onTransactionCompleted(m.producerId, offsetsPartitions.map((r) => r.partition), m.transactionResult);
    } catch (err) {
      // As Kafka: the marker is in the log but the offsets cache missed it; the coordinator retries the marker.
      ctx.logger.error({ err, producerId: m.producerId.toString() }, 'group coordinator failed to complete a transaction after its marker was written');
      for (const r of offsetsPartitions) r.errorCode = ErrorCode.UNKNOWN_SERVER_ERROR;
    }
  }
  return [...results, ...written];
}

/**
 * The answer per producer id in request order (markers of one producer merge, as Kafka's map by producer id does;
 * a later result for the same partition replaces an earlier one), topics in first-seen order.
 */
function buildResponse(req: WriteTxnMarkersRequest, perMarker: readonly PartitionResult[][]): WriteTxnMarkersResponse {
  const byProducer = new Map<bigint, Map<string, Map<number, number>>>();
  for (const [i, results] of perMarker.entries()) {
    if (results.length === 0) continue;
    const producerId = (req.markers[i] as Marker).producerId;
    let topics = byProducer.get(producerId);
    if (!topics) byProducer.set(producerId, (topics = new Map()));
    for (const r of results) {
      let partitions = topics.get(r.topic);
      if (!partitions) topics.set(r.topic, (partitions = new Map()));
      partitions.set(r.partition, r.errorCode);
    }
  }
  return {
    markers: [...byProducer].map(([producerId, topics]) => ({
      producerId,
      topics: [...topics].map(([name, partitions]) => ({ name, partitions: [...partitions].map(([partitionIndex, errorCode]) => ({ partitionIndex, errorCode })) })),
    })),
  };
}

export const writeTxnMarkersHandler = defineHandler({
  api: WriteTxnMarkers,
  // v1 is v0 flexible (KIP-482).
  versions: [0, 1],
  handle: async (req, ctx) => {
    // Only brokers (the transaction coordinator) write markers: CLUSTER_ACTION, as for the other inter-broker APIs.
    if (!authorizeCluster(ctx, 'cluster-action')) return refuseAll(req, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    // Every marker's append starts now, in request order (so markers for one partition land in that order), and the
    // answer waits for all of them.
    const perMarker = await Promise.all(req.markers.map((m) => writeMarker(ctx, m)));
    return buildResponse(req, perMarker);
  },
});
