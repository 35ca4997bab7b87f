// The transactional producer: partition bookkeeping, the error table, and the Producer's request sequence
// (FindCoordinator type 1, InitProducerId, AddPartitionsToTxn before Produce, AddOffsetsToTxn + TxnOffsetCommit,
// EndTxn) with its retries and fencing, against a scripted coordinator (no broker).
import { ErrorCode } from '../../../src/protocol/errors';
import {
  AddOffsetsToTxn, AddPartitionsToTxn, EndTxn, InitProducerId, Produce, TxnOffsetCommit,
} from '../../../src/protocol/messages';
import type { ApiSchema, RequestInput } from '../../../src/protocol/schema';
import { isTransactional, readBatchHeader } from '../../../src/protocol/record/batch-header';
import {
  AdminClient, ConfigException, Producer, ProducerFencedError, RetriableAdminError, TransactionAbortableError,
  TxnPartitions, classifyTxnError,
} from '../../../src/client';

describe('TxnPartitions', () => {
  test('missing() names the partitions not yet added, once each, in the order given', () => {
    const t = new TxnPartitions();
    expect(t.missing('a', [2, 0, 2, 1])).toEqual([2, 0, 1]);
    t.markAdded('a', [0, 2]);
    expect(t.missing('a', [0, 1, 2, 3])).toEqual([1, 3]);
    expect(t.missing('b', [0])).toEqual([0]);
    expect(t.has('a', 2)).toBe(true);
    expect(t.has('b', 0)).toBe(false);
  });

  test('list() is sorted by topic then partition; clear() empties it for the next transaction', () => {
    const t = new TxnPartitions();
    t.markAdded('b', [1]);
    t.markAdded('a', [3, 1]);
    expect(t.list()).toEqual([{ topic: 'a', partition: 1 }, { topic: 'a', partition: 3 }, { topic: 'b', partition: 1 }]);
    expect(t.size).toBe(3);
    t.clear();
    expect(t.size).toBe(0);
    expect(t.missing('a', [1])).toEqual([1]);
  });
});

describe('classifyTxnError (Kafka 2.8 TransactionManager handlers)', () => {
  test.each([
    [ErrorCode.NONE, 'ok'],
    [ErrorCode.NOT_COORDINATOR, 'findCoordinator'],
    [ErrorCode.COORDINATOR_NOT_AVAILABLE, 'findCoordinator'],
    [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, 'retry'],
    [ErrorCode.CONCURRENT_TRANSACTIONS, 'retry'],
    [ErrorCode.OPERATION_NOT_ATTEMPTED, 'retry'],
    [ErrorCode.PRODUCER_FENCED, 'fenced'],
    [ErrorCode.INVALID_PRODUCER_EPOCH, 'fenced'],
    [ErrorCode.INVALID_TXN_STATE, 'fatal'],
    [ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'fatal'],
    [ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'abortable'],
    [ErrorCode.UNKNOWN_MEMBER_ID, 'abortable'],
  ])('code %d → %s', (code, action) => {
    expect(classifyTxnError(code)).toBe(action);
  });
});

// ---- the Producer against a scripted transaction coordinator -------------------------------------------------

interface Sent {
  api: string;
  target: unknown;
  body: Record<string, unknown>;
}

/** Error codes to answer, per API name, consumed in order; NONE once a list runs out. */
type Script = Partial<Record<string, number[]>>;

/** Just enough of AdminClient for the Producer: a topic of `partitions` partitions, coordinator 7 for everything. */
class ScriptedCluster {
  readonly sent: Sent[] = [];
  readonly retryDeadlineMs = 5_000;
  readonly coordinatorLookups: Array<[string, number]> = [];
  private epoch = 0;

  constructor(private readonly script: Script = {}, private readonly partitions = 2) {}

  asAdmin(): AdminClient {
    return this as unknown as AdminClient;
  }

  async topic(name: string): Promise<unknown> {
    return { name, partitions: Array.from({ length: this.partitions }, (_, partition) => ({ partition, leader: 1 })) };
  }

  leaderOf(): number {
    return 1;
  }

  async coordinator(key: string, keyType: number): Promise<number> {
    this.coordinatorLookups.push([key, keyType]);
    return 7;
  }

