// CreatePartitions (37): served by the active controller. v3 is v2 that may answer THROTTLING_QUOTA_EXCEEDED under a
// controller mutation quota (KIP-599); Brook has no quotas, so it serves v3 exactly as v2.
import { CreatePartitions, type CreatePartitionsResponse } from '../../protocol/messages/37-create-partitions';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorizeTopic } from './authorize';

type Result = CreatePartitionsResponse['results'][number];

export const createPartitionsHandler = defineHandler({
  api: CreatePartitions,
  versions: [0, 3],
  handle: async (req, ctx) => {
    const controller = ctx.services.controller.active();
    // Kafka's ApiError(NOT_CONTROLLER, null): the code alone, no message.
    if (!controller) return { throttleTimeMs: 0, results: req.topics.map((t) => ({ name: t.name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null })) };
    // As Kafka's KafkaApis: a topic named twice is refused (answered once), an unauthorized one is not passed on.
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const refused = new Map<string, Result>();
    for (const [name, n] of counts) {
      if (n > 1) refused.set(name, { name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic in request.' });
      else if (!authorizeTopic(ctx, name, 'alter')) refused.set(name, { name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'The topic authorization is failed.' });
    }
    const valid = req.topics.filter((t) => !refused.has(t.name));
    const done = valid.length === 0 ? [] : await controller.createPartitions(valid, { validateOnly: req.validateOnly, timeoutMs: req.timeoutMs });
    const byName = new Map<string, Result>(done.map((r) => [r.name, { name: r.name, errorCode: r.errorCode, errorMessage: r.errorMessage }]));
    for (const [name, r] of refused) byName.set(name, r);
    return { throttleTimeMs: 0, results: [...counts.keys()].map((name) => byName.get(name)!) };
  },
});
