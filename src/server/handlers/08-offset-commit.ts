// OffsetCommit (8): answered once the commit is written to __consumer_offsets with acks=-1.
import { OffsetCommit } from '../../protocol/messages/08-offset-commit';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorize } from './authorize';
import { refuseAll, triageCommits } from './offsetCommitParts';

export const offsetCommitHandler = defineHandler({
  api: OffsetCommit,
  versions: [0, 8],
  handle: async (req, ctx) => {
    const gc = ctx.services.groupCoordinator;
    const v = ctx.apiVersion;
    // Kafka: READ on the group (else every partition answers GROUP_AUTHORIZATION_FAILED), then READ on each topic.
    if (!authorize(ctx, 'READ', 'GROUP', req.groupId)) return { throttleTimeMs: 0, topics: refuseAll(req.topics, ErrorCode.GROUP_AUTHORIZATION_FAILED) };
    const { entries, answer } = triageCommits(ctx, req.topics, v >= 6);
    let results: number[] = [];
    if (entries.length > 0) {
      results = await gc.commitOffsets({
        groupId: req.groupId,
        memberId: v >= 1 ? req.memberId : '',
        groupInstanceId: v >= 7 ? req.groupInstanceId : null,
        generationId: v >= 1 ? req.generationId : -1,
        retentionTimeMs: v >= 2 && v <= 4 ? req.retentionTimeMs : -1n,
        offsets: entries,
      });
    }
    return { throttleTimeMs: 0, topics: answer(results) };
  },
});
