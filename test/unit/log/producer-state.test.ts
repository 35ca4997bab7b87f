import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  NUM_BATCHES_TO_RETAIN,
  ProducerStateManager,
  decodeSnapshot,
  encodeSnapshot,
  incrementSequence,
  snapshotFile,
  type ProducerBatch,
} from '../../../src/log/ProducerStateManager';
import { LogError, LogErrorCode } from '../../../src/log/errors';

const INT32_MAX = 0x7fffffff;
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psm-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const manager = (expirationMs = 604800000): ProducerStateManager =>
  new ProducerStateManager({ dir, topicPartition: 't-0', maxProducerIdExpirationMs: expirationMs });

function batch(producerId: bigint, epoch: number, baseSequence: number, count: number, firstOffset: bigint, ts = 1000n): ProducerBatch {
  return {
    producerId,
    producerEpoch: epoch,
    baseSequence,
    lastSequence: incrementSequence(baseSequence, count - 1),
    firstOffset,
    lastOffset: firstOffset + BigInt(count - 1),
    maxTimestamp: ts,
    transactional: false,
    control: false,
  };
}

/** Leader append: analyze, and apply when it is not a duplicate. */
function append(m: ProducerStateManager, b: ProducerBatch): ReturnType<ProducerStateManager['analyze']> {
  const r = m.analyze([b], 'client');
  if (!r.duplicate) {
    m.update(r.updates);
    m.updateMapEndOffset(b.lastOffset + 1n);
  }
  return r;
}

function expectCode(fn: () => unknown, code: number): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LogError);
    expect((e as LogError).code).toBe(code);
    return;
  }
  throw new Error(`expected error code ${code}`);
}

