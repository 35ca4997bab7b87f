// Table tests of replica placement and of topic/assignment validation.
import { ErrorCode } from '../../../src/controller/errors';
import {
  assignReplicasToBrokers,
  collidingTopic,
  hasCollisionChars,
  rackAlternatedBrokerList,
  validateManualAssignment,
  validateTopicName,
  type BrokerRack,
} from '../../../src/controller/ReplicaAssignment';

const brokers = (...ids: number[]): BrokerRack[] => ids.map((id) => ({ id, rack: null }));
const codeOf = (f: () => unknown): number | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    return (e as { errorCode?: number }).errorCode;
  }
};

describe('assignReplicasToBrokers (rack unaware)', () => {
  test('fixed start index 0 matches Kafka placement for 5 brokers', () => {
    // Kafka's documented example: 5 brokers, 10 partitions, RF 3, start index 0, shift 0.
    const a = assignReplicasToBrokers(10, 3, brokers(0, 1, 2, 3, 4), { fixedStartIndex: 0 });
    expect([...a]).toEqual([
      [0, [0, 1, 2]],
      [1, [1, 2, 3]],
      [2, [2, 3, 4]],
      [3, [3, 4, 0]],
      [4, [4, 0, 1]],
      [5, [0, 2, 3]],
      [6, [1, 3, 4]],
      [7, [2, 4, 0]],
      [8, [3, 0, 1]],
      [9, [4, 1, 2]],
    ]);
  });

  test('brokers are sorted by id first', () => {
    const a = assignReplicasToBrokers(3, 1, brokers(3, 1, 2), { fixedStartIndex: 0 });
    expect([...a.values()]).toEqual([[1], [2], [3]]);
  });

  test('start partition id numbers new partitions and rotates leaders from there (as Kafka: shift not replayed)', () => {
    const tail = assignReplicasToBrokers(4, 3, brokers(0, 1, 2, 3, 4), { fixedStartIndex: 0, startPartitionId: 6 });
    expect([...tail]).toEqual([
      [6, [1, 2, 3]],
      [7, [2, 3, 4]],
      [8, [3, 4, 0]],
      [9, [4, 0, 1]],
    ]);
  });

  test.each([
    [6, 3, 3],
    [1000, 3, 3],
    [12, 2, 4],
    [50, 3, 5],
  ])('%i partitions, RF %i on %i brokers: leaders and replicas spread evenly, no duplicates', (n, rf, nb) => {
    const ids = Array.from({ length: nb }, (_, i) => i + 1);
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const a = assignReplicasToBrokers(n, rf, brokers(...ids), { random });
    expect(a.size).toBe(n);
    const leaders = new Map<number, number>();
    const replicas = new Map<number, number>();
    for (const r of a.values()) {
      expect(r).toHaveLength(rf);
      expect(new Set(r).size).toBe(rf);
      leaders.set(r[0] as number, (leaders.get(r[0] as number) ?? 0) + 1);
      for (const b of r) replicas.set(b, (replicas.get(b) ?? 0) + 1);
    }
    const lc = ids.map((id) => leaders.get(id) ?? 0);
    expect(Math.max(...lc) - Math.min(...lc)).toBeLessThanOrEqual(1);
    const rc = ids.map((id) => replicas.get(id) ?? 0);
    expect(Math.max(...rc) - Math.min(...rc)).toBeLessThanOrEqual(rf);
  });

  test.each([
    [0, 1, 3, ErrorCode.INVALID_PARTITIONS],
    [-2, 1, 3, ErrorCode.INVALID_PARTITIONS],
    [3, 0, 3, ErrorCode.INVALID_REPLICATION_FACTOR],
    [3, 4, 3, ErrorCode.INVALID_REPLICATION_FACTOR],
    [3, 3, 3, undefined],
  ])('%i partitions RF %i with %i brokers -> error %s', (n, rf, nb, code) => {
    expect(codeOf(() => assignReplicasToBrokers(n, rf, brokers(...Array.from({ length: nb }, (_, i) => i))))).toBe(code);
  });
});

