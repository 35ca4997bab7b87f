// DescribeLogDirs' view of log.dirs: absolute directories, their replicas, and the volume sizes read with statfs.
import { statfsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ErrorCode } from '../../../src/protocol/errors';
import { describeLogDirs, statfsVolumeSpace } from '../../../src/server/LogDirsDescriber';
import type { LogManager } from '../../../src/log/LogManager';
import { rootLogger } from '../../../src/util/logger';
import { tmpDir } from './helpers';

type Logs = ReturnType<LogManager['allLogs']>;
const fakeLog = (dir: string, topic: string, partition: number, size: number) =>
  ({ dir: join(dir, `${topic}-${partition}`), topic, partition, size }) as unknown as Logs[number];

function manager(logs: Array<ReturnType<typeof fakeLog>>, offline: string[] = []): Pick<LogManager, 'allLogs' | 'isDirOffline'> {
  return { allLogs: () => logs as Logs, isDirOffline: (d: string) => offline.includes(d) };
}

describe('describeLogDirs', () => {
  test('each configured directory, absolute, with its replicas by topic and its volume\'s total and usable bytes', () => {
    const a = tmpDir('brook-dirs-a-');
    const b = tmpDir('brook-dirs-b-');
    const lm = manager([fakeLog(a, 'orders', 0, 10), fakeLog(a, 'orders', 1, 20), fakeLog(b, 'audit', 0, 5)]);
    // A relative log.dirs entry is reported as the absolute path, as Kafka's toAbsolutePath.
    const dirs = describeLogDirs([relative(process.cwd(), a), b], lm, rootLogger);
    expect(dirs.map((d) => d.dir)).toEqual([a, b]);
    expect(dirs[0]!.topics).toEqual([{ name: 'orders', partitions: [
      { index: 0, size: 10n, offsetLag: 0n, isFuture: false }, { index: 1, size: 20n, offsetLag: 0n, isFuture: false },
    ] }]);
    expect(dirs[1]!.topics.map((t) => t.name)).toEqual(['audit']);
    const s = statfsSync(a, { bigint: true });
    expect(dirs[0]).toMatchObject({ error: ErrorCode.NONE, totalBytes: s.blocks * s.bsize });
    expect(dirs[0]!.totalBytes).toBeGreaterThan(0n);
    expect(dirs[0]!.usableBytes).toBeGreaterThanOrEqual(0n);
    expect(dirs[0]!.usableBytes).toBeLessThanOrEqual(dirs[0]!.totalBytes);
    expect(statfsVolumeSpace(a).totalBytes).toBe(dirs[0]!.totalBytes);
  });

  test('an offline directory answers KAFKA_STORAGE_ERROR alone; an unreadable volume UNKNOWN_SERVER_ERROR, sizes -1', () => {
    const a = tmpDir('brook-dirs-off-');
    const missing = join(a, 'gone');
    const lm = manager([fakeLog(a, 'orders', 0, 10)], [a]);
    const dirs = describeLogDirs([a, missing], lm, rootLogger);
    expect(dirs).toEqual([
      { dir: a, error: ErrorCode.KAFKA_STORAGE_ERROR, topics: [], totalBytes: -1n, usableBytes: -1n },
      { dir: missing, error: ErrorCode.UNKNOWN_SERVER_ERROR, topics: [], totalBytes: -1n, usableBytes: -1n },
    ]);
  });

  test('volume sizes come from the given reader', () => {
    const a = tmpDir('brook-dirs-fake-');
    const [d] = describeLogDirs([a], manager([]), rootLogger, () => ({ totalBytes: 1000n, usableBytes: 250n }));
    expect(d).toEqual({ dir: a, error: ErrorCode.NONE, topics: [], totalBytes: 1000n, usableBytes: 250n });
  });
});
