// FindCoordinator (10): the leader of the group's __consumer_offsets partition; creates the topic on first use.
import { FindCoordinator, type FindCoordinatorResponse } from '../../protocol/messages/10-find-coordinator';
import { ErrorCode, errorInfo } from '../../protocol/errors';
import { OFFSETS_TOPIC } from '../../coordinator/javaHash';
import { defineHandler } from './types';

const GROUP_KEY_TYPE = 0;
const TRANSACTION_KEY_TYPE = 1;

function failure(errorCode: number, errorMessage: string = errorInfo(errorCode).message): FindCoordinatorResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage, nodeId: -1, host: '', port: -1 };
}

export const findCoordinatorHandler = defineHandler({
  api: FindCoordinator,
  versions: [0, 2],
  handle: async (req, ctx) => {
    // Brook has no transaction coordinator (key type 1), so a transactional id is a coordinator type it does not know,
    // and Kafka answers an unknown type with INVALID_REQUEST. That is not retriable: kafkajs gives up at once and the
    // Java producer fails initTransactions, where COORDINATOR_NOT_AVAILABLE had them retry until their timeouts.
    // (librdkafka asks nothing: it sees no InitProducerId in ApiVersions and fails "Transactions not supported".)
    if (req.keyType === TRANSACTION_KEY_TYPE) {
      return failure(ErrorCode.INVALID_REQUEST, 'Transactions are not supported by this broker: it has no transaction coordinator');
    }
    if (req.keyType !== GROUP_KEY_TYPE) return failure(ErrorCode.INVALID_REQUEST, `Unknown coordinator type received: ${req.keyType}`);
    const gc = ctx.services.groupCoordinator;
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
