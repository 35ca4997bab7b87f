// TLS and SASL listeners over real sockets: SocketServer with the security built from broker properties, and
// KafkaConnection (with its TLS and SASL client side) or raw sockets as clients. Failures close the connection
// and log one line naming the client address and the reason.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import pino from 'pino';
import { SocketServer, type ConnectionContext } from '../../../src/network/SocketServer';
import { buildConfig, KafkaConfig } from '../../../src/config/KafkaConfig';
import { buildListenerSecurity, clientTlsOptions, ListenerSecurityError } from '../../../src/security/listenerSecurity';
import { InMemoryScramCredentials, scramCredentialFromPassword } from '../../../src/security/sasl/scram';
import { encodeRequest, encodeResponse, readRequestHeader, decodeResponse } from '../../../src/protocol/codec';
import { ApiVersions, Metadata } from '../../../src/protocol/messages';
import { SaslHandshake } from '../../../src/protocol/messages/17-sasl-handshake';
import { KafkaConnection, negotiateVersions } from '../../../src/client/connection';
import { SaslAuthenticationError } from '../../../src/client/securitySasl';
import { nodeSslIo } from '../../../src/util/sslIo';
import { makeCerts, type CertsResult } from '../../../src/cli/commands/certs';
import { waitFor } from '../../harness/waitFor';
import { Kafka, logLevel, type KafkaConfig as KafkajsConfig } from 'kafkajs';

jest.setTimeout(60_000);

let certs: CertsResult;
let dir: string;
const logs: Array<Record<string, unknown>> = [];
const logger = pino({ level: 'info' }, { write: (s: string) => void logs.push(JSON.parse(s) as Record<string, unknown>) });
const principals: string[] = [];

const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";';
const scram = new InMemoryScramCredentials()
  .set('bob', 'SCRAM-SHA-512', scramCredentialFromPassword('SCRAM-SHA-512', 'bob-secret'))
  .set('bob', 'SCRAM-SHA-256', scramCredentialFromPassword('SCRAM-SHA-256', 'bob-secret'));

function config(extra: Record<string, string>): KafkaConfig {
  return new KafkaConfig(buildConfig(new Map(Object.entries({ 'broker.id': '1', 'zookeeper.connect': '127.0.0.1:2181', 'log.dirs': '/tmp/unused', ...extra }))));
}

let server: SocketServer;
let ports: Map<string, number>;
let now = 0;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-secure-'));
  certs = makeCerts(dir, { clients: ['client'], expiredClient: true });
  const cfg = config({
    listeners: 'SSL://127.0.0.1:0,MTLS://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0,REAUTH://127.0.0.1:0',
    'listener.security.protocol.map': 'SSL:SSL,MTLS:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,REAUTH:SASL_PLAINTEXT',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': path.join(dir, 'broker-keystore.pem'),
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': certs.caPem,
    'listener.name.mtls.ssl.client.auth': 'required',
    'listener.name.mtls.ssl.keystore.type': 'PKCS12',
    'listener.name.mtls.ssl.keystore.location': certs.brokerP12,
    'listener.name.mtls.ssl.keystore.password': certs.password,
    'ssl.principal.mapping.rules': 'RULE:^CN=([^,]*),OU=Clients.*$/$1/U,DEFAULT',
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
    'listener.name.sasl_ssl.plain.sasl.jaas.config': JAAS,
    'listener.name.reauth.plain.sasl.jaas.config': JAAS,
    'listener.name.reauth.sasl.enabled.mechanisms': 'PLAIN',
    'connections.max.reauth.ms': '0',
    // The REAUTH listener's sessions last 1 s (of a clock the tests move, or the real one).
    'listener.name.reauth.connections.max.reauth.ms': '1000',
  });
  const security = buildListenerSecurity(cfg, nodeSslIo, scram);
  server = new SocketServer({
    listeners: cfg.listeners.map((l) => ({ name: l.name, host: l.host, port: l.port, security: security.get(l.name) })),
    maxRequestBytes: 1 << 20,
    idleTimeoutMs: 60_000,
    maxQueuedRequests: 100,
    logger,
    processor: (frame: Buffer, ctx: ConnectionContext) => {
      const h = readRequestHeader(frame);
      principals.push(`${ctx.listenerName} ${ctx.securityProtocol} ${ctx.principal.type}:${ctx.principal.name}`);
      if (h.apiKey === Metadata.apiKey && h.apiVersion === 1) {
        // Enough of a cluster for kafkajs to finish connecting: this listener's one broker, no topics.
        return encodeResponse(Metadata, 1, h.correlationId, { brokers: [{ nodeId: 1, host: '127.0.0.1', port: ports.get(ctx.listenerName)!, rack: null }], controllerId: 1, topics: [] });
      }
      if (h.apiKey !== ApiVersions.apiKey) return null;
      return encodeResponse(ApiVersions, Math.min(h.apiVersion, 2), h.correlationId, {
        errorCode: 0,
        apiKeys: [{ apiKey: 3, minVersion: 0, maxVersion: 1 }, { apiKey: 17, minVersion: 0, maxVersion: 1 }, { apiKey: 18, minVersion: 0, maxVersion: 2 }, { apiKey: 36, minVersion: 0, maxVersion: 2 }],
        throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1n, finalizedFeatures: [],
      });
    },
  });
  // The SocketServer's authenticators take their clock from Date.now; the REAUTH test moves it.
  jest.spyOn(Date, 'now').mockImplementation(() => now || new Date().getTime());
  await server.startup();
  ports = server.boundPorts;
});

