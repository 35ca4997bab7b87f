// The ZooKeeper session layer: a promise API over node-zookeeper-client with typed errors, multi, a read
// timeout, and automatic replacement of an expired session (emitting `expired` then `reestablished`).
import { EventEmitter } from 'node:events';
import * as zookeeper from 'node-zookeeper-client';
import { moduleLogger, type Logger } from '../util/logger';

// ------------------------------------------------------------------------------------------- errors

/** Base of every error a ZooKeeper operation reports; `code` is ZooKeeper's numeric error code. */
export class ZkError extends Error {
  /** Index of the failing op when the error comes from a multi. */
  opIndex?: number;
  constructor(
    public readonly code: number,
    public readonly codeName: string,
    public readonly path: string | undefined,
  ) {
    super(`ZooKeeper ${codeName}${path ? ` on ${path}` : ''}`);
    this.name = 'ZkError';
  }
}
export class NoNodeError extends ZkError {}
export class NodeExistsError extends ZkError {}
export class BadVersionError extends ZkError {}
export class NotEmptyError extends ZkError {}
export class ConnectionLossError extends ZkError {}
export class SessionExpiredError extends ZkError {}
export class NoChildrenForEphemeralsError extends ZkError {}

const EXC = zookeeper.Exception;

function toZkError(e: unknown, path?: string): Error {
  if (e instanceof ZkError) return e;
  if (e instanceof EXC) {
    const code = e.getCode();
    const name = e.getName();
    const p = path ?? e.getPath?.() ?? undefined;
    switch (code) {
      case EXC.NO_NODE:
        return new NoNodeError(code, name, p);
      case EXC.NODE_EXISTS:
        return new NodeExistsError(code, name, p);
      case EXC.BAD_VERSION:
        return new BadVersionError(code, name, p);
      case EXC.NOT_EMPTY:
        return new NotEmptyError(code, name, p);
      case EXC.CONNECTION_LOSS:
        return new ConnectionLossError(code, name, p);
      case EXC.SESSION_EXPIRED:
        return new SessionExpiredError(code, name, p);
      case EXC.NO_CHILDREN_FOR_EPHEMERALS:
        return new NoChildrenForEphemeralsError(code, name, p);
      default:
        return new ZkError(code, name, p);
    }
  }
  return e instanceof Error ? e : new Error(String(e));
}

function excFromCode(code: number): InstanceType<typeof zookeeper.Exception> {
  // Exception.create is not in the typings; it builds the right name for a code.
  return (EXC as unknown as { create(code: number): InstanceType<typeof zookeeper.Exception> }).create(code);
}

// ------------------------------------------------------------------------------------------- types

export type CreateMode = 'persistent' | 'ephemeral' | 'persistentSequential' | 'ephemeralSequential';

const CREATE_MODES: Record<CreateMode, number> = {
  persistent: zookeeper.CreateMode.PERSISTENT,
  ephemeral: zookeeper.CreateMode.EPHEMERAL,
  persistentSequential: zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
  ephemeralSequential: zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
};

export interface ZkStat {
  version: number;
  cversion: number;
  czxid: bigint;
  mzxid: bigint;
  /** Session id of the owner for ephemerals, 0n otherwise. */
  ephemeralOwner: bigint;
  numChildren: number;
  dataLength: number;
  /** Creation time, ms since the epoch (the server's clock). */
  ctime: number;
}

export type ZkEventType = 'created' | 'deleted' | 'dataChanged' | 'childrenChanged';
export interface ZkWatchEvent {
  type: ZkEventType;
  path: string;
}
export type Watcher = (event: ZkWatchEvent) => void;

export type ZkOp =
  | { type: 'check'; path: string; version: number }
  | { type: 'create'; path: string; data?: Buffer | null; mode?: CreateMode }
  | { type: 'setData'; path: string; data: Buffer | null; version: number }
  | { type: 'delete'; path: string; version: number };

