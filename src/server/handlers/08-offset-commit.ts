// OffsetCommit (8): answered once the commit is written to __consumer_offsets with acks=-1.
import { OffsetCommit } from '../../protocol/messages/08-offset-commit';
import { ErrorCode } from '../../protocol/errors';
import type { OffsetCommitEntry } from '../../coordinator/GroupCoordinator';
import { defineHandler } from './types';
import { authorize, authorizedNames } from './authorize';

export const offsetCommitHandler = defineHandler({
  api: OffsetCommit,
  versions: [0, 8],
  handle: async (req, ctx) => {
    const gc = ctx.services.groupCoordinator;
    const v = ctx.apiVersion;
    // Kafka: READ on the group (else every partition answers GROUP_AUTHORIZATION_FAILED), then READ on each topic.
    if (!authorize(ctx, 'READ', 'GROUP', req.groupId)) {
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED })) })),
      };
    }
    const mayRead = authorizedNames(ctx, 'READ', 'TOPIC');
    // Partitions the cluster does not know are refused before anything is written (as Kafka does).
    const known: OffsetCommitEntry[] = [];
    const codes = req.topics.map((t) =>
      t.partitions.map((p) => {
        if (!mayRead(t.name)) return ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        if (!ctx.metadataCache.getPartition(t.name, p.partitionIndex)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        known.push({
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: v >= 6 ? p.committedLeaderEpoch : -1,
          metadata: p.committedMetadata,
        });
        return -999; // placeholder for the coordinator's answer
      }),
    );
    let results: number[] = [];
    if (known.length > 0) {
      results = await gc.commitOffsets({
        groupId: req.groupId,
        memberId: v >= 1 ? req.memberId : '',
        groupInstanceId: v >= 7 ? req.groupInstanceId : null,
        generationId: v >= 1 ? req.generationId : -1,
        retentionTimeMs: v >= 2 && v <= 4 ? req.retentionTimeMs : -1n,
        offsets: known,
      });
    }
    let next = 0;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t, ti) => ({
        name: t.name,
        partitions: t.partitions.map((p, pi) => {
          const c = codes[ti]?.[pi] ?? ErrorCode.UNKNOWN_SERVER_ERROR;
          return { partitionIndex: p.partitionIndex, errorCode: c === -999 ? (results[next++] ?? ErrorCode.UNKNOWN_SERVER_ERROR) : c };
        }),
      })),
    };
  },
});
