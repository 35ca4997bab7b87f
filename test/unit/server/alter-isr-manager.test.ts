// AlterIsrManager against a fake controller and fake time: a table of one partition's change (in flight, cleared,
// queued) against each kind of answer, then batching, one request in flight, one change per partition, retries
// with backoff, per-partition answers, cleared changes and shutdown.
import { AlterIsrManager, type AlterIsrItem, type AlterIsrResult } from '../../../src/server/AlterIsrManager';
import type { AlterIsrRequest, AlterIsrResponse } from '../../../src/protocol/messages/56-alter-isr';
import { ErrorCode } from '../../../src/protocol/errors';
import { FakeTime } from './helpers';

const BACKOFF_MS = 100;

/** The controller end of the wire: records each request and lets the test answer or fail it. */
class FakeController {
  readonly requests: Array<{ req: AlterIsrRequest; answer: (r: AlterIsrResponse) => void; fail: (e: Error) => void }> = [];
  readonly send = (req: AlterIsrRequest): Promise<AlterIsrResponse> =>
    new Promise((answer, fail) => this.requests.push({ req, answer, fail }));

  /** "topic-partition" keys of request i, in request order. */
  keysOf(i: number): string[] {
    const r = this.requests[i];
    if (!r) throw new Error(`no request ${i}`);
    return r.req.topics.flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partitionIndex}`));
  }

  /**
   * Answers request i: every partition accepted as proposed (zkVersion + 1), except those given an error; `as`
   * answers with the leader epoch and zkVersion the controller holds instead of the proposed ones.
   */
  accept(i: number, errors: Record<string, number> = {}, omit: string[] = [], as?: { leaderEpoch: number; zkVersion: number }): void {
    const r = this.requests[i];
    if (!r) throw new Error(`no request ${i}`);
    r.answer({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      topics: r.req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions
          .filter((p) => !omit.includes(`${t.name}-${p.partitionIndex}`))
          .map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode: errors[`${t.name}-${p.partitionIndex}`] ?? ErrorCode.NONE,
            leaderId: 1,
            leaderEpoch: as?.leaderEpoch ?? p.leaderEpoch,
            isr: p.newIsr,
            currentIsrVersion: as?.zkVersion ?? p.currentIsrVersion + 1,
          })),
      })),
    });
  }

  refuse(i: number, errorCode: number): void {
    this.requests[i]?.answer({ throttleTimeMs: 0, errorCode, topics: [] });
  }
}

/** Lets the manager's promise handlers (answer, then the next send) run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

function setup(): { mgr: AlterIsrManager; ctl: FakeController; time: FakeTime; setBrokerEpoch(e: bigint): void } {
  const ctl = new FakeController();
  const time = new FakeTime();
  let brokerEpoch = 42n;
  const mgr = new AlterIsrManager({
    brokerId: 1,
    brokerEpoch: () => brokerEpoch,
    send: ctl.send,
    retryBackoffMs: BACKOFF_MS,
    timer: time,
  });
  return { mgr, ctl, time, setBrokerEpoch: (e) => (brokerEpoch = e) };
}

/** An item whose callback results are collected in `results`. */
function item(topic: string, partition: number, newIsr: number[] = [1, 2], zkVersion = 3): AlterIsrItem & { results: AlterIsrResult[] } {
  const results: AlterIsrResult[] = [];
  return { topic, partition, leaderEpoch: 7, newIsr, zkVersion, results, callback: (r) => results.push(r) };
}

/** What becomes of request 0, which carries the change under test (or, for a queued change, the one ahead of it). */
type Outcome =
  | { kind: 'accepted'; as?: { leaderEpoch: number; zkVersion: number } }
  | { kind: 'partition error'; errorCode: number }
  | { kind: 'left out of the response' }
  | { kind: 'request refused'; errorCode: number }
  | { kind: 'send failed' };

interface Case {
  name: string;
  /** Where the change to t-0 stands when request 0's outcome arrives. */
  stage: 'in flight' | 'cleared in flight' | 'cleared while queued';
  outcome: Outcome;
  /** What t-0's callback is handed. */
  answers: AlterIsrResult[];
  /** The change goes out again after the backoff. */
  resent: boolean;
  /** A new change for t-0 is taken at once after the outcome. */
  free: boolean;
}

const PROPOSED = { errorCode: 0, leaderEpoch: 7, isr: [1, 2], zkVersion: 4 }; // item('t', 0) answered as proposed

describe('AlterIsrManager: one partition\'s change against each answer', () => {
  const cases: Case[] = [
    { name: 'accepted: the new ISR and zkVersion', stage: 'in flight', outcome: { kind: 'accepted' }, answers: [PROPOSED], resent: false, free: true },
    {
      name: 'accepted under a newer leader epoch and zkVersion: handed over as the controller wrote it (the Partition judges it)',
      stage: 'in flight',
      outcome: { kind: 'accepted', as: { leaderEpoch: 9, zkVersion: 12 } },
      answers: [{ errorCode: 0, leaderEpoch: 9, isr: [1, 2], zkVersion: 12 }],
      resent: false,
      free: true,
    },
    { name: 'FENCED_LEADER_EPOCH (the controller has a newer leader epoch): answered, not resent', stage: 'in flight', outcome: { kind: 'partition error', errorCode: ErrorCode.FENCED_LEADER_EPOCH }, answers: [{ errorCode: ErrorCode.FENCED_LEADER_EPOCH }], resent: false, free: true },
    { name: 'INVALID_UPDATE_VERSION (a newer zkVersion in ZooKeeper): answered, not resent', stage: 'in flight', outcome: { kind: 'partition error', errorCode: ErrorCode.INVALID_UPDATE_VERSION }, answers: [{ errorCode: ErrorCode.INVALID_UPDATE_VERSION }], resent: false, free: true },
    { name: 'UNKNOWN_TOPIC_OR_PARTITION: answered, not resent', stage: 'in flight', outcome: { kind: 'partition error', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }, answers: [{ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }], resent: false, free: true },
    { name: 'left out of the response: UNKNOWN_SERVER_ERROR, free for a new proposal', stage: 'in flight', outcome: { kind: 'left out of the response' }, answers: [{ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR }], resent: false, free: true },
    { name: 'NOT_CONTROLLER for the request: no answer, resent after the backoff', stage: 'in flight', outcome: { kind: 'request refused', errorCode: ErrorCode.NOT_CONTROLLER }, answers: [], resent: true, free: false },
    { name: 'STALE_BROKER_EPOCH for the request: no answer, resent after the backoff', stage: 'in flight', outcome: { kind: 'request refused', errorCode: ErrorCode.STALE_BROKER_EPOCH }, answers: [], resent: true, free: false },
    { name: 'send failed: no answer, resent after the backoff', stage: 'in flight', outcome: { kind: 'send failed' }, answers: [], resent: true, free: false },
    { name: 'then accepted: the answer still reaches that change', stage: 'cleared in flight', outcome: { kind: 'accepted' }, answers: [PROPOSED], resent: false, free: true },
    { name: 'then a partition error: answered', stage: 'cleared in flight', outcome: { kind: 'partition error', errorCode: ErrorCode.FENCED_LEADER_EPOCH }, answers: [{ errorCode: ErrorCode.FENCED_LEADER_EPOCH }], resent: false, free: true },
    { name: 'then NOT_CONTROLLER: dropped, not resent', stage: 'cleared in flight', outcome: { kind: 'request refused', errorCode: ErrorCode.NOT_CONTROLLER }, answers: [], resent: false, free: true },
    { name: 'then the send fails: dropped, not resent', stage: 'cleared in flight', outcome: { kind: 'send failed' }, answers: [], resent: false, free: true },
    { name: 'behind another request: never sent, never answered', stage: 'cleared while queued', outcome: { kind: 'accepted' }, answers: [], resent: false, free: true },
    { name: 'the request ahead fails: still never sent', stage: 'cleared while queued', outcome: { kind: 'send failed' }, answers: [], resent: false, free: true },
  ];

  it.each(cases)('$stage, $name', async ({ stage, outcome, answers, resent, free }) => {
    const { mgr, ctl, time } = setup();
    if (stage === 'cleared while queued') mgr.submit(item('x', 0)); // request 0, in flight ahead of t-0
    const change = item('t', 0);
    expect(mgr.submit(change)).toBe(true);
    if (stage !== 'in flight') mgr.clearPending('t', 0);
    switch (outcome.kind) {
      case 'accepted': ctl.accept(0, {}, [], outcome.as); break;
      case 'partition error': ctl.accept(0, { 't-0': outcome.errorCode }); break;
      case 'left out of the response': ctl.accept(0, {}, ['t-0']); break;
      case 'request refused': ctl.refuse(0, outcome.errorCode); break;
      case 'send failed': ctl.requests[0]?.fail(new Error('connection reset')); break;
    }
    await settle();
    expect(change.results).toEqual(answers);

    // A fresh change proposes ISR [1]; the one under test proposed [1, 2].
    expect(mgr.submit(item('t', 0, [1]))).toBe(free);
    time.advance(BACKOFF_MS);
    await settle();
    const sentAgain = ctl.requests.slice(1).some((r) => r.req.topics.some((t) => t.name === 't' && t.partitions.some((p) => p.partitionIndex === 0 && p.newIsr.length === 2)));
    expect(sentAgain).toBe(resent);
  });
});

describe('AlterIsrManager', () => {
  it('sends the first change at once, in Kafka AlterIsr form', () => {
    const { mgr, ctl } = setup();
    expect(mgr.submit(item('t', 0, [1, 2, 3], 5))).toBe(true);
    expect(ctl.requests).toHaveLength(1);
    expect(ctl.requests[0]?.req).toEqual({
      brokerId: 1,
      brokerEpoch: 42n,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, leaderEpoch: 7, newIsr: [1, 2, 3], currentIsrVersion: 5 }] }],
    });
    expect(mgr.pendingCount).toBe(1);
  });

  it('coalesces changes queued while a request is in flight into the next request, grouped by topic', async () => {
    const { mgr, ctl } = setup();
    const first = item('t', 0);
    mgr.submit(first);
    const queued = [item('t', 1), item('u', 0), item('t', 2)];
    for (const q of queued) expect(mgr.submit(q)).toBe(true);
    expect(ctl.requests).toHaveLength(1); // one request in flight at a time
    expect(mgr.pendingCount).toBe(4);

    ctl.accept(0);
    await settle();
    expect(first.results).toEqual([{ errorCode: 0, leaderEpoch: 7, isr: [1, 2], zkVersion: 4 }]);
    expect(ctl.requests).toHaveLength(2);
    expect(ctl.requests[1]?.req.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)])).toEqual([
      ['t', [1, 2]],
      ['u', [0]],
    ]);
    ctl.accept(1);
    await settle();
    for (const q of queued) expect(q.results).toHaveLength(1);
    expect(ctl.requests).toHaveLength(2);
    expect(mgr.pendingCount).toBe(0);
  });

  it('refuses a second change for a partition while one is queued or in flight, and takes one once answered', async () => {
    const { mgr, ctl } = setup();
    const sent = item('t', 0, [1, 2]);
    expect(mgr.submit(sent)).toBe(true);
    expect(mgr.submit(item('t', 0, [1]))).toBe(false); // in flight
    mgr.submit(item('t', 1));
    expect(mgr.submit(item('t', 1, [1]))).toBe(false); // queued behind the request in flight
    expect(mgr.pendingCount).toBe(2);

    ctl.accept(0);
    await settle();
    expect(ctl.keysOf(1)).toEqual(['t-1']);
    const next = item('t', 0, [1]);
    expect(mgr.submit(next)).toBe(true); // t-0 was answered; t-1 in flight does not block it
    ctl.accept(1);
    await settle();
    expect(ctl.keysOf(2)).toEqual(['t-0']);
    expect(ctl.requests[2]?.req.topics[0]?.partitions[0]?.newIsr).toEqual([1]);
    expect(sent.results).toHaveLength(1);
  });

  it('hands each partition its own answer: the new ISR and zkVersion, or its error', async () => {
    const { mgr, ctl } = setup();
    mgr.submit(item('x', 0)); // in flight: the three below go out together
    const ok = item('t', 0, [1, 2], 3);
    const fenced = item('t', 1);
    const stale = item('u', 0);
    for (const x of [ok, fenced, stale]) mgr.submit(x);
    ctl.accept(0);
    await settle();
    ctl.accept(1, { 't-1': ErrorCode.FENCED_LEADER_EPOCH, 'u-0': ErrorCode.INVALID_UPDATE_VERSION });
    await settle();
    expect(ok.results).toEqual([{ errorCode: 0, leaderEpoch: 7, isr: [1, 2], zkVersion: 4 }]);
    expect(fenced.results).toEqual([{ errorCode: ErrorCode.FENCED_LEADER_EPOCH }]);
    expect(stale.results).toEqual([{ errorCode: ErrorCode.INVALID_UPDATE_VERSION }]);
    expect(mgr.pendingCount).toBe(0);
    expect(ctl.requests).toHaveLength(2); // answered errors are the partition's to handle, not resent
  });

  it('answers a partition the response leaves out with UNKNOWN_SERVER_ERROR and frees it for a new proposal', async () => {
    const { mgr, ctl } = setup();
    const kept = item('t', 0);
    const dropped = item('t', 1);
    mgr.submit(kept);
    mgr.submit(dropped);
    ctl.accept(0);
    await settle();
    ctl.accept(1, {}, ['t-1']);
    await settle();
    expect(kept.results).toHaveLength(1);
    expect(dropped.results).toEqual([{ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR }]);
    expect(mgr.pendingCount).toBe(0);
    expect(mgr.submit(item('t', 1))).toBe(true);
  });

  it('requeues the whole batch after a failed send and resends it after the backoff, with changes queued meanwhile', async () => {
    const { mgr, ctl, time } = setup();
    const a = item('t', 0);
    mgr.submit(a);
    const b = item('t', 1);
    mgr.submit(b); // queued behind the request in flight
    ctl.requests[0]?.fail(new Error('no controller known'));
    await settle();
    expect(a.results).toEqual([]); // a failed send is not an answer
    // b is not sent either: nothing goes out before the backoff.
    expect(ctl.requests).toHaveLength(1);
    const c = item('u', 0);
    mgr.submit(c);
    expect(mgr.submit(item('t', 0, [1]))).toBe(false); // the requeued change still holds its partition
    time.advance(BACKOFF_MS - 1);
    await settle();
    expect(ctl.requests).toHaveLength(1);
    time.advance(1);
    await settle();
    expect(ctl.requests).toHaveLength(2);
    expect(ctl.keysOf(1).sort()).toEqual(['t-0', 't-1', 'u-0']);
    ctl.accept(1);
    await settle();
    for (const x of [a, b, c]) expect(x.results).toHaveLength(1);
    expect(mgr.pendingCount).toBe(0);
    expect(time.pendingTimers).toBe(0);
  });

  it.each([
    ['NOT_CONTROLLER', ErrorCode.NOT_CONTROLLER],
    ['STALE_BROKER_EPOCH', ErrorCode.STALE_BROKER_EPOCH],
  ])('retries after the backoff when the controller refuses the request with %s, reading the broker epoch again', async (_name, code) => {
    const { mgr, ctl, time, setBrokerEpoch } = setup();
    const a = item('t', 0);
    mgr.submit(a);
    ctl.refuse(0, code);
    await settle();
    expect(a.results).toEqual([]);
    expect(mgr.pendingCount).toBe(1);
    setBrokerEpoch(43n); // e.g. the registration the controller had not seen yet
    time.advance(BACKOFF_MS);
    await settle();
    expect(ctl.requests).toHaveLength(2);
    expect(ctl.requests[1]?.req.brokerEpoch).toBe(43n);
    expect(ctl.keysOf(1)).toEqual(['t-0']);
    // A second refusal backs off again; one timer at a time.
    ctl.refuse(1, code);
    await settle();
    expect(time.pendingTimers).toBe(1);
    time.advance(BACKOFF_MS);
    await settle();
    ctl.accept(2);
    await settle();
    expect(a.results).toEqual([{ errorCode: 0, leaderEpoch: 7, isr: [1, 2], zkVersion: 4 }]);
  });

  it('drops a cleared change that was not sent yet: never sent, never answered, the partition free again', async () => {
    const { mgr, ctl } = setup();
    mgr.submit(item('t', 0));
    const cleared = item('t', 1, [1]);
    mgr.submit(cleared);
    mgr.clearPending('t', 1);
    expect(mgr.pendingCount).toBe(1);
    const replacement = item('t', 1, [1, 2, 3]);
    expect(mgr.submit(replacement)).toBe(true);
    ctl.accept(0);
    await settle();
    expect(ctl.keysOf(1)).toEqual(['t-1']);
    expect(ctl.requests[1]?.req.topics[0]?.partitions[0]?.newIsr).toEqual([1, 2, 3]);
    ctl.accept(1);
    await settle();
    expect(cleared.results).toEqual([]);
    expect(replacement.results).toEqual([{ errorCode: 0, leaderEpoch: 7, isr: [1, 2, 3], zkVersion: 4 }]);
  });

  it('delivers the answer for a change cleared in flight to that change only; the partition takes a new one after', async () => {
    const { mgr, ctl } = setup();
    const old = item('t', 0, [1]);
    mgr.submit(old);
    mgr.clearPending('t', 0); // e.g. a LeaderAndIsr arrived: the partition ignores answers for its old state
    // One change per partition on the wire: a new one waits until the old request is answered.
    const next = item('t', 0, [1, 2]);
    expect(mgr.submit(next)).toBe(false);
    ctl.accept(0);
    await settle();
    expect(old.results).toEqual([{ errorCode: 0, leaderEpoch: 7, isr: [1], zkVersion: 4 }]);
    expect(next.results).toEqual([]);
    expect(mgr.submit(next)).toBe(true);
    expect(ctl.keysOf(1)).toEqual(['t-0']);
    ctl.accept(1);
    await settle();
    expect(old.results).toHaveLength(1);
    expect(next.results).toEqual([{ errorCode: 0, leaderEpoch: 7, isr: [1, 2], zkVersion: 4 }]);
  });

  it('does not resend a change cleared while in flight when that request fails', async () => {
    const { mgr, ctl, time } = setup();
    const cleared = item('t', 0);
    mgr.submit(cleared);
    mgr.clearPending('t', 0);
    const kept = item('t', 1);
    mgr.submit(kept); // queued behind the request in flight
    ctl.requests[0]?.fail(new Error('connection reset'));
    await settle();
    expect(mgr.pendingCount).toBe(1);
    time.advance(BACKOFF_MS);
    await settle();
    expect(ctl.keysOf(1)).toEqual(['t-1']);
    ctl.accept(1);
    await settle();
    expect(cleared.results).toEqual([]);
    expect(kept.results).toHaveLength(1);
    expect(mgr.submit(item('t', 0, [1, 2]))).toBe(true);
    expect(ctl.keysOf(2)).toEqual(['t-0']);
  });

  it('keeps answering the rest of a batch when one callback throws', async () => {
    const { mgr, ctl } = setup();
    const bad = item('t', 0);
    bad.callback = () => {
      throw new Error('partition blew up');
    };
    const good = item('t', 1);
    mgr.submit(item('x', 0));
    mgr.submit(bad);
    mgr.submit(good);
    ctl.accept(0);
    await settle();
    ctl.accept(1);
    await settle();
    expect(good.results).toHaveLength(1);
    expect(mgr.pendingCount).toBe(0);
    expect(mgr.submit(item('t', 0))).toBe(true);
    expect(mgr.submit(item('t', 1))).toBe(true);
  });

  it('shutdown cancels a scheduled retry, sends nothing more and refuses new changes', async () => {
    const { mgr, ctl, time } = setup();
    mgr.submit(item('t', 0));
    ctl.requests[0]?.fail(new Error('down'));
    await settle();
    expect(time.pendingTimers).toBe(1);
    mgr.shutdown();
    expect(time.pendingTimers).toBe(0);
    time.advance(10 * BACKOFF_MS);
    await settle();
    expect(ctl.requests).toHaveLength(1);
    expect(mgr.submit(item('t', 1))).toBe(false);
    mgr.shutdown(); // idempotent
  });

  it('shutdown with a request in flight: nothing is sent after its answer, and a failure schedules no retry', async () => {
    const { mgr, ctl, time } = setup();
    mgr.submit(item('t', 0));
    mgr.submit(item('t', 1)); // queued
    mgr.shutdown();
    ctl.requests[0]?.fail(new Error('closing'));
    await settle();
    expect(time.pendingTimers).toBe(0);
    time.advance(10 * BACKOFF_MS);
    await settle();
    expect(ctl.requests).toHaveLength(1);
  });
});
