// Byte budgets for requests read and not yet handled: per connection and broker-wide (queued.max.request.bytes).
import net from 'node:net';
import pino from 'pino';
import { QueuedRequestBytes } from '../../../src/network/QueuedRequestBytes';
import { SocketServer, type RequestProcessor, type SocketServerOptions } from '../../../src/network/SocketServer';
import { waitFor } from '../../harness/waitFor';

const logger = pino({ level: 'silent' });
const MiB = 1024 * 1024;

jest.setTimeout(30_000);

/** A request frame: size prefix, then the id, then filler up to `bytes` bytes. */
function request(id: number, bytes: number): Buffer {
  const b = Buffer.alloc(4 + bytes);
  b.writeInt32BE(bytes, 0);
  b.writeInt32BE(id, 4);
  return b;
}

function answer(id: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt32BE(4, 0);
  b.writeInt32BE(id, 4);
  return b;
}

/** Collects the ids of the answers on a socket. */
function answers(s: net.Socket): number[] {
  const ids: number[] = [];
  let buf = Buffer.alloc(0);
  s.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 8) {
      ids.push(buf.readInt32BE(4));
      buf = buf.subarray(8);
    }
  });
  return ids;
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** A processor that holds requests with an id below 1000 until `open()`; the others are answered at once. */
function gatedProcessor(): { processor: RequestProcessor; open: () => void; seen: number[] } {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const seen: number[] = [];
  const processor: RequestProcessor = async (f) => {
    const id = f.readInt32BE(0);
    seen.push(id);
    if (id < 1000) await gate;
    return answer(id);
  };
  return { processor, open: () => release(), seen };
}

async function withServer(opts: Partial<SocketServerOptions> & { processor: RequestProcessor }, fn: (port: number, server: SocketServer) => Promise<void>): Promise<void> {
  const server = new SocketServer({ listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }], maxRequestBytes: 64 * MiB, idleTimeoutMs: 60000, maxQueuedRequests: 500, logger, ...opts });
  await server.startup();
  try {
    await fn(server.boundPorts.get('PLAINTEXT')!, server);
  } finally {
    await server.shutdown();
  }
}

const until = (cond: () => boolean, what: string): Promise<boolean> => waitFor(cond, { timeoutMs: 10000, intervalMs: 2, what });

/** Polls `cond`, recording the largest queuedBytes seen meanwhile. */
function watch(server: SocketServer, peak: { bytes: number }, cond: () => boolean, what: string): Promise<boolean> {
  return until(() => {
    peak.bytes = Math.max(peak.bytes, server.queuedBytes);
    return cond();
  }, what);
}

/** Pipelines `n` requests of 1 MiB with ids from `first` on. */
function pipelineMiB(s: net.Socket, n: number, first = 0): void {
  for (let i = 0; i < n; i++) s.write(request(first + i, MiB));
}

describe('QueuedRequestBytes', () => {
  test('is exhausted from the limit on, and wakes each waiter once when the total falls below it', async () => {
    const q = new QueuedRequestBytes(100);
    const woken: string[] = [];
    const [a, b, c] = [{}, {}, {}];
    q.add(60);
    expect(q.exhausted).toBe(false);
    q.add(60); // the request that crosses the limit is counted whole
    expect(q.exhausted).toBe(true);
    q.waitForRoom(a, () => woken.push('a'));
    q.waitForRoom(b, () => woken.push('b'));
    q.waitForRoom(c, () => woken.push('c'));
    q.stopWaiting(c);
    q.release(10);
    await Promise.resolve();
    expect(woken).toEqual([]); // 110: still exhausted
    q.release(20);
    expect(woken).toEqual([]); // after the current turn
    await Promise.resolve();
    expect(woken).toEqual(['a', 'b']);
    expect(q.waiters).toBe(0);
    q.release(90);
    expect(q.bytes).toBe(0);
  });

  test('a limit of -1 (or 0) is unbounded', () => {
    for (const limit of [-1, 0]) {
      const q = new QueuedRequestBytes(limit);
      q.add(2 ** 40);
      expect(q.exhausted).toBe(false);
    }
  });
});

