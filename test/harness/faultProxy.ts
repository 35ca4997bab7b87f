// A TCP proxy in front of one broker that can lose Produce responses: the request reaches the broker and is
// appended, but the client never hears back and its connection drops, so it must retry the same batch. Brokers
// advertise the proxy's port (advertised.listeners) so clients that follow metadata keep going through it.
import * as net from 'node:net';

export class FaultProxy {
  /** Produce responses still to be lost. */
  dropProduceResponses = 0;
  /** Produce responses lost so far. */
  dropped = 0;
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    readonly port: number,
    private target: { host: string; port: number },
  ) {}

  async start(): Promise<void> {
    this.server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(this.target.port, this.target.host);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', closeBoth).on('close', closeBoth);
    upstream.on('error', closeBoth).on('close', closeBoth);
    // correlation id -> api key of the requests in flight on this connection
    const inFlight = new Map<number, number>();
    frames(client, (frame) => {
      if (frame.length >= 12) inFlight.set(frame.readInt32BE(8), frame.readInt16BE(4));
      upstream.write(frame);
    });
    frames(upstream, (frame) => {
      const correlationId = frame.length >= 8 ? frame.readInt32BE(4) : -1;
      const apiKey = inFlight.get(correlationId);
      inFlight.delete(correlationId);
      if (apiKey === 0 && this.dropProduceResponses > 0) {
        this.dropProduceResponses--;
        this.dropped++;
        closeBoth();
        return;
      }
      client.write(frame);
    });
  }
}

/** Calls `onFrame` with each whole size-prefixed frame (prefix included) read from `socket`. */
function frames(socket: net.Socket, onFrame: (frame: Buffer) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const size = pending.readInt32BE(0) + 4;
      if (pending.length < size) break;
      onFrame(pending.subarray(0, size));
      pending = pending.subarray(size);
    }
  });
}
