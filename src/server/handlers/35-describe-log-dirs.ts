// DescribeLogDirs (35): log directories with the size and lag of each partition replica, and (v4, KIP-827) the total
// and usable bytes of each directory's volume (`services.describeLogDirs`).
import { DescribeLogDirs } from '../../protocol/messages/35-describe-log-dirs';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorizeCluster } from './authorize';

export const describeLogDirsHandler = defineHandler({
  api: DescribeLogDirs,
  versions: [0, 4],
  handle: (req, ctx) => {
    // Kafka asks for DESCRIBE on the cluster; refused, v3+ says so at the top level, older versions by an empty list.
    if (!authorizeCluster(ctx, 'describe')) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, results: [] };
    const wanted = req.topics === null ? null : new Map(req.topics.map((t) => [t.topic, new Set(t.partitionIndex)]));
    const dirs = ctx.services.describeLogDirs();
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: dirs.map((d) => ({
        errorCode: d.error,
        logDir: d.dir,
        topics: d.topics
          .filter((t) => wanted === null || wanted.has(t.name))
          .map((t) => ({
            name: t.name,
            partitions: t.partitions
              .filter((p) => wanted === null || wanted.get(t.name)!.has(p.index))
              .map((p) => ({ partitionIndex: p.index, partitionSize: p.size, offsetLag: p.offsetLag, isFutureKey: p.isFuture })),
          }))
          .filter((t) => t.partitions.length > 0),
        totalBytes: d.totalBytes,
        usableBytes: d.usableBytes,
      })),
    };
  },
});
