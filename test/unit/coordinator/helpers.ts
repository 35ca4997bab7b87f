// Test doubles for the coordinator: a hand-driven scheduler and an in-memory __consumer_offsets store.
import { ErrorCode } from '../../../src/protocol/errors';
import { iterateBatches, setBaseOffset, writeBatchCrc } from '../../../src/protocol/record/batch-header';
import type { OffsetsTopicStore } from '../../../src/coordinator/OffsetsTopicStore';
import type { Scheduler, TimerHandle } from '../../../src/coordinator/Scheduler';
import { GroupCoordinator, DEFAULT_GROUP_COORDINATOR_CONFIG, type GroupCoordinatorConfig } from '../../../src/coordinator/GroupCoordinator';
import { moduleLogger } from '../../../src/util/logger';
import { buildRecordBatchSync } from '../../../src/protocol/record/records';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** Time moves only through advance(); due timers run in deadline order. */
export class FakeScheduler implements Scheduler {
  private time = 1_700_000_000_000;
  private seq = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.time;
  }

  schedule(delayMs: number, fn: () => void): TimerHandle {
    const t: Timer = { at: this.time + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.timers.push(t);
    return { cancel: () => { t.cancelled = true; } };
  }

  /** Advances the clock by `ms`, running every timer that falls due on the way (and letting promises settle). */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.time = Math.max(this.time, due.at);
      due.cancelled = true;
      due.fn();
      await flush();
    }
    this.time = target;
    await flush();
  }

  pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}

/** Lets chained promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** __consumer_offsets partitions as arrays of batches; appends are committed at once unless an error is injected. */
export class InMemoryOffsetsStore implements OffsetsTopicStore {
  readonly logs = new Map<number, Buffer[]>();
  private leo = new Map<number, bigint>();
  nextError: number | null = null;
  appends = 0;
  /** When set, appends wait until release() (acks=-1 waiting for followers). */
  hold = false;
  private held: (() => void)[] = [];

  async append(partition: number, batch: Buffer): Promise<{ errorCode: number; baseOffset: bigint }> {
    this.appends++;
    if (this.nextError !== null) {
      const errorCode = this.nextError;
      this.nextError = null;
      return { errorCode, baseOffset: -1n };
    }
    if (this.hold) await new Promise<void>((r) => this.held.push(r));
    const base = this.leo.get(partition) ?? 0n;
    const copy = Buffer.from(batch);
    setBaseOffset(copy, 0, base);
    writeBatchCrc(copy, 0);
    const count = BigInt(copy.readInt32BE(23) + 1);
    this.leo.set(partition, base + count);
    let log = this.logs.get(partition);
    if (!log) this.logs.set(partition, (log = []));
    log.push(copy);
    return { errorCode: ErrorCode.NONE, baseOffset: base };
  }

  release(): void {
    this.hold = false;
    for (const r of this.held.splice(0)) r();
  }

  /** When set, reads wait until releaseReads() (a partition kept loading). */
  holdReads = false;
  private heldReads: (() => void)[] = [];

  releaseReads(): void {
    this.holdReads = false;
    for (const r of this.heldReads.splice(0)) r();
  }

  async read(partition: number, fromOffset: bigint, maxBytes: number): Promise<{ records: Buffer; highWatermark: bigint }> {
    if (this.holdReads) await new Promise<void>((r) => this.heldReads.push(r));
    const log = this.logs.get(partition) ?? [];
    const out: Buffer[] = [];
    let size = 0;
    for (const b of log) {
      const view = [...iterateBatches(b)][0];
      if (!view) continue;
      const last = view.header.baseOffset + BigInt(view.header.lastOffsetDelta);
      if (last < fromOffset) continue;
      if (size > 0 && size + b.length > maxBytes) break;
      out.push(b);
      size += b.length;
    }
    return { records: Buffer.concat(out), highWatermark: this.leo.get(partition) ?? 0n };
  }

  logStartOffset(partition: number): bigint | null {
    return this.logs.has(partition) ? 0n : 0n;
  }
}

/** An end-transaction marker batch (control + transactional; key int16 version, int16 type; value version, coordinator epoch). */
export function markerBatch(producerId: bigint, producerEpoch: number, commit: boolean, coordinatorEpoch = 0): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(commit ? 1 : 0, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return buildRecordBatchSync({ producerId, producerEpoch, baseSequence: -1, isTransactional: true, isControl: true, records: [{ key, value, timestamp: 0n }] });
}

export const TEST_CONFIG: GroupCoordinatorConfig = {
  ...DEFAULT_GROUP_COORDINATOR_CONFIG,
  offsetsTopicNumPartitions: 5,
  groupInitialRebalanceDelayMs: 0,
  groupMinSessionTimeoutMs: 1000,
  groupMaxSessionTimeoutMs: 60000,
};

export interface Harness {
  gc: GroupCoordinator;
  scheduler: FakeScheduler;
  store: InMemoryOffsetsStore;
}

/** A started coordinator that owns (and has loaded) every offsets partition. */
export async function startCoordinator(config: Partial<GroupCoordinatorConfig> = {}, store = new InMemoryOffsetsStore(), scheduler = new FakeScheduler()): Promise<Harness> {
  const cfg = { ...TEST_CONFIG, ...config };
  const gc = new GroupCoordinator({
    brokerId: 1,
    config: cfg,
    store,
    scheduler,
    createOffsetsTopic: async () => undefined,
    logger: moduleLogger('group-coordinator-test', {}),
  });
  gc.startup();
  for (let p = 0; p < cfg.offsetsTopicNumPartitions; p++) await gc.onBecomeLeader(p, 1);
  return { gc, scheduler, store };
}

/** ConsumerProtocol subscription bytes (version 0): topics only. */
export function subscription(topics: string[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0, 0]), int32(topics.length)];
  for (const t of topics) {
    const b = Buffer.from(t);
    const len = Buffer.alloc(2);
    len.writeInt16BE(b.length);
    parts.push(len, b);
  }
  parts.push(int32(-1)); // null user data
  return Buffer.concat(parts);
}

function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}
