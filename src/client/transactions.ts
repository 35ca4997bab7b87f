// The transactional producer's state (Kafka's TransactionManager, KIP-98/KIP-447): the transactional id's producer id
// and epoch from its coordinator, the partitions and offsets added to the open transaction, commit/abort, and what each
// error means (retry, abort the transaction, or the producer is fenced).
import { ErrorCode } from '../protocol/errors';
import { AddOffsetsToTxn, AddPartitionsToTxn, EndTxn, InitProducerId, TxnOffsetCommit } from '../protocol/messages';
import { moduleLogger } from '../util/logger';
import { AdminClient } from './AdminClient';
import {
  AdminError, ProducerFencedError, RetriableAdminError, TransactionAbortableError, describeErrorCode,
} from './errors';
import { ProducerSequences, type ProducerIdAndEpoch } from './idempotence';

/** Kafka's default transaction.timeout.ms. */
export const DEFAULT_TRANSACTION_TIMEOUT_MS = 60_000;

/** FindCoordinator key types. */
export const COORDINATOR_GROUP = 0;
export const COORDINATOR_TRANSACTION = 1;

export type TransactionState =
  | 'UNINITIALIZED' | 'READY' | 'IN_TRANSACTION' | 'COMMITTING_TRANSACTION' | 'ABORTING_TRANSACTION'
  | 'ABORTABLE_ERROR' | 'FATAL_ERROR';

/** What a transactional request's error code means for the producer. */
export type TxnErrorAction = 'ok' | 'findCoordinator' | 'retry' | 'fenced' | 'fatal' | 'abortable';

/**
 * Kafka 2.8's TransactionManager handlers, in one table: coordinator moves are retried after a new FindCoordinator,
 * loading and concurrent transactions are retried, an older epoch means another producer took the id over (fenced),
 * a broken state machine or authorization of the id is fatal, anything else only dooms the current transaction.
 */
export function classifyTxnError(code: number): TxnErrorAction {
  switch (code) {
    case ErrorCode.NONE:
      return 'ok';
    case ErrorCode.NOT_COORDINATOR:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.REQUEST_TIMED_OUT:
    case ErrorCode.NETWORK_EXCEPTION:
      return 'findCoordinator';
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
    case ErrorCode.CONCURRENT_TRANSACTIONS:
    case ErrorCode.OPERATION_NOT_ATTEMPTED:
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      return 'retry';
    case ErrorCode.PRODUCER_FENCED:
    case ErrorCode.INVALID_PRODUCER_EPOCH:
      return 'fenced';
    case ErrorCode.INVALID_TXN_STATE:
    case ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case ErrorCode.INVALID_TRANSACTION_TIMEOUT:
    case ErrorCode.UNSUPPORTED_VERSION:
    case ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT:
      return 'fatal';
    default:
      return 'abortable';
  }
}

/** The partitions of the open transaction: those the coordinator acknowledged, by "topic-partition". */
export class TxnPartitions {
  private readonly added = new Map<string, { topic: string; partition: number }>();

  /** The partitions of `topic` among `partitions` not yet in the transaction, in the order given, without repeats. */
  missing(topic: string, partitions: readonly number[]): number[] {
    return [...new Set(partitions)].filter((p) => !this.added.has(`${topic}-${p}`));
  }

  markAdded(topic: string, partitions: readonly number[]): void {
    for (const p of partitions) this.added.set(`${topic}-${p}`, { topic, partition: p });
  }

  has(topic: string, partition: number): boolean {
    return this.added.has(`${topic}-${partition}`);
  }

  get size(): number {
    return this.added.size;
  }

