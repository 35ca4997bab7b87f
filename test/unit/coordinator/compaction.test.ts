// compactRecords: one value per key survives, offsets stay put, old tombstones go, batches stay valid.
import { compactRecords } from '../../../src/coordinator/compaction';
import { checkBatch, iterateBatches } from '../../../src/protocol/record/batch-header';
import { buildRecordBatchSync, decodeBatchRecordsSync } from '../../../src/protocol/record/records';
import { encodeOffsetCommitKey, encodeOffsetCommitValue, decodeOffsetCommitValue } from '../../../src/coordinator/records';

const NOW = 1_700_000_000_000;

function commitBatch(baseOffset: bigint, commits: [string, number, bigint | null][], ts = BigInt(NOW)): Buffer {
  return buildRecordBatchSync({
    baseOffset,
    records: commits.map(([topic, partition, offset]) => ({
      key: encodeOffsetCommitKey('g', topic, partition),
      value: offset === null ? null : encodeOffsetCommitValue({ offset, leaderEpoch: -1, metadata: '', commitTimestamp: ts, expireTimestamp: null }),
      timestamp: ts,
    })),
  });
}

function allRecords(batches: Buffer[]) {
  return batches.flatMap((b) => {
    expect(checkBatch(b, 0, b.length)).toBe(b.length); // CRC and length valid
    return decodeBatchRecordsSync(b);
  });
}

describe('compactRecords', () => {
  test('many commits to the same keys leave one value per key, the latest, at its original offset', () => {
    const batches: Buffer[] = [];
    let offset = 0n;
    for (let round = 0; round < 50; round++) {
      batches.push(commitBatch(offset, [['t', 0, BigInt(round)], ['t', 1, BigInt(round * 10)]]));
      offset += 2n;
    }
    const out = compactRecords(batches, { deleteRetentionMs: 86_400_000, now: NOW });
    const recs = allRecords(out);
    expect(recs).toHaveLength(2);
    expect(recs.map((r) => r.offset)).toEqual([98n, 99n]);
    expect(recs.map((r) => decodeOffsetCommitValue(r.value!).offset)).toEqual([49n, 490n]);
  });

  test('a partially surviving batch keeps its base offset and last offset delta', () => {
    const b1 = commitBatch(10n, [['t', 0, 1n], ['t', 1, 1n], ['t', 2, 1n]]);
    const b2 = commitBatch(13n, [['t', 1, 2n]]);
    const out = compactRecords([b1, b2], { deleteRetentionMs: 1000, now: NOW });
    const first = [...iterateBatches(out[0]!)][0]!.header;
    expect(first.baseOffset).toBe(10n);
    expect(first.lastOffsetDelta).toBe(2);
    expect(first.recordCount).toBe(2);
    expect(allRecords(out).map((r) => r.offset)).toEqual([10n, 12n, 13n]);
  });

  test('tombstones shadow older values, and are themselves dropped after delete.retention.ms', () => {
    const old = BigInt(NOW - 10_000);
    const batches = [commitBatch(0n, [['t', 0, 5n]], old), commitBatch(1n, [['t', 0, null]], old), commitBatch(2n, [['u', 0, null]], BigInt(NOW))];
    const kept = allRecords(compactRecords(batches, { deleteRetentionMs: 60_000, now: NOW }));
    expect(kept.map((r) => [r.offset, r.value])).toEqual([[1n, null], [2n, null]]);
    const dropped = allRecords(compactRecords(batches, { deleteRetentionMs: 5_000, now: NOW }));
    expect(dropped.map((r) => r.offset)).toEqual([2n]);
  });
});
