// High watermarks for consumer lag: the group coordinator is often not the leader (nor a replica) of the partitions
// its groups consume. A partition with a local replica answers from it (the leader's HW exactly, a follower's copy of
// it at most one fetch behind); others are asked of their leaders with ListOffsets (latest, read_uncommitted, which
// is the HW), batched per leader, in the background for the partitions lag was asked about recently and before a
// scrape, as kafka-lag-exporter does from outside the cluster.
import { KafkaConnection } from '../../client/connection';
import { interBrokerSecurity } from '../../client/interBroker';
import { ListOffsets } from '../../protocol/messages';
import { ErrorCode } from '../../protocol/errors';
import { tpKey } from '../../util/types';
import type { Logger } from '../../util/logger';
import type { MetadataCache } from '../MetadataCache';
import type { ReplicaManager } from '../ReplicaManager';

/** A remote HW older than this is not used (its leader could not be asked). */
const MAX_AGE_MS = 60_000;
/** Partitions nobody asked about for this long are no longer refreshed. */
const WANTED_FOR_MS = 300_000;
const LATEST_TIMESTAMP = -1n;

interface Wanted {
  topic: string;
  partition: number;
  askedAt: number;
}

export interface RemoteHighWatermarksOptions {
  brokerId: number;
  replicaManager: ReplicaManager;
  metadataCache: MetadataCache;
  interBrokerListenerName: string;
  refreshIntervalMs: number;
  requestTimeoutMs: number;
  logger: Logger;
}

export class RemoteHighWatermarks {
  private readonly known = new Map<string, { hw: bigint; at: number }>();
  private readonly wanted = new Map<string, Wanted>();
  private readonly conns = new Map<number, Promise<KafkaConnection>>();
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly opts: RemoteHighWatermarksOptions) {}

  startup(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => void this.refresh(), this.opts.refreshIntervalMs);
    this.timer.unref();
  }

  shutdown(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const c of this.conns.values()) void c.then((conn) => conn.close(), () => undefined);
    this.conns.clear();
  }

  /** The partition's HW as known now (synchronous: read on the commit path and at scrape time); null if unknown. */
  get(topic: string, partition: number): bigint | null {
    const local = this.opts.replicaManager.getPartition(topic, partition);
    if (local && local.leaderId >= 0) return local.highWatermark;
    const key = tpKey(topic, partition);
    const now = Date.now();
    const w = this.wanted.get(key);
    if (w) w.askedAt = now;
    else this.wanted.set(key, { topic, partition, askedAt: now });
    const k = this.known.get(key);
    return k && now - k.at <= MAX_AGE_MS ? k.hw : null;
  }

  /** Asks the leaders of the wanted remote partitions for their HW; concurrent callers share one round. */
  refresh(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.refreshing ??= this.refreshOnce().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async refreshOnce(): Promise<void> {
    const now = Date.now();
    const byLeader = new Map<number, Map<string, number[]>>();
    for (const [key, w] of this.wanted) {
      if (now - w.askedAt > WANTED_FOR_MS) {
        this.wanted.delete(key);
        this.known.delete(key);
        continue;
      }
      if (this.opts.replicaManager.getPartition(w.topic, w.partition)) continue;
      const leader = this.opts.metadataCache.getPartition(w.topic, w.partition)?.leader ?? -1;
      if (leader < 0 || leader === this.opts.brokerId) continue;
      let topics = byLeader.get(leader);
      if (!topics) byLeader.set(leader, (topics = new Map()));
      topics.set(w.topic, [...(topics.get(w.topic) ?? []), w.partition]);
    }
    await Promise.all([...byLeader].map(([leader, topics]) => this.askLeader(leader, topics)));
  }

  private async askLeader(leader: number, topics: Map<string, number[]>): Promise<void> {
    try {
      const conn = await this.connection(leader);
      const resp = await conn.request(ListOffsets, 2, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [...topics].map(([name, parts]) => ({ name, partitions: parts.map((p) => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp: LATEST_TIMESTAMP, maxNumOffsets: 1 })) })),
      });
      const at = Date.now();
      for (const t of resp.topics) for (const p of t.partitions) if (p.errorCode === ErrorCode.NONE && p.offset >= 0n) this.known.set(tpKey(t.name, p.partitionIndex), { hw: p.offset, at });
    } catch (e) {
      this.conns.delete(leader);
      this.opts.logger.debug({ leader, err: (e as Error).message }, 'could not read high watermarks from a leader for consumer lag');
    }
  }

  private connection(brokerId: number): Promise<KafkaConnection> {
    const existing = this.conns.get(brokerId);
    if (existing) {
      return existing.then((c) => {
        if (!c.isClosed) return c;
        this.conns.delete(brokerId);
        return this.connection(brokerId);
      });
    }
    const ep = this.opts.metadataCache.aliveBrokers().find((b) => b.id === brokerId)?.endpoints.get(this.opts.interBrokerListenerName);
    if (!ep) return Promise.reject(new Error(`broker ${brokerId} has no ${this.opts.interBrokerListenerName} endpoint`));
    const p = KafkaConnection.connect(ep.host, ep.port, { clientId: `broker-${this.opts.brokerId}-consumer-lag`, connectTimeoutMs: this.opts.requestTimeoutMs, requestTimeoutMs: this.opts.requestTimeoutMs, security: interBrokerSecurity() });
    this.conns.set(brokerId, p);
    p.catch(() => this.conns.delete(brokerId));
    return p;
  }
}
