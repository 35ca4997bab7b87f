// Connects the TransactionCoordinator to the broker: __transaction_state reads/appends through the ReplicaManager,
// load/unload of its partitions as this broker gains or loses their leadership, partition leaders from the
// MetadataCache, WriteTxnMarkers sent over the inter-broker listener, and creation of the topic on first use.
import { CoordinatorLeadershipTracker } from './CoordinatorLeadershipTracker';
import { KafkaConnection, negotiateVersions, pickVersion } from '../client/connection';
import { TransactionStateManager, type TransactionStateStore } from '../coordinator/transaction/TransactionStateManager';
import { TransactionCoordinator } from '../coordinator/transaction/TransactionCoordinator';
import { TransactionMarkerChannelManager, type PartitionLeaderLookup, type TxnMarkerSender, type WritableTxnMarker, type WritableTxnMarkerResult } from '../coordinator/transaction/TransactionMarkerChannelManager';
import { SystemScheduler } from '../coordinator/Scheduler';
import { TRANSACTION_STATE_TOPIC } from '../coordinator/transaction/TransactionLog';
import { WriteTxnMarkers } from '../protocol/messages/27-write-txn-markers';
import { ErrorCode, KafkaError } from '../protocol/errors';
import type { AutoTopicCreationManager } from './AutoTopicCreationManager';
import type { ReplicaManager } from './ReplicaManager';
import type { MetadataCache } from './MetadataCache';
import type { Logger } from '../util/logger';

export function replicaManagerTransactionStore(rm: ReplicaManager): TransactionStateStore {
  return {
    async append(partition, batch, timeoutMs) {
      const [r] = await rm.appendRecords(timeoutMs, -1, [{ topic: TRANSACTION_STATE_TOPIC, partition, records: batch }], 'coordinator');
      return { errorCode: r?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR };
    },
    // Loading reads up to the log end offset, as Kafka's TransactionStateManager does (a new leader's high watermark
    // may lag behind writes every replica holds).
    async read(partition, fromOffset, maxBytes) {
      const p = rm.getPartition(TRANSACTION_STATE_TOPIC, partition);
      if (!p || !p.isLeader) throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `not the leader of ${TRANSACTION_STATE_TOPIC}-${partition}`);
      const end = p.logEndOffset;
      if (fromOffset >= end) return { records: Buffer.alloc(0), highWatermark: end };
      const r = await p.read(fromOffset, maxBytes, { maxOffset: end });
      return { records: r.records, highWatermark: end };
    },
    logStartOffset(partition) {
      return rm.getPartition(TRANSACTION_STATE_TOPIC, partition)?.logStartOffset ?? null;
    },
  };
}

/** Settings of __transaction_state (Kafka's TransactionLog / TransactionStateManager topic configs). */
export interface TransactionTopicSettings {
  numPartitions: number;
  replicationFactor: number;
  minIsr: number;
  segmentBytes: number;
}

/** The topic configs Kafka forces on __transaction_state. */
export function transactionTopicConfigs(s: TransactionTopicSettings): Record<string, string> {
  return {
    'cleanup.policy': 'compact',
    'compression.type': 'uncompressed',
    'min.insync.replicas': String(s.minIsr),
    'segment.bytes': String(s.segmentBytes),
    'unclean.leader.election.enable': 'false',
  };
}

/** Creates __transaction_state, reducing the replication factor to the live brokers as Kafka's auto-creation does. */
export async function createTransactionTopic(autoTopics: AutoTopicCreationManager, cache: MetadataCache, s: TransactionTopicSettings, logger: Logger): Promise<void> {
  const live = cache.aliveBrokers().length;
  let rf = s.replicationFactor;
  if (rf > live) {
    logger.warn({ configured: rf, liveBrokers: live }, `transaction.state.log.replication.factor ${rf} is more than the ${live} live broker(s); creating ${TRANSACTION_STATE_TOPIC} with replication factor ${live}`);
    rf = Math.max(1, live);
  }
  const result = await autoTopics.createTopics([TRANSACTION_STATE_TOPIC], new Map([[TRANSACTION_STATE_TOPIC, {
    numPartitions: s.numPartitions,
    replicationFactor: rf,
    config: transactionTopicConfigs(s),
  }]]));
  const code = result.get(TRANSACTION_STATE_TOPIC);
  if (code !== ErrorCode.LEADER_NOT_AVAILABLE && code !== ErrorCode.NONE) throw new Error(`could not create ${TRANSACTION_STATE_TOPIC}: error code ${code}`);
}

/** Partition leaders for markers: the topic or partition gone → 'gone'; no live leader with the listener → null. */
export function metadataLeaderLookup(cache: MetadataCache, listenerName: string): PartitionLeaderLookup {
  return {
    leaderOf(topic, partition) {
      if (!cache.hasTopic(topic)) return 'gone';
      const p = cache.getPartition(topic, partition);
      if (!p) return 'gone';
      if (p.leader < 0 || !cache.getBroker(p.leader)?.endpoints.has(listenerName)) return null;
      return p.leader;
    },
  };
}

interface BrokerLink {
  host: string;
  port: number;
  conn: Promise<{ conn: KafkaConnection; version: number }>;
}

/**
 * WriteTxnMarkers over one connection per broker to its inter-broker listener endpoint, at the highest version both
 * sides serve (v1, flexible, on Brook and Kafka 2.8).
 */
export class BrokerTxnMarkerSender implements TxnMarkerSender {
  private readonly links = new Map<number, BrokerLink>();

