// Record-batch compression codecs (Kafka attribute bits 0-2): gzip, snappy, lz4 (frame format) and zstd.
// The native codecs load on first use: most brokers never see snappy, lz4 or zstd, and loading all three
// cost 30-40 ms of start-up and several MB of resident memory (issue #20).
import * as zlib from 'zlib';
import { promisify } from 'util';
import type * as Snappy from 'snappy';
import type * as Lz4 from 'lz4-napi';
import type * as Zstd from '@mongodb-js/zstd';

let snappyMod: typeof Snappy | undefined;
let lz4Mod: typeof Lz4 | undefined;
let zstdMod: typeof Zstd | undefined;
const snappy = (): typeof Snappy => (snappyMod ??= require('snappy') as typeof Snappy);
const lz4 = (): typeof Lz4 => (lz4Mod ??= require('lz4-napi') as typeof Lz4);
const zstd = (): typeof Zstd => (zstdMod ??= require('@mongodb-js/zstd') as typeof Zstd);

export enum CompressionType {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

export class UnsupportedCompressionError extends Error {
  constructor(readonly codec: number) {
    super(`unsupported compression codec ${codec}`);
    this.name = 'UnsupportedCompressionError';
  }
}

// Java producers frame snappy like xerial's SnappyOutputStream; librdkafka and kafkajs write raw snappy.
// Readers must accept both, so the framing is detected by its 8-byte magic.
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16; // magic + int32 version + int32 minimum compatible version
const XERIAL_BLOCK = 32 * 1024;

export function isXerialFramed(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_SIZE && data.subarray(0, 8).equals(XERIAL_MAGIC);
}

/** The compressed blocks of a xerial-framed snappy payload. */
function xerialBlocks(data: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  let pos = XERIAL_HEADER_SIZE;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw new Error('truncated xerial snappy block length');
    const len = data.readInt32BE(pos);
    pos += 4;
    if (len < 0 || pos + len > data.length) throw new Error('truncated xerial snappy block');
    blocks.push(data.subarray(pos, pos + len));
    pos += len;
  }
  return blocks;
}

function snappyDecompress(data: Buffer): Buffer {
  if (!isXerialFramed(data)) return toBuffer(snappy().uncompressSync(data));
  return Buffer.concat(xerialBlocks(data).map((b) => toBuffer(snappy().uncompressSync(b))));
}

/** Xerial-framed snappy, as the Java producer writes it (every Kafka client reads it). */
function snappyCompressXerial(data: Buffer): Buffer {
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  const parts: Buffer[] = [header];
  for (let pos = 0; pos < data.length; pos += XERIAL_BLOCK) {
    const block = snappy().compressSync(data.subarray(pos, Math.min(data.length, pos + XERIAL_BLOCK)));
    const len = Buffer.alloc(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}

function toBuffer(x: string | Buffer): Buffer {
  return typeof x === 'string' ? Buffer.from(x) : x;
}

/** Compresses synchronously; zstd is only available through the async {@link compress}. */
export function compressSync(type: CompressionType, data: Buffer): Buffer {
  switch (type) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      return zlib.gzipSync(data);
    case CompressionType.Snappy:
      return snappyCompressXerial(data);
    case CompressionType.Lz4:
      return lz4().compressFrameSync(data);
    default:
      throw new UnsupportedCompressionError(type);
  }
}

export function decompressSync(type: CompressionType, data: Buffer): Buffer {
  switch (type) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      return zlib.gunzipSync(data);
    case CompressionType.Snappy:
      return snappyDecompress(data);
    case CompressionType.Lz4:
      return lz4().decompressFrameSync(data);
    default:
      throw new UnsupportedCompressionError(type);
  }
}

const gzipAsync = promisify(zlib.gzip);
const gunzipAsync = promisify(zlib.gunzip);
/** Below this, a codec call costs less than a trip to the thread pool: done in place. */
const ASYNC_MIN_BYTES = 16 * 1024;

async function snappyDecompressAsync(data: Buffer): Promise<Buffer> {
  if (!isXerialFramed(data)) return toBuffer(await snappy().uncompress(data));
  const parts = await Promise.all(xerialBlocks(data).map(async (b) => toBuffer(await snappy().uncompress(b))));
  return Buffer.concat(parts);
}

/** Compresses on libuv's thread pool (every codec), so large batches never hold the event loop. */
export async function compress(type: CompressionType, data: Buffer): Promise<Buffer> {
  if (type === CompressionType.Zstd) return zstd().compress(data, 3);
  if (data.length < ASYNC_MIN_BYTES) return compressSync(type, data);
  switch (type) {
    case CompressionType.Gzip:
      return gzipAsync(data);
    case CompressionType.Lz4:
      return lz4().compressFrame(data);
    default:
      // Xerial-framed snappy is a sequence of 32 KiB blocks; each is quick. None is a no-op.
      return compressSync(type, data);
  }
}

/** Decompresses on libuv's thread pool (every codec), so large batches never hold the event loop. */
export async function decompress(type: CompressionType, data: Buffer): Promise<Buffer> {
  if (type === CompressionType.Zstd) return zstd().decompress(data);
  if (data.length < ASYNC_MIN_BYTES) return decompressSync(type, data);
  switch (type) {
    case CompressionType.Gzip:
      return gunzipAsync(data);
    case CompressionType.Snappy:
      return snappyDecompressAsync(data);
    case CompressionType.Lz4:
      return lz4().decompressFrame(data);
    default:
      return decompressSync(type, data);
  }
}
