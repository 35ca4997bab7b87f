// The consumer's side of isolation.level (KIP-98): which fetched batches reach the application. Control batches
// (transaction markers) never do; under read_committed neither do the batches of aborted transactions, found with
// the Fetch response's abortedTransactions the way Kafka's consumer does (Fetcher.CompletedFetch).
import { isControl, isTransactional, type BatchHeader, type BatchView, iterateBatches } from '../protocol/record/batch-header';
import { decodeBatchRecordsSync } from '../protocol/record/records';

export const READ_UNCOMMITTED = 0;
export const READ_COMMITTED = 1;
export type IsolationLevel = typeof READ_UNCOMMITTED | typeof READ_COMMITTED;

/** Kafka's ConsoleConsumer / ConsumerConfig names of the isolation levels. */
export const ISOLATION_LEVEL_NAMES: Record<string, IsolationLevel> = {
  read_uncommitted: READ_UNCOMMITTED,
  read_committed: READ_COMMITTED,
};

/** Control record types (the key of a control record: int16 version, int16 type). */
export const CONTROL_ABORT = 0;
export const CONTROL_COMMIT = 1;

export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

/** The type of the control record in the control batch at `pos` (ABORT 0, COMMIT 1), or null if it has none. */
export function controlRecordType(buf: Buffer, pos: number): number | null {
  const [first] = decodeBatchRecordsSync(buf, pos);
  if (first === undefined || first.key === null || first.key.length < 4) return null;
  return first.key.readInt16BE(2);
}

/**
 * One partition's aborted-transaction bookkeeping over one fetch response. A producer's batches are skipped from the
 * batch that reaches its aborted transaction's first offset until that producer's ABORT marker.
 */
export class AbortedTransactionFilter {
  /** Aborted transactions not yet reached, by first offset. */
  private readonly pending: AbortedTransaction[];
  private readonly abortedProducers = new Set<bigint>();

  constructor(aborted: readonly AbortedTransaction[] | null | undefined) {
    this.pending = [...(aborted ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  }

  /**
   * Whether the application sees the batch. `abortMarker` says the batch is a control batch holding an ABORT
   * record (read only for control batches). Batches must come in offset order.
   */
  accept(h: BatchHeader, abortMarker: () => boolean): boolean {
    if (h.producerId >= 0n) {
      const lastOffset = h.baseOffset + BigInt(h.lastOffsetDelta);
      while (this.pending.length > 0 && this.pending[0]!.firstOffset <= lastOffset) this.abortedProducers.add(this.pending.shift()!.producerId);
      if (isControl(h.attributes)) {
        if (abortMarker()) this.abortedProducers.delete(h.producerId);
        return false;
      }
      if (isTransactional(h.attributes) && this.abortedProducers.has(h.producerId)) return false;
    }
    return !isControl(h.attributes);
  }
}

/**
 * The batches of one partition's fetched bytes with whether each is delivered. Under read_uncommitted only control
 * batches are held back; under read_committed the aborted ones too.
 */
export function selectBatches(
  data: Buffer,
  isolationLevel: IsolationLevel,
  aborted: readonly AbortedTransaction[] | null | undefined,
): Array<{ batch: BatchView; deliver: boolean }> {
  const out: Array<{ batch: BatchView; deliver: boolean }> = [];
  const filter = isolationLevel === READ_COMMITTED ? new AbortedTransactionFilter(aborted) : null;
  for (const b of iterateBatches(data)) {
    const deliver = filter
      ? filter.accept(b.header, () => controlRecordType(data, b.position) === CONTROL_ABORT)
      : !isControl(b.header.attributes);
    out.push({ batch: b, deliver });
  }
  return out;
}