  constructor(
    private readonly cache: MetadataCache,
    private readonly listenerName: string,
    private readonly opts: { brokerId: number; requestTimeoutMs: number; logger: Logger },
  ) {}

  async send(brokerId: number, markers: WritableTxnMarker[]): Promise<WritableTxnMarkerResult[]> {
    const { conn, version } = await this.link(brokerId);
    const resp = await conn.request(WriteTxnMarkers, version, { markers });
    return resp.markers;
  }

  private link(brokerId: number): Promise<{ conn: KafkaConnection; version: number }> {
    const ep = this.cache.getBroker(brokerId)?.endpoints.get(this.listenerName);
    if (!ep) return Promise.reject(new Error(`broker ${brokerId} has no ${this.listenerName} endpoint`));
    const cur = this.links.get(brokerId);
    if (cur && cur.host === ep.host && cur.port === ep.port) {
      return cur.conn.then((c) => {
        if (!c.conn.isClosed) return c;
        if (this.links.get(brokerId) === cur) this.links.delete(brokerId);
        return this.link(brokerId);
      });
    }
    if (cur) void cur.conn.then((c) => c.conn.close(), () => undefined);
    const link: BrokerLink = {
      host: ep.host,
      port: ep.port,
      conn: (async () => {
        const conn = await KafkaConnection.connect(ep.host, ep.port, { clientId: `broker-${this.opts.brokerId}-txn-markers`, connectTimeoutMs: 5000, requestTimeoutMs: this.opts.requestTimeoutMs });
        try {
          const version = pickVersion(await negotiateVersions(conn), WriteTxnMarkers);
          if (version === null) throw new Error(`broker ${brokerId} does not serve WriteTxnMarkers`);
          return { conn, version };
        } catch (e) {
          conn.close();
          throw e;
        }
      })(),
    };
    link.conn.catch(() => {
      if (this.links.get(brokerId) === link) this.links.delete(brokerId);
    });
    this.links.set(brokerId, link);
    return link.conn;
  }

  close(): void {
    for (const l of this.links.values()) void l.conn.then((c) => c.conn.close(), () => undefined);
    this.links.clear();
  }
}

/** Kafka's default request.timeout.ms, which its TransactionConfig uses for __transaction_state appends. */
const TXN_LOG_APPEND_TIMEOUT_MS = 30_000;

export interface TransactionCoordinatorSetup {
  coordinator: TransactionCoordinator;
  tracker: CoordinatorLeadershipTracker;
  sender: BrokerTxnMarkerSender;
}

/** Builds the coordinator with its state manager, marker channel and leadership tracker from broker config. */
export function buildTransactionCoordinator(deps: {
  brokerId: number;
  config: (name: string) => unknown;
  replicaManager: ReplicaManager;
  metadataCache: MetadataCache;
  autoTopics: AutoTopicCreationManager;
  generateProducerId: () => Promise<bigint>;
  interBrokerListenerName: string;
  logger: Logger;
}): TransactionCoordinatorSetup {
  const num = (n: string): number => Number(deps.config(n));
  const scheduler = new SystemScheduler();
  const stateManager = new TransactionStateManager({
    numPartitions: num('transaction.state.log.num.partitions'),
    transactionMaxTimeoutMs: num('transaction.max.timeout.ms'),
    transactionalIdExpirationMs: num('transactional.id.expiration.ms'),
    requestTimeoutMs: TXN_LOG_APPEND_TIMEOUT_MS,
    loadBufferSize: num('transaction.state.log.load.buffer.size'),
  }, replicaManagerTransactionStore(deps.replicaManager), scheduler, deps.logger);
  const sender = new BrokerTxnMarkerSender(deps.metadataCache, deps.interBrokerListenerName, { brokerId: deps.brokerId, requestTimeoutMs: TXN_LOG_APPEND_TIMEOUT_MS, logger: deps.logger });
  const markers = new TransactionMarkerChannelManager({
    stateManager,
    sender,
    leaders: metadataLeaderLookup(deps.metadataCache, deps.interBrokerListenerName),
    scheduler,
    logger: deps.logger.child({ module: 'txn-markers' }),
  });
  const topic: TransactionTopicSettings = {
    numPartitions: num('transaction.state.log.num.partitions'),
    replicationFactor: num('transaction.state.log.replication.factor'),
    minIsr: num('transaction.state.log.min.isr'),
    segmentBytes: num('transaction.state.log.segment.bytes'),
  };
  const coordinator = new TransactionCoordinator({
    stateManager,
    markers,
    generateProducerId: deps.generateProducerId,
    createTransactionTopic: () => createTransactionTopic(deps.autoTopics, deps.metadataCache, topic, deps.logger),
    scheduler,
    logger: deps.logger,
    abortTimedOutTransactionsIntervalMs: num('transaction.abort.timed.out.transaction.cleanup.interval.ms'),
    removeExpiredTransactionalIdsIntervalMs: num('transaction.remove.expired.transaction.cleanup.interval.ms'),
  });
  const tracker = new CoordinatorLeadershipTracker(TRANSACTION_STATE_TOPIC, deps.replicaManager, deps.metadataCache, {
    onElection: (partition, epoch) => coordinator.onElection(partition, epoch),
    onResignation: (partition, epoch) => coordinator.onResignation(partition, epoch),
    onMetadataChange: () => markers.onMetadataChange(),
  }, deps.logger);
  return { coordinator, tracker, sender };
}
