// OffsetDelete (47), v0: deletes a group's committed offsets for topics it no longer consumes.
import { OffsetDelete } from '../../protocol/messages/47-offset-delete';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorize, authorizedNames } from './authorize';
import { tpKey } from '../../util/types';

export const offsetDeleteHandler = defineHandler({
  api: OffsetDelete,
  versions: [0, 0],
  handle: async (req, ctx) => {
    const gc = ctx.services.groupCoordinator;
    // Kafka: DELETE on the group (else a group-level GROUP_AUTHORIZATION_FAILED), then READ on each topic.
    if (!authorize(ctx, 'DELETE', 'GROUP', req.groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] };
    const mayRead = authorizedNames(ctx, 'READ', 'TOPIC');
    const known: { topic: string; partition: number }[] = [];
    for (const t of req.topics) {
      if (!mayRead(t.name)) continue;
      for (const p of t.partitions) if (ctx.metadataCache.getPartition(t.name, p.partitionIndex)) known.push({ topic: t.name, partition: p.partitionIndex });
    }
    const r = await gc.deleteOffsets(req.groupId, known);
    if (r.errorCode !== ErrorCode.NONE) return { errorCode: r.errorCode, throttleTimeMs: 0, topics: [] };
    const codes = new Map(known.map((k, i) => [tpKey(k.topic, k.partition), r.results[i] ?? ErrorCode.NONE]));
    return {
      errorCode: ErrorCode.NONE,
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: !mayRead(t.name) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : (codes.get(tpKey(t.name, p.partitionIndex)) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION),
        })),
      })),
    };
  },
});
