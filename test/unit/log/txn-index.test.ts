// TransactionIndex (.txnindex, Kafka's 34-byte AbortedTxn entries): file format, search, truncation, reload.
import * as fs from 'fs';
import * as path from 'path';
import { TXN_INDEX_ENTRY_SIZE, TransactionIndex, CorruptTxnIndexError } from '../../../src/log/TransactionIndex';
import { tmpDir } from './helpers';

let dir: string;
beforeEach(() => {
  dir = tmpDir('brook-txnindex-');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const t = (producerId: bigint, firstOffset: bigint, lastOffset: bigint, lastStableOffset: bigint) => ({ producerId, firstOffset, lastOffset, lastStableOffset });

describe('TransactionIndex', () => {
  it('is created by the first entry and writes Kafka\'s layout (version 0, pid, first, last, LSO: big-endian)', () => {
    const file = path.join(dir, '00000000000000000000.txnindex');
    const idx = new TransactionIndex(file, 0n);
    expect(idx.collectAbortedTxns(0n, 100n)).toEqual({ abortedTransactions: [], isComplete: false });
    expect(fs.existsSync(file)).toBe(false);
    idx.append(t(5n, 10n, 20n, 12n));
    const bytes = fs.readFileSync(file);
    expect(bytes.length).toBe(TXN_INDEX_ENTRY_SIZE);
    expect(bytes.readInt16BE(0)).toBe(0);
    expect([bytes.readBigInt64BE(2), bytes.readBigInt64BE(10), bytes.readBigInt64BE(18), bytes.readBigInt64BE(26)]).toEqual([5n, 10n, 20n, 12n]);
    expect(() => idx.append(t(6n, 1n, 20n, 21n))).toThrow(/not after/);
  });

  it('collects entries overlapping [fetch, upper) and is complete once an entry\'s LSO reaches the bound', () => {
    const idx = new TransactionIndex(path.join(dir, 'x.txnindex'), 0n);
    idx.append(t(1n, 0n, 5n, 3n));
    idx.append(t(2n, 3n, 9n, 10n));
    idx.append(t(3n, 12n, 15n, 16n));
    expect(idx.collectAbortedTxns(0n, 100n)).toEqual({ abortedTransactions: [t(1n, 0n, 5n, 3n), t(2n, 3n, 9n, 10n), t(3n, 12n, 15n, 16n)], isComplete: false });
    expect(idx.collectAbortedTxns(6n, 100n).abortedTransactions).toEqual([t(2n, 3n, 9n, 10n), t(3n, 12n, 15n, 16n)]);
    expect(idx.collectAbortedTxns(0n, 10n)).toEqual({ abortedTransactions: [t(1n, 0n, 5n, 3n), t(2n, 3n, 9n, 10n)], isComplete: true });
    expect(idx.collectAbortedTxns(0n, 3n)).toEqual({ abortedTransactions: [t(1n, 0n, 5n, 3n)], isComplete: true });
  });

  it('truncateTo drops entries whose marker is at or above the offset, in the file too; a reload reads what is left', () => {
    const file = path.join(dir, 'y.txnindex');
    const idx = new TransactionIndex(file, 0n);
    idx.append(t(1n, 0n, 5n, 6n));
    idx.append(t(2n, 3n, 9n, 10n));
    idx.truncateTo(9n);
    expect(idx.entries).toEqual([t(1n, 0n, 5n, 6n)]);
    expect(fs.statSync(file).size).toBe(TXN_INDEX_ENTRY_SIZE);
    // A torn last entry (a crash mid-write) is ignored.
    fs.appendFileSync(file, Buffer.alloc(10));
    expect(new TransactionIndex(file, 0n).entries).toEqual([t(1n, 0n, 5n, 6n)]);
    idx.reset();
    expect(fs.statSync(file).size).toBe(0);
    expect(new TransactionIndex(file, 0n).entries).toEqual([]);
  });

  it('an unknown entry version is corrupt', () => {
    const file = path.join(dir, 'z.txnindex');
    const b = Buffer.alloc(TXN_INDEX_ENTRY_SIZE);
    b.writeInt16BE(1, 0);
    fs.writeFileSync(file, b);
    expect(() => new TransactionIndex(file, 0n).entries).toThrow(CorruptTxnIndexError);
  });
});
