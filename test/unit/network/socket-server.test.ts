import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import pino from 'pino';
import { CloseConnection, SocketServer, type ConnectionContext, type RequestProcessor } from '../../../src/network/SocketServer';
import { waitFor } from '../../harness/waitFor';
import { connect, frame, onFrames } from './socketHelpers';

const logger = pino({ level: 'silent' });
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

async function withServer(processor: RequestProcessor, fn: (port: number, server: SocketServer) => Promise<void>, maxRequestBytes = 1024): Promise<void> {
  const server = new SocketServer({ listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }], maxRequestBytes, idleTimeoutMs: 60000, maxQueuedRequests: 100, processor, logger });
  await server.startup();
  try {
    await fn(server.boundPorts.get('PLAINTEXT')!, server);
  } finally {
    await server.shutdown();
  }
}

/** Reads `n` framed responses from a socket. */
function readFrames(s: net.Socket, n: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    onFrames(s, (body) => {
      out.push(body);
      if (out.length === n) resolve(out);
    });
    s.once('close', () => (out.length < n ? reject(new Error(`closed after ${out.length} frames`)) : undefined));
  });
}

const waitClose = (s: net.Socket): Promise<void> => new Promise((r) => (s.destroyed ? r() : s.once('close', () => r())));

/** Opens `n` connections one after the other, each sending `bytes` and waiting until the broker closes it. */
async function shortConnections(port: number, n: number, bytes: (i: number) => Buffer): Promise<void> {
  for (let i = 0; i < n; i++) {
    const s = await connect(port);
    s.on('error', () => undefined);
    s.on('data', () => undefined);
    s.write(bytes(i));
    await waitClose(s);
  }
}

