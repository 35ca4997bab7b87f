// ApiVersions (18): the versions this broker serves, derived from the handler registry (handed over in the context).
import { ApiVersions } from '../../protocol/messages/18-api-versions';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';

export const apiVersionsHandler = defineHandler({
  api: ApiVersions,
  versions: [0, 3],
  handle: (_req, ctx) => ({
    errorCode: ErrorCode.NONE,
    apiKeys: [...ctx.advertisedApis],
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
  }),
});
