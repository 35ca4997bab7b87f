// The idempotent producer's state (Kafka's TransactionManager without transactions): the producer id and epoch
// from InitProducerId and each partition's sequence numbers, the config checks, and what its errors mean.
import { ErrorCode } from '../protocol/errors';
import { InitProducerId } from '../protocol/messages';
import { AdminClient } from './AdminClient';
import { ConfigException, describeErrorCode } from './errors';

/** Kafka's limit: the broker keeps the last 5 batches per producer, so more in flight could not be deduplicated. */
export const MAX_IN_FLIGHT_IDEMPOTENT = 5;

/** Kafka's default transaction.timeout.ms, sent in InitProducerId (the broker ignores it without a transactional id). */
const TRANSACTION_TIMEOUT_MS = 60_000;

const INT32_MAX = 0x7fffffff;

/** Kafka's DefaultRecordBatch.incrementSequence: sequences wrap from 2^31-1 to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > INT32_MAX - increment) return increment - (INT32_MAX - sequence) - 1;
  return sequence + increment;
}

/**
 * Kafka's ProducerConfig checks for enable.idempotence=true (a ConfigException there too): acks must be all,
 * at most 5 requests in flight per connection.
 */
export function checkIdempotentConfig(c: { acks: number; maxInFlight?: number }): void {
  if (c.acks !== -1) {
    throw new ConfigException('Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.');
  }
  if (c.maxInFlight !== undefined && c.maxInFlight > MAX_IN_FLIGHT_IDEMPOTENT) {
    throw new ConfigException(`Must set max.in.flight.requests.per.connection to at most ${MAX_IN_FLIGHT_IDEMPOTENT} to use the idempotent producer.`);
  }
}

export interface ProducerIdAndEpoch {
  producerId: bigint;
  producerEpoch: number;
}

/** The header fields an idempotent producer writes into a batch (bytes 43, 51 and 53 of a magic-2 batch). */
export interface BatchStamp extends ProducerIdAndEpoch {
  baseSequence: number;
}

/** Asks any broker for a producer id and epoch (InitProducerId without a transactional id), retrying while it loads. */
export async function initProducerId(admin: AdminClient): Promise<ProducerIdAndEpoch> {
  return admin.withRetry('initializing the idempotent producer (InitProducerId)', async () => {
    const { response } = await admin.send('any', InitProducerId, () => ({
      transactionalId: null, transactionTimeoutMs: TRANSACTION_TIMEOUT_MS, producerId: -1n, producerEpoch: -1,
    }));
    AdminClient.check(response.errorCode, 'InitProducerId (enable.idempotence=true)');
    return { producerId: response.producerId, producerEpoch: response.producerEpoch };
  });
}

interface PartitionSequences {
  /** Base sequence of the next batch built. */
  next: number;
  /** Base sequence of the next batch the broker should acknowledge: the first one not yet acknowledged. */
  unacked: number;
}

/** How the producer should treat a produce error of an idempotent batch. */
export type IdempotentOutcome = 'done' | 'retry' | 'fatal' | 'other';

/**
 * Sequence numbers per partition under one producer id and epoch. A batch gets its base sequence once, when it is
 * built, and keeps it on every retry, so the broker can drop a retried batch it already wrote.
 */
export class ProducerSequences {
  private readonly partitions = new Map<string, PartitionSequences>();

  constructor(readonly producerIdAndEpoch: ProducerIdAndEpoch) {}

  /** The stamp of a new batch of `count` records; the partition's next sequence moves past them. */
  nextBatch(topic: string, partition: number, count: number): BatchStamp {
    const s = this.of(topic, partition);
    const baseSequence = s.next;
    s.next = incrementSequence(s.next, count);
    return { ...this.producerIdAndEpoch, baseSequence };
  }

  /** The broker acknowledged the batch (it acknowledges a partition's batches in sequence order). */
  acknowledged(topic: string, partition: number, stamp: BatchStamp, count: number): void {
    this.of(topic, partition).unacked = incrementSequence(stamp.baseSequence, count);
  }

  /**
   * What a produce error means for the batch stamped `stamp`. DUPLICATE_SEQUENCE_NUMBER: the broker already has it.
   * OUT_OF_ORDER_SEQUENCE_NUMBER for a batch behind an earlier one not yet acknowledged (that one failed or is
   * being retried): retry it after the earlier one; for the first unacknowledged batch it means the broker lost
   * track of this producer's sequence, which no retry cures. Fencing and unknown producer ids are fatal too.
   */
  outcome(topic: string, partition: number, stamp: BatchStamp, code: number): IdempotentOutcome {
    switch (code) {
      case ErrorCode.DUPLICATE_SEQUENCE_NUMBER:
        return 'done';
      case ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER:
        return stamp.baseSequence !== this.of(topic, partition).unacked ? 'retry' : 'fatal';
      case ErrorCode.INVALID_PRODUCER_EPOCH:
      case ErrorCode.UNKNOWN_PRODUCER_ID:
      case ErrorCode.PRODUCER_FENCED:
        return 'fatal';
      default:
        return 'other';
    }
  }

  /** The message of a fatal idempotence error, naming the producer, partition and sequence. */
  describeFatal(topic: string, partition: number, stamp: BatchStamp, code: number, brokerMessage?: string | null): string {
    const why = code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER
      ? `the broker expected another sequence number (it is missing earlier records of this producer, e.g. after an unclean leader election)`
      : `the broker no longer accepts this producer id and epoch (another producer took them over, or the broker lost its state)`;
    return `idempotent producer ${stamp.producerId} epoch ${stamp.producerEpoch}, ${topic}-${partition} base sequence ${stamp.baseSequence}: `
      + `${describeErrorCode(code, brokerMessage)} — ${why}; the batch was not written`;
  }

  private of(topic: string, partition: number): PartitionSequences {
    const key = `${topic}-${partition}`;
    let s = this.partitions.get(key);
    if (s === undefined) {
      s = { next: 0, unacked: 0 };
      this.partitions.set(key, s);
    }
    return s;
  }
}