export type ZkOpResult =
  | { type: 'check' }
  | { type: 'create'; path: string }
  | { type: 'setData'; stat: ZkStat }
  | { type: 'delete' };

export interface ZkClientOptions {
  sessionTimeoutMs: number;
  connectionTimeoutMs: number;
  /** Random delay bound between reconnection rounds (node-zookeeper-client's spinDelay). */
  reconnectDelayMs?: number;
  logger?: Logger;
}

// ----------------------------------------------------------------------- library internals we touch

/** The parts of node-zookeeper-client's private ConnectionManager this module relies on (v1.1.3). */
interface ConnectionManagerInternals {
  state: number;
  socket?: { destroy(): void; destroyed?: boolean };
  connectTimeoutHandler: NodeJS.Timeout | null;
  connect(): void;
  onSocketConnected(): void;
  onSocketData(buf: Buffer): void;
  on(event: 'state', cb: (s: number) => void): void;
  removeListener(event: 'state', cb: (s: number) => void): void;
}
const CM_STATE = { CONNECTING: 1, CONNECTED: 2, CLOSED: -2 } as const;

type RawClient = zookeeper.Client & { connectionManager: ConnectionManagerInternals };

const JUTE_OP = { create: 1, delete: 2, setData: 5, check: 13, error: -1 } as const;

function bufToBigInt(b: Buffer | undefined): bigint {
  return b && b.length === 8 ? b.readBigInt64BE(0) : 0n;
}

function toStat(s: zookeeper.Stat): ZkStat {
  return {
    version: s.version,
    cversion: s.cversion,
    czxid: bufToBigInt(s.czxid),
    mzxid: bufToBigInt(s.mzxid),
    ephemeralOwner: bufToBigInt(s.ephemeralOwner),
    numChildren: s.numChildren,
    dataLength: s.dataLength,
    ctime: Number(bufToBigInt(s.ctime)),
  };
}

function eventType(t: number): ZkEventType {
  switch (t) {
    case zookeeper.Event.NODE_CREATED:
      return 'created';
    case zookeeper.Event.NODE_DELETED:
      return 'deleted';
    case zookeeper.Event.NODE_DATA_CHANGED:
      return 'dataChanged';
    default:
      return 'childrenChanged';
  }
}

/** Splits "h:p,h:p/chroot" into hosts and chroot ('' when none). */
export function parseConnectString(connectString: string): { hosts: string; chroot: string } {
  const i = connectString.indexOf('/');
  if (i < 0) return { hosts: connectString, chroot: '' };
  const chroot = connectString.slice(i).replace(/\/+$/, '');
  return { hosts: connectString.slice(0, i), chroot };
}

/**
 * Closes a node-zookeeper-client client for good. A plain close() only works on a connected client: on one
 * still connecting, the library would keep reconnecting forever (or misread the connect response as a reply
 * and throw), so we disarm its reconnect path first. Exported for tests and tools that use the raw library.
 */
export async function disposeRawClient(client: zookeeper.Client, graceMs: number): Promise<void>;
export async function disposeRawClient(c: zookeeper.Client, graceMs: number): Promise<void> {
  const client = c as RawClient;
  client.removeAllListeners();
  const cm = client.connectionManager;
  if (cm.state === CM_STATE.CONNECTED) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, graceMs);
      function done(): void {
        clearTimeout(timer);
        cm.removeListener('state', onState);
        resolve();
      }
      function onState(s: number): void {
        if (s === CM_STATE.CLOSED) done();
      }
      cm.on('state', onState);
      client.close(); // sends closeSession: ephemerals vanish at once
    });
  }
  cm.connect = () => undefined;
  cm.onSocketConnected = function (this: ConnectionManagerInternals) {
    this.socket?.destroy();
  };
  if (cm.connectTimeoutHandler) clearTimeout(cm.connectTimeoutHandler);
  cm.socket?.destroy();
}

