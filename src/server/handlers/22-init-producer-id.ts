// InitProducerId (22): a producer id and epoch for an idempotent producer. Any broker answers (Kafka's
// TransactionCoordinator.handleInitProducerId with a null transactional id): a fresh id from this broker's
// ZooKeeper-claimed block, epoch 0. As in Kafka 2.8, a producer id and epoch sent with a null transactional id
// (KIP-360, v3+) are ignored: the producer gets a new id, which resets its sequences just as an epoch bump would.
import { InitProducerId, type InitProducerIdResponse } from '../../protocol/messages/22-init-producer-id';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';

const failure = (errorCode: number): InitProducerIdResponse => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 });

export const initProducerIdHandler = defineHandler({
  api: InitProducerId,
  versions: [0, 4],
  handle: async (req, ctx) => {
    if (req.transactionalId !== null) {
      // Transactions need a transaction coordinator, which Brook does not have yet (FindCoordinator refuses key type 1 too).
      return failure(ErrorCode.INVALID_REQUEST);
    }
    const ids = ctx.services.producerIdManager;
    try {
      const producerId = await ids.generateProducerId();
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
    } catch (err) {
      ctx.logger.warn({ err }, 'could not claim a producer id block');
      return failure(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
  },
});
