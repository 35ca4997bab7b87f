// Holds delayed operations watched by keys (one per partition) and re-checks them when a key's state changes.
import { DelayedOperation, systemTimer, type Timer } from './DelayedOperation';

export class DelayedOperationPurgatory<T extends DelayedOperation> {
  private readonly watchers = new Map<string, Set<T>>();
  private pending = 0;

  constructor(
    readonly name: string,
    private readonly timer: Timer = systemTimer,
  ) {}

  /**
   * Completes `op` now if it can; otherwise watches it under every key and arms its expiry. Returns true when it
   * completed immediately.
   */
  tryCompleteElseWatch(op: T, keys: readonly string[]): boolean {
    if (op.tryComplete()) return true;
    const watched: Array<Set<T>> = [];
    for (const key of keys) {
      let set = this.watchers.get(key);
      if (!set) {
        set = new Set();
        this.watchers.set(key, set);
      }
      set.add(op);
      watched.push(set);
    }
    this.pending++;
    // Completed operations leave every watch list at once, so memory stays bounded by live operations.
    op.onCompleted(() => {
      this.pending--;
      keys.forEach((key, i) => {
        const set = watched[i];
        if (!set) return;
        set.delete(op);
        if (set.size === 0 && this.watchers.get(key) === set) this.watchers.delete(key);
      });
    });
    op.armTimer(this.timer);
    return false;
  }

  /**
   * Re-checks every operation watching `key` (call after LEO, HW, leadership or ISR changes of that partition,
   * once the change is fully applied). Returns how many completed.
   */
  checkAndComplete(key: string): number {
    const set = this.watchers.get(key);
    if (!set) return 0;
    let n = 0;
    for (const op of [...set]) if (!op.isCompleted && op.tryComplete()) n++;
    return n;
  }

  /** Number of operations waiting (not yet completed). */
  get delayed(): number {
    return this.pending;
  }

  /** Number of keys with at least one watcher. */
  get watchedKeys(): number {
    return this.watchers.size;
  }

  /** Completes every waiting operation (broker shutdown): each answers with what it has. */
  shutdown(): void {
    const all = new Set<T>();
    for (const set of this.watchers.values()) for (const op of set) all.add(op);
    for (const op of all) op.forceComplete();
  }
}
