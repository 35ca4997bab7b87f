// The clock and timer source of the group coordinator, injectable so unit tests drive time by hand.

export interface TimerHandle {
  cancel(): void;
}

export interface Scheduler {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` after `delayMs`; the handle cancels it (idempotent). */
  schedule(delayMs: number, fn: () => void): TimerHandle;
}

/** Wall-clock scheduler on Node timers; timers are unref'd so they never keep a stopping broker alive. */
export class SystemScheduler implements Scheduler {
  now(): number {
    return Date.now();
  }

  schedule(delayMs: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, Math.max(0, delayMs));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  }
}