// ------------------------------------------------------------------------------------------ client

/**
 * A ZooKeeper session that survives expiry: when the server reports the session expired, the client emits
 * `expired`, opens a new session (the library retries the TCP connection with backoff until it succeeds)
 * and emits `reestablished`. Ephemerals and watches of the old session are gone: owners re-create them.
 * Events: 'connected', 'disconnected', 'expired', 'reestablished'.
 */
export class ZkClient extends EventEmitter {
  private client: RawClient;
  private closed = false;
  private lastHeard = Date.now();
  /** When the current raw client last changed connection state (library-level, CONNECTING included). */
  private lastStateChange = Date.now();
  private readonly watchdog: NodeJS.Timeout;
  private readonly log: Logger;

  private constructor(
    private readonly connectString: string,
    private readonly opts: ZkClientOptions,
    first: RawClient,
  ) {
    super();
    this.log = opts.logger ?? moduleLogger('zk');
    this.client = first;
    this.attach(first);
    // node-zookeeper-client has no read timeout: a silent server (paused, partitioned) would never be
    // noticed. Like the Java client, drop the connection after 2/3 of the session timeout without data.
    // The same watchdog bounds the connect handshake (see checkHandshakeTimeout), so it must tick well
    // inside the session timeout.
    const period = Math.max(50, Math.floor(opts.sessionTimeoutMs / 6));
    this.watchdog = setInterval(() => this.checkReadTimeout(), Math.min(period, 500));
    this.watchdog.unref();
  }

  /**
   * Connects (creating the chroot first if the connect string has one and it is missing).
   * Fails with "could not connect to ZooKeeper at X within N ms" after connectionTimeoutMs.
   */
  static async connect(connectString: string, opts: ZkClientOptions): Promise<ZkClient> {
    const { hosts, chroot } = parseConnectString(connectString);
    if (chroot !== '' && chroot !== '/') {
      const root = await ZkClient.connect(hosts, opts);
      try {
        await root.createRecursive(chroot);
      } finally {
        await root.close();
      }
    }
    const raw = await ZkClient.openRaw(connectString, opts);
    return new ZkClient(connectString, opts, raw);
  }