afterAll(async () => {
  await server?.shutdown();
  jest.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

const tlsOpts = (extra: Record<string, string> = {}): tls.ConnectionOptions =>
  clientTlsOptions((k) => ({ 'ssl.truststore.location': certs.caPem, ...extra })[k], nodeSslIo, 'test client');

/** The connection's last logged failure line for the client's local port. */
async function failureLogFor(localPort: number): Promise<Record<string, unknown>> {
  let line: Record<string, unknown> | undefined;
  await waitFor(() => (line = logs.find((l) => String(l.remote).endsWith(`:${localPort}`) && /^Failed authentication with /.test(String(l.msg)))) !== undefined, { timeoutMs: 5000, what: `failure log line for port ${localPort}` });
  return line!;
}

function closed(s: net.Socket): Promise<void> {
  return new Promise((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));
}

describe('SSL listeners', () => {
  it('server-only TLS: a client trusting the CA is served as User:ANONYMOUS', async () => {
    const conn = await KafkaConnection.connect('127.0.0.1', ports.get('SSL')!, { security: { tls: tlsOpts() } });
    const versions = await negotiateVersions(conn);
    expect(versions.get(3)).toEqual([0, 1]);
    conn.close();
    expect(principals).toContain('SSL SSL User:ANONYMOUS');
  });

  it('a client that does not trust the broker certificate fails on its side', async () => {
    await expect(KafkaConnection.connect('127.0.0.1', ports.get('SSL')!, { security: { tls: {} } })).rejects.toThrow(/TLS: .*(self.signed|unable to get local issuer)/);
  });

  it('mutual TLS (PKCS12 keystore): the principal is the certificate DN through the mapping rules', async () => {
    const conn = await KafkaConnection.connect('localhost', ports.get('MTLS')!, {
      security: { tls: tlsOpts({ 'ssl.keystore.type': 'PKCS12', 'ssl.keystore.location': certs.clients.client!.p12, 'ssl.keystore.password': certs.password }) },
    });
    await negotiateVersions(conn);
    conn.close();
    expect(principals).toContain('MTLS SSL User:CLIENT');
  });

  it('mutual TLS without a client certificate: handshake refused, one log line with the client address', async () => {
    const sock = tls.connect({ host: '127.0.0.1', port: ports.get('MTLS')!, ...tlsOpts() });
    sock.on('error', () => undefined);
    await new Promise((r) => sock.once('secureConnect', r).once('error', r));
    const local = sock.localPort!;
    sock.write(encodeRequest(ApiVersions, 0, { correlationId: 1, clientId: 'x' }, {}));
    await closed(sock);
    const line = await failureLogFor(local);
    expect(String(line.msg)).toMatch(/^Failed authentication with 127\.0\.0\.1 \(SSL: no client certificate/);
  });

  it('an expired client certificate is refused with the reason logged', async () => {
    const sock = tls.connect({ host: '127.0.0.1', port: ports.get('MTLS')!, ...tlsOpts(), cert: fs.readFileSync(certs.expired!.pem), key: fs.readFileSync(certs.expired!.key) });
    sock.on('error', () => undefined);
    await new Promise((r) => sock.once('secureConnect', r).once('error', r));
    const local = sock.localPort!;
    sock.write(encodeRequest(ApiVersions, 0, { correlationId: 1, clientId: 'x' }, {}));
    await closed(sock);
    expect(String((await failureLogFor(local)).msg)).toMatch(/CERT_HAS_EXPIRED/);
  });

  it('a plaintext Kafka client and garbage on the SSL port are closed and logged; the listener keeps serving', async () => {
    for (const bytes of [encodeRequest(ApiVersions, 0, { correlationId: 1, clientId: 'plain' }, {}), Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), Buffer.from([0xff, 0x00, 0x13, 0x37, ...Buffer.from('garbage')])]) {
      const sock = net.connect(ports.get('SSL')!, '127.0.0.1');
      sock.on('error', () => undefined);
      await new Promise((r) => sock.once('connect', r));
      const local = sock.localPort!;
      sock.write(bytes);
      await closed(sock);
      expect(String((await failureLogFor(local)).msg)).toMatch(/SSL handshake failed/);
    }
    const conn = await KafkaConnection.connect('127.0.0.1', ports.get('SSL')!, { security: { tls: tlsOpts() } });
    await negotiateVersions(conn);
    conn.close();
  });
});

describe('SASL listeners', () => {
  it('PLAIN over SASL_PLAINTEXT: the principal is User:<name>', async () => {
    const conn = await KafkaConnection.connect('127.0.0.1', ports.get('SASL_PLAINTEXT')!, { security: { sasl: { mechanism: 'PLAIN', username: 'alice', password: 'alice-secret' } } });
    await negotiateVersions(conn);
    conn.close();
    expect(principals).toContain('SASL_PLAINTEXT SASL_PLAINTEXT User:alice');
  });

  it.each(['SCRAM-SHA-256', 'SCRAM-SHA-512'])('%s over SASL_SSL', async (mechanism) => {
    const conn = await KafkaConnection.connect('localhost', ports.get('SASL_SSL')!, { security: { tls: tlsOpts(), sasl: { mechanism, username: 'bob', password: 'bob-secret' } } });
    await negotiateVersions(conn);
    conn.close();
    expect(principals).toContain('SASL_SSL SASL_SSL User:bob');
  });

  it("a wrong password gets SASL_AUTHENTICATION_FAILED with Kafka's message, a closed connection and one log line", async () => {
    const before = logs.length;
    const err = await KafkaConnection.connect('127.0.0.1', ports.get('SASL_PLAINTEXT')!, { security: { sasl: { mechanism: 'PLAIN', username: 'alice', password: 'nope' } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SaslAuthenticationError);
    expect((err as SaslAuthenticationError).message).toBe('Authentication failed: Invalid username or password');
    expect((err as SaslAuthenticationError).errorCode).toBe(58);
    await waitFor(() => logs.slice(before).some((l) => /^Failed authentication with 127\.0\.0\.1 \(SASL PLAIN authentication failed/.test(String(l.msg))), { timeoutMs: 5000, what: 'log line' });
    const scramErr = await KafkaConnection.connect('127.0.0.1', ports.get('SASL_PLAINTEXT')!, { security: { sasl: { mechanism: 'SCRAM-SHA-512', username: 'nobody', password: 'x' } } }).catch((e: unknown) => e);
    expect((scramErr as Error).message).toBe('Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512');
  });

  it('an unsupported mechanism is answered with the enabled list', async () => {
    const err = await KafkaConnection.connect('127.0.0.1', ports.get('REAUTH')!, { security: { sasl: { mechanism: 'SCRAM-SHA-256', username: 'bob', password: 'bob-secret' } } }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/SASL mechanism SCRAM-SHA-256 is not enabled .*\(enabled: PLAIN\)/);
  });

  it('ApiVersions is served before authentication; any other request closes the connection', async () => {
    const conn = await KafkaConnection.connect('127.0.0.1', ports.get('SASL_PLAINTEXT')!);
    await negotiateVersions(conn);
    await expect(conn.request(Metadata, 4, { topics: null, allowAutoTopicCreation: false })).rejects.toThrow(/closed/);
    expect(conn.isClosed).toBe(true);
  });

  it('SaslHandshake v0 followed by a raw PLAIN token (clients before KIP-152), then requests', async () => {
    const sock = net.connect(ports.get('SASL_PLAINTEXT')!, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const reader = responses(sock);
    sock.write(encodeRequest(SaslHandshake, 0, { correlationId: 7, clientId: 'old' }, { mechanism: 'PLAIN' }));
    const hs = decodeResponse(SaslHandshake, 0, await reader.next());
    expect(hs.body).toEqual({ errorCode: 0, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] });
    const token = Buffer.from('\0admin\0admin-secret');
    const framed = Buffer.alloc(4 + token.length);
    framed.writeInt32BE(token.length, 0);
    token.copy(framed, 4);
    sock.write(framed);
    expect((await reader.next()).length).toBe(0);
    sock.write(encodeRequest(ApiVersions, 1, { correlationId: 8, clientId: 'old' }, {}));
    expect(decodeResponse(ApiVersions, 1, await reader.next()).correlationId).toBe(8);
    sock.destroy();
    expect(principals).toContain('SASL_PLAINTEXT SASL_PLAINTEXT User:admin');
  });

  it('connections.max.reauth.ms: the session lifetime is answered, and a request after expiry closes the connection', async () => {
    now = 1_000_000;
    const conn = await KafkaConnection.connect('127.0.0.1', ports.get('REAUTH')!, { security: { sasl: { mechanism: 'PLAIN', username: 'alice', password: 'alice-secret' } } });
    await negotiateVersions(conn);
    now += 1001;
    await expect(negotiateVersions(conn)).rejects.toThrow(/closed/);
    now = 0;
    await waitFor(() => logs.some((l) => /session expired/.test(String(l.msg))), { timeoutMs: 5000, what: 'expiry log line' });
  });
});

describe('client re-authentication (KIP-368)', () => {
  it('KafkaConnection re-authenticates before its 1 s session ends and keeps being served past it', async () => {
    const conn = await KafkaConnection.connect('127.0.0.1', ports.get('REAUTH')!, { security: { sasl: { mechanism: 'PLAIN', username: 'alice', password: 'alice-secret' } } });
    const t0 = Date.now();
    try {
      for (let i = 0; i < 2; i++) {
        const lifetime = await new Promise<bigint>((resolve) => conn.once('reauthenticated', resolve));
        expect(lifetime).toBe(1000n);
      }
      expect(Date.now() - t0).toBeGreaterThan(1000);
      // Past the first session's end: served because the session was renewed, not closed.
      expect((await negotiateVersions(conn)).get(18)).toEqual([0, 2]);
    } finally {
      conn.close();
    }
  });
});

describe('kafkajs', () => {
  const connectAdmin = async (listener: string, extra: Partial<KafkajsConfig>): Promise<string> => {
    const kafka = new Kafka({ clientId: 'kjs', brokers: [`localhost:${ports.get(listener)!}`], logLevel: logLevel.NOTHING, retry: { retries: 0 }, ...extra });
    const admin = kafka.admin();
    try {
      await admin.connect();
      const c = await admin.describeCluster();
      return `${c.brokers.length} broker(s), controller ${c.controller}`;
    } finally {
      await admin.disconnect();
    }
  };

  it('connects with ssl to the SSL listener', async () => {
    await expect(connectAdmin('SSL', { ssl: { ca: [fs.readFileSync(certs.caPem, 'utf8')] } })).resolves.toBe('1 broker(s), controller 1');
  });

  it.each([['scram-sha-256'], ['scram-sha-512']] as const)('authenticates with sasl %s over SASL_SSL', async (mechanism) => {
    await expect(connectAdmin('SASL_SSL', { ssl: { ca: [fs.readFileSync(certs.caPem, 'utf8')] }, sasl: { mechanism, username: 'bob', password: 'bob-secret' } as KafkajsConfig['sasl'] })).resolves.toBe('1 broker(s), controller 1');
    expect(principals).toContain('SASL_SSL SASL_SSL User:bob');
    await expect(connectAdmin('SASL_PLAINTEXT', { sasl: { mechanism, username: 'bob', password: 'wrong' } as KafkajsConfig['sasl'] })).rejects.toThrow(`Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism.toUpperCase()}`);
  });
});

describe('shutdown', () => {
  it('ends connections still in their TLS handshake instead of waiting for them', async () => {
    const cfg = config({ listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.location': path.join(dir, 'broker-keystore.pem') });
    const security = buildListenerSecurity(cfg, nodeSslIo, null);
    const s = new SocketServer({ listeners: [{ name: 'SSL', host: '127.0.0.1', port: 0, security: security.get('SSL') }], maxRequestBytes: 1024, idleTimeoutMs: 60_000, maxQueuedRequests: 10, logger, processor: () => null });
    await s.startup();
    const silent = net.connect(s.boundPorts.get('SSL')!, '127.0.0.1');
    silent.on('error', () => undefined);
    await new Promise((r) => silent.once('connect', r));
    const t0 = Date.now();
    await s.shutdown(500);
    expect(Date.now() - t0).toBeLessThan(5000); // node's handshake timeout here is 30 s
    await closed(silent);
  });
});

describe('configuration errors', () => {
  it('every listener problem is reported at once, naming the setting', () => {
    const cfg = config({
      listeners: 'SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      'ssl.keystore.location': '/nonexistent/keystore.pem',
      'listener.name.ssl.ssl.client.auth': 'sometimes',
      'listener.name.sasl_plaintext.sasl.enabled.mechanisms': 'PLAIN,GSSAPI',
    });
    let err: unknown;
    try { buildListenerSecurity(cfg, nodeSslIo, null); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ListenerSecurityError);
    const problems = (err as ListenerSecurityError).problems;
    expect(problems).toContain('ssl.keystore.location=/nonexistent/keystore.pem cannot be read: ENOENT');
    expect(problems.some((p) => /GSSAPI, which Brook does not support/.test(p))).toBe(true);
  });

  it('a wrong PKCS12 password and a key that does not match its certificate are named', () => {
    const bad = (extra: Record<string, string>): string => {
      try {
        buildListenerSecurity(config({ listeners: 'SSL://127.0.0.1:0', ...extra }), nodeSslIo, null);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(bad({ 'ssl.keystore.type': 'PKCS12', 'ssl.keystore.location': certs.brokerP12, 'ssl.keystore.password': 'wrong' })).toMatch(/cannot decrypt the keystore.*wrong ssl.keystore.password/);
    expect(bad({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.certificate.chain': fs.readFileSync(certs.brokerPem, 'utf8'), 'ssl.keystore.key': fs.readFileSync(certs.clients.client!.key, 'utf8') })).toMatch(/private key does not belong/);
    expect(bad({ 'ssl.keystore.type': 'JKS', 'ssl.keystore.location': '/x.jks' })).toMatch(/ssl.keystore.type=JKS is not supported/);
    expect(bad({ 'ssl.keystore.location': path.join(dir, 'broker-keystore.pem'), 'ssl.enabled.protocols': 'TLSv1.2,SSLv3' })).toMatch(/unknown protocol\(s\) SSLv3/);
    expect(bad({ 'ssl.keystore.location': path.join(dir, 'broker-keystore.pem'), 'ssl.cipher.suites': 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' })).toBe('no error');
  });
});

/** Size-prefixed frames read off a socket, one at a time. */
function responses(sock: net.Socket): { next(): Promise<Buffer> } {
  let buf = Buffer.alloc(0);
  const waiting: Array<(b: Buffer) => void> = [];
  const ready: Buffer[] = [];
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
      const n = buf.readInt32BE(0);
      const f = buf.subarray(4, 4 + n);
      buf = buf.subarray(4 + n);
      const w = waiting.shift();
      if (w) w(f);
      else ready.push(f);
    }
  });
  return { next: () => (ready.length > 0 ? Promise.resolve(ready.shift()!) : new Promise((r) => waiting.push(r))) };
}