  /** Every partition of the transaction, sorted by topic then partition. */
  list(): Array<{ topic: string; partition: number }> {
    return [...this.added.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  }

  clear(): void {
    this.added.clear();
  }
}

/** A consumer's group identity for sendOffsetsToTransaction (KIP-447: the group coordinator fences zombie members). */
export interface ConsumerGroupMetadata {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface TxnOffset {
  topic: string;
  partition: number;
  /** The next offset to consume (one past the last processed record). */
  offset: bigint;
  metadata?: string | null;
  leaderEpoch?: number;
}

export interface TransactionManagerOptions {
  transactionalId: string;
  transactionTimeoutMs?: number;
  /** retry.backoff.ms (default 100); CONCURRENT_TRANSACTIONS right after a commit is retried sooner (from 2 ms up to 20 ms). */
  retryBackoffMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/**
 * CONCURRENT_TRANSACTIONS right after a commit only means the coordinator is still writing the markers of the last
 * transaction (a few ms): retried after 2, 4, 8, 16, then every 20 ms (Kafka waits a flat 20 ms, which caps a
 * producer of small transactions at about one transaction per 20 ms).
 */
const CONCURRENT_TXN_FIRST_BACKOFF_MS = 2;
const CONCURRENT_TXN_MAX_BACKOFF_MS = 20;

export class TransactionManager {
  private stateValue: TransactionState = 'UNINITIALIZED';
  private coordinatorId = -1;
  private idAndEpoch: ProducerIdAndEpoch | null = null;
  private seqs: ProducerSequences | null = null;
  private lastError: AdminError | null = null;
  /** A batch whose outcome is unknown left a hole in a partition's sequence: the epoch is bumped after the abort. */
  private needsEpochBump = false;
  /** Whether the coordinator knows of this transaction (a partition or offsets were added); else EndTxn is skipped. */
  private started = false;
  /** The last AddPartitionsToTxn call in progress (see addPartitions). */
  private addChain: Promise<void> = Promise.resolve();
  readonly partitions = new TxnPartitions();
  readonly transactionalId: string;
  readonly transactionTimeoutMs: number;
  private readonly retryBackoffMs: number;
  private readonly log;

  constructor(private readonly admin: AdminClient, opts: TransactionManagerOptions) {
    this.transactionalId = opts.transactionalId;
    this.transactionTimeoutMs = opts.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS;
    this.retryBackoffMs = opts.retryBackoffMs ?? 100;
    this.log = moduleLogger('client', { transactionalId: opts.transactionalId });
  }

  get state(): TransactionState {
    return this.stateValue;
  }

  get producerIdAndEpoch(): ProducerIdAndEpoch | null {
    return this.idAndEpoch;
  }

  /** Sequence numbers under the current producer id and epoch (they run on across transactions of one epoch). */
  get sequences(): ProducerSequences {
    if (this.seqs === null) throw this.stateError('send');
    return this.seqs;
  }

  // ---- public operations (the Producer calls these) --------------------------------------------------------------

  /** InitProducerId with the transactional id: fences older producers of the id and completes their open transaction. */
  async initTransactions(): Promise<ProducerIdAndEpoch> {
    if (this.stateValue !== 'UNINITIALIZED') throw this.stateError('initTransactions');
    await this.initProducerId(false);
    this.stateValue = 'READY';
    return this.idAndEpoch!;
  }

  beginTransaction(): void {
    this.throwIfFatal();
    if (this.stateValue !== 'READY') throw this.stateError('beginTransaction');
    this.partitions.clear();
    this.started = false;
    this.lastError = null;
    this.stateValue = 'IN_TRANSACTION';
  }

  /** Throws unless records may be sent now (in a transaction without an earlier failure). */
  checkCanSend(): void {
    this.throwIfFatal();
    if (this.stateValue === 'ABORTABLE_ERROR') {
      throw new TransactionAbortableError(`transactional id '${this.transactionalId}': cannot send, an earlier request of this transaction failed (${this.lastError?.message ?? 'unknown error'}); abort the transaction`, this.lastError?.code);
    }
    if (this.stateValue !== 'IN_TRANSACTION') throw this.stateError('send');
  }

  /**
   * AddPartitionsToTxn for the partitions of `topic` not yet in the transaction; resolves once all are added. Calls
   * run one after another, so concurrent sends to a new partition add it once.
   */
  async addPartitions(topic: string, partitions: readonly number[]): Promise<void> {
    this.checkCanSend();
    if (this.partitions.missing(topic, partitions).length === 0) return;
    const run = this.addChain.then(() => this.addMissing(topic, partitions));
    this.addChain = run.catch(() => undefined);
    return run;
  }

