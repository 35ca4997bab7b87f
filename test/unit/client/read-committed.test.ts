// isolation.level on the consumer side: which hand-built batches (plain, transactional, COMMIT/ABORT control batches)
// reach the application under read_committed and read_uncommitted, and the Fetcher's use of it.
import { Fetch } from '../../../src/protocol/messages';
import type { ApiSchema, RequestInput } from '../../../src/protocol/schema';
import { buildRecordBatchSync } from '../../../src/protocol/record/records';
import {
  AbortedTransactionFilter, AdminClient, CONTROL_ABORT, CONTROL_COMMIT, Fetcher, READ_COMMITTED, READ_UNCOMMITTED,
  controlRecordType, selectBatches, type AbortedTransaction,
} from '../../../src/client';

/** A data batch of `count` records at `base`; producerId -1 makes it non-transactional and without a producer. */
function data(base: bigint, count: number, producerId = -1n): Buffer {
  return buildRecordBatchSync({
    baseOffset: base,
    records: Array.from({ length: count }, (_, i) => ({ key: null, value: `v${base + BigInt(i)}` })),
    producerId,
    producerEpoch: producerId >= 0n ? 0 : -1,
    baseSequence: producerId >= 0n ? 0 : -1,
    isTransactional: producerId >= 0n,
  });
}

/** An end-transaction marker as a broker writes it: one control record, key = (version 0, type), value = (version 0, coordinator epoch). */
function marker(offset: bigint, producerId: bigint, type: number): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(type, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(3, 2);
  return buildRecordBatchSync({ baseOffset: offset, records: [{ key, value }], producerId, producerEpoch: 0, isTransactional: true, isControl: true });
}

const delivered = (buf: Buffer, level: 0 | 1, aborted: AbortedTransaction[] | null): bigint[] =>
  selectBatches(buf, level, aborted).filter((b) => b.deliver).map((b) => b.batch.header.baseOffset);

describe('controlRecordType', () => {
  test('reads the type from the control record key', () => {
    expect(controlRecordType(marker(0n, 1n, CONTROL_ABORT), 0)).toBe(CONTROL_ABORT);
    expect(controlRecordType(marker(0n, 1n, CONTROL_COMMIT), 0)).toBe(CONTROL_COMMIT);
  });
});

