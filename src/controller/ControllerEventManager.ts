// The controller's single event queue: events run one at a time, to completion, in arrival order.
import type { Logger } from '../util/logger';

export interface QueuedEvent {
  readonly type: string;
  /** Called instead of processing when the event is dropped (queue cleared or closed), to answer waiters. */
  preempt?(): void;
}

export class ControllerEventManager<E extends QueuedEvent> {
  private readonly queue: E[] = [];
  private running = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private current: Promise<void> = Promise.resolve();
  /** Type of the event being processed (for the shutdown log). */
  private currentEvent: string | null = null;

  constructor(
    private readonly process: (event: E) => Promise<void>,
    private readonly logger: Logger,
    /** Told of each processed event: its start (wall-clock ms) and duration, for the controller's event history. */
    private readonly onProcessed?: (event: E, startedAt: number, durationMs: number) => void,
  ) {}

  get size(): number {
    return this.queue.length;
  }

  put(event: E): void {
    if (this.closed) {
      event.preempt?.();
      return;
    }
    this.queue.push(event);
    this.kick();
  }

  /** Drops everything queued (session expiry: nothing queued is valid any more), then queues `event`. */
  clearAndPut(event: E): void {
    for (const e of this.queue.splice(0)) e.preempt?.();
    this.put(event);
  }

  /** Resolves once the queue is empty and no event is running. */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops taking events, preempts the queued ones and waits for the running one, at most `timeoutMs`: an event
   * blocked on a ZooKeeper or broker call that never answers must not hold up the broker's shutdown (Kafka
   * interrupts its controller thread for the same reason). What it was doing is logged; its late result is ignored.
   */
  async close(timeoutMs = 5000): Promise<void> {
    this.closed = true;
    for (const e of this.queue.splice(0)) e.preempt?.();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.current.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) this.logger.warn({ event: this.currentEvent, waitedMs: timeoutMs }, 'controller event still running at shutdown; shutting down without it');
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    this.current = this.drain();
  }

  private async drain(): Promise<void> {
    try {
      for (let e = this.queue.shift(); e !== undefined; e = this.queue.shift()) {
        const started = Date.now();
        this.currentEvent = e.type;
        try {
          await this.process(e);
        } catch (err) {
          this.logger.error({ err, event: e.type }, 'controller event failed');
        }
        this.logger.debug({ event: e.type, ms: Date.now() - started }, 'controller event processed');
        this.onProcessed?.(e, started, Date.now() - started);
      }
    } finally {
      this.currentEvent = null;
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