describe('ProducerStateManager sequence and epoch checks (Kafka 2.8 §1.4)', () => {
  test('a new producer is accepted at any sequence (KIP-360)', () => {
    const m = manager();
    expect(append(m, batch(7n, 0, 42, 3, 0n)).duplicate).toBeUndefined();
    expect(m.lastEntry(7n)?.lastSeq).toBe(44);
  });

  test('in-sequence batches are accepted; a gap is OUT_OF_ORDER_SEQUENCE_NUMBER and changes nothing', () => {
    const m = manager();
    append(m, batch(1n, 0, 0, 5, 0n));
    append(m, batch(1n, 0, 5, 5, 5n));
    expectCode(() => m.analyze([batch(1n, 0, 11, 1, 10n)], 'client'), LogErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(m.lastEntry(1n)?.lastSeq).toBe(9);
  });

  test('a duplicate of one of the last 5 batches is found with its original offsets; an older one is out of order', () => {
    const m = manager();
    for (let i = 0; i < 7; i++) append(m, batch(1n, 0, i * 2, 2, BigInt(i * 2)));
    for (let i = 7 - NUM_BATCHES_TO_RETAIN; i < 7; i++) {
      const r = m.analyze([batch(1n, 0, i * 2, 2, 999n)], 'client');
      expect(r.duplicate).toBeDefined();
      expect(r.duplicate?.lastOffset).toBe(BigInt(i * 2 + 1));
      expect(r.duplicate?.offsetDelta).toBe(1);
    }
    expectCode(() => m.analyze([batch(1n, 0, 2, 2, 999n)], 'client'), LogErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    // Same first sequence but another range is not a duplicate.
    expectCode(() => m.analyze([batch(1n, 0, 12, 1, 999n)], 'client'), LogErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  });

  test('an older epoch is INVALID_PRODUCER_EPOCH; a newer epoch must start at 0', () => {
    const m = manager();
    append(m, batch(1n, 3, 0, 1, 0n));
    expectCode(() => m.analyze([batch(1n, 2, 1, 1, 1n)], 'client'), LogErrorCode.INVALID_PRODUCER_EPOCH);
    expectCode(() => m.analyze([batch(1n, 4, 5, 1, 1n)], 'client'), LogErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    append(m, batch(1n, 4, 0, 1, 1n));
    expect(m.lastEntry(1n)?.producerEpoch).toBe(4);
    // The new epoch forgot the old epoch's batches: a retry of the epoch-3 batch is stale, not a duplicate.
    expectCode(() => m.analyze([batch(1n, 3, 0, 1, 2n)], 'client'), LogErrorCode.INVALID_PRODUCER_EPOCH);
  });

  test('sequences wrap from Int.MAX to 0', () => {
    const m = manager();
    append(m, batch(1n, 0, INT32_MAX - 1, 2, 0n));
    expect(m.lastEntry(1n)?.lastSeq).toBe(INT32_MAX);
    expect(append(m, batch(1n, 0, 0, 1, 2n)).duplicate).toBeUndefined();
    expect(incrementSequence(INT32_MAX, 3)).toBe(2);
  });

  test('replication skips the sequence checks and only warns on a stale epoch', () => {
    const m = manager();
    m.replay([batch(1n, 5, 0, 1, 0n), batch(1n, 5, 10, 1, 1n), batch(1n, 4, 0, 1, 2n)]);
    expect(m.lastEntry(1n)?.lastSeq).toBe(0);
    expect(m.lastEntry(1n)?.producerEpoch).toBe(4);
  });

  test('several batches of one append are checked against each other before any is applied', () => {
    const m = manager();
    append(m, batch(1n, 0, 0, 1, 0n));
    expectCode(() => m.analyze([batch(1n, 0, 1, 1, 1n), batch(1n, 0, 3, 1, 2n)], 'client'), LogErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(m.lastEntry(1n)?.lastSeq).toBe(0);
  });

  test('producers idle past transactional.id.expiration.ms are removed', () => {
    const m = manager(1000);
    append(m, batch(1n, 0, 0, 1, 0n, 5000n));
    append(m, batch(2n, 0, 0, 1, 1n, 5500n));
    expect(m.removeExpiredProducers(6200)).toBe(1);
    expect(m.lastEntry(1n)).toBeUndefined();
    expect(m.lastEntry(2n)).toBeDefined();
  });
});

describe('producer state snapshots', () => {
  test("Kafka's layout: version 1, CRC-32C of the rest, 46-byte entries; round trip keeps the last batch", async () => {
    const m = manager();
    append(m, batch(1n, 2, 0, 3, 0n, 111n));
    append(m, batch(1n, 2, 3, 2, 3n, 222n));
    append(m, batch(9n, 0, 7, 1, 5n, 333n));
    await m.takeSnapshot();
    const file = snapshotFile(dir, 6n);
    expect(path.basename(file)).toBe('00000000000000000006.snapshot');
    const bytes = fs.readFileSync(file);
    expect(bytes.length).toBe(6 + 4 + 2 * 46);
    expect(bytes.readInt16BE(0)).toBe(1);
    const entries = decodeSnapshot(bytes);
    const e1 = entries.find((e) => e.producerId === 1n);
    expect(e1?.producerEpoch).toBe(2);
    expect(e1?.lastSeq).toBe(4);
    expect(e1?.lastDataOffset).toBe(4n);
    expect(e1?.lastOffsetDelta).toBe(1);
    expect(e1?.lastTimestamp).toBe(222n);
    expect(e1?.batches).toHaveLength(1);
    expect(encodeSnapshot(entries)).toEqual(bytes);
  });

  test('a reload from the snapshot plus the log after it equals the state before', async () => {
    const m = manager();
    append(m, batch(1n, 0, 0, 2, 0n));
    await m.takeSnapshot(); // at 2
    append(m, batch(1n, 0, 2, 2, 2n));
    append(m, batch(2n, 1, 0, 1, 4n));
    const before = [...m.activeProducers()].map(([id, e]) => [id, e.producerEpoch, e.lastSeq, e.lastDataOffset]);

    const reloaded = manager();
    reloaded.truncateAndReload(0n, 5n, 2000);
    expect(reloaded.mapEndOffset).toBe(2n);
    reloaded.replay([batch(1n, 0, 2, 2, 2n), batch(2n, 1, 0, 1, 4n)]);
    const after = [...reloaded.activeProducers()].map(([id, e]) => [id, e.producerEpoch, e.lastSeq, e.lastDataOffset]);
    expect(after).toEqual(before);
    // The dedupe window after a reload holds the last batch of each producer.
    expect(reloaded.analyze([batch(1n, 0, 2, 2, 99n)], 'client').duplicate?.lastOffset).toBe(3n);
  });

  test('a corrupt snapshot is deleted and the previous one is used', async () => {
    const m = manager();
    append(m, batch(1n, 0, 0, 1, 0n));
    await m.takeSnapshot(); // 1
    append(m, batch(1n, 0, 1, 1, 1n));
    await m.takeSnapshot(); // 2
    const latest = snapshotFile(dir, 2n);
    const bytes = fs.readFileSync(latest);
    bytes.writeUInt8((bytes.readUInt8(bytes.length - 1) ^ 0xff), bytes.length - 1);
    fs.writeFileSync(latest, bytes);
    const reloaded = manager();
    reloaded.truncateAndReload(0n, 2n, 0);
    expect(fs.existsSync(latest)).toBe(false);
    expect(reloaded.mapEndOffset).toBe(1n);
    expect(reloaded.lastEntry(1n)?.lastSeq).toBe(0);
  });

  test('truncation drops snapshots above the new end and at or below the log start', async () => {
    const m = manager();
    for (let i = 0; i < 4; i++) {
      append(m, batch(1n, 0, i, 1, BigInt(i)));
      await m.takeSnapshot();
    }
    expect(m.snapshotOffsets()).toEqual([1n, 2n, 3n, 4n]);
    m.truncateAndReload(1n, 3n, 0);
    expect(m.snapshotOffsets()).toEqual([2n, 3n]);
    expect(m.mapEndOffset).toBe(3n);
    expect(m.lastEntry(1n)?.lastSeq).toBe(2);
    m.truncateFullyAndStartAt(10n);
    expect(m.snapshotOffsets()).toEqual([]);
    expect(m.isEmpty).toBe(true);
    expect(m.mapEndOffset).toBe(10n);
  });

  test('stray snapshots are removed except the latest when it is above every segment', async () => {
    for (const o of [0n, 5n, 7n, 10n, 12n]) fs.writeFileSync(snapshotFile(dir, o), encodeSnapshot([]));
    const m = manager();
    m.removeStraySnapshots([0n, 10n]);
    expect(m.snapshotOffsets()).toEqual([0n, 10n, 12n]);
    const m2 = manager();
    m2.removeStraySnapshots([0n, 20n]);
    expect(m2.snapshotOffsets()).toEqual([0n]);
  });
});
