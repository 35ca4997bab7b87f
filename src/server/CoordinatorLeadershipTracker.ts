// Coordinators follow the leadership of their internal topic's partitions: the group coordinator those of
// __consumer_offsets, the transaction coordinator those of __transaction_state. This tracker watches which of the
// topic's partitions this broker leads (after every metadata or leadership change, and on a short timer as a safety
// net) and has the coordinator load each at its leader epoch, or unload it when leadership is gone.
import type { ReplicaManager } from './ReplicaManager';
import type { MetadataCache } from './MetadataCache';
import type { Logger } from '../util/logger';

export interface LeadershipListener {
  /** This broker became leader of `partition` at `leaderEpoch`: load it. A rejection is retried at the next check. */
  onElection(partition: number, leaderEpoch: number): Promise<void>;
  /** This broker no longer leads `partition` (loaded at `leaderEpoch`): unload it. */
  onResignation(partition: number, leaderEpoch: number): void;
  /** Called after every metadata change (e.g. so that the transaction coordinator's markers find new leaders). */
  onMetadataChange?(): void;
}

export class CoordinatorLeadershipTracker {
  /** partition -> leader epoch it was loaded at. */
  private readonly led = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: Array<() => void> = [];

  constructor(
    private readonly topic: string,
    private readonly rm: ReplicaManager,
    private readonly cache: MetadataCache,
    private readonly listener: LeadershipListener,
    private readonly logger: Logger,
  ) {}

  startup(): void {
    this.unsubscribe = [
      this.cache.onChange(() => {
        this.check();
        this.listener.onMetadataChange?.();
      }),
      this.rm.onLeadershipChange(() => this.check()),
    ];
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
      if (p.topic === this.topic && p.isLeader) now.set(p.partition, p.leaderEpoch);
    }
    for (const [partition, epoch] of now) {
      if (this.led.get(partition) === epoch) continue;
      this.led.set(partition, epoch);
      this.listener.onElection(partition, epoch).catch((err: unknown) => {
        this.logger.error({ err, topic: this.topic, partition }, 'loading a coordinator partition failed; retrying at the next check');
        if (this.led.get(partition) === epoch) this.led.delete(partition);
      });
    }
    for (const [partition, epoch] of [...this.led]) {
      if (now.has(partition)) continue;
      this.led.delete(partition);
      this.listener.onResignation(partition, epoch);
    }
  }
}
