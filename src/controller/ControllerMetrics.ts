// What the controller tells the metrics endpoint: the recent events it processed as the active controller, its
// leader elections (count and time) and the partitions it sees offline. Read at scrape time; written only from the
// controller's event loop.
import type { ControllerContext } from './ControllerContext';

export interface ControllerEventRecord {
  /** Wall-clock ms when the event started. */
  time: number;
  type: string;
  detail: string;
  durationMs: number;
}

/** The controller events kept for `/controller/events`. */
export const CONTROLLER_EVENTS_KEPT = 200;

export class ControllerMetrics {
  private readonly ring: ControllerEventRecord[] = [];
  private next = 0;
  /** Partitions given a new leader by an election (Kafka's LeaderElectionRateAndTimeMs count). */
  leaderElections = 0;
  /** Called with each election pass's duration and partition count; the metrics endpoint observes a histogram. */
  onElection: ((ms: number, partitions: number) => void) | null = null;
  /** Called for each event processed as the active controller (ControllerEventManager's EventQueueTimeMs-like). */
  onEvent: ((record: ControllerEventRecord) => void) | null = null;

  constructor(private readonly ctx: ControllerContext) {}

  recordEvent(record: ControllerEventRecord): void {
    if (this.ring.length < CONTROLLER_EVENTS_KEPT) this.ring.push(record);
    else this.ring[this.next] = record;
    this.next = (this.next + 1) % CONTROLLER_EVENTS_KEPT;
    this.onEvent?.(record);
  }

  /** Oldest first. */
  recentEvents(): ControllerEventRecord[] {
    if (this.ring.length < CONTROLLER_EVENTS_KEPT) return [...this.ring];
    return [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }

  recordElections(ms: number, partitions: number): void {
    if (partitions === 0) return;
    this.leaderElections += partitions;
    this.onElection?.(ms, partitions);
  }

  /** Kafka's OfflinePartitionsCount: partitions in OfflinePartition state, topics being deleted excepted. */
  offlinePartitionCount(): number {
    let n = 0;
    for (const tp of this.ctx.partitionsInStates(['OfflinePartition'])) if (!this.ctx.isTopicQueuedUpForDeletion(tp.topic)) n++;
    return n;
  }

  /** Partitions the controller knows (its GlobalPartitionCount). */
  globalPartitionCount(): number {
    return this.ctx.allPartitions().length;
  }

  globalTopicCount(): number {
    return this.ctx.allTopics().length;
  }
}

/** A short description of a controller event's subject, for the event history. */
export function describeEvent(e: { type: string }): string {
  const f = e as { name?: unknown; topic?: unknown; brokerId?: unknown; partitions?: unknown };
  if (typeof f.name === 'string') return f.name;
  if (typeof f.topic === 'string') return `topic ${f.topic}`;
  if (typeof f.brokerId === 'number') return `broker ${f.brokerId}`;
  if (Array.isArray(f.partitions)) return `${f.partitions.length} partition(s)`;
  return '';
}
