// The fetcher's side of KIP-227 (Kafka's FetchSessionHandler): full then incremental requests carrying only changes,
// forgotten partitions, and a full request again after any session error or lost response.
import { FetchSessionHandler, type SessionPartition } from '../../../src/client/FetchSessionHandler';
import { ErrorCode } from '../../../src/protocol/errors';
import { ZERO_UUID } from '../../../src/util/uuid';

const part = (partition: number, fetchOffset = 0n, topic = 't'): SessionPartition =>
  ({ topic, partition, fetchOffset, currentLeaderEpoch: 3, logStartOffset: 0n, partitionMaxBytes: 100, lastFetchedEpoch: -1 });
const sent = (r: ReturnType<FetchSessionHandler['build']>): string[] => r.topics.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p.partition}@${p.fetchOffset}`));

describe('FetchSessionHandler', () => {
  it('sends everything with epoch 0, then only changed and new partitions with the following epochs', () => {
    const h = new FetchSessionHandler();
    const full = h.build([part(0), part(1), part(0, 0n, 'u')]);
    expect([full.sessionId, full.sessionEpoch, sent(full)]).toEqual([0, 0, ['t-0@0', 't-1@0', 'u-0@0']]);
    expect(h.handleResponse({ errorCode: 0, sessionId: 77 })).toBe(true);
    const inc = h.build([part(0, 5n), part(1), part(0, 0n, 'u'), part(2)]);
    expect([inc.sessionId, inc.sessionEpoch, sent(inc), inc.forgottenTopicsData]).toEqual([77, 1, ['t-0@5', 't-2@0'], []]);
    h.handleResponse({ errorCode: 0, sessionId: 77 });
    const forget = h.build([part(0, 5n), part(2)]);
    expect([forget.sessionEpoch, sent(forget), forget.forgottenTopicsData]).toEqual([2, [], [{ topic: 't', topicId: ZERO_UUID, partitions: [1] }, { topic: 'u', topicId: ZERO_UUID, partitions: [0] }]]);
  });

  it('stays full while the broker makes no session (session id 0)', () => {
    const h = new FetchSessionHandler();
    h.build([part(0)]);
    h.handleResponse({ errorCode: 0, sessionId: 0 });
    expect(h.build([part(0)])).toMatchObject({ sessionId: 0, sessionEpoch: 0 });
  });

  it.each([
    ['FETCH_SESSION_ID_NOT_FOUND: a new session', ErrorCode.FETCH_SESSION_ID_NOT_FOUND, 0],
    ['INVALID_FETCH_SESSION_EPOCH: the same id closed and reopened', ErrorCode.INVALID_FETCH_SESSION_EPOCH, 9],
  ])('%s', (_name, errorCode, idAfter) => {
    const h = new FetchSessionHandler();
    h.build([part(0)]);
    h.handleResponse({ errorCode: 0, sessionId: 9 });
    h.build([part(0, 1n)]);
    expect(h.handleResponse({ errorCode, sessionId: 0 })).toBe(false);
    const next = h.build([part(0, 1n)]);
    expect([next.sessionId, next.sessionEpoch, sent(next)]).toEqual([idAfter, 0, ['t-0@1']]);
  });

  it('a request lost on the way (handleError) makes the next one full, on the same session id', () => {
    const h = new FetchSessionHandler();
    h.build([part(0), part(1)]);
    h.handleResponse({ errorCode: 0, sessionId: 5 });
    h.build([part(0, 2n), part(1)]);
    h.handleError();
    const next = h.build([part(0, 2n), part(1)]);
    expect([next.sessionId, next.sessionEpoch, sent(next)]).toEqual([5, 0, ['t-0@2', 't-1@0']]);
  });
});
