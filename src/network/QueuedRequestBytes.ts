// Counts the request bytes read from all connections and not yet handled, against queued.max.request.bytes, and
// wakes the connections that stopped reading for it once enough is handled. Like Kafka's memory pool it gates the
// start of a request, not its size: the request that crosses the limit is read whole.

export class QueuedRequestBytes {
  private total = 0;
  /** Connections waiting for the total to fall below the limit, each with its wake-up. */
  private readonly waiting = new Map<object, () => void>();
  private wakeScheduled = false;

  /** @param limit bytes; 0 or less means unbounded (Kafka's -1). */
  constructor(readonly limit: number) {}

  get bytes(): number { return this.total; }

  /** True while no connection may start reading a request that would add to the total. */
  get exhausted(): boolean { return this.limit > 0 && this.total >= this.limit; }

  add(n: number): void {
    this.total += n;
  }

  release(n: number): void {
    this.total -= n;
    if (this.waiting.size === 0 || this.exhausted || this.wakeScheduled) return;
    // Woken after the current turn, so that no connection reads (and starts a handler) inside another's bookkeeping.
    this.wakeScheduled = true;
    queueMicrotask(() => {
      this.wakeScheduled = false;
      if (this.exhausted) return;
      // Every waiter checks the limit again; the first to start a request may exhaust it anew.
      const wake = [...this.waiting.values()];
      this.waiting.clear();
      for (const w of wake) w();
    });
  }

  /** Calls `wake` once, after the total has fallen below the limit; a later call for the same key replaces it. */
  waitForRoom(key: object, wake: () => void): void {
    this.waiting.set(key, wake);
  }

  /** Forgets a waiter (its connection closed). */
  stopWaiting(key: object): void {
    this.waiting.delete(key);
  }

  /** Connections waiting for room (for tests and leak checks). */
  get waiters(): number { return this.waiting.size; }
}
