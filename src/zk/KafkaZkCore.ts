// What every family of Kafka-level ZooKeeper operations shares: the session, watch subscriptions that re-arm
// themselves (also after session expiry) and writes fenced by the /controller_epoch zkVersion.
import type { Logger } from '../util/logger';
import { ControllerMovedError, type Unsubscribe } from './api';
import { BadVersionError, NoNodeError, NotEmptyError, ZkClient, ZkError, type ZkOp } from './ZkClient';
import { ControllerEpochZNode } from './znodes';

type WatchKind = 'children' | 'exists';

interface Subscription {
  kind: WatchKind;
  path: string;
  onChange: () => void;
  active: boolean;
  /** Only the most recently armed watcher may fire: older ones (from before a re-arm) are ignored. */
  generation: number;
}

/** Partition state key, as everywhere in the API: "topic-partition". */

/** The largest multi we send: ZooKeeper refuses requests above jute.maxbuffer (1 MB by default). */
const MAX_OPS_PER_MULTI = 1000;

export class KafkaZkCore {
  private readonly subs = new Set<Subscription>();
  private readonly reestablishedCbs = new Set<() => void>();
  private readonly expiredCbs = new Set<() => void>();
  private closed = false;
  /** Runs first after a new session is established (broker re-registration), before watches are re-armed. */
  beforeRearm: (() => Promise<void>) | null = null;

  constructor(readonly zk: ZkClient, readonly log: Logger) {
    zk.on('expired', () => {
      for (const cb of this.expiredCbs) this.safeCall(cb);
    });
    zk.on('reestablished', () => void this.afterReestablished());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** A znode's data and stat, or null when it does not exist. */
  async getDataIfExists(path: string): Promise<Awaited<ReturnType<ZkClient['getData']>> | null> {
    try {
      return await this.zk.getData(path);
    } catch (e) {
      if (e instanceof NoNodeError) return null;
      throw e;
    }
  }

  safeCall(cb: () => void): void {
    try {
      cb();
    } catch (e) {
      this.log.error({ err: e }, 'ZooKeeper subscriber threw');
    }
  }

  private async afterReestablished(): Promise<void> {
    if (this.beforeRearm) await this.beforeRearm();
    if (this.closed) return;
    // The new session has none of the old watches: re-arm every subscription and tell it something may
    // have changed while we were away.
    for (const sub of this.subs) {
      this.arm(sub);
      this.safeCall(sub.onChange);
    }
    for (const cb of this.reestablishedCbs) this.safeCall(cb);
  }

  // ----------------------------------------------------------------------------------- subscriptions

  subscribe(kind: WatchKind, path: string, onChange: () => void): Unsubscribe {
    const sub: Subscription = { kind, path, onChange, active: true, generation: 0 };
    this.subs.add(sub);
    this.arm(sub);
    return () => {
      sub.active = false;
      this.subs.delete(sub);
    };
  }

  private arm(sub: Subscription): void {
    if (!sub.active || this.closed) return;
    const generation = ++sub.generation;
    const watcher = (): void => {
      if (!sub.active || generation !== sub.generation || this.closed) return;
      // Re-arm before notifying: the subscriber's re-read is queued after the new watch, so no change is lost.
      this.arm(sub);
      this.safeCall(sub.onChange);
    };
    const onError = (e: unknown): void => {
      if (!sub.active || this.closed) return;
      // After an expiry the whole set is re-armed on 'reestablished'; other failures are logged.
      this.log.warn({ err: e, path: sub.path }, 'could not arm ZooKeeper watch');
    };
    if (sub.kind === 'exists') {
      this.zk.exists(sub.path, watcher).catch(onError);
    } else {
      this.zk.getChildren(sub.path, watcher).catch((e) => {
        // No parent yet: watch for its creation, which re-arms the child watch.
        if (e instanceof NoNodeError) this.zk.exists(sub.path, watcher).catch(onError);
        else onError(e);
      });
    }
  }

  onSessionReestablished(cb: () => void): Unsubscribe {
    this.reestablishedCbs.add(cb);
    return () => this.reestablishedCbs.delete(cb);
  }

  onSessionExpired(cb: () => void): Unsubscribe {
    this.expiredCbs.add(cb);
    return () => this.expiredCbs.delete(cb);
  }

  // ---------------------------------------------------------------------------------------- fencing

  private check(controllerEpochZkVersion: number): ZkOp {
    return { type: 'check', path: ControllerEpochZNode.path, version: controllerEpochZkVersion };
  }

  /** Runs a multi whose first op is the epoch check; a failed check becomes ControllerMovedError. */
  async fencedMulti(controllerEpochZkVersion: number, ops: ZkOp[]): ReturnType<ZkClient['multi']> {
    try {
      return await this.zk.multi([this.check(controllerEpochZkVersion), ...ops]);
    } catch (e) {
      if (e instanceof ZkError && e.opIndex === 0 && (e instanceof BadVersionError || e instanceof NoNodeError)) {
        throw new ControllerMovedError(
          `controller moved: /controller_epoch zkVersion is no longer ${controllerEpochZkVersion}`,
        );
      }
      if (e instanceof ZkError && e.opIndex !== undefined) e.opIndex -= 1; // index into the caller's ops
      throw e;
    }
  }

  /** Lists a subtree children-first (post-order), so deleting in list order never hits NOTEMPTY. */
  private async listPostOrder(path: string): Promise<string[]> {
    let children: string[];
    try {
      children = await this.zk.getChildren(path);
    } catch (e) {
      if (e instanceof NoNodeError) return [];
      throw e;
    }
    const below = await Promise.all(children.map((c) => this.listPostOrder(`${path}/${c}`)));
    return [...below.flat(), path];
  }

  /** Fenced delete of a subtree, in chunks that fit a multi; retried if the tree changes meanwhile. */
  async fencedDeleteRecursive(path: string, controllerEpochZkVersion: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const nodes = await this.listPostOrder(path);
      try {
        for (let i = 0; i < nodes.length; i += MAX_OPS_PER_MULTI) {
          const chunk = nodes.slice(i, i + MAX_OPS_PER_MULTI);
          await this.fencedMulti(
            controllerEpochZkVersion,
            chunk.map((p): ZkOp => ({ type: 'delete', path: p, version: -1 })),
          );
        }
        return;
      } catch (e) {
        if (!(e instanceof NoNodeError || e instanceof NotEmptyError) || attempt >= 5) throw e;
      }
    }
  }

  async fencedDeleteIfExists(path: string, controllerEpochZkVersion: number): Promise<void> {
    try {
      await this.fencedMulti(controllerEpochZkVersion, [{ type: 'delete', path, version: -1 }]);
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.subs) s.active = false;
    this.subs.clear();
    this.reestablishedCbs.clear();
    this.expiredCbs.clear();
    await this.zk.close();
  }
}
