// AlterConfigs (33): replaces the whole dynamic config set of a topic or broker (Kafka's legacy, non-incremental API).
// v2 is v1 in the flexible encoding.
import { AlterConfigs } from '../../protocol/messages/33-alter-configs';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { ConfigRejected } from '../ConfigRepository';
import { configResourceRefusal, runResource } from './configWrites';

export const alterConfigsHandler = defineHandler({
  api: AlterConfigs,
  versions: [0, 2],
  handle: async (req, ctx) => {
    const responses = [];
    // One at a time: two resources may be the same ZooKeeper node.
    for (const r of req.resources) {
      const refusal = configResourceRefusal(ctx, 'ALTER_CONFIGS', r.resourceType, r.resourceName);
      if (refusal !== null) {
        responses.push({ resourceType: r.resourceType, resourceName: r.resourceName, errorCode: refusal, errorMessage: null });
        continue;
      }
      responses.push(await runResource(ctx, r.resourceType, r.resourceName, async () => {
        const nulls = r.configs.filter((c) => c.value === null).map((c) => c.name);
        if (nulls.length > 0) throw new ConfigRejected(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${nulls.join(',')}`);
        const t = await ctx.services.configs.resource(r.resourceType, r.resourceName);
        // A name given twice takes its last value, as Kafka builds its Properties in request order.
        const next: Record<string, string> = {};
        for (const c of r.configs) if (c.value !== null) next[c.name] = c.value;
        await ctx.services.configs.write(t, next, req.validateOnly);
      }));
    }
    return { throttleTimeMs: 0, responses };
  },
});
