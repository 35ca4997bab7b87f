// DescribeLogDirs (35): log directories with the size and lag of each partition replica, from a hook the
// broker wires to its LogManager (`services.describeLogDirs`).
import { DescribeLogDirs } from '../../protocol/messages/35-describe-log-dirs';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';

export interface LogDirDescription {
  dir: string;
  /** Wire error code of the directory (0, or KAFKA_STORAGE_ERROR for an offline dir). */
  error: number;
  topics: Array<{ name: string; partitions: Array<{ index: number; size: bigint; offsetLag: bigint; isFuture: boolean }> }>;
}

/** What the lead wires as `services.describeLogDirs`. */
export type DescribeLogDirsHook = () => LogDirDescription[] | Promise<LogDirDescription[]>;

export const describeLogDirsHandler = defineHandler({
  api: DescribeLogDirs,
  versions: [0, 2],
  handle: async (req, ctx) => {
    const hook = ctx.services.describeLogDirs as DescribeLogDirsHook | undefined;
    if (typeof hook !== 'function') return { throttleTimeMs: 0, results: [] };
    const wanted = req.topics === null ? null : new Map(req.topics.map((t) => [t.topic, new Set(t.partitionIndex)]));
    const dirs = await hook();
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
