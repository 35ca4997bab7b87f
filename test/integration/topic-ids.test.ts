// Topic ids (KIP-516) on a real 3-broker cluster, as Kafka 2.8+ keeps them in ZooKeeper mode: created with the topic
// and written in /brokers/topics/<t>, carried to every broker (Metadata v12 by id, partition.metadata on every
// replica), given by the next controller to a topic written without one, and usable to delete the topic.
import * as fs from 'fs';
import * as path from 'path';
import { KafkaConnection } from '../../src/client';
import { ErrorCode } from '../../src/protocol/errors';
import { ApiVersions, CreateTopics, DeleteTopics, Metadata } from '../../src/protocol/messages';
import { ZERO_UUID } from '../../src/util/uuid';
import { startCluster, waitFor, type TestCluster } from '../harness';

jest.setTimeout(180_000);

const UNKNOWN = 'Xb9LgSyCQAWcEJRBk2lyDw';

describe('topic ids', () => {
  let cluster: TestCluster;
  const conns: KafkaConnection[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3 });
  });
  afterAll(async () => {
    for (const c of conns) c.close();
    await cluster?.teardown();
  });

  async function connectTo(id: number): Promise<KafkaConnection> {
    const b = cluster.broker(id);
    const c = await KafkaConnection.connect(b.host, b.port, { clientId: 'topic-ids', requestTimeoutMs: 40_000 });
    conns.push(c);
    return c;
  }

  /** Metadata v12 by id from broker `id`, once it knows every partition's leader (or the id is unknown there). */
  async function metadataById(id: number, topicIds: string[]) {
    const c = await connectTo(id);
    return c.request(Metadata, 12, {
      topics: topicIds.map((topicId) => ({ topicId, name: null })),
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
  }

  const metadataFile = (brokerId: number, dir: string): string | null => {
    try {
      return fs.readFileSync(path.join(cluster.broker(brokerId).logDir, dir, 'partition.metadata'), 'utf8');
    } catch {
      return null;
    }
  };

  async function topicJson(topic: string): Promise<Record<string, unknown> | null> {
    const zk = await cluster.zkClient();
    try {
      const { data } = await zk.zk.getData(`/brokers/topics/${topic}`);
      return JSON.parse(data!.toString('utf8')) as Record<string, unknown>;
    } catch {
      return null;
    }
  }

  test('every broker advertises Metadata 12, CreateTopics 7, DeleteTopics 6, LeaderAndIsr 5, UpdateMetadata 7', async () => {
    for (const id of cluster.brokers.keys()) {
      const r = await (await connectTo(id)).request(ApiVersions, 3, { clientSoftwareName: 'brook-test', clientSoftwareVersion: '0' });
      const max = Object.fromEntries(r.apiKeys.map((k) => [k.apiKey, k.maxVersion]));
      expect({ 3: max[3], 4: max[4], 6: max[6], 19: max[19], 20: max[20] }).toEqual({ 3: 12, 4: 5, 6: 7, 19: 7, 20: 6 });
    }
  });

  let topicId = '';

  test('a created topic has one id: in ZooKeeper, in Metadata v12 from every broker, in partition.metadata on every replica', async () => {
    const controller = await connectTo(await cluster.waitForController());
    const created = await controller.request(CreateTopics, 7, {
      topics: [{ name: 'with-id', numPartitions: 3, replicationFactor: 3, assignments: [], configs: [] }],
      timeoutMs: 30_000,
      validateOnly: false,
    });
    expect(created.topics[0]).toMatchObject({ name: 'with-id', errorCode: ErrorCode.NONE });
    topicId = created.topics[0]!.topicId;
    expect(topicId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(topicId).not.toBe(ZERO_UUID);

    const json = await topicJson('with-id');
    expect(json).toMatchObject({ version: 3, topic_id: topicId, adding_replicas: {}, removing_replicas: {} });
    expect(Object.keys(json!.partitions as object).sort()).toEqual(['0', '1', '2']);

    for (const id of cluster.brokers.keys()) {
      const r = await waitFor(async () => {
        const m = await metadataById(id, [topicId, UNKNOWN]);
        const t = m.topics.find((x) => x.topicId === topicId);
        return t && t.partitions.length === 3 && t.partitions.every((p) => p.leaderId >= 0) ? m : null;
      }, { timeoutMs: 30_000, intervalMs: 200, what: `broker ${id} knows the topic by id` });
      expect(r.topics.map((t) => [t.errorCode, t.name, t.topicId])).toEqual([
        [ErrorCode.UNKNOWN_TOPIC_ID, null, UNKNOWN],
        [ErrorCode.NONE, 'with-id', topicId],
      ]);
    }
    const expected = `version: 0\ntopic_id: ${topicId}`;
    await waitFor(() => [...cluster.brokers.keys()].every((id) => [0, 1, 2].every((p) => metadataFile(id, `with-id-${p}`) === expected)),
      { timeoutMs: 30_000, intervalMs: 200, what: 'partition.metadata on every replica' });
  });

  test('a topic written without an id (Kafka before 2.8) gets one from the next controller, on every replica', async () => {
    const first = await cluster.waitForController();
    // While the killed controller's session lingers nobody handles the new znode: the next controller finds it.
    cluster.broker(first).kill('SIGKILL');
    const zk = await cluster.zkClient();
    await zk.zk.create('/brokers/topics/legacy', Buffer.from(JSON.stringify({ version: 1, partitions: { 0: [1, 2, 3], 1: [2, 3, 1] } })));
    const next = await waitFor(async () => {
      const id = await zk.getControllerId();
      return id !== null && id !== first ? id : null;
    }, { timeoutMs: 60_000, intervalMs: 200, what: 'a new controller' });

    const legacyId = await waitFor(async () => {
      const j = await topicJson('legacy');
      return typeof j?.topic_id === 'string' ? j.topic_id : null;
    }, { timeoutMs: 30_000, intervalMs: 200, what: 'an id for the legacy topic' });
    expect(await topicJson('legacy')).toMatchObject({ version: 3, partitions: { 0: [1, 2, 3], 1: [2, 3, 1] } });
    // The earlier topic keeps its id through the failover.
    expect((await topicJson('with-id'))?.topic_id).toBe(topicId);

    const live = [...cluster.brokers.keys()].filter((id) => id !== first);
    for (const id of live) {
      await waitFor(async () => {
        const t = (await metadataById(id, [legacyId])).topics[0];
        return t?.errorCode === ErrorCode.NONE && t.name === 'legacy' && t.partitions.length === 2 ? t : null;
      }, { timeoutMs: 30_000, intervalMs: 200, what: `broker ${id} knows the legacy topic by id` });
    }
    // The killed broker records it when it comes back.
    await cluster.broker(first).restart();
    const expected = `version: 0\ntopic_id: ${legacyId}`;
    await waitFor(() => [...cluster.brokers.keys()].every((id) => [0, 1].every((p) => metadataFile(id, `legacy-${p}`) === expected)),
      { timeoutMs: 60_000, intervalMs: 200, what: 'partition.metadata on every legacy replica' });
    expect(next).not.toBe(first);
  });

  test('DeleteTopics v6 deletes by id: name and id answered, UNKNOWN_TOPIC_ID for an unknown id, the id unknown afterwards', async () => {
    const controller = await connectTo(await cluster.waitForController());
    const r = await controller.request(DeleteTopics, 6, { topics: [{ name: null, topicId }, { name: null, topicId: UNKNOWN }], timeoutMs: 30_000 });
    expect(r.responses).toEqual([
      { name: 'with-id', topicId, errorCode: ErrorCode.NONE, errorMessage: null },
      { name: null, topicId: UNKNOWN, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: null },
    ]);
    expect(await topicJson('with-id')).toBeNull();
    for (const id of cluster.brokers.keys()) {
      await waitFor(async () => ((await metadataById(id, [topicId])).topics[0]?.errorCode === ErrorCode.UNKNOWN_TOPIC_ID ? true : null),
        { timeoutMs: 30_000, intervalMs: 200, what: `broker ${id} forgets the deleted id` });
    }
  });
});
