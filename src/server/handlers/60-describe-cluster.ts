// DescribeCluster (60, KIP-700): the cluster id, the controller and the live brokers on the caller's listener, from the
// MetadataCache, as Kafka's KafkaApis.handleDescribeCluster answers in ZooKeeper mode.
import { DescribeCluster } from '../../protocol/messages/60-describe-cluster';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorizeCluster, authorizedOperations, OPERATIONS_NOT_REQUESTED } from './authorize';

export const describeClusterHandler = defineHandler({
  api: DescribeCluster,
  versions: [0, 0],
  handle: (req, ctx) => {
    const cache = ctx.metadataCache;
    const listener = ctx.connection.listenerName;
    // Asked for, the operations are those allowed on the cluster, or none at all without DESCRIBE on it.
    const clusterAuthorizedOperations = !req.includeClusterAuthorizedOperations
      ? OPERATIONS_NOT_REQUESTED
      : authorizeCluster(ctx, 'describe') ? authorizedOperations(ctx, 'cluster', 'kafka-cluster') : 0;
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      clusterId: cache.clusterId,
      controllerId: cache.controllerId ?? -1,
      // Only brokers reachable on the listener the request came in on, as Metadata lists them.
      brokers: cache.aliveBrokers().flatMap((b) => {
        const ep = b.endpoints.get(listener);
        return ep ? [{ brokerId: b.id, host: ep.host, port: ep.port, rack: b.rack }] : [];
      }),
      clusterAuthorizedOperations,
    };
  },
});
