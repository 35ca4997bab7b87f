// ConsumerProtocol v0 bytes (checked against kafkajs's encoder) and the range assignor.
import { AssignerProtocol } from 'kafkajs';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, rangeAssign } from '../../../src/client/consumerProtocol';

describe('consumer protocol v0', () => {
  test('subscription bytes equal kafkajs MemberMetadata and decode back', () => {
    const ours = encodeSubscription({ topics: ['orders', 'payments'], userData: Buffer.alloc(0) });
    const theirs = AssignerProtocol.MemberMetadata.encode({ version: 0, topics: ['orders', 'payments'], userData: Buffer.alloc(0) });
    expect(ours.equals(theirs)).toBe(true);
    expect(decodeSubscription(theirs).topics).toEqual(['orders', 'payments']);
  });

  test('assignment bytes equal kafkajs MemberAssignment and decode back', () => {
    const ours = encodeAssignment({ partitions: new Map([['orders', [0, 2]], ['payments', [1]]]), userData: Buffer.alloc(0) });
    const theirs = AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: { orders: [0, 2], payments: [1] }, userData: Buffer.alloc(0) });
    expect(ours.equals(theirs)).toBe(true);
    const back = decodeAssignment(theirs);
    expect([...back.partitions]).toEqual([['orders', [0, 2]], ['payments', [1]]]);
  });

  test('null user data travels as length -1; empty assignment bytes decode to nothing', () => {
    const b = encodeSubscription({ topics: ['t'], userData: null });
    expect(b.readInt32BE(b.length - 4)).toBe(-1);
    expect(decodeSubscription(b).userData).toBeNull();
    expect(decodeAssignment(Buffer.alloc(0)).partitions.size).toBe(0);
  });

  test('truncated bytes are rejected with a clear error', () => {
    const b = encodeSubscription({ topics: ['orders'], userData: null });
    expect(() => decodeSubscription(b.subarray(0, 8))).toThrow(/end early/);
  });
});

describe('range assignor', () => {
  const assign = (members: Record<string, string[]>, counts: Record<string, number>) =>
    Object.fromEntries([...rangeAssign(new Map(Object.entries(members)), new Map(Object.entries(counts)))].map(([m, a]) => [m, Object.fromEntries(a)]));

  test.each([
    ['even split', { a: ['t'], b: ['t'] }, { t: 4 }, { a: { t: [0, 1] }, b: { t: [2, 3] } }],
    ['first members take the remainder', { a: ['t'], b: ['t'], c: ['t'] }, { t: 7 }, { a: { t: [0, 1, 2] }, b: { t: [3, 4] }, c: { t: [5, 6] } }],
    ['more members than partitions', { a: ['t'], b: ['t'], c: ['t'] }, { t: 2 }, { a: { t: [0] }, b: { t: [1] }, c: {} }],
    ['members sorted by id, not arrival', { z: ['t'], a: ['t'] }, { t: 3 }, { a: { t: [0, 1] }, z: { t: [2] } }],
    ['per topic, only its subscribers', { a: ['t', 'u'], b: ['u'] }, { t: 2, u: 2 }, { a: { t: [0, 1], u: [0] }, b: { u: [1] } }],
    ['unknown topic gets nothing', { a: ['missing'] }, {}, { a: {} }],
  ])('%s', (_name, members, counts, expected) => {
    expect(assign(members, counts)).toEqual(expected);
  });
});