  private async addMissing(topic: string, partitions: readonly number[]): Promise<void> {
    this.checkCanSend();
    let missing = this.partitions.missing(topic, partitions);
    if (missing.length === 0) return;
    const { producerId, producerEpoch } = this.idAndEpoch!;
    await this.guard(() => this.retry(`adding ${topic} partitions ${missing.join(',')} to the transaction`, async () => {
      const coord = await this.coordinator();
      const { response } = await this.admin.send(coord, AddPartitionsToTxn, () => ({
        transactionalId: this.transactionalId, producerId, producerEpoch, topics: [{ name: topic, partitions: missing }],
      }));
      let worst: { code: number; partition: number } | null = null;
      const added: number[] = [];
      for (const t of response.results) {
        for (const r of t.results) {
          if (r.errorCode === ErrorCode.NONE) added.push(r.partitionIndex);
          // OPERATION_NOT_ATTEMPTED only says another partition failed; report the one that did.
          else if (worst === null || worst.code === ErrorCode.OPERATION_NOT_ATTEMPTED) worst = { code: r.errorCode, partition: r.partitionIndex };
        }
      }
      this.partitions.markAdded(topic, added);
      if (added.length > 0) this.started = true;
      missing = this.partitions.missing(topic, missing);
      if (worst !== null) this.raise(worst.code, `AddPartitionsToTxn ${topic}-${worst.partition}`);
      else if (missing.length > 0) throw new AdminError(`AddPartitionsToTxn: the coordinator did not answer for ${topic} partitions ${missing.join(',')}`);
    }));
  }

  /**
   * Adds consumed offsets to the transaction: AddOffsetsToTxn to the transaction coordinator (it adds the group's
   * __consumer_offsets partition), then TxnOffsetCommit to the group coordinator (KIP-447 fields from v3).
   */
  async sendOffsetsToTransaction(offsets: readonly TxnOffset[], group: string | ConsumerGroupMetadata): Promise<void> {
    this.checkCanSend();
    const meta: ConsumerGroupMetadata = typeof group === 'string'
      ? { groupId: group, generationId: -1, memberId: '', groupInstanceId: null }
      : group;
    const { producerId, producerEpoch } = this.idAndEpoch!;
    await this.guard(async () => {
      await this.retry(`adding the offsets of group '${meta.groupId}' to the transaction`, async () => {
        const coord = await this.coordinator();
        const { response } = await this.admin.send(coord, AddOffsetsToTxn, () => ({
          transactionalId: this.transactionalId, producerId, producerEpoch, groupId: meta.groupId,
        }));
        this.raise(response.errorCode, `AddOffsetsToTxn for group '${meta.groupId}'`);
      });
      this.started = true;
      let pending = [...offsets];
      let groupCoordinator = -1;
      await this.retry(`committing offsets of group '${meta.groupId}' in the transaction`, async () => {
        if (groupCoordinator < 0) groupCoordinator = await this.admin.coordinator(meta.groupId, COORDINATOR_GROUP);
        const byTopic = new Map<string, TxnOffset[]>();
        for (const o of pending) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
        const { response } = await this.admin.send(groupCoordinator, TxnOffsetCommit, () => ({
          transactionalId: this.transactionalId, groupId: meta.groupId, producerId, producerEpoch,
          generationId: meta.generationId, memberId: meta.memberId, groupInstanceId: meta.groupInstanceId,
          topics: [...byTopic].map(([name, os]) => ({
            name,
            partitions: os.map((o) => ({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch ?? -1, committedMetadata: o.metadata ?? '' })),
          })),
        })).catch((e: unknown) => {
          // The group coordinator may be gone (connection lost): look it up again on the retry.
          groupCoordinator = -1;
          throw e;
        });
        const failed: TxnOffset[] = [];
        let first: { code: number; where: string } | null = null;
        for (const t of response.topics) {
          for (const p of t.partitions) {
            if (p.errorCode === ErrorCode.NONE) continue;
            const o = pending.find((x) => x.topic === t.name && x.partition === p.partitionIndex);
            if (o) failed.push(o);
            first ??= { code: p.errorCode, where: `${t.name}-${p.partitionIndex}` };
          }
        }
        pending = failed;
        if (first === null) return;
        if (classifyTxnError(first.code) === 'findCoordinator') groupCoordinator = -1;
        this.raise(first.code, `TxnOffsetCommit ${first.where} for group '${meta.groupId}'`, false);
      });
    });
  }

