// A small Kafka client connection (pipelined requests matched by correlation id) for brokers, CLI and tests.
import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { decodeResponse, encodeRequest } from '../protocol/codec';
import { ErrorCode } from '../protocol/errors';
import { CopyingFrameReader, FrameDecoder, SIZE_PREFIX_BYTES } from '../protocol/framing';
import { ApiVersions } from '../protocol/messages';
import type { ApiSchema, RequestInput, RequestOf, ResponseOf } from '../protocol/schema';
import { moduleLogger, type Logger } from '../util/logger';
import type { ClientSecurity } from '../security/listenerSecurity';
import type { FramePool } from '../util/FramePool';
import { authenticateSasl } from './securitySasl';

export interface ConnectOptions {
  /** Sent in every request header; null sends a null client id. Default 'brook'. */
  clientId?: string | null;
  connectTimeoutMs?: number;
  /** Default per-request timeout. */
  requestTimeoutMs?: number;
  /** Responses larger than this close the connection before any allocation for them. Default 100 MiB. */
  maxResponseBytes?: number;
  /** TLS (SSL, SASL_SSL) and SASL (SASL_PLAINTEXT, SASL_SSL) for this connection; absent = PLAINTEXT. */
  security?: ClientSecurity;
  /**
   * Large response frames are received into buffers of this pool (a follower's fetches: the caller gives each
   * response's records back once they are in its log); without it each frame is a fresh allocation.
   */
  framePool?: FramePool;
}

export interface RequestOptions {
  /** False for requests the broker does not answer (Produce with acks=0): resolves once written. */
  expectResponse?: boolean;
  timeoutMs?: number;
  /** Part of a (re-)authentication exchange: sent even while other requests wait for it. */
  authentication?: boolean;
}

export class ConnectionClosedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionClosedError';
  }
}

export class RequestTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequestTimeoutError';
  }
}

interface InFlight {
  readonly api: ApiSchema;
  readonly version: number;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const DEFAULT_MAX_RESPONSE = 100 * 1024 * 1024;
/** The one buffer a pooled plain-TCP connection's socket reads into (see CopyingFrameReader). */
const READ_BUFFER_BYTES = 256 * 1024;

/** What connections without their own `security` use: a tool's --command-config (see ./security.ts). */
let defaultSecurity: ClientSecurity | undefined;
export function setDefaultClientSecurity(security: ClientSecurity | undefined): void {
  defaultSecurity = security;
}

export class KafkaConnection extends EventEmitter {
  private readonly inFlight = new Map<number, InFlight>();
  private nextCorrelationId = 0;
  private readonly frames = new FrameDecoder();
  private closed = false;
  private closeError: Error | null = null;
  private readonly log: Logger;
  private readonly clientId: string | null;
  private readonly requestTimeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly allocFrame: ((n: number) => Buffer) | undefined;
  /** Set when the socket reads into one reused buffer (`onread`): frames are copied out as the bytes arrive. */
  private readonly reader: CopyingFrameReader | null;

  private constructor(
    private readonly socket: net.Socket,
    readonly host: string,
    readonly port: number,
    opts: ConnectOptions,
    copying = false,
  ) {
    super();
    this.clientId = opts.clientId === undefined ? 'brook' : opts.clientId;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE;
    const pool = opts.framePool;
    this.allocFrame = pool === undefined ? undefined : (n) => pool.acquire(n);
    this.log = moduleLogger('client', { broker: `${host}:${port}` });
    socket.setNoDelay(true);
    this.reader = copying && pool !== undefined ? new CopyingFrameReader((n) => pool.acquire(n), (size) => this.acceptSize(size), (frame) => this.onFrame(frame)) : null;
    if (this.reader === null) socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.shutdown(new ConnectionClosedError(`connection to ${host}:${port} failed: ${err.message}`)));
    socket.on('close', () => this.shutdown(new ConnectionClosedError(`connection to ${host}:${port} closed`)));
  }

