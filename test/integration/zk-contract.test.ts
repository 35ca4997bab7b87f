// The KafkaZkApi contract against KafkaZkClient on a real ZooKeeper (the same cases run against the controller
// tests' in-memory double in test/unit/controller/inmemory-zk-contract.test.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeKafkaZkContract } from '../contract/kafkaZkContract';
import { KafkaZkClient } from '../../src/zk/KafkaZkClient';
import { freePort, startZooKeeper, type ZooKeeperProcess } from '../harness';
import { expireSession } from './util/zkSession';

jest.setTimeout(60_000);

let zkServer: ZooKeeperProcess;
let tmp: string;
let chrootSeq = 0;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-zk-contract-'));
  zkServer = await startZooKeeper({ port: await freePort(), dataDir: path.join(tmp, 'zk'), tickTime: 200, forceSync: false });
});

afterAll(async () => {
  await zkServer?.kill();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describeKafkaZkContract('KafkaZkClient on ZooKeeper', async () => {
  // Each test gets its own chroot, so tests never see each other's znodes.
  const root = `${zkServer.connectString}/contract${++chrootSeq}`;
  const clients: KafkaZkClient[] = [];
  const connect = async (): Promise<KafkaZkClient> => {
    const c = await KafkaZkClient.connect(root, { sessionTimeoutMs: 4000, connectionTimeoutMs: 10_000 });
    clients.push(c);
    return c;
  };
  const tool = await connect();
  /** Creates a znode the way Kafka's --zookeeper admin tools do: Kafka's JSON, written as text. */
  const adminWrite = async (znode: string, json: unknown): Promise<void> => {
    await tool.zk.createRecursive('/admin');
    await tool.zk.create(znode, Buffer.from(JSON.stringify(json)));
  };
  return {
    session: connect,
    expireSession: async (zk) => {
      const c = zk as KafkaZkClient;
      const reestablished = new Promise<void>((resolve) => {
        const off = c.onSessionReestablished(() => {
          off();
          resolve();
        });
      });
      await expireSession(zkServer.connectString, c.zk);
      await reestablished;
    },
    requestPreferredReplicaElection: (partitions) => adminWrite('/admin/preferred_replica_election', { version: 1, partitions }),
    requestPartitionReassignment: (r) =>
      adminWrite('/admin/reassign_partitions', {
        version: 1,
        partitions: [...r].map(([key, replicas]) => {
          const dash = key.lastIndexOf('-');
          return { topic: key.slice(0, dash), partition: Number(key.slice(dash + 1)), replicas };
        }),
      }),
    writeLegacyTopic: async (topic, partitions) => {
      await tool.zk.createRecursive('/brokers/topics');
      const json = { version: 1, partitions: Object.fromEntries([...partitions].map(([p, r]) => [String(p), r])) };
      await tool.zk.create(`/brokers/topics/${topic}`, Buffer.from(JSON.stringify(json)));
    },
    close: async () => {
      await Promise.all(clients.splice(0).map((c) => c.close()));
    },
  };
});
