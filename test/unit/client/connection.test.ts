// KafkaConnection against a tiny in-test TCP server that speaks our codec.
import net from 'node:net';
import { ConnectionClosedError, KafkaConnection, RequestTimeoutError, negotiateVersions, pickVersion } from '../../../src/client/connection';
import { decodeRequest, encodeResponse, readRequestHeader } from '../../../src/protocol/codec';
import { ApiVersions, Metadata, Produce, apisByKey, type ApiVersionsResponse } from '../../../src/protocol/messages';

type Handler = (frame: Buffer, socket: net.Socket) => void;

interface TestServer {
  port: number;
  close(): Promise<void>;
  sockets: Set<net.Socket>;
  received: Array<{ apiKey: number; apiVersion: number; clientId: string | null }>;
}

async function startServer(handler: Handler): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  const received: TestServer['received'] = [];
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const frame = buf.subarray(4, 4 + buf.readInt32BE(0));
        buf = buf.subarray(4 + frame.length);
        const h = readRequestHeader(frame);
        received.push({ apiKey: h.apiKey, apiVersion: h.apiVersion, clientId: h.clientId });
        handler(frame, socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    sockets,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const ALL_KEYS: ApiVersionsResponse['apiKeys'] = [...apisByKey.values()].map((a) => ({ apiKey: a.apiKey, minVersion: a.validVersions[0], maxVersion: a.validVersions[1] }));

/** Answers ApiVersions up to maxApiVersions (older versions get the v0-layout UNSUPPORTED_VERSION) and Metadata. */
function standardHandler(maxApiVersions = 3): Handler {
  return (frame, socket) => {
    const h = readRequestHeader(frame);
    if (h.apiKey === ApiVersions.apiKey) {
      if (h.apiVersion > maxApiVersions) {
        socket.write(encodeResponse(ApiVersions, 0, h.correlationId, { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: maxApiVersions }] }));
      } else {
        socket.write(encodeResponse(ApiVersions, h.apiVersion, h.correlationId, { errorCode: 0, apiKeys: ALL_KEYS, throttleTimeMs: 0 }));
      }
    } else if (h.apiKey === Metadata.apiKey) {
      const req = decodeRequest(Metadata, h.apiVersion, frame, h.bodyOffset);
      const names = (req.topics ?? []).map((t) => t.name ?? '');
      socket.write(
        encodeResponse(Metadata, h.apiVersion, h.correlationId, {
          brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }],
          controllerId: 1,
          clusterId: 'cluster',
          topics: names.map((name) => ({ errorCode: 3, name, partitions: [] })),
        }),
      );
    }
  };
}

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

test('request/response round trip with client id', async () => {
  server = await startServer(standardHandler());
  const conn = await KafkaConnection.connect('127.0.0.1', server.port, { clientId: 'tester' });
  const res = await conn.request(Metadata, 9, { topics: [{ name: 'a' }], allowAutoTopicCreation: false });
  expect(res.brokers).toEqual([{ nodeId: 1, host: 'localhost', port: 9092, rack: null }]);
  expect(res.topics).toEqual([expect.objectContaining({ name: 'a', errorCode: 3 })]);
  expect(server.received[0]).toEqual({ apiKey: 3, apiVersion: 9, clientId: 'tester' });
  conn.close();
});

test('pipelined requests are matched by correlation id even when answered out of order', async () => {
  const pending: Array<[number, number]> = [];
  server = await startServer((frame, socket) => {
    const h = readRequestHeader(frame);
    const req = decodeRequest(Metadata, h.apiVersion, frame, h.bodyOffset);
    pending.push([h.correlationId, Number((req.topics ?? [])[0]?.name)]);
    if (pending.length === 50) {
      // Answer in reverse order; each answer names the topic it was asked about.
      for (const [corr, n] of pending.reverse()) {
        socket.write(encodeResponse(Metadata, 1, corr, { brokers: [], controllerId: n, topics: [] }));
      }
    }
  });
  const conn = await KafkaConnection.connect('127.0.0.1', server.port);
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => conn.request(Metadata, 1, { topics: [{ name: String(i) }] })));
  expect(results.map((r) => r.controllerId)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  expect(conn.pending).toBe(0);
  conn.close();
});

test('per-request timeout rejects only that request; the connection stays usable', async () => {
  let answer = false;
  server = await startServer((frame, socket) => {
    const h = readRequestHeader(frame);
    if (answer) socket.write(encodeResponse(Metadata, 1, h.correlationId, { brokers: [], controllerId: 7, topics: [] }));
  });
  const conn = await KafkaConnection.connect('127.0.0.1', server.port);
  await expect(conn.request(Metadata, 1, { topics: [] }, { timeoutMs: 50 })).rejects.toBeInstanceOf(RequestTimeoutError);
  answer = true;
  await expect(conn.request(Metadata, 1, { topics: [] })).resolves.toMatchObject({ controllerId: 7 });
  conn.close();
});

