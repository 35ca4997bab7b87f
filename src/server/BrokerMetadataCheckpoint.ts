// Reads and writes <log.dir>/meta.properties, which ties a log dir to one broker id and one cluster.
import { mkdirSync, readFileSync, writeFileSync, renameSync, openSync, fsyncSync, closeSync, accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { parseProperties } from '../config/properties';

export interface BrokerMetadata {
  brokerId: number;
  clusterId: string | null;
}

export class LogDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogDirError';
  }
}

/** Makes sure `dir` exists and is writable; throws a LogDirError naming the directory and the cause. */
export function ensureWritableDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK | constants.R_OK);
    const probe = join(dir, '.brook-write-test');
    writeFileSync(probe, 'ok');
    renameSync(probe, probe + '.done');
    require('node:fs').unlinkSync(probe + '.done');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new LogDirError(`log dir ${dir} is not writable (${err.code ?? err.message}); fix its permissions or point log.dirs elsewhere`);
  }
}

export function readBrokerMetadata(dir: string): BrokerMetadata | null {
  let text: string;
  try {
    text = readFileSync(join(dir, 'meta.properties'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new LogDirError(`cannot read ${join(dir, 'meta.properties')}: ${(e as Error).message}`);
  }
  const p = parseProperties(text);
  const id = Number(p.get('broker.id'));
  if (!Number.isInteger(id)) throw new LogDirError(`${join(dir, 'meta.properties')} has no valid broker.id`);
  return { brokerId: id, clusterId: p.get('cluster.id') ?? null };
}

export function writeBrokerMetadata(dir: string, meta: BrokerMetadata): void {
  const lines = ['#', `#${new Date().toString()}`];
  if (meta.clusterId) lines.push(`cluster.id=${meta.clusterId}`);
  lines.push('version=0', `broker.id=${meta.brokerId}`, '');
  const path = join(dir, 'meta.properties');
  const tmp = path + '.tmp';
  writeFileSync(tmp, lines.join('\n'));
  const fd = openSync(tmp, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
}

/**
 * Checks every log dir against this broker's id and the cluster id, writing meta.properties where absent.
 * Refuses a dir that belongs to another broker or another cluster, as Kafka does.
 */
export function checkLogDirsOwnership(dirs: string[], brokerId: number, clusterId: string): void {
  const problems: string[] = [];
  for (const dir of dirs) {
    const meta = readBrokerMetadata(dir);
    if (meta === null) {
      writeBrokerMetadata(dir, { brokerId, clusterId });
      continue;
    }
    if (meta.brokerId !== brokerId) {
      problems.push(`log dir ${dir} belongs to broker.id ${meta.brokerId} but this broker is ${brokerId} (meta.properties); use a different log dir or the matching broker.id`);
    }
    if (meta.clusterId !== null && meta.clusterId !== clusterId) {
      problems.push(`log dir ${dir} belongs to cluster ${meta.clusterId} but ZooKeeper holds cluster ${clusterId}; point zookeeper.connect at the right cluster or use an empty log dir`);
    }
    if (meta.clusterId === null) writeBrokerMetadata(dir, { brokerId, clusterId });
  }
  if (problems.length > 0) throw new LogDirError(problems.join('\n'));
}
