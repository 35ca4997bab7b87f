// Transactions in the log (KIP-98, Kafka 2.8): markers end transactions in the producer state, the LSO follows open
// transactions and the HW, ABORTs are indexed in the .txnindex of the segment holding the marker, and retention,
// truncation, crash recovery and compaction keep all of it right.
import * as fs from 'fs';
import * as path from 'path';
import { LogErrorCode } from '../../../src/log/errors';
import type { Log } from '../../../src/log/Log';
import { compact } from '../../../src/log/LogCleaner';
import type { AppendOptions } from '../../../src/log/LogTypes';
import { TXN_INDEX_ENTRY_SIZE } from '../../../src/log/TransactionIndex';
import { iterateBatches, setBaseOffset } from '../../../src/protocol/record/batch-header';
import { buildEndTxnMarker } from '../../../src/protocol/record/controlRecords';
import { buildRecordBatchSync, decodeBatchRecords } from '../../../src/protocol/record/records';
import { FakeClock, leader, openLog, tmpDir, waitFor } from './helpers';

const NOW = 1_700_000_000_000;
const coordinator: AppendOptions = { ...leader, origin: 'coordinator' };

let dir: string;
let log: Log | undefined;
beforeEach(() => {
  dir = tmpDir('brook-txn-');
});
afterEach(async () => {
  await log?.close().catch(() => undefined);
  log = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A transactional producer: its next sequence per epoch, and the batches it appends. */
class Producer {
  private seq = 0;
  constructor(
    readonly id: bigint,
    public epoch = 0,
  ) {}

  /** Appends `values` as one transactional batch (key = value unless `key` is given); returns its first offset. */
  async send(l: Log, values: string[], key?: string): Promise<bigint> {
    const b = buildRecordBatchSync({
      records: values.map((v) => ({ key: key ?? v, value: v, timestamp: BigInt(NOW) })),
      isTransactional: true,
      producerId: this.id,
      producerEpoch: this.epoch,
      baseSequence: this.seq,
    });
    this.seq += values.length;
    return (await l.append(b, leader)).firstOffset;
  }

  /** The coordinator's marker for this producer; returns the marker's offset. */
  async end(l: Log, commit: boolean, coordinatorEpoch = 0, epoch = this.epoch): Promise<bigint> {
    const m = buildEndTxnMarker({ producerId: this.id, producerEpoch: epoch, coordinatorEpoch, commit, timestamp: BigInt(NOW) });
    return (await l.append(m, coordinator)).firstOffset;
  }
}

async function plain(l: Log, key: string, value: string): Promise<bigint> {
  return (await l.append(buildRecordBatchSync({ records: [{ key, value, timestamp: BigInt(NOW) }] }), leader)).firstOffset;
}

const hwToEnd = (l: Log): bigint => l.updateHighWatermark(l.logEndOffset);

async function readValues(l: Log): Promise<{ offset: bigint; key: string | null; value: string | null; control: boolean }[]> {
  const r = await l.read(l.logStartOffset, 1 << 24);
  const out = [];
  for (const v of iterateBatches(r.records)) {
    const control = (v.header.attributes & 0x20) !== 0;
    for (const rec of await decodeBatchRecords(r.records.subarray(v.position, v.position + v.size))) {
      out.push({ offset: rec.offset, key: control ? null : rec.key?.toString() ?? null, value: control ? null : rec.value?.toString() ?? null, control });
    }
  }
  return out;
}

describe('last stable offset', () => {
  it('stays at the first open transaction, follows the HW once markers are below it, and a data batch after a marker starts a new transaction', async () => {
    log = openLog(dir);
    const p = new Producer(1n);
    const q = new Producer(2n);
    await plain(log, 'a', '0'); // 0
    hwToEnd(log);
    expect(log.lastStableOffset).toBe(1n);
    const first = await p.send(log, ['p1', 'p2']); // 1-2
    const qFirst = await q.send(log, ['q1']); // 3
    hwToEnd(log);
    expect(log.firstUnstableOffset).toBe(first);
    expect(log.lastStableOffset).toBe(first);
    expect(log.activeProducers().get(1n)?.currentTxnFirstOffset).toBe(1n);

    const marker = await p.end(log, true); // 4
    // The HW has not passed the marker: p's transaction is completed but unreplicated, so still unstable.
    expect(log.firstUnstableOffset).toBe(first);
    hwToEnd(log);
    expect(log.firstUnstableOffset).toBe(qFirst);
    expect(log.lastStableOffset).toBe(qFirst);
    expect(log.activeProducers().get(1n)?.currentTxnFirstOffset).toBeNull();

    await q.end(log, false); // 5
    expect(log.lastStableOffset).toBe(qFirst); // HW still at 5
    hwToEnd(log);
    expect(log.firstUnstableOffset).toBeNull();
    expect(log.lastStableOffset).toBe(6n);

    // Same epoch, after its marker: a new transaction.
    const again = await p.send(log, ['p3']); // 6
    expect(again).toBe(marker + 2n);
    hwToEnd(log);
    expect(log.lastStableOffset).toBe(again);
    expect(log.activeProducers().get(1n)?.currentTxnFirstOffset).toBe(again);
  });

  it('the LSO is never above the HW', async () => {
    log = openLog(dir);
    for (let i = 0; i < 5; i++) await plain(log, 'k', String(i));
    log.updateHighWatermark(3n);
    expect(log.lastStableOffset).toBe(3n);
  });
});

describe('markers', () => {
  it('a lower coordinator epoch is TRANSACTION_COORDINATOR_FENCED, a lower producer epoch INVALID_PRODUCER_EPOCH; nothing is written', async () => {
    log = openLog(dir);
    const p = new Producer(1n, 3);
    await p.send(log, ['a']);
    await p.end(log, true, 5);
    expect(log.activeProducers().get(1n)?.coordinatorEpoch).toBe(5);
    await p.send(log, ['b']);
    const leo = log.logEndOffset;
    await expect(p.end(log, true, 4)).rejects.toMatchObject({ code: LogErrorCode.TRANSACTION_COORDINATOR_FENCED });
    await expect(p.end(log, false, 5, 2)).rejects.toMatchObject({ code: LogErrorCode.INVALID_PRODUCER_EPOCH });
    expect(log.logEndOffset).toBe(leo);
    // A marker with a higher producer epoch (the coordinator fenced the producer) ends the transaction.
    await p.end(log, false, 6, 4);
    expect(log.activeProducers().get(1n)).toMatchObject({ producerEpoch: 4, coordinatorEpoch: 6, currentTxnFirstOffset: null });
  });

  it('a follower replays markers: its LSO and .txnindex match the leader', async () => {
    log = openLog(dir);
    const p = new Producer(9n);
    await p.send(log, ['x', 'y']);
    await p.end(log, false);
    await p.send(log, ['z']);
    const bytes = (await log.read(0n, 1 << 20)).records;
    const follower = openLog(tmpDir('brook-txn-f-'));
    try {
      await follower.append(Buffer.from(bytes), { assignOffsets: false, leaderEpoch: 0 });
      follower.updateHighWatermark(follower.logEndOffset);
      expect(follower.lastStableOffset).toBe(3n);
      expect(follower.collectAbortedTransactions(0n, 4n)).toEqual([{ producerId: 9n, firstOffset: 0n, lastOffset: 2n, lastStableOffset: 3n }]);
    } finally {
      await follower.close();
      fs.rmSync(path.dirname(follower.dir), { recursive: true, force: true });
    }
  });
});

describe('markers on a follower', () => {
  it('a stale coordinator or producer epoch is taken as the leader wrote it (only logged), and ends the transaction', async () => {
    log = openLog(dir);
    const at = (b: Buffer, offset: bigint): Buffer => {
      setBaseOffset(b, 0, offset);
      return b;
    };
    const follower: AppendOptions = { assignOffsets: false, leaderEpoch: 0 };
    const data = (offset: bigint, epoch: number, seq: number) =>
      at(buildRecordBatchSync({ records: [{ key: 'k', value: 'v', timestamp: BigInt(NOW) }], isTransactional: true, producerId: 3n, producerEpoch: epoch, baseSequence: seq }), offset);
    const end = (offset: bigint, epoch: number, coordinatorEpoch: number, commit: boolean) => at(buildEndTxnMarker({ producerId: 3n, producerEpoch: epoch, coordinatorEpoch, commit, timestamp: BigInt(NOW) }), offset);
    await log.append(data(0n, 5, 0), follower);
    await log.append(end(1n, 5, 10, true), follower);
    await log.append(data(2n, 5, 1), follower);
    await log.append(end(3n, 4, 9, false), follower); // both epochs stale
    expect(log.logEndOffset).toBe(4n);
    expect(log.activeProducers().get(3n)).toMatchObject({ currentTxnFirstOffset: null, coordinatorEpoch: 9 });
    log.updateHighWatermark(4n);
    expect(log.lastStableOffset).toBe(4n);
    expect(log.collectAbortedTransactions(0n, 4n)).toEqual([{ producerId: 3n, firstOffset: 2n, lastOffset: 3n, lastStableOffset: 4n }]);
  });
});

describe('.txnindex and collectAbortedTransactions', () => {
  it('collects aborted transactions across segments, from the segment holding the fetch offset, stopping at the LSO bound', async () => {
    log = openLog(dir, { 'segment.bytes': 300 });
    const p = new Producer(1n);
    const q = new Producer(2n);
    const p1 = await p.send(log, ['a']);
    const q1 = await q.send(log, ['b']);
    const pAbort = await p.end(log, false); // LSO at completion: q's first offset
    for (let i = 0; i < 6; i++) await plain(log, 'f', String(i));
    const qAbort = await q.end(log, false);
    const p2 = await p.send(log, ['c']);
    const pCommit = await p.end(log, true);
    for (let i = 0; i < 6; i++) await plain(log, 'g', String(i));
    const p3 = await p.send(log, ['d']);
    const pAbort2 = await p.end(log, false);
    hwToEnd(log);
    expect(log.numberOfSegments).toBeGreaterThan(2);
    const segOf = (o: bigint): bigint => log!.segmentBaseOffsets().filter((b) => b <= o).pop() as bigint;
    expect(segOf(qAbort)).not.toBe(segOf(pAbort));

    const a1 = { producerId: 1n, firstOffset: p1, lastOffset: pAbort, lastStableOffset: q1 };
    const a2 = { producerId: 2n, firstOffset: q1, lastOffset: qAbort, lastStableOffset: qAbort + 1n };
    const a3 = { producerId: 1n, firstOffset: p3, lastOffset: pAbort2, lastStableOffset: pAbort2 + 1n };
    expect(log.collectAbortedTransactions(0n, log.logEndOffset)).toEqual([a1, a2, a3]);
    // Fetching from after p's first abort: only those ending at or after the fetch offset.
    expect(log.collectAbortedTransactions(pAbort + 1n, log.logEndOffset)).toEqual([a2, a3]);
    // Up to p2's commit: a3 begins above the bound; the walk stops at a2 (its LSO passed the bound).
    expect(log.collectAbortedTransactions(0n, pCommit)).toEqual([a1, a2]);
    void p2;
    // The entries are on disk, 34 bytes each, beside the segment holding the marker.
    const file = path.join(log.dir, `${segOf(qAbort).toString().padStart(20, '0')}.txnindex`);
    expect(fs.statSync(file).size).toBe(TXN_INDEX_ENTRY_SIZE);
    // COMMITs are not indexed.
    expect(log.collectAbortedTransactions(p2, pCommit + 1n).some((t) => t.lastOffset === pCommit)).toBe(false);
  });

  it('truncation drops the entries at and above the offset and reopens the transaction the marker had ended', async () => {
    log = openLog(dir);
    const p = new Producer(1n);
    const first = await p.send(log, ['a']);
    const abort = await p.end(log, false);
    expect(log.collectAbortedTransactions(0n, 10n)).toHaveLength(1);
    await log.truncateTo(abort);
    expect(log.collectAbortedTransactions(0n, 10n)).toEqual([]);
    hwToEnd(log);
    expect(log.firstUnstableOffset).toBe(first);
    expect(log.activeProducers().get(1n)?.currentTxnFirstOffset).toBe(first);
  });

  it('reloads from the file after a clean restart', async () => {
    log = openLog(dir);
    const p = new Producer(1n);
    await p.send(log, ['a']);
    await p.end(log, false);
    const open = await p.send(log, ['b']);
    hwToEnd(log);
    await log.close();
    log = openLog(dir, {}, { highWatermark: 3n });
    await log.loadProducerState();
    expect(log.collectAbortedTransactions(0n, 3n)).toEqual([{ producerId: 1n, firstOffset: 0n, lastOffset: 1n, lastStableOffset: 2n }]);
    // The open transaction comes back from the snapshot's currentTxnFirstOffset.
    expect(log.firstUnstableOffset).toBe(open);
    expect(log.lastStableOffset).toBe(open);
  });
});

describe('crash recovery', () => {
  it('rebuilds the .txnindex of the recovered segments and the ongoing transactions', async () => {
    log = openLog(dir, { 'segment.bytes': 300 });
    const p = new Producer(1n);
    const q = new Producer(2n);
    await p.send(log, ['a']);
    const pAbort = await p.end(log, false);
    for (let i = 0; i < 8; i++) await plain(log, 'f', String(i));
    const q1 = await q.send(log, ['b']);
    const qAbort = await q.end(log, false);
    const open = await p.send(log, ['c']);
    hwToEnd(log);
    const expected = log.collectAbortedTransactions(0n, log.logEndOffset);
    expect(expected.map((t) => t.lastOffset)).toEqual([pAbort, qAbort]);
    expect(expected[1]).toMatchObject({ firstOffset: q1 });
    await log.flush();
    const leo = log.logEndOffset;
    const hw = log.highWatermark;
    const bases = log.segmentBaseOffsets();
    const logDir = log.dir;
    // A crash: files as they are, no clean-shutdown snapshot; the .txnindex files are lost entirely.
    await log.close();
    for (const f of fs.readdirSync(logDir)) if (f.endsWith('.txnindex') || f.endsWith('.snapshot')) fs.rmSync(path.join(logDir, f));
    log = openLog(dir, { 'segment.bytes': 300 }, { hadCleanShutdown: false, recoveryPoint: 0n, highWatermark: hw });
    expect(log.segmentBaseOffsets()).toEqual(bases);
    await log.loadProducerState();
    expect(log.logEndOffset).toBe(leo);
    expect(log.collectAbortedTransactions(0n, leo)).toEqual(expected);
    expect(log.firstUnstableOffset).toBe(open);
    expect(log.activeProducers().get(1n)?.currentTxnFirstOffset).toBe(open);
  });
});

describe('crash recovery from a later recovery point', () => {
  it('keeps the flushed segments\' entries (no duplicates) and rebuilds those of the recovered segments', async () => {
    log = openLog(dir, { 'segment.bytes': 300 });
    const p = new Producer(1n);
    await p.send(log, ['a']);
    await p.end(log, false);
    for (let i = 0; i < 8; i++) await plain(log, 'f', String(i));
    await p.send(log, ['b']);
    await p.end(log, false);
    hwToEnd(log);
    const expected = log.collectAbortedTransactions(0n, log.logEndOffset);
    expect(expected).toHaveLength(2);
    const bases = log.segmentBaseOffsets();
    expect(bases.length).toBeGreaterThan(1);
    const last = bases[bases.length - 1] as bigint;
    expect(expected[1]!.lastOffset).toBeGreaterThanOrEqual(last);
    await log.flush();
    const hw = log.highWatermark;
    await log.close();
    // The recovered (last) segment's .txnindex is lost; snapshots stay as a crash leaves them.
    fs.rmSync(path.join(log.dir, `${last.toString().padStart(20, '0')}.txnindex`));
    log = openLog(dir, { 'segment.bytes': 300 }, { hadCleanShutdown: false, recoveryPoint: last, highWatermark: hw });
    await log.loadProducerState();
    expect(log.collectAbortedTransactions(0n, log.logEndOffset)).toEqual(expected);
  });
});

describe('an interrupted compaction swap', () => {
  it('a committed swap brings its .txnindex.swap in under the segment\'s name', async () => {
    log = openLog(dir);
    const p = new Producer(1n);
    await p.send(log, ['a']);
    await p.end(log, false);
    hwToEnd(log);
    const logDir = log.dir;
    await log.close();
    const prefix = path.join(logDir, '00000000000000000000');
    // As a crash after step 1 of replaceSegments leaves it: the cleaned copy as .swap files beside the old segment.
    fs.copyFileSync(prefix + '.log', prefix + '.log.swap');
    const swapped = { producerId: 1n, firstOffset: 0n, lastOffset: 1n, lastStableOffset: 77n };
    const entry = Buffer.alloc(TXN_INDEX_ENTRY_SIZE);
    entry.writeBigInt64BE(1n, 2);
    entry.writeBigInt64BE(0n, 10);
    entry.writeBigInt64BE(1n, 18);
    entry.writeBigInt64BE(77n, 26);
    fs.writeFileSync(prefix + '.txnindex.swap', entry);
    log = openLog(dir);
    expect(fs.readdirSync(logDir).filter((f) => f.endsWith('.swap'))).toEqual([]);
    expect(log.collectAbortedTransactions(0n, 2n)).toEqual([swapped]);
  });
});

describe('retention', () => {
  it('DeleteRecords moving the log start removes the old segments with their .txnindex; the open transaction and the kept entries stay', async () => {
    log = openLog(dir, { 'segment.bytes': 300 });
    const p = new Producer(1n);
    const q = new Producer(2n);
    await p.send(log, ['a']);
    await p.end(log, false); // in the first segment
    for (let i = 0; i < 8; i++) await plain(log, 'f', String(i));
    const open = await q.send(log, ['b']);
    for (let i = 0; i < 8; i++) await plain(log, 'g', String(i));
    await p.send(log, ['c']);
    const lateAbort = await p.end(log, false);
    hwToEnd(log);
    const firstTxnIndex = path.join(log.dir, '00000000000000000000.txnindex');
    expect(fs.existsSync(firstTxnIndex)).toBe(true);
    const all = log.collectAbortedTransactions(0n, log.logEndOffset);
    expect(all).toHaveLength(2);
    const lateBase = log.segmentBaseOffsets().filter((b) => b <= lateAbort).pop() as bigint;
    expect(lateBase).toBeGreaterThan(open);

    await log.deleteRecordsBefore(lateBase);
    expect(log.logStartOffset).toBe(lateBase);
    expect(log.segmentBaseOffsets()[0]).toBe(lateBase);
    await waitFor(() => !fs.existsSync(firstTxnIndex));
    expect(log.collectAbortedTransactions(log.logStartOffset, log.logEndOffset)).toEqual([all[1]]);
    // q's transaction is still open though its start is gone: the LSO is held at the log start (Kafka).
    expect(log.activeProducers().get(2n)?.currentTxnFirstOffset).toBe(open);
    expect(log.firstUnstableOffset).toBe(lateBase);
    expect(log.lastStableOffset).toBe(lateBase);
    // Its marker releases it.
    await q.end(log, true);
    hwToEnd(log);
    expect(log.lastStableOffset).toBe(log.logEndOffset);
  });
});

describe('compaction', () => {
  it('an aborted transaction whose key shadows a committed key never wins: the committed value stays, the aborted records go, markers and .txnindex stay', async () => {
    log = openLog(dir, { 'cleanup.policy': 'compact', 'segment.bytes': 400, 'delete.retention.ms': 10_000 }, { clock: new FakeClock(NOW) });
    const p = new Producer(1n);
    const committedAt = await p.send(log, ['v-committed'], 'k');
    await p.end(log, true);
    const abortedAt = await p.send(log, ['v-aborted'], 'k');
    const abort = await p.end(log, false);
    for (let i = 0; i < 12; i++) await plain(log, `other-${i}`, 'x');
    hwToEnd(log);
    expect(log.numberOfSegments).toBeGreaterThan(2);
    const before = log.collectAbortedTransactions(0n, log.logEndOffset);
    expect(before).toHaveLength(1);

    const r = await compact(log, { now: NOW });
    expect(r.segmentsCleaned).toBeGreaterThan(0);
    const recs = await readValues(log);
    const k = recs.filter((x) => x.key === 'k');
    expect(k).toEqual([{ offset: committedAt, key: 'k', value: 'v-committed', control: false }]);
    expect(recs.some((x) => x.offset === abortedAt)).toBe(false);
    // Both markers are retained (control batches stay), and the aborted transaction is still indexed.
    expect(recs.filter((x) => x.control).map((x) => x.offset)).toEqual([committedAt + 1n, abort]);
    expect(log.collectAbortedTransactions(0n, log.logEndOffset)).toEqual(before);
    // …and still after a restart (the cleaned segment's .txnindex took the old one's name).
    await log.close();
    log = openLog(dir, { 'cleanup.policy': 'compact', 'segment.bytes': 400 });
    expect(log.collectAbortedTransactions(0n, log.logEndOffset)).toEqual(before);
  });

  it('the cleanable range stops at the first unstable offset', async () => {
    log = openLog(dir, { 'cleanup.policy': 'compact', 'segment.bytes': 300 }, { clock: new FakeClock(NOW) });
    for (let i = 0; i < 6; i++) await plain(log, 'k', String(i));
    const p = new Producer(1n);
    const open = await p.send(log, ['t'], 'k');
    for (let i = 0; i < 12; i++) await plain(log, 'k', `later-${i}`);
    hwToEnd(log);
    expect(log.firstUnstableOffset).toBe(open);
    const r = await compact(log, { now: NOW });
    expect(r.endOffset).toBeLessThanOrEqual(open);
    // The open transaction's record and everything after it is untouched.
    const recs = await readValues(log);
    expect(recs.filter((x) => x.offset >= open)).toHaveLength(13);
  });
});
