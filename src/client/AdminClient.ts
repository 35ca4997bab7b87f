// A small admin client over KafkaConnection: bootstrap, metadata, per-broker version negotiation and routing
// (any broker, a given broker, the controller, a partition leader, a group or transaction coordinator) with retries,
// and the transaction listings of KIP-664 (ListTransactions, DescribeTransactions).
import { KafkaConnection, negotiateVersions, pickVersion, type VersionMap } from './connection';
import { ErrorCode } from '../protocol/errors';
import { DescribeTransactions, FindCoordinator, ListTransactions, Metadata, type MetadataResponse } from '../protocol/messages';
import type { ApiSchema, RequestInput, ResponseOf } from '../protocol/schema';
import { rootLogger } from '../util/logger';
import { AdminError, RetriableAdminError, describeErrorCode, explainConnectError } from './errors';

export interface BrokerNode {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionMeta {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offline: number[];
  errorCode: number;
}

export interface TopicMeta {
  name: string;
  topicId: string | null;
  isInternal: boolean;
  errorCode: number;
  partitions: PartitionMeta[];
}

export interface ClusterMeta {
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerNode[];
  topics: TopicMeta[];
}

export interface AdminOptions {
  clientId?: string;
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** How long retriable failures (NOT_CONTROLLER, NOT_LEADER...) are retried. */
  retryDeadlineMs?: number;
}

/** Error codes after which a fresh metadata view and another attempt may succeed. */
export const RETRIABLE_ROUTING = new Set<number>([
  ErrorCode.NOT_CONTROLLER,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
]);

/** One transactional id as ListTransactions reports it, with the broker (its coordinator) that answered. */
export interface TransactionListing {
  transactionalId: string;
  producerId: bigint;
  /** Kafka's state names: Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort, PrepareEpochFence, Dead. */
  state: string;
  coordinatorId: number;
}

/** One transactional id as its coordinator describes it (DescribeTransactions). */
export interface TransactionDescription {
  coordinatorId: number;
  transactionalId: string;
  state: string;
  producerId: bigint;
  producerEpoch: number;
  transactionTimeoutMs: number;
  /** When the open transaction started (ms since epoch); null when none is open (the broker sends -1). */
  transactionStartTimeMs: bigint | null;
  topicPartitions: Array<{ topic: string; partition: number }>;
}

/** Kafka 3.0's error for a transactional id its coordinator does not know (not in every error table yet). */
const TRANSACTIONAL_ID_NOT_FOUND = ErrorCode.TRANSACTIONAL_ID_NOT_FOUND;

interface Conn {
  conn: KafkaConnection;
  versions: VersionMap;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Parses "h:p,h:p" into a list; throws AdminError naming the bad entry. */
export function parseBootstrap(text: string): Array<{ host: string; port: number }> {
  const out: Array<{ host: string; port: number }> = [];
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(item);
    const port = m ? Number(m[2]) : NaN;
    if (!m || port < 1 || port > 65535) {
      throw new AdminError(`bad --bootstrap-server entry "${item}": expected host:port, e.g. 127.0.0.1:9092`);
    }
    out.push({ host: m[1]!.replace(/^\[|\]$/g, ''), port });
  }
  if (out.length === 0) throw new AdminError('--bootstrap-server is empty: give host:port, e.g. 127.0.0.1:9092');
  return out;
}

export class AdminClient {
  private readonly conns = new Map<string, Promise<Conn>>();
  private readonly opts: Required<AdminOptions>;
  private meta: ClusterMeta | null = null;
  private closed = false;

  private constructor(private readonly bootstrap: Array<{ host: string; port: number }>, opts: AdminOptions) {
    this.opts = {
      clientId: opts.clientId ?? 'brook-cli',
      requestTimeoutMs: opts.requestTimeoutMs ?? 30_000,
      connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
      retryDeadlineMs: opts.retryDeadlineMs ?? 30_000,
    };
  }

  /** Connects to the first reachable bootstrap server and loads cluster metadata. */
  static async connect(bootstrap: string, opts: AdminOptions = {}): Promise<AdminClient> {
    // The CLI prints to stdout; library warnings would interleave with its output.
    if (process.env.BROOK_LOG_LEVEL === undefined) rootLogger.level = 'error';
    const client = new AdminClient(parseBootstrap(bootstrap), opts);
    try {
      await client.refreshMetadata();
    } catch (e) {
      client.close();
      throw e;
    }
    return client;
  }

  get retryDeadlineMs(): number {
    return this.opts.retryDeadlineMs;
  }

  close(): void {
    this.closed = true;
    for (const p of this.conns.values()) p.then((c) => c.conn.close(), () => undefined);
    this.conns.clear();
  }

  // ---- connections --------------------------------------------------------------------------

