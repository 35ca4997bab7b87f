// ListPartitionReassignments (46): lists ongoing partition reassignments, served by the active controller.
import { ListPartitionReassignments } from '../../protocol/messages/46-list-partition-reassignments';
import { ErrorCode, errorInfo } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorizeCluster, refuseUnless } from './authorize';
import { groupByTopic } from '../../util/types';

export const listPartitionReassignmentsHandler = defineHandler({
  api: ListPartitionReassignments,
  versions: [0, 0],
  handle: async (req, ctx) => {
    const refusal = refuseUnless(authorizeCluster(ctx, 'describe'), ListPartitionReassignments, req, ctx, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    if (refusal) return refusal;
    const notController = { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: errorInfo(ErrorCode.NOT_CONTROLLER).message, topics: [] };
    const controller = ctx.services.controller.active();
    if (!controller) return notController;
    const partitions = req.topics === null ? null : req.topics.flatMap((t) => t.partitionIndexes.map((p) => ({ topic: t.name, partition: p })));
    const ongoing = await controller.listPartitionReassignments(partitions);
    if (ongoing === null) return notController;
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      topics: groupByTopic(ongoing).map(([name, rs]) => ({
        name,
        partitions: rs.map((r) => ({ partitionIndex: r.partition, replicas: r.replicas, addingReplicas: r.addingReplicas, removingReplicas: r.removingReplicas })),
      })),
    };
  },
});
