// A small async mutex: serialises multi-step async sections (Node interleaves at every await).
export class AsyncLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const r = this.tail.then(fn);
    this.tail = r.then(
      () => undefined,
      () => undefined,
    );
    return r;
  }
}

/** A wake-up signal: `wait(ms)` resolves on the next `notify()` or after `ms`. */
export class Signal {
  private waiters: Array<() => void> = [];

  notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        resolve();
      };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      }, Math.max(0, ms));
      this.waiters.push(done);
    });
  }
}

/**
 * A shared/exclusive lock for async sections (Kafka's leaderIsrUpdateLock as a ReentrantReadWriteLock): many shared
 * holders at once, or one exclusive holder. Waiters are served in arrival order, so a queued exclusive request
 * holds back later shared ones and a steady stream of shared holders cannot starve it.
 */
export class SharedExclusiveLock {
  private shared = 0;
  private exclusive = false;
  private readonly queue: Array<{ exclusive: boolean; grant: () => void }> = [];

  async withShared<T>(fn: () => Promise<T> | T): Promise<T> {
    await this.acquire(false);
    try {
      return await fn();
    } finally {
      this.shared--;
      this.drain();
    }
  }

  async withExclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    await this.acquire(true);
    try {
      return await fn();
    } finally {
      this.exclusive = false;
      this.drain();
    }
  }

  /** Shared holders now (for tests and diagnostics). */
  get sharedHolders(): number {
    return this.shared;
  }

  private acquire(exclusive: boolean): Promise<void> {
    if (this.queue.length === 0 && this.canGrant(exclusive)) {
      this.take(exclusive);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push({ exclusive, grant: resolve }));
  }

  private canGrant(exclusive: boolean): boolean {
    return !this.exclusive && (!exclusive || this.shared === 0);
  }

  private take(exclusive: boolean): void {
    if (exclusive) this.exclusive = true;
    else this.shared++;
  }

  private drain(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0] as { exclusive: boolean; grant: () => void };
      if (!this.canGrant(head.exclusive)) return;
      this.queue.shift();
      this.take(head.exclusive);
      head.grant();
    }
  }
}