  /**
   * EndTxn (commit or abort) once the caller has flushed every send of the transaction. A commit needs a transaction
   * without failures; an abort is allowed after an abortable error. Without any partition or offsets added the
   * coordinator never heard of the transaction, so nothing is sent (as Kafka).
   */
  async endTransaction(commit: boolean): Promise<void> {
    this.throwIfFatal();
    const what = commit ? 'commitTransaction' : 'abortTransaction';
    if (commit && this.stateValue === 'ABORTABLE_ERROR') {
      throw new TransactionAbortableError(`transactional id '${this.transactionalId}': cannot commit, the transaction failed (${this.lastError?.message ?? 'unknown error'}); abort it instead`, this.lastError?.code);
    }
    const from = commit ? ['IN_TRANSACTION', 'COMMITTING_TRANSACTION'] : ['IN_TRANSACTION', 'ABORTABLE_ERROR', 'ABORTING_TRANSACTION'];
    if (!from.includes(this.stateValue)) throw this.stateError(what);
    this.stateValue = commit ? 'COMMITTING_TRANSACTION' : 'ABORTING_TRANSACTION';
    if (this.started) {
      const { producerId, producerEpoch } = this.idAndEpoch!;
      try {
        await this.retry(`${commit ? 'committing' : 'aborting'} the transaction`, async () => {
          const coord = await this.coordinator();
          const { response } = await this.admin.send(coord, EndTxn, () => ({
            transactionalId: this.transactionalId, producerId, producerEpoch, committed: commit,
          }));
          this.raise(response.errorCode, `EndTxn (${commit ? 'commit' : 'abort'})`);
        });
      } catch (e) {
        // A timed-out EndTxn leaves the state as it is so the call can be repeated, as Kafka's retried commit.
        if (e instanceof ProducerFencedError || (e instanceof AdminError && classifyTxnError(e.code ?? -1) === 'fatal')) this.toFatal(e as AdminError);
        else if (e instanceof TransactionAbortableError) { this.stateValue = 'ABORTABLE_ERROR'; this.lastError = e; }
        throw e;
      }
    }
    if (!commit && this.needsEpochBump) {
      // KIP-360: a new epoch under the same producer id restarts every partition's sequence at 0.
      await this.initProducerId(true);
      this.needsEpochBump = false;
    }
    this.partitions.clear();
    this.started = false;
    this.lastError = null;
    this.stateValue = 'READY';
  }

  /**
   * A produce request of the transaction failed: fencing makes the producer unusable, anything else dooms the
   * transaction. `unknownOutcome`: the batch may or may not be written, so its partition's sequence has a hole.
   */
  produceFailed(error: Error, unknownOutcome: boolean): AdminError {
    const code = error instanceof AdminError ? error.code : undefined;
    if (code !== undefined && classifyTxnError(code) === 'fenced') {
      return this.toFatal(this.fencedError(code, `producing: ${error.message}`));
    }
    if (error instanceof ProducerFencedError) return this.toFatal(error);
    if (unknownOutcome || code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER || code === ErrorCode.UNKNOWN_PRODUCER_ID) this.needsEpochBump = true;
    const e = error instanceof TransactionAbortableError ? error : new TransactionAbortableError(error.message, code);
    this.toAbortable(e);
    return e;
  }

  // ---- internals -------------------------------------------------------------------------------------------------

  private async initProducerId(bump: boolean): Promise<void> {
    const current = this.idAndEpoch;
    await this.retry('initializing the transactional producer (InitProducerId)', async () => {
      const coord = await this.coordinator();
      const { response } = await this.admin.send(coord, InitProducerId, (v) => ({
        transactionalId: this.transactionalId,
        transactionTimeoutMs: this.transactionTimeoutMs,
        // v3+ (KIP-360): naming our own id and epoch bumps the epoch without fencing ourselves.
        producerId: bump && current && v >= 3 ? current.producerId : -1n,
        producerEpoch: bump && current && v >= 3 ? current.producerEpoch : -1,
      }));
      const action = classifyTxnError(response.errorCode);
      if (action === 'fenced') throw this.toFatal(this.fencedError(response.errorCode, 'InitProducerId'));
      if (action === 'abortable' || action === 'fatal') {
        throw new AdminError(`transactional id '${this.transactionalId}': InitProducerId failed: ${describeErrorCode(response.errorCode)}`, response.errorCode);
      }
      this.raise(response.errorCode, 'InitProducerId');
      this.idAndEpoch = { producerId: response.producerId, producerEpoch: response.producerEpoch };
    });
    this.seqs = new ProducerSequences(this.idAndEpoch!);
    this.log.debug({ ...this.idAndEpoch, producerId: String(this.idAndEpoch!.producerId) }, 'transactional producer id and epoch');
  }

  private async coordinator(): Promise<number> {
    if (this.coordinatorId < 0) this.coordinatorId = await this.admin.coordinator(this.transactionalId, COORDINATOR_TRANSACTION);
    return this.coordinatorId;
  }

