// The marker channel's retries (Kafka's TransactionMarkerChannelManager and its completion handler): a partition
// without a leader waits for metadata, NOT_LEADER_OR_FOLLOWER and unreachable brokers are retried after a backoff, a
// deleted topic is dropped, a fenced marker stops the transaction, markers for one broker share a request, and
// CompleteCommit is written only once every marker is in (retried while the log is unavailable).
import { ErrorCode } from '../../../../src/protocol/errors';
import { settle, startTxnCoordinator, statesWritten, type TxnHarness } from './helpers';

/** Opens a transaction on `id` over `partitions` and ends it (commit unless told), answering NONE. */
async function endTxn(h: TxnHarness, id: string, partitions: string[], commit = true): Promise<bigint> {
  const r = await h.tc.handleInitProducerId(id, 60_000, null);
  expect(await h.tc.handleAddPartitionsToTransaction(id, r.producerId, r.producerEpoch, partitions)).toBe(ErrorCode.NONE);
  expect(await h.tc.handleEndTransaction(id, r.producerId, r.producerEpoch, commit)).toBe(ErrorCode.NONE);
  return r.producerId;
}

const stateOf = (h: TxnHarness, id: string): string | undefined => {
  const l = h.sm.getTransactionState(id);
  return l.ok ? l.metadata?.state : undefined;
};

describe('TransactionMarkerChannelManager', () => {
  test('a partition without a leader waits; a metadata change sends its marker', async () => {
    const h = await startTxnCoordinator();
    h.leaders.leaders.set('t-0', null);
    await endTxn(h, 'tx', ['t-0', 't-1']);
    await settle();
    expect(h.sender.flat().map((m) => m.tp)).toEqual(['t-1']);
    expect(stateOf(h, 'tx')).toBe('PrepareCommit');
    h.leaders.leaders.set('t-0', 4);
    h.markers.onMetadataChange();
    await settle();
    expect(h.sender.flat().map((m) => [m.brokerId, m.tp])).toEqual([[2, 't-1'], [4, 't-0']]);
    expect(stateOf(h, 'tx')).toBe('CompleteCommit');
  });

  test('NOT_LEADER_OR_FOLLOWER and an unreachable broker are retried after the backoff', async () => {
    const h = await startTxnCoordinator();
    let refusals = 2;
    h.sender.answer = (_b, _p, _t, partition) => (partition === 0 && refusals-- > 0 ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.NONE);
    h.leaders.leaders.set('t-1', 3);
    h.sender.unreachable.add(3);
    await endTxn(h, 'tx', ['t-0', 't-1']);
    await settle();
    expect(stateOf(h, 'tx')).toBe('PrepareCommit');
    await h.scheduler.advance(100);
    await settle();
    h.sender.unreachable.clear();
    await h.scheduler.advance(100);
    await settle();
    await h.scheduler.advance(100);
    await settle();
    const t0 = h.sender.flat().filter((m) => m.tp === 't-0').length;
    expect(t0).toBe(3); // two refusals, then written
    expect(h.sender.flat().filter((m) => m.tp === 't-1').length).toBeGreaterThanOrEqual(2);
    expect(stateOf(h, 'tx')).toBe('CompleteCommit');
    expect(statesWritten(h, 'tx').slice(-2)).toEqual(['PrepareCommit', 'CompleteCommit']);
  });

  test('a partition of a deleted topic is dropped: the transaction completes without its marker', async () => {
    const h = await startTxnCoordinator();
    h.leaders.goneTopics.add('deleted');
    await endTxn(h, 'tx', ['deleted-0', 't-0'], false);
    await settle();
    expect(h.sender.flat().map((m) => m.tp)).toEqual(['t-0']);
    expect(stateOf(h, 'tx')).toBe('CompleteAbort');
  });

  test.each([ErrorCode.INVALID_PRODUCER_EPOCH, ErrorCode.TRANSACTION_COORDINATOR_FENCED])('error %i stops the transaction\'s markers; nothing more is written', async (code) => {
    const h = await startTxnCoordinator();
    h.sender.answer = () => code;
    await endTxn(h, 'tx', ['t-0']);
    await settle();
    await h.scheduler.advance(1_000);
    expect(h.sender.sent.length).toBe(1);
    expect(h.markers.pendingTransactionalIds).toEqual([]);
    expect(statesWritten(h, 'tx').at(-1)).toBe('PrepareCommit');
  });

  test('markers of several transactions for one broker go in one request, one marker per producer', async () => {
    const h = await startTxnCoordinator();
    h.sender.unreachable.add(2); // hold both in the queue until the broker is back
    const a = await endTxn(h, 'a', ['t-0']);
    const b = await endTxn(h, 'b', ['t-1', 'u-0'], false);
    await settle();
    h.sender.unreachable.clear();
    h.sender.sent.length = 0;
    await h.scheduler.advance(100);
    await settle();
    expect(h.sender.sent.length).toBe(1);
    const req = h.sender.sent[0]!;
    expect(req.markers.map((m) => [m.producerId, m.transactionResult, m.topics.map((t) => [t.name, t.partitionIndexes])]).sort()).toEqual([
      [a, true, [['t', [0]]]],
      [b, false, [['t', [1]], ['u', [0]]]],
    ].sort());
    expect([stateOf(h, 'a'), stateOf(h, 'b')]).toEqual(['CompleteCommit', 'CompleteAbort']);
  });

  test('writing CompleteCommit is retried while the log answers COORDINATOR_NOT_AVAILABLE', async () => {
    const h = await startTxnCoordinator();
    h.leaders.defaultLeader = null;
    await endTxn(h, 'tx', ['t-0']);
    h.store.nextError = ErrorCode.NOT_ENOUGH_REPLICAS; // the completion's first append fails
    h.leaders.defaultLeader = 2;
    h.markers.onMetadataChange();
    await settle();
    expect(stateOf(h, 'tx')).toBe('PrepareCommit');
    await h.scheduler.advance(100);
    await settle();
    expect(stateOf(h, 'tx')).toBe('CompleteCommit');
    expect(statesWritten(h, 'tx').filter((s) => s === 'CompleteCommit')).toHaveLength(1);
  });

  test('a transaction whose only partition\'s topic is gone completes without any request', async () => {
    const h = await startTxnCoordinator();
    const r = await h.tc.handleInitProducerId('tx', 60_000, null);
    h.leaders.goneTopics.add('x');
    await h.tc.handleAddPartitionsToTransaction('tx', r.producerId, 0, ['x-0']);
    expect(await h.tc.handleEndTransaction('tx', r.producerId, 0, true)).toBe(ErrorCode.NONE);
    await settle();
    expect(h.sender.sent).toEqual([]);
    expect(stateOf(h, 'tx')).toBe('CompleteCommit');
  });
});
