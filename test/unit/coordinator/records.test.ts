// Java string hashing, coordinator placement and the byte layout of __consumer_offsets keys and values.
import { javaStringHashCode, kafkaAbs, partitionFor } from '../../../src/coordinator/javaHash';
import {
  decodeGroupMetadataValue,
  decodeKey,
  decodeOffsetCommitValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
} from '../../../src/coordinator/records';

describe('Java String.hashCode and partitionFor', () => {
  // Expected values printed by a real JVM (java 17: "s.hashCode()" and Kafka's abs rule, 50 partitions).
  const cases: [string, number, number][] = [
    ['', 0, 0],
    ['a', 97, 47],
    ['my-group', -1906497762, 12],
    ['console-consumer-12345', 158455506, 6],
    ['polygenelubricants', -2147483648, 0],
    ['\u00e9t\u00e9-\ud83d\ude00', -1803456526, 26],
    ['test-group-that-is-long-enough-to-overflow', -1878959838, 38],
  ];
  test.each(cases)('%j hashes to %d and lands on partition %d of 50', (s, hash, partition) => {
    expect(javaStringHashCode(s)).toBe(hash);
    expect(partitionFor(s, 50)).toBe(partition);
  });

  test('Integer.MIN_VALUE maps to 0 as in Kafka Utils.abs', () => {
    expect(kafkaAbs(-2147483648)).toBe(0);
    expect(kafkaAbs(-5)).toBe(5);
  });
});

describe('record formats', () => {
  test('offset commit key v1 is version, group, topic, partition', () => {
    const key = encodeOffsetCommitKey('g', 'tp', 3);
    expect(key.toString('hex')).toBe(['0001', '0001', '67', '0002', '7470', '00000003'].join(''));
    expect(decodeKey(key)).toEqual({ kind: 'offset', group: 'g', topic: 'tp', partition: 3 });
  });

  test('group metadata key v2 is version, group', () => {
    const key = encodeGroupMetadataKey('grp');
    expect(key.toString('hex')).toBe('0002' + '0003' + Buffer.from('grp').toString('hex'));
    expect(decodeKey(key)).toEqual({ kind: 'group', group: 'grp' });
  });

  test('offset commit value v3: offset, leader epoch, metadata, commit timestamp', () => {
    const v = { offset: 42n, leaderEpoch: 7, metadata: 'm', commitTimestamp: 1000n, expireTimestamp: null };
    const b = encodeOffsetCommitValue(v);
    expect(b.toString('hex')).toBe(['0003', '000000000000002a', '00000007', '0001', '6d', '00000000000003e8'].join(''));
    expect(decodeOffsetCommitValue(b)).toEqual(v);
  });

  test('offset commit value v1 when an explicit expire timestamp must be kept', () => {
    const v = { offset: 5n, leaderEpoch: -1, metadata: '', commitTimestamp: 10n, expireTimestamp: 20n };
    const b = encodeOffsetCommitValue(v);
    expect(b.toString('hex')).toBe(['0001', '0000000000000005', '0000', '000000000000000a', '0000000000000014'].join(''));
    expect(decodeOffsetCommitValue(b)).toEqual(v);
  });

  test('older offset commit values (v0, v2) decode', () => {
    const v0 = Buffer.from(['0000', '0000000000000009', '0002', '6869', '0000000000000001'].join(''), 'hex');
    expect(decodeOffsetCommitValue(v0)).toEqual({ offset: 9n, leaderEpoch: -1, metadata: 'hi', commitTimestamp: 1n, expireTimestamp: null });
    const v2 = Buffer.from(['0002', '0000000000000009', '0000', '0000000000000002'].join(''), 'hex');
    expect(decodeOffsetCommitValue(v2).commitTimestamp).toBe(2n);
  });

  test('group metadata value v3 with one member, byte for byte', () => {
    const v = {
      protocolType: 'consumer',
      generation: 2,
      protocol: 'range',
      leader: 'm1',
      currentStateTimestamp: 99n,
      members: [
        {
          memberId: 'm1',
          groupInstanceId: null,
          clientId: 'c',
          clientHost: '/h',
          rebalanceTimeout: 300,
          sessionTimeout: 100,
          subscription: Buffer.from([1, 2]),
          assignment: Buffer.from([3]),
        },
      ],
    };
    const b = encodeGroupMetadataValue(v);
    const hex = [
      '0003',
      '0008', Buffer.from('consumer').toString('hex'),
      '00000002',
      '0005', Buffer.from('range').toString('hex'),
      '0002', Buffer.from('m1').toString('hex'),
      '0000000000000063',
      '00000001',
      '0002', Buffer.from('m1').toString('hex'),
      'ffff', // null group instance id
      '0001', '63',
      '0002', Buffer.from('/h').toString('hex'),
      '0000012c',
      '00000064',
      '00000002', '0102',
      '00000001', '03',
    ].join('');
    expect(b.toString('hex')).toBe(hex);
    expect(decodeGroupMetadataValue(b)).toEqual(v);
  });

  test('empty group value: null protocol and leader, no members', () => {
    const v = { protocolType: 'consumer', generation: 5, protocol: null, leader: null, currentStateTimestamp: -1n, members: [] };
    const b = encodeGroupMetadataValue(v);
    expect(b.toString('hex')).toBe(['0003', '0008', Buffer.from('consumer').toString('hex'), '00000005', 'ffff', 'ffff', 'ffffffffffffffff', '00000000'].join(''));
    expect(decodeGroupMetadataValue(b)).toEqual(v);
  });

  test('unknown key versions decode to null (skipped on load)', () => {
    expect(decodeKey(Buffer.from('0009', 'hex'))).toBeNull();
  });
});
