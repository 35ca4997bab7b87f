// SkimpyOffsetMap: MD5 digests of keys → latest offset, bounded memory, growth, and a full map.
import { createHash, randomBytes } from 'crypto';
import { BYTES_PER_ENTRY, OffsetMapFullError, SkimpyOffsetMap, md5Words } from '../../../src/log/OffsetMap';

const key = (i: number): Buffer => Buffer.from(`key-${i}`);

describe('md5Words', () => {
  test('matches node:crypto for every length across block boundaries, and for a slice of a larger buffer', () => {
    const out = new Int32Array(4);
    for (let n = 0; n < 200; n++) {
      const data = randomBytes(n + 10);
      md5Words(data, 5, 5 + n, out);
      expect(Buffer.from(out.buffer).toString('hex')).toBe(createHash('md5').update(data.subarray(5, 5 + n)).digest('hex'));
    }
  });
});

describe('SkimpyOffsetMap', () => {
  test('keeps the latest offset per key; absent keys answer -1', () => {
    const m = new SkimpyOffsetMap(1 << 20, 0.9);
    for (let round = 0; round < 3; round++) for (let i = 0; i < 1000; i++) m.put(key(i), round * 1000 + i);
    expect(m.size).toBe(1000);
    for (let i = 0; i < 1000; i++) expect(m.get(key(i))).toBe(2000 + i);
    expect(m.get(Buffer.from('other'))).toBe(-1);
    expect(m.latestOffset).toBe(2999);
    // A key given as a slice of a larger buffer is the same key.
    const wrapped = Buffer.concat([Buffer.from('xx'), key(7), Buffer.from('yy')]);
    expect(m.get(wrapped, 2, 2 + key(7).length)).toBe(2007);
  });

  test('starts small and grows with the keys, never past its memory bound (old and new table counted together)', async () => {
    const memory = 8 * 1024 * 1024;
    const m = new SkimpyOffsetMap(memory, 0.9);
    m.put(key(0), 0);
    expect(m.bytesUsed).toBeLessThan(memory / 4);
    let largest = m.bytesUsed;
    let slices = 0;
    for (let i = 1; i < m.maxEntries; i++) {
      m.put(key(i), i);
      if (!m.wantsToGrow) continue;
      const previous = m.bytesUsed;
      await m.grow(async () => {
        slices++;
        expect(previous + m.bytesUsed).toBeLessThanOrEqual(memory); // both tables live while rehashing
      }, 0);
      expect(m.bytesUsed).toBeGreaterThan(previous);
      largest = m.bytesUsed;
    }
    expect(slices).toBeGreaterThan(10); // the rehash gave way between slices (sliceMs 0: after every step)
    expect(largest).toBe(m.capacitySlots * BYTES_PER_ENTRY);
    expect(largest).toBeGreaterThanOrEqual(memory / 2 - BYTES_PER_ENTRY);
    let wrong = 0;
    for (let i = 0; i < m.maxEntries; i++) if (m.get(key(i)) !== i) wrong++;
    expect(wrong).toBe(0);
  });

  test('a map nobody grows grows on its own before its table runs out of empty slots', () => {
    const m = new SkimpyOffsetMap(1 << 24, 0.5);
    for (let i = 0; i < 70_000; i++) m.put(key(i), i); // beyond the first table's 65,536 slots
    expect(m.size).toBe(70_000);
    expect(m.get(key(69_999))).toBe(69_999);
  });

  test('a full map refuses new keys (the cleaner then stops where the map ended) but still updates known ones', () => {
    const m = new SkimpyOffsetMap(BYTES_PER_ENTRY * 10, 0.9);
    expect(m.maxEntries).toBe(9);
    for (let i = 0; i < 9; i++) m.put(key(i), i);
    expect(m.isFull()).toBe(true);
    expect(() => m.put(key(100), 100)).toThrow(OffsetMapFullError);
    m.put(key(3), 50);
    expect(m.get(key(3))).toBe(50);
    expect(m.utilization).toBeCloseTo(0.9);
  });

  test('clear forgets keys and memory; too small a bound is refused', () => {
    const m = new SkimpyOffsetMap(1 << 20, 0.9);
    for (let i = 0; i < 100; i++) m.put(key(i), i);
    m.clear();
    expect(m.size).toBe(0);
    expect(m.bytesUsed).toBe(0);
    expect(m.latestOffset).toBe(-1);
    expect(m.get(key(1))).toBe(-1);
    expect(() => new SkimpyOffsetMap(BYTES_PER_ENTRY, 0.9)).toThrow(/cannot hold a single key/);
  });
});
