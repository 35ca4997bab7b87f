// The cleaner's crash-safe swap of cleaned segments into a live log (Kafka's replaceSegments); LogLoader completes or
// rolls back a swap a crash interrupted.
import * as fs from 'fs';
import * as path from 'path';
import { fsyncDir } from './checkpoints';
import type { Log } from './Log';
import { CLEANED_SUFFIX, INDEX_SUFFIX, LOG_SUFFIX, LogSegment, SWAP_SUFFIX, TIME_INDEX_SUFFIX, filenamePrefixFromOffset } from './LogSegment';
import { TXN_INDEX_SUFFIX } from './TransactionIndex';

/**
 * Swaps the cleaned segments at `cleanedBases` (complete `.cleaned` files, fsynced) in for `olds`, under the log lock.
 * `expected` is the run of segments, starting with `olds`, that the clean relied on; if any of them is no longer in
 * place (truncation, retention, a full truncation) nothing is swapped and false comes back. Crash-safe order,
 * completed or rolled back by LogLoader:
 *   1. every `<base>.txnindex.cleaned` becomes `<base>.txnindex.swap` (the aborted transactions cannot be rebuilt from
 *      the cleaned data), then every `<base>.log.cleaned` becomes `<base>.log.swap`, highest base first: once the
 *      lowest is renamed the clean is committed (a `.cleaned` file below a `.swap` means it was not);
 *   2. the old segments' files become `.deleted` (their fds stay open for readers, closed after file.delete.delay.ms);
 *   3. lowest first, each cleaned segment's indexes take their final names, then its `.swap` becomes `.log`.
 */
export function replaceSegments(log: Log, olds: readonly LogSegment[], expected: readonly LogSegment[], cleanedBases: readonly bigint[]): Promise<boolean> {
  return log.swapSegments(async (segments) => {
    const at = segments.indexOf(expected[0] as LogSegment);
    if (at < 0 || expected.some((seg, i) => segments[at + i] !== seg) || olds.some((seg, i) => expected[i] !== seg)) return null;
    const prefix = (base: bigint): string => path.join(log.dir, filenamePrefixFromOffset(base));
    for (const b of cleanedBases) await renameIfExists(prefix(b) + TXN_INDEX_SUFFIX + CLEANED_SUFFIX, prefix(b) + TXN_INDEX_SUFFIX + SWAP_SUFFIX);
    for (const b of [...cleanedBases].reverse()) await fs.promises.rename(prefix(b) + LOG_SUFFIX + CLEANED_SUFFIX, prefix(b) + LOG_SUFFIX + SWAP_SUFFIX);
    await fsyncDir(log.dir);
    // No flush may persist an old segment's indexes under the names the new segments are about to take.
    await log.awaitFlushes();
    for (const seg of olds) seg.retire();
    for (const seg of olds) await seg.renameToDeleted();
    for (const b of cleanedBases) {
      // An index with no entry was never written: the segment then builds it on first use (a small scan).
      for (const f of [INDEX_SUFFIX, TIME_INDEX_SUFFIX]) await renameIfExists(prefix(b) + f + CLEANED_SUFFIX, prefix(b) + f);
      await renameIfExists(prefix(b) + TXN_INDEX_SUFFIX + SWAP_SUFFIX, prefix(b) + TXN_INDEX_SUFFIX);
      await fs.promises.rename(prefix(b) + LOG_SUFFIX + SWAP_SUFFIX, prefix(b) + LOG_SUFFIX);
    }
    await fsyncDir(log.dir);
    const now = log.clock.now();
    const fresh = cleanedBases.map((b) => LogSegment.openSync(log.dir, b, log.config['index.interval.bytes'], log.config['segment.index.bytes'], now));
    return { segments: [...segments.slice(0, at), ...fresh, ...segments.slice(at + olds.length)], replaced: olds };
  });
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try {
    await fs.promises.rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

