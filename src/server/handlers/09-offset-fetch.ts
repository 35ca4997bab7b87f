// OffsetFetch (9): committed offsets of a group (all of them when topics is null, v2+); v8 (KIP-709) asks for many
// groups at once, each answered with its own error.
import { OffsetFetch, type OffsetFetchResponseTopic } from '../../protocol/messages/09-offset-fetch';
import { ErrorCode } from '../../protocol/errors';
import type { FetchedOffset } from '../../coordinator/GroupCoordinator';
import { defineHandler } from './types';
import { authorize, authorizedNames } from './authorize';
import { groupByTopic } from '../../util/types';

type RequestedTopics = readonly { name: string; partitionIndexes: readonly number[] }[] | null;

const wantedPartitions = (topics: RequestedTopics): { topic: string; partition: number }[] | null =>
  topics === null ? null : topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));

const byTopic = (offsets: FetchedOffset[]): OffsetFetchResponseTopic[] =>
  groupByTopic(offsets).map(([name, os]) => ({
    name,
    partitions: os.map((o) => ({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: o.errorCode })),
  }));

export const offsetFetchHandler = defineHandler({
  api: OffsetFetch,
  versions: [0, 8],
  // requireStable (v7+, KIP-447): partitions with a transactional commit awaiting its marker answer
  // UNSTABLE_OFFSET_COMMIT; without it such commits are simply not visible yet.
  handle: (req, ctx) => {
    const gc = ctx.services.groupCoordinator;
    const v = ctx.apiVersion;
    const requireStable = v >= 7 && req.requireStable;
    const mayDescribe = authorizedNames(ctx, 'DESCRIBE', 'TOPIC');
    // Kafka: DESCRIBE on the group, then DESCRIBE on each topic: asked-for partitions of other topics answer
    // TOPIC_AUTHORIZATION_FAILED, and fetching all leaves those topics out.
    const fetch = (groupId: string, topics: RequestedTopics): { errorCode: number; offsets: FetchedOffset[] } => {
      if (!authorize(ctx, 'DESCRIBE', 'GROUP', groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, offsets: [] };
      const wanted = wantedPartitions(topics);
      if (wanted === null) {
        const r = gc.fetchOffsets(groupId, null, requireStable);
        return { errorCode: r.errorCode, offsets: r.offsets.filter((o) => mayDescribe(o.topic)) };
      }
      const allowed = wanted.filter((w) => mayDescribe(w.topic));
      const r = gc.fetchOffsets(groupId, allowed, requireStable);
      const refused = wanted.filter((w) => !mayDescribe(w.topic)).map((w) => ({ ...w, offset: -1n, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED }));
      return { errorCode: r.errorCode, offsets: [...r.offsets, ...refused] };
    };
    if (v >= 8) {
      const groups = req.groups.map((g) => {
        const r = fetch(g.groupId, g.topics);
        return { groupId: g.groupId, topics: r.errorCode === ErrorCode.NONE ? byTopic(r.offsets) : [], errorCode: r.errorCode };
      });
      return { throttleTimeMs: 0, topics: [], errorCode: ErrorCode.NONE, groups };
    }
    const r = fetch(req.groupId, req.topics);
    let offsets = r.offsets;
    if (r.errorCode !== ErrorCode.NONE) {
      // v2+ carry a group-level error; v0-1 repeat it on every requested partition.
      if (v >= 2) return { throttleTimeMs: 0, topics: [], errorCode: r.errorCode, groups: [] };
      offsets = (wantedPartitions(req.topics) ?? []).map((w) => ({ ...w, offset: -1n, leaderEpoch: -1, metadata: '', errorCode: r.errorCode }));
    }
    return { throttleTimeMs: 0, topics: byTopic(offsets), errorCode: ErrorCode.NONE, groups: [] };
  },
});