  async withRetry<T>(_what: string, attempt: () => Promise<T>): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        return await attempt();
      } catch (e) {
        if (!(e instanceof RetriableAdminError) || i >= 5) throw e;
      }
    }
  }

  names(): string[] {
    return this.sent.map((s) => s.api);
  }

  private code(api: string): number {
    return this.script[api]?.shift() ?? ErrorCode.NONE;
  }

  async send<A extends ApiSchema>(target: unknown, api: A, body: (v: number) => RequestInput<A>): Promise<{ version: number; response: unknown; nodeId: number }> {
    const v = api.validVersions[1];
    const b = body(v) as Record<string, unknown>;
    this.sent.push({ api: api.name, target, body: b });
    const errorCode = this.code(api.name);
    const answer = (response: unknown) => ({ version: v, response, nodeId: 1 });
    switch (api as ApiSchema) {
      case InitProducerId:
        if (errorCode === 0) this.epoch++;
        return answer({ throttleTimeMs: 0, errorCode, producerId: 4000n, producerEpoch: this.epoch - 1 });
      case AddPartitionsToTxn: {
        const topics = b.topics as Array<{ name: string; partitions: number[] }>;
        return answer({ throttleTimeMs: 0, results: topics.map((t) => ({ name: t.name, results: t.partitions.map((p) => ({ partitionIndex: p, errorCode })) })) });
      }
      case AddOffsetsToTxn:
      case EndTxn:
        return answer({ throttleTimeMs: 0, errorCode });
      case TxnOffsetCommit: {
        const topics = b.topics as Array<{ name: string; partitions: Array<{ partitionIndex: number }> }>;
        return answer({ throttleTimeMs: 0, topics: topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })) });
      }
      case Produce: {
        const topicData = b.topicData as Array<{ name: string; partitionData: Array<{ index: number }> }>;
        return answer({
          throttleTimeMs: 0,
          responses: topicData.map((t) => ({
            name: t.name,
            partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode, baseOffset: 0n, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null })),
          })),
        });
      }
      default:
        throw new Error(`unexpected ${api.name}`);
    }
  }
}

const recs = (n: number, partition = 0) => Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`v${i}`), partition }));
const txnProducer = (c: ScriptedCluster, opts: Record<string, unknown> = {}) =>
  new Producer(c.asAdmin(), { acks: -1, transactionalId: 'tx-1', transactionTimeoutMs: 9000, ...opts });

