// AdminClient.listTransactions / describeTransactions (KIP-664): merging ListTransactions from every broker, routing
// DescribeTransactions to the coordinator, and the answers' edge cases, on an AdminClient whose transport is scripted.
import { ErrorCode } from '../../../src/protocol/errors';
import { DescribeTransactions, FindCoordinator, ListTransactions, Metadata } from '../../../src/protocol/messages';
import type { ApiSchema, RequestInput } from '../../../src/protocol/schema';
import { AdminClient, AdminError } from '../../../src/client';

type Handler = (target: unknown, api: ApiSchema, body: Record<string, unknown>) => unknown;

/** A real AdminClient (its retry loop, routing and merging) with send() and metadata answered by `handler`. */
function scripted(handler: Handler, brokers = [1, 2, 3]): { admin: AdminClient; sent: Array<{ target: unknown; api: string; body: Record<string, unknown> }> } {
  const sent: Array<{ target: unknown; api: string; body: Record<string, unknown> }> = [];
  const admin = Object.create(AdminClient.prototype) as AdminClient;
  const meta = { clusterId: 'c', controllerId: 1, brokers: brokers.map((nodeId) => ({ nodeId, host: 'h', port: 9000 + nodeId, rack: null })), topics: [] };
  Object.assign(admin, {
    opts: { clientId: 't', requestTimeoutMs: 1000, connectTimeoutMs: 1000, retryDeadlineMs: 2000 },
    meta,
    closed: false,
    conns: new Map(),
    refreshMetadata: async () => meta,
    send: async <A extends ApiSchema>(target: unknown, api: A, body: (v: number) => RequestInput<A>) => {
      const b = body(api.validVersions[1]) as Record<string, unknown>;
      sent.push({ target, api: api.name, body: b });
      if (api === (Metadata as ApiSchema)) throw new Error('metadata is scripted');
      return { version: api.validVersions[1], response: handler(target, api, b), nodeId: typeof target === 'number' ? target : null };
    },
  });
  return { admin, sent };
}

describe('listTransactions', () => {
  test('asks every broker with the filters and merges the answers, each with the broker that answered as coordinator', async () => {
    const { admin, sent } = scripted((target) => ({
      throttleTimeMs: 0, errorCode: 0, unknownStateFilters: [],
      transactionStates: target === 2 ? [{ transactionalId: 'b', producerId: 20n, transactionState: 'Ongoing' }]
        : target === 3 ? [{ transactionalId: 'a', producerId: 30n, transactionState: 'CompleteCommit' }, { transactionalId: 'c', producerId: 31n, transactionState: 'Empty' }]
          : [],
    }));
    const out = await admin.listTransactions({ states: ['Ongoing', 'CompleteCommit'], producerIds: [20n] });
    expect(out).toEqual([
      { transactionalId: 'a', producerId: 30n, state: 'CompleteCommit', coordinatorId: 3 },
      { transactionalId: 'b', producerId: 20n, state: 'Ongoing', coordinatorId: 2 },
      { transactionalId: 'c', producerId: 31n, state: 'Empty', coordinatorId: 3 },
    ]);
    expect(sent.map((s) => s.target).sort()).toEqual([1, 2, 3]);
    expect(sent[0]!.body).toEqual({ stateFilters: ['Ongoing', 'CompleteCommit'], producerIdFilters: [20n] });
  });

  test('a broker still loading its transaction state is asked again', async () => {
    let loads = 1;
    const { admin, sent } = scripted(() => ({
      throttleTimeMs: 0, errorCode: loads-- > 0 ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : 0, unknownStateFilters: [],
      transactionStates: [{ transactionalId: 'x', producerId: 1n, transactionState: 'Empty' }],
    }), [1]);
    expect(await admin.listTransactions()).toHaveLength(1);
    expect(sent.filter((s) => s.api === ListTransactions.name)).toHaveLength(2);
  });
});

describe('describeTransactions', () => {
  const state = (over: Record<string, unknown> = {}) => ({
    errorCode: 0, transactionalId: 'tx', transactionState: 'Ongoing', transactionTimeoutMs: 60000, transactionStartTimeMs: 1700n,
    producerId: 4000n, producerEpoch: 2, topics: [{ topic: 'b', partitions: [1] }, { topic: 'a', partitions: [2, 0] }], ...over,
  });

  function coordinatorCluster(describe: () => Record<string, unknown>): ReturnType<typeof scripted> {
    return scripted((_t, api, body) => {
      if (api === (FindCoordinator as ApiSchema)) {
        expect(body).toEqual({ key: 'tx', keyType: 1 });
        return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 2, host: 'h', port: 9002 };
      }
      expect(api).toBe(DescribeTransactions);
      return { throttleTimeMs: 0, transactionStates: [describe()] };
    });
  }

  test('FindCoordinator key type 1, then DescribeTransactions to that broker; partitions sorted', async () => {
    const { admin, sent } = coordinatorCluster(() => state());
    const [d] = await admin.describeTransactions(['tx']);
    expect(d).toEqual({
      coordinatorId: 2, transactionalId: 'tx', state: 'Ongoing', producerId: 4000n, producerEpoch: 2, transactionTimeoutMs: 60000,
      transactionStartTimeMs: 1700n, topicPartitions: [{ topic: 'a', partition: 0 }, { topic: 'a', partition: 2 }, { topic: 'b', partition: 1 }],
    });
    expect(sent.find((s) => s.api === DescribeTransactions.name)).toEqual({ target: 2, api: 'DescribeTransactions', body: { transactionalIds: ['tx'] } });
  });

  test('no open transaction: the broker\'s -1 start time becomes null', async () => {
    const { admin } = coordinatorCluster(() => state({ transactionState: 'CompleteCommit', transactionStartTimeMs: -1n, topics: [] }));
    const [d] = await admin.describeTransactions(['tx']);
    expect(d!.transactionStartTimeMs).toBeNull();
    expect(d!.topicPartitions).toEqual([]);
  });

  test('TRANSACTIONAL_ID_NOT_FOUND names the id and its coordinator', async () => {
    const { admin } = coordinatorCluster(() => state({ errorCode: 105 }));
    const e = await admin.describeTransactions(['tx']).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(AdminError);
    expect((e as Error).message).toBe("transactional id 'tx' not found: its coordinator (broker 2) has no state for it");
  });

  test('NOT_COORDINATOR: the coordinator is looked up again and asked again', async () => {
    let first = true;
    const { admin, sent } = coordinatorCluster(() => {
      const s = state({ errorCode: first ? ErrorCode.NOT_COORDINATOR : 0 });
      first = false;
      return s;
    });
    const [d] = await admin.describeTransactions(['tx']);
    expect(d!.state).toBe('Ongoing');
    expect(sent.map((s) => s.api)).toEqual(['FindCoordinator', 'DescribeTransactions', 'FindCoordinator', 'DescribeTransactions']);
  });
});