  /** Throws for an error code: RetriableAdminError to retry (after FindCoordinator when it moved), fenced, or other. */
  private raise(code: number, what: string, transactionRequest = true): void {
    const action = classifyTxnError(code);
    const text = `transactional id '${this.transactionalId}': ${what}: ${describeErrorCode(code)}`;
    switch (action) {
      case 'ok':
        return;
      case 'findCoordinator':
        if (transactionRequest) this.coordinatorId = -1;
        throw new RetriableAdminError(text, code);
      case 'retry':
        throw new RetriableAdminError(text, code);
      case 'fenced':
        throw this.fencedError(code, what);
      case 'fatal':
        throw new AdminError(text, code);
      default:
        throw new TransactionAbortableError(text, code);
    }
  }

  /** Retries RetriableAdminError with backoff until the admin client's retry deadline. */
  private async retry<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.admin.retryDeadlineMs;
    let backoff = this.retryBackoffMs;
    let concurrentBackoff = CONCURRENT_TXN_FIRST_BACKOFF_MS;
    for (;;) {
      try {
        return await attempt();
      } catch (e) {
        if (!(e instanceof RetriableAdminError)) throw e;
        if (e.code === ErrorCode.NETWORK_EXCEPTION || e.code === ErrorCode.NOT_COORDINATOR || e.code === ErrorCode.COORDINATOR_NOT_AVAILABLE) this.coordinatorId = -1;
        const concurrent = e.code === ErrorCode.CONCURRENT_TRANSACTIONS;
        const wait = concurrent ? concurrentBackoff : backoff;
        if (Date.now() + wait > deadline) {
          throw new AdminError(`transactional id '${this.transactionalId}': ${what} did not succeed within ${this.admin.retryDeadlineMs} ms; last error: ${e.message}`, e.code);
        }
        await sleep(wait);
        if (concurrent) concurrentBackoff = Math.min(concurrentBackoff * 2, CONCURRENT_TXN_MAX_BACKOFF_MS);
        else backoff = Math.min(backoff * 2, 1000);
      }
    }
  }

  /** Runs a step of the open transaction; its failure moves the producer to the abortable or fatal state. */
  private async guard(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (e) {
      if (e instanceof ProducerFencedError) throw this.toFatal(e);
      const err = e instanceof AdminError ? e : new AdminError((e as Error).message);
      if (classifyTxnError(err.code ?? -1) === 'fatal') throw this.toFatal(err);
      this.toAbortable(err);
      throw err;
    }
  }

  private fencedError(code: number, what: string): ProducerFencedError {
    const pe = this.idAndEpoch ? ` (producer id ${this.idAndEpoch.producerId}, epoch ${this.idAndEpoch.producerEpoch})` : '';
    return new ProducerFencedError(
      `the producer with transactional id '${this.transactionalId}'${pe} is fenced: ${what}: ${describeErrorCode(code)} — another producer `
      + `with the same transactional id has started, or this transaction ran past transaction.timeout.ms (${this.transactionTimeoutMs} ms) `
      + `and was aborted; this producer cannot continue and must be closed (Producer.close())`, code);
  }

  private toFatal(e: AdminError): AdminError {
    if (this.stateValue !== 'FATAL_ERROR') {
      this.stateValue = 'FATAL_ERROR';
      this.lastError = e;
      this.log.warn({ err: e.message }, 'transactional producer entered the fatal state');
    }
    return e;
  }

  private toAbortable(e: AdminError): void {
    if (this.stateValue === 'FATAL_ERROR') return;
    if (this.stateValue === 'IN_TRANSACTION' || this.stateValue === 'COMMITTING_TRANSACTION') {
      this.stateValue = 'ABORTABLE_ERROR';
      this.lastError = e;
    }
  }

  private throwIfFatal(): void {
    if (this.stateValue === 'FATAL_ERROR') throw this.lastError ?? new ProducerFencedError(`transactional id '${this.transactionalId}': the producer is in a fatal state; close it`);
  }

  private stateError(op: string): AdminError {
    const hint = this.stateValue === 'UNINITIALIZED' ? ' (call initTransactions() first)'
      : this.stateValue === 'READY' ? ' (call beginTransaction() first)'
      : this.stateValue === 'IN_TRANSACTION' ? ' (commit or abort the open transaction first)' : '';
    return new AdminError(`transactional id '${this.transactionalId}': cannot ${op} in state ${this.stateValue}${hint}`);
  }
}
