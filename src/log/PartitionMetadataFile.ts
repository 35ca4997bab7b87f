// A partition directory's `partition.metadata` (KIP-516): the topic id the replica belongs to, in Kafka's text format,
// so a replica of a deleted-and-recreated topic of the same name is told apart from the new topic's.
import * as fs from 'fs';
import * as path from 'path';
import { ZERO_UUID, parseUuid } from '../util/uuid';
import { atomicWrite } from './checkpoints';

export const PARTITION_METADATA_FILE = 'partition.metadata';
const CURRENT_VERSION = 0;
/** Kafka's WhiteSpacesPattern: a key and its value are split at a colon followed by whitespace. */
const SEPARATOR = /:\s+/;

/** The file's content exactly as Kafka's PartitionMetadataFileFormatter writes it (no trailing newline). */
export function formatPartitionMetadata(topicId: string): string {
  return `version: ${CURRENT_VERSION}\ntopic_id: ${topicId}`;
}

/** Kafka's PartitionMetadataReadBuffer: version 0 only, a well-formed non-zero topic id; throws naming the file otherwise. */
export function parsePartitionMetadata(content: string, file: string): string {
  const lines = content.split('\n');
  const malformed = (line: string | undefined): Error => new Error(`Malformed line in checkpoint file (${file}): '${line ?? ''}'`);
  const versionLine = lines[0]?.split(SEPARATOR);
  if (versionLine?.length !== 2) throw malformed(lines[0]);
  if (!/^-?\d+$/.test(versionLine[1] as string)) throw malformed(lines[0]);
  if (Number(versionLine[1]) !== CURRENT_VERSION) throw new Error(`Unrecognized version of partition metadata file (${file}): ${versionLine[1]}`);
  const idLine = lines[1]?.split(SEPARATOR);
  if (idLine?.length !== 2) throw malformed(lines[1]);
  let topicId: string;
  try {
    topicId = parseUuid((idLine[1] as string).trim());
  } catch {
    throw malformed(lines[1]);
  }
  if (topicId === ZERO_UUID) throw new Error(`Invalid topic ID in partition metadata file (${file})`);
  return topicId;
}

export class PartitionMetadataFile {
  readonly file: string;

  constructor(dir: string) {
    this.file = path.join(dir, PARTITION_METADATA_FILE);
  }

  /** The recorded topic id; null when the file does not exist (a replica created before topic ids). */
  readSync(): string | null {
    let content: string;
    try {
      content = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    return parsePartitionMetadata(content, this.file);
  }

  /** Written to a .tmp file, fsynced and renamed, as Kafka's maybeFlush. */
  write(topicId: string): Promise<void> {
    return atomicWrite(this.file, formatPartitionMetadata(topicId));
  }
}
