// The admin APIs at the versions Kafka 3.x serves in ZooKeeper mode, spoken on the wire by Brook's own client
// connection to a real 3-broker cluster: ApiVersions v3, DescribeCluster v0, CreatePartitions v3, DescribeConfigs v4
// with documentation, IncrementalAlterConfigs v1, AlterConfigs v2, DescribeProducers v0 after an idempotent produce,
// DeleteRecords v2, ElectLeaders v2, DescribeLogDirs v4 with the volume sizes; then `brook api-versions`.
import { statfsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ErrorCode } from '../../src/protocol/errors';
import { buildRecordBatchSync } from '../../src/protocol/record/records';
import {
  AlterConfigs, ApiVersions, CreatePartitions, CreateTopics, DeleteRecords, DescribeCluster, DescribeConfigs, DescribeLogDirs, DescribeProducers,
  ElectLeaders, IncrementalAlterConfigs, InitProducerId, Metadata, Produce,
} from '../../src/protocol/messages';
import { BrokerConnections, runBrook, startCluster, waitFor, type TestCluster } from '../harness';

jest.setTimeout(150_000);

const TOPIC = 'modern-admin';

describe('admin APIs at their Kafka 3.x versions', () => {
  let cluster: TestCluster;
  const brokers = new BrokerConnections(() => cluster, 'modern-admin');

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3 });
  });
  afterAll(async () => {
    brokers.closeAll();
    await cluster?.teardown();
  });

  const connectTo = (id: number) => brokers.to(id);

  /** Leaders of the topic's partitions once every one has a leader, from a broker's Metadata. */
  const leadersOf = (partitions: number) => waitFor(async () => {
    const m = await (await connectTo(1)).request(Metadata, 9, { topics: [{ name: TOPIC }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    const ps = m.topics[0]?.partitions ?? [];
    return ps.length === partitions && ps.every((p) => p.leaderId >= 0 && p.isrNodes.length === 3) ? new Map(ps.map((p) => [p.partitionIndex, p.leaderId])) : null;
  }, { timeoutMs: 30_000, intervalMs: 200, what: `leaders of every partition of ${TOPIC}` });

  test('every broker advertises the 3.x admin versions in ApiVersions v3, with no features, as a ZooKeeper-mode Kafka', async () => {
    for (const id of cluster.brokers.keys()) {
      const r = await (await connectTo(id)).request(ApiVersions, 3, { clientSoftwareName: 'brook-test', clientSoftwareVersion: '0' });
      expect(r.errorCode).toBe(ErrorCode.NONE);
      const range = Object.fromEntries(r.apiKeys.map((k) => [k.apiKey, `${k.minVersion}-${k.maxVersion}`]));
      expect({ 18: range[18], 21: range[21], 32: range[32], 33: range[33], 35: range[35], 37: range[37], 43: range[43], 44: range[44], 60: range[60], 61: range[61] })
        .toEqual({ 18: '0-3', 21: '0-2', 32: '0-4', 33: '0-2', 35: '0-4', 37: '0-3', 43: '0-2', 44: '0-1', 60: '0-0', 61: '0-0' });
      expect(r).toMatchObject({ throttleTimeMs: 0, supportedFeatures: [], finalizedFeatures: [], finalizedFeaturesEpoch: -1n, zkMigrationReady: false });
    }
  });

  test('DescribeCluster v0: every broker names the same cluster, controller and brokers', async () => {
    const controller = await cluster.waitForController();
    const expected = [...cluster.brokers.keys()].sort((a, b) => a - b).map((id) => ({ brokerId: id, host: cluster.broker(id).host, port: cluster.broker(id).port, rack: null }));
    const clusterIds = new Set<string>();
    for (const id of cluster.brokers.keys()) {
      const r = await waitFor(async () => {
        const d = await (await connectTo(id)).request(DescribeCluster, 0, { includeClusterAuthorizedOperations: id === 1 });
        return d.brokers.length === 3 && d.controllerId === controller ? d : null;
      }, { timeoutMs: 20_000, what: `broker ${id} to know every broker and the controller` });
      expect(r).toMatchObject({ throttleTimeMs: 0, errorCode: 0, errorMessage: null, controllerId: controller, brokers: expected });
      expect(r.clusterAuthorizedOperations).toBe(id === 1 ? 8096 : -2147483648);
      clusterIds.add(r.clusterId);
    }
    expect(clusterIds.size).toBe(1);
    expect([...clusterIds][0]).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  test('topic admin on the wire: CreatePartitions v3, DescribeConfigs v4, IncrementalAlterConfigs v1, AlterConfigs v2, ElectLeaders v2', async () => {
    const controllerId = await cluster.waitForController();
    const controller = await connectTo(controllerId);
    const created = await controller.request(CreateTopics, 5, { topics: [{ name: TOPIC, numPartitions: 2, replicationFactor: 3, assignments: [], configs: [] }], timeoutMs: 30_000, validateOnly: false });
    expect(created.topics[0]!.errorCode).toBe(ErrorCode.NONE);
    await leadersOf(2);

    // CreatePartitions v3: a duplicate is refused alone; elsewhere than the controller, NOT_CONTROLLER without a message.
    const grown = await controller.request(CreatePartitions, 3, { topics: [{ name: TOPIC, count: 3, assignments: null }], timeoutMs: 30_000, validateOnly: false });
    expect(grown).toEqual({ throttleTimeMs: 0, results: [{ name: TOPIC, errorCode: ErrorCode.NONE, errorMessage: null }] });
    const dup = await controller.request(CreatePartitions, 3, { topics: [{ name: TOPIC, count: 4, assignments: null }, { name: TOPIC, count: 5, assignments: null }], timeoutMs: 1000, validateOnly: true });
    expect(dup.results).toEqual([{ name: TOPIC, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic in request.' }]);
    const other = [...cluster.brokers.keys()].find((id) => id !== controllerId)!;
    const refused = await (await connectTo(other)).request(CreatePartitions, 3, { topics: [{ name: TOPIC, count: 4, assignments: null }], timeoutMs: 1000, validateOnly: true });
    expect(refused.results).toEqual([{ name: TOPIC, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null }]);
    await leadersOf(3);

    // IncrementalAlterConfigs v1 sets an override; AlterConfigs v2 validates a whole set without writing it.
    const inc = await controller.request(IncrementalAlterConfigs, 1, { resources: [{ resourceType: 2, resourceName: TOPIC, configs: [{ name: 'retention.ms', configOperation: 0, value: '3600000' }] }], validateOnly: false });
    expect(inc.responses).toEqual([{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: TOPIC }]);
    const alt = await controller.request(AlterConfigs, 2, { resources: [{ resourceType: 2, resourceName: TOPIC, configs: [{ name: 'retention.ms', value: 'soon' }] }], validateOnly: true });
    expect(alt.responses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: expect.stringContaining('retention.ms') });

    // DescribeConfigs v4 from any broker: the override with its type (LONG = 5) and, asked for, its documentation.
    const described = await waitFor(async () => {
      const d = await (await connectTo(other)).request(DescribeConfigs, 4, { resources: [{ resourceType: 2, resourceName: TOPIC, configurationKeys: ['retention.ms', 'cleanup.policy'] }], includeSynonyms: true, includeDocumentation: true });
      return d.results[0]!.configs.find((c) => c.name === 'retention.ms')?.value === '3600000' ? d : null;
    }, { timeoutMs: 10_000, what: 'the retention.ms override' });
    const byName = Object.fromEntries(described.results[0]!.configs.map((c) => [c.name, c]));
    expect(byName['retention.ms']).toMatchObject({ configSource: 1, configType: 5, documentation: expect.stringMatching(/\w/), synonyms: [{ name: 'retention.ms', value: '3600000', source: 1 }] });
    expect(byName['cleanup.policy']).toMatchObject({ value: 'delete', configSource: 5, configType: 7 });
    const broker = await controller.request(DescribeConfigs, 4, { resources: [{ resourceType: 4, resourceName: String(controllerId), configurationKeys: ['log.retention.hours'] }], includeSynonyms: false, includeDocumentation: false });
    expect(broker.results[0]!.configs).toMatchObject([{ name: 'log.retention.hours', configType: 3, documentation: null }]);

    // ElectLeaders v2 (preferred, all partitions): answered by the controller with a top-level error code.
    const elected = await controller.request(ElectLeaders, 2, { electionType: 0, topicPartitions: [{ topic: TOPIC, partitionId: [0, 1, 2] }], timeoutMs: 30_000 });
    expect(elected.errorCode).toBe(ErrorCode.NONE);
    expect(elected.replicaElectionResults.flatMap((r) => r.partitionResult.map((p) => p.partitionId)).sort()).toEqual([0, 1, 2]);
    // Already on their preferred leaders: ELECTION_NOT_NEEDED (84), each with its message.
    for (const r of elected.replicaElectionResults.flatMap((t) => t.partitionResult)) expect([ErrorCode.NONE, 84]).toContain(r.errorCode);
  });

  test('DescribeProducers v0 after an idempotent produce: the leader and the followers report the producer; DeleteRecords v2', async () => {
    const leaders = await leadersOf(3);
    const leaderId = leaders.get(0)!;
    const leader = await connectTo(leaderId);
    const pid = await leader.request(InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });
    expect(pid.errorCode).toBe(ErrorCode.NONE);
    const records = buildRecordBatchSync({ producerId: pid.producerId, producerEpoch: pid.producerEpoch, baseSequence: 0, records: [0, 1, 2].map((i) => ({ key: null, value: Buffer.from(`v${i}`), timestamp: 1_700_000_000_000n + BigInt(i) })) });
    const produced = await leader.request(Produce, 7, { transactionalId: null, acks: -1, timeoutMs: 30_000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }] });
    expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);

    const expected = { producerId: pid.producerId, producerEpoch: pid.producerEpoch, lastSequence: 2, lastTimestamp: 1_700_000_000_002n, coordinatorEpoch: -1, currentTxnStartOffset: -1n };
    // acks=-1 returned once the ISR had the batch, so every replica has replayed the producer state.
    for (const id of cluster.brokers.keys()) {
      const r = await (await connectTo(id)).request(DescribeProducers, 0, { topics: [{ name: TOPIC, partitionIndexes: [0, 1, 7] }, { name: 'no-such-topic', partitionIndexes: [0] }] });
      expect(r.throttleTimeMs).toBe(0);
      expect(r.topics[0]!.partitions).toEqual([
        { partitionIndex: 0, errorCode: 0, errorMessage: null, activeProducers: [expected] },
        { partitionIndex: 1, errorCode: 0, errorMessage: null, activeProducers: [] },
        { partitionIndex: 7, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, activeProducers: [] },
      ]);
      expect(r.topics[1]!.partitions[0]).toMatchObject({ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: expect.any(String) });
    }

    const deleted = await leader.request(DeleteRecords, 2, { topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, offset: 2n }] }], timeoutMs: 30_000 });
    expect(deleted).toEqual({ throttleTimeMs: 0, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, lowWatermark: 2n, errorCode: 0 }] }] });
  });

  test('DescribeLogDirs v4: each broker\'s directory, absolute, with its replicas and the volume\'s real total and usable bytes', async () => {
    await leadersOf(3);
    for (const id of cluster.brokers.keys()) {
      const r = await (await connectTo(id)).request(DescribeLogDirs, 4, { topics: [{ topic: TOPIC, partitionIndex: [0, 1, 2] }] });
      expect(r.errorCode).toBe(ErrorCode.NONE);
      expect(r.results).toHaveLength(1);
      const dir = r.results[0]!;
      expect(isAbsolute(dir.logDir)).toBe(true);
      expect(dir.logDir).toBe(resolve(cluster.broker(id).logDir));
      expect(dir.errorCode).toBe(ErrorCode.NONE);
      expect(dir.topics).toEqual([{ name: TOPIC, partitions: expect.arrayContaining([0, 1, 2].map((p) => expect.objectContaining({ partitionIndex: p, offsetLag: 0n, isFutureKey: false }))) }]);
      const s = statfsSync(dir.logDir, { bigint: true });
      expect(dir.totalBytes).toBe(s.blocks * s.bsize);
      expect(dir.usableBytes).toBeGreaterThan(0n);
      expect(dir.usableBytes).toBeLessThanOrEqual(dir.totalBytes);
      // v2 has neither field, v3 the top-level error but no sizes.
      const v3 = await (await connectTo(id)).request(DescribeLogDirs, 3, { topics: null });
      expect(v3.errorCode).toBe(ErrorCode.NONE);
      expect(v3.results[0]).toMatchObject({ totalBytes: -1n, usableBytes: -1n });
    }
  });

  test('brook api-versions prints each broker\'s versions as kafka-broker-api-versions.sh does', async () => {
    const r = await runBrook(['api-versions', '--bootstrap-server', cluster.bootstrap]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const blocks = r.stdout.trim().split(/(?<=\n\))\n/);
    expect(blocks).toHaveLength(3);
    for (const [i, id] of [...cluster.brokers.keys()].sort((a, b) => a - b).entries()) {
      const b = cluster.broker(id);
      const lines = blocks[i]!.split('\n');
      expect(lines[0]).toBe(`${b.host}:${b.port} (id: ${id} rack: null) -> (`);
      expect(lines).toContain('\tDescribeLogDirs(35): 0 to 4 [usable: 4],');
      expect(lines).toContain('\tDescribeCluster(60): 0 [usable: 0],');
      expect(lines).toContain('\tSaslHandshake(17): 0 to 1 [usable: 1],');
      expect(lines.at(-2)).toBe('\tListTransactions(66): 0 [usable: 0]');
      expect(lines.at(-1)).toBe(')');
    }
    const json = await runBrook(['api-versions', '--bootstrap-server', cluster.bootstrap, '--output', 'json']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as Array<{ id: number; error: string | null; apis: Array<{ apiKey: number; usable: number | null }> }>;
    expect(parsed.map((p) => p.id)).toEqual([1, 2, 3]);
    for (const p of parsed) {
      expect(p.error).toBeNull();
      expect(p.apis.find((a) => a.apiKey === 32)?.usable).toBe(4);
    }
  });
});
