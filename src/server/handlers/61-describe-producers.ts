// DescribeProducers (61, KIP-664): the active idempotent and transactional producers of each partition, from this
// replica's producer state (ReplicaManager.activeProducerState), with Kafka's topic-level checks first.
import { DescribeProducers, type DescribeProducersResponse } from '../../protocol/messages/61-describe-producers';
import { ErrorCode, errorInfo } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorizeTopic } from './authorize';
import { topicNameProblem } from '../../util/topicName';

type TopicResponse = DescribeProducersResponse['topics'][number];

export const describeProducersHandler = defineHandler({
  api: DescribeProducers,
  versions: [0, 0],
  handle: (req, ctx) => {
    const rm = ctx.services.replicaManager;
    const topics = req.topics.map((t): TopicResponse => {
      // Kafka's order: a bad name, then READ on the topic, then whether the topic exists. A topic-level error is
      // Kafka's ApiError, which carries the error's default message when it has no message of its own.
      const invalid = topicNameProblem(t.name);
      const topicError = invalid !== null
        ? { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: invalid }
        : !authorizeTopic(ctx, t.name, 'read')
          ? { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: errorInfo(ErrorCode.TOPIC_AUTHORIZATION_FAILED).message }
          : !ctx.metadataCache.hasTopic(t.name)
            ? { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: errorInfo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).message }
            : null;
      return {
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => {
          if (topicError) return { partitionIndex, ...topicError, activeProducers: [] };
          const state = rm.activeProducerState(t.name, partitionIndex);
          return { partitionIndex, errorCode: state.errorCode, errorMessage: null, activeProducers: state.producers };
        }),
      };
    });
    return { throttleTimeMs: 0, topics };
  },
});
