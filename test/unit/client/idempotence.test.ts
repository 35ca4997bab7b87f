// The idempotent producer: sequence arithmetic, config checks, and the Producer's stamping, retries and errors
// against a scripted admin client (no broker).
import { ErrorCode } from '../../../src/protocol/errors';
import { InitProducerId, Produce } from '../../../src/protocol/messages';
import type { ApiSchema, RequestInput } from '../../../src/protocol/schema';
import { readBatchHeader } from '../../../src/protocol/record/batch-header';
import {
  AdminClient, AdminError, ConfigException, Producer, ProducerSequences, RetriableAdminError, UsageError,
  checkIdempotentConfig, incrementSequence,
} from '../../../src/client';

const MAX = 2 ** 31 - 1;

describe('incrementSequence (Kafka DefaultRecordBatch.incrementSequence)', () => {
  test.each([
    [0, 1, 1],
    [5, 10, 15],
    [MAX - 1, 1, MAX],
    [MAX, 1, 0],
    [MAX - 5, 10, 4],
    [MAX - 2, 3, 0],
  ])('%d + %d = %d', (seq, inc, want) => {
    expect(incrementSequence(seq, inc)).toBe(want);
  });
});

describe('config checks (Kafka ConfigException)', () => {
  test.each([[1], [0]])('acks=%d is refused', (acks) => {
    const e = (() => { try { checkIdempotentConfig({ acks }); } catch (err) { return err; } return null; })();
    expect(e).toBeInstanceOf(ConfigException);
    expect(e).toBeInstanceOf(UsageError); // the CLI exits 2
    expect((e as Error).message).toBe('Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.');
  });

  test('more than 5 in flight is refused; acks=all with up to 5 passes', () => {
    expect(() => checkIdempotentConfig({ acks: -1, maxInFlight: 6 })).toThrow('Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.');
    expect(() => checkIdempotentConfig({ acks: -1, maxInFlight: 5 })).not.toThrow();
    expect(() => checkIdempotentConfig({ acks: -1 })).not.toThrow();
  });

  test('the Producer refuses enable.idempotence with acks other than all before sending anything', () => {
    const admin = new ScriptedAdmin(() => { throw new Error('nothing may be sent'); });
    expect(() => new Producer(admin.asAdmin(), { acks: 1, idempotent: true })).toThrow(ConfigException);
    expect(() => new Producer(admin.asAdmin(), { acks: -1, idempotent: true, maxInFlight: 10 })).toThrow(/at most 5/);
    expect(() => new Producer(admin.asAdmin(), { acks: 1 })).not.toThrow();
  });
});

describe('ProducerSequences', () => {
  const pid = { producerId: 7n, producerEpoch: 2 };

  test('each partition counts from 0 by record count, and wraps at 2^31-1', () => {
    const s = new ProducerSequences(pid);
    expect(s.nextBatch('t', 0, 3)).toEqual({ producerId: 7n, producerEpoch: 2, baseSequence: 0 });
    expect(s.nextBatch('t', 0, 2).baseSequence).toBe(3);
    expect(s.nextBatch('t', 1, 4).baseSequence).toBe(0);
    expect(s.nextBatch('u', 0, 1).baseSequence).toBe(0);
    expect(s.nextBatch('t', 0, MAX - 5).baseSequence).toBe(5);
    expect(s.nextBatch('t', 0, 2).baseSequence).toBe(MAX); // 5 + (2^31 - 6): the last sequence
    expect(s.nextBatch('t', 0, 1).baseSequence).toBe(1); // the batch at 2^31-1 took 2^31-1 and 0
  });

  test('error outcomes: duplicates are done, out-of-order behind an unacknowledged batch is retried, otherwise fatal', () => {
    const s = new ProducerSequences(pid);
    const first = s.nextBatch('t', 0, 2);
    const second = s.nextBatch('t', 0, 2);
    expect(s.outcome('t', 0, second, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)).toBe('retry');
    expect(s.outcome('t', 0, first, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)).toBe('fatal');
    expect(s.outcome('t', 0, first, ErrorCode.DUPLICATE_SEQUENCE_NUMBER)).toBe('done');
    expect(s.outcome('t', 0, first, ErrorCode.INVALID_PRODUCER_EPOCH)).toBe('fatal');
    expect(s.outcome('t', 0, first, ErrorCode.UNKNOWN_PRODUCER_ID)).toBe('fatal');
    expect(s.outcome('t', 0, first, ErrorCode.NOT_LEADER_OR_FOLLOWER)).toBe('other');
    s.acknowledged('t', 0, first, 2);
    expect(s.outcome('t', 0, second, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)).toBe('fatal');
    expect(s.describeFatal('t', 0, second, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER))
      .toMatch(/^idempotent producer 7 epoch 2, t-0 base sequence 2: OUT_OF_ORDER_SEQUENCE_NUMBER \(45\)/);
  });
});

