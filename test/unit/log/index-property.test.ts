// Property tests: offset and timestamp lookups through the sparse indexes agree with a brute-force scan.
import * as fs from 'fs';
import { readBatchHeader } from '../../../src/protocol/record/batch-header';
import { buildRecordBatchSync } from '../../../src/protocol/record/records';
import { OffsetIndex, TimeIndex } from '../../../src/log/indexes';
import { Log } from '../../../src/log/Log';
import { leader, openLog, tmpDir } from './helpers';

/** Small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

interface Truth {
  base: bigint;
  last: bigint;
  maxTs: bigint;
  /** Each record's timestamp, in offset order. */
  timestamps: bigint[];
}

describe.each([1, 2, 3])('random log (seed %d)', (seed) => {
  let dir: string;
  let log: Log;
  const truth: Truth[] = [];
  beforeAll(async () => {
    dir = tmpDir();
    const r = rng(seed);
    log = openLog(dir, { 'segment.bytes': 3000 + Math.floor(r() * 3000), 'index.interval.bytes': Math.floor(r() * 600), 'retention.ms': -1 });
    for (let i = 0; i < 250; i++) {
      const count = 1 + Math.floor(r() * 5);
      const size = Math.floor(r() * (r() < 0.1 ? 500 : 120));
      // Timestamps mostly rising with some going backwards, as producers' clocks do.
      const ts = BigInt(1_000_000 + i * 10 + Math.floor((r() - 0.3) * 200));
      const records = Array.from({ length: count }, (_, j) => ({ value: Buffer.alloc(size, j), timestamp: ts + BigInt(j) }));
      const info = await log.append(buildRecordBatchSync({ records }), leader);
      truth.push({ base: info.firstOffset, last: info.lastOffset, maxTs: info.maxTimestamp, timestamps: records.map((x) => x.timestamp) });
    }
  });
  afterAll(async () => {
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('has several segments', () => {
    expect(log.numberOfSegments).toBeGreaterThan(3);
  });

  it('finds the batch holding every offset', async () => {
    for (const t of truth) {
      for (const o of new Set([t.base, t.last, (t.base + t.last) / 2n])) {
        const r = await log.read(o, 1);
        const h = readBatchHeader(r.records);
        expect(h.baseOffset).toBe(t.base);
      }
    }
  });

  it('finds by timestamp the first record (offset order) whose timestamp reaches the target', async () => {
    const r = rng(seed + 100);
    const lo = truth.reduce((m, t) => (t.maxTs < m ? t.maxTs : m), truth[0]!.maxTs);
    const hi = truth.reduce((m, t) => (t.maxTs > m ? t.maxTs : m), 0n);
    const records = truth.flatMap((t) => t.timestamps.map((ts, j) => ({ offset: t.base + BigInt(j), ts })));
    for (let k = 0; k < 200; k++) {
      const target = lo - 5n + BigInt(Math.floor(r() * Number(hi - lo + 10n)));
      const expected = records.find((x) => x.ts >= target);
      const got = await log.fetchOffsetByTimestamp(target);
      if (!expected) expect(got).toBeNull();
      else expect([got?.offset, got?.timestamp]).toEqual([expected.offset, expected.ts]);
    }
  });
});

describe('index structures', () => {
  it('OffsetIndex lookup equals the brute-force floor and survives persist/load', async () => {
    const dir = tmpDir();
    const idx = new OffsetIndex(`${dir}/x.index`, 1000n, 8 * 1000);
    const entries: [bigint, number][] = [];
    let o = 1000n;
    let p = 0;
    for (let i = 0; i < 500; i++) {
      o += BigInt(1 + (i % 7));
      p += 10 + (i % 13);
      idx.append(o, p);
      entries.push([o, p]);
    }
    const brute = (t: bigint): [bigint, number] => {
      let best: [bigint, number] = [1000n, 0];
      for (const e of entries) if (e[0] <= t) best = e;
      return best;
    };
    for (let t = 990n; t < o + 5n; t += 3n) {
      const got = idx.lookup(t);
      expect([got.offset, got.position]).toEqual(brute(t));
    }
    await idx.persist();
    const again = new OffsetIndex(`${dir}/x.index`, 1000n, 8 * 1000);
    expect(again.loadSync()).toBe(true);
    expect(again.entries).toBe(500);
    expect(again.lookup(o)).toEqual(idx.lookup(o));
    idx.truncateToOffset(entries[100]![0]);
    expect(idx.entries).toBe(100);
    await idx.persist();
    expect(fs.statSync(`${dir}/x.index`).size).toBe(800);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('TimeIndex keeps only growing timestamps and looks up the floor entry', () => {
    const ti = new TimeIndex('/nonexistent/x.timeindex', 0n, 12 * 100);
    ti.maybeAppend(100n, 1n);
    ti.maybeAppend(90n, 2n); // ignored: not greater
    ti.maybeAppend(150n, 5n);
    expect(ti.entries).toBe(2);
    expect(ti.lookup(99n)).toEqual({ timestamp: -1n, offset: 0n });
    expect(ti.lookup(100n)).toEqual({ timestamp: 100n, offset: 1n });
    expect(ti.lookup(149n)).toEqual({ timestamp: 100n, offset: 1n });
    expect(ti.lookup(1000n)).toEqual({ timestamp: 150n, offset: 5n });
  });
});