describe('SocketServer byte budgets', () => {
  test('a connection stops reading while its requests pending exceed its budget, and every request is answered', async () => {
    const { processor, open, seen } = gatedProcessor();
    await withServer({ processor, maxQueuedBytesPerConnection: 2 * MiB }, async (port, server) => {
      const s = await connect(port);
      const got = answers(s);
      // 24 x 1 MiB pipelined behind a request that is held: more than the socket buffers take.
      pipelineMiB(s, 24);
      const peak = { bytes: 0 };
      await watch(server, peak, () => server.queuedBytes >= 2 * MiB && seen.length === 1, 'the budget to fill behind the held request');
      open();
      await watch(server, peak, () => got.length === 24, 'every answer');
      expect(got).toEqual(Array.from({ length: 24 }, (_x, i) => i));
      // The request crossing the budget is read whole: at most one request over it.
      expect(peak.bytes).toBeLessThanOrEqual(3 * MiB);
      expect(server.queuedBytes).toBe(0);
      s.destroy();
    });
  });

  test('queued.max.request.bytes holds back every connection with requests pending; one with none may still read one', async () => {
    const { processor, open, seen } = gatedProcessor();
    await withServer({ processor, maxQueuedBytes: 3 * MiB }, async (port, server) => {
      const a = await connect(port);
      const b = await connect(port);
      const gotA = answers(a);
      const gotB = answers(b);
      pipelineMiB(a, 16);
      const peak = { bytes: 0 };
      await watch(server, peak, () => server.queuedBytes >= 3 * MiB, 'connection A to exhaust the broker-wide budget');
      // B's first request is held too, so B has one pending and must wait for room before reading its next.
      pipelineMiB(b, 8, 100);
      await watch(server, peak, () => server.connectionsWaitingForRoom === 2 && seen.includes(100), 'connections A and B to wait for room');
      // An idle connection still gets a request through (a follower's fetch must not wait behind produce requests),
      // even one larger than the whole budget.
      const c = await connect(port);
      const gotC = answers(c);
      c.write(request(1000, 4 * MiB));
      await watch(server, peak, () => gotC.length === 1, 'the idle connection to be answered');
      c.write(request(1001, 16));
      await watch(server, peak, () => gotC.length === 2, 'its next request, once the first was handled');
      // The budget plus the request crossing it, B's one and the idle connection's one.
      expect(peak.bytes).toBeLessThanOrEqual(4 * MiB + MiB + 4 * MiB);
      open();
      await watch(server, peak, () => gotA.length === 16 && gotB.length === 8, 'every answer on A and B');
      expect(gotA).toEqual(Array.from({ length: 16 }, (_x, i) => i));
      expect(gotB).toEqual(Array.from({ length: 8 }, (_x, i) => 100 + i));
      expect(server.queuedBytes).toBe(0);
      expect(server.connectionsWaitingForRoom).toBe(0);
      for (const s of [a, b, c]) s.destroy();
    });
  });

  test('a request larger than both budgets is read when nothing else is pending', async () => {
    await withServer({ processor: (f) => answer(f.readInt32BE(0)), maxQueuedBytes: MiB, maxQueuedBytesPerConnection: MiB }, async (port, server) => {
      const s = await connect(port);
      const got = answers(s);
      s.write(Buffer.concat([request(1, 5 * MiB), request(2, 5 * MiB), request(3, 10)]));
      await until(() => got.length === 3, 'three answers');
      expect(got).toEqual([1, 2, 3]);
      expect(server.queuedBytes).toBe(0);
      s.destroy();
    });
  });

  test('a connection closed by its peer gives back the bytes of its half-read request, and of the rest once handled', async () => {
    const { processor, open, seen } = gatedProcessor();
    await withServer({ processor, maxQueuedBytes: 2 * MiB }, async (port, server) => {
      const a = await connect(port);
      pipelineMiB(a, 8);
      await until(() => server.queuedBytes >= 2 * MiB && seen.length === 1, 'queued requests');
      const held = server.queuedBytes;
      const b = await connect(port);
      // Half a request: its size is counted from the prefix on.
      b.write(request(1000, 1000).subarray(0, 500));
      await until(() => server.queuedBytes === held + 1000, 'the half-read request to be counted');
      b.destroy();
      await until(() => server.queuedBytes === held && server.connectionCount === 1, 'B to be gone with its bytes');
      // A is not reading, so it sees its peer go only after its requests were handled (as acks=0 producers need).
      a.destroy();
      open();
      await until(() => server.queuedBytes === 0 && server.connectionCount === 0, 'A to be gone with every byte given back');
      expect(server.connectionsWaitingForRoom).toBe(0);
    });
  });

  test('a connection the broker closes drops its queued requests at once', async () => {
    const { processor, open, seen } = gatedProcessor();
    await withServer({ processor, maxQueuedBytesPerConnection: 2 * MiB, idleTimeoutMs: 300 }, async (port, server) => {
      const a = await connect(port);
      a.on('error', () => undefined);
      pipelineMiB(a, 8);
      await until(() => server.queuedBytes >= 2 * MiB && seen.length === 1, 'queued requests');
      // Not reading, so idle: closed after connections.max.idle.ms. Only the request being handled is still held.
      await until(() => server.connectionCount === 0, 'the idle connection to be closed');
      expect(server.queuedBytes).toBe(MiB);
      open();
      await until(() => server.queuedBytes === 0, 'the handled request to be given back');
      a.destroy();
    });
  });
});
