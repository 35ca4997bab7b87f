// SocketServer.muteConnection (KIP-219 quota throttling): the response that carries the throttle still goes out at
// once, then nothing more is read or handled on that connection until the throttle time has passed; other connections
// are not affected.
import net from 'node:net';
import pino from 'pino';
import { SocketServer, type ConnectionContext, type RequestProcessor } from '../../../src/network/SocketServer';
import { connect, frame, onFrames } from './socketHelpers';

const logger = pino({ level: 'silent' });

/** Each response frame's payload with the time it arrived. */
function arrivals(s: net.Socket): Array<{ payload: string; at: number }> {
  const out: Array<{ payload: string; at: number }> = [];
  onFrames(s, (body) => out.push({ payload: body.toString(), at: Date.now() }));
  return out;
}

function untilCount(list: unknown[], n: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => (list.length >= n ? resolve() : void setImmediate(check));
    check();
  });
}

test('a muted connection gets its response at once, then is neither read nor served until the mute ends', async () => {
  let server: SocketServer | null = null;
  const handledAt = new Map<string, number>();
  // Request "mute" asks to mute its own connection for 400 ms, as a throttled handler does through ClientQuotas.
  const processor: RequestProcessor = (f: Buffer, conn: ConnectionContext) => {
    const text = f.toString();
    handledAt.set(text, Date.now());
    if (text.startsWith('mute')) server!.muteConnection(conn.id, 400);
    return frame(f);
  };
  server = new SocketServer({ listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }], maxRequestBytes: 1024, idleTimeoutMs: 60000, maxQueuedRequests: 100, processor, logger });
  await server.startup();
  try {
    const port = server.boundPorts.get('PLAINTEXT')!;
    const throttled = await connect(port);
    const other = await connect(port);
    const got = arrivals(throttled);
    const otherGot = arrivals(other);
    const t0 = Date.now();
    // Pipelined: the second request is already in flight when the first mutes the connection.
    throttled.write(Buffer.concat([frame(Buffer.from('mute-1')), frame(Buffer.from('next-2'))]));
    await untilCount(got, 1);
    expect(got[0]!.payload).toBe('mute-1');
    expect(got[0]!.at - t0).toBeLessThan(300);
    // Another connection is served while the first is muted.
    other.write(frame(Buffer.from('other')));
    await untilCount(otherGot, 1);
    expect(otherGot[0]!.at - t0).toBeLessThan(300);
    await untilCount(got, 2);
    expect(got[1]!.payload).toBe('next-2');
    // Not handled before the mute ended (a few ms of timer slack allowed).
    expect(handledAt.get('next-2')! - handledAt.get('mute-1')!).toBeGreaterThanOrEqual(395);
    throttled.destroy();
    other.destroy();
  } finally {
    await server.shutdown();
  }
});