describe('selectBatches: aborted transactions and control batches', () => {
  // 0-1 plain; 2-3 producer 5 (aborted); 4-5 producer 6 (committed); 6 ABORT(5); 7 COMMIT(6); 8-9 producer 5 again
  // (committed); 10 COMMIT(5).
  const log = Buffer.concat([
    data(0n, 2), data(2n, 2, 5n), data(4n, 2, 6n), marker(6n, 5n, CONTROL_ABORT), marker(7n, 6n, CONTROL_COMMIT),
    data(8n, 2, 5n), marker(10n, 5n, CONTROL_COMMIT),
  ]);

  test('read_committed skips the aborted producer until its ABORT marker, and every control batch', () => {
    expect(delivered(log, READ_COMMITTED, [{ producerId: 5n, firstOffset: 2n }])).toEqual([0n, 4n, 8n]);
  });

  test('read_uncommitted delivers every data batch, aborted ones included, but never a control batch', () => {
    expect(delivered(log, READ_UNCOMMITTED, null)).toEqual([0n, 2n, 4n, 8n]);
  });

  test('read_committed without aborted transactions delivers every data batch and no control batch', () => {
    expect(delivered(log, READ_COMMITTED, [])).toEqual([0n, 2n, 4n, 8n]);
    expect(delivered(log, READ_COMMITTED, null)).toEqual([0n, 2n, 4n, 8n]);
  });

  test('a committed transaction of a producer before its aborted one is delivered (the abort starts later)', () => {
    const buf = Buffer.concat([data(0n, 2, 5n), marker(2n, 5n, CONTROL_COMMIT), data(3n, 2, 5n), marker(5n, 5n, CONTROL_ABORT), data(6n, 1, 5n)]);
    expect(delivered(buf, READ_COMMITTED, [{ producerId: 5n, firstOffset: 3n }])).toEqual([0n, 6n]);
  });

  test('two aborted transactions of one producer in one response, listed out of order', () => {
    const buf = Buffer.concat([data(0n, 2, 5n), marker(2n, 5n, CONTROL_ABORT), data(3n, 2, 5n), marker(5n, 5n, CONTROL_ABORT), data(6n, 1)]);
    expect(delivered(buf, READ_COMMITTED, [{ producerId: 5n, firstOffset: 3n }, { producerId: 5n, firstOffset: 0n }])).toEqual([6n]);
  });

  test('an aborted transaction whose first offset falls inside a batch covers that batch', () => {
    // The broker reports the transaction's first offset; a fetch may start in the middle of a batch.
    const buf = Buffer.concat([data(10n, 4, 9n), marker(14n, 9n, CONTROL_ABORT)]);
    expect(delivered(buf, READ_COMMITTED, [{ producerId: 9n, firstOffset: 12n }])).toEqual([]);
  });

  test('the abort of one producer does not hide another producer\'s batches', () => {
    const buf = Buffer.concat([data(0n, 1, 5n), data(1n, 1, 6n), marker(2n, 5n, CONTROL_ABORT), marker(3n, 6n, CONTROL_COMMIT)]);
    expect(delivered(buf, READ_COMMITTED, [{ producerId: 5n, firstOffset: 0n }])).toEqual([1n]);
  });

  test('a filter reads a marker only for control batches', () => {
    const f = new AbortedTransactionFilter([{ producerId: 5n, firstOffset: 0n }]);
    const read = jest.fn(() => true);
    const plain = selectBatches(data(0n, 1, 5n), READ_COMMITTED, null)[0]!.batch.header;
    expect(f.accept(plain, read)).toBe(false);
    expect(read).not.toHaveBeenCalled();
  });
});

describe('Fetcher with isolationLevel', () => {
  const log = Buffer.concat([data(0n, 2), data(2n, 2, 5n), marker(4n, 5n, CONTROL_ABORT), data(5n, 1, 6n), marker(6n, 6n, CONTROL_COMMIT)]);

  function admin(sent: Array<Record<string, unknown>>): AdminClient {
    return {
      leaderOf: () => 1,
      send: async <A extends ApiSchema>(_t: unknown, api: A, body: (v: number) => RequestInput<A>) => {
        const b = body(11) as Record<string, unknown>;
        sent.push(b);
        expect(api).toBe(Fetch);
        return {
          version: 11,
          nodeId: 1,
          response: {
            throttleTimeMs: 0, errorCode: 0, sessionId: 0,
            responses: [{ topic: 't', partitionResponses: [{
              partition: 0, errorCode: 0, highWatermark: 7n, lastStableOffset: 7n, logStartOffset: 0n,
              abortedTransactions: b.isolationLevel === READ_COMMITTED ? [{ producerId: 5n, firstOffset: 2n }] : null,
              preferredReadReplica: -1, recordSet: log,
            }] }],
          },
        };
      },
    } as unknown as AdminClient;
  }

  test.each([
    [READ_COMMITTED, [0n, 1n, 5n]],
    [READ_UNCOMMITTED, [0n, 1n, 2n, 3n, 5n]],
  ])('isolation level %d: sent in Fetch, records %p delivered, position moves past skipped and control batches', async (level, offsets) => {
    const sent: Array<Record<string, unknown>> = [];
    const f = new Fetcher(admin(sent), 't', { reset: 'earliest', isolationLevel: level as 0 | 1 });
    f.seek(0, 0n);
    const records = await f.poll();
    expect(sent[0]!.isolationLevel).toBe(level);
    expect(records.map((r) => r.offset)).toEqual(offsets);
    expect(f.positions.get(0)).toBe(7n);
    expect(f.lastStableOffsets.get(0)).toBe(7n);
  });
});
