// DescribeLogDirs (35): log directories with the size and lag of each partition replica (`services.describeLogDirs`).
import { DescribeLogDirs } from '../../protocol/messages/35-describe-log-dirs';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';

export const describeLogDirsHandler = defineHandler({
  api: DescribeLogDirs,
  versions: [0, 2],
  handle: (req, ctx) => {
    const wanted = req.topics === null ? null : new Map(req.topics.map((t) => [t.topic, new Set(t.partitionIndex)]));
    const dirs = ctx.services.describeLogDirs();
    return {
      throttleTimeMs: 0,
      results: dirs.map((d) => ({
        errorCode: d.error ?? ErrorCode.NONE,
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
      })),
    };
  },
});
