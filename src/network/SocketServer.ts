// Accepts client connections, frames Kafka requests and writes responses in request order per connection.
import net from 'node:net';
import tls from 'node:tls';
import { FramePool, POOL_MIN_BYTES } from '../util/FramePool';
import { QueuedRequestBytes } from './QueuedRequestBytes';
import { FrameDecoder, SIZE_PREFIX_BYTES } from '../protocol/framing';
import type { Logger } from '../util/logger';
import { ANONYMOUS, type KafkaPrincipal } from '../security/types';
import type { ListenerSecurity } from '../security/listenerSecurity';
import { SaslServerAuthenticator } from '../security/sasl/SaslServerAuthenticator';
import { tlsPrincipal } from './tlsPrincipal';

/** Thrown by a request processor to make the server close the connection (protocol violations). */
export class CloseConnection extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CloseConnection';
  }
}

export interface ConnectionContext {
  readonly id: number;
  readonly listenerName: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. */
  readonly securityProtocol: string;
  /**
   * Who the client is: User:ANONYMOUS on PLAINTEXT (and SSL without a client certificate), the mapped certificate
   * DN on SSL, the SASL user on SASL listeners once authenticated (requests are served only then).
   */
  readonly principal: KafkaPrincipal;
  /** Ask the server to close this connection once the responses queued before now are written. */
  closeAfterPending(reason: string): void;
  /**
   * A buffer for bytes that go into a response of this connection by reference (a fetch's records), from the
   * server's pool: once the response carrying it (or a view of it) is written to the socket, it goes back. Only for
   * bytes nothing else keeps; a buffer never sent is simply collected.
   */
  allocResponseBytes?(size: number): Buffer;
}

/**
 * Processes one request frame (bytes after the 4-byte size); returns the framed response, or null for none.
 * `ordered` is passed for frames the server's `mayOverlap` accepts: calling it lets the connection start its next
 * such request before this one's response (see SocketServerOptions.mayOverlap).
 */
export type RequestProcessor = (frame: Buffer, ctx: ConnectionContext, ordered?: () => void) => Promise<Buffer | Buffer[] | null> | Buffer | Buffer[] | null;

export interface SocketServerOptions {
  /** `security` absent = PLAINTEXT. */
  listeners: Array<{ name: string; host: string; port: number; security?: ListenerSecurity }>;
  maxRequestBytes: number; // socket.request.max.bytes
  idleTimeoutMs: number; // connections.max.idle.ms
  maxQueuedRequests: number; // queued.max.requests, per connection
  /** queued.max.request.bytes: request bytes read and not yet handled, over all connections; <= 0 = unbounded. */
  maxQueuedBytes?: number;
  /** The same for one connection (default 16 MiB). */
  maxQueuedBytesPerConnection?: number;
  maxUnsentBytes?: number; // stop reading while more than this is waiting in the socket
  processor: RequestProcessor;
  /**
   * Whether a frame may be reused once its processor call has settled: true only where nothing keeps a view of
   * the request (see FramePool). Large frames of such requests are then received into pooled buffers.
   */
  frameReusable?: (frame: Buffer) => boolean;
  /**
   * Requests of a connection are handled one at a time, as in Kafka, except consecutive requests this accepts (acks=-1
   * produce requests): once the processor calls the current one's `ordered`, the next such request starts while the
   * current one waits (for replication); any other kind waits until all before it are answered. Responses always go
   * out in request order.
   */
  mayOverlap?: (frame: Buffer) => boolean;
  logger: Logger;
}

/** A request being handled: done once `outcome` is set; answered (in order) when it reaches the head. */
interface InFlight {
  readonly frame: Buffer;
  /** The processor said later requests may start (only overlappable requests are given the means to). */
  ordered: boolean;
  outcome: { response: Buffer | Buffer[] | null } | { error: unknown } | null;
}

const DEFAULT_MAX_UNSENT = 16 * 1024 * 1024;
const DEFAULT_MAX_QUEUED_BYTES_PER_CONNECTION = 16 * 1024 * 1024;

