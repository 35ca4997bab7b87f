import { FramePool, POOL_MIN_BYTES } from '../../../src/util/FramePool';

describe('FramePool', () => {
  test('small frames are plain allocations and are never taken back', () => {
    const pool = new FramePool();
    const a = pool.acquire(100);
    expect(a.length).toBe(100);
    pool.release(a);
    expect(pool.acquire(100)).not.toBe(a);
  });

  test('a released large frame backs the next frame of its size class', () => {
    const pool = new FramePool();
    const a = pool.acquire(POOL_MIN_BYTES * 3);
    expect(a.length).toBe(POOL_MIN_BYTES * 3);
    a.fill(7);
    pool.release(a);
    const b = pool.acquire(POOL_MIN_BYTES * 4); // same power-of-two class (4 x 64 KiB)
    expect(b.length).toBe(POOL_MIN_BYTES * 4);
    expect(b.buffer).toBe(a.buffer);
    // A frame still out is never handed out twice.
    const c = pool.acquire(POOL_MIN_BYTES * 4);
    expect(c.buffer).not.toBe(b.buffer);
  });

  test('only frames it handed out, once each, and only up to its idle bound', () => {
    const pool = new FramePool(POOL_MIN_BYTES * 2);
    const foreign = Buffer.allocUnsafe(POOL_MIN_BYTES * 2);
    pool.release(foreign);
    expect(pool.acquire(POOL_MIN_BYTES * 2).buffer).not.toBe(foreign.buffer);
    const a = pool.acquire(POOL_MIN_BYTES * 2);
    const b = pool.acquire(POOL_MIN_BYTES * 2);
    pool.release(a);
    pool.release(a); // twice: ignored
    pool.release(b); // over the idle bound: dropped
    const x = pool.acquire(POOL_MIN_BYTES * 2);
    const y = pool.acquire(POOL_MIN_BYTES * 2);
    expect(x.buffer).toBe(a.buffer);
    expect(y.buffer).not.toBe(a.buffer);
    expect(y.buffer).not.toBe(b.buffer);
  });

  test('frames above the largest pooled size are plain allocations', () => {
    const pool = new FramePool(64 * 1024 * 1024, 1024 * 1024);
    const big = pool.acquire(2 * 1024 * 1024);
    pool.release(big);
    expect(pool.acquire(2 * 1024 * 1024).buffer).not.toBe(big.buffer);
  });
});

describe('FramePool views', () => {
  test('giving back any view of a frame returns the frame once', () => {
    const pool = new FramePool();
    const frame = pool.acquire(POOL_MIN_BYTES * 2);
    const records = frame.subarray(100, 2000);
    pool.release(records);
    pool.release(frame.subarray(5, 10)); // the same frame again: ignored
    const next = pool.acquire(POOL_MIN_BYTES * 2);
    expect(next.buffer).toBe(frame.buffer);
    expect(pool.acquire(POOL_MIN_BYTES * 2).buffer).not.toBe(frame.buffer);
  });
});
