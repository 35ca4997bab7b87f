// Sends ISR changes of the partitions this broker leads to the controller (AlterIsr, KIP-497), batched, one
// request in flight at a time and at most one pending change per partition.
import { AlterIsr, type AlterIsrRequest, type AlterIsrResponse } from '../protocol/messages/56-alter-isr';
import { ErrorCode } from '../protocol/errors';
import { KafkaConnection } from '../client/connection';
import { interBrokerSecurity } from '../client/interBroker';
import type { MetadataCache } from './MetadataCache';
import { moduleLogger, type Logger } from '../util/logger';
import { groupByTopic, tpKey } from '../util/types';
import { systemTimer, type Timer } from './purgatory/DelayedOperation';

/** Sends one AlterIsr request to the current controller; rejects when it cannot be delivered. */
export type AlterIsrSender = (req: AlterIsrRequest) => Promise<AlterIsrResponse>;

/** The controller's answer for one partition. */
export type AlterIsrResult =
  | { errorCode: 0; leaderEpoch: number; isr: number[]; zkVersion: number }
  | { errorCode: number };

export interface AlterIsrItem {
  topic: string;
  partition: number;
  leaderEpoch: number;
  newIsr: number[];
  zkVersion: number;
  callback: (result: AlterIsrResult) => void;
}

export interface AlterIsrManagerOptions {
  brokerId: number;
  brokerEpoch: () => bigint;
  send: AlterIsrSender;
  /** Wait before resending after a failed or refused request. */
  retryBackoffMs?: number;
  /** Schedules the retry; tests pass a fake. */
  timer?: Timer;
  logger?: Logger;
}

export class AlterIsrManager {
  private readonly unsent = new Map<string, AlterIsrItem>();
  private readonly inflight = new Map<string, AlterIsrItem>();
  /** In-flight changes cleared since they were sent: their answer is still handed over, but a failed send drops them. */
  private readonly clearedInflight = new Set<AlterIsrItem>();
  private sending = false;
  /** Cancels the scheduled retry; set while one is scheduled. */
  private retryTimer: (() => void) | null = null;
  private stopped = false;
  private readonly logger: Logger;
  private readonly backoffMs: number;

  constructor(private readonly opts: AlterIsrManagerOptions) {
    this.logger = opts.logger ?? moduleLogger('alter-isr', { brokerId: opts.brokerId });
    this.backoffMs = opts.retryBackoffMs ?? 100;
  }

  /** Queues a change; false (and nothing queued) when one is already pending for that partition. */
  submit(item: AlterIsrItem): boolean {
    const key = tpKey(item.topic, item.partition);
    if (this.stopped || this.unsent.has(key) || this.inflight.has(key)) return false;
    this.unsent.set(key, item);
    this.maybeSend();
    return true;
  }

  /** Drops a not-yet-sent change (the partition changed leadership meanwhile); one in flight is not sent again. */
  clearPending(topic: string, partition: number): void {
    const key = tpKey(topic, partition);
    this.unsent.delete(key);
    const sent = this.inflight.get(key);
    if (sent) this.clearedInflight.add(sent);
  }

  get pendingCount(): number {
    return this.unsent.size + this.inflight.size;
  }

  shutdown(): void {
    this.stopped = true;
    this.retryTimer?.();
    this.retryTimer = null;
  }

  private maybeSend(): void {
    if (this.sending || this.stopped || this.retryTimer || this.unsent.size === 0) return;
    this.sending = true;
    const batch = [...this.unsent.entries()];
    this.unsent.clear();
    for (const [k, v] of batch) this.inflight.set(k, v);
    const req: AlterIsrRequest = {
      brokerId: this.opts.brokerId,
      brokerEpoch: this.opts.brokerEpoch(),
      topics: groupByTopic(batch.map(([, item]) => item)).map(([name, items]) => ({
        name,
        partitions: items.map((i) => ({ partitionIndex: i.partition, leaderEpoch: i.leaderEpoch, newIsr: i.newIsr, currentIsrVersion: i.zkVersion })),
      })),
    };
    void this.opts
      .send(req)
      .then(
        (resp) => this.handleResponse(batch, resp),
        (e: unknown) => {
          this.logger.info({ err: (e as Error).message }, 'AlterIsr could not be sent; retrying');
          this.requeue(batch);
        },
      )
      .finally(() => {
        this.sending = false;
        this.maybeSend();
      });
  }

