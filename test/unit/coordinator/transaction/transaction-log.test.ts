// __transaction_state keys and values in Kafka 2.8's exact bytes (TransactionLogKey/TransactionLogValue v0), and the
// partition of a transactional id (abs(String.hashCode) % partitions).
import { decodeTxnKey, decodeTxnValue, encodeTxnKey, encodeTxnValue, STATE_IDS, type TransactionLogValue } from '../../../../src/coordinator/transaction/TransactionLog';
import { partitionFor } from '../../../../src/coordinator/javaHash';
import { TransactionStateManager } from '../../../../src/coordinator/transaction/TransactionStateManager';
import { moduleLogger } from '../../../../src/util/logger';
import { FakeScheduler, InMemoryOffsetsStore } from '../helpers';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('TransactionLogKey v0', () => {
  test('int16 version 0, then the id as an int16-length UTF-8 string', () => {
    expect(encodeTxnKey('tx').toString('hex')).toBe('0000' + '0002' + '7478');
    expect(encodeTxnKey('é').toString('hex')).toBe('0000' + '0002' + 'c3a9');
    expect(decodeTxnKey(hex('0000 0002 7478'))).toBe('tx');
  });

  test('a key of an unknown version is skipped (null), as Kafka skips keys it does not know', () => {
    expect(decodeTxnKey(hex('0001 0002 7478'))).toBeNull();
  });
});

describe('TransactionLogValue v0', () => {
  const ongoing: TransactionLogValue = {
    producerId: 5n,
    producerEpoch: 1,
    txnTimeoutMs: 60_000,
    state: 'Ongoing',
    topicPartitions: [{ topic: 'a', partitions: [0, 1] }, { topic: 'bc', partitions: [7] }],
    txnLastUpdateTimestamp: 0x0102n,
    txnStartTimestamp: 0x0101n,
  };

  test('fields in the JSON order: producer id, epoch, timeout, state id, partitions by topic, last update, start', () => {
    expect(encodeTxnValue(ongoing).toString('hex')).toBe([
      '0000', // version
      '0000000000000005', // ProducerId
      '0001', // ProducerEpoch
      '0000ea60', // TransactionTimeoutMs
      '01', // TransactionStatus Ongoing
      '00000002', // TransactionPartitions: 2 topics
      '0001' + '61' + '00000002' + '00000000' + '00000001',
      '0002' + '6263' + '00000001' + '00000007',
      '0000000000000102', // TransactionLastUpdateTimestampMs
      '0000000000000101', // TransactionStartTimestampMs
    ].join(''));
    expect(decodeTxnValue(encodeTxnValue(ongoing))).toEqual(ongoing);
  });

  test('Empty stores a null partition array (-1) and start -1', () => {
    const empty: TransactionLogValue = { ...ongoing, state: 'Empty', topicPartitions: [], txnStartTimestamp: -1n };
    const b = encodeTxnValue(empty);
    expect(b.subarray(17, 21).toString('hex')).toBe('ffffffff');
    expect(b.subarray(b.length - 8).toString('hex')).toBe('ffffffffffffffff');
    expect(b.length).toBe(2 + 8 + 2 + 4 + 1 + 4 + 8 + 8);
    expect(decodeTxnValue(b)).toEqual(empty);
  });

  test('state ids are Kafka\'s: Empty 0 ... Dead 6, PrepareEpochFence 7 (never written)', () => {
    expect(STATE_IDS).toEqual({ Empty: 0, Ongoing: 1, PrepareCommit: 2, PrepareAbort: 3, CompleteCommit: 4, CompleteAbort: 5, Dead: 6, PrepareEpochFence: 7 });
    for (const state of ['PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort'] as const) {
      const v = { ...ongoing, state };
      expect(encodeTxnValue(v)[16]).toBe(STATE_IDS[state]);
      expect(decodeTxnValue(encodeTxnValue(v))).toEqual(v);
    }
    expect(() => encodeTxnValue({ ...ongoing, state: 'PrepareEpochFence' })).toThrow(/never written/);
    expect(() => encodeTxnValue({ ...ongoing, state: 'Empty' })).toThrow(/Empty cannot have partitions/);
  });

  test('an unknown value version or state id fails to decode', () => {
    const b = encodeTxnValue(ongoing);
    const v1 = Buffer.from(b);
    v1.writeInt16BE(1, 0);
    expect(() => decodeTxnValue(v1)).toThrow(/version 1/);
    const badState = Buffer.from(b);
    badState[16] = 9;
    expect(() => decodeTxnValue(badState)).toThrow(/state id 9/);
  });
});

describe('partition of a transactional id', () => {
  test('abs(String.hashCode) % partitions, with Integer.MIN_VALUE mapping to 0', () => {
    expect(partitionFor('tx', 50)).toBe((116 * 31 + 120) % 50); // "tx".hashCode() = 3716
    // "polygenelubricants".hashCode() == Integer.MIN_VALUE: Kafka's Utils.abs maps it to 0.
    expect(partitionFor('polygenelubricants', 50)).toBe(0);
  });
});

describe('TransactionStateManager placement', () => {
  test('an existing topic\'s partition count wins over transaction.state.log.num.partitions', () => {
    const sm = new TransactionStateManager({ numPartitions: 50, transactionMaxTimeoutMs: 1, transactionalIdExpirationMs: 1, requestTimeoutMs: 1, loadBufferSize: 1 },
      new InMemoryOffsetsStore(), new FakeScheduler(), moduleLogger('test', {}));
    expect(sm.partitionFor('tx')).toBe(3716 % 50);
    sm.useTopicPartitionCount(7);
    expect(sm.partitionFor('tx')).toBe(3716 % 7);
  });
});
