// Reusable buffers for large request frames. Every fresh large Buffer is a new external allocation: page faults
// when first written, and V8 answers the growth of external memory with full garbage collections (seen at one
// mark-compact every ~40 ms under a 1 MiB-per-request produce load, a quarter of the broker's time). Frames whose
// handler does not keep any part of the request (Produce: the records are in the log when it returns) go back
// here and carry the next large frame instead.

/** Frames smaller than this are not pooled (small allocations come from Node's own slab). */
export const POOL_MIN_BYTES = 64 * 1024;

export class FramePool {
  private readonly free = new Map<number, Buffer[]>();
  /** The exact frames this pool handed out and not yet got back, with the backing buffer of each. */
  private readonly out = new WeakMap<Buffer, Buffer>();
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
    const frame = backing.subarray(0, size);
    this.out.set(frame, backing);
    return frame;
  }

  /**
   * Gives a frame back for reuse. Only frames from `acquire` that are still out are taken; the caller promises
   * that nothing reads or writes the frame (or any view of it) afterwards.
   */
  release(frame: Buffer): void {
    const backing = this.out.get(frame);
    if (backing === undefined) return;
    this.out.delete(frame);
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
