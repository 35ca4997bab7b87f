// What OffsetCommit (8) and TxnOffsetCommit (28) share: refusing every partition, sorting the request's partitions
// into those the coordinator writes and those answered at once (no READ on the topic, unknown partition), and
// putting the coordinator's answers back in request order.
import { ErrorCode } from '../../protocol/errors';
import type { OffsetCommitEntry } from '../../coordinator/GroupCoordinator';
import type { RequestContext } from './types';
import { authorizedNames } from './authorize';

interface CommitTopic<P> {
  name: string;
  partitions: readonly P[];
}

interface CommitPartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  committedMetadata: string | null;
}

type Answer = { name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> };

/** The coordinator's answer goes where a partition holds this. */
const TO_COORDINATOR = -999;

/** Every partition answered with one error (a refused group or transactional id). */
export function refuseAll(topics: readonly CommitTopic<{ partitionIndex: number }>[], errorCode: number): Answer[] {
  return topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) }));
}

/**
 * READ on each topic, then the partition must exist (Kafka answers an unknown one UNKNOWN_TOPIC_OR_PARTITION and does
 * not write it). Returns the entries for the coordinator and a function that builds the answer from its results.
 */
export function triageCommits(ctx: RequestContext, topics: readonly CommitTopic<CommitPartition>[], withLeaderEpoch: boolean): {
  entries: OffsetCommitEntry[];
  answer: (results: readonly number[], mapCode?: (code: number) => number) => Answer[];
} {
  const mayRead = authorizedNames(ctx, 'READ', 'TOPIC');
  const entries: OffsetCommitEntry[] = [];
  const codes = topics.map((t) =>
    t.partitions.map((p) => {
      if (!mayRead(t.name)) return ErrorCode.TOPIC_AUTHORIZATION_FAILED;
      if (!ctx.metadataCache.getPartition(t.name, p.partitionIndex)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      entries.push({
        topic: t.name,
        partition: p.partitionIndex,
        offset: p.committedOffset,
        leaderEpoch: withLeaderEpoch ? p.committedLeaderEpoch : -1,
        metadata: p.committedMetadata,
      });
      return TO_COORDINATOR;
    }),
  );
  const answer = (results: readonly number[], mapCode: (code: number) => number = (c) => c): Answer[] => {
    let next = 0;
    return topics.map((t, ti) => ({
      name: t.name,
      partitions: t.partitions.map((p, pi) => {
        const c = codes[ti]?.[pi] ?? ErrorCode.UNKNOWN_SERVER_ERROR;
        return { partitionIndex: p.partitionIndex, errorCode: mapCode(c === TO_COORDINATOR ? (results[next++] ?? ErrorCode.UNKNOWN_SERVER_ERROR) : c) };
      }),
    }));
  };
  return { entries, answer };
}
