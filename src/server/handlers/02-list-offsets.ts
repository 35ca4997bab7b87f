// ListOffsets (2): earliest (-2), latest (-1, isolation-aware), largest timestamp (-3, v7+) and by-timestamp lookups on
// partition leaders; v0 answers Kafka's legacy list of segment offsets instead.
import { ListOffsets, type ListOffsetsResponse } from '../../protocol/messages/02-list-offsets';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorizeTopic } from './authorize';
import { MAX_TIMESTAMP, type ListOffsetResult } from '../ReplicaManager';

const CONSUMER_REPLICA_ID = -1;

export const listOffsetsHandler = defineHandler({
  api: ListOffsets,
  versions: [0, 7],
  handle: async (req, ctx) => {
    const rm = ctx.services.replicaManager;
    // Only consumers are bounded (read_uncommitted by the HW, read_committed by the LSO; before v2 there is no
    // isolation level and consumers read uncommitted); replicas and debugging tools see the LEO.
    const isolation = req.replicaId === CONSUMER_REPLICA_ID ? (ctx.apiVersion >= 2 ? req.isolationLevel : 0) : null;
    const topics: ListOffsetsResponse['topics'] = [];
    for (const t of req.topics) {
      const partitions: ListOffsetsResponse['topics'][number]['partitions'] = [];
      for (const p of t.partitions) {
        if (ctx.apiVersion === 0) {
          const r = authorizeTopic(ctx, t.name, 'describe')
            ? rm.legacyFetchOffsetsForTimestamp(t.name, p.partitionIndex, p.timestamp, p.maxNumOffsets, req.replicaId)
            : { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, offsets: [] };
          partitions.push({ partitionIndex: p.partitionIndex, errorCode: r.errorCode, oldStyleOffsets: r.offsets, timestamp: -1n, offset: -1n, leaderEpoch: -1 });
          continue;
        }
        const refuse = (errorCode: number): ListOffsetResult => ({ errorCode, timestamp: -1n, offset: -1n, leaderEpoch: -1 });
        // MAX_TIMESTAMP arrived with v7 (KIP-734): older versions refuse -3 like any other negative timestamp.
        const r = !authorizeTopic(ctx, t.name, 'describe')
          ? refuse(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
          : p.timestamp === MAX_TIMESTAMP && ctx.apiVersion < 7
            ? refuse(ErrorCode.INVALID_REQUEST)
            : await rm.fetchOffsetForTimestamp(t.name, p.partitionIndex, p.timestamp, isolation, p.currentLeaderEpoch, req.replicaId);
        partitions.push({
          partitionIndex: p.partitionIndex,
          errorCode: r.errorCode,
          oldStyleOffsets: [],
          timestamp: r.timestamp,
          offset: r.offset,
          leaderEpoch: r.leaderEpoch,
        });
      }
      topics.push({ name: t.name, partitions });
    }
    return { throttleTimeMs: 0, topics };
  },
});