describe('rack-aware assignment', () => {
  const racked: BrokerRack[] = [
    { id: 0, rack: 'a' },
    { id: 1, rack: 'a' },
    { id: 2, rack: 'b' },
    { id: 3, rack: 'b' },
    { id: 4, rack: 'c' },
    { id: 5, rack: 'c' },
  ];

  test('alternates racks', () => {
    expect(rackAlternatedBrokerList(racked)).toEqual([0, 2, 4, 1, 3, 5]);
  });

  test('every partition has its replicas on distinct racks when RF <= racks', () => {
    const rackOf = new Map(racked.map((b) => [b.id, b.rack]));
    const a = assignReplicasToBrokers(60, 3, racked);
    const leaders = new Map<number, number>();
    for (const r of a.values()) {
      expect(new Set(r.map((b) => rackOf.get(b))).size).toBe(3);
      leaders.set(r[0] as number, (leaders.get(r[0] as number) ?? 0) + 1);
    }
    expect([...leaders.values()].every((c) => c === 10)).toBe(true);
  });

  test('RF above rack count still uses distinct brokers', () => {
    const a = assignReplicasToBrokers(12, 4, racked);
    for (const r of a.values()) expect(new Set(r).size).toBe(4);
  });

  test('falls back to rack-unaware when some broker has no rack', () => {
    const mixed = [...racked.slice(0, 5), { id: 5, rack: null }];
    const a = assignReplicasToBrokers(6, 2, mixed, { fixedStartIndex: 0 });
    expect(a.get(0)).toEqual([0, 1]);
  });
});

describe('manual assignment validation', () => {
  const live = new Set([1, 2, 3]);
  test.each([
    ['valid', [[0, [1, 2]], [1, [2, 3]]], undefined],
    ['not 0-based', [[1, [1, 2]], [2, [2, 3]]], ErrorCode.INVALID_REPLICA_ASSIGNMENT],
    ['gap', [[0, [1, 2]], [2, [2, 3]]], ErrorCode.INVALID_REPLICA_ASSIGNMENT],
    ['duplicate replica', [[0, [1, 1]]], ErrorCode.INVALID_REPLICA_ASSIGNMENT],
    ['different RF', [[0, [1, 2]], [1, [3]]], ErrorCode.INVALID_REPLICA_ASSIGNMENT],
    ['unknown broker', [[0, [1, 9]]], ErrorCode.INVALID_REPLICA_ASSIGNMENT],
    ['empty replicas', [[0, []]], ErrorCode.INVALID_REPLICA_ASSIGNMENT],
    ['empty', [], ErrorCode.INVALID_REPLICA_ASSIGNMENT],
  ] as Array<[string, Array<[number, number[]]>, number | undefined]>)('%s', (_n, entries, code) => {
    expect(codeOf(() => validateManualAssignment(new Map(entries), live))).toBe(code);
  });

  test('added partitions must continue numbering and keep the replication factor', () => {
    expect(codeOf(() => validateManualAssignment(new Map([[3, [1, 2]]]), live, { firstPartition: 3, replicationFactor: 2 }))).toBeUndefined();
    expect(codeOf(() => validateManualAssignment(new Map([[3, [1]]]), live, { firstPartition: 3, replicationFactor: 2 }))).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    expect(codeOf(() => validateManualAssignment(new Map([[0, [1, 2]]]), live, { firstPartition: 3 }))).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
  });
});

describe('topic names', () => {
  test.each([
    ['orders', true],
    ['a.b_c-D9', true],
    ['', false],
    ['.', false],
    ['..', false],
    ['...', true],
    ['a'.repeat(249), true],
    ['a'.repeat(250), false],
    ['has space', false],
    ['slash/x', false],
    ['ünï', false],
  ])('%j legal=%s', (name, ok) => {
    expect(codeOf(() => validateTopicName(name))).toBe(ok ? undefined : ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  test('collisions between . and _', () => {
    expect(hasCollisionChars('a.b')).toBe(true);
    expect(hasCollisionChars('ab')).toBe(false);
    expect(collidingTopic('a.b', ['a_b', 'c'])).toBe('a_b');
    expect(collidingTopic('a_b', ['a.b'])).toBe('a.b');
    expect(collidingTopic('a.b', ['a.b'])).toBeUndefined();
    expect(collidingTopic('ab', ['a_b'])).toBeUndefined();
  });
});
