// Reusable large buffers: request frames (SocketServer), response frames (a follower's fetch connection) and log
// reads (the records of a fetch response). Every fresh large Buffer is a new external allocation: page faults when
// first written, and V8 answers the growth of external memory with full garbage collections (seen at one
// mark-compact every ~40 ms under a 1 MiB-per-request produce load, a quarter of the broker's time). A buffer whose
// user is done with it (Produce: the records are in the log when the handler returns; a fetch response: written to
// the socket) goes back here and carries the next large frame instead.

/** Frames smaller than this are not pooled (small allocations come from Node's own slab). */
export const POOL_MIN_BYTES = 64 * 1024;

export class FramePool {
  private readonly free = new Map<number, Buffer[]>();
  /** The backing stores of the frames handed out and not yet back (each pooled frame has its own ArrayBuffer). */
  private readonly out = new WeakMap<ArrayBufferLike, Buffer>();
  private pooledBytes = 0;

  /** @param maxPooledBytes upper bound on the bytes kept idle in the pool. */
  constructor(private readonly maxPooledBytes = 16 * 1024 * 1024, private readonly maxFrameBytes = 8 * 1024 * 1024) {}

  /** A buffer of exactly `size` bytes; from the pool when the size is in the pooled range. Contents undefined. */
  acquire(size: number): Buffer {
    if (size < POOL_MIN_BYTES || size > this.maxFrameBytes) return Buffer.allocUnsafe(size);
    const cls = sizeClass(size);
    const reused = this.free.get(cls)?.pop();
    if (reused !== undefined) this.pooledBytes -= cls;
    const backing = reused ?? Buffer.allocUnsafeSlow(cls);
    this.out.set(backing.buffer, backing);
    return backing.subarray(0, size);
  }

  /**
   * Gives a frame back for reuse: the frame from `acquire` or any view of it. Only frames still out are taken
   * (others, and a second release, are ignored); the caller promises that nothing reads or writes the frame, or any
   * view of it, afterwards.
   */
  release(frame: Buffer): void {
    const backing = this.out.get(frame.buffer);
    if (backing === undefined) return;
    this.out.delete(frame.buffer);
    if (this.pooledBytes + backing.length > this.maxPooledBytes) return;
    let list = this.free.get(backing.length);
    if (list === undefined) this.free.set(backing.length, (list = []));
    list.push(backing);
    this.pooledBytes += backing.length;
  }
}

/** Power-of-two size class (at least POOL_MIN_BYTES). */
function sizeClass(size: number): number {
  let c = POOL_MIN_BYTES;
  while (c < size) c *= 2;
  return c;
}
