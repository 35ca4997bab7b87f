// The KafkaZkApi contract against the in-memory double the controller unit tests use (the same cases run against
// KafkaZkClient on a real ZooKeeper in test/integration/zk-contract.test.ts).
import { describeKafkaZkContract } from '../../contract/kafkaZkContract';
import { InMemoryKafkaZk, InMemoryZkServer } from './InMemoryKafkaZk';

describeKafkaZkContract('InMemoryKafkaZk', async () => {
  const server = new InMemoryZkServer();
  const sessions: InMemoryKafkaZk[] = [];
  return {
    session: async () => {
      const s = server.session();
      sessions.push(s);
      return s;
    },
    expireSession: async (zk) => {
      const s = zk as InMemoryKafkaZk;
      s.expire();
      s.reestablish();
    },
    requestPreferredReplicaElection: async (partitions) => server.requestPreferredReplicaElection(partitions),
    requestPartitionReassignment: async (r) => server.requestReassignment(r),
    writeLegacyTopic: async (topic, partitions) => server.putTopic(topic, partitions),
    close: async () => {
      await Promise.all(sessions.splice(0).map((s) => s.close()));
    },
  };
});
