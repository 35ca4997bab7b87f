// DescribeConfigs (32): topic and broker configs with their sources and synonyms (v1+), types and documentation (v3+),
// as the ConfigRepository resolves them.
import { DescribeConfigs } from '../../protocol/messages/32-describe-configs';
import { ErrorCode, errorInfo } from '../../protocol/errors';
import { configResourceRefusal } from './configWrites';
import { ConfigRejected, ConfigSource } from '../ConfigRepository';
import { defineHandler } from './types';

export const describeConfigsHandler = defineHandler({
  api: DescribeConfigs,
  versions: [0, 4],
  handle: async (req, ctx) => {
    const repository = ctx.services.configs;
    const results = await Promise.all(req.resources.map(async (r) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      // As in Kafka, an empty key list asks for every config, like a null one.
      const keys = r.configurationKeys?.length ? r.configurationKeys : null;
      const fail = (errorCode: number, errorMessage: string) => ({ ...base, errorCode, errorMessage, configs: [] });
      const refusal = configResourceRefusal(ctx, 'DESCRIBE_CONFIGS', r.resourceType, r.resourceName);
      if (refusal !== null) return fail(refusal, errorInfo(refusal).message);
      try {
        const configs = await repository.describe(await repository.resource(r.resourceType, r.resourceName), keys);
        return {
          ...base,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          configs: configs.map((c) => ({
            name: c.name,
            value: c.value,
            readOnly: c.readOnly,
            isDefault: c.source === ConfigSource.DEFAULT_CONFIG,
            configSource: c.source,
            isSensitive: c.sensitive,
            synonyms: req.includeSynonyms ? c.synonyms : [],
            // As Kafka's ConfigHelper: the type always (v3+ carries it), the documentation only when asked for.
            configType: c.configType,
            documentation: req.includeDocumentation ? c.documentation : null,
          })),
        };
      } catch (e) {
        if (e instanceof ConfigRejected) return fail(e.code, e.message);
        ctx.logger.error({ err: e, resource: r.resourceName }, 'DescribeConfigs failed');
        return fail(ErrorCode.UNKNOWN_SERVER_ERROR, (e as Error).message);
      }
    }));
    return { throttleTimeMs: 0, results };
  },
});
