// Connects the GroupCoordinator to replication: __consumer_offsets reads/appends through the ReplicaManager,
// and load/unload of offsets partitions when this broker gains or loses their leadership.
import type { OffsetsTopicStore } from '../coordinator/OffsetsTopicStore';
import type { GroupCoordinator } from '../coordinator/GroupCoordinator';
import { OFFSETS_TOPIC } from '../coordinator/javaHash';
import type { ReplicaManager } from './ReplicaManager';
import type { MetadataCache } from './MetadataCache';
import { ErrorCode, KafkaError } from '../protocol/errors';
import type { Logger } from '../util/logger';

export function replicaManagerOffsetsStore(rm: ReplicaManager): OffsetsTopicStore {
  return {
    // Every coordinator write goes in with the coordinator's origin (Kafka's appendRecords(..., AppendOrigin.Coordinator)):
    // transactional offset commits are accepted without the client's sequence checks.
    async append(partition, batch, timeoutMs) {
      const [r] = await rm.appendRecords(timeoutMs, -1, [{ topic: OFFSETS_TOPIC, partition, records: batch }], 'coordinator');
      return { errorCode: r?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, baseOffset: r?.baseOffset ?? -1n };
    },
    // Loading reads up to the log end offset, as Kafka's GroupMetadataManager does: a new leader's high
    // watermark can lag behind commits that every replica already holds (and that were acknowledged).
    async read(partition, fromOffset, maxBytes) {
      const p = rm.getPartition(OFFSETS_TOPIC, partition);
      if (!p || !p.isLeader) throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `not the leader of ${OFFSETS_TOPIC}-${partition}`);
      const end = p.logEndOffset;
      if (fromOffset >= end) return { records: Buffer.alloc(0), highWatermark: end };
      const r = await p.read(fromOffset, maxBytes, { maxOffset: end });
      return { records: r.records, highWatermark: end };
    },
    logStartOffset(partition) {
      return rm.getPartition(OFFSETS_TOPIC, partition)?.logStartOffset ?? null;
    },
  };
}

/**
 * Watches which __consumer_offsets partitions this broker leads (checked after every metadata change, which
 * follows each LeaderAndIsr, and on a short timer as a safety net) and tells the coordinator to load or unload.
 */
export class OffsetsLeadershipTracker {
  private readonly led = new Map<number, number>(); // partition -> leader epoch we loaded at
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: Array<() => void> = [];

  constructor(
    private readonly rm: ReplicaManager,
    private readonly cache: MetadataCache,
    private readonly coordinator: GroupCoordinator,
    private readonly logger: Logger,
  ) {}

  startup(): void {
    this.unsubscribe = [this.cache.onChange(() => this.check()), this.rm.onLeadershipChange(() => this.check())];
    this.timer = setInterval(() => this.check(), 500);
    this.timer.unref();
    this.check();
  }

  shutdown(): void {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private check(): void {
    const now = new Map<number, number>();
    for (const p of this.rm.allPartitions()) {
      if (p.topic === OFFSETS_TOPIC && p.isLeader) now.set(p.partition, p.leaderEpoch);
    }
    for (const [partition, epoch] of now) {
      if (this.led.get(partition) !== epoch) {
        this.led.set(partition, epoch);
        this.coordinator.onBecomeLeader(partition, epoch).catch((e: unknown) => this.logger.error({ err: e, partition }, 'loading offsets partition failed'));
      }
    }
    for (const partition of [...this.led.keys()]) {
      if (!now.has(partition)) {
        this.led.delete(partition);
        this.coordinator.onBecomeFollower(partition);
      }
    }
  }
}
