// FindCoordinator (10): the leader of the group's __consumer_offsets partition (key type 0) or of the transactional
// id's __transaction_state partition (key type 1); creates the topic on first use.
// v0-3 ask for one key; v4 (KIP-699) for many keys of one type, each answered on its own.
import { FindCoordinator, type FindCoordinatorResponse } from '../../protocol/messages/10-find-coordinator';
import { ErrorCode, errorInfo } from '../../protocol/errors';
import { OFFSETS_TOPIC } from '../../coordinator/javaHash';
import { TRANSACTION_STATE_TOPIC } from '../../coordinator/transaction/TransactionLog';
import { defineHandler, type RequestContext } from './types';
import { authorize } from './authorize';

const GROUP_KEY_TYPE = 0;
const TRANSACTION_KEY_TYPE = 1;
const NO_NODE = { nodeId: -1, host: '', port: -1 };

interface Coordinator {
  errorCode: number;
  nodeId: number;
  host: string;
  port: number;
}

/** Why a key type is refused for every key of the request, or null for group and transaction keys. */
function keyTypeRefusal(keyType: number): { errorCode: number; errorMessage: string } | null {
  if (keyType !== GROUP_KEY_TYPE && keyType !== TRANSACTION_KEY_TYPE) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown coordinator type received: ${keyType}` };
  return null;
}

/** The leader of `partition` of an internal topic, reachable on the listener the request came in on. */
function leaderOf(topic: string, partition: number, ctx: RequestContext): Coordinator {
  const cache = ctx.metadataCache;
  const p = cache.getPartition(topic, partition);
  const endpoint = p && p.leader >= 0 ? cache.getBroker(p.leader)?.endpoints.get(ctx.connection.listenerName) : undefined;
  if (!p || !endpoint) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, ...NO_NODE };
  return { errorCode: ErrorCode.NONE, nodeId: p.leader, host: endpoint.host, port: endpoint.port };
}

/** Kafka's getCoordinator for a group key. */
function groupCoordinator(key: string, ctx: RequestContext): Coordinator {
  const gc = ctx.services.groupCoordinator;
  if (!ctx.metadataCache.hasTopic(OFFSETS_TOPIC)) {
    // Clients retry COORDINATOR_NOT_AVAILABLE; creation proceeds in the background meanwhile.
    void gc.ensureOffsetsTopic();
    return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, ...NO_NODE };
  }
  return leaderOf(OFFSETS_TOPIC, gc.partitionFor(key), ctx);
}

/** Kafka's getCoordinator for a transactional id: the leader of its __transaction_state partition. */
function transactionCoordinator(key: string, ctx: RequestContext): Coordinator {
  const tc = ctx.services.transactionCoordinator;
  if (!ctx.metadataCache.hasTopic(TRANSACTION_STATE_TOPIC)) {
    void tc.ensureTransactionTopic();
    return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, ...NO_NODE };
  }
  return leaderOf(TRANSACTION_STATE_TOPIC, tc.partitionFor(key), ctx);
}

/** Kafka: DESCRIBE on the group, or on the transactional id, before the lookup. */
function coordinatorFor(keyType: number, key: string, ctx: RequestContext): Coordinator {
  if (keyType === TRANSACTION_KEY_TYPE) {
    if (!authorize(ctx, 'DESCRIBE', 'TRANSACTIONAL_ID', key)) return { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, ...NO_NODE };
    return transactionCoordinator(key, ctx);
  }
  if (!authorize(ctx, 'DESCRIBE', 'GROUP', key)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, ...NO_NODE };
  return groupCoordinator(key, ctx);
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
        refusal ? { key, ...NO_NODE, ...refusal } : { key, ...coordinatorFor(req.keyType, key, ctx), errorMessage: null });
      return { ...single({ errorCode: ErrorCode.NONE, ...NO_NODE }, null), coordinators };
    }
    if (refusal) return single({ ...NO_NODE, errorCode: refusal.errorCode }, refusal.errorMessage);
    const c = coordinatorFor(req.keyType, req.key, ctx);
    return single(c, c.errorCode === ErrorCode.NONE ? null : errorInfo(c.errorCode).message);
  },
});