// ---- the Producer against a scripted admin client --------------------------------------------------

interface Sent {
  api: string;
  body: Record<string, unknown>;
}

type Answer = (api: ApiSchema, body: Record<string, unknown>) => Record<string, unknown>;

/** Just enough of AdminClient for Producer: one topic with partitions led by broker 1; answers come from `answer`. */
class ScriptedAdmin {
  readonly sent: Sent[] = [];

  constructor(private readonly answer: Answer, private readonly partitions = 1) {}

  asAdmin(): AdminClient {
    return this as unknown as AdminClient;
  }

  async topic(name: string): Promise<unknown> {
    return { name, partitions: Array.from({ length: this.partitions }, (_, partition) => ({ partition, leader: 1 })) };
  }

  leaderOf(): number {
    return 1;
  }

  /** Retries RetriableAdminError a few times at once (the real one backs off and refreshes metadata). */
  async withRetry<T>(_what: string, attempt: () => Promise<T>): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        return await attempt();
      } catch (e) {
        if (!(e instanceof RetriableAdminError) || i >= 5) throw e;
      }
    }
  }

  async send<A extends ApiSchema>(_target: unknown, api: A, body: (v: number) => RequestInput<A>): Promise<{ version: number; response: unknown; nodeId: number }> {
    const b = body(api.validVersions[1]) as Record<string, unknown>;
    this.sent.push({ api: api.name, body: b });
    return { version: api.validVersions[1], response: this.answer(api, b), nodeId: 1 };
  }

  produced(): Array<{ partition: number; records: Buffer }> {
    return this.sent.filter((s) => s.api === Produce.name).flatMap((s) => {
      const topicData = s.body.topicData as Array<{ partitionData: Array<{ index: number; records: Buffer }> }>;
      return topicData.flatMap((t) => t.partitionData.map((p) => ({ partition: p.index, records: p.records })));
    });
  }
}

/** A broker that hands out producer ids 1000, 1001, ... and answers each produced partition with `codeFor`. */
function broker(codeFor: (partition: number, attempt: number) => number): Answer {
  let nextPid = 1000n;
  const attempts = new Map<number, number>();
  return (api, body) => {
    if (api === InitProducerId) return { throttleTimeMs: 0, errorCode: 0, producerId: nextPid++, producerEpoch: 0 };
    const topicData = body.topicData as Array<{ name: string; partitionData: Array<{ index: number }> }>;
    return {
      throttleTimeMs: 0,
      responses: topicData.map((t) => ({
        name: t.name,
        partitionResponses: t.partitionData.map((p) => {
          const n = (attempts.get(p.index) ?? 0) + 1;
          attempts.set(p.index, n);
          const errorCode = codeFor(p.index, n);
          return { index: p.index, errorCode, baseOffset: errorCode === 0 ? 0n : -1n, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null };
        }),
      })),
    };
  };
}

const recs = (n: number, partition = 0) => Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`v${i}`), partition }));

