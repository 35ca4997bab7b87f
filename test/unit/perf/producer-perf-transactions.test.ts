// producer-perf-test with transactions: Kafka's flag rules, the transactional producer properties, transactional
// batches from the fast encoder, and the partition adds and commits of PerfTransactions (scripted coordinator).
import { ErrorCode } from '../../../src/protocol/errors';
import { AddPartitionsToTxn, EndTxn, InitProducerId } from '../../../src/protocol/messages';
import type { ApiSchema, RequestInput } from '../../../src/protocol/schema';
import { checkBatch, isTransactional, readBatchHeader } from '../../../src/protocol/record/batch-header';
import { CompressionType } from '../../../src/protocol/record/compression';
import { AdminClient, UsageError } from '../../../src/client';
import { finishBatch, parseProducerProps, writeRecord } from '../../../src/perf/producerPerf';
import { PerfTransactions } from '../../../src/perf/perfTransactions';
import { DEFAULT_PERF_TRANSACTIONAL_ID, transactionSettings } from '../../../src/cli/commands/producer-perf-test';

describe('--transactional-id / --transaction-duration-ms (Kafka ProducerPerformance 2.8)', () => {
  test('transactions are on only with a positive duration, under the given id or Kafka\'s default id', () => {
    expect(transactionSettings({ transactionalId: 'tx', transactionDurationMs: 3000 }, undefined)).toEqual({ transactionalId: 'tx', warnings: [] });
    expect(transactionSettings({ transactionDurationMs: 100 }, undefined)).toEqual({ transactionalId: DEFAULT_PERF_TRANSACTIONAL_ID, warnings: [] });
    expect(DEFAULT_PERF_TRANSACTIONAL_ID).toBe('performance-producer-default-transactional-id');
    expect(transactionSettings({ transactionDurationMs: 0 }, undefined)).toEqual({ transactionalId: null, warnings: [] });
  });

  test('--transactional-id without a duration warns that transactions stay off', () => {
    const s = transactionSettings({ transactionalId: 'tx', transactionDurationMs: 0 }, undefined);
    expect(s.transactionalId).toBeNull();
    expect(s.warnings).toEqual([expect.stringMatching(/--transactional-id has no effect without --transaction-duration-ms > 0/)]);
  });

  test('the flag wins over transactional.id in the properties; that property alone is a usage error', () => {
    expect(transactionSettings({ transactionalId: 'flag', transactionDurationMs: 10 }, 'prop').transactionalId).toBe('flag');
    expect(() => transactionSettings({ transactionDurationMs: 0 }, 'prop')).toThrow(UsageError);
    expect(() => transactionSettings({ transactionDurationMs: 0 }, 'prop')).toThrow(/needs --transaction-duration-ms/);
  });
});

describe('transactional producer properties (Kafka ProducerConfig)', () => {
  test('transactional.id turns idempotence on and acks to all; transaction.timeout.ms is read', () => {
    const { config, warnings } = parseProducerProps(new Map([['transactional.id', 'tx'], ['transaction.timeout.ms', '5000']]));
    expect(config).toMatchObject({ transactionalId: 'tx', transactionTimeoutMs: 5000, enableIdempotence: true, acks: -1 });
    expect(warnings).toEqual([]);
  });

  test('acks other than all or enable.idempotence=false with a transactional id are refused', () => {
    expect(() => parseProducerProps(new Map([['transactional.id', 'tx'], ['acks', '1']]))).toThrow(/Must set acks to all/);
    expect(() => parseProducerProps(new Map([['transactional.id', 'tx'], ['enable.idempotence', 'false']]))).toThrow('Cannot set a transactional.id without also enabling idempotence.');
  });
});

