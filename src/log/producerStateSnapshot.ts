// Producer state snapshot files `<offset>.snapshot` (Kafka's format, shared/KAFKA-FORMATS.md §1.3): listing, encoding,
// decoding and durable writing. A snapshot holds the producer state of every offset below its name.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32c } from '../protocol/record/crc32c';
import { filenamePrefixFromOffset } from './LogSegment';
import { ProducerStateEntry, type BatchMetadata } from './producerStateEntry';

export const SNAPSHOT_SUFFIX = '.snapshot';
const SNAPSHOT_VERSION = 1;
const CRC_OFFSET = 2;
const ENTRIES_OFFSET = 6;
const ENTRY_SIZE = 46;

export function snapshotFile(dir: string, offset: bigint): string {
  return path.join(dir, filenamePrefixFromOffset(offset) + SNAPSHOT_SUFFIX);
}

export function listSnapshotOffsets(dir: string): bigint[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: bigint[] = [];
  for (const n of names) {
    const m = /^(\d{20})\.snapshot$/.exec(n);
    if (m) out.push(BigInt(m[1] as string));
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Kafka's snapshot layout: version int16, crc uint32 (CRC-32C of the rest), int32 count, 46-byte entries. */
export function encodeSnapshot(entries: Iterable<ProducerStateEntry>): Buffer {
  const list = [...entries];
  const buf = Buffer.alloc(ENTRIES_OFFSET + 4 + list.length * ENTRY_SIZE);
  buf.writeInt16BE(SNAPSHOT_VERSION, 0);
  buf.writeInt32BE(list.length, ENTRIES_OFFSET);
  let pos = ENTRIES_OFFSET + 4;
  for (const e of list) {
    buf.writeBigInt64BE(e.producerId, pos);
    buf.writeInt16BE(e.producerEpoch, pos + 8);
    buf.writeInt32BE(e.lastSeq, pos + 10);
    buf.writeBigInt64BE(e.lastDataOffset, pos + 14);
    buf.writeInt32BE(e.lastOffsetDelta, pos + 22);
    buf.writeBigInt64BE(e.lastTimestamp, pos + 26);
    buf.writeInt32BE(e.coordinatorEpoch, pos + 34);
    buf.writeBigInt64BE(e.currentTxnFirstOffset ?? -1n, pos + 38);
    pos += ENTRY_SIZE;
  }
  buf.writeUInt32BE(crc32c(buf.subarray(ENTRIES_OFFSET)), CRC_OFFSET);
  return buf;
}

/** Parses a snapshot; throws on a wrong version, CRC or length. Only the last batch of each producer is kept. */
export function decodeSnapshot(buf: Buffer, name = 'snapshot'): ProducerStateEntry[] {
  if (buf.length < ENTRIES_OFFSET + 4) throw new Error(`${name}: ${buf.length} bytes is too short`);
  const version = buf.readInt16BE(0);
  if (version !== SNAPSHOT_VERSION) throw new Error(`${name}: snapshot version ${version}, expected ${SNAPSHOT_VERSION}`);
  const crc = buf.readUInt32BE(CRC_OFFSET);
  const computed = crc32c(buf.subarray(ENTRIES_OFFSET));
  if (crc !== computed) throw new Error(`${name}: CRC ${computed} does not match the stored ${crc}`);
  const count = buf.readInt32BE(ENTRIES_OFFSET);
  if (count < 0 || buf.length !== ENTRIES_OFFSET + 4 + count * ENTRY_SIZE) throw new Error(`${name}: ${count} entries do not fill ${buf.length} bytes`);
  const out: ProducerStateEntry[] = [];
  let pos = ENTRIES_OFFSET + 4;
  for (let i = 0; i < count; i++, pos += ENTRY_SIZE) {
    const producerId = buf.readBigInt64BE(pos);
    const epoch = buf.readInt16BE(pos + 8);
    const lastSeq = buf.readInt32BE(pos + 10);
    const lastOffset = buf.readBigInt64BE(pos + 14);
    const offsetDelta = buf.readInt32BE(pos + 22);
    const timestamp = buf.readBigInt64BE(pos + 26);
    const coordinatorEpoch = buf.readInt32BE(pos + 34);
    const txnFirst = buf.readBigInt64BE(pos + 38);
    const batches: BatchMetadata[] = lastOffset >= 0n ? [{ lastSeq, lastOffset, offsetDelta, timestamp }] : [];
    out.push(new ProducerStateEntry(producerId, epoch, batches, coordinatorEpoch, timestamp, txnFirst >= 0n ? txnFirst : null));
  }
  return out;
}

export function readSnapshot(file: string): ProducerStateEntry[] {
  return decodeSnapshot(fs.readFileSync(file), path.basename(file));
}

export async function writeSnapshotFile(file: string, data: Buffer): Promise<void> {
  const fh = await fs.promises.open(file, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
