// Robustness of a SASL_SSL listener: short TLS connections carrying random and mutated SASL and Kafka frames (and raw
// garbage instead of a TLS handshake) against a running broker, which must stay up, keep serving a well-behaved
// kafkajs client (SASL_SSL, PLAIN) throughout, and keep its memory bounded. BROOK_FUZZ_TLS_CONNECTIONS sets the
// number of connections (default 2,000; ten frames each), BROOK_FUZZ_SEED the random seed.
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, waitFor, type TestCluster } from '../harness';
import { encodeRequest } from '../../src/protocol/codec';
import { ApiVersions } from '../../src/protocol/messages/18-api-versions';
import { Metadata } from '../../src/protocol/messages/03-metadata';
import { SaslHandshake } from '../../src/protocol/messages/17-sasl-handshake';
import { SaslAuthenticate } from '../../src/protocol/messages/36-sasl-authenticate';
import { plainToken } from '../../src/security/sasl/plain';
import { rng } from '../unit/protocol/random-message';
import { keepDescribing, rssKb, sendBurst } from './util/fuzz';

const CONNECTIONS = Number(process.env.BROOK_FUZZ_TLS_CONNECTIONS ?? 2000);
jest.setTimeout(300_000);

function frames(): Buffer[] {
  const h = (id: number): { correlationId: number; clientId: string } => ({ correlationId: id, clientId: 'fuzz' });
  return [
    encodeRequest(ApiVersions, 3, h(1), { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1.0' }),
    encodeRequest(SaslHandshake, 1, h(2), { mechanism: 'PLAIN' }),
    encodeRequest(SaslHandshake, 0, h(3), { mechanism: 'PLAIN' }),
    encodeRequest(SaslAuthenticate, 2, h(4), { authBytes: plainToken('alice', 'alice-secret') }),
    encodeRequest(SaslAuthenticate, 1, h(5), { authBytes: plainToken('alice', 'wrong') }),
    encodeRequest(Metadata, 9, h(6), { topics: null, allowAutoTopicCreation: false }),
  ];
}

function mutate(base: Buffer, r: () => number): Buffer {
  const b = Buffer.from(base);
  switch (Math.floor(r() * 4)) {
    case 0: { // flip bytes after the size prefix
      for (let i = 0; i < 1 + Math.floor(r() * 4); i++) b[4 + Math.floor(r() * (b.length - 4))] = Math.floor(r() * 256);
      return b;
    }
    case 1: { // truncate, size kept honest
      const cut = 4 + Math.floor(r() * (b.length - 4));
      const t = b.subarray(0, cut);
      t.writeInt32BE(cut - 4, 0);
      return t;
    }
    case 2: { // random bytes of random size (a raw SASL token after a v0 handshake, or garbage)
      const n = Math.floor(r() * 300);
      const g = Buffer.alloc(4 + n);
      g.writeInt32BE(n, 0);
      for (let i = 4; i < g.length; i++) g[i] = Math.floor(r() * 256);
      return g;
    }
    default: { // a size prefix out of range
      const g = Buffer.alloc(8);
      g.writeInt32BE(r() < 0.5 ? -1 : 500_000_000, 0);
      return g;
    }
  }
}

describe('fuzzing a SASL_SSL listener', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster({ brokers: 1, security: { clientListeners: ['SASL_SSL'] }, overrides: { 'auto.create.topics.enable': 'false', 'socket.request.max.bytes': '1048576' } });
  });
  afterAll(async () => {
    await cluster?.teardown();
  });

  it(`survives ${CONNECTIONS} TLS connections of random SASL and Kafka frames while a SASL_SSL client keeps working`, async () => {
    const b = cluster.broker(1);
    const port = b.listenerPorts.get('SASL_SSL')!;
    const ca = fs.readFileSync(cluster.certs!.caPem);
    const r = rng(Number(process.env.BROOK_FUZZ_SEED ?? 4242));
    const bases = frames();
    const memBefore = rssKb(b.pid);

    const kafka = new Kafka({ clientId: 'good', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 }, ssl: { ca: [ca.toString()] }, sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' } });
    const admin = kafka.admin();
    await admin.connect();
    const good = keepDescribing(admin);

    let started = 0;
    let answered = 0;
    const worker = async (): Promise<void> => {
      while (started < CONNECTIONS) {
        started++;
        const raw = r() < 0.1; // one in ten skips TLS and sends garbage to the TLS layer
        const sock: net.Socket = raw ? net.connect(port, '127.0.0.1') : tls.connect({ host: '127.0.0.1', port, ca });
        sock.on('error', () => undefined);
        await new Promise<void>((res) => { sock.once(raw ? 'connect' : 'secureConnect', () => res()); sock.once('error', () => res()); sock.once('close', () => res()); });
        if (await sendBurst(sock, bases, mutate, r, 0.4)) answered++;
      }
    };
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 8 }, () => worker()));
    const secs = (Date.now() - t0) / 1000;
    const { calls: goodCalls, failures: goodFailures } = await good.stop();
    await admin.disconnect();

    const memAfter = rssKb(b.pid);
    let settled = memAfter;
    await waitFor(() => {
      settled = rssKb(b.pid);
      return settled.rss - memBefore.rss <= 16 * 1024;
    }, { timeoutMs: 90_000, intervalMs: 250, what: 'the broker RSS to settle' }).catch(() => undefined);
    process.stdout.write(`fuzz SASL_SSL: ${started} connections in ${secs.toFixed(1)} s (${answered} got answers); broker RSS ${memBefore.rss} kB -> ${memAfter.rss} kB, ${settled.rss} kB settled, high-water mark ${memAfter.hwm} kB; good client ${goodCalls} calls, ${goodFailures} failures\n`);
    expect(b.running).toBe(true);
    expect(goodFailures).toBe(0);
    expect(goodCalls).toBeGreaterThanOrEqual(3);
    expect(answered).toBeGreaterThan(0);
    expect(memAfter.hwm).toBeLessThan(300 * 1024);
    expect(settled.rss - memBefore.rss).toBeLessThanOrEqual(16 * 1024);
  });
});
