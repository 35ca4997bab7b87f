// OffsetFetch (9), v0-5: committed offsets of a group (all of them when topics is null, v2+).
import { OffsetFetch, type OffsetFetchResponseTopic } from '../../protocol/messages/09-offset-fetch';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { groupByTopic } from '../../util/types';

export const offsetFetchHandler = defineHandler({
  api: OffsetFetch,
  versions: [0, 5],
  handle: (req, ctx) => {
    const gc = ctx.services.groupCoordinator;
    const v = ctx.apiVersion;
    const wanted = req.topics === null ? null : req.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
    const r = gc.fetchOffsets(req.groupId, wanted);
    let offsets = r.offsets;
    if (r.errorCode !== ErrorCode.NONE) {
      // v2+ carry a group-level error; v0-1 repeat it on every requested partition.
      if (v >= 2) return { throttleTimeMs: 0, topics: [], errorCode: r.errorCode };
      offsets = (wanted ?? []).map((w) => ({ ...w, offset: -1n, leaderEpoch: -1, metadata: '', errorCode: r.errorCode }));
    }
    const topics = groupByTopic(offsets).map(([name, os]): OffsetFetchResponseTopic => ({
      name,
      partitions: os.map((o) => ({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: o.errorCode })),
    }));
    return { throttleTimeMs: 0, topics, errorCode: ErrorCode.NONE };
  },
});