describe('SocketServer', () => {
  it('answers pipelined requests in request order even when later ones finish first', async () => {
    // Delay is inversely proportional to the request number: without ordering, responses would come reversed.
    const processor: RequestProcessor = async (f) => {
      const n = f.readInt32BE(0);
      await new Promise((r) => setTimeout(r, (10 - n) * 3));
      return frame(f);
    };
    await withServer(processor, async (port) => {
      const s = await connect(port);
      const got = readFrames(s, 10);
      const all = Buffer.concat(Array.from({ length: 10 }, (_x, i) => { const p = Buffer.alloc(4); p.writeInt32BE(i); return frame(p); }));
      // Split the pipelined bytes at odd places to exercise framing across chunks.
      for (let off = 0; off < all.length; off += 7) s.write(all.subarray(off, off + 7));
      const frames = await got;
      expect(frames.map((f) => f.readInt32BE(0))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      s.destroy();
    });
  });

  it('sends nothing for requests that want no response and keeps order for the rest', async () => {
    const processor: RequestProcessor = (f) => (f[0] === 0 ? null : frame(f));
    await withServer(processor, async (port) => {
      const s = await connect(port);
      const got = readFrames(s, 2);
      s.write(Buffer.concat([frame(Buffer.from([1])), frame(Buffer.from([0])), frame(Buffer.from([2]))]));
      expect((await got).map((f) => f[0])).toEqual([1, 2]);
      s.destroy();
    });
  });

  it('closes a connection whose frame exceeds socket.request.max.bytes, before reading it, and keeps serving others', async () => {
    let calls = 0;
    await withServer((f) => { calls++; return frame(f); }, async (port) => {
      const bad = await connect(port);
      const head = Buffer.alloc(4);
      head.writeInt32BE(1_000_000_000);
      bad.write(head);
      await waitClose(bad);
      const neg = await connect(port);
      head.writeInt32BE(-5);
      neg.write(head);
      await waitClose(neg);
      const good = await connect(port);
      const got = readFrames(good, 1);
      good.write(frame(Buffer.from('hi')));
      expect((await got)[0]!.toString()).toBe('hi');
      expect(calls).toBe(1);
      good.destroy();
    });
  });

  it('closes the connection when the processor reports a protocol violation', async () => {
    await withServer(() => { throw new CloseConnection('bad'); }, async (port) => {
      const s = await connect(port);
      s.write(frame(Buffer.from('x')));
      await waitClose(s);
      expect(s.destroyed).toBe(true);
    });
  });

  it('hands an empty frame (size 0, the last bytes read) to the processor and keeps serving', async () => {
    const seen: number[] = [];
    await withServer((f) => { seen.push(f.length); return frame(Buffer.from([f.length])); }, async (port) => {
      const s = await connect(port);
      // The empty frame alone first (nothing buffered after it), answered before anything else is sent.
      s.write(Buffer.from([0, 0, 0, 0]));
      expect((await readFrames(s, 1))[0]![0]).toBe(0);
      s.removeAllListeners('data');
      s.write(frame(Buffer.from('ab')));
      expect((await readFrames(s, 1))[0]![0]).toBe(2);
      expect(seen).toEqual([0, 2]);
      s.destroy();
    });
  });

  it('receives a frame spread over many reads whole, and again after the pooled buffer is reused', async () => {
    const big = Buffer.alloc(300 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    const sums: string[] = [];
    const processor: RequestProcessor = (f) => { sums.push(f.equals(big) ? 'same' : 'different'); return frame(Buffer.from('ok')); };
    const server = new SocketServer({ listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }], maxRequestBytes: 1 << 20, idleTimeoutMs: 60000, maxQueuedRequests: 100, processor, logger, frameReusable: () => true });
    await server.startup();
    try {
      const s = await connect(server.boundPorts.get('PLAINTEXT')!);
      const answers = readFrames(s, 3);
      for (let k = 0; k < 3; k++) s.write(frame(big));
      await answers;
      expect(sums).toEqual(['same', 'same', 'same']);
      s.destroy();
    } finally {
      await server.shutdown();
    }
  });

  it('closes idle connections after connections.max.idle.ms', async () => {
    const server = new SocketServer({ listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }], maxRequestBytes: 100, idleTimeoutMs: 100, maxQueuedRequests: 10, processor: (f) => frame(f), logger });
    await server.startup();
    try {
      const s = await connect(server.boundPorts.get('PLAINTEXT')!);
      const t0 = Date.now();
      await waitClose(s);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
      const deadline = Date.now() + 2000;
      while (server.connectionCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(server.connectionCount).toBe(0);
    } finally {
      await server.shutdown();
    }
  });

  it('leaves nothing of a closed connection reachable: closed by the broker after a bad request or a bad size, or by the peer', async () => {
    const seen: Array<WeakRef<ConnectionContext>> = [];
    // Requests starting with 0 are answered, 1 closes the connection as a protocol violation.
    const processor: RequestProcessor = (f, ctx) => {
      seen.push(new WeakRef(ctx));
      if (f[0] === 1) throw new CloseConnection('bad request');
      return frame(Buffer.from('ok'));
    };
    await withServer(processor, async (port, server) => {
      const bad = Buffer.from([1, 0, 0, 0]);
      const good = Buffer.from([0, 0, 0, 0]);
      const tooBig = Buffer.from([0, 0, 0x10, 0]);
      // Closed by the broker: a bad request after good ones; a size out of range after a good one, with the rest
      // of a request half-read.
      await shortConnections(port, 20, (i) => Buffer.concat(i % 2 === 0 ? [frame(good), frame(good), frame(bad)] : [frame(good), tooBig, frame(good).subarray(0, 6)]));
      // Closed by the peer after its answer, with half a request sent.
      for (let i = 0; i < 20; i++) {
        const s = await connect(port);
        const answered = new Promise<void>((r) => s.once('data', () => r()));
        s.write(Buffer.concat([frame(good), frame(good).subarray(0, 5)]));
        await answered;
        s.destroy();
      }
      await waitFor(() => server.connectionCount === 0, { timeoutMs: 10000, what: 'every connection to be closed' });
      expect(server.queuedBytes).toBe(0);
      expect(server.connectionsWaitingForRoom).toBe(0);
      expect(seen.length).toBeGreaterThanOrEqual(40);
      // Collected at once, not after some timer: a few turns of the event loop (each a fresh job, so no WeakRef
      // target is kept for the current one), no waiting.
      let left = seen.length;
      for (let turn = 0; turn < 5 && left > 0; turn++) {
        await new Promise((r) => setImmediate(r));
        gc();
        left = seen.filter((ref) => ref.deref() !== undefined).length;
      }
      expect(left).toBe(0);
    });
  });
});
