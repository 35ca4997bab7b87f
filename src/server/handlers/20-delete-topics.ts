// DeleteTopics (20): served by the active controller; waits (bounded by timeoutMs) for deletion to finish. v6 names
// topics by name or by id (KIP-516); ids resolve through the MetadataCache.
import { DeleteTopics, type DeleteTopicsResponse } from '../../protocol/messages/20-delete-topics';
import { ErrorCode, KafkaError } from '../../protocol/errors';
import { ZERO_UUID } from '../../util/uuid';
import { defineHandler } from './types';
import { authorizedNames } from './authorize';

type Result = DeleteTopicsResponse['responses'][number];

export const deleteTopicsHandler = defineHandler({
  api: DeleteTopics,
  versions: [0, 6],
  handle: async (req, ctx) => {
    // Before v6 topics come as names; the answer then carries the zero uuid, as Kafka's does.
    const asked = ctx.apiVersion >= 6 ? req.topics : req.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    // Kafka answers errors here with codes only (no message), from v5 where the field exists too.
    const answer = (errorCode: number) => (t: { name: string | null; topicId: string }): Result => ({ name: t.name, topicId: t.topicId, errorCode, errorMessage: null });
    const controller = ctx.services.controller.active();
    if (!controller) return { throttleTimeMs: 0, responses: asked.map(answer(ErrorCode.NOT_CONTROLLER)) };
    if (asked.some((t) => t.name !== null && t.topicId !== ZERO_UUID)) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Topic name and topic ID can not both be specified.');
    }
    const responses: Result[] = asked.map((t) => ({
      name: t.topicId === ZERO_UUID ? t.name : (ctx.metadataCache.getTopicName(t.topicId) ?? null),
      topicId: t.topicId,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
    }));
    const toDelete: string[] = [];
    // Kafka: DELETE on each topic; a topic named by id also needs DESCRIBE, and without it its name is not told.
    const mayDescribe = authorizedNames(ctx, 'DESCRIBE', 'TOPIC');
    const mayDelete = authorizedNames(ctx, 'DELETE', 'TOPIC');
    for (const r of responses) {
      // Neither name nor id: Kafka's authorizer check, which such an entry cannot pass, answers it.
      if (r.name === null) r.errorCode = r.topicId === ZERO_UUID ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.UNKNOWN_TOPIC_ID;
      else if (r.topicId !== ZERO_UUID && !mayDescribe(r.name)) {
        r.name = null;
        r.errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
      } else if (!mayDelete(r.name)) r.errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
      else toDelete.push(r.name);
    }
    if (toDelete.length > 0) {
      const results = new Map((await controller.deleteTopics(toDelete, req.timeoutMs)).map((r) => [r.name, r.errorCode]));
      for (const r of responses) if (r.name !== null && toDelete.includes(r.name)) r.errorCode = results.get(r.name) ?? r.errorCode;
    }
    return { throttleTimeMs: 0, responses };
  },
});
