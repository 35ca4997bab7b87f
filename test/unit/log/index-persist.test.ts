// Index persistence against concurrent truncation: persists of one index are serialised, encode before they await,
// and a truncation during a write never leaves stale entries in the file (they would be trusted after a clean restart).
import * as fs from 'fs';
import * as path from 'path';
import { OffsetIndex, TimeIndex } from '../../../src/log/indexes';
import { tmpDir } from './helpers';

let dir: string;
beforeEach(() => {
  dir = tmpDir('brook-index-');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The (relative offset, position) pairs in an offset index file. */
function onDisk(file: string): Array<[number, number]> {
  const buf = fs.readFileSync(file);
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 8 <= buf.length; i += 8) out.push([buf.readInt32BE(i), buf.readInt32BE(i + 4)]);
  return out;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('OffsetIndex persistence with truncation in flight', () => {
  it.each([0, 1, 2, 3])('a truncation and re-append while a persist is in flight (after %i event-loop turns) leaves the file equal to memory', async (turns) => {
    const file = path.join(dir, `${turns}.index`);
    const idx = new OffsetIndex(file, 1000n, 1 << 20);
    for (let i = 0; i < 10; i++) idx.append(1000n + BigInt(i * 10), i * 100 + 1);
    await idx.persist();
    for (let i = 10; i < 20; i++) idx.append(1000n + BigInt(i * 10), i * 100 + 1);
    const first = idx.persist(); // captures 20 entries
    for (let t = 0; t < turns; t++) await tick();
    idx.truncateToPosition(501); // keeps 5 entries
    for (let i = 5; i < 8; i++) idx.append(1000n + BigInt(i * 10 + 5), i * 100 + 50); // different entries at 5..7
    const second = idx.persist();
    await Promise.all([first, second]);
    await idx.persist(); // what close() does
    expect(idx.entries).toBe(8);
    expect(fs.statSync(file).size).toBe(8 * 8);
    const expected: Array<[number, number]> = [];
    for (let i = 0; i < 5; i++) expected.push([i * 10, i * 100 + 1]);
    for (let i = 5; i < 8; i++) expected.push([i * 10 + 5, i * 100 + 50]);
    expect(onDisk(file)).toEqual(expected);
    // And a fresh load trusts exactly those.
    const fresh = new OffsetIndex(file, 1000n, 1 << 20);
    expect(fresh.loadSync()).toBe(true);
    expect(fresh.entries).toBe(8);
    expect(fresh.lastEntry()).toEqual(idx.lastEntry());
  });

  it('persists of one index run one after another', async () => {
    const file = path.join(dir, 'serial.index');
    const idx = new OffsetIndex(file, 0n, 1 << 20);
    const done: number[] = [];
    const runs = [];
    for (let k = 0; k < 5; k++) {
      idx.append(BigInt(k * 10), k * 10 + 1);
      runs.push(idx.persist().then(() => done.push(k)));
    }
    await Promise.all(runs);
    expect(done).toEqual([0, 1, 2, 3, 4]);
    expect(fs.statSync(file).size).toBe(5 * 8);
  });

  it('TimeIndex: a truncation during a persist trims the file to what memory holds', async () => {
    const file = path.join(dir, 't.timeindex');
    const idx = new TimeIndex(file, 0n, 1 << 20);
    for (let i = 0; i < 20; i++) idx.maybeAppend(BigInt(1000 + i), BigInt(i * 3), true);
    const first = idx.persist();
    await tick();
    idx.truncateToOffset(15n); // keeps offsets 0..12: 5 entries
    await Promise.all([first, idx.persist()]);
    expect(idx.entries).toBe(5);
    expect(fs.statSync(file).size).toBe(5 * 12);
    const fresh = new TimeIndex(file, 0n, 1 << 20);
    fresh.loadSync();
    expect(fresh.lastEntry()).toEqual(idx.lastEntry());
  });
});