class Connection implements ConnectionContext {
  private readonly frames = new FrameDecoder();
  /** Size of the request being received (counted in the budgets since its size prefix was read); -1 between requests. */
  private receiving = -1;
  private queue: Buffer[] = [];
  /** Requests counted in the byte budgets (being received, queued or being handled), and their bytes. */
  private pending = 0;
  private pendingBytes = 0;
  /** Requests started and not yet answered, in request order; more than one only while produces overlap. */
  private inflight: InFlight[] = [];
  /** pump() is running (it is re-entered through readFrames). */
  private pumping = false;
  private closed = false;
  /** The socket is closed (by the peer or an error); queued requests are still handled. */
  private socketGone = false;
  private paused = false;
  private closeReason: string | null = null;
  /** Forces the socket shut if the peer does not take the last bytes; cleared once the socket is closed. */
  private destroyTimer: NodeJS.Timeout | null = null;
  /** Set after a framing error: answer the requests already queued, read nothing more, then close. */
  private drainThenClose: string | null = null;
  principal: KafkaPrincipal = ANONYMOUS;
  /** The SASL exchange of a SASL listener's connection; every frame passes it first. */
  private readonly sasl: SaslServerAuthenticator | null;
  /** KIP-219 quota throttle: nothing is read or handled on this connection before this time (Date.now() ms). */
  private mutedUntil = 0;

  constructor(
    readonly id: number,
    readonly listenerName: string,
    private readonly socket: net.Socket,
    private readonly opts: SocketServerOptions,
    private readonly onClosed: (c: Connection) => void,
    private readonly pool: FramePool,
    private readonly budget: QueuedRequestBytes,
    private readonly responsePool: FramePool,
    readonly securityProtocol: string = 'PLAINTEXT',
    security?: ListenerSecurity,
  ) {
    this.sasl = security?.sasl ? new SaslServerAuthenticator(security.sasl) : null;
    socket.setNoDelay(true);
    socket.setTimeout(opts.idleTimeoutMs, () => this.close('idle for connections.max.idle.ms'));
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('drain', () => this.readFrames());
    socket.on('error', (e) => this.opts.logger.debug({ conn: this.id, err: e.message }, 'connection error'));
    socket.on('close', () => {
      // Nothing may keep a closed connection reachable: held for the timer's second, it (socket, read buffers,
      // frames) outlives young-generation collections, so the old generation filled with dead connections between
      // full collections (fuzzing, 100,000 short connections: RSS 75 -> 224 MB, 143 MB with the timer cleared).
      if (this.destroyTimer !== null) clearTimeout(this.destroyTimer);
      this.destroyTimer = null;
      // A client that sends and disconnects (acks=0 producers do) still gets its received requests
      // handled, as Kafka does with staged receives of a closing channel; only the answers are dropped.
      this.socketGone = true;
      this.dropPartial();
      if (this.inflight.length === 0) {
        this.closed = true;
        this.dropQueued();
      }
      this.onClosed(this);
    });
  }

  get remoteAddress(): string { return this.socket.remoteAddress ?? '?'; }
  get remotePort(): number { return this.socket.remotePort ?? 0; }

  closeAfterPending(reason: string): void {
    this.closeReason = reason;
  }

