// A 3-broker cluster whose brokers talk to each other over SASL_SSL (PLAIN), with SSL (ssl.client.auth=requested:
// server-only and mutual TLS), SASL_PLAINTEXT and SASL_SSL client listeners, used by real clients: kcat (librdkafka
// 2.0.2), kafkajs and confluent-kafka (python). Failures (wrong password, plaintext on the SSL port, garbage during
// the handshake, an expired certificate) each close the connection with one broker log line, and brokers keep serving.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ErrorCode } from '../../src/protocol/errors';
import { CreateTopics, DescribeConfigs, Metadata } from '../../src/protocol/messages';
import { KafkaConnection } from '../../src/client/connection';
import { BrokerConnections, REPO_ROOT, startCluster, waitFor, type TestCluster } from '../harness';

jest.setTimeout(180_000);

const TOPIC = 'secured';

interface Run { code: number | null; stdout: string; stderr: string }
function run(cmd: string, args: string[], input = '', env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('secured cluster (inter-broker SASL_SSL)', () => {
  let cluster: TestCluster;
  const brokers = new BrokerConnections(() => cluster, 'security-test');
  let ca: string;
  let startedAt = 0;
  const REAUTH_MS = 8000;

  const metadataOn = async (listener: string): Promise<Array<{ nodeId: number; port: number }>> => {
    const b = cluster.broker(1);
    const security = listener === 'SSL' ? { tls: { ca: fs.readFileSync(ca) } } : undefined;
    const conn = await KafkaConnection.connect(b.host, b.listenerPorts.get(listener) ?? b.port, { security });
    try {
      const m = await conn.request(Metadata, 4, { topics: [], allowAutoTopicCreation: false });
      return m.brokers.map((x) => ({ nodeId: x.nodeId, port: x.port })).sort((a, b) => a.nodeId - b.nodeId);
    } finally {
      conn.close();
    }
  };

  /** Every broker's output lines that match. */
  const brokerLines = (re: RegExp): string[] => [...cluster.brokers.values()].flatMap((b) => b.output(100000).split('\n').filter((l) => re.test(l)));

  beforeAll(async () => {
    // Sessions on the inter-broker listener last 8 s: the brokers' links must re-authenticate (KIP-368) to last.
    cluster = await startCluster({ brokers: 3, security: { sslClientAuth: 'requested', users: { alice: 'alice-secret' } }, overrides: { 'listener.name.internal.connections.max.reauth.ms': String(REAUTH_MS) } });
    startedAt = Date.now();
    ca = cluster.certs!.caPem;
    const controller = await brokers.to(await cluster.waitForController());
    const created = await controller.request(CreateTopics, 5, {
      topics: [{ name: TOPIC, numPartitions: 3, replicationFactor: 3, assignments: [], configs: [] }], timeoutMs: 30_000, validateOnly: false,
    });
    expect(created.topics[0]!.errorCode).toBe(ErrorCode.NONE);
    await waitFor(async () => {
      const m = await (await brokers.to(1)).request(Metadata, 4, { topics: [{ name: TOPIC }], allowAutoTopicCreation: false });
      const ps = m.topics[0]?.partitions ?? [];
      return ps.length === 3 && ps.every((p) => p.leaderId >= 0 && p.isrNodes.length === 3);
    }, { timeoutMs: 60_000, what: `${TOPIC}: 3 partitions, each with 3 in-sync replicas` });
  });

  afterAll(async () => {
    brokers.closeAll();
    await cluster?.teardown();
  });

  it('Metadata answers with the endpoints of the listener the client connected to', async () => {
    for (const listener of ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT']) {
      if (listener === 'SASL_PLAINTEXT') continue; // needs authentication first: covered by kcat below
      const expected = [...cluster.brokers.values()].map((b) => ({ nodeId: b.id, port: listener === 'PLAINTEXT' ? b.port : b.listenerPorts.get(listener)! })).sort((a, b) => a.nodeId - b.nodeId);
      expect(await metadataOn(listener)).toEqual(expected);
    }
  });

  it('the brokers register every endpoint with its protocol (JSON v5) and replicate over the SASL_SSL listener', async () => {
    const zk = await cluster.zkClient();
    const raw = JSON.parse((await zk.zk.getData('/brokers/ids/2')).data!.toString('utf8')) as { version: number; endpoints: string[]; listener_security_protocol_map: Record<string, string> };
    expect(raw.version).toBe(5);
    expect(raw.listener_security_protocol_map).toEqual({ PLAINTEXT: 'PLAINTEXT', INTERNAL: 'SASL_SSL', SSL: 'SSL', SASL_PLAINTEXT: 'SASL_PLAINTEXT', SASL_SSL: 'SASL_SSL' });
    expect(raw.endpoints.map((e) => e.split(':')[0])).toEqual(['PLAINTEXT', 'INTERNAL', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']);
    // Followers fetched over INTERNAL: every replica is in sync (beforeAll) and no inter-broker authentication failed.
    expect(brokerLines(/Failed authentication/).filter((l) => /INTERNAL/.test(l))).toEqual([]);
  });

  it('kcat over SSL: server-only TLS produces, mutual TLS consumes what all three replicas hold', async () => {
    const b = cluster.bootstrapOf('SSL');
    const produced = await run('kcat', ['-P', '-b', b, '-t', TOPIC, '-p', '0', '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${ca}`], 'tls-1\ntls-2\ntls-3\n');
    expect(produced.stderr).toBe('');
    expect(produced.code).toBe(0);
    const client = cluster.certs!.clients.client!;
    const consumed = await run('kcat', ['-C', '-b', b, '-t', TOPIC, '-p', '0', '-o', 'beginning', '-e', '-q', '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${ca}`, '-X', `ssl.certificate.location=${client.pem}`, '-X', `ssl.key.location=${client.key}`]);
    expect(consumed.code).toBe(0);
    expect(consumed.stdout.split('\n').filter(Boolean)).toEqual(['tls-1', 'tls-2', 'tls-3']);
    // The records reached every replica: each broker's high watermark of partition 0 covers them.
    await waitFor(async () => {
      const m = await (await brokers.to(1)).request(Metadata, 4, { topics: [{ name: TOPIC }], allowAutoTopicCreation: false });
      return m.topics[0]!.partitions.find((p) => p.partitionIndex === 0)!.isrNodes.length === 3;
    }, { timeoutMs: 10_000, what: 'partition 0 to keep 3 in-sync replicas' });
  });

  it('kcat over SASL_PLAINTEXT with PLAIN round-trips records; a wrong password is refused', async () => {
    const b = cluster.bootstrapOf('SASL_PLAINTEXT');
    const sasl = (password: string): string[] => ['-X', 'security.protocol=sasl_plaintext', '-X', 'sasl.mechanisms=PLAIN', '-X', 'sasl.username=alice', '-X', `sasl.password=${password}`];
    const produced = await run('kcat', ['-P', '-b', b, '-t', TOPIC, '-p', '1', ...sasl('alice-secret')], 'sasl-1\nsasl-2\n');
    expect(produced.code).toBe(0);
    const consumed = await run('kcat', ['-C', '-b', b, '-t', TOPIC, '-p', '1', '-o', 'beginning', '-e', '-q', ...sasl('alice-secret')]);
    expect(consumed.stdout.split('\n').filter(Boolean)).toEqual(['sasl-1', 'sasl-2']);
    const refused = await run('kcat', ['-L', '-b', b, '-m', '5', ...sasl('wrong')]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Authentication failed: Invalid username or password/);
    await waitFor(() => brokerLines(/Failed authentication with 127\.0\.0\.1 \(SASL PLAIN authentication failed: Authentication failed: Invalid username or password\)/).length > 0, { timeoutMs: 5000, what: 'the failure log line' });
  });

  it('kafkajs with ssl and sasl (PLAIN) on SASL_SSL produces and consumes', async () => {
    const kafka = new Kafka({
      clientId: 'kjs-secure', brokers: cluster.bootstrapOf('SASL_SSL').split(','), logLevel: logLevel.NOTHING,
      ssl: { ca: [fs.readFileSync(ca, 'utf8')] }, sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' },
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: [{ partition: 2, value: 'kjs-1' }, { partition: 2, value: 'kjs-2' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'kjs-secure' });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ partition, message }) => { if (partition === 2) seen.push(message.value!.toString()); } });
    await waitFor(() => seen.length >= 2, { timeoutMs: 30_000, what: 'kafkajs to read its records' });
    await consumer.disconnect();
    expect(seen.slice(0, 2)).toEqual(['kjs-1', 'kjs-2']);
    const bad = new Kafka({ clientId: 'kjs-bad', brokers: cluster.bootstrapOf('SASL_SSL').split(','), logLevel: logLevel.NOTHING, retry: { retries: 0 }, ssl: { ca: [fs.readFileSync(ca, 'utf8')] }, sasl: { mechanism: 'plain', username: 'alice', password: 'nope' } });
    const admin = bad.admin();
    await expect(admin.connect()).rejects.toThrow(/Authentication failed: Invalid username or password/);
  });

  it('confluent-kafka (python) over SASL_SSL with PLAIN', async () => {
    const script = `
import sys
from confluent_kafka import Producer, Consumer
conf = {'bootstrap.servers': sys.argv[1], 'security.protocol': 'SASL_SSL', 'ssl.ca.location': sys.argv[2], 'sasl.mechanisms': 'PLAIN', 'sasl.username': 'alice', 'sasl.password': 'alice-secret'}
p = Producer(conf)
p.produce('${TOPIC}', b'py-1', partition=2)
p.produce('${TOPIC}', b'py-2', partition=2)
assert p.flush(30) == 0
c = Consumer(dict(conf, **{'group.id': 'py-secure', 'auto.offset.reset': 'earliest'}))
c.subscribe(['${TOPIC}'])
got = []
import time
deadline = time.time() + 30
while time.time() < deadline and not ('py-1' in got and 'py-2' in got):
    m = c.poll(1.0)
    if m is not None and m.error() is None and m.partition() == 2:
        got.append(m.value().decode())
c.close()
print(','.join(v for v in got if v.startswith('py-')))
`;
    const r = await run('/usr/bin/python3', ['-c', script, cluster.bootstrapOf('SASL_SSL'), ca]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('py-1,py-2');
  });

  it('kafka-python over SASL_SSL with PLAIN', async () => {
    const script = `
import sys
from kafka import KafkaProducer, KafkaConsumer, TopicPartition
conf = dict(bootstrap_servers=sys.argv[1].split(','), security_protocol='SASL_SSL', ssl_cafile=sys.argv[2], sasl_mechanism='PLAIN', sasl_plain_username='alice', sasl_plain_password='alice-secret')
p = KafkaProducer(**conf)
p.send('${TOPIC}', b'kp-1', partition=1).get(timeout=30)
p.close()
c = KafkaConsumer(consumer_timeout_ms=20000, **conf)
tp = TopicPartition('${TOPIC}', 1)
c.assign([tp])
c.seek_to_beginning(tp)
got = []
for m in c:
    if m.value.startswith(b'kp-'):
        got.append(m.value.decode())
        break
print(','.join(got))
c.close()
`;
    const r = await run('/usr/bin/python3', ['-c', script, cluster.bootstrapOf('SASL_SSL'), ca]);
    expect(r.stdout.trim()).toBe('kp-1');
  });

  it('plaintext on the SSL port, garbage, and an expired certificate: closed, one log line each, brokers still serve', async () => {
    const b = cluster.broker(2);
    const sslPort = b.listenerPorts.get('SSL')!;
    const before = brokerLines(/SSL handshake failed|SSL: client certificate refused/).length;
    for (const bytes of [Buffer.from('000000170012000000000001000b6b6361742d706c61696e00', 'hex'), Buffer.from('\x00\x00\x00garbage garbage garbage')]) {
      const sock = net.connect(sslPort, b.host);
      sock.on('error', () => undefined);
      await new Promise((r) => sock.once('connect', r));
      sock.write(bytes);
      await new Promise((r) => (sock.destroyed ? r(undefined) : sock.once('close', r)));
    }
    const expired = await run('kcat', ['-L', '-b', `${b.host}:${sslPort}`, '-m', '5', '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${ca}`, '-X', `ssl.certificate.location=${cluster.certs!.expired!.pem}`, '-X', `ssl.key.location=${cluster.certs!.expired!.key}`]);
    expect(expired.code).not.toBe(0);
    await waitFor(() => brokerLines(/SSL handshake failed|SSL: client certificate refused/).length >= before + 3, { timeoutMs: 10_000, what: 'three failure log lines' });
    const lines = brokerLines(/Failed authentication with 127\.0\.0\.1/);
    expect(lines.some((l) => /wrong version number/.test(l))).toBe(true);
    expect(lines.some((l) => /CERT_HAS_EXPIRED/.test(l))).toBe(true);
    for (const broker of cluster.brokers.values()) expect(broker.running).toBe(true);
    expect((await metadataOn('SSL')).length).toBe(3);
  });

  it('a broker with bad TLS or SASL settings does not start, and says which setting is wrong', async () => {
    const file = path.join(cluster.dataDir, 'bad.properties');
    fs.writeFileSync(file, [
      'broker.id=9', `zookeeper.connect=${cluster.zkConnect}`, `log.dirs=${path.join(cluster.dataDir, 'bad-logs')}`,
      'listeners=SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0', 'security.inter.broker.protocol=SSL',
      'ssl.keystore.type=PKCS12', `ssl.keystore.location=${cluster.certs!.brokerP12}`, 'ssl.keystore.password=wrong',
      'listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN',
    ].join('\n'));
    const r = await run(process.execPath, [path.join(REPO_ROOT, 'bin', 'brook'), 'server-start', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Invalid listener security configuration:');
    expect(r.stderr).toMatch(/listener SSL: cannot decrypt the keystore or key \(wrong ssl.keystore.password \/ ssl.key.password\?\)/);
    expect(r.stderr).toContain('listener SASL_PLAINTEXT: PLAIN is enabled but no JAAS configuration names its users (listener.name.sasl_plaintext.plain.sasl.jaas.config)');
    expect(fs.existsSync(path.join(cluster.dataDir, 'bad-logs'))).toBe(false);
  });

  it('DescribeConfigs never shows passwords, keys or JAAS texts (sensitive, as Kafka), and shows the rest', async () => {
    const res = await (await brokers.to(1)).request(DescribeConfigs, 1, { resources: [{ resourceType: 4, resourceName: '1', configurationKeys: null }], includeSynonyms: true });
    const configs = new Map(res.results[0]!.configs.map((c) => [c.name, c]));
    const jaas = configs.get('listener.name.internal.plain.sasl.jaas.config')!;
    expect(jaas).toMatchObject({ value: null, isSensitive: true });
    expect(jaas.synonyms.every((x) => x.value === null)).toBe(true);
    expect(JSON.stringify(res)).not.toContain('broker-secret');
    expect(configs.get('inter.broker.listener.name')).toMatchObject({ value: 'INTERNAL', isSensitive: false });
    expect(configs.get('ssl.truststore.location')).toMatchObject({ value: ca, isSensitive: false });
  });

  it('brook --command-config speaks SASL_SSL', async () => {
    const file = path.join(cluster.dataDir, 'client.properties');
    fs.writeFileSync(file, [
      'security.protocol=SASL_SSL', 'ssl.truststore.type=PEM', `ssl.truststore.location=${ca}`, 'sasl.mechanism=PLAIN',
      'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret";',
    ].join('\n'));
    const r = await run(process.execPath, [path.join(REPO_ROOT, 'bin', 'brook'), 'topics', '--bootstrap-server', cluster.bootstrapOf('SASL_SSL').split(',')[0]!, '--command-config', file, '--describe', '--topic', TOPIC]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/Topic: secured\s+PartitionCount: 3\s+ReplicationFactor: 3/);
  });

  it('links between brokers re-authenticate on the SASL_SSL listener instead of expiring (connections.max.reauth.ms)', async () => {
    // The tests above took several sessions' time; every link kept working without an expired-session close.
    expect(Date.now() - startedAt).toBeGreaterThan(2 * REAUTH_MS);
    expect(brokerLines(/session expired/)).toEqual([]);
    const m = await (await brokers.to(1)).request(Metadata, 4, { topics: [{ name: TOPIC }], allowAutoTopicCreation: false });
    expect(m.topics[0]!.partitions.map((p) => p.isrNodes.length)).toEqual([3, 3, 3]);
  });
});
