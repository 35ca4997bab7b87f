import { DelayedOperation } from '../../../../src/server/purgatory/DelayedOperation';
import { DelayedOperationPurgatory } from '../../../../src/server/purgatory/DelayedOperationPurgatory';
import { DelayedProduce, type ProducePartitionResult } from '../../../../src/server/purgatory/DelayedProduce';
import { DelayedFetch, type FetchCheck } from '../../../../src/server/purgatory/DelayedFetch';
import { ErrorCode } from '../../../../src/protocol/errors';
import { FakeTime } from '../helpers';

class TestOp extends DelayedOperation {
  ready = false;
  completions = 0;
  expirations = 0;
  override tryComplete(): boolean {
    return this.ready ? this.forceComplete() : false;
  }
  protected override onComplete(): void {
    this.completions++;
  }
  protected override onExpiration(): void {
    this.expirations++;
  }
}

describe('DelayedOperationPurgatory', () => {
  it('completes at once without watching when the condition already holds', () => {
    const time = new FakeTime();
    const p = new DelayedOperationPurgatory<TestOp>('t', time);
    const op = new TestOp(1000);
    op.ready = true;
    expect(p.tryCompleteElseWatch(op, ['a'])).toBe(true);
    expect(op.completions).toBe(1);
    expect(p.delayed).toBe(0);
    expect(p.watchedKeys).toBe(0);
    expect(time.pendingTimers).toBe(0);
  });

  it('completes a watched operation exactly once, on a check of one of its keys', () => {
    const time = new FakeTime();
    const p = new DelayedOperationPurgatory<TestOp>('t', time);
    const op = new TestOp(1000);
    expect(p.tryCompleteElseWatch(op, ['a', 'b'])).toBe(false);
    expect(p.delayed).toBe(1);
    expect(p.checkAndComplete('c')).toBe(0);
    expect(p.checkAndComplete('a')).toBe(0);
    op.ready = true;
    expect(p.checkAndComplete('b')).toBe(1);
    expect(p.checkAndComplete('a')).toBe(0);
    time.advance(5000);
    expect(op.completions).toBe(1);
    expect(op.expirations).toBe(0);
    expect(p.delayed).toBe(0);
    expect(p.watchedKeys).toBe(0);
  });

  it('expires an operation at its deadline, once, and then ignores checks', () => {
    const time = new FakeTime();
    const p = new DelayedOperationPurgatory<TestOp>('t', time);
    const op = new TestOp(500);
    p.tryCompleteElseWatch(op, ['a']);
    time.advance(499);
    expect(op.completions).toBe(0);
    time.advance(1);
    expect(op.completions).toBe(1);
    expect(op.expirations).toBe(1);
    op.ready = true;
    expect(p.checkAndComplete('a')).toBe(0);
    expect(op.completions).toBe(1);
    expect(p.watchedKeys).toBe(0);
  });

  it('keeps other operations watched when one on the same key completes', () => {
    const time = new FakeTime();
    const p = new DelayedOperationPurgatory<TestOp>('t', time);
    const a = new TestOp(1000);
    const b = new TestOp(1000);
    p.tryCompleteElseWatch(a, ['k']);
    p.tryCompleteElseWatch(b, ['k']);
    a.ready = true;
    expect(p.checkAndComplete('k')).toBe(1);
    expect(p.delayed).toBe(1);
    expect(p.watchedKeys).toBe(1);
    p.shutdown();
    expect(b.completions).toBe(1);
    expect(p.delayed).toBe(0);
  });
});

