// Reads at the log's tail: a segment remembers the batches it appended last and serves reads of them without
// scanning headers in the file; small writes and reads of them are synchronous, large ones go to the thread pool.
// Whatever the path, a read returns exactly what a read of the same log after a reopen (file scan only) returns.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { iterateBatches } from '../../../src/protocol/record/batch-header';
import { Log } from '../../../src/log/Log';
import { batch, leader, openLog, tmpDir } from './helpers';

let dir: string;
let log: Log;
beforeEach(() => {
  dir = tmpDir();
});
afterEach(async () => {
  await log?.close().catch(() => undefined);
});

/** Every read this test compares: at each offset (batch starts and middles), with small and large limits. */
async function readsAt(l: Log, offsets: bigint[]): Promise<string[]> {
  const out: string[] = [];
  for (const o of offsets) {
    for (const max of [1, 5000, 300 * 1024, 4 * 1024 * 1024]) {
      const r = await l.read(o, max);
      out.push(`${o}/${max}: ${r.nextOffset} ${r.records.length} ${createHash('sha256').update(r.records).digest('hex')}`);
    }
  }
  return out;
}

describe('tail reads', () => {
  it('small and large batches, read at the tail and again after a reopen, give the same bytes', async () => {
    log = openLog(dir, { 'segment.bytes': 64 * 1024 * 1024 });
    const offsets: bigint[] = [];
    // Sizes on both sides of the synchronous write and read limit (256 KiB), and runs longer than the batches a
    // segment remembers, so reads near the start go to the file.
    const sizes = [...Array.from({ length: 90 }, (_x, i) => 10 + (i % 7) * 100), 300 * 1024, 50, 900 * 1024, 200 * 1024, 70];
    for (const [i, size] of sizes.entries()) {
      const count = size > 100 * 1024 ? 1 : 1 + (i % 3);
      const info = await log.append(batch(count, size, 1000n, i), leader);
      offsets.push(info.firstOffset, info.lastOffset);
    }
    const live = await readsAt(log, offsets);
    await log.close();
    log = openLog(dir, { 'segment.bytes': 64 * 1024 * 1024 });
    expect(await readsAt(log, offsets)).toEqual(live);
    // And the file holds every batch once, in order.
    const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.log'));
    expect(files).toHaveLength(1);
    const bytes = fs.readFileSync(path.join(dir, files[0]!));
    expect([...iterateBatches(bytes)].map((b) => b.header.baseOffset)).toEqual(offsets.filter((_o, i) => i % 2 === 0));
  });

  it('across segment rolls, reads give what a reopened log gives', async () => {
    const cfg = { 'segment.bytes': 6000 };
    log = openLog(dir, cfg);
    const offsets: bigint[] = [];
    for (let i = 0; i < 60; i++) {
      const info = await log.append(batch(1 + (i % 4), 50 + (i % 5) * 200, 1000n, i), leader);
      offsets.push(info.firstOffset, info.lastOffset);
    }
    expect(log.numberOfSegments).toBeGreaterThan(5);
    const live = await readsAt(log, offsets);
    await log.close();
    log = openLog(dir, cfg);
    expect(await readsAt(log, offsets)).toEqual(live);
  });

  it('after a truncation, reads at the cut see the new batches, not the old positions', async () => {
    log = openLog(dir);
    for (let i = 0; i < 10; i++) await log.append(batch(2, 100, 1000n, i), leader);
    await log.truncateTo(10n);
    expect(log.logEndOffset).toBe(10n);
    const replaced = batch(3, 700, 1000n, 99);
    await log.append(replaced, { assignOffsets: true, leaderEpoch: 1 });
    const r = await log.read(10n, 1 << 20);
    const got = [...iterateBatches(r.records)];
    expect(got.map((b) => [b.header.baseOffset, b.header.lastOffsetDelta, b.header.partitionLeaderEpoch])).toEqual([[10n, 2, 1]]);
    expect(r.nextOffset).toBe(13n);
    // Reading in the middle of the new batch returns the whole batch, as from the file.
    expect((await log.read(12n, 1 << 20)).records).toEqual(r.records);
  });

  it('a fetch above the log end offset finds nothing at the tail', async () => {
    log = openLog(dir);
    for (let i = 0; i < 3; i++) await log.append(batch(1, 10, 1000n, i), leader);
    const r = await log.read(3n, 1 << 20);
    expect(r.records.length).toBe(0);
    await expect(log.read(4n, 1 << 20)).rejects.toMatchObject({ code: expect.anything() });
  });
});
