// FindCoordinator (10): the leader of the group's __consumer_offsets partition; creates the topic on first use.
// v0-3 ask for one key; v4 (KIP-699) for many keys of one type, each answered on its own.
import { FindCoordinator, type FindCoordinatorResponse } from '../../protocol/messages/10-find-coordinator';
import { ErrorCode, errorInfo } from '../../protocol/errors';
import { OFFSETS_TOPIC } from '../../coordinator/javaHash';
import { defineHandler, type RequestContext } from './types';

const GROUP_KEY_TYPE = 0;
const TRANSACTION_KEY_TYPE = 1;
const NO_NODE = { nodeId: -1, host: '', port: -1 };

interface Coordinator {
  errorCode: number;
  nodeId: number;
  host: string;
  port: number;
}

/** Why a key type is refused for every key of the request, or null for group keys. */
function keyTypeRefusal(keyType: number): { errorCode: number; errorMessage: string } | null {
  // Brook has no transaction coordinator (key type 1), so a transactional id is a coordinator type it does not know,
  // and Kafka answers an unknown type with INVALID_REQUEST. That is not retriable: kafkajs gives up at once and the
  // Java producer fails initTransactions, where COORDINATOR_NOT_AVAILABLE had them retry until their timeouts.
  // (librdkafka asks nothing: it sees no InitProducerId in ApiVersions and fails "Transactions not supported".)
  if (keyType === TRANSACTION_KEY_TYPE) {
    return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Transactions are not supported by this broker: it has no transaction coordinator' };
  }
  if (keyType !== GROUP_KEY_TYPE) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown coordinator type received: ${keyType}` };
  return null;
}

/** Kafka's getCoordinator for a group key. */
function groupCoordinator(key: string, ctx: RequestContext): Coordinator {
  const gc = ctx.services.groupCoordinator;
  const cache = ctx.metadataCache;
  if (!cache.hasTopic(OFFSETS_TOPIC)) {
    // Clients retry COORDINATOR_NOT_AVAILABLE; creation proceeds in the background meanwhile.
    void gc.ensureOffsetsTopic();
    return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, ...NO_NODE };
  }
  const partition = cache.getPartition(OFFSETS_TOPIC, gc.partitionFor(key));
  const endpoint = partition && partition.leader >= 0 ? cache.getBroker(partition.leader)?.endpoints.get(ctx.connection.listenerName) : undefined;
  if (!partition || !endpoint) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, ...NO_NODE };
  return { errorCode: ErrorCode.NONE, nodeId: partition.leader, host: endpoint.host, port: endpoint.port };
}

/** A v0-3 answer (the v4 fields stay empty). */
function single(c: Coordinator, errorMessage: string | null): FindCoordinatorResponse {
  return { throttleTimeMs: 0, ...c, errorMessage, coordinators: [] };
}

export const findCoordinatorHandler = defineHandler({
  api: FindCoordinator,
  versions: [0, 4],
  handle: (req, ctx) => {
    const refusal = keyTypeRefusal(req.keyType);
    if (ctx.apiVersion >= 4) {
      // As Kafka: a refused key type fails every key with its message; a key's own lookup error carries none.
      const coordinators = req.coordinatorKeys.map((key) =>
        refusal ? { key, ...NO_NODE, ...refusal } : { key, ...groupCoordinator(key, ctx), errorMessage: null });
      return { ...single({ errorCode: ErrorCode.NONE, ...NO_NODE }, null), coordinators };
    }
    if (refusal) return single({ ...NO_NODE, errorCode: refusal.errorCode }, refusal.errorMessage);
    const c = groupCoordinator(req.key, ctx);
    return single(c, c.errorCode === ErrorCode.NONE ? null : errorInfo(c.errorCode).message);
  },
});
