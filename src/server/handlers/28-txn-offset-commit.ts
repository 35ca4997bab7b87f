// TxnOffsetCommit (28): a transactional producer's consumer offsets, written to __consumer_offsets as its transactional
// batch and pending until the transaction's marker completes them (Kafka 2.8's KafkaApis.handleTxnOffsetCommitRequest).
import { TxnOffsetCommit } from '../../protocol/messages/28-txn-offset-commit';
import { ErrorCode } from '../../protocol/errors';
import type { OffsetCommitEntry } from '../../coordinator/GroupCoordinator';
import { defineHandler } from './types';
import { authorize, authorizedNames } from './authorize';

const PLACEHOLDER = -999; // the coordinator's answer goes here

export const txnOffsetCommitHandler = defineHandler({
  api: TxnOffsetCommit,
  versions: [0, 3],
  handle: async (req, ctx) => {
    const gc = ctx.services.groupCoordinator;
    const v = ctx.apiVersion;
    // Kafka 2.8: WRITE on the transactional id, then READ on the group (each failing every partition), then READ on
    // each topic.
    const refusal = !authorize(ctx, 'WRITE', 'TRANSACTIONAL_ID', req.transactionalId)
      ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
      : !authorize(ctx, 'READ', 'GROUP', req.groupId) ? ErrorCode.GROUP_AUTHORIZATION_FAILED : null;
    if (refusal !== null) {
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: refusal })) })),
      };
    }
    const mayRead = authorizedNames(ctx, 'READ', 'TOPIC');
    // Partitions the cluster does not know are answered UNKNOWN_TOPIC_OR_PARTITION and not written (as Kafka does).
    const known: OffsetCommitEntry[] = [];
    const codes = req.topics.map((t) =>
      t.partitions.map((p) => {
        if (!mayRead(t.name)) return ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        if (!ctx.metadataCache.getPartition(t.name, p.partitionIndex)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        known.push({
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: v >= 2 ? p.committedLeaderEpoch : -1,
          metadata: p.committedMetadata,
        });
        return PLACEHOLDER;
      }),
    );
    let results: number[] = [];
    if (known.length > 0) {
      results = await gc.commitTxnOffsets({
        groupId: req.groupId,
        producerId: req.producerId,
        producerEpoch: req.producerEpoch,
        memberId: v >= 3 ? req.memberId : '',
        groupInstanceId: v >= 3 ? req.groupInstanceId : null,
        generationId: v >= 3 ? req.generationId : -1,
        offsets: known,
      });
    }
    // Producers before 2.0 (v0-1) cannot handle COORDINATOR_LOAD_IN_PROGRESS here (KAFKA-7296): they get
    // COORDINATOR_NOT_AVAILABLE instead, as Kafka answers them.
    const forVersion = (c: number): number => (v < 2 && c === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? ErrorCode.COORDINATOR_NOT_AVAILABLE : c);
    let next = 0;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t, ti) => ({
        name: t.name,
        partitions: t.partitions.map((p, pi) => {
          const c = codes[ti]?.[pi] ?? ErrorCode.UNKNOWN_SERVER_ERROR;
          return { partitionIndex: p.partitionIndex, errorCode: forVersion(c === PLACEHOLDER ? (results[next++] ?? ErrorCode.UNKNOWN_SERVER_ERROR) : c) };
        }),
      })),
    };
  },
});
