// What callers of a Log pass in and get back (load, append, read, ListOffsets), and its clock.
import type { LogConfig } from './LogConfig';

export const LATEST_TIMESTAMP = -1n;
export const EARLIEST_TIMESTAMP = -2n;
/** ListOffsets v7+ (KIP-734): the record with the largest timestamp. */
export const MAX_TIMESTAMP = -3n;

export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

export interface LoadOptions {
  /** The partition directory `<log.dir>/<topic>-<partition>`. */
  dir: string;
  topic: string;
  partition: number;
  config: LogConfig;
  clock?: Clock;
  recoveryPoint?: bigint;
  logStartOffset?: bigint;
  highWatermark?: bigint;
  /** false after a crash: segments from the recovery point on are validated batch by batch. */
  hadCleanShutdown?: boolean;
  /** Called once when a disk operation fails (LogManager marks the log dir offline). */
  onStorageError?: (err: unknown) => void;
  /** Called after a truncation removed data: the log now ends at `offset` (LogManager lowers the cleaner checkpoint). */
  onTruncated?: (offset: bigint) => void;
  /** transactional.id.expiration.ms: producers idle this long are dropped from the producer state. Default 7 days. */
  producerIdExpirationMs?: number;
}

/** Who writes on the leader (Kafka's AppendOrigin, leader side): clients, or Brook's own coordinators. */
export type AppendOrigin = 'client' | 'coordinator';

export interface AppendOptions {
  /** true on the leader (offsets assigned here), false on a follower (offsets kept, must extend the log). */
  assignOffsets: boolean;
  /** Leader epoch stamped on every batch (leader only). */
  leaderEpoch: number;
  /** Overrides the topic's message.timestamp.type. */
  timestampType?: 'CreateTime' | 'LogAppendTime';
  /** Overrides the topic's max.message.bytes. */
  maxMessageBytes?: number;
  /**
   * Who writes, on the leader (Kafka's AppendOrigin): 'client' (default) gets every LogValidator rule; 'coordinator'
   * (group and, later, transaction coordinators writing their own topics) skips the client-only batch rules.
   */
  origin?: AppendOrigin;
  /**
   * Called once this append's place in the log is fixed: it is queued for the log's lock behind the appends called
   * before it and ahead of any called after. Appends that fail before that point do not call it.
   */
  onOrdered?: () => void;
}

/** An aborted transaction as the .txnindex stores it (Kafka's AbortedTxn). */
export interface AbortedTxn {
  producerId: bigint;
  /** First offset of the transaction in this partition. */
  firstOffset: bigint;
  /** Offset of its ABORT marker. */
  lastOffset: bigint;
  /** The partition's LSO when the abort completed. */
  lastStableOffset: bigint;
}

export interface LogAppendInfo {
  firstOffset: bigint;
  lastOffset: bigint;
  maxTimestamp: bigint;
  offsetOfMaxTimestamp: bigint;
  /** -1n unless the topic uses LogAppendTime. */
  logAppendTime: bigint;
  logStartOffset: bigint;
  validBytes: number;
  numMessages: number;
}

export interface ReadOptions {
  /** Exclusive upper bound (the high watermark for consumers). */
  maxOffset?: bigint;
  /** Return the first batch whole even when it alone exceeds maxBytes. Default true. */
  minOneBatch?: boolean;
  /**
   * Where the bytes read go (default: a fresh Buffer): a fetch response's records come from its connection's pool and
   * go back once written to the socket (SocketServer's allocResponseBytes).
   */
  alloc?: (size: number) => Buffer;
}

export interface FetchDataInfo {
  /** Whole batches. */
  records: Buffer;
  /** Base offset of the first returned batch (or the requested offset when empty). */
  firstOffset: bigint;
  /** Offset after the last returned batch (or the requested offset when empty). */
  nextOffset: bigint;
  logStartOffset: bigint;
  logEndOffset: bigint;
  highWatermark: bigint;
}

/** One answer for an append made in several runs (LogAppendInfo of each, in order; at least one). */
export function combineAppendInfos(infos: readonly LogAppendInfo[]): LogAppendInfo {
  const first = infos[0] as LogAppendInfo;
  const last = infos[infos.length - 1] as LogAppendInfo;
  let max = first;
  for (const i of infos) if (i.maxTimestamp > max.maxTimestamp) max = i;
  return {
    ...last,
    firstOffset: first.firstOffset,
    maxTimestamp: max.maxTimestamp,
    offsetOfMaxTimestamp: max.offsetOfMaxTimestamp,
    validBytes: infos.reduce((n, i) => n + i.validBytes, 0),
    numMessages: infos.reduce((n, i) => n + i.numMessages, 0),
  };
}