describe('Producer with enable.idempotence', () => {
  test('asks InitProducerId once, then stamps each batch with the id, epoch and the partition sequence', async () => {
    const admin = new ScriptedAdmin(broker(() => ErrorCode.NONE), 2);
    const producer = new Producer(admin.asAdmin(), { acks: -1, idempotent: true });
    await producer.send('t', recs(3, 0));
    await producer.send('t', [...recs(2, 0), ...recs(4, 1)]);
    await producer.send('t', recs(1, 0));
    expect(admin.sent.filter((s) => s.api === InitProducerId.name).map((s) => s.body)).toEqual([
      { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 },
    ]);
    expect(admin.sent.filter((s) => s.api === Produce.name).map((s) => s.body.acks)).toEqual([-1, -1, -1]);
    const headers = admin.produced().map((p) => ({ partition: p.partition, ...readBatchHeader(p.records) }));
    expect(headers.map((h) => [h.partition, h.producerId, h.producerEpoch, h.baseSequence, h.recordCount])).toEqual([
      [0, 1000n, 0, 0, 3],
      [0, 1000n, 0, 3, 2],
      [1, 1000n, 0, 0, 4],
      [0, 1000n, 0, 5, 1],
    ]);
  });

  test('a retried batch goes again with the same bytes, so the same sequence', async () => {
    const admin = new ScriptedAdmin(broker((_p, attempt) => (attempt < 3 ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.NONE)));
    const producer = new Producer(admin.asAdmin(), { acks: -1, idempotent: true });
    await producer.send('t', recs(5));
    const sent = admin.produced();
    expect(sent).toHaveLength(3);
    expect(sent[1]!.records.equals(sent[0]!.records)).toBe(true);
    expect(sent[2]!.records.equals(sent[0]!.records)).toBe(true);
    expect(readBatchHeader(sent[2]!.records).baseSequence).toBe(0);
  });

  test('a duplicate sequence counts as written', async () => {
    const admin = new ScriptedAdmin(broker(() => ErrorCode.DUPLICATE_SEQUENCE_NUMBER));
    const producer = new Producer(admin.asAdmin(), { acks: -1, idempotent: true });
    await expect(producer.send('t', recs(2))).resolves.toEqual([{ partition: 0, baseOffset: -1n, count: 2 }]);
  });

  test.each([
    [ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, /idempotent producer 1000 epoch 0, t-0 base sequence 0: OUT_OF_ORDER_SEQUENCE_NUMBER \(45\).*the batch was not written/],
    [ErrorCode.INVALID_PRODUCER_EPOCH, /idempotent producer 1000 epoch 0, t-0 base sequence 0: INVALID_PRODUCER_EPOCH \(47\).*no longer accepts this producer id/],
  ])('error %d surfaces as a clear error, and the next send starts over under a new producer id', async (code, message) => {
    const admin = new ScriptedAdmin(broker((_p, attempt) => (attempt === 1 ? code : ErrorCode.NONE)));
    const producer = new Producer(admin.asAdmin(), { acks: -1, idempotent: true });
    const failure = producer.send('t', recs(2));
    await expect(failure).rejects.toThrow(message);
    await expect(failure).rejects.toBeInstanceOf(AdminError);
    await producer.send('t', recs(1));
    const last = admin.produced().at(-1)!.records;
    expect(readBatchHeader(last)).toMatchObject({ producerId: 1001n, baseSequence: 0 });
  });

  test('without idempotence batches carry no producer id and InitProducerId is never sent', async () => {
    const admin = new ScriptedAdmin(broker(() => ErrorCode.NONE));
    await new Producer(admin.asAdmin(), { acks: 1 }).send('t', recs(2));
    expect(admin.sent.map((s) => s.api)).toEqual([Produce.name]);
    expect(readBatchHeader(admin.produced()[0]!.records)).toMatchObject({ producerId: -1n, producerEpoch: -1, baseSequence: -1 });
  });

  test('at most 5 Produce requests are in flight to a broker at once', async () => {
    let inFlight = 0;
    let most = 0;
    const release: Array<() => void> = [];
    const answer = broker(() => ErrorCode.NONE);
    const admin = new ScriptedAdmin(answer);
    admin.send = (async (_t: unknown, api: ApiSchema, body: (v: number) => unknown) => {
      const b = body(api.validVersions[1]) as Record<string, unknown>;
      if (api !== Produce) return { version: 0, response: answer(api, b), nodeId: 1 };
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise<void>((r) => release.push(r));
      inFlight--;
      return { version: 0, response: answer(api, b), nodeId: 1 };
    }) as unknown as ScriptedAdmin['send'];
    const producer = new Producer(admin.asAdmin(), { acks: -1, idempotent: true });
    const sends = Array.from({ length: 8 }, () => producer.send('t', recs(1)));
    // Answer requests one by one as they arrive until all eight are through.
    for (let answered = 0; answered < 8;) {
      await new Promise((r) => setImmediate(r));
      const r = release.shift();
      if (r) { r(); answered++; }
    }
    await Promise.all(sends);
    expect(most).toBe(5);
  });
});
