// Reassembles Kafka's size-prefixed frames (int32 size, then that many bytes) from the chunks a socket delivers.
// The one frame splitter of both sides: the client connection and the broker's SocketServer each decide, from
// peekSize(), whether a frame is acceptable (their own limits) before anything is allocated for it.

/** Bytes of the int32 size prefix in front of every request and response. */
export const SIZE_PREFIX_BYTES = 4;

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private bytes = 0;

  /** Bytes received and not yet taken (size prefixes included). */
  get buffered(): number {
    return this.bytes;
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  /** The size prefix of the next frame; only call with at least SIZE_PREFIX_BYTES buffered. */
  peekSize(): number {
    const first = this.chunks[0]!;
    if (first.length >= SIZE_PREFIX_BYTES) return first.readInt32BE(0);
    return Buffer.concat(this.chunks, SIZE_PREFIX_BYTES).readInt32BE(0);
  }

  /** Whether the next frame, whose prefix says `size`, has arrived whole. */
  hasFrame(size: number): boolean {
    return this.bytes >= SIZE_PREFIX_BYTES + size;
  }

  /**
   * Removes the next frame (prefix and `size` bytes; check hasFrame first) and returns its body: a view of the chunk
   * when it lies within one, otherwise a copy into `alloc(size)` (a fresh buffer by default, e.g. a pooled one).
   */
  takeFrame(size: number, alloc: (n: number) => Buffer = Buffer.allocUnsafe): Buffer {
    this.take(SIZE_PREFIX_BYTES, null);
    if (size === 0) return Buffer.alloc(0);
    return this.take(size, alloc)!;
  }

  /** Drops everything buffered (the connection is closing or refused a frame). */
  clear(): void {
    this.chunks = [];
    this.bytes = 0;
  }

  /** Removes exactly n bytes from the front; copies them out only when `alloc` is given and they span chunks. */
  private take(n: number, alloc: ((n: number) => Buffer) | null): Buffer | null {
    const first = this.chunks[0]!;
    let out: Buffer | null = null;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = alloc ? alloc(n) : null;
      let off = 0;
      while (off < n) {
        const c = this.chunks[0]!;
        const k = Math.min(c.length, n - off);
        if (out) c.copy(out, off, 0, k);
        off += k;
        if (k === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      }
    }
    this.bytes -= n;
    return out;
  }
}

/**
 * Frames read straight out of a buffer the socket reuses for every read (net.connect's `onread`): each read's bytes
 * are copied at once into the frame they belong to, allocated (`alloc`, e.g. from a pool) as soon as its size
 * prefix is known. Node otherwise allocates a fresh buffer for every read, and at ~64 KiB apiece a large response is
 * dozens of external allocations, which V8 answers with full garbage collections.
 */
export class CopyingFrameReader {
  private readonly prefix = Buffer.alloc(SIZE_PREFIX_BYTES);
  private prefixBytes = 0;
  private frame: Buffer | null = null;
  private filled = 0;

  /**
   * @param accept checks a frame's size before anything is allocated for it; false stops reading (the caller closes)
   * @param onFrame gets each whole frame body (without its prefix), which it then owns
   */
  constructor(
    private readonly alloc: (size: number) => Buffer,
    private readonly accept: (size: number) => boolean,
    private readonly onFrame: (frame: Buffer) => void,
  ) {}

  /** Takes `bytes` (valid only during this call); false once a frame size was refused. */
  read(bytes: Buffer): boolean {
    let off = 0;
    while (off < bytes.length) {
      if (this.frame === null) {
        const k = Math.min(SIZE_PREFIX_BYTES - this.prefixBytes, bytes.length - off);
        bytes.copy(this.prefix, this.prefixBytes, off, off + k);
        this.prefixBytes += k;
        off += k;
        if (this.prefixBytes < SIZE_PREFIX_BYTES) return true;
        this.prefixBytes = 0;
        const size = this.prefix.readInt32BE(0);
        if (!this.accept(size)) return false;
        this.frame = size === 0 ? Buffer.alloc(0) : this.alloc(size);
        this.filled = 0;
      }
      const k = Math.min(this.frame.length - this.filled, bytes.length - off);
      bytes.copy(this.frame, this.filled, off, off + k);
      this.filled += k;
      off += k;
      if (this.filled === this.frame.length) {
        const done = this.frame;
        this.frame = null;
        this.onFrame(done);
      }
    }
    return true;
  }

  /** Bytes of an unfinished frame held (prefix included). */
  get partialBytes(): number {
    return this.frame === null ? this.prefixBytes : SIZE_PREFIX_BYTES + this.filled;
  }
}
