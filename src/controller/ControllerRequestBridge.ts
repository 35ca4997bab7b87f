// Turns requests from this broker's handlers into controller events and back into answers: each request runs
// in the event loop, is answered once that event's requests to brokers are handed to the channel, and may then
// wait (bounded) for a condition on the controller's state, re-checked after every event.
import type { Logger } from '../util/logger';
import { ControllerMovedError } from '../zk/api';

/** The event a request becomes; `preempt` answers NOT_CONTROLLER when the queue drops it. */
export interface ApiCallEvent {
  type: 'ApiCall';
  name: string;
  run: () => Promise<void>;
  preempt: () => void;
}

export type WaitOutcome = 'done' | 'timeout' | 'resigned';

interface Waiter {
  check: () => boolean;
  finish: (o: WaitOutcome) => void;
}

export interface ControllerRequestBridgeDeps {
  put(event: ApiCallEvent): void;
  isActive(): boolean;
  readonly log: Logger;
}

export class ControllerRequestBridge {
  private waiters: Waiter[] = [];
  /** Request answers, delivered once the event's requests to brokers have been handed to the channel. */
  private replies: Array<() => void> = [];

  constructor(private readonly d: ControllerRequestBridgeDeps) {}

  /** Runs `fn` in the event loop when active; otherwise (or if dropped) answers `notController()`. */
  call<T>(name: string, fn: () => Promise<T>, notController: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (f: () => void): void => {
        if (!settled) {
          settled = true;
          f();
        }
      };
      this.d.put({
        type: 'ApiCall',
        name,
        preempt: () => settle(() => resolve(notController())),
        run: async () => {
          if (!this.d.isActive()) return settle(() => resolve(notController()));
          try {
            const v = await fn();
            this.replies.push(() => settle(() => resolve(v)));
          } catch (err) {
            if (err instanceof ControllerMovedError) {
              settle(() => resolve(notController()));
              throw err; // the event loop resigns
            }
            this.d.log.error({ err, api: name }, 'controller request failed');
            settle(() => reject(err));
          }
          return undefined;
        },
      });
    });
  }

  /** Resolves when `check` holds after some event, at the timeout, or when this controller resigns. */
  waitFor(check: () => boolean, timeoutMs: number): Promise<WaitOutcome> {
    if (check()) return Promise.resolve('done');
    if (!this.d.isActive()) return Promise.resolve('resigned');
    return new Promise((resolve) => {
      const waiter: Waiter = {
        check,
        finish: (o) => {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(o);
        },
      };
      const timer = setTimeout(() => waiter.finish('timeout'), Math.max(0, timeoutMs));
      this.waiters.push(waiter);
    });
  }

  /** End of every event, after its requests to brokers were sent: re-check waiters, then answer requests. */
  afterEvent(): void {
    for (const w of [...this.waiters]) if (w.check()) w.finish('done');
    for (const r of this.replies.splice(0)) r();
  }

  /** The controller resigned: nothing it waits for will happen here any more. */
  onResignation(): void {
    for (const w of this.waiters.splice(0)) w.finish('resigned');
  }
}
