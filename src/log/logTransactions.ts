// Transaction reads over a log's segments (Kafka 2.8's Log.lastStableOffset and collectAbortedTransactions): the last
// stable offset from the producer state's first unstable offset, and the aborted transactions a read_committed fetch
// must filter, from the .txnindex files.
import type { LogSegment } from './LogSegment';
import type { AbortedTxn } from './LogTypes';
import { floorSegmentIndex } from './logReads';

/**
 * The first unstable offset as the log exposes it: the producer state's, never below the log start (an open
 * transaction whose beginning retention deleted still holds the LSO, at the log start; Kafka's
 * maybeIncrementFirstUnstableOffset).
 */
export function firstUnstableOffset(fromProducerState: bigint | null, logStartOffset: bigint): bigint | null {
  if (fromProducerState === null) return null;
  return fromProducerState < logStartOffset ? logStartOffset : fromProducerState;
}

/** Kafka's lastStableOffset: the first unstable offset when it is below the HW, else the HW. */
export function lastStableOffset(firstUnstable: bigint | null, highWatermark: bigint): bigint {
  return firstUnstable !== null && firstUnstable < highWatermark ? firstUnstable : highWatermark;
}

/**
 * Kafka's collectAbortedTransactions: from the segment holding `fetchOffset` onwards, the .txnindex entries whose
 * marker is at or after fetchOffset and whose transaction began below upperBoundOffset; a segment stops the walk once
 * one of its entries recorded an LSO at or above the bound (no transaction beginning below it was still open then).
 */
export function collectAbortedTransactions(segments: readonly LogSegment[], fetchOffset: bigint, upperBoundOffset: bigint): AbortedTxn[] {
  const out: AbortedTxn[] = [];
  const start = Math.max(0, floorSegmentIndex(segments, fetchOffset));
  for (let i = start; i < segments.length; i++) {
    const r = (segments[i] as LogSegment).txnIndex.collectAbortedTxns(fetchOffset, upperBoundOffset);
    out.push(...r.abortedTransactions);
    if (r.isComplete) break;
  }
  return out;
}
