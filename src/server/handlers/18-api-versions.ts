// ApiVersions (18): the versions this broker serves, derived from the handler registry (handed over in the context).
import { ApiVersions } from '../../protocol/messages/18-api-versions';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';

export const apiVersionsHandler = defineHandler({
  api: ApiVersions,
  versions: [0, 3],
  // v3's tagged fields answer as a Kafka 3.x broker in ZooKeeper mode with no finalized features does: it supports
  // no features (KafkaServer's BrokerFeatures.createEmpty), finalizes none (Brook keeps no /feature znode, which
  // Kafka reads as epoch -1, its UNKNOWN_FINALIZED_FEATURES_EPOCH) and is not ready for a ZooKeeper migration
  // (zookeeper.metadata.migration.enable is off). Every one of them equals its default, so none is written.
  handle: (_req, ctx) => ({
    errorCode: ErrorCode.NONE,
    apiKeys: [...ctx.advertisedApis],
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  }),
});
