// Real clients (kcat/librdkafka, kafkajs, kafka-python) connect, negotiate versions and read cluster metadata.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, waitFor, type TestCluster } from '../harness';
import { KafkaConnection } from '../../src/client';
import { ApiVersions } from '../../src/protocol/messages/18-api-versions';
import { encodeRequest, decodeResponse } from '../../src/protocol/codec';
import { Metadata } from '../../src/protocol/messages/03-metadata';
import net from 'node:net';

const exec = promisify(execFile);
jest.setTimeout(120_000);


describe('clients connect to every broker', () => {
  let cluster: TestCluster;
  let controllerId: number;

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3 });
    const zk = await cluster.zkClient();
    controllerId = await waitFor(async () => (await zk.getControllerId()) ?? undefined, { timeoutMs: 20_000, what: 'a controller' });
  });
  afterAll(async () => {
    await cluster?.teardown();
  });

  it('kcat -L lists the three brokers and the controller (librdkafka sends ApiVersions v3, flexible)', async () => {
    for (const b of cluster.brokers.values()) {
      const { stdout } = await exec('kcat', ['-L', '-b', b.address, '-m', '10']);
      expect(stdout).toContain('3 brokers:');
      for (const other of cluster.brokers.values()) {
        expect(stdout).toContain(`broker ${other.id} at ${other.address}`);
      }
      expect(stdout).toContain(`broker ${controllerId} at ${cluster.broker(controllerId).address} (controller)`);
    }
  });

  it('kafkajs admin.describeCluster() returns the brokers, the controller and the cluster id', async () => {
    const zk = await cluster.zkClient();
    const clusterId = JSON.parse(String((await zk.zk.getData('/cluster/id')).data)).id as string;
    for (const b of cluster.brokers.values()) {
      const kafka = new Kafka({ clientId: 'brook-test', brokers: [b.address], logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      try {
        const d = await admin.describeCluster();
        expect(d.brokers.map((x) => `${x.nodeId}@${x.host}:${x.port}`).sort()).toEqual([...cluster.brokers.values()].map((x) => `${x.id}@${x.address}`).sort());
        expect(d.controller).toBe(controllerId);
        expect(d.clusterId).toBe(clusterId);
      } finally {
        await admin.disconnect();
      }
    }
  });

  it('kafka-python connects and identifies the broker version', async () => {
    const script = [
      'from kafka import KafkaClient',
      `c = KafkaClient(bootstrap_servers='${cluster.broker(1).address}', request_timeout_ms=10000)`,
      "print('VERSION', '.'.join(str(x) for x in c.config['api_version']))",
      "c.poll(future=c.cluster.request_update(), timeout_ms=5000)",
      "print('BROKERS', sorted(b.nodeId for b in c.cluster.brokers()))",
      'c.close()',
    ].join('\n');
    const { stdout } = await exec('/usr/bin/python3', ['-c', script], { timeout: 60_000 });
    expect(stdout).toMatch(/VERSION \d+\.\d+\.\d+/);
    expect(stdout).toContain('BROKERS [1, 2, 3]');
  });

  it('every broker advertises identical ApiVersions ranges', async () => {
    const maps: string[] = [];
    for (const b of cluster.brokers.values()) {
      const conn = await KafkaConnection.connect(b.host, b.port, { clientId: 'test' });
      try {
        const r = await conn.request(ApiVersions, 3, { clientSoftwareName: 'brook-test', clientSoftwareVersion: '1' });
        expect(r.errorCode).toBe(0);
        maps.push(JSON.stringify(r.apiKeys));
      } finally {
        conn.close();
      }
    }
    expect(new Set(maps).size).toBe(1);
  });

  it('an unsupported ApiVersions version gets the v0-layout UNSUPPORTED_VERSION answer and the connection stays open', async () => {
    const b = cluster.broker(1);
    const sock = net.connect(b.port, b.host);
    await new Promise<void>((r) => sock.once('connect', () => r()));
    const frames: Buffer[] = [];
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        frames.push(buf.subarray(4, 4 + buf.readInt32BE(0)));
        buf = buf.subarray(4 + buf.readInt32BE(0));
      }
    });
    // ApiVersions v9 does not exist: header v2 (flexible), then an empty tagged-field section as the body.
    const head = Buffer.alloc(2 + 2 + 4 + 2 + 1 + 1);
    head.writeInt16BE(18, 0);
    head.writeInt16BE(9, 2);
    head.writeInt32BE(77, 4);
    head.writeInt16BE(-1, 8);
    const sized = Buffer.alloc(4 + head.length);
    sized.writeInt32BE(head.length, 0);
    head.copy(sized, 4);
    sock.write(sized);
    await waitFor(() => frames.length >= 1, { timeoutMs: 5000, what: 'the ApiVersions error answer' });
    const r = decodeResponse(ApiVersions, 0, frames[0]!);
    expect(r.correlationId).toBe(77);
    expect(r.body.errorCode).toBe(35);
    expect(r.body.apiKeys).toEqual([{ apiKey: 18, minVersion: 0, maxVersion: 3 }]);
    // Same connection still serves requests.
    sock.write(encodeRequest(Metadata, 1, { correlationId: 78, clientId: 't' }, { topics: [] }));
    await waitFor(() => frames.length >= 2, { timeoutMs: 5000, what: 'the Metadata answer on the same connection' });
    expect(decodeResponse(Metadata, 1, frames[1]!).body.brokers).toHaveLength(3);
    sock.destroy();
  });
});
