// Admin API answers that real clients depend on, checked against a 3-broker cluster: CreateTopics v5 configs and
// its wait for leaders, config validation and synonyms as Kafka 2.8 gives them, FindCoordinator for a transactional id.
import { Kafka, logLevel } from 'kafkajs';
import { KafkaConnection } from '../../src/client';
import { topicConfigDefs } from '../../src/config/topicConfigs';
import { ErrorCode } from '../../src/protocol/errors';
import { AlterConfigs, CreateTopics, DescribeConfigs, FindCoordinator, IncrementalAlterConfigs, Metadata } from '../../src/protocol/messages';
import { startCluster, waitFor, type TestCluster } from '../harness';

jest.setTimeout(120_000);

const TOPIC = 2;
const BROKER = 4;

describe('admin compatibility', () => {
  let cluster: TestCluster;
  let controller: KafkaConnection;
  let controllerId: number;
  const conns: KafkaConnection[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3 });
    controllerId = await cluster.waitForController();
    controller = await connectTo(controllerId);
  });
  afterAll(async () => {
    for (const c of conns) c.close();
    await cluster?.teardown();
  });

  async function connectTo(id: number): Promise<KafkaConnection> {
    const b = cluster.broker(id);
    const c = await KafkaConnection.connect(b.host, b.port, { clientId: 'admin-compat', requestTimeoutMs: 40_000 });
    conns.push(c);
    return c;
  }

  const createV5 = (name: string, configs: Record<string, string>, opts: { partitions?: number; rf?: number; validateOnly?: boolean; timeoutMs?: number } = {}) =>
    controller.request(CreateTopics, 5, {
      topics: [{ name, numPartitions: opts.partitions ?? 1, replicationFactor: opts.rf ?? 1, assignments: [], configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }],
      timeoutMs: opts.timeoutMs ?? 30_000,
      validateOnly: opts.validateOnly ?? false,
    });

  const metadataOf = (conn: KafkaConnection, topic: string) =>
    conn.request(Metadata, 5, { topics: [{ name: topic }], allowAutoTopicCreation: false });

  const describeTopic = async (topic: string) => {
    const r = await controller.request(DescribeConfigs, 1, { resources: [{ resourceType: TOPIC, resourceName: topic, configurationKeys: null }], includeSynonyms: false });
    return r.results[0]!;
  };

  test('CreateTopics v5 answers the new topic\'s effective configs, as DescribeConfigs gives them (also validate_only)', async () => {
    const res = await createV5('compat-configs', { 'retention.ms': '3600000', 'cleanup.policy': 'compact' }, { partitions: 2, rf: 2 });
    const t = res.topics[0]!;
    expect(t).toMatchObject({ name: 'compat-configs', errorCode: ErrorCode.NONE, numPartitions: 2, replicationFactor: 2 });
    expect(t.configs).not.toBeNull();
    const configs = [...t.configs!].sort((a, b) => a.name.localeCompare(b.name));
    expect(configs.map((c) => c.name)).toEqual(Object.keys(topicConfigDefs).sort());
    const byName = Object.fromEntries(configs.map((c) => [c.name, c]));
    expect(byName['retention.ms']).toEqual({ name: 'retention.ms', value: '3600000', readOnly: false, configSource: 1, isSensitive: false });
    expect(byName['cleanup.policy']).toMatchObject({ value: 'compact', configSource: 1 });
    expect(byName['segment.bytes']).toMatchObject({ value: '1073741824', configSource: 5 });

    const described = await describeTopic('compat-configs');
    expect(described.errorCode).toBe(ErrorCode.NONE);
    expect(described.configs.map((c) => ({ name: c.name, value: c.value, readOnly: c.readOnly, configSource: c.configSource, isSensitive: c.isSensitive }))
      .sort((a, b) => a.name.localeCompare(b.name))).toEqual(configs);

    const v = await createV5('compat-validate', { 'segment.ms': '60000' }, { partitions: 3, rf: 3, validateOnly: true });
    expect(v.topics[0]).toMatchObject({ errorCode: ErrorCode.NONE, numPartitions: 3, replicationFactor: 3 });
    expect(v.topics[0]!.configs?.find((c) => c.name === 'segment.ms')).toMatchObject({ value: '60000', configSource: 1 });
    expect((await metadataOf(controller, 'compat-validate')).topics[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  test('right after CreateTopics, Metadata from the broker that answered has a leader for every partition', async () => {
    for (const name of ['compat-leaders-a', 'compat-leaders-b', 'compat-leaders-c']) {
      const res = await createV5(name, {}, { partitions: 12, rf: 3 });
      expect(res.topics[0]!.errorCode).toBe(ErrorCode.NONE);
      const md = await metadataOf(controller, name);
      const t = md.topics[0]!;
      expect(t.errorCode).toBe(ErrorCode.NONE);
      expect(t.partitions).toHaveLength(12);
      expect(t.partitions.filter((p) => p.errorCode !== ErrorCode.NONE || p.leaderId < 0)).toEqual([]);
    }
  });

  test('CreateTopics refuses unknown names and bad values with INVALID_CONFIG and creates nothing', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'dummy.doesntexist': '1' }, 'Unknown topic config name: dummy.doesntexist'],
      [{ 'retention.ms': 'abc' }, 'Invalid value abc for configuration retention.ms: Not a number of type LONG'],
      [{ 'cleanup.policy': 'delete,shred' }, 'Invalid value shred for configuration cleanup.policy: String must be one of: compact, delete'],
      [{ 'min.insync.replicas': '0' }, 'Invalid value 0 for configuration min.insync.replicas: Value must be at least 1'],
    ];
    for (const [configs, message] of cases) {
      for (const validateOnly of [false, true]) {
        const res = await createV5('compat-refused', configs, { validateOnly });
        expect(res.topics[0]).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: message, numPartitions: -1, replicationFactor: -1, configs: [] });
      }
    }
    expect((await metadataOf(controller, 'compat-refused')).topics[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  test('message.format.version before 0.11 is refused (Brook stores record batch v2 only); 0.11 and later are accepted', async () => {
    let res = await createV5('compat-old-format', { 'message.format.version': '0.10.2' });
    expect(res.topics[0]!.errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect(res.topics[0]!.errorMessage).toMatch(/message\.format\.version.*record batch v2/);
    res = await createV5('compat-new-format', { 'message.format.version': '2.3' });
    expect(res.topics[0]!.errorCode).toBe(ErrorCode.NONE);
    const alter = await controller.request(AlterConfigs, 1, { resources: [{ resourceType: TOPIC, resourceName: 'compat-new-format', configs: [{ name: 'message.format.version', value: '0.9.0' }] }], validateOnly: false });
    expect(alter.responses[0]!.errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect(alter.responses[0]!.errorMessage).toMatch(/record batch v2/);
    expect((await describeTopic('compat-new-format')).configs.find((c) => c.name === 'message.format.version')).toMatchObject({ value: '2.3', configSource: 1 });
  });

  test('AlterConfigs v0 naming a key twice takes the last value', async () => {
    await createV5('compat-twice', {});
    const res = await controller.request(AlterConfigs, 0, { resources: [{ resourceType: TOPIC, resourceName: 'compat-twice', configs: [{ name: 'retention.ms', value: '1000' }, { name: 'retention.ms', value: '2000' }] }], validateOnly: false });
    expect(res.responses[0]).toMatchObject({ errorCode: ErrorCode.NONE });
    expect((await describeTopic('compat-twice')).configs.find((c) => c.name === 'retention.ms')).toMatchObject({ value: '2000', configSource: 1 });
  });

  test('broker AlterConfigs stores names it does not know and refuses static broker configs with INVALID_REQUEST', async () => {
    const id = controllerId;
    const name = String(id);
    const zk = await cluster.zkClient();
    let res = await controller.request(AlterConfigs, 1, { resources: [{ resourceType: BROKER, resourceName: name, configs: [{ name: 'cleanup.policy', value: 'compact' }] }], validateOnly: false });
    expect(res.responses[0]).toMatchObject({ errorCode: ErrorCode.NONE, errorMessage: null });
    expect(await zk.getBrokerConfig(id)).toEqual({ 'cleanup.policy': 'compact' });

    const inc = await controller.request(IncrementalAlterConfigs, 0, { resources: [{ resourceType: BROKER, resourceName: name, configs: [{ name: 'my.custom.setting', configOperation: 0, value: 'x' }] }], validateOnly: false });
    expect(inc.responses[0]).toMatchObject({ errorCode: ErrorCode.NONE });
    expect(await zk.getBrokerConfig(id)).toEqual({ 'cleanup.policy': 'compact', 'my.custom.setting': 'x' });

    res = await controller.request(AlterConfigs, 1, { resources: [{ resourceType: BROKER, resourceName: name, configs: [{ name: 'broker.id', value: '7' }] }], validateOnly: false });
    expect(res.responses[0]).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `Invalid config value for resource ConfigResource(type=BROKER, name='${name}'): Cannot update these configs dynamically: Set(broker.id)`,
    });
    res = await controller.request(AlterConfigs, 1, { resources: [{ resourceType: BROKER, resourceName: name, configs: [] }], validateOnly: false });
    expect(res.responses[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(await zk.getBrokerConfig(id)).toEqual({});
  });

  test('DescribeConfigs synonyms of topic configs are those kafkajs\'s own integration test expects', async () => {
    await createV5('compat-synonyms', {});
    const kafka = new Kafka({ clientId: 'compat', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const r = await admin.describeConfigs({ includeSynonyms: true, resources: [{ type: TOPIC, name: 'compat-synonyms', configNames: ['compression.type', 'retention.ms'] }] });
      const entries = [...r.resources[0]!.configEntries].sort((a, b) => a.configName.localeCompare(b.configName));
      expect(entries).toEqual([
        { configName: 'compression.type', configValue: 'producer', isDefault: true, configSource: 5, isSensitive: false, readOnly: false,
          configSynonyms: [{ configName: 'compression.type', configValue: 'producer', configSource: 5 }] },
        { configName: 'retention.ms', configValue: '604800000', isDefault: true, configSource: 5, isSensitive: false, readOnly: false, configSynonyms: [] },
      ]);
    } finally {
      await admin.disconnect();
    }
  });

  test('FindCoordinator for a transactional id: COORDINATOR_NOT_AVAILABLE while __transaction_state is created, then its leader', async () => {
    const first = await controller.request(FindCoordinator, 1, { key: 'compat-txn', keyType: 1 });
    expect([ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NONE]).toContain(first.errorCode);
    const found = await waitFor(async () => {
      const r = await controller.request(FindCoordinator, 1, { key: 'compat-txn', keyType: 1 });
      return r.errorCode === ErrorCode.NONE ? r : undefined;
    }, { timeoutMs: 60_000, what: 'the coordinator of compat-txn' });
    expect([...cluster.brokers.keys()]).toContain(found.nodeId);
    expect(found.port).toBe(cluster.broker(found.nodeId).port);
  });
});