describe('Producer with a transactional id', () => {
  test('refuses acks other than all and a transactional id without idempotence (Kafka ConfigException)', () => {
    const c = new ScriptedCluster();
    expect(() => new Producer(c.asAdmin(), { acks: 1, transactionalId: 'x' })).toThrow(ConfigException);
    expect(() => new Producer(c.asAdmin(), { acks: -1, transactionalId: 'x', idempotent: false })).toThrow('Cannot set a transactional.id without also enabling idempotence.');
  });

  test('initTransactions: FindCoordinator type 1, InitProducerId with the id and timeout', async () => {
    const c = new ScriptedCluster();
    const p = txnProducer(c);
    await p.initTransactions();
    expect(c.coordinatorLookups).toEqual([['tx-1', 1]]);
    expect(c.sent).toEqual([{ api: 'InitProducerId', target: 7, body: { transactionalId: 'tx-1', transactionTimeoutMs: 9000, producerId: -1n, producerEpoch: -1 } }]);
    expect(p.transactionState).toBe('READY');
    expect(p.producerIdAndEpoch).toEqual({ producerId: 4000n, producerEpoch: 0 });
  });

  test.each([
    ['COORDINATOR_LOAD_IN_PROGRESS', ErrorCode.COORDINATOR_LOAD_IN_PROGRESS],
    ['CONCURRENT_TRANSACTIONS', ErrorCode.CONCURRENT_TRANSACTIONS],
    ['NOT_COORDINATOR', ErrorCode.NOT_COORDINATOR],
  ])('initTransactions retries %s', async (_name, code) => {
    const c = new ScriptedCluster({ InitProducerId: [code, code] });
    const p = txnProducer(c);
    await p.initTransactions();
    expect(c.names()).toEqual(['InitProducerId', 'InitProducerId', 'InitProducerId']);
    // A coordinator that moved is looked up again.
    expect(c.coordinatorLookups.length).toBe(code === ErrorCode.NOT_COORDINATOR ? 3 : 1);
  });

  test('sends add each new partition once per transaction before producing to it, and mark batches transactional', async () => {
    const c = new ScriptedCluster();
    const p = txnProducer(c);
    await p.initTransactions();
    p.beginTransaction();
    await p.send('t', recs(2, 0));
    await p.send('t', [...recs(1, 0), ...recs(3, 1)]);
    await p.commitTransaction();
    p.beginTransaction();
    await p.send('t', recs(1, 1));
    await p.abortTransaction();
    expect(c.names()).toEqual([
      'InitProducerId', 'AddPartitionsToTxn', 'Produce', 'AddPartitionsToTxn', 'Produce', 'EndTxn',
      'AddPartitionsToTxn', 'Produce', 'EndTxn',
    ]);
    const adds = c.sent.filter((s) => s.api === 'AddPartitionsToTxn').map((s) => s.body.topics);
    expect(adds).toEqual([[{ name: 't', partitions: [0] }], [{ name: 't', partitions: [1] }], [{ name: 't', partitions: [1] }]]);
    const ends = c.sent.filter((s) => s.api === 'EndTxn').map((s) => s.body);
    expect(ends).toEqual([
      { transactionalId: 'tx-1', producerId: 4000n, producerEpoch: 0, committed: true },
      { transactionalId: 'tx-1', producerId: 4000n, producerEpoch: 0, committed: false },
    ]);
    const produces = c.sent.filter((s) => s.api === 'Produce');
    expect(produces.every((s) => s.body.transactionalId === 'tx-1')).toBe(true);
    const batches = produces.flatMap((s) => (s.body.topicData as Array<{ partitionData: Array<{ index: number; records: Buffer }> }>)[0]!.partitionData);
    const headers = batches.map((b) => [b.index, readBatchHeader(b.records)] as const);
    expect(headers.every(([, h]) => isTransactional(h.attributes) && h.producerId === 4000n && h.producerEpoch === 0)).toBe(true);
    // Sequences run on across the transactions of one epoch.
    expect(headers.map(([i, h]) => [i, h.baseSequence])).toEqual([[0, 0], [0, 2], [1, 0], [1, 3]]);
  });

  test('concurrent sends to a new partition add it once', async () => {
    const c = new ScriptedCluster();
    const p = txnProducer(c);
    await p.initTransactions();
    p.beginTransaction();
    await Promise.all([p.send('t', recs(1, 0)), p.send('t', recs(2, 0)), p.send('t', recs(1, 1))]);
    await p.commitTransaction();
    expect(c.sent.filter((s) => s.api === 'AddPartitionsToTxn').map((s) => s.body.topics)).toEqual([
      [{ name: 't', partitions: [0] }], [{ name: 't', partitions: [1] }],
    ]);
    expect(c.names().filter((n) => n === 'Produce')).toHaveLength(3);
  });

  test('an empty transaction commits without EndTxn (the coordinator never heard of it)', async () => {
    const c = new ScriptedCluster();
    const p = txnProducer(c);
    await p.initTransactions();
    p.beginTransaction();
    await p.commitTransaction();
    expect(c.names()).toEqual(['InitProducerId']);
    expect(p.transactionState).toBe('READY');
  });

  test('AddPartitionsToTxn and EndTxn retry CONCURRENT_TRANSACTIONS', async () => {
    const c = new ScriptedCluster({ AddPartitionsToTxn: [ErrorCode.CONCURRENT_TRANSACTIONS], EndTxn: [ErrorCode.CONCURRENT_TRANSACTIONS, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS] });
    const p = txnProducer(c);
    await p.initTransactions();
    p.beginTransaction();
    await p.send('t', recs(1));
    await p.commitTransaction();
    expect(c.names()).toEqual(['InitProducerId', 'AddPartitionsToTxn', 'AddPartitionsToTxn', 'Produce', 'EndTxn', 'EndTxn', 'EndTxn']);
  });

  test('sendOffsetsToTransaction: AddOffsetsToTxn to the transaction coordinator, then TxnOffsetCommit with KIP-447 fields to the group coordinator', async () => {
    const c = new ScriptedCluster({ TxnOffsetCommit: [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS] });
    const p = txnProducer(c);
    await p.initTransactions();
    p.beginTransaction();
    await p.sendOffsetsToTransaction([{ topic: 'in', partition: 2, offset: 42n }], { groupId: 'g', generationId: 5, memberId: 'm-1', groupInstanceId: null });
    await p.commitTransaction();
    expect(c.names()).toEqual(['InitProducerId', 'AddOffsetsToTxn', 'TxnOffsetCommit', 'TxnOffsetCommit', 'EndTxn']);
    expect(c.sent[1]!.body).toEqual({ transactionalId: 'tx-1', producerId: 4000n, producerEpoch: 0, groupId: 'g' });
    expect(c.sent[2]!.body).toEqual({
      transactionalId: 'tx-1', groupId: 'g', producerId: 4000n, producerEpoch: 0, generationId: 5, memberId: 'm-1', groupInstanceId: null,
      topics: [{ name: 'in', partitions: [{ partitionIndex: 2, committedOffset: 42n, committedLeaderEpoch: -1, committedMetadata: '' }] }],
    });
    expect(c.coordinatorLookups).toContainEqual(['g', 0]);
  });

  test.each([
    ['PRODUCER_FENCED on Produce', { Produce: [ErrorCode.PRODUCER_FENCED] }],
    ['INVALID_PRODUCER_EPOCH on Produce', { Produce: [ErrorCode.INVALID_PRODUCER_EPOCH] }],
    ['PRODUCER_FENCED on AddPartitionsToTxn', { AddPartitionsToTxn: [ErrorCode.PRODUCER_FENCED] }],
  ])('%s: the producer is fenced, says so, and refuses everything after', async (_name, script) => {
    const c = new ScriptedCluster(script);
    const p = txnProducer(c);
    await p.initTransactions();
    p.beginTransaction();
    const e = await p.send('t', recs(1)).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ProducerFencedError);
    expect((e as Error).message).toMatch(/transactional id 'tx-1' \(producer id 4000, epoch 0\) is fenced.*another producer with the same transactional id.*must be closed/);
    expect(p.transactionState).toBe('FATAL_ERROR');
    await expect(p.abortTransaction()).rejects.toBeInstanceOf(ProducerFencedError);
    await expect(p.send('t', recs(1))).rejects.toBeInstanceOf(ProducerFencedError);
    expect(() => p.beginTransaction()).toThrow(ProducerFencedError);
    await p.close();
    await expect(p.send('t', recs(1))).rejects.toThrow('send: the producer is closed');
  });

  test('EndTxn answered PRODUCER_FENCED makes the producer fatal', async () => {
    const c = new ScriptedCluster({ EndTxn: [ErrorCode.PRODUCER_FENCED] });
    const p = txnProducer(c);
    await p.initTransactions();
    p.beginTransaction();
    await p.send('t', recs(1));
    await expect(p.commitTransaction()).rejects.toBeInstanceOf(ProducerFencedError);
    expect(p.transactionState).toBe('FATAL_ERROR');
  });

  test('a failed send makes the transaction abortable: commit refuses, abort works and bumps the epoch', async () => {
    const c = new ScriptedCluster({ Produce: [ErrorCode.CORRUPT_MESSAGE] });
    const p = txnProducer(c);
    await p.initTransactions();
    p.beginTransaction();
    await expect(p.send('t', recs(1))).rejects.toBeInstanceOf(TransactionAbortableError);
    expect(p.transactionState).toBe('ABORTABLE_ERROR');
    await expect(p.send('t', recs(1))).rejects.toThrow(/cannot send, an earlier request of this transaction failed/);
    await expect(p.commitTransaction()).rejects.toThrow(/cannot commit, the transaction failed.*abort it instead/);
    await p.abortTransaction();
    expect(p.transactionState).toBe('READY');
    // The batch left a hole in partition 0's sequence: a new epoch (KIP-360, naming the current id and epoch) resets it.
    const inits = c.sent.filter((s) => s.api === 'InitProducerId').map((s) => s.body);
    expect(inits[1]).toEqual({ transactionalId: 'tx-1', transactionTimeoutMs: 9000, producerId: 4000n, producerEpoch: 0 });
    expect(p.producerIdAndEpoch).toEqual({ producerId: 4000n, producerEpoch: 1 });
    p.beginTransaction();
    await p.send('t', recs(1));
    const last = c.sent.filter((s) => s.api === 'Produce').at(-1)!;
    const h = readBatchHeader((last.body.topicData as Array<{ partitionData: Array<{ records: Buffer }> }>)[0]!.partitionData[0]!.records);
    expect([h.producerEpoch, h.baseSequence]).toEqual([1, 0]);
  });

  test('calls in the wrong state name the missing step', async () => {
    const c = new ScriptedCluster();
    const p = txnProducer(c);
    expect(() => p.beginTransaction()).toThrow(/cannot beginTransaction in state UNINITIALIZED \(call initTransactions\(\) first\)/);
    await expect(p.send('t', recs(1))).rejects.toThrow(/cannot send in state UNINITIALIZED/);
    await p.initTransactions();
    await expect(p.send('t', recs(1))).rejects.toThrow(/cannot send in state READY \(call beginTransaction\(\) first\)/);
    await expect(p.commitTransaction()).rejects.toThrow(/cannot commitTransaction in state READY/);
    p.beginTransaction();
    expect(() => p.beginTransaction()).toThrow(/in state IN_TRANSACTION \(commit or abort the open transaction first\)/);
    const plain = new Producer(c.asAdmin(), { acks: -1 });
    await expect(plain.initTransactions()).rejects.toThrow(/needs a transactional producer/);
  });
});
