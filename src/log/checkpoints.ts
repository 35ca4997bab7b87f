// Kafka's text checkpoint files (offset checkpoints per log dir, leader-epoch-checkpoint per partition), written atomically.
import * as fs from 'fs';
import * as fsp from 'fs/promises';
import * as path from 'path';

const VERSION = 0;

function render(lines: string[]): string {
  return `${VERSION}\n${lines.length}\n${lines.map((l) => `${l}\n`).join('')}`;
}

/** Parses the version/count/lines layout; throws on any deviation so callers can treat the file as corrupt. */
function parse(file: string, text: string, fields: number): string[][] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines[0]?.trim() !== String(VERSION)) throw new Error(`${file}: unrecognised version ${lines[0]}`);
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count < 0) throw new Error(`${file}: bad entry count ${lines[1]}`);
  if (lines.length - 2 !== count) throw new Error(`${file}: expected ${count} entries, found ${lines.length - 2}`);
  return lines.slice(2).map((l) => {
    const parts = l.trim().split(/\s+/);
    if (parts.length !== fields) throw new Error(`${file}: malformed line "${l}"`);
    return parts;
  });
}

/** write .tmp, fsync, rename, fsync dir: the file is either the old or the new content after a crash. */
export function atomicWriteSync(file: string, content: string): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDirSync(path.dirname(file));
}

export async function atomicWrite(file: string, content: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const fh = await fsp.open(tmp, 'w');
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, file);
  await fsyncDir(path.dirname(file));
}

export function fsyncDirSync(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: bigint;
}

/** recovery-point-offset-checkpoint, replication-offset-checkpoint, log-start-offset-checkpoint. */
export class OffsetCheckpointFile {
  constructor(readonly file: string) {}

  /** Missing file → empty; malformed file → throws. */
  readSync(): TopicPartitionOffset[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return parse(this.file, text, 3).map(([topic, p, o]) => {
      const partition = Number(p);
      if (!Number.isInteger(partition) || partition < 0) throw new Error(`${this.file}: bad partition ${p}`);
      return { topic: topic as string, partition, offset: BigInt(o as string) };
    });
  }

  /** Entries as a map keyed `topic-partition`. */
  readMapSync(): Map<string, bigint> {
    return new Map(this.readSync().map((e) => [`${e.topic}-${e.partition}`, e.offset]));
  }

  private content(entries: Iterable<TopicPartitionOffset>): string {
    return render([...entries].map((e) => `${e.topic} ${e.partition} ${e.offset}`));
  }
  writeSync(entries: Iterable<TopicPartitionOffset>): void {
    atomicWriteSync(this.file, this.content(entries));
  }
  write(entries: Iterable<TopicPartitionOffset>): Promise<void> {
    return atomicWrite(this.file, this.content(entries));
  }
}

export interface EpochEntry {
  epoch: number;
  startOffset: bigint;
}

/** <partition dir>/leader-epoch-checkpoint: `epoch startOffset` lines. */
export class LeaderEpochCheckpointFile {
  constructor(readonly file: string) {}

  readSync(): EpochEntry[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return parse(this.file, text, 2).map(([e, o]) => ({ epoch: Number(e), startOffset: BigInt(o as string) }));
  }

  private content(entries: readonly EpochEntry[]): string {
    return render(entries.map((e) => `${e.epoch} ${e.startOffset}`));
  }
  writeSync(entries: readonly EpochEntry[]): void {
    atomicWriteSync(this.file, this.content(entries));
  }
  write(entries: readonly EpochEntry[]): Promise<void> {
    return atomicWrite(this.file, this.content(entries));
  }
}