  allocResponseBytes(size: number): Buffer {
    return this.responsePool.acquire(size);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.dropPartial();
    this.dropQueued();
    this.opts.logger.debug({ conn: this.id, remote: `${this.remoteAddress}:${this.remotePort}`, reason }, 'closing connection');
    this.socket.end();
    this.socket.destroySoon();
    if (!this.socketGone) this.destroyTimer = setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private onData(data: Buffer): void {
    if (this.closed) return;
    this.frames.push(data);
    this.readFrames();
  }

  /**
   * Frames the requests in the bytes read so far, as far as the budgets let new ones start, then pauses or resumes
   * the socket and hands the queue on. Runs on every read and whenever something that holds reading back eases.
   */
  private readFrames(): void {
    while (!this.closed && this.frames.buffered >= SIZE_PREFIX_BYTES) {
      if (this.receiving < 0) {
        const size = this.frames.peekSize();
        // Refuse before allocating anything for the frame.
        if (size < 0 || size > this.opts.maxRequestBytes) {
          this.refuse(size);
          return;
        }
        if (!this.mayStartRequest()) break;
        this.receiving = size;
        this.pending++;
        this.pendingBytes += size;
        this.budget.add(size);
      }
      const size = this.receiving;
      if (!this.frames.hasFrame(size)) break;
      this.receiving = -1;
      // A frame within one chunk is a view of it; one spread over chunks is copied, into a pooled buffer when
      // large and of a kind whose frames come back (opts.frameReusable).
      const pooled = size >= POOL_MIN_BYTES && this.opts.frameReusable !== undefined;
      const frame = pooled ? this.frames.takeFrame(size, (n) => this.pool.acquire(n)) : this.frames.takeFrame(size);
      this.queue.push(frame);
    }
    this.updateReading();
    if (this.queue.length > 0) this.pump();
  }

  /** A frame size out of range: read nothing more, answer what was already queued, then close. */
  private refuse(size: number): void {
    this.opts.logger.warn({ conn: this.id, size, max: this.opts.maxRequestBytes }, 'request frame size out of range (socket.request.max.bytes); closing connection');
    this.frames.clear();
    this.socket.pause();
    this.socket.removeAllListeners('data');
    this.budget.stopWaiting(this);
    this.drainThenClose = 'frame size out of range';
    if (this.queue.length === 0 && this.inflight.length === 0) this.close(this.drainThenClose);
    else this.pump();
  }

  /**
   * Whether the next request may start. A connection with requests pending waits while they exceed its budget or
   * the broker's (queued.max.request.bytes). One with none may always read one: a request larger than a budget is
   * still served, and a request that others wait on (a follower's fetch, which completes the acks=-1 produce
   * requests queued on other connections) is never held back behind them.
   */
  private mayStartRequest(): boolean {
    if (this.pending === 0) return true;
    return this.pendingBytes < (this.opts.maxQueuedBytesPerConnection ?? DEFAULT_MAX_QUEUED_BYTES_PER_CONNECTION) && !this.budget.exhausted;
  }

  /** Pauses or resumes reading: on the queued request count, the unsent response bytes and the byte budgets. */
  private updateReading(): void {
    if (this.closed || this.socketGone || this.drainThenClose !== null) return;
    this.budget.stopWaiting(this);
    // Requests overlapping the first one in flight count as queued.
    const full = this.queue.length + Math.max(0, this.inflight.length - 1) >= this.opts.maxQueuedRequests || this.socket.writableLength > (this.opts.maxUnsentBytes ?? DEFAULT_MAX_UNSENT) || this.muted();
    // Budgets never stop a request half-read: they gate the start of the next one.
    const overBudget = !full && this.receiving < 0 && !this.mayStartRequest();
    // Handled requests of this connection, or 'drain', wake the others; the broker-wide budget wakes this one.
    if (overBudget && this.budget.exhausted) this.budget.waitForRoom(this, () => this.readFrames());
    if (full || overBudget) this.pause();
    else this.resume();
  }

  // Requests on one connection are handled one at a time, like Kafka's muted channels, except overlapping acks=-1
  // produce requests (opts.mayOverlap): this keeps the side effects and the responses in request order (kafka-python
  // requires FIFO responses). Runs whenever a request arrives or finishes, or reading may resume.
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      let progressed = true;
      while (progressed && !this.closed) {
        progressed = false;
        while (this.inflight.length > 0 && this.inflight[0]!.outcome !== null) {
          if (!this.answer(this.inflight.shift()!)) return;
          progressed = true;
        }
        while (!this.closed && this.queue.length > 0 && !this.muted() && this.mayStart(this.queue[0]!)) {
          this.start(this.queue.shift()!);
          progressed = true;
        }
      }
      if (this.socketGone && !this.closed && this.inflight.length === 0) {
        this.closed = true;
        this.dropQueued();
      }
    } finally {
      this.pumping = false;
    }
  }

  /** With nothing in flight, any request; otherwise an overlappable one behind requests that all said `ordered`. */
  private mayStart(next: Buffer): boolean {
    if (this.inflight.length === 0) return true;
    if (this.opts.mayOverlap?.(next) !== true) return false;
    for (const r of this.inflight) if (!r.ordered) return false;
    return true;
  }

  private start(frame: Buffer): void {
    const overlap = this.opts.mayOverlap?.(frame) === true;
    const request: InFlight = { frame, ordered: false, outcome: null };
    this.inflight.push(request);
    const ordered = overlap
      ? (): void => {
          if (request.ordered) return;
          request.ordered = true;
          this.pump();
        }
      : undefined;
    this.process(frame, ordered).then(
      (response) => this.settled(request, { response }),
      (error: unknown) => this.settled(request, { error }),
    );
  }

  private settled(request: InFlight, outcome: NonNullable<InFlight['outcome']>): void {
    request.outcome = outcome;
    if (!this.closed) {
      this.pump();
      return;
    }
    // Closed meanwhile: nothing more is answered, but the frame's bytes leave the budgets only now.
    const i = this.inflight.indexOf(request);
    if (i >= 0) this.inflight.splice(i, 1);
    this.handled(request.frame);
  }

  /** Writes the response of the request at the head; false when the connection closes instead. */
  private answer(request: InFlight): boolean {
    this.handled(request.frame);
    const outcome = request.outcome!;
    if ('error' in outcome) {
      const e = outcome.error;
      if (e instanceof CloseConnection) this.opts.logger.info({ conn: this.id, remote: `${this.remoteAddress}:${this.remotePort}`, reason: e.message }, 'closing connection after a bad request');
      else this.opts.logger.error({ conn: this.id, err: e }, 'unexpected error while processing a request; closing connection');
      this.close(e instanceof Error ? e.message : String(e));
      return false;
    }
    if (this.closed) return false;
    if (outcome.response && !this.socketGone) this.writeResponse(outcome.response);
    if (this.closeReason !== null) {
      this.close(this.closeReason);
      return false;
    }
    if (this.drainThenClose !== null) {
      if (this.queue.length === 0 && this.inflight.length === 0) {
        this.close(this.drainThenClose);
        return false;
      }
    } else {
      this.readFrames();
    }
    return true;
  }

  /** A frame of a SASL listener goes to the authenticator first; it lets requests through once authenticated. */
  private async process(frame: Buffer, ordered?: () => void): Promise<Buffer | Buffer[] | null> {
    if (this.sasl === null) return this.opts.processor(frame, this, ordered);
    const decision = this.sasl.handle(frame);
    switch (decision.kind) {
      case 'process':
        return this.opts.processor(frame, this, ordered);
      case 'respond':
        if (decision.authenticated) this.principal = decision.authenticated;
        if (decision.closeReason !== undefined) this.authenticationFailed(decision.closeReason);
        return decision.bytes;
      default:
        this.authenticationFailed(decision.reason);
        return null;
    }
  }

  /** One line naming the client and the reason (as Kafka's "Failed authentication with ..."), then close. */
  private authenticationFailed(reason: string): void {
    this.opts.logger.warn({ conn: this.id, listener: this.listenerName, remote: `${this.remoteAddress}:${this.remotePort}`, reason }, `Failed authentication with ${this.remoteAddress} (${reason})`);
    this.closeAfterPending(reason);
  }

  /**
   * A response in several parts (header, records by reference, rest) goes out as one writev. Parts from the
   * response pool (allocResponseBytes) go back once the socket is done with them: the last part's callback runs after
   * every part before it is written (or dropped with the socket).
   */
  private writeResponse(response: Buffer | Buffer[]): void {
    if (Buffer.isBuffer(response)) {
      this.socket.write(response);
      return;
    }
    const parts = response;
    const giveBack = parts.some((p) => p.length >= POOL_MIN_BYTES) ? (): void => { for (const p of parts) this.responsePool.release(p); } : undefined;
    if (parts.length === 1) {
      this.socket.write(parts[0]!, giveBack);
      return;
    }
    this.socket.cork();
    for (let i = 0; i < parts.length - 1; i++) this.socket.write(parts[i]!);
    this.socket.write(parts[parts.length - 1]!, giveBack);
    this.socket.uncork();
  }

  /**
   * A request was handled (or dropped unhandled): its bytes leave the budgets, which may let this or another
   * connection read again, and a pooled frame whose request kind keeps no view of it goes back to the pool.
   */
  private handled(frame: Buffer): void {
    this.pending--;
    this.pendingBytes -= frame.length;
    if (frame.length >= POOL_MIN_BYTES && this.opts.frameReusable?.(frame)) this.pool.release(frame);
    this.budget.release(frame.length);
  }

  /** Drops the requests not yet handled (the connection is closed). */
  private dropQueued(): void {
    const queued = this.queue;
    this.queue = [];
    for (const frame of queued) this.handled(frame);
  }

  /** Drops the bytes of a request not yet read whole (no more will come). */
  private dropPartial(): void {
    this.budget.stopWaiting(this);
    this.frames.clear();
    if (this.receiving < 0) return;
    const size = this.receiving;
    this.receiving = -1;
    this.pending--;
    this.pendingBytes -= size;
    this.budget.release(size);
  }

  /**
   * KIP-219: a client over its quota is not read from (nor are its queued requests handled) for `ms`; the response
   * carrying the throttle time still goes out. Muting again while muted extends to the later end.
   */
  muteFor(ms: number): void {
    const until = Date.now() + ms;
    if (this.closed || ms <= 0 || until <= this.mutedUntil) return;
    this.mutedUntil = until;
    this.pause();
    const wake = (): void => {
      if (this.closed) return;
      const left = this.mutedUntil - Date.now();
      if (left > 0) setTimeout(wake, left).unref();
      else this.readFrames();
    };
    setTimeout(wake, ms).unref();
  }

  private muted(): boolean {
    return this.mutedUntil > Date.now();
  }

  private pause(): void {
    if (!this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private resume(): void {
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  destroy(): void {
    this.closed = true;
    this.dropPartial();
    this.dropQueued();
    this.socket.destroy();
  }
}

export class SocketServer {
  private servers: net.Server[] = [];
  private connections = new Set<Connection>();
  /** TCP sockets of TLS listeners, from accept until closed: shutdown ends those still in their handshake too. */
  private readonly tlsSockets = new Set<net.Socket>();
  private nextId = 1;
  private started = false;
  /** Actual bound ports, by listener name (useful when configured with port 0). */
  readonly boundPorts = new Map<string, number>();

  private readonly pool: FramePool;
  private readonly budget: QueuedRequestBytes;
  /** Buffers of bytes sent by reference in responses (fetched records), back once written. */
  private readonly responsePool: FramePool;

  constructor(private readonly opts: SocketServerOptions) {
    this.budget = new QueuedRequestBytes(opts.maxQueuedBytes ?? 0);
    // The pool holds nothing until large frames arrive; its bounds follow the request limits, so a broker
    // configured with small requests or a small queued-bytes budget never keeps more idle than it may queue.
    const queued = opts.maxQueuedBytes !== undefined && opts.maxQueuedBytes > 0 ? opts.maxQueuedBytes : Infinity;
    this.pool = new FramePool(Math.min(16 * 1024 * 1024, queued), Math.min(8 * 1024 * 1024, opts.maxRequestBytes));
    this.responsePool = new FramePool(16 * 1024 * 1024, 8 * 1024 * 1024);
  }

  async startup(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const l of this.opts.listeners) {
      const protocol = l.security?.securityProtocol ?? 'PLAINTEXT';
      const accept = (socket: net.Socket, principal: KafkaPrincipal): void => {
        const conn = new Connection(this.nextId++, l.name, socket, this.opts, (c) => this.connections.delete(c), this.pool, this.budget, this.responsePool, protocol, l.security);
        conn.principal = principal;
        this.connections.add(conn);
      };
      const t = l.security?.tls;
      let server: net.Server;
      if (t) {
        const log = this.opts.logger;
        // A socket that failed its handshake may be closed already; its TCP socket (_parent) still knows the peer.
        const peer = (s: net.Socket): net.Socket => (s.remoteAddress === undefined ? ((s as unknown as { _parent?: net.Socket })._parent ?? s) : s);
        const remoteOf = (s: net.Socket): string => `${peer(s).remoteAddress ?? '?'}:${peer(s).remotePort ?? 0}`;
        server = tls.createServer({
          ...t.contextOptions,
          requestCert: t.clientAuth !== 'none',
          // Certificates are judged in tlsPrincipal, which can log why (expired, unknown CA, missing).
          rejectUnauthorized: false,
          handshakeTimeout: 30_000,
        }, (socket) => {
          const p = tlsPrincipal(socket, t);
          if ('reason' in p) {
            log.warn({ listener: l.name, remote: remoteOf(socket), reason: p.reason }, `Failed authentication with ${peer(socket).remoteAddress ?? '?'} (SSL: ${p.reason})`);
            socket.destroy();
            return;
          }
          accept(socket, p.principal);
        });
        server.on('connection', (raw: net.Socket) => {
          this.tlsSockets.add(raw);
          raw.once('close', () => this.tlsSockets.delete(raw));
        });
        // A plaintext client or garbage: node ends the handshake.
        server.on('tlsClientError', (err, socket) => {
          const reason = err.message.replace(/^[0-9A-F]+:error:[0-9A-F]+:/, '').replace(/:\.\.\/deps\/.*$/s, '').trim();
          // A peer that just went away mid-handshake (a port probe, a client closing a connection it no longer needs)
          // failed nothing: not worth a warning.
          if ((err as NodeJS.ErrnoException).code === 'ECONNRESET') log.debug({ listener: l.name, remote: remoteOf(socket), reason }, 'client closed the connection during the TLS handshake');
          else log.warn({ listener: l.name, remote: remoteOf(socket), reason }, `Failed authentication with ${peer(socket).remoteAddress ?? '?'} (SSL handshake failed: ${reason})`);
          // Node leaves the TCP socket open after some handshake errors (a plaintext client's request): close it.
          peer(socket).destroy();
          socket.destroy();
        });
      } else {
        server = net.createServer((socket) => accept(socket, ANONYMOUS));
      }
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: l.host === '' ? undefined : l.host, port: l.port, backlog: 511 }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const addr = server.address();
      if (addr && typeof addr === 'object') this.boundPorts.set(l.name, addr.port);
      this.servers.push(server);
    }
  }

  get connectionCount(): number { return this.connections.size; }

  /** Mutes a connection for a quota throttle (KIP-219); ClientQuotas.onThrottle calls this. */
  muteConnection(connectionId: number, ms: number): void {
    for (const c of this.connections) if (c.id === connectionId) c.muteFor(ms);
  }
  /** Request bytes read and not yet handled, over all connections (what queued.max.request.bytes bounds). */
  get queuedBytes(): number { return this.budget.bytes; }
  /** Connections waiting for room under queued.max.request.bytes. */
  get connectionsWaitingForRoom(): number { return this.budget.waiters; }

  /** Stops accepting connections; closes existing ones once in-flight work is done (bounded by `graceMs`). */
  async shutdown(graceMs = 2000): Promise<void> {
    if (!this.started) return;
    this.started = false;
    // server.close() only calls back once every connection is gone, so close connections in parallel.
    const closed = Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.servers = [];
    for (const c of this.connections) c.close('broker shutting down');
    const deadline = Date.now() + graceMs;
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const c of this.connections) c.destroy();
    this.connections.clear();
    for (const raw of this.tlsSockets) raw.destroy();
    this.tlsSockets.clear();
    await closed;
  }
}
