// Rebuilding a log's producer state (Kafka 2.8's Log.rebuildProducerState): from the latest snapshot at or below
// the wanted end, plus the batches of the log after it. Runs at the first use of a loaded log and after every
// truncation; the log's lock is held by the caller.
import type { LogSegment } from './LogSegment';
import { producerBatchesIn, type OnTxnCompleted, type ProducerStateManager } from './ProducerStateManager';

const READ_CHUNK = 1 << 20;

export interface RebuildOptions {
  psm: ProducerStateManager;
  /** Oldest first. */
  segments: readonly LogSegment[];
  logStartOffset: bigint;
  /** The state is wanted for every offset below this one (the log end offset). */
  lastOffset: bigint;
  /** The log was closed cleanly: with no snapshot at all, the log holds no producer state worth a scan (Kafka's upgrade case). */
  reloadFromCleanShutdown: boolean;
  now: number;
  /** Sees every transaction a replayed marker completes (the .txnindex rebuild after crash recovery). */
  onTxnCompleted?: OnTxnCompleted;
}

export async function rebuildProducerState(o: RebuildOptions): Promise<void> {
  const { psm, segments, lastOffset } = o;
  const last = segments[segments.length - 1];
  const beforeLast = segments[segments.length - 2];
  // Snapshots at the last two segment bases and the end, so a later truncation need not scan far.
  const offsetsToSnapshot = [beforeLast?.baseOffset, last?.baseOffset, lastOffset].filter((x): x is bigint => x !== undefined);
  if (psm.latestSnapshotOffset === undefined && o.reloadFromCleanShutdown) {
    for (const offset of offsetsToSnapshot) {
      psm.updateMapEndOffset(offset);
      await psm.takeSnapshot();
    }
    return;
  }
  const emptyBeforeTruncation = psm.isEmpty && psm.mapEndOffset >= lastOffset;
  psm.truncateAndReload(o.logStartOffset, lastOffset, o.now);
  if (lastOffset > psm.mapEndOffset && !emptyBeforeTruncation) {
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i] as LogSegment;
      const next = segments[i + 1];
      if (next && next.baseOffset <= psm.mapEndOffset) continue;
      if (seg.baseOffset >= lastOffset) break;
      let from = [seg.baseOffset, psm.mapEndOffset, o.logStartOffset].reduce((m, x) => (x > m ? x : m));
      psm.updateMapEndOffset(from);
      if (offsetsToSnapshot.includes(seg.baseOffset)) await psm.takeSnapshot();
      for (;;) {
        const r = await seg.read(from, READ_CHUNK, lastOffset, true);
        if (r === null || r.records.length === 0) break;
        psm.replay(producerBatchesIn(r.records), o.onTxnCompleted);
        from = r.nextOffset;
      }
    }
  }
  psm.updateMapEndOffset(lastOffset);
  await psm.takeSnapshot();
}
