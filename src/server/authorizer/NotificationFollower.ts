// Follows one sequential-notification directory in ZooKeeper as Kafka's ZkNodeChangeNotificationListener does: on
// every children change it handles the notifications newer than the last one handled, in sequence order, one batch
// at a time, and deletes those older than the expiration (every broker does; one deleted first elsewhere is fine).
import type { Unsubscribe } from '../../zk/api';
import type { Logger } from '../../util/logger';

export interface NotificationSource {
  list(): Promise<string[]>;
  sequenceOf(id: string): number;
  /** Handles one notification (reads it and acts). */
  handle(id: string): Promise<void>;
  /** Creation time of a notification, null when gone; with `remove`, enables purging. */
  ctime?(id: string): Promise<number | null>;
  remove?(id: string): Promise<void>;
  subscribe(cb: () => void): Unsubscribe;
}

export class NotificationFollower {
  private unsubscribe: Unsubscribe | null = null;
  private chain: Promise<void> = Promise.resolve();
  private lastSeq: number;

  /**
   * @param skipExisting true: notifications present at start-up are skipped (the caller read the current state);
   *   false: they are handled too (Kafka's ACL listener does this; re-reading a resource is harmless).
   */
  constructor(private readonly src: NotificationSource, private readonly log: Logger, private readonly expirationMs: number, private readonly skipExisting = false) {
    this.lastSeq = skipExisting ? Number.NaN : -1;
  }

  startup(): void {
    if (this.unsubscribe) return;
    this.schedule();
    this.unsubscribe = this.src.subscribe(() => this.schedule());
  }

  shutdown(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Resolves once everything received so far has been handled. */
  idle(): Promise<void> {
    return this.chain;
  }

  private schedule(): void {
    this.chain = this.chain.then(() => this.process()).catch((e) => this.log.warn({ err: e }, 'processing change notifications failed'));
  }

  private async process(): Promise<void> {
    const ids = (await this.src.list()).map((id) => ({ id, seq: this.src.sequenceOf(id) })).sort((a, b) => a.seq - b.seq);
    if (Number.isNaN(this.lastSeq)) {
      this.lastSeq = ids[ids.length - 1]?.seq ?? -1;
      return;
    }
    for (const { id, seq } of ids) {
      if (seq <= this.lastSeq) continue;
      this.lastSeq = seq;
      try {
        await this.src.handle(id);
      } catch (e) {
        this.log.warn({ err: e, notification: id }, 'bad change notification');
      }
    }
    if (this.src.ctime && this.src.remove) {
      const now = Date.now();
      for (const { id } of ids) {
        try {
          const ctime = await this.src.ctime(id);
          if (ctime !== null && now - ctime > this.expirationMs) await this.src.remove(id);
        } catch (e) {
          this.log.warn({ err: e, notification: id }, 'could not purge an old change notification');
        }
      }
    }
  }
}