  private async open(host: string, port: number): Promise<Conn> {
    const key = `${host}:${port}`;
    let p = this.conns.get(key);
    if (p === undefined) {
      p = (async () => {
        let conn: KafkaConnection;
        try {
          conn = await KafkaConnection.connect(host, port, {
            clientId: this.opts.clientId,
            connectTimeoutMs: this.opts.connectTimeoutMs,
            requestTimeoutMs: this.opts.requestTimeoutMs,
          });
        } catch (e) {
          throw explainConnectError(key, e as Error);
        }
        conn.on('close', () => this.conns.delete(key));
        const versions = await negotiateVersions(conn, { timeoutMs: this.opts.requestTimeoutMs });
        return { conn, versions };
      })();
      this.conns.set(key, p);
      p.catch(() => this.conns.delete(key));
    }
    const c = await p;
    if (c.conn.isClosed) {
      this.conns.delete(key);
      return this.open(host, port);
    }
    return c;
  }

  private async brokerConn(nodeId: number): Promise<Conn> {
    let b = this.meta?.brokers.find((x) => x.nodeId === nodeId);
    if (!b) {
      await this.refreshMetadata();
      b = this.meta?.brokers.find((x) => x.nodeId === nodeId);
    }
    if (!b) throw new RetriableAdminError(`broker ${nodeId} is not in the cluster metadata (is it running?)`, ErrorCode.LEADER_NOT_AVAILABLE);
    return this.open(b.host, b.port);
  }

  /** Any reachable broker: known brokers first, then the bootstrap list. */
  private async anyConn(): Promise<Conn> {
    const candidates = [...(this.meta?.brokers ?? []), ...this.bootstrap];
    let last: Error | null = null;
    for (const c of candidates) {
      try {
        return await this.open(c.host, c.port);
      } catch (e) {
        last = e as Error;
      }
    }
    throw last ?? new AdminError('no broker to talk to');
  }

  private static version(c: Conn, api: ApiSchema, ourMax: number, ourMin = api.validVersions[0]): number {
    const v = pickVersion(c.versions, api, ourMax);
    if (v === null || v < ourMin) {
      const theirs = c.versions.get(api.apiKey);
      const range = theirs ? `versions ${theirs[0]}-${theirs[1]}` : 'no versions at all';
      throw new AdminError(
        `broker ${c.conn.host}:${c.conn.port} does not support ${api.name} (it offers ${range}; this tool needs ${ourMin}-${ourMax}) — upgrade the broker`,
      );
    }
    return v;
  }

  /** Whether a broker (any, when nodeId is omitted) supports `api` at ourMin or above. */
  async supports(api: ApiSchema, ourMin = api.validVersions[0], nodeId?: number): Promise<boolean> {
    const c = nodeId === undefined ? await this.anyConn() : await this.brokerConn(nodeId);
    const v = pickVersion(c.versions, api, api.validVersions[1]);
    return v !== null && v >= ourMin;
  }

  /**
   * Sends one request. `target`: 'any' broker, a broker id, or 'controller'. The body is built for the
   * negotiated version. Connection failures surface as RetriableAdminError so callers can re-route.
   */
  async send<A extends ApiSchema>(
    target: 'any' | 'controller' | number,
    api: A,
    body: (version: number) => RequestInput<A>,
    range: { max?: number; min?: number } = {},
  ): Promise<{ version: number; response: ResponseOf<A>; nodeId: number | null }> {
    let c: Conn;
    let nodeId: number | null = null;
    if (target === 'any') c = await this.anyConn();
    else {
      nodeId = target === 'controller' ? await this.controllerId() : target;
      c = await this.brokerConn(nodeId);
    }
    const version = AdminClient.version(c, api, range.max ?? api.validVersions[1], range.min);
    try {
      const response = await c.conn.request(api, version, body(version));
      return { version, response, nodeId };
    } catch (e) {
      if (c.conn.isClosed) throw new RetriableAdminError(`${api.name} to ${c.conn.host}:${c.conn.port} failed: ${(e as Error).message}`, ErrorCode.NETWORK_EXCEPTION);
      throw e;
    }
  }

  /** Sends a request the broker does not answer (Produce with acks=0) to a broker. */
  async sendNoResponse<A extends ApiSchema>(nodeId: number, api: A, body: (version: number) => RequestInput<A>, range: { max?: number; min?: number } = {}): Promise<void> {
    const c = await this.brokerConn(nodeId);
    const version = AdminClient.version(c, api, range.max ?? api.validVersions[1], range.min);
    await c.conn.request(api, version, body(version), { expectResponse: false });
  }

