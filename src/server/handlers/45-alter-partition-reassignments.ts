// AlterPartitionReassignments (45): starts or cancels partition reassignments, served by the active controller.
import { AlterPartitionReassignments } from '../../protocol/messages/45-alter-partition-reassignments';
import { ErrorCode, errorInfo } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorizeCluster, refuseUnless } from './authorize';
import { groupByTopic } from '../../util/types';

export const alterPartitionReassignmentsHandler = defineHandler({
  api: AlterPartitionReassignments,
  versions: [0, 0],
  handle: async (req, ctx) => {
    const refusal = refuseUnless(authorizeCluster(ctx, 'alter'), AlterPartitionReassignments, req, ctx, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    if (refusal) return refusal;
    const controller = ctx.services.controller.active();
    if (!controller) {
      // Kafka answers a top-level NOT_CONTROLLER; clients look the controller up again and retry.
      return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: errorInfo(ErrorCode.NOT_CONTROLLER).message, responses: [] };
    }
    const asked = req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas === null ? null : [...p.replicas] })));
    const results = await controller.alterPartitionReassignments(asked, req.timeoutMs);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      responses: groupByTopic(results).map(([name, rs]) => ({
        name,
        partitions: rs.map((r) => ({ partitionIndex: r.partition, errorCode: r.errorCode, errorMessage: r.errorMessage })),
      })),
    };
  },
});
