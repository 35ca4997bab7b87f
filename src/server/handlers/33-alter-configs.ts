// AlterConfigs (33): replaces the whole dynamic config set of a topic or broker (Kafka's legacy, non-incremental API).
import { AlterConfigs } from '../../protocol/messages/33-alter-configs';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { ConfigRejected, runResource, targetOf, writeConfig } from './configWrites';

export const alterConfigsHandler = defineHandler({
  api: AlterConfigs,
  versions: [0, 1],
  handle: async (req, ctx) => {
    const responses = [];
    // One at a time: two resources may be the same ZooKeeper node.
    for (const r of req.resources) {
      responses.push(await runResource(ctx, r.resourceType, r.resourceName, async () => {
        const t = await targetOf(ctx, r.resourceType, r.resourceName);
        const next: Record<string, string> = {};
        for (const c of r.configs) {
          if (c.name in next) throw new ConfigRejected(ErrorCode.INVALID_REQUEST, `Config ${c.name} is given twice`);
          if (c.value === null) throw new ConfigRejected(ErrorCode.INVALID_REQUEST, `Null value not supported for ${c.name}`);
          next[c.name] = c.value;
        }
        await writeConfig(ctx, t, next, req.validateOnly);
      }));
    }
    return { throttleTimeMs: 0, responses };
  },
});
