// Kafka 2.8's binary key/value format of __transaction_state records (TransactionLogKey/TransactionLogValue v0,
// non-flexible) and the transaction states with their stored ids.
//
// Key = int16 version 0 + transactional id (int16-length UTF-8). Value = int16 version 0 + producer id (int64),
// producer epoch (int16), timeout (int32), state id (int8), partitions (nullable int32-count array of {topic,
// int32-count partition ids}; null when Empty), last update time (int64), start time (int64, -1 without a txn).
// A null value is a tombstone: the transactional id expired.
import { Reader } from '../../protocol/buffers';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';

export type TransactionState =
  | 'Empty'
  | 'Ongoing'
  | 'PrepareCommit'
  | 'PrepareAbort'
  | 'CompleteCommit'
  | 'CompleteAbort'
  | 'Dead'
  | 'PrepareEpochFence';

/** The state ids stored in the log (PrepareEpochFence is in memory only and never written). */
export const STATE_IDS: Readonly<Record<TransactionState, number>> = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
};

export const ALL_STATES: readonly TransactionState[] = Object.keys(STATE_IDS) as TransactionState[];

const STATES_BY_ID = new Map<number, TransactionState>(ALL_STATES.map((s) => [STATE_IDS[s], s]));

export function stateFromId(id: number): TransactionState {
  const s = STATES_BY_ID.get(id);
  if (s === undefined) throw new Error(`unknown transaction state id ${id}`);
  return s;
}

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

/** What one __transaction_state value holds. */
export interface TransactionLogValue {
  producerId: bigint;
  producerEpoch: number;
  txnTimeoutMs: number;
  state: TransactionState;
  /** Grouped by topic; empty (stored as null) when the state is Empty. */
  topicPartitions: TopicPartitions[];
  txnLastUpdateTimestamp: bigint;
  txnStartTimestamp: bigint;
}

const KEY_VERSION = 0;
const VALUE_VERSION = 0;

function utf8Len(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

export function encodeTxnKey(transactionalId: string): Buffer {
  const n = utf8Len(transactionalId);
  const b = Buffer.alloc(4 + n);
  b.writeInt16BE(KEY_VERSION, 0);
  b.writeInt16BE(n, 2);
  b.write(transactionalId, 4, 'utf8');
  return b;
}

/** The transactional id of a key, or null for a key version this format does not know (skipped on load). */
export function decodeTxnKey(buf: Buffer): string | null {
  const r = new Reader(buf);
  const version = r.int16();
  if (version !== KEY_VERSION) return null;
  const n = r.int16();
  if (n < 0) throw new Error('null transactional id in a __transaction_state key');
  return r.utf8(n, 'transactional id');
}

/** Groups `topic-partition` pairs by topic, topics and partitions in ascending order. */
export function groupByTopic(pairs: Iterable<{ topic: string; partition: number }>): TopicPartitions[] {
  const m = new Map<string, number[]>();
  for (const { topic, partition } of pairs) {
    let ps = m.get(topic);
    if (!ps) m.set(topic, (ps = []));
    ps.push(partition);
  }
  return [...m.keys()].sort().map((topic) => ({ topic, partitions: (m.get(topic) as number[]).sort((a, b) => a - b) }));
}

export function encodeTxnValue(v: TransactionLogValue): Buffer {
  if (v.state === 'PrepareEpochFence') throw new Error('PrepareEpochFence is never written to the transaction log');
  if (v.state === 'Empty' && v.topicPartitions.some((t) => t.partitions.length > 0)) {
    throw new Error('a transaction in state Empty cannot have partitions');
  }
  const parts = v.state === 'Empty' ? null : v.topicPartitions;
  let size = 2 + 8 + 2 + 4 + 1 + 4 + 8 + 8;
  for (const t of parts ?? []) size += 2 + utf8Len(t.topic) + 4 + 4 * t.partitions.length;
  const b = Buffer.alloc(size);
  let pos = b.writeInt16BE(VALUE_VERSION, 0);
  pos = b.writeBigInt64BE(v.producerId, pos);
  pos = b.writeInt16BE(v.producerEpoch, pos);
  pos = b.writeInt32BE(v.txnTimeoutMs, pos);
  pos = b.writeInt8(STATE_IDS[v.state], pos);
  if (parts === null) {
    pos = b.writeInt32BE(-1, pos);
  } else {
    pos = b.writeInt32BE(parts.length, pos);
    for (const t of parts) {
      const n = utf8Len(t.topic);
      pos = b.writeInt16BE(n, pos);
      pos += b.write(t.topic, pos, 'utf8');
      pos = b.writeInt32BE(t.partitions.length, pos);
      for (const p of t.partitions) pos = b.writeInt32BE(p, pos);
    }
  }
  pos = b.writeBigInt64BE(v.txnLastUpdateTimestamp, pos);
  b.writeBigInt64BE(v.txnStartTimestamp, pos);
  return b;
}

export function decodeTxnValue(buf: Buffer): TransactionLogValue {
  const r = new Reader(buf);
  const version = r.int16();
  if (version !== VALUE_VERSION) throw new Error(`unknown __transaction_state value version ${version}`);
  const producerId = r.int64();
  const producerEpoch = r.int16();
  const txnTimeoutMs = r.int32();
  const state = stateFromId(r.int8());
  const count = r.int32();
  const topicPartitions: TopicPartitions[] = [];
  for (let i = 0; i < count; i++) {
    const n = r.int16();
    if (n < 0) throw new Error('null topic in a __transaction_state value');
    const topic = r.utf8(n, 'topic');
    const pc = r.int32();
    const partitions: number[] = [];
    for (let j = 0; j < pc; j++) partitions.push(r.int32());
    topicPartitions.push({ topic, partitions });
  }
  const txnLastUpdateTimestamp = r.int64();
  const txnStartTimestamp = r.int64();
  return { producerId, producerEpoch, txnTimeoutMs, state, topicPartitions, txnLastUpdateTimestamp, txnStartTimestamp };
}