  /**
   * Runs `attempt` until it succeeds, retrying RetriableAdminError with a metadata refresh and a short
   * backoff until the retry deadline, then reports the last error.
   */
  async withRetry<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.opts.retryDeadlineMs;
    let backoff = 100;
    for (;;) {
      try {
        return await attempt();
      } catch (e) {
        if (!(e instanceof RetriableAdminError) || this.closed) throw e;
        if (Date.now() + backoff > deadline) {
          throw new AdminError(`${what} did not succeed within ${this.opts.retryDeadlineMs} ms; last error: ${e.message}`, e.code);
        }
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 1000);
        await this.refreshMetadata().catch(() => undefined);
      }
    }
  }

  /** Throws RetriableAdminError for routing errors, AdminError for the rest; NONE passes. */
  static check(code: number, context: string, message?: string | null): void {
    if (code === ErrorCode.NONE) return;
    const text = `${context}: ${describeErrorCode(code, message)}`;
    if (RETRIABLE_ROUTING.has(code)) throw new RetriableAdminError(text, code);
    throw new AdminError(text, code);
  }

  // ---- metadata -----------------------------------------------------------------------------

  /**
   * Loads metadata (all topics when `topics` is null). Topics are auto-created only when asked (as a Kafka
   * producer's metadata request does, subject to the broker's auto.create.topics.enable).
   */
  async refreshMetadata(topics: string[] | null = null, allowAutoTopicCreation = false): Promise<ClusterMeta> {
    const { response, version } = await this.send('any', Metadata, (v) => ({
      topics: topics === null ? (v === 0 ? [] : null) : topics.map((name) => ({ name })),
      allowAutoTopicCreation,
    }), { max: 9 });
    const meta = AdminClient.toClusterMeta(response, version);
    if (topics === null || this.meta === null) this.meta = meta;
    else {
      // Merge: brokers and controller are always current; topics asked for replace their entries.
      const rest = this.meta.topics.filter((t) => !topics.includes(t.name));
      this.meta = { ...meta, topics: [...rest, ...meta.topics] };
    }
    return meta;
  }

  /** One broker's own view of `topics` (not merged into the cached metadata; nothing is auto-created). */
  async metadataOf(nodeId: number, topics: string[]): Promise<ClusterMeta> {
    const { response, version } = await this.send(nodeId, Metadata, () => ({ topics: topics.map((name) => ({ name })), allowAutoTopicCreation: false }), { max: 9 });
    return AdminClient.toClusterMeta(response, version);
  }

  private static toClusterMeta(r: MetadataResponse, version: number): ClusterMeta {
    return {
      clusterId: r.clusterId,
      controllerId: version >= 1 ? r.controllerId : -1,
      brokers: r.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })).sort((a, b) => a.nodeId - b.nodeId),
      topics: r.topics
        .map((t) => ({
          // Null only in v12+ answers about unknown topic ids, which this client (topics by name) never gets.
          name: t.name ?? '',
          topicId: version >= 10 ? t.topicId : null,
          isInternal: t.isInternal,
          errorCode: t.errorCode,
          partitions: t.partitions
            .map((p) => ({
              partition: p.partitionIndex,
              leader: p.leaderId,
              leaderEpoch: p.leaderEpoch,
              replicas: [...p.replicaNodes],
              isr: [...p.isrNodes],
              offline: [...p.offlineReplicas],
              errorCode: p.errorCode,
            }))
            .sort((a, b) => a.partition - b.partition),
        }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    };
  }

  get metadata(): ClusterMeta {
    if (!this.meta) throw new AdminError('metadata not loaded');
    return this.meta;
  }

  async controllerId(): Promise<number> {
    if (!this.meta || this.meta.controllerId < 0) await this.refreshMetadata();
    const id = this.meta?.controllerId ?? -1;
    if (id < 0) throw new RetriableAdminError('the cluster has no active controller right now', ErrorCode.NOT_CONTROLLER);
    return id;
  }

  /** Metadata of one topic; throws AdminError UNKNOWN_TOPIC_OR_PARTITION with a hint when absent. */
  async topic(name: string, refresh = true): Promise<TopicMeta> {
    let t = this.meta?.topics.find((x) => x.name === name);
    if (refresh || !t) {
      const m = await this.refreshMetadata([name]);
      t = m.topics.find((x) => x.name === name);
    }
    if (!t || t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
      throw new AdminError(`topic '${name}' does not exist — create it with: brook topics --create --topic ${name} --partitions N --replication-factor R`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    }
    if (t.errorCode === ErrorCode.LEADER_NOT_AVAILABLE || t.partitions.length === 0) {
      throw new RetriableAdminError(`topic '${name}' has no leaders yet`, ErrorCode.LEADER_NOT_AVAILABLE);
    }
    AdminClient.check(t.errorCode, `metadata for topic '${name}'`);
    return t;
  }

  /** Leader of a partition (from cached metadata; refreshed by withRetry on NOT_LEADER). */
  leaderOf(topic: string, partition: number): number {
    const p = this.meta?.topics.find((t) => t.name === topic)?.partitions.find((x) => x.partition === partition);
    if (!p) throw new AdminError(`partition ${topic}-${partition} does not exist`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    if (p.leader < 0) throw new RetriableAdminError(`partition ${topic}-${partition} has no leader`, ErrorCode.LEADER_NOT_AVAILABLE);
    return p.leader;
  }

  /**
   * The coordinator of a consumer group (keyType 0) or of a transactional id (keyType 1): FindCoordinator, retried
   * while it loads or moves.
   */
  async coordinator(key: string, keyType: 0 | 1 = 0): Promise<number> {
    const what = keyType === 0 ? `group '${key}'` : `transactional id '${key}'`;
    return this.withRetry(`finding the coordinator of ${what}`, async () => {
      const { response: r, version } = await this.send('any', FindCoordinator, () => ({ key, keyType }), { min: keyType === 0 ? 0 : 1, max: 2 });
      AdminClient.check(r.errorCode, `FindCoordinator for ${what}`, version >= 1 ? r.errorMessage : null);
      // The coordinator may be a broker our metadata does not know yet; remember its address.
      const known = this.meta?.brokers.find((b) => b.nodeId === r.nodeId);
      if (!known && this.meta) this.meta.brokers.push({ nodeId: r.nodeId, host: r.host, port: r.port, rack: null });
      return r.nodeId;
    });
  }

  /** Sends to every live broker and returns the answers (errors per broker are reported, not thrown). */
  async broadcast<A extends ApiSchema>(api: A, body: (version: number) => RequestInput<A>, range: { max?: number; min?: number } = {}):
    Promise<Array<{ nodeId: number; response?: ResponseOf<A>; version?: number; error?: Error }>> {
    const brokers = (await this.refreshMetadata()).brokers;
    return Promise.all(brokers.map(async (b) => {
      try {
        const { response, version } = await this.send(b.nodeId, api, body, range);
        return { nodeId: b.nodeId, response, version };
      } catch (e) {
        return { nodeId: b.nodeId, error: e as Error };
      }
    }));
  }

  // ---- transactions (KIP-664) ----------------------------------------------------------------------------------

  /**
   * Every transactional id of the cluster: ListTransactions to each broker (each answers for the ids it coordinates),
   * merged and sorted by id. `states` and `producerIds` filter on the brokers.
   */
  async listTransactions(filters: { states?: string[]; producerIds?: bigint[] } = {}): Promise<TransactionListing[]> {
    const out: TransactionListing[] = [];
    const brokers = (await this.refreshMetadata()).brokers;
    await Promise.all(brokers.map((b) => this.withRetry(`listing the transactions of broker ${b.nodeId}`, async () => {
      const { response } = await this.send(b.nodeId, ListTransactions, () => ({
        stateFilters: filters.states ?? [], producerIdFilters: filters.producerIds ?? [],
      }));
      AdminClient.check(response.errorCode, `ListTransactions on broker ${b.nodeId}`);
      for (const t of response.transactionStates) {
        out.push({ transactionalId: t.transactionalId, producerId: t.producerId, state: t.transactionState, coordinatorId: b.nodeId });
      }
    })));
    return out.sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : a.transactionalId > b.transactionalId ? 1 : a.coordinatorId - b.coordinatorId));
  }

  /** The state of each transactional id from its coordinator (FindCoordinator key type 1, then DescribeTransactions). */
  async describeTransactions(transactionalIds: string[]): Promise<TransactionDescription[]> {
    return Promise.all(transactionalIds.map((id) => this.withRetry(`describing transactional id '${id}'`, async () => {
      const coord = await this.coordinator(id, 1);
      const { response } = await this.send(coord, DescribeTransactions, () => ({ transactionalIds: [id] }));
      const t = response.transactionStates.find((x) => x.transactionalId === id);
      if (!t) throw new AdminError(`DescribeTransactions: broker ${coord} did not answer for transactional id '${id}'`);
      if (t.errorCode === TRANSACTIONAL_ID_NOT_FOUND) {
        throw new AdminError(`transactional id '${id}' not found: its coordinator (broker ${coord}) has no state for it`, t.errorCode);
      }
      AdminClient.check(t.errorCode, `DescribeTransactions for transactional id '${id}'`);
      const topicPartitions = t.topics.flatMap((tp) => tp.partitions.map((partition) => ({ topic: tp.topic, partition })))
        .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
      return {
        coordinatorId: coord, transactionalId: id, state: t.transactionState, producerId: t.producerId, producerEpoch: t.producerEpoch,
        transactionTimeoutMs: t.transactionTimeoutMs, transactionStartTimeMs: t.transactionStartTimeMs < 0n ? null : t.transactionStartTimeMs,
        topicPartitions,
      };
    })));
  }
}