  static async connect(host: string, port: number, opts: ConnectOptions = {}): Promise<KafkaConnection> {
    const timeoutMs = opts.connectTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    const security = opts.security ?? defaultSecurity;
    // A plain-TCP connection with a frame pool (a follower's fetcher) reads into one buffer and copies each read
    // into its frame at once, instead of a fresh buffer per read (CopyingFrameReader). Node reads TLS its own way.
    let conn: KafkaConnection | undefined;
    const onread = opts.framePool !== undefined && security?.tls === undefined
      ? { buffer: Buffer.allocUnsafeSlow(READ_BUFFER_BYTES), callback: (n: number, buf: Uint8Array): boolean => { conn?.onRead(buf as Buffer, n); return true; } }
      : undefined;
    const socket = await KafkaConnection.openSocket(host, port, security?.tls, timeoutMs, onread);
    conn = new KafkaConnection(socket, host, port, opts, onread !== undefined);
    const sasl = security?.sasl;
    if (sasl !== undefined) {
      try {
        const lifetime = await authenticateSasl(conn, sasl, Math.max(1000, deadline - Date.now()));
        conn.scheduleReauthentication(sasl, lifetime, timeoutMs);
      } catch (e) {
        conn.close();
        throw e;
      }
    }
    return conn;
  }

