// Owns the replica fetchers of this broker: num.replica.fetchers per source broker, each partition on the one its
// hash picks (Kafka's getFetcherId), partitions moved between them on leader changes (Kafka's AbstractFetcherManager).
import { moduleLogger, type Logger } from '../../util/logger';
import { tpKey } from '../../util/types';
import { FramePool } from '../../util/FramePool';
import type { Partition } from '../Partition';
import { ReplicaFetcher, type InitialFetchState, type ReplicaFetcherOptions, type SourceBroker } from './ReplicaFetcher';

export type FetcherSettings = Omit<ReplicaFetcherOptions, 'source' | 'lookup' | 'brokerId' | 'logger' | 'fetcherId' | 'framePool'> & {
  /** num.replica.fetchers: fetchers (connections and fetch sessions) per source broker; 1 when absent. */
  numFetchers?: number;
};

/** Kafka's AbstractFetcherManager.getFetcherId: abs(31 * topic.hashCode + partition) % numFetchers. */
export function fetcherIdFor(topic: string, partition: number, numFetchers: number): number {
  if (numFetchers <= 1) return 0;
  let h = 0;
  for (let i = 0; i < topic.length; i++) h = (Math.imul(31, h) + topic.charCodeAt(i)) | 0;
  const v = (Math.imul(31, h) + partition) | 0;
  return (v === -2147483648 ? 0 : Math.abs(v)) % numFetchers;
}

export interface AddFetcherItem extends InitialFetchState {
  leader: SourceBroker;
}

export class ReplicaFetcherManager {
  /** Keyed by source broker id and address, so an address change gets a fresh fetcher. */
  private readonly fetchers = new Map<string, ReplicaFetcher>();
  private readonly owner = new Map<string, string>();
  private readonly logger: Logger;
  private stopped = false;
  /**
   * Response frames of every fetcher of this broker: each holds at most one at a time (a frame goes back once its
   * records are appended), so a few replica.fetch.response.max.bytes cover them all.
   */
  private readonly framePool: FramePool;

  constructor(
    private readonly brokerId: number,
    private readonly settings: FetcherSettings,
    private readonly lookup: (topic: string, partition: number) => Partition | undefined,
    logger?: Logger,
  ) {
    this.logger = logger ?? moduleLogger('replica-fetcher-manager', { brokerId });
    // A frame is the response plus its header; sizes above the bound (a first batch larger than the limit) are
    // plain allocations.
    const maxFrame = settings.fetchResponseMaxBytes + 64 * 1024;
    this.framePool = new FramePool(Math.max(16 * 1024 * 1024, 2 * maxFrame), maxFrame);
  }

  /** Starts fetching the given partitions from their leaders (removing them from any other fetcher first). */
  async addFetcherForPartitions(items: AddFetcherItem[]): Promise<void> {
    if (this.stopped || items.length === 0) return;
    await this.removeFetcherForPartitions(items.map((i) => tpKey(i.topic, i.partition)));
    const bySource = new Map<string, AddFetcherItem[]>();
    for (const i of items) {
      const k = `${i.leader.id}@${i.leader.host}:${i.leader.port}#${fetcherIdFor(i.topic, i.partition, this.settings.numFetchers ?? 1)}`;
      bySource.set(k, [...(bySource.get(k) ?? []), i]);
    }
    for (const [k, list] of bySource) {
      let f = this.fetchers.get(k);
      if (!f) {
        const first = list[0] as AddFetcherItem;
        const fetcherId = Number(k.slice(k.lastIndexOf('#') + 1));
        f = new ReplicaFetcher({ ...this.settings, brokerId: this.brokerId, source: first.leader, fetcherId, lookup: this.lookup, framePool: this.framePool, logger: this.logger });
        this.fetchers.set(k, f);
        f.start();
      }
      await f.addPartitions(list);
      for (const i of list) this.owner.set(tpKey(i.topic, i.partition), k);
      this.logger.info({ source: first(list).leader.id, fetcherId: Number(k.slice(k.lastIndexOf('#') + 1)), partitions: list.map((i) => `${i.topic}-${i.partition}@${i.fetchOffset}`) }, 'added partitions to fetcher');
    }
  }

  /** Stops fetching; resolves once no fetched data for these partitions is being applied. */
  async removeFetcherForPartitions(keys: string[]): Promise<void> {
    const byFetcher = new Map<string, string[]>();
    for (const key of keys) {
      const k = this.owner.get(key);
      if (k === undefined) continue;
      this.owner.delete(key);
      byFetcher.set(k, [...(byFetcher.get(k) ?? []), key]);
    }
    for (const [k, list] of byFetcher) await this.fetchers.get(k)?.removePartitions(list);
  }

  /** Shuts down fetchers left without partitions. */
  async shutdownIdleFetchers(): Promise<void> {
    for (const [k, f] of [...this.fetchers]) {
      if (f.partitionCount === 0) {
        this.fetchers.delete(k);
        await f.shutdown();
      }
    }
  }

  isFetching(key: string): boolean {
    return this.owner.has(key);
  }

  get fetcherCount(): number {
    return this.fetchers.size;
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    const all = [...this.fetchers.values()];
    this.fetchers.clear();
    this.owner.clear();
    await Promise.all(all.map((f) => f.shutdown()));
  }
}

function first<T>(list: T[]): T {
  return list[0] as T;
}
