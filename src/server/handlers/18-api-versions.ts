// ApiVersions (18): the versions this broker serves, derived from the handler registry.
import { ApiVersions } from '../../protocol/messages/18-api-versions';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { advertisedApiVersions } from './registry-data';

export const apiVersionsHandler = defineHandler({
  api: ApiVersions,
  versions: [0, 3],
  handle: (_req) => ({
    errorCode: ErrorCode.NONE,
    apiKeys: advertisedApiVersions(),
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
  }),
});
