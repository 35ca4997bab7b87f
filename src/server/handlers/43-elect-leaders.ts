// ElectLeaders (43): preferred or unclean leader election, served by the active controller.
import { ElectLeaders } from '../../protocol/messages/43-elect-leaders';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorizeCluster } from './authorize';
import { ElectionType } from '../ControllerGateway';
import { groupByTopic } from '../../util/types';

export const electLeadersHandler = defineHandler({
  api: ElectLeaders,
  versions: [0, 2],
  handle: async (req, ctx) => {
    // Kafka: ALTER on the cluster, checked before anything else; refused, every partition asked for says so too.
    if (!authorizeCluster(ctx, 'alter')) {
      const code = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
      return {
        throttleTimeMs: 0,
        errorCode: code,
        replicaElectionResults: (req.topicPartitions ?? []).map((t) => ({ topic: t.topic, partitionResult: t.partitionId.map((partitionId) => ({ partitionId, errorCode: code, errorMessage: null })) })),
      };
    }
    const controller = ctx.services.controller.active();
    if (!controller) return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, replicaElectionResults: [] };
    const type = req.electionType === 1 ? ElectionType.UNCLEAN : ElectionType.PREFERRED;
    const partitions = req.topicPartitions === null ? null : req.topicPartitions.flatMap((t) => t.partitionId.map((p) => ({ topic: t.topic, partition: p })));
    const results = await controller.electLeaders(partitions, type);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      replicaElectionResults: groupByTopic(results).map(([topic, rs]) => ({
        topic,
        partitionResult: rs.map((r) => ({ partitionId: r.partition, errorCode: r.errorCode, errorMessage: r.errorMessage })),
      })),
    };
  },
});
