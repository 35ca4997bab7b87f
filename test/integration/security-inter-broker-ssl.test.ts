// Brokers talking to each other over mutual TLS: the INTERNAL listener is SSL with ssl.client.auth=required, so each
// broker presents its own keystore as a client certificate to the others (controller channel, fetchers, AlterIsr).
import { ErrorCode } from '../../src/protocol/errors';
import { CreateTopics, Metadata, Produce } from '../../src/protocol/messages';
import { buildRecordBatchSync } from '../../src/protocol/record/records';
import { BrokerConnections, startCluster, waitFor, type TestCluster } from '../harness';

jest.setTimeout(120_000);

describe('inter-broker mutual TLS', () => {
  let cluster: TestCluster;
  const brokers = new BrokerConnections(() => cluster, 'ib-ssl');

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 2, security: { interBrokerProtocol: 'SSL', clientListeners: [] }, overrides: { 'listener.name.internal.ssl.client.auth': 'required' } });
  });
  afterAll(async () => {
    brokers.closeAll();
    await cluster?.teardown();
  });

  it('replicates a topic with RF 2 and keeps both replicas in sync; no TLS failure between brokers', async () => {
    const controller = await brokers.to(await cluster.waitForController());
    const created = await controller.request(CreateTopics, 5, { topics: [{ name: 'ib', numPartitions: 2, replicationFactor: 2, assignments: [], configs: [] }], timeoutMs: 30_000, validateOnly: false });
    expect(created.topics[0]!.errorCode).toBe(ErrorCode.NONE);
    const meta = await waitFor(async () => {
      const m = await (await brokers.to(1)).request(Metadata, 4, { topics: [{ name: 'ib' }], allowAutoTopicCreation: false });
      const ps = m.topics[0]?.partitions ?? [];
      return ps.length === 2 && ps.every((p) => p.leaderId >= 0 && p.isrNodes.length === 2) ? ps : undefined;
    }, { timeoutMs: 30_000, what: 'both partitions led with 2 in-sync replicas' });
    // acks=-1 completes only once the follower fetched over the TLS link.
    const p0 = meta.find((p) => p.partitionIndex === 0)!;
    const records = buildRecordBatchSync({ records: [{ key: null, value: Buffer.from('over mutual TLS') }] });
    // Retried while the leader is still settling (a loaded machine); any answer but NONE is kept for the message.
    let last = -1;
    await waitFor(async () => {
      const res = await (await brokers.to(p0.leaderId)).request(Produce, 7, { acks: -1, timeoutMs: 10_000, transactionalId: null, topicData: [{ name: 'ib', partitionData: [{ index: 0, records }] }] });
      last = res.responses[0]!.partitionResponses[0]!.errorCode;
      return last === ErrorCode.NONE;
    }, { timeoutMs: 45_000, what: 'an acks=all write to be acknowledged' }).catch((e: Error) => { throw new Error(`${e.message} (last error code ${last})`); });
    expect(last).toBe(ErrorCode.NONE);
    const lines = [...cluster.brokers.values()].flatMap((b) => b.output(100000).split('\n').filter((l) => /Failed authentication/.test(l)));
    expect(lines).toEqual([]); // every TLS link between the brokers was accepted
  });
});
