// FindCoordinator (10): the leader of the group's __consumer_offsets partition; creates the topic on first use.
import { FindCoordinator, type FindCoordinatorResponse } from '../../protocol/messages/10-find-coordinator';
import { ErrorCode, errorInfo } from '../../protocol/errors';
import { OFFSETS_TOPIC } from '../../coordinator/javaHash';
import { defineHandler } from './types';

const GROUP_KEY_TYPE = 0;

function failure(errorCode: number): FindCoordinatorResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage: errorInfo(errorCode).message, nodeId: -1, host: '', port: -1 };
}

export const findCoordinatorHandler = defineHandler({
  api: FindCoordinator,
  versions: [0, 2],
  handle: async (req, ctx) => {
    const gc = ctx.services.groupCoordinator;
    // Transaction coordinators (key type 1) do not exist yet.
    if (req.keyType !== GROUP_KEY_TYPE || !gc) return failure(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const cache = ctx.metadataCache;
    if (!cache.hasTopic(OFFSETS_TOPIC)) {
      // Clients retry COORDINATOR_NOT_AVAILABLE; creation proceeds in the background meanwhile.
      void gc.ensureOffsetsTopic();
      return failure(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    const partition = cache.getPartition(OFFSETS_TOPIC, gc.partitionFor(req.key));
    if (!partition || partition.leader < 0) return failure(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const endpoint = cache.getBroker(partition.leader)?.endpoints.get(ctx.connection.listenerName);
    if (!endpoint) return failure(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId: partition.leader, host: endpoint.host, port: endpoint.port };
  },
});
