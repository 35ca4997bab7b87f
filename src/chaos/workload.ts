// The chaos workload: acks=-1 writers of numbered records, one sequential writer per partition (so "acknowledged
// order" is well defined), remembering what was acknowledged; optionally also writers to a retained topic and a
// compacted one.
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { waitFor } from './waitFor';

export const TOPIC = 'chaos';
export const RETAINED = 'chaos-retained';
export const COMPACTED = 'chaos-compacted';
/** Keys written round-robin to the compacted topic. */
export const COMPACTED_KEYS = 300;
/** Pads a value so that small segments roll every few dozen records. */
export const pad = (v: string): string => v.padEnd(200, '.');
export const unpad = (v: string): string => v.replace(/\.+$/, '');

export interface WorkloadOptions {
  bootstrap: string[];
  partitions: number;
  /** kafkajs `idempotent: true` (needs InitProducerId on the brokers). */
  idempotent: boolean;
  retentionAndCompaction: boolean;
}

export class Workload {
  /** Per partition of TOPIC, the acknowledged values in acknowledgement order. */
  readonly acked: string[][];
  /** The offset each acknowledgement named, for the audit's account of a lost record. */
  readonly ackedOffsets = new Map<string, bigint>();
  attempted = 0;
  failedSends = 0;
  /** Sends the client resolved without any broker answer for their partition (a kafkajs retry bug). */
  unansweredSends = 0;
  /** Per partition of RETAINED: acknowledged value -> its offset. */
  readonly retainedAcked: Array<Map<string, bigint>>;
  /** Per partition of COMPACTED: key -> latest acknowledged sequence number. */
  readonly compactedAcked: Array<Map<string, number>>;
  compactedAckedCount = 0;
  lastError: Error | null = null;
  private producing = false;
  private writers: Array<Promise<void>> = [];
  private readonly producer: Producer;

  constructor(private readonly opts: WorkloadOptions) {
    this.acked = Array.from({ length: opts.partitions }, () => []);
    this.retainedAcked = Array.from({ length: opts.partitions }, () => new Map());
    this.compactedAcked = Array.from({ length: opts.partitions }, () => new Map());
    const kafka = new Kafka({ clientId: 'brook-chaos', brokers: opts.bootstrap, logLevel: logLevel.NOTHING, requestTimeout: 10_000, retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 } });
    // kafkajs's rules for an idempotent producer: acks=-1 (every send below), one request in flight (its sequence
    // numbers are per partition and advance on success), and retries it warns against limiting; a send then waits
    // out a fault rather than fail. Otherwise up to 5 in flight per connection (the Java client's default): the
    // writers of partitions with the same leader share a connection, so their acks=-1 requests overlap on the broker.
    // Each writer still waits for its own send, so every partition's acknowledged order stays defined.
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      maxInFlightRequests: opts.idempotent ? 1 : 5,
      idempotent: opts.idempotent,
      ...(opts.idempotent ? { retry: { retries: Number.MAX_SAFE_INTEGER } } : {}),
    });
  }

  get ackedCount(): number {
    return this.acked.reduce((s, a) => s + a.length, 0);
  }

  /** Connects and starts the writers; resolves once every partition of TOPIC has an acknowledged record. */
  async start(firstAckTimeoutMs = 30_000): Promise<void> {
    await this.producer.connect().catch((e: unknown) => {
      // kafkajs asks for a producer id (InitProducerId) while connecting an idempotent producer.
      const what = this.opts.idempotent ? 'the idempotent producer could not connect and get a producer id (InitProducerId)' : 'the producer could not connect';
      throw new Error(`${what}: ${(e as Error).message}`);
    });
    this.producing = true;
    const { partitions } = this.opts;
    for (let p = 0; p < partitions; p++) {
      this.writers.push(this.loop(async (i) => {
        const value = `p${p}-${i}`;
        const offset = await this.send(TOPIC, p, null, value);
        if (offset !== null) {
          (this.acked[p] as string[]).push(value);
          this.ackedOffsets.set(value, offset);
        }
      }));
      if (!this.opts.retentionAndCompaction) continue;
      this.writers.push(this.loop(async (i) => {
        const value = `r${p}-${i}`;
        const offset = await this.send(RETAINED, p, null, pad(value));
        if (offset !== null) (this.retainedAcked[p] as Map<string, bigint>).set(value, offset);
      }));
      this.writers.push(this.loop(async (i) => {
        const key = `k${i % COMPACTED_KEYS}`;
        if ((await this.send(COMPACTED, p, key, pad(`${key}:${i}`))) !== null) {
          (this.compactedAcked[p] as Map<string, number>).set(key, i);
          this.compactedAckedCount++;
        }
      }));
    }
    // A producer that cannot write at all (e.g. brokers without InitProducerId for --idempotent) fails here, with
    // the client's error, instead of running every fault against nothing.
    await waitFor(() => this.acked.every((a) => a.length > 0), { timeoutMs: firstAckTimeoutMs, what: `a first acknowledged write to every partition of ${TOPIC}` }).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}; last send error: ${this.lastError?.message ?? 'none'}`);
    });
  }

  /** Stops the writers (each finishes its current send, for at most timeoutMs) and disconnects. */
  async stop(timeoutMs = 60_000): Promise<void> {
    this.producing = false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => { timer = setTimeout(() => r('late'), timeoutMs); });
    const outcome = await Promise.race([Promise.all(this.writers), late]);
    clearTimeout(timer);
    await this.producer.disconnect().catch(() => undefined);
    if (outcome === 'late') throw new Error(`the writers did not finish their last sends within ${timeoutMs} ms`);
  }

  private async loop(write: (i: number) => Promise<void>): Promise<void> {
    for (let i = 0; this.producing; i++) await write(i);
  }

  /** One acks=-1 send; its offset, or null when it failed (after a short pause, so a dead cluster is not spun on). */
  private async send(topic: string, partition: number, key: string | null, value: string): Promise<bigint | null> {
    if (topic === TOPIC) this.attempted++;
    try {
      const res = await this.producer.send({ topic, acks: -1, timeout: 5000, messages: [{ partition, key, value }] });
      const answer = res.find((r) => r.topicName === topic && r.partition === partition);
      if (!answer || answer.baseOffset === undefined || BigInt(answer.baseOffset) < 0n) {
        // kafkajs 2.2.4 can resolve a send after a retry with no answer for its partition: its per-send map of
        // broker answers survives retries, so a broker that answered an empty Produce in an earlier attempt counts
        // as done when leadership moves back to it (tulios/kafkajs#1798). No broker acknowledged such a record,
        // so it is not audited as acknowledged; it is counted here instead.
        this.unansweredSends++;
        return null;
      }
      return BigInt(answer.baseOffset);
    } catch (e) {
      this.failedSends++;
      this.lastError = e as Error;
      await new Promise((r) => setTimeout(r, 100));
      return null;
    }
  }
}
