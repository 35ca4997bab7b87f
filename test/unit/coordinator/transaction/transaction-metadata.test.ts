// TransactionMetadata's state machine: which transitions may be prepared from which state (Kafka's
// validPreviousStates), one pending transition at a time, what completing a transit checks and applies, and the
// epoch rules (fence bump, exhausted epochs, KIP-360 expected epochs).
import { ALL_STATES, type TransactionState } from '../../../../src/coordinator/transaction/TransactionLog';
import { isEpochExhausted, TransactionMetadata, VALID_PREVIOUS_STATES, IllegalTransitionError } from '../../../../src/coordinator/transaction/TransactionMetadata';

function inState(state: TransactionState, extra: Partial<ConstructorParameters<typeof TransactionMetadata>[0]> = {}): TransactionMetadata {
  const open = state === 'Ongoing' || state === 'PrepareCommit' || state === 'PrepareAbort';
  return new TransactionMetadata({
    transactionalId: 'tx', producerId: 7n, producerEpoch: 3, txnTimeoutMs: 1000, state,
    topicPartitions: open ? ['t-0'] : [], txnStartTimestamp: open ? 100 : -1, txnLastUpdateTimestamp: 100, ...extra,
  });
}

describe('TransactionMetadata', () => {
  test('the table of allowed previous states is Kafka\'s', () => {
    expect(VALID_PREVIOUS_STATES).toEqual({
      Empty: ['Empty', 'CompleteCommit', 'CompleteAbort'],
      Ongoing: ['Ongoing', 'Empty', 'CompleteCommit', 'CompleteAbort'],
      PrepareCommit: ['Ongoing'],
      PrepareAbort: ['Ongoing', 'PrepareEpochFence'],
      CompleteCommit: ['PrepareCommit'],
      CompleteAbort: ['PrepareAbort'],
      Dead: ['Empty', 'CompleteAbort', 'CompleteCommit'],
      PrepareEpochFence: ['Ongoing'],
    });
  });

  test.each(ALL_STATES.filter((s) => s !== 'PrepareEpochFence' && s !== 'Dead'))('adding partitions from %s is allowed exactly when Ongoing may follow it', (state) => {
    const m = inState(state);
    const allowed = VALID_PREVIOUS_STATES.Ongoing.includes(state);
    if (allowed) expect(m.prepareAddPartitions(['t-1'], 200).txnState).toBe('Ongoing');
    else expect(() => m.prepareAddPartitions(['t-1'], 200)).toThrow(IllegalTransitionError);
  });

  test('one pending transition at a time; completing applies the transit and clears it', () => {
    const m = inState('Empty');
    const t = m.prepareAddPartitions(['t-0', 't-1'], 500);
    expect(m.pendingState).toBe('Ongoing');
    expect(() => m.prepareAddPartitions(['t-2'], 501)).toThrow(/pending/);
    m.completeTransitionTo(t);
    expect(m).toMatchObject({ state: 'Ongoing', pendingState: null, txnStartTimestamp: 500, txnLastUpdateTimestamp: 500 });
    expect([...m.topicPartitions].sort()).toEqual(['t-0', 't-1']);
    // A later add keeps the start time.
    m.completeTransitionTo(m.prepareAddPartitions(['t-2'], 600));
    expect(m.txnStartTimestamp).toBe(500);
    const commit = m.prepareAbortOrCommit('PrepareCommit', 700);
    m.completeTransitionTo(commit);
    const done = m.prepareComplete(800);
    expect(done.txnState).toBe('CompleteCommit');
    m.completeTransitionTo(done);
    expect(m.state).toBe('CompleteCommit');
    expect(m.topicPartitions.size).toBe(0);
  });

  test('completing a transit other than the pending one fails', () => {
    const m = inState('Ongoing');
    const t = m.prepareAbortOrCommit('PrepareCommit', 1);
    expect(() => m.completeTransitionTo({ ...t, txnState: 'PrepareAbort' })).toThrow(IllegalTransitionError);
    expect(() => m.completeTransitionTo({ ...t, producerEpoch: 9 })).toThrow(IllegalTransitionError);
    m.completeTransitionTo(t);
    expect(m.state).toBe('PrepareCommit');
  });

  test('removing a partition whose marker is written is only legal while completing', () => {
    const m = inState('Ongoing');
    expect(() => m.removePartition('t-0')).toThrow(IllegalTransitionError);
    m.completeTransitionTo(m.prepareAbortOrCommit('PrepareAbort', 1));
    m.removePartition('t-0');
    expect(m.topicPartitions.size).toBe(0);
  });

  test('epoch fence: bumps once, and not again after a failed fence write', () => {
    const m = inState('Ongoing');
    expect(m.prepareFenceProducerEpoch()).toMatchObject({ txnState: 'PrepareEpochFence', producerEpoch: 4, lastProducerEpoch: -1 });
    m.pendingState = null;
    m.hasFailedEpochFence = true;
    expect(m.prepareFenceProducerEpoch().producerEpoch).toBe(3);
  });

  test('InitProducerId bumps: no expected epoch, the current one, the previous one (lost answer), or fenced', () => {
    expect(inState('Empty').prepareIncrementProducerEpoch(1000, null, 5)).toMatchObject({ txnState: 'Empty', producerEpoch: 4, lastProducerEpoch: -1 });
    expect(inState('Empty').prepareIncrementProducerEpoch(1000, 3, 5)).toMatchObject({ producerEpoch: 4, lastProducerEpoch: 3 });
    expect(inState('Empty', { lastProducerEpoch: 2 }).prepareIncrementProducerEpoch(1000, 2, 5)).toMatchObject({ producerEpoch: 3, lastProducerEpoch: 2 });
    expect(inState('Empty').prepareIncrementProducerEpoch(1000, 1, 5)).toBe('PRODUCER_FENCED');
  });

  test('epochs are exhausted at Short.MAX - 1; rotation gives a new producer id at epoch 0', () => {
    expect(isEpochExhausted(32765)).toBe(false);
    expect(isEpochExhausted(32766)).toBe(true);
    const m = inState('CompleteAbort', { producerEpoch: 32766 });
    expect(() => m.prepareIncrementProducerEpoch(1000, null, 5)).toThrow(/exhausted/);
    const t = m.prepareProducerIdRotation(8n, 2000, 5, true);
    m.completeTransitionTo(t);
    expect(m).toMatchObject({ producerId: 8n, lastProducerId: 7n, producerEpoch: 0, lastProducerEpoch: 32766, txnTimeoutMs: 2000, state: 'Empty' });
  });

  test('Dead is prepared for expiry but never completed', () => {
    const m = inState('CompleteCommit');
    const t = m.prepareDead();
    expect(() => m.completeTransitionTo(t)).toThrow(/never completed/);
  });
});
