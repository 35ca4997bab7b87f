// SCRAM end to end on real brokers: credentials written to ZooKeeper in Kafka's format by `brook configs --zookeeper`
// before the brokers start (as kafka-configs.sh --zookeeper does), brokers that authenticate to each other with
// SCRAM-SHA-512 and replicate an RF3 topic, and clients logging in with SCRAM-SHA-256 and SCRAM-SHA-512: kcat
// (librdkafka) on SASL_PLAINTEXT and kafkajs on SASL_SSL. A wrong password gets SASL_AUTHENTICATION_FAILED.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { runBrook, startCluster, waitFor, type TestCluster } from '../harness';
import { BROKER_PASSWORD, BROKER_USER } from '../../src/chaos/security';

jest.setTimeout(180_000);
const exec = promisify(execFile);
const TOPIC = 'scram-topic';

describe('SCRAM logins against credentials in ZooKeeper', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster({
      brokers: 3,
      startBrokers: false,
      security: {
        interBrokerProtocol: 'SASL_PLAINTEXT',
        interBrokerMechanism: 'SCRAM-SHA-512',
        clientListeners: ['SASL_PLAINTEXT', 'SASL_SSL'],
        mechanisms: ['SCRAM-SHA-256', 'SCRAM-SHA-512'],
      },
    });
    // The brokers' own user must exist before they start: they log in to each other with it.
    for (const [user, config] of [
      [BROKER_USER, `SCRAM-SHA-512=[password=${BROKER_PASSWORD}]`],
      ['alice', 'SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=alice-secret]'],
    ] as const) {
      const r = await runBrook(['configs', '--zookeeper', cluster.zkConnect, '--entity-type', 'users', '--entity-name', user, '--alter', '--add-config', config]);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    }
    await Promise.all([1, 2, 3].map((id) => cluster.startBroker(id)));
    await cluster.waitForController();
  });

  afterAll(async () => {
    await cluster?.teardown();
  });

  test('Kafka\'s credential format in /config/users', async () => {
    const zk = await cluster.zkClient();
    const raw = await zk.zk.getData('/config/users/alice');
    const json = JSON.parse(raw.data!.toString()) as { version: number; config: Record<string, string> };
    expect(json.version).toBe(1);
    expect(json.config['SCRAM-SHA-256']).toMatch(/^salt=[A-Za-z0-9+/=]+,stored_key=[A-Za-z0-9+/=]+,server_key=[A-Za-z0-9+/=]+,iterations=8192$/);
    expect(json.config['SCRAM-SHA-512']).toMatch(/,iterations=4096$/);
  });

  test('brokers replicate over SCRAM-SHA-512; kcat (SCRAM-SHA-512) and kafkajs (SCRAM-SHA-256 over TLS) write and read', async () => {
    const admin = new Kafka({ clientId: 'scram-admin', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '3' }] }] });
    // Every follower fetches over the SCRAM inter-broker listener: the ISR can only be 3 if they all logged in.
    await waitFor(async () => {
      const md = await admin.fetchTopicMetadata({ topics: [TOPIC] });
      return md.topics[0]!.partitions[0]!.isr.length === 3;
    }, { timeoutMs: 30_000, what: 'an ISR of 3 for the SCRAM-replicated topic' });
    await admin.disconnect();

    const sasl = cluster.bootstrapOf('SASL_PLAINTEXT');
    const lines = Array.from({ length: 50 }, (_, i) => `kcat-${i}`);
    const kcat = ['-b', sasl, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=SCRAM-SHA-512', '-X', 'sasl.username=alice', '-X', 'sasl.password=alice-secret'];
    // min.insync.replicas=3 with acks=all: the write is acknowledged only once both followers have it.
    await new Promise<void>((resolve, reject) => {
      const child = execFile('kcat', ['-P', ...kcat, '-t', TOPIC, '-p', '0', '-X', 'acks=all'], { timeout: 60_000 }, (err) => (err ? reject(err) : resolve()));
      child.stdin!.end(lines.join('\n') + '\n');
    });

    const kafka = new Kafka({
      clientId: 'scram-kafkajs',
      brokers: cluster.bootstrapOf('SASL_SSL').split(','),
      ssl: { ca: [readFileSync(cluster.certs!.caPem)] },
      sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'alice-secret' },
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: TOPIC, acks: -1, messages: [{ partition: 0, value: 'kafkajs-0' }] });
    await producer.disconnect();

    const { stdout } = await exec('kcat', ['-C', ...kcat, '-t', TOPIC, '-o', 'beginning', '-e', '-q', '-f', '%s\n'], { timeout: 60_000 });
    expect(stdout.split('\n').filter(Boolean)).toEqual([...lines, 'kafkajs-0']);
  });

  test('a wrong password gets SASL_AUTHENTICATION_FAILED and the brokers keep serving', async () => {
    const bad = new Kafka({
      clientId: 'scram-bad',
      brokers: cluster.bootstrapOf('SASL_PLAINTEXT').split(','),
      sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'wrong' },
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    const producer = bad.producer();
    await expect(producer.connect()).rejects.toThrow(/SASL SCRAM SHA512 authentication failed|SASL_AUTHENTICATION_FAILED|Authentication failed/i);
    const { stdout } = await exec('kcat', ['-L', '-b', cluster.bootstrapOf('SASL_PLAINTEXT'), '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=SCRAM-SHA-256', '-X', 'sasl.username=alice', '-X', 'sasl.password=alice-secret'], { timeout: 30_000 });
    expect(stdout).toMatch(/3 brokers:/);
  });
});
