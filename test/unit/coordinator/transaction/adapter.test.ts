// The broker side of the coordinator (src/server/TransactionCoordinatorAdapter.ts): where markers go (leaders from
// the metadata cache on the inter-broker listener, 'gone' for deleted topics), and how __transaction_state is created
// (Kafka's forced configs, replication factor reduced to the live brokers).
import { MetadataCache } from '../../../../src/server/MetadataCache';
import type { AutoTopicCreationManager } from '../../../../src/server/AutoTopicCreationManager';
import { createTransactionTopic, metadataLeaderLookup, transactionTopicConfigs } from '../../../../src/server/TransactionCoordinatorAdapter';
import { ErrorCode } from '../../../../src/protocol/errors';
import { moduleLogger } from '../../../../src/util/logger';

function cache(brokers: Array<{ id: number; listeners: string[] }>, partitions: Array<[string, number, number]>): MetadataCache {
  const c = new MetadataCache('c', 1);
  c.applyUpdate(1, 1, brokers.map((b) => ({ id: b.id, rack: null, endpoints: new Map(b.listeners.map((l) => [l, { host: 'h', port: 9000 + b.id }])), epoch: 1n })),
    partitions.map(([topic, partition, leader]) => ({ topic, partition, leader, leaderEpoch: 0, isr: [], replicas: [], offlineReplicas: [], zkVersion: 0, controllerEpoch: 1 })));
  return c;
}

describe('TransactionCoordinatorAdapter', () => {
  test('marker destinations: the leader with an inter-broker endpoint, null without one, gone for a deleted topic or partition', () => {
    const c = cache([{ id: 1, listeners: ['INTERNAL', 'CLIENT'] }, { id: 2, listeners: ['CLIENT'] }], [['t', 0, 1], ['t', 1, 2], ['t', 2, -1]]);
    const lookup = metadataLeaderLookup(c, 'INTERNAL');
    expect(lookup.leaderOf('t', 0)).toBe(1);
    expect(lookup.leaderOf('t', 1)).toBeNull(); // broker 2 has no INTERNAL endpoint
    expect(lookup.leaderOf('t', 2)).toBeNull(); // no leader
    expect(lookup.leaderOf('t', 9)).toBe('gone');
    expect(lookup.leaderOf('deleted', 0)).toBe('gone');
  });

  test('__transaction_state is compacted, uncompressed, without unclean election, min ISR and segment size from the broker', () => {
    expect(transactionTopicConfigs({ numPartitions: 50, replicationFactor: 3, minIsr: 2, segmentBytes: 104857600 })).toEqual({
      'cleanup.policy': 'compact', 'compression.type': 'uncompressed', 'min.insync.replicas': '2', 'segment.bytes': '104857600', 'unclean.leader.election.enable': 'false',
    });
  });

  test('creation asks for the configured partitions and a replication factor of at most the live brokers', async () => {
    const calls: Array<{ names: string[]; o: unknown }> = [];
    const auto = { createTopics: async (names: string[], o: Map<string, unknown>) => {
      calls.push({ names, o: o.get(names[0]!) });
      return new Map([[names[0]!, ErrorCode.LEADER_NOT_AVAILABLE]]);
    } } as unknown as AutoTopicCreationManager;
    const c = cache([{ id: 1, listeners: ['PLAINTEXT'] }, { id: 2, listeners: ['PLAINTEXT'] }], []);
    await createTransactionTopic(auto, c, { numPartitions: 50, replicationFactor: 3, minIsr: 2, segmentBytes: 1000 }, moduleLogger('test', {}));
    expect(calls).toEqual([{ names: ['__transaction_state'], o: { numPartitions: 50, replicationFactor: 2, config: expect.objectContaining({ 'cleanup.policy': 'compact', 'segment.bytes': '1000' }) } }]);
  });
});
