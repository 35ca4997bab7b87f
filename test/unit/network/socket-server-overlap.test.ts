// SocketServerOptions.mayOverlap: consecutive requests it accepts (acks=-1 produce requests in the broker) may run side
// by side once the one before has called `ordered`; everything else still waits for all before it to be answered, and
// responses always go out in request order. Requests here are controlled by hand: each waits until the test settles
// it, so every interleaving below is forced rather than timed.
import net from 'node:net';
import pino from 'pino';
import { CloseConnection, SocketServer, type RequestProcessor } from '../../../src/network/SocketServer';
import { waitFor } from '../../harness/waitFor';
import { connect, frame, onFrames } from './socketHelpers';

const logger = pino({ level: 'silent' });

/** A request: kind 'P' (overlappable) or 'O' (other), an id, and whether its handler calls `ordered`. */
function request(kind: 'P' | 'O', id: number, callsOrdered: boolean): Buffer {
  return frame(Buffer.from(`${kind}${callsOrdered ? '+' : '-'}${id}`));
}

interface Running {
  ordered?: () => void;
  finish: (answer: 'ok' | 'close') => void;
}

/** A processor whose requests each wait for the test, plus the log of what started and finished. */
function controlled(): { processor: RequestProcessor; running: Map<number, Running>; events: string[] } {
  const running = new Map<number, Running>();
  const events: string[] = [];
  const processor: RequestProcessor = (f, _ctx, ordered) => {
    const text = f.toString();
    const id = Number(text.slice(2));
    events.push(`start ${id}`);
    return new Promise((resolve, reject) => {
      running.set(id, {
        ordered,
        finish: (answer) => {
          events.push(`end ${id}`);
          if (answer === 'close') reject(new CloseConnection(`request ${id} is bad`));
          else resolve(Buffer.concat([Buffer.from([0, 0, 0, text.length]), f]));
        },
      });
      if (text[1] === '+') ordered?.();
    });
  };
  return { processor, running, events };
}

async function withServer(processor: RequestProcessor, fn: (port: number, server: SocketServer) => Promise<void>): Promise<void> {
  const server = new SocketServer({
    listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }],
    maxRequestBytes: 1024,
    idleTimeoutMs: 60000,
    maxQueuedRequests: 100,
    processor,
    mayOverlap: (f) => f[0] === 0x50, // 'P'
    logger,
  });
  await server.startup();
  try {
    await fn(server.boundPorts.get('PLAINTEXT')!, server);
  } finally {
    await server.shutdown();
  }
}

/** A connection and the payloads of the answers it has received so far. */
async function open(port: number): Promise<{ socket: net.Socket; answers: string[] }> {
  const socket = await connect(port);
  const answers: string[] = [];
  onFrames(socket, (body) => answers.push(body.toString()));
  return { socket, answers };
}

const within = (what: string): { timeoutMs: number; what: string } => ({ timeoutMs: 5000, what });

describe('SocketServer: overlapping requests', () => {
  it('starts the next overlappable request once the current one is ordered, and still answers in request order', async () => {
    const { processor, running, events } = controlled();
    await withServer(processor, async (port) => {
      const { socket, answers } = await open(port);
      socket.write(Buffer.concat([request('P', 1, true), request('P', 2, true), request('P', 3, true)]));
      await waitFor(() => running.size === 3, within('three requests started'));
      expect(events).toEqual(['start 1', 'start 2', 'start 3']);
      // The later ones finish first; their answers wait for the first.
      running.get(3)!.finish('ok');
      running.get(2)!.finish('ok');
      running.get(1)!.finish('ok');
      await waitFor(() => answers.length === 3, within('three answers'));
      expect(answers).toEqual(['P+1', 'P+2', 'P+3']);
      socket.destroy();
    });
  });

  it('holds the next request back while the one before has not called ordered', async () => {
    const { processor, running, events } = controlled();
    await withServer(processor, async (port, server) => {
      const { socket, answers } = await open(port);
      const first = request('P', 1, false);
      const second = request('P', 2, true);
      socket.write(Buffer.concat([first, second]));
      // Both frames are read (their bytes are queued) while only the first has started.
      await waitFor(() => server.queuedBytes === first.length + second.length - 8 && running.size === 1, within('both frames read, one started'));
      expect(events).toEqual(['start 1']);
      // Calling ordered late lets the second start before the first is answered.
      running.get(1)!.ordered!();
      await waitFor(() => running.size === 2, within('the second started'));
      expect(events).toEqual(['start 1', 'start 2']);
      running.get(2)!.finish('ok');
      running.get(1)!.finish('ok');
      await waitFor(() => answers.length === 2, within('two answers'));
      expect(answers).toEqual(['P-1', 'P+2']);
      socket.destroy();
    });
  });

  it('starts a request of another kind only after every overlapping request before it is answered', async () => {
    const { processor, running, events } = controlled();
    await withServer(processor, async (port, server) => {
      const { socket, answers } = await open(port);
      const frames = [request('P', 1, true), request('P', 2, true), request('O', 3, true), request('P', 4, true)];
      socket.write(Buffer.concat(frames));
      await waitFor(() => running.size === 2 && server.queuedBytes === frames.reduce((n, f) => n + f.length - 4, 0), within('two started, all four read'));
      running.get(2)!.finish('ok');
      // 2 is done but not answered (1 is not): 3 must still wait.
      await waitFor(() => events.includes('end 2'), within('request 2 finished'));
      expect(running.has(3)).toBe(false);
      running.get(1)!.finish('ok');
      await waitFor(() => running.size === 3, within('request 3 started'));
      // 3 does not call for overlap (it is not overlappable), so 4 waits for its answer.
      expect(events).toEqual(['start 1', 'start 2', 'end 2', 'end 1', 'start 3']);
      running.get(3)!.finish('ok');
      await waitFor(() => running.size === 4, within('request 4 started'));
      running.get(4)!.finish('ok');
      await waitFor(() => answers.length === 4, within('four answers'));
      expect(answers).toEqual(['P+1', 'P+2', 'O+3', 'P+4']);
      expect(events).toEqual(['start 1', 'start 2', 'end 2', 'end 1', 'start 3', 'end 3', 'start 4', 'end 4']);
      socket.destroy();
    });
  });

  it('answers the requests before a bad one, then closes, and frees the bytes of those still running when they finish', async () => {
    const { processor, running } = controlled();
    await withServer(processor, async (port, server) => {
      const { socket, answers } = await open(port);
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.write(Buffer.concat([request('P', 1, true), request('P', 2, true), request('P', 3, true)]));
      await waitFor(() => running.size === 3, within('three started'));
      running.get(2)!.finish('close');
      running.get(1)!.finish('ok');
      await closed;
      // 1 was answered; the bad request 2 closed the connection before 3 could be.
      expect(answers).toEqual(['P+1']);
      expect(server.queuedBytes).toBeGreaterThan(0);
      running.get(3)!.finish('ok');
      await waitFor(() => server.queuedBytes === 0, within('all bytes freed'));
    });
  });

  it('still handles the overlapping requests of a client that went away, and frees their bytes', async () => {
    const { processor, running } = controlled();
    await withServer(processor, async (port, server) => {
      const { socket } = await open(port);
      socket.write(Buffer.concat([request('P', 1, true), request('P', 2, true)]));
      await waitFor(() => running.size === 2, within('two started'));
      socket.destroy();
      await waitFor(() => server.connectionCount === 0, within('connection gone'));
      running.get(2)!.finish('ok');
      running.get(1)!.finish('ok');
      await waitFor(() => server.queuedBytes === 0, within('all bytes freed'));
    });
  });
});