describe('DelayedProduce', () => {
  const result = (partition: number): ProducePartitionResult => ({ topic: 't', partition, errorCode: 0, errorMessage: null, baseOffset: 0n, logAppendTime: -1n, logStartOffset: 0n });

  function setup(states: Map<number, { hw: bigint; maximalIsr: number; minIsr: number; leader: boolean }>) {
    const lookup = (_t: string, p: number) => {
      const s = states.get(p);
      if (!s) return undefined;
      return {
        checkEnoughReplicasReachOffset(required: bigint) {
          if (!s.leader) return { done: true, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
          if (s.hw >= required) return { done: true, errorCode: s.maximalIsr >= s.minIsr ? ErrorCode.NONE : ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND };
          return { done: false, errorCode: ErrorCode.NONE };
        },
      };
    };
    return lookup;
  }

  it('answers once every partition HW covers its append, and REQUEST_TIMED_OUT for those that never do', () => {
    const time = new FakeTime();
    const purgatory = new DelayedOperationPurgatory<DelayedProduce>('p', time);
    const states = new Map([
      [0, { hw: 0n, maximalIsr: 3, minIsr: 2, leader: true }],
      [1, { hw: 0n, maximalIsr: 3, minIsr: 2, leader: true }],
    ]);
    let answer: ProducePartitionResult[] | null = null;
    const op = new DelayedProduce(1000, [
      { result: result(0), requiredOffset: 10n, acksPending: true },
      { result: result(1), requiredOffset: 5n, acksPending: true },
    ], setup(states), (r) => (answer = r));
    purgatory.tryCompleteElseWatch(op, ['t-0', 't-1']);
    states.get(0)!.hw = 10n;
    purgatory.checkAndComplete('t-0');
    expect(answer).toBeNull();
    time.advance(1000);
    expect(answer!.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.REQUEST_TIMED_OUT]);
  });

  it('reports NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below min.insync.replicas', () => {
    const states = new Map([[0, { hw: 10n, maximalIsr: 1, minIsr: 2, leader: true }]]);
    let answer: ProducePartitionResult[] | null = null;
    const op = new DelayedProduce(1000, [{ result: result(0), requiredOffset: 10n, acksPending: true }], setup(states), (r) => (answer = r));
    expect(op.tryComplete()).toBe(true);
    expect(answer![0]!.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
  });

  it('reports NOT_LEADER_OR_FOLLOWER when leadership moved or the partition went away', () => {
    const states = new Map([[0, { hw: 0n, maximalIsr: 3, minIsr: 2, leader: false }]]);
    let answer: ProducePartitionResult[] | null = null;
    const op = new DelayedProduce(1000, [
      { result: result(0), requiredOffset: 10n, acksPending: true },
      { result: result(7), requiredOffset: 10n, acksPending: true },
    ], setup(states), (r) => (answer = r));
    expect(op.tryComplete()).toBe(true);
    expect(answer!.map((r) => r.errorCode)).toEqual([ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.NOT_LEADER_OR_FOLLOWER]);
  });
});

describe('DelayedFetch', () => {
  function fake(hw: bigint, leo: bigint, bytesPerOffset: number): FetchCheck & { hw: bigint; leo: bigint; lso: bigint | null; leader: boolean; epoch: number } {
    return {
      hw,
      leo,
      /** null: the LSO is the HW (no open transaction). */
      lso: null,
      leader: true,
      epoch: 3,
      get isLeader() { return this.leader; },
      get highWatermark() { return this.hw; },
      get lastStableOffset() { return this.lso ?? this.hw; },
      get logEndOffset() { return this.leo; },
      checkLeaderEpoch(e: number) { return e === -1 || e === this.epoch ? 0 : e < this.epoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH; },
      bytesBetween(from: bigint, to: bigint) { return to > from ? Number(to - from) * bytesPerOffset : 0; },
    };
  }

  it('waits until min.bytes are readable below the HW for a consumer', () => {
    const time = new FakeTime();
    const purgatory = new DelayedOperationPurgatory<DelayedFetch>('f', time);
    const p = fake(10n, 20n, 100);
    let answered = 0;
    const op = new DelayedFetch(500, 250, 'high-watermark', [{ topic: 't', partition: 0, fetchOffset: 10n, currentLeaderEpoch: -1, maxBytes: 1 << 20 }], () => p, () => answered++);
    // Data above the HW does not count for a consumer.
    expect(purgatory.tryCompleteElseWatch(op, ['t-0'])).toBe(false);
    p.hw = 12n;
    purgatory.checkAndComplete('t-0');
    expect(answered).toBe(0);
    p.hw = 13n;
    purgatory.checkAndComplete('t-0');
    expect(answered).toBe(1);
  });

  it('counts only up to the LSO for a read_committed consumer and completes when the LSO moves', () => {
    const time = new FakeTime();
    const purgatory = new DelayedOperationPurgatory<DelayedFetch>('f', time);
    const p = fake(20n, 20n, 100);
    // An open transaction from offset 10: the HW is at 20 but a read_committed consumer may read nothing yet.
    p.lso = 10n;
    let committedAnswers = 0;
    let uncommittedAnswers = 0;
    const status = { topic: 't', partition: 0, fetchOffset: 10n, currentLeaderEpoch: -1, maxBytes: 1 << 20 };
    expect(purgatory.tryCompleteElseWatch(new DelayedFetch(500, 1, 'txn-committed', [status], () => p, () => committedAnswers++), ['t-0'])).toBe(false);
    expect(purgatory.tryCompleteElseWatch(new DelayedFetch(500, 1, 'high-watermark', [status], () => p, () => uncommittedAnswers++), ['t-0'])).toBe(true);
    purgatory.checkAndComplete('t-0');
    expect(committedAnswers).toBe(0);
    // The marker lands and the HW covers it: the LSO moves past the transaction.
    p.lso = 21n;
    p.hw = 21n;
    purgatory.checkAndComplete('t-0');
    expect(committedAnswers).toBe(1);
    expect(uncommittedAnswers).toBe(1);
  });

  it('counts up to the LEO for a follower and completes at once on a leadership change', () => {
    const p = fake(10n, 10n, 100);
    let answered = 0;
    const op = new DelayedFetch(500, 1, 'log-end', [{ topic: 't', partition: 0, fetchOffset: 10n, currentLeaderEpoch: 3, maxBytes: 1 << 20 }], () => p, () => answered++);
    expect(op.tryComplete()).toBe(false);
    p.leo = 11n;
    expect(op.tryComplete()).toBe(true);
    const op2 = new DelayedFetch(500, 1, 'log-end', [{ topic: 't', partition: 0, fetchOffset: 11n, currentLeaderEpoch: 3, maxBytes: 1 << 20 }], () => p, () => answered++);
    expect(op2.tryComplete()).toBe(false);
    p.leader = false;
    expect(op2.tryComplete()).toBe(true);
    expect(answered).toBe(2);
  });

  it('expires after max.wait.ms with what it has', () => {
    const time = new FakeTime();
    const purgatory = new DelayedOperationPurgatory<DelayedFetch>('f', time);
    const p = fake(10n, 10n, 100);
    let answered = 0;
    purgatory.tryCompleteElseWatch(new DelayedFetch(500, 1, 'high-watermark', [{ topic: 't', partition: 0, fetchOffset: 10n, currentLeaderEpoch: -1, maxBytes: 100 }], () => p, () => answered++), ['t-0']);
    time.advance(499);
    expect(answered).toBe(0);
    time.advance(1);
    expect(answered).toBe(1);
  });
});
