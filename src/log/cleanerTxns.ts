// What the cleaner needs to know of transactions (Kafka's CleanedTransactionMetadata, simplified): which data batches
// belong to aborted transactions (their records never win the key map and are removed when cleaning), and where the
// .txnindex entries of the replaced segments go among the cleaned ones.
import { ATTRIBUTES, BASE_OFFSET, PRODUCER_ID, isControl, isTransactional } from '../protocol/record/batch-header';
import type { LogSegment } from './LogSegment';
import type { AbortedTxn } from './LogTypes';

export class AbortedTxnFilter {
  private readonly byProducer = new Map<bigint, AbortedTxn[]>();

  /** `aborted`: the log's aborted transactions overlapping the range being read (Log.collectAbortedTransactions). */
  constructor(aborted: readonly AbortedTxn[]) {
    for (const t of aborted) {
      const list = this.byProducer.get(t.producerId);
      if (list) list.push(t);
      else this.byProducer.set(t.producerId, [t]);
    }
  }

  /** A transactional data batch between its producer's aborted transaction's first offset and ABORT marker. */
  isAborted(batch: Buffer, pos = 0): boolean {
    if (this.byProducer.size === 0) return false;
    const attributes = batch.readInt16BE(pos + ATTRIBUTES);
    if (!isTransactional(attributes) || isControl(attributes)) return false;
    const list = this.byProducer.get(batch.readBigInt64BE(pos + PRODUCER_ID));
    if (!list) return false;
    const base = batch.readBigInt64BE(pos + BASE_OFFSET);
    return list.some((t) => t.firstOffset <= base && base < t.lastOffset);
  }
}

/**
 * The .txnindex entries of the segments a clean replaces, each given to the cleaned segment holding its marker
 * (control batches are retained, so that segment exists): the cleaned files keep every aborted transaction.
 */
export function carryAbortedTxns(replaced: readonly LogSegment[], cleaned: readonly LogSegment[]): void {
  if (cleaned.length === 0) return;
  for (const old of replaced) {
    for (const t of old.txnIndex.entries) {
      let target = cleaned[0] as LogSegment;
      for (const c of cleaned) if (c.baseOffset <= t.lastOffset) target = c;
      target.txnIndex.append(t);
    }
  }
}
