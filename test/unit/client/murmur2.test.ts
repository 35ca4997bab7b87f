// murmur2 and the default partitioner: bit-for-bit agreement with kafkajs's Java-compatible murmur2.
import { murmur2, partitionForKey, toPositive } from '../../../src/client/murmur2';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: Buffer | string) => number;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('murmur2', () => {
  test('matches kafkajs (Java-compatible) for every tail length and random bytes', () => {
    const r = rng(42);
    for (let len = 0; len < 64; len++) {
      for (let k = 0; k < 20; k++) {
        const key = Buffer.alloc(len);
        for (let i = 0; i < len; i++) key[i] = Math.floor(r() * 256);
        expect(murmur2(key)).toBe(kafkajsMurmur2(key));
      }
    }
  });

  test('matches kafkajs for UTF-8 string keys', () => {
    for (const s of ['', 'a', 'ab', 'abc', 'abcd', 'order-17', 'ключ', '🔑-key', 'x'.repeat(1000)]) {
      expect(murmur2(Buffer.from(s, 'utf8'))).toBe(kafkajsMurmur2(Buffer.from(s, 'utf8')));
    }
  });

  test('toPositive clears the sign bit (MIN_VALUE maps to 0, unlike Math.abs)', () => {
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(5)).toBe(5);
  });

  test('partitionForKey is stable and within range', () => {
    const r = rng(7);
    for (let i = 0; i < 500; i++) {
      const key = Buffer.from(`key-${Math.floor(r() * 1e9)}`);
      const n = 1 + Math.floor(r() * 50);
      const p = partitionForKey(key, n);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(n);
      expect(partitionForKey(key, n)).toBe(p);
      expect(p).toBe(toPositive(kafkajsMurmur2(key)) % n);
    }
  });
});
