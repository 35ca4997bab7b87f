// What DescribeLogDirs reports of this broker's log.dirs: each directory (absolute, as Kafka prints it) with its
// replicas' sizes and the total and usable bytes of the volume it lives on (KIP-827), read with statfs.
import { statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ErrorCode } from '../protocol/errors';
import type { LogManager } from '../log/LogManager';
import type { Log } from '../log/Log';
import type { Logger } from '../util/logger';
import { groupByTopic } from '../util/types';
import type { LogDirDescription } from './BrokerServices';

/** The volume's size and the bytes an unprivileged writer may still use (Java's FileStore total and usable space). */
export type VolumeSpace = (dir: string) => { totalBytes: bigint; usableBytes: bigint };

export const statfsVolumeSpace: VolumeSpace = (dir) => {
  const s = statfsSync(dir, { bigint: true });
  return { totalBytes: s.blocks * s.bsize, usableBytes: s.bavail * s.bsize };
};

export function describeLogDirs(
  logDirs: readonly string[],
  logManager: Pick<LogManager, 'allLogs' | 'isDirOffline'>,
  logger: Logger,
  space: VolumeSpace = statfsVolumeSpace,
): LogDirDescription[] {
  const logsByDir = new Map<string, Log[]>();
  for (const log of logManager.allLogs()) {
    const dir = resolve(dirname(log.dir));
    const logs = logsByDir.get(dir);
    if (logs) logs.push(log);
    else logsByDir.set(dir, [log]);
  }
  return [...new Set(logDirs)].map((configured) => {
    const dir = resolve(configured);
    // As Kafka's ReplicaManager.describeLogDirs: an offline directory, or one whose volume cannot be read, is
    // answered with its error alone (the byte counts keep their default, -1).
    if (logManager.isDirOffline(configured)) return { dir, error: ErrorCode.KAFKA_STORAGE_ERROR, topics: [], totalBytes: -1n, usableBytes: -1n };
    let volume: { totalBytes: bigint; usableBytes: bigint };
    try {
      volume = space(dir);
    } catch (e) {
      logger.error({ err: e, dir }, 'could not read the volume of a log directory');
      return { dir, error: ErrorCode.UNKNOWN_SERVER_ERROR, topics: [], totalBytes: -1n, usableBytes: -1n };
    }
    return {
      dir,
      error: ErrorCode.NONE,
      // A current (not future) log lags its own high watermark by max(HW - LEO, 0), which is always 0.
      topics: groupByTopic(logsByDir.get(dir) ?? []).map(([name, ls]) => ({
        name,
        partitions: ls.map((log) => ({ index: log.partition, size: BigInt(log.size), offsetLag: 0n, isFuture: false })),
      })),
      ...volume,
    };
  });
}
