// The log with idempotent producers: duplicates answered with the original offsets and not written, refused
// sequences write nothing, followers replay, and the state survives a crash (log only, or snapshot plus log),
// truncation and retention.
import * as fs from 'fs';
import * as path from 'path';
import { buildRecordBatchSync } from '../../../src/protocol/record/records';
import { LogErrorCode } from '../../../src/log/errors';
import type { Log } from '../../../src/log/Log';
import { FakeClock, openLog, tmpDir } from './helpers';

let dir: string;
const open: Log[] = [];
beforeEach(() => {
  dir = tmpDir();
});
afterEach(async () => {
  for (const l of open.splice(0)) await l.close().catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

const leader = { assignOffsets: true, leaderEpoch: 0 } as const;
const follower = { assignOffsets: false, leaderEpoch: 0 } as const;

function pbatch(producerId: bigint, epoch: number, baseSequence: number, count: number, timestamp = 1_000_000n): Buffer {
  return buildRecordBatchSync({ producerId, producerEpoch: epoch, baseSequence, records: Array.from({ length: count }, (_, i) => ({ value: Buffer.alloc(60, i), timestamp })) });
}

function logAt(cfg: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Log {
  const l = openLog(dir, { 'segment.bytes': 100000, ...cfg }, { clock: new FakeClock(1_000_000), ...extra });
  open.push(l);
  return l;
}

/** The state in comparable form: id -> [epoch, lastSeq, lastOffset, lastTimestamp]. */
function state(l: Log): Array<[string, number, number, string, string]> {
  return [...l.activeProducers()].map(([id, e]) => [id.toString(), e.producerEpoch, e.lastSeq, e.lastDataOffset.toString(), e.lastTimestamp.toString()] as [string, number, number, string, string]).sort();
}

async function writeProducers(l: Log, batches: number): Promise<bigint[]> {
  const firstOffsets: bigint[] = [];
  const seq = new Map<bigint, number>();
  for (let i = 0; i < batches; i++) {
    const id = BigInt(1 + (i % 3));
    const s = seq.get(id) ?? 0;
    firstOffsets.push((await l.append(pbatch(id, 0, s, 4), leader)).firstOffset);
    seq.set(id, s + 4);
  }
  return firstOffsets;
}

describe('Log with idempotent producers', () => {
  it('a retried batch is answered with its original offsets and not written again', async () => {
    const l = logAt();
    const first = await l.append(pbatch(7n, 0, 0, 5), leader);
    await l.append(pbatch(7n, 0, 5, 5), leader);
    const leo = l.logEndOffset;
    const dup = await l.append(pbatch(7n, 0, 0, 5), leader);
    expect(dup.firstOffset).toBe(first.firstOffset);
    expect(dup.lastOffset).toBe(first.lastOffset);
    expect(l.logEndOffset).toBe(leo);
  });

  it('an out-of-order sequence or a stale epoch writes nothing', async () => {
    const l = logAt();
    await l.append(pbatch(7n, 2, 0, 5), leader);
    const leo = l.logEndOffset;
    await expect(l.append(pbatch(7n, 2, 9, 1), leader)).rejects.toMatchObject({ code: LogErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    await expect(l.append(pbatch(7n, 1, 5, 1), leader)).rejects.toMatchObject({ code: LogErrorCode.INVALID_PRODUCER_EPOCH });
    expect(l.logEndOffset).toBe(leo);
  });

  it('a follower rebuilds the same state from the batches it replicates', async () => {
    const l = logAt();
    await writeProducers(l, 9);
    const copy = openLog(path.join(dir, 'f'), {}, { clock: new FakeClock(1_000_000) });
    open.push(copy);
    const r = await l.read(0n, 1 << 20);
    await copy.append(Buffer.from(r.records), follower);
    expect(state(copy)).toEqual(state(l));
  });

  for (const rolls of [false, true]) {
    it(`after a crash the state is rebuilt ${rolls ? 'from the latest snapshot plus the log after it' : 'from the log alone'}`, async () => {
      const l = logAt(rolls ? { 'segment.bytes': 1200 } : {});
      await writeProducers(l, 14);
      const snapshots = fs.readdirSync(path.join(dir, 'topic-0')).filter((f) => f.endsWith('.snapshot'));
      if (rolls) expect(snapshots.length).toBeGreaterThan(1);
      else expect(snapshots).toEqual([]);
      const before = state(l);
      // No close: the process died. The next start recovers with hadCleanShutdown false.
      const again = logAt(rolls ? { 'segment.bytes': 1200 } : {}, { hadCleanShutdown: false, recoveryPoint: 0n });
      await again.loadProducerState();
      expect(state(again)).toEqual(before);
      // The restored state dedupes the last batch of producer 3 and continues its sequence.
      const seq3 = before.find(([id]) => id === '3')?.[2] as number;
      const dup = await again.append(pbatch(3n, 0, seq3 - 3, 4), leader);
      expect(dup.lastOffset).toBe(BigInt(before.find(([id]) => id === '3')?.[3] as string));
      await expect(again.append(pbatch(3n, 0, seq3 + 2, 1), leader)).rejects.toMatchObject({ code: LogErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    });
  }

  it('a clean close leaves a snapshot at the log end, and the next start loads the state from it', async () => {
    const l = logAt();
    await writeProducers(l, 6);
    const before = state(l);
    const leo = l.logEndOffset;
    await l.close();
    expect(fs.existsSync(path.join(dir, 'topic-0', `${leo.toString().padStart(20, '0')}.snapshot`))).toBe(true);
    const again = logAt();
    await again.loadProducerState();
    expect(state(again)).toEqual(before);
  });

  it('truncation rebuilds the state as of the new end', async () => {
    const l = logAt({ 'segment.bytes': 1200 });
    const firsts = await writeProducers(l, 12);
    const reference = logAt({ 'segment.bytes': 1200 }, { dir: path.join(dir, 'ref', 'topic-0') });
    await writeProducers(reference, 8);
    await l.truncateTo(firsts[8] as bigint);
    expect(state(l)).toEqual(state(reference));
  });

  it('retention removes the snapshots of deleted segments; the producers stay until they expire', async () => {
    const clock = new FakeClock(1_000_000);
    const l = logAt({ 'segment.bytes': 1200, 'retention.bytes': 1300 }, { clock, producerIdExpirationMs: 60_000 });
    await writeProducers(l, 12);
    l.updateHighWatermark(l.logEndOffset);
    const before = fs.readdirSync(path.join(dir, 'topic-0')).filter((f) => f.endsWith('.snapshot')).length;
    expect(await l.deleteOldSegments()).toBeGreaterThan(0);
    const bases = new Set(l.segmentBaseOffsets().map((b) => b.toString().padStart(20, '0') + '.snapshot'));
    const left = fs.readdirSync(path.join(dir, 'topic-0')).filter((f) => f.endsWith('.snapshot'));
    expect(left.length).toBeLessThan(before);
    for (const f of left) expect(bases.has(f)).toBe(true);
    expect(state(l).length).toBe(3);
    clock.t += 60_000;
    // Batch timestamps are 1_000_000: idle for 60 s now.
    expect(l.removeExpiredProducers()).toBe(3);
  });
});