test('expectResponse=false resolves once written (acks=0 produce)', async () => {
  let seen = 0;
  let resolveSeen: () => void = () => undefined;
  const seenAll = new Promise<void>((r) => (resolveSeen = r));
  server = await startServer(() => {
    seen++;
    if (seen === 2) resolveSeen();
  });
  const conn = await KafkaConnection.connect('127.0.0.1', server.port);
  const body = { acks: 0, timeoutMs: 100, topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.from('x') }] }] };
  await expect(conn.request(Produce, 7, body, { expectResponse: false })).resolves.toBeUndefined();
  await expect(conn.request(Produce, 7, body, { expectResponse: false })).resolves.toBeUndefined();
  await seenAll;
  expect(conn.pending).toBe(0);
  conn.close();
});

test('close rejects in-flight requests and emits close', async () => {
  server = await startServer(() => undefined);
  const conn = await KafkaConnection.connect('127.0.0.1', server.port);
  const closed = new Promise((resolve) => conn.on('close', resolve));
  const p = conn.request(Metadata, 1, { topics: [] });
  conn.close();
  await expect(p).rejects.toBeInstanceOf(ConnectionClosedError);
  await closed;
  expect(conn.isClosed).toBe(true);
  await expect(conn.request(Metadata, 1, { topics: [] })).rejects.toBeInstanceOf(ConnectionClosedError);
});

test('server closing the socket rejects pending requests', async () => {
  server = await startServer((_frame, socket) => socket.destroy());
  const conn = await KafkaConnection.connect('127.0.0.1', server.port);
  await expect(conn.request(Metadata, 1, { topics: [] })).rejects.toBeInstanceOf(ConnectionClosedError);
  expect(conn.isClosed).toBe(true);
});

test('an oversized response frame closes the connection before buffering it', async () => {
  server = await startServer((_frame, socket) => {
    const b = Buffer.alloc(8);
    b.writeInt32BE(50_000_000, 0);
    socket.write(b);
  });
  const conn = await KafkaConnection.connect('127.0.0.1', server.port, { maxResponseBytes: 1024 * 1024 });
  await expect(conn.request(Metadata, 1, { topics: [] })).rejects.toThrow(/bad response frame size 50000000/);
  expect(conn.isClosed).toBe(true);
});

test('responses split across many TCP chunks are reassembled', async () => {
  server = await startServer((frame, socket) => {
    const h = readRequestHeader(frame);
    const out = encodeResponse(Metadata, 1, h.correlationId, { brokers: [{ nodeId: 1, host: 'x'.repeat(3000), port: 1, rack: null }], controllerId: 1, topics: [] });
    let i = 0;
    const step = (): void => {
      if (i >= out.length) return;
      socket.write(out.subarray(i, i + 3));
      i += 3;
      setImmediate(step);
    };
    step();
  });
  const conn = await KafkaConnection.connect('127.0.0.1', server.port);
  const res = await conn.request(Metadata, 1, { topics: [] });
  expect(res.brokers[0]?.host.length).toBe(3000);
  conn.close();
});

test('connect failure is reported as ConnectionClosedError', async () => {
  const s = await startServer(() => undefined);
  const port = s.port;
  await s.close();
  await expect(KafkaConnection.connect('127.0.0.1', port, { connectTimeoutMs: 2000 })).rejects.toBeInstanceOf(ConnectionClosedError);
});

test('negotiateVersions uses v2 and pickVersion intersects ranges', async () => {
  server = await startServer(standardHandler(3));
  const conn = await KafkaConnection.connect('127.0.0.1', server.port);
  const map = await negotiateVersions(conn);
  expect(server.received.map((r) => r.apiVersion)).toEqual([2]);
  expect(map.get(0)).toEqual([0, 9]);
  expect(pickVersion(map, Produce)).toBe(9);
  expect(pickVersion(map, Produce, 7)).toBe(7);
  expect(pickVersion(new Map([[0, [3, 5]]]), Produce, 2)).toBeNull();
  expect(pickVersion(new Map(), Produce)).toBeNull();
  conn.close();
});

test('negotiateVersions falls back when the broker answers UNSUPPORTED_VERSION in the v0 layout', async () => {
  server = await startServer(standardHandler(0));
  const conn = await KafkaConnection.connect('127.0.0.1', server.port);
  const map = await negotiateVersions(conn);
  expect(server.received.map((r) => r.apiVersion)).toEqual([2, 1, 0]);
  expect(map.get(18)).toEqual([0, 3]);
  expect(conn.isClosed).toBe(false);
  conn.close();
});