  private requeue(batch: Array<[string, AlterIsrItem]>): void {
    for (const [k, item] of batch) {
      this.inflight.delete(k);
      if (this.clearedInflight.delete(item)) continue;
      // A newer change submitted meanwhile wins.
      if (!this.unsent.has(k)) this.unsent.set(k, item);
    }
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = (this.opts.timer ?? systemTimer).schedule(this.backoffMs, () => {
      this.retryTimer = null;
      this.maybeSend();
    });
  }

  private handleResponse(batch: Array<[string, AlterIsrItem]>, resp: AlterIsrResponse): void {
    if (resp.errorCode !== ErrorCode.NONE) {
      // NOT_CONTROLLER, STALE_BROKER_EPOCH (our registration is not known yet), ...: retry the whole batch.
      this.logger.info({ errorCode: resp.errorCode }, 'AlterIsr refused at request level; retrying');
      this.requeue(batch);
      return;
    }
    const answers = new Map<string, AlterIsrResponse['topics'][number]['partitions'][number]>();
    for (const t of resp.topics) for (const p of t.partitions) answers.set(tpKey(t.name, p.partitionIndex), p);
    for (const [k, item] of batch) {
      this.inflight.delete(k);
      this.clearedInflight.delete(item);
      const a = answers.get(k);
      if (!a) this.logger.warn({ topicPartition: k }, 'AlterIsr response lacks a partition; it will be proposed again');
      const result: AlterIsrResult = !a
        ? { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR }
        : a.errorCode === ErrorCode.NONE
          ? { errorCode: 0, leaderEpoch: a.leaderEpoch, isr: a.isr, zkVersion: a.currentIsrVersion }
          : { errorCode: a.errorCode };
      // One partition's failure must not leave the rest of the batch unanswered (and their partitions blocked).
      try {
        item.callback(result);
      } catch (e) {
        this.logger.error({ topicPartition: k, err: e }, 'AlterIsr callback failed');
      }
    }
  }
}

/**
 * The default sender: AlterIsr over the wire to the controller named by the metadata cache, on its inter-broker
 * listener, over one cached connection (re-opened when the controller moves or the socket closes).
 */
export function controllerAlterIsrSender(opts: {
  metadataCache: MetadataCache;
  listenerName: string;
  brokerId: number;
  requestTimeoutMs?: number;
}): AlterIsrSender & { close(): void } {
  let conn: KafkaConnection | null = null;
  let target = '';
  const send = async (req: AlterIsrRequest): Promise<AlterIsrResponse> => {
    const id = opts.metadataCache.controllerId;
    if (id === null || id < 0) throw new Error('no controller known');
    const b = opts.metadataCache.getBroker(id);
    const ep = b?.endpoints.get(opts.listenerName) ?? (b ? [...b.endpoints.values()][0] : undefined);
    if (!ep) throw new Error(`controller ${id} has no endpoint`);
    const key = `${id}@${ep.host}:${ep.port}`;
    if (!conn || conn.isClosed || key !== target) {
      conn?.close();
      conn = await KafkaConnection.connect(ep.host, ep.port, {
        clientId: `broker-${opts.brokerId}-alter-isr`,
        connectTimeoutMs: 5000,
        requestTimeoutMs: opts.requestTimeoutMs ?? 30000,
        security: interBrokerSecurity(),
      });
      target = key;
    }
    return conn.request(AlterIsr, 0, req);
  };
  return Object.assign(send, {
    close: () => {
      conn?.close();
      conn = null;
    },
  });
}
