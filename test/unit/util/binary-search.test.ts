// floorIndex: the last entry at or below a target, checked against a linear scan.
import { floorIndex } from '../../../src/util/binarySearch';

describe('floorIndex', () => {
  test('empty and out-of-range targets', () => {
    expect(floorIndex(0, () => true)).toBe(-1);
    const xs = [10, 20, 30];
    expect(floorIndex(xs.length, (i) => (xs[i] as number) <= 5)).toBe(-1);
    expect(floorIndex(xs.length, (i) => (xs[i] as number) <= 99)).toBe(2);
  });

  test('agrees with a linear scan on sorted arrays', () => {
    let seed = 7;
    const rnd = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    for (let round = 0; round < 200; round++) {
      const xs = Array.from({ length: rnd(40) }, () => rnd(100)).sort((a, b) => a - b);
      const target = rnd(110) - 5;
      let expected = -1;
      xs.forEach((x, i) => {
        if (x <= target) expected = i;
      });
      expect(floorIndex(xs.length, (i) => (xs[i] as number) <= target)).toBe(expected);
    }
  });
});
