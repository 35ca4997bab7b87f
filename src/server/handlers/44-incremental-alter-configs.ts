// IncrementalAlterConfigs (44): SET, DELETE, APPEND and SUBTRACT individual keys of a topic or broker config.
import { IncrementalAlterConfigs } from '../../protocol/messages/44-incremental-alter-configs';
import { ErrorCode } from '../../protocol/errors';
import { topicConfigDefs } from '../../config/topicConfigs';
import { brokerConfigDefs } from '../../config/schema';
import { defineHandler } from './types';
import { ConfigRejected, RESOURCE_TOPIC } from '../ConfigRepository';
import { configResourceRefusal, runResource } from './configWrites';

export const OpType = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

function isList(resourceType: number, name: string): boolean {
  if (resourceType === RESOURCE_TOPIC) return topicConfigDefs[name]?.type === 'list';
  return (brokerConfigDefs as Record<string, { type: string }>)[name]?.type === 'list';
}

/** Applies the operations to a copy of `current`; throws ConfigRejected on a bad operation. */
export function applyOps(resourceType: number, current: Record<string, string>, ops: ReadonlyArray<{ name: string; configOperation: number; value: string | null }>): Record<string, string> {
  const next = { ...current };
  const seen = new Set<string>();
  for (const op of ops) {
    if (seen.has(op.name)) throw new ConfigRejected(ErrorCode.INVALID_REQUEST, `Config ${op.name} appears more than once in the request`);
    seen.add(op.name);
    const items = (s: string | undefined): string[] => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);
    switch (op.configOperation) {
      case OpType.SET:
        if (op.value === null) throw new ConfigRejected(ErrorCode.INVALID_REQUEST, `Null value not supported for ${op.name}`);
        next[op.name] = op.value;
        break;
      case OpType.DELETE:
        delete next[op.name];
        break;
      case OpType.APPEND:
      case OpType.SUBTRACT: {
        if (!isList(resourceType, op.name)) throw new ConfigRejected(ErrorCode.INVALID_REQUEST, `Config ${op.name} is not a list: APPEND/SUBTRACT apply to list configs only`);
        const cur = items(next[op.name]);
        const vals = items(op.value ?? '');
        const res = op.configOperation === OpType.APPEND ? [...cur, ...vals.filter((v) => !cur.includes(v))] : cur.filter((v) => !vals.includes(v));
        if (res.length === 0) delete next[op.name];
        else next[op.name] = res.join(',');
        break;
      }
      default:
        throw new ConfigRejected(ErrorCode.INVALID_REQUEST, `Unknown config operation ${op.configOperation} for ${op.name}`);
    }
  }
  return next;
}

export const incrementalAlterConfigsHandler = defineHandler({
  api: IncrementalAlterConfigs,
  versions: [0, 1],
  handle: async (req, ctx) => {
    const responses = [];
    for (const r of req.resources) {
      const refusal = configResourceRefusal(ctx, 'ALTER_CONFIGS', r.resourceType, r.resourceName);
      if (refusal !== null) {
        responses.push({ resourceType: r.resourceType, resourceName: r.resourceName, errorCode: refusal, errorMessage: null });
        continue;
      }
      responses.push(await runResource(ctx, r.resourceType, r.resourceName, async () => {
        const repository = ctx.services.configs;
        const t = await repository.resource(r.resourceType, r.resourceName);
        const next = applyOps(r.resourceType, await repository.current(t), r.configs);
        await repository.write(t, next, req.validateOnly);
      }));
    }
    return { throttleTimeMs: 0, responses };
  },
});