  private static openRaw(connectString: string, opts: ZkClientOptions): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const raw = zookeeper.createClient(connectString, {
        sessionTimeout: opts.sessionTimeoutMs,
        spinDelay: opts.reconnectDelayMs ?? 200,
        retries: 0,
      }) as RawClient;
      const timer = setTimeout(() => {
        void disposeRawClient(raw, 0);
        reject(new Error(`could not connect to ZooKeeper at ${connectString} within ${opts.connectionTimeoutMs} ms`));
      }, opts.connectionTimeoutMs);
      raw.once('connected', () => {
        clearTimeout(timer);
        resolve(raw);
      });
      raw.connect();
    });
  }

  private attach(raw: RawClient): void {
    const cm = raw.connectionManager;
    const orig = cm.onSocketData;
    // Wrap the data handler to know when we last heard from the server (see the watchdog above).
    cm.onSocketData = (buf: Buffer) => {
      this.lastHeard = Date.now();
      orig.call(cm, buf);
    };
    // The socket that is already open bound the original handler when it was created: listen to it directly.
    const current = (cm as { socket?: { on(ev: 'data', fn: () => void): void } }).socket;
    current?.on('data', () => {
      this.lastHeard = Date.now();
    });
    cm.on('state', () => {
      if (raw === this.client) this.lastStateChange = Date.now();
    });
    raw.on('state', (state: zookeeper.State) => {
      if (raw !== this.client || this.closed) return;
      if (state === zookeeper.State.SYNC_CONNECTED) {
        this.lastHeard = Date.now();
        this.emit('connected');
      } else if (state === zookeeper.State.DISCONNECTED) {
        this.emit('disconnected');
      } else if (state === zookeeper.State.EXPIRED) {
        void this.replaceExpiredSession(raw);
      }
    });
  }

  private checkReadTimeout(): void {
    const cm = this.client.connectionManager;
    if (this.closed) return;
    if (cm.state === CM_STATE.CONNECTING) {
      this.checkHandshakeTimeout(cm);
      return;
    }
    if (cm.state !== CM_STATE.CONNECTED) return;
    const silentMs = Date.now() - this.lastHeard;
    if (silentMs > (this.opts.sessionTimeoutMs * 2) / 3) {
      this.log.warn({ silentMs }, 'no data from ZooKeeper within 2/3 of the session timeout; reconnecting');
      this.lastHeard = Date.now();
      cm.socket?.destroy(); // the library reconnects, resuming the session if it is still alive
    }
  }

  /**
   * node-zookeeper-client clears its connect timer as soon as TCP connects and then waits for the connect
   * response forever. A ZooKeeper that is still starting up (after a restart) can accept the connection and
   * never answer it; the client then sits in CONNECTING while the server, having restored our session from
   * its data dir, expires it a session timeout later. Like the Java client, bound the whole handshake:
   * after a third of the session timeout without progress, drop the socket so the library tries again.
   */
  private checkHandshakeTimeout(cm: ConnectionManagerInternals): void {
    const stalledMs = Date.now() - Math.max(this.lastHeard, this.lastStateChange);
    if (stalledMs <= this.opts.sessionTimeoutMs / 3) return;
    const socket = cm.socket;
    if (!socket || socket.destroyed) return; // between attempts: the library's spin delay is running
    this.log.warn({ stalledMs }, 'no answer to the ZooKeeper connect request; retrying the connection');
    this.lastStateChange = Date.now();
    socket.destroy(); // the close handler of the library reconnects, offering the same session
  }

  private async replaceExpiredSession(old: RawClient): Promise<void> {
    this.log.warn({ sessionId: this.sessionIdHex }, 'ZooKeeper session expired; establishing a new session');
    const fresh = zookeeper.createClient(this.connectString, {
      sessionTimeout: this.opts.sessionTimeoutMs,
      spinDelay: this.opts.reconnectDelayMs ?? 200,
      retries: 0,
    }) as RawClient;
    // Swap first: operations issued from now on queue on the new client until it connects.
    this.client = fresh;
    void disposeRawClient(old, 0);
    this.emit('expired');
    await new Promise<void>((resolve) => {
      fresh.once('connected', () => resolve());
      this.attach(fresh);
      fresh.connect();
    });
    if (this.closed) return;
    this.log.info({ sessionId: this.sessionIdHex }, 'new ZooKeeper session established');
    this.emit('reestablished');
  }

  /** The current session id (changes after expiry). */
  get sessionId(): bigint {
    return bufToBigInt(this.client.getSessionId());
  }
  get sessionIdHex(): string {
    return '0x' + this.sessionId.toString(16);
  }
  get sessionPassword(): Buffer {
    return this.client.getSessionPassword();
  }
  get negotiatedSessionTimeoutMs(): number {
    return this.client.getSessionTimeout();
  }
  get isConnected(): boolean {
    return this.client.connectionManager.state === CM_STATE.CONNECTED;
  }

  /** Closes the session; its ephemerals vanish immediately. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.watchdog);
    await disposeRawClient(this.client, 2000);
    this.removeAllListeners();
  }

  // ---------------------------------------------------------------------------------- operations

  /** Told each request's round trip in ms (Kafka's ZooKeeperRequestLatencyMs); set by the broker's metrics. */
  requestLatencyObserver: ((ms: number) => void) | null = null;

  /** `cb`, reporting the time from now until it is called to the latency observer. */
  private timed<A extends unknown[]>(cb: (...args: A) => void): (...args: A) => void {
    const observe = this.requestLatencyObserver;
    if (!observe) return cb;
    const t0 = performance.now();
    return (...args: A) => { observe(performance.now() - t0); cb(...args); };
  }

  private wrapWatcher(w: Watcher | undefined): ((e: zookeeper.Event) => void) | undefined {
    if (!w) return undefined;
    return (e) => w({ type: eventType(e.getType()), path: e.getPath() });
  }

  create(path: string, data: Buffer | null = null, mode: CreateMode = 'persistent'): Promise<string> {
    return new Promise((resolve, reject) => {
      const cb = this.timed((err: unknown, created: string): void => (err ? reject(toZkError(err, path)) : resolve(created)));
      if (data) this.client.create(path, data, CREATE_MODES[mode], cb);
      else this.client.create(path, CREATE_MODES[mode], cb);
    });
  }

  /** Creates the path and any missing parents (persistent, empty); an existing node is fine. */
  async createRecursive(path: string, data: Buffer | null = null): Promise<void> {
    try {
      await this.create(path, data);
      return;
    } catch (e) {
      if (e instanceof NodeExistsError) return;
      if (!(e instanceof NoNodeError)) throw e;
    }
    const parent = path.slice(0, path.lastIndexOf('/'));
    if (parent !== '') await this.createRecursive(parent);
    try {
      await this.create(path, data);
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
    }
  }

  /**
   * Reads are idempotent, so one that was in flight when the connection dropped is simply sent again
   * (the library queues it until it reconnects). Writes are not retried: the caller knows whether a
   * repeated create or delete is safe.
   */
  private async retryRead<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (!(e instanceof ConnectionLossError) || this.closed || attempt >= 30) throw e;
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
  }

  getData(path: string, watcher?: Watcher): Promise<{ data: Buffer | null; stat: ZkStat }> {
    return this.retryRead(() => this.getDataOnce(path, watcher));
  }

  private getDataOnce(path: string, watcher?: Watcher): Promise<{ data: Buffer | null; stat: ZkStat }> {
    return new Promise((resolve, reject) => {
      const cb = this.timed((err: unknown, data: Buffer, stat: zookeeper.Stat): void =>
        err ? reject(toZkError(err, path)) : resolve({ data: data ?? null, stat: toStat(stat) }));
      const w = this.wrapWatcher(watcher);
      if (w) this.client.getData(path, w, cb);
      else this.client.getData(path, cb);
    });
  }

  getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    return this.getChildrenWithStat(path, watcher).then((r) => r.children);
  }

  getChildrenWithStat(path: string, watcher?: Watcher): Promise<{ children: string[]; stat: ZkStat }> {
    return this.retryRead(() => this.getChildrenOnce(path, watcher));
  }

  private getChildrenOnce(path: string, watcher?: Watcher): Promise<{ children: string[]; stat: ZkStat }> {
    return new Promise((resolve, reject) => {
      const cb = this.timed((err: unknown, children: string[], stat: zookeeper.Stat): void =>
        err ? reject(toZkError(err, path)) : resolve({ children, stat: toStat(stat) }));
      const w = this.wrapWatcher(watcher);
      if (w) this.client.getChildren(path, w, cb);
      else this.client.getChildren(path, cb);
    });
  }

  /** Stat or null; with a watcher, it fires on creation, deletion or data change. */
  exists(path: string, watcher?: Watcher): Promise<ZkStat | null> {
    return this.retryRead(() => this.existsOnce(path, watcher));
  }

  private existsOnce(path: string, watcher?: Watcher): Promise<ZkStat | null> {
    return new Promise((resolve, reject) => {
      const cb = this.timed((err: unknown, stat: zookeeper.Stat): void =>
        err ? reject(toZkError(err, path)) : resolve(stat ? toStat(stat) : null));
      const w = this.wrapWatcher(watcher);
      if (w) this.client.exists(path, w, cb);
      else this.client.exists(path, cb);
    });
  }

  /** version -1 = unconditional. */
  setData(path: string, data: Buffer | null, version: number): Promise<ZkStat> {
    return new Promise((resolve, reject) => {
      this.client.setData(path, data, version, this.timed((err: unknown, stat: zookeeper.Stat) => (err ? reject(toZkError(err, path)) : resolve(toStat(stat)))));
    });
  }

  /** version -1 = unconditional. */
  delete(path: string, version: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.remove(path, version, this.timed((err: unknown) => (err ? reject(toZkError(err, path)) : resolve())));
    });
  }

  /** Deletes a subtree (children first); a missing node is fine. Retries when children appear meanwhile. */
  async deleteRecursive(path: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      let children: string[];
      try {
        children = await this.getChildren(path);
      } catch (e) {
        if (e instanceof NoNodeError) return;
        throw e;
      }
      await Promise.all(children.map((c) => this.deleteRecursive(`${path}/${c}`)));
      try {
        await this.delete(path, -1);
        return;
      } catch (e) {
        if (e instanceof NoNodeError) return;
        if (!(e instanceof NotEmptyError) || attempt >= 5) throw e;
      }
    }
  }

  /**
   * Atomic multi. On failure throws the typed error of the op that failed, with `opIndex` set.
   * Ops are pushed onto the library's transaction directly: its check/setData/remove helpers turn
   * version 0 into -1 (`version || -1`), which would silently make a "version 0" condition unconditional.
   */
  multi(ops: ZkOp[]): Promise<ZkOpResult[]> {
    const tx = this.client.transaction() as zookeeper.Transaction & { ops: unknown[] };
    const OPEN_ACL = (zookeeper as unknown as { ACL: { OPEN_ACL_UNSAFE: unknown[] } }).ACL.OPEN_ACL_UNSAFE;
    for (const op of ops) {
      switch (op.type) {
        case 'check':
          tx.ops.push({ type: JUTE_OP.check, path: op.path, version: op.version });
          break;
        case 'create':
          tx.ops.push({
            type: JUTE_OP.create,
            path: op.path,
            data: op.data ?? undefined,
            acls: OPEN_ACL,
            mode: CREATE_MODES[op.mode ?? 'persistent'],
          });
          break;
        case 'setData':
          tx.ops.push({ type: JUTE_OP.setData, path: op.path, data: op.data ?? undefined, version: op.version });
          break;
        case 'delete':
          tx.ops.push({ type: JUTE_OP.delete, path: op.path, version: op.version });
          break;
      }
    }
    type RawResult = { type: number; path?: string; stat?: zookeeper.Stat; err?: number };
    return new Promise((resolve, reject) => {
      tx.commit((err: unknown, results: RawResult[] | undefined) => {
        if (results && Array.isArray(results)) {
          // ZooKeeper marks ops before the failure OK, the failing one with its code, later ones with
          // RUNTIME_INCONSISTENCY: report the first real failure.
          const idx = results.findIndex(
            (r) => r.type === JUTE_OP.error && r.err !== 0 && r.err !== EXC.RUNTIME_INCONSISTENCY,
          );
          if (idx >= 0) {
            const failed = results[idx] as RawResult;
            const zerr = toZkError(excFromCode(failed.err ?? EXC.SYSTEM_ERROR), ops[idx]?.path);
            if (zerr instanceof ZkError) zerr.opIndex = idx;
            reject(zerr);
            return;
          }
        }
        if (err) {
          reject(toZkError(err));
          return;
        }
        resolve(
          (results ?? []).map((r, i): ZkOpResult => {
            const op = ops[i];
            switch (op?.type) {
              case 'create':
                return { type: 'create', path: r.path ?? op.path };
              case 'setData':
                return { type: 'setData', stat: toStat(r.stat as zookeeper.Stat) };
              case 'delete':
                return { type: 'delete' };
              default:
                return { type: 'check' };
            }
          }),
        );
      });
    });
  }
}
