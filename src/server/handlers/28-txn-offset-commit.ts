// TxnOffsetCommit (28): a transactional producer's consumer offsets, written to __consumer_offsets as its transactional
// batch and pending until the transaction's marker completes them (Kafka 2.8's KafkaApis.handleTxnOffsetCommitRequest).
import { TxnOffsetCommit } from '../../protocol/messages/28-txn-offset-commit';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorize } from './authorize';
import { refuseAll, triageCommits } from './offsetCommitParts';

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
    if (refusal !== null) return { throttleTimeMs: 0, topics: refuseAll(req.topics, refusal) };
    const { entries, answer } = triageCommits(ctx, req.topics, v >= 2);
    let results: number[] = [];
    if (entries.length > 0) {
      results = await gc.commitTxnOffsets({
        groupId: req.groupId,
        producerId: req.producerId,
        producerEpoch: req.producerEpoch,
        memberId: v >= 3 ? req.memberId : '',
        groupInstanceId: v >= 3 ? req.groupInstanceId : null,
        generationId: v >= 3 ? req.generationId : -1,
        offsets: entries,
      });
    }
    // Producers before 2.0 (v0-1) cannot handle COORDINATOR_LOAD_IN_PROGRESS here (KAFKA-7296): they get
    // COORDINATOR_NOT_AVAILABLE instead, as Kafka answers them.
    const forVersion = (c: number): number => (v < 2 && c === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? ErrorCode.COORDINATOR_NOT_AVAILABLE : c);
    return { throttleTimeMs: 0, topics: answer(results, forVersion) };
  },
});
