// InitProducerId (22): a producer id and epoch. Without a transactional id any broker answers (Kafka's
// TransactionCoordinator.handleInitProducerId with a null id): a fresh id from this broker's ZooKeeper-claimed block,
// epoch 0; as in Kafka 2.8, a producer id and epoch sent with a null transactional id (KIP-360, v3+) are ignored.
// With a transactional id the id's transaction coordinator bumps its epoch (or creates it), fencing older producers.
import { InitProducerId, type InitProducerIdResponse } from '../../protocol/messages/22-init-producer-id';
import { ErrorCode } from '../../protocol/errors';
import { rewriteProducerFenced } from '../../coordinator/transaction/TransactionCoordinator';
import { defineHandler } from './types';
import { authorize, authorizeByResourceType } from './authorize';

const failure = (errorCode: number): InitProducerIdResponse => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 });

export const initProducerIdHandler = defineHandler({
  api: InitProducerId,
  versions: [0, 4],
  handle: async (req, ctx) => {
    // Kafka 2.8: WRITE on the transactional id; without one, IDEMPOTENT_WRITE on the cluster or WRITE on some topic.
    if (req.transactionalId !== null && !authorize(ctx, 'WRITE', 'TRANSACTIONAL_ID', req.transactionalId)) return failure(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    if (req.transactionalId === null && !authorize(ctx, 'IDEMPOTENT_WRITE', 'CLUSTER', 'kafka-cluster') && !authorizeByResourceType(ctx, 'WRITE', 'TOPIC')) {
      return failure(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    }
    if (req.transactionalId === null) {
      const ids = ctx.services.producerIdManager;
      try {
        const producerId = await ids.generateProducerId();
        return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
      } catch (err) {
        ctx.logger.warn({ err }, 'could not claim a producer id block');
        return failure(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      }
    }
    // KIP-360: both or neither of producer id and epoch (KafkaApis.handleInitProducerIdRequest).
    const noId = req.producerId === -1n;
    const noEpoch = req.producerEpoch === -1;
    if (noId !== noEpoch) return failure(ErrorCode.INVALID_REQUEST);
    const expected = noId ? null : { producerId: req.producerId, producerEpoch: req.producerEpoch };
    const r = await ctx.services.transactionCoordinator.handleInitProducerId(req.transactionalId, req.transactionTimeoutMs, expected);
    return { throttleTimeMs: 0, errorCode: rewriteProducerFenced(r.errorCode, ctx.apiVersion >= 4), producerId: r.producerId, producerEpoch: r.producerEpoch };
  },
});
