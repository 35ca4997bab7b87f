// A request parked until a condition holds or its deadline passes: completed exactly once (Kafka's DelayedOperation).

/** Schedules callbacks; injected so tests can drive time by hand. */
export interface Timer {
  /** Runs `fn` after `delayMs`; returns a function that cancels it. */
  schedule(delayMs: number, fn: () => void): () => void;
}

export const systemTimer: Timer = {
  schedule(delayMs, fn) {
    const t = setTimeout(fn, Math.max(0, delayMs));
    t.unref?.();
    return () => clearTimeout(t);
  },
};

export abstract class DelayedOperation {
  private completed = false;
  private cancelTimer: (() => void) | null = null;
  private readonly completionListeners: Array<() => void> = [];

  constructor(readonly delayMs: number) {}

  /**
   * Checks the completion condition; when it holds, calls `forceComplete()` and returns its result.
   * Must be synchronous and cheap: the purgatory calls it on every relevant change.
   */
  abstract tryComplete(): boolean;
  /** Sends the answer; runs exactly once, whether completed by `tryComplete` or by expiry. */
  protected abstract onComplete(): void;
  /** Extra work after an expiry (runs after `onComplete`). */
  protected onExpiration(): void {}

  get isCompleted(): boolean {
    return this.completed;
  }

  /** Completes the operation if nobody did yet; true only for the caller that completed it. */
  forceComplete(): boolean {
    if (this.completed) return false;
    this.completed = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.onComplete();
    for (const l of this.completionListeners.splice(0)) l();
    return true;
  }

  /** @internal Used by the purgatory: arms the expiry timer. */
  armTimer(timer: Timer): void {
    if (this.completed || this.cancelTimer) return;
    this.cancelTimer = timer.schedule(this.delayMs, () => {
      this.cancelTimer = null;
      if (this.forceComplete()) this.onExpiration();
    });
  }

  /** @internal Used by the purgatory to stop watching a completed operation. */
  onCompleted(listener: () => void): void {
    if (this.completed) listener();
    else this.completionListeners.push(listener);
  }
}
