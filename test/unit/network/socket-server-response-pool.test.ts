// ConnectionContext.allocResponseBytes: buffers for bytes sent by reference (a fetch's records) come from the server's
// pool and go back only once the socket has written them. A client that does not read keeps the responses queued in
// the socket, so a buffer given back too early would be refilled by a later response before the first went out.
import pino from 'pino';
import { SocketServer, type RequestProcessor } from '../../../src/network/SocketServer';
import { waitFor } from '../../harness/waitFor';
import { connect, frame, onFrames } from './socketHelpers';

const logger = pino({ level: 'silent' });
const PART = 1024 * 1024;

function request(id: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(id, 0);
  return frame(b);
}

test('a pooled response part goes back only after it is written, and is then reused', async () => {
  const handedOut = new Set<ArrayBufferLike>();
  let reused = 0;
  // Each response: its request id, then 1 MiB from the response pool filled with that id.
  const processor: RequestProcessor = (f, ctx) => {
    const id = f.readInt32BE(0);
    const part = ctx.allocResponseBytes!(PART);
    if (handedOut.has(part.buffer)) reused++;
    handedOut.add(part.buffer);
    part.fill(id & 0xff);
    const head = Buffer.alloc(8);
    head.writeInt32BE(4 + PART, 0);
    head.writeInt32BE(id, 4);
    return [head, part];
  };
  const server = new SocketServer({ listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }], maxRequestBytes: 1024, idleTimeoutMs: 60000, maxQueuedRequests: 100, maxUnsentBytes: 64 * PART, processor, logger });
  await server.startup();
  try {
    const socket = await connect(server.boundPorts.get('PLAINTEXT')!);
    socket.pause();
    const answers: Array<{ id: number; intact: boolean }> = [];
    onFrames(socket, (body) => {
      const id = body.readInt32BE(0);
      const part = body.subarray(4);
      answers.push({ id, intact: part.length === PART && part.every((x) => x === (id & 0xff)) });
    });
    // 40 responses queue up behind a client that reads nothing: 40 distinct buffers, none back yet.
    socket.write(Buffer.concat(Array.from({ length: 40 }, (_x, i) => request(i + 1))));
    await waitFor(() => handedOut.size === 40, { timeoutMs: 10_000, what: '40 responses made' });
    expect(reused).toBe(0);
    socket.resume();
    await waitFor(() => answers.length === 40, { timeoutMs: 10_000, what: '40 answers read' });
    expect(answers.map((a) => a.id)).toEqual(Array.from({ length: 40 }, (_x, i) => i + 1));
    expect(answers.every((a) => a.intact)).toBe(true);
    // Written, so back in the pool: the next responses reuse those buffers.
    socket.write(Buffer.concat(Array.from({ length: 10 }, (_x, i) => request(100 + i))));
    await waitFor(() => answers.length === 50, { timeoutMs: 10_000, what: '10 more answers read' });
    expect(reused).toBe(10);
    expect(answers.slice(40).every((a) => a.intact)).toBe(true);
    socket.destroy();
  } finally {
    await server.shutdown();
  }
});
