// Kafka's text checkpoint files (offset checkpoints per log dir, leader-epoch-checkpoint per partition): one
// CheckpointFile for the version/count/lines layout, one line codec per kind of entry, written atomically.
import * as fs from 'fs';
import * as fsp from 'fs/promises';
import * as path from 'path';

const VERSION = 0;

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

/** How one entry of a checkpoint file reads and writes as a line of whitespace-separated fields (Kafka's EntryFormatter). */
export interface EntryFormatter<T> {
  /** Fields on every line. */
  fields: number;
  format(entry: T): string;
  /** The entry of a line's fields; throws (naming `file`) when one is invalid. */
  parse(fields: string[], file: string): T;
}

/**
 * A checkpoint file (Kafka's CheckpointFile[T]): a version line, an entry count, then one line per entry. Reads are
 * strict, so a damaged file is noticed rather than half used; writes replace the file atomically.
 */
export class CheckpointFile<T> {
  constructor(
    readonly file: string,
    private readonly formatter: EntryFormatter<T>,
  ) {}

  /** Missing file → empty; malformed file → throws. */
  readSync(): T[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return this.parse(text);
  }

  writeSync(entries: Iterable<T>): void {
    atomicWriteSync(this.file, this.render(entries));
  }
  write(entries: Iterable<T>): Promise<void> {
    return atomicWrite(this.file, this.render(entries));
  }

  private render(entries: Iterable<T>): string {
    const lines = [...entries].map((e) => this.formatter.format(e));
    return `${VERSION}\n${lines.length}\n${lines.map((l) => `${l}\n`).join('')}`;
  }

  /** Parses the version/count/lines layout; throws on any deviation so callers can treat the file as corrupt. */
  private parse(text: string): T[] {
    const file = this.file;
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    if (lines[0]?.trim() !== String(VERSION)) throw new Error(`${file}: unrecognised version ${lines[0]}`);
    const count = Number(lines[1]);
    if (!Number.isInteger(count) || count < 0) throw new Error(`${file}: bad entry count ${lines[1]}`);
    if (lines.length - 2 !== count) throw new Error(`${file}: expected ${count} entries, found ${lines.length - 2}`);
    return lines.slice(2).map((l) => {
      const parts = l.trim().split(/\s+/);
      if (parts.length !== this.formatter.fields) throw new Error(`${file}: malformed line "${l}"`);
      return this.formatter.parse(parts, file);
    });
  }
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: bigint;
}

/** `topic partition offset` lines. */
export const offsetEntryFormatter: EntryFormatter<TopicPartitionOffset> = {
  fields: 3,
  format: (e) => `${e.topic} ${e.partition} ${e.offset}`,
  parse: ([topic, p, o], file) => {
    const partition = Number(p);
    if (!Number.isInteger(partition) || partition < 0) throw new Error(`${file}: bad partition ${p}`);
    return { topic: topic as string, partition, offset: BigInt(o as string) };
  },
};

/** recovery-point-offset-checkpoint, replication-offset-checkpoint, log-start-offset-checkpoint, cleaner-offset-checkpoint. */
export class OffsetCheckpointFile extends CheckpointFile<TopicPartitionOffset> {
  constructor(file: string) {
    super(file, offsetEntryFormatter);
  }

  /** Entries as a map keyed `topic-partition`. */
  readMapSync(): Map<string, bigint> {
    return new Map(this.readSync().map((e) => [`${e.topic}-${e.partition}`, e.offset]));
  }
}

export interface EpochEntry {
  epoch: number;
  startOffset: bigint;
}

/** `epoch startOffset` lines. */
export const epochEntryFormatter: EntryFormatter<EpochEntry> = {
  fields: 2,
  format: (e) => `${e.epoch} ${e.startOffset}`,
  parse: ([e, o]) => ({ epoch: Number(e), startOffset: BigInt(o as string) }),
};

/** <partition dir>/leader-epoch-checkpoint. */
export class LeaderEpochCheckpointFile extends CheckpointFile<EpochEntry> {
  constructor(file: string) {
    super(file, epochEntryFormatter);
  }
}