test('finishBatch sets the transactional bit (0x10) of a transactional batch and keeps the CRC valid', () => {
  const buf = Buffer.alloc(256);
  const pos = writeRecord(buf, 61, 0, 0, Buffer.from('v'));
  finishBatch(buf, pos, { compression: CompressionType.None, count: 1, baseTs: 1, maxTs: 1, stamp: { producerId: 9n, producerEpoch: 1, baseSequence: 0 }, transactional: true });
  const h = readBatchHeader(buf);
  expect(h.attributes & 0x10).toBe(0x10);
  expect(isTransactional(h.attributes)).toBe(true);
  expect(checkBatch(buf, 0, pos)).toBe(pos);
});

describe('PerfTransactions', () => {
  function cluster(sent: Array<{ api: string; body: Record<string, unknown> }>): AdminClient {
    return {
      retryDeadlineMs: 5000,
      coordinator: async () => 3,
      send: async <A extends ApiSchema>(_t: unknown, api: A, body: (v: number) => RequestInput<A>) => {
        const b = body(api.validVersions[1]) as Record<string, unknown>;
        sent.push({ api: api.name, body: b });
        const a = api as ApiSchema;
        if (a === InitProducerId) return { version: 4, nodeId: 3, response: { throttleTimeMs: 0, errorCode: 0, producerId: 77n, producerEpoch: 0 } };
        if (a === EndTxn) return { version: 3, nodeId: 3, response: { throttleTimeMs: 0, errorCode: 0 } };
        if (a === AddPartitionsToTxn) {
          const topics = b.topics as Array<{ name: string; partitions: number[] }>;
          return { version: 3, nodeId: 3, response: { throttleTimeMs: 0, results: topics.map((t) => ({ name: t.name, results: t.partitions.map((p) => ({ partitionIndex: p, errorCode: ErrorCode.NONE })) })) } };
        }
        throw new Error(`unexpected ${api.name}`);
      },
    } as unknown as AdminClient;
  }

  test('a partition is held back until AddPartitionsToTxn answers; partitions asked for meanwhile go in the next add', async () => {
    const sent: Array<{ api: string; body: Record<string, unknown> }> = [];
    const t = new PerfTransactions(cluster(sent), { transactionalId: 'tx', transactionTimeoutMs: 60_000, retryBackoffMs: 10 }, 1000, 'topic');
    const seq = await t.init();
    expect(seq.producerIdAndEpoch).toEqual({ producerId: 77n, producerEpoch: 0 });
    t.begin(0);
    let resumed = 0;
    const added = new Promise<void>((resolve) => {
      const then = (): void => { resumed++; resolve(); };
      expect(t.ready(0, then, (e) => { throw e; })).toBe(false);
      expect(t.ready(1, then, (e) => { throw e; })).toBe(false);
    });
    await added;
    expect(t.ready(0, () => undefined, () => undefined)).toBe(true);
    const second = new Promise<void>((resolve) => { expect(t.ready(1, resolve, (e) => { throw e; })).toBe(false); });
    await second;
    expect(t.ready(1, () => undefined, () => undefined)).toBe(true);
    expect(resumed).toBe(1);
    expect(sent.filter((s) => s.api === 'AddPartitionsToTxn').map((s) => s.body.topics)).toEqual([
      [{ name: 'topic', partitions: [0] }],
      [{ name: 'topic', partitions: [1] }],
    ]);
  });

  test('due() once the transaction is as old as the duration; commit() sends EndTxn and counts it', async () => {
    const sent: Array<{ api: string; body: Record<string, unknown> }> = [];
    const t = new PerfTransactions(cluster(sent), { transactionalId: 'tx', transactionTimeoutMs: 60_000, retryBackoffMs: 10 }, 1000, 'topic');
    await t.init();
    t.begin(5000);
    expect(t.due(5999)).toBe(false);
    expect(t.due(6000)).toBe(true);
    await new Promise<void>((resolve) => t.ready(0, resolve, (e) => { throw e; }));
    await t.commit();
    expect(t.committed).toBe(1);
    expect(t.open).toBe(false);
    expect(t.due(99_999)).toBe(false);
    expect(sent.at(-1)).toEqual({ api: 'EndTxn', body: { transactionalId: 'tx', producerId: 77n, producerEpoch: 0, committed: true } });
  });
});
