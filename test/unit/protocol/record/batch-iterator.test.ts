// BatchIterator: the one walk over batches laid end to end, by their length fields.
import { BATCH_LENGTH, BatchIterator, iterateBatches } from '../../../../src/protocol/record/batch-header';
import { buildRecordBatchSync } from '../../../../src/protocol/record/records';

const batch = (n: number): Buffer => buildRecordBatchSync({ baseOffset: BigInt(n * 10), records: Array.from({ length: n }, (_, i) => ({ value: Buffer.alloc(20 + i, 1), timestamp: 1000n + BigInt(i) })) });

function walk(it: BatchIterator): Array<[number, number, bigint]> {
  const out: Array<[number, number, bigint]> = [];
  while (it.next()) out.push([it.position, it.size, it.lastOffset]);
  return out;
}

describe('BatchIterator', () => {
  const parts = [batch(1), batch(2), batch(3)];
  const buf = Buffer.concat(parts);
  const [a, b, c] = parts.map((p) => p.length) as [number, number, number];

  test('visits every whole batch and stops after the last', () => {
    const it = new BatchIterator(buf, 0, buf.length);
    expect(walk(it)).toEqual([
      [0, a, 10n],
      [a, b, 21n],
      [a + b, c, 32n],
    ]);
    expect(it.position).toBe(buf.length);
    expect(it.size).toBe(0);
  });

  test('stops at an incomplete batch, its position left there', () => {
    const it = new BatchIterator(buf, 0, buf.length - 1);
    expect(walk(it).length).toBe(2);
    expect(it.position).toBe(a + b);
  });

  test('headers only: batches bounded by end, headers by what was read', () => {
    // Only the first batch and the next header were read; the batches reach to `end`.
    const it = new BatchIterator(buf.subarray(0, a + 61), 0, buf.length, a + 61);
    expect(walk(it).map(([p]) => p)).toEqual([0, a]);
    expect(it.position).toBe(a + b);
  });

  test('stops at a length no batch can have', () => {
    const bad = Buffer.from(buf);
    bad.writeInt32BE(10, a + BATCH_LENGTH);
    const it = new BatchIterator(bad, 0, bad.length);
    expect(walk(it).length).toBe(1);
    expect(it.position).toBe(a);
  });

  test('iterateBatches yields the same batches with their headers', () => {
    expect([...iterateBatches(buf)].map((v) => [v.position, v.size, v.header.baseOffset])).toEqual([
      [0, a, 10n],
      [a, b, 20n],
      [a + b, c, 30n],
    ]);
  });
});