  /** A TCP socket, or a TLS socket once its handshake is done (the server's certificate checked). */
  private static openSocket(host: string, port: number, tlsOptions: tls.ConnectionOptions | undefined, timeoutMs: number, onread?: net.OnReadOpts): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = tlsOptions === undefined
        ? net.connect({ host, port, ...(onread === undefined ? {} : { onread }) })
        : tls.connect({ ...tlsOptions, host, port, ...(net.isIP(host) === 0 && tlsOptions.servername === undefined ? { servername: host } : {}) });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnectionClosedError(`connect to ${host}:${port} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const onError = (err: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(new ConnectionClosedError(`connect to ${host}:${port} failed: ${tlsOptions ? 'TLS: ' : ''}${err.message}`));
      };
      const onClose = (): void => onError(new Error('connection closed during the handshake'));
      socket.once('error', onError);
      socket.once('close', onClose);
      socket.once(tlsOptions === undefined ? 'connect' : 'secureConnect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        socket.off('close', onClose);
        resolve(socket);
      });
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Number of requests awaiting a response. */
  get pending(): number {
    return this.inFlight.size;
  }

  request<A extends ApiSchema>(
    api: A,
    version: number,
    body: RequestInput<A> | RequestOf<A>,
    opts: RequestOptions & { expectResponse: false },
  ): Promise<undefined>;
  request<A extends ApiSchema>(
    api: A,
    version: number,
    body: RequestInput<A> | RequestOf<A>,
    opts?: RequestOptions,
  ): Promise<ResponseOf<A>>;
  request<A extends ApiSchema>(
    api: A,
    version: number,
    body: RequestInput<A> | RequestOf<A>,
    opts: RequestOptions = {},
  ): Promise<ResponseOf<A> | undefined> {
    if (this.closed) {
      return Promise.reject(this.closeError ?? new ConnectionClosedError('connection is closed'));
    }
    // While the connection re-authenticates (KIP-368) the broker takes only the SASL exchange: others wait.
    if (this.reauthentication !== null && opts.authentication !== true) {
      return this.reauthentication.then(() => this.request(api, version, body, opts as RequestOptions));
    }
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff;
    let frame: Buffer;
    try {
      frame = encodeRequest(api, version, { correlationId, clientId: this.clientId }, body);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    if (opts.expectResponse === false) {
      return new Promise((resolve, reject) => {
        this.socket.write(frame, (err) => (err ? reject(err) : resolve(undefined)));
      });
    }
    const timeoutMs = opts.timeoutMs ?? this.requestTimeoutMs;
    return new Promise<ResponseOf<A>>((resolve, reject) => {
      const timer = setTimeout(() => {
        // A late answer is dropped by correlation id; the connection itself stays usable.
        if (this.inFlight.delete(correlationId)) {
          reject(new RequestTimeoutError(`${api.name} v${version} to ${this.host}:${this.port} timed out after ${timeoutMs} ms`));
        }
      }, timeoutMs);
      this.inFlight.set(correlationId, {
        api,
        version,
        resolve: resolve as (v: unknown) => void,
        reject,
        timer,
      });
      this.socket.write(frame);
    });
  }

  private reauthentication: Promise<void> | null = null;
  private reauthTimer: NodeJS.Timeout | null = null;

  /**
   * KIP-368: re-authenticates before the session the broker granted (SaslAuthenticate's session_lifetime_ms) runs
   * out, at 85-95% of it as Kafka's clients do, holding new requests back meanwhile. A failure closes the connection.
   */
  private scheduleReauthentication(sasl: { mechanism: string; username: string; password: string }, lifetimeMs: bigint, timeoutMs: number): void {
    if (lifetimeMs <= 0n || this.closed) return;
    const delay = Number(lifetimeMs) * (0.85 + Math.random() * 0.1);
    this.reauthTimer = setTimeout(() => {
      this.reauthTimer = null;
      this.reauthentication = authenticateSasl(this, sasl, timeoutMs).then(
        (lifetime) => {
          this.reauthentication = null;
          this.emit('reauthenticated', lifetime);
          this.scheduleReauthentication(sasl, lifetime, timeoutMs);
        },
        (e: unknown) => {
          this.reauthentication = null;
          this.log.warn({ err: (e as Error).message }, 're-authentication failed; closing the connection');
          this.shutdown(new ConnectionClosedError(`re-authentication to ${this.host}:${this.port} failed: ${(e as Error).message}`));
        },
      );
    }, delay);
    this.reauthTimer.unref();
  }

  close(): void {
    this.shutdown(new ConnectionClosedError(`connection to ${this.host}:${this.port} closed by client`));
  }

  private shutdown(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.closeError = err;
    if (this.reauthTimer !== null) clearTimeout(this.reauthTimer);
    this.socket.destroy();
    for (const [, req] of this.inFlight) {
      clearTimeout(req.timer);
      req.reject(err);
    }
    this.inFlight.clear();
    this.frames.clear();
    this.emit('close', err);
  }

  private onData(chunk: Buffer): void {
    this.frames.push(chunk);
    while (!this.closed && this.frames.buffered >= SIZE_PREFIX_BYTES) {
      const size = this.frames.peekSize();
      if (!this.acceptSize(size)) return;
      if (!this.frames.hasFrame(size)) return;
      this.onFrame(this.frames.takeFrame(size, this.allocFrame));
    }
  }

  /** `n` bytes read into the socket's reused buffer (onread): valid only during this call. */
  private onRead(buf: Buffer, n: number): void {
    if (this.closed || this.reader === null) return;
    this.reader.read(buf.subarray(0, n));
  }

  /** A response frame size within bounds; otherwise the connection closes. */
  private acceptSize(size: number): boolean {
    if (size >= 4 && size <= this.maxResponseBytes) return true;
    this.log.warn({ size }, 'response frame size out of bounds; closing');
    this.shutdown(new ConnectionClosedError(`bad response frame size ${size} from ${this.host}:${this.port}`));
    return false;
  }

  private onFrame(frame: Buffer): void {
    if (frame.length < 4) return;
    const correlationId = frame.readInt32BE(0);
    const req = this.inFlight.get(correlationId);
    if (req === undefined) {
      this.log.debug({ correlationId }, 'response for an unknown or timed-out request dropped');
      return;
    }
    this.inFlight.delete(correlationId);
    clearTimeout(req.timer);
    try {
      req.resolve(decodeResponse(req.api, req.version, frame).body);
    } catch (err) {
      req.reject(err as Error);
    }
  }
}

/** Supported version range per API key, as a broker advertises in ApiVersions. */
export type VersionMap = ReadonlyMap<number, readonly [number, number]>;

/**
 * Asks the broker which API versions it supports: ApiVersions v2, falling back to v1 and v0 when the
 * broker answers UNSUPPORTED_VERSION (in the v0 layout) or the answer does not parse at that version.
 */
export async function negotiateVersions(conn: KafkaConnection, opts: { timeoutMs?: number } = {}): Promise<VersionMap> {
  let lastError: Error | null = null;
  for (const version of [2, 1, 0]) {
    let res: ResponseOf<typeof ApiVersions>;
    try {
      res = await conn.request(ApiVersions, version, {}, { timeoutMs: opts.timeoutMs });
    } catch (err) {
      if (conn.isClosed) throw err;
      lastError = err as Error;
      continue;
    }
    if (res.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
      lastError = new Error(`ApiVersions v${version} not supported by ${conn.host}:${conn.port}`);
      continue;
    }
    if (res.errorCode !== ErrorCode.NONE) throw new Error(`ApiVersions failed with error ${res.errorCode}`);
    return new Map(res.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion] as const]));
  }
  throw lastError ?? new Error('ApiVersions negotiation failed');
}

/** Highest version both sides support (ours capped at ourMax), or null if the ranges do not meet. */
export function pickVersion(map: VersionMap, api: ApiSchema, ourMax: number = api.validVersions[1]): number | null {
  const theirs = map.get(api.apiKey);
  if (theirs === undefined) return null;
  const hi = Math.min(theirs[1], ourMax, api.validVersions[1]);
  const lo = Math.max(theirs[0], api.validVersions[0]);
  return hi >= lo ? hi : null;
}
