// Transactions for `brook producer-perf-test --transaction-duration-ms` (Kafka's ProducerPerformance): begin before
// the first record, commit once a transaction is `durationMs` old, and add each partition to the transaction before
// its first batch goes out.
import {
  AdminClient, TransactionManager, type ProducerSequences,
} from '../client';

export class PerfTransactions {
  private readonly tm: TransactionManager;
  private startedAt = 0;
  private adding: Promise<void> | null = null;
  private readonly wanted = new Set<number>();
  /** Transactions committed so far. */
  committed = 0;

  constructor(
    admin: AdminClient,
    opts: { transactionalId: string; transactionTimeoutMs: number; retryBackoffMs: number },
    private readonly durationMs: number,
    private readonly topic: string,
  ) {
    this.tm = new TransactionManager(admin, opts);
  }

  get transactionalId(): string {
    return this.tm.transactionalId;
  }

  /** initTransactions(); the sequences of the producer id and epoch it got. */
  async init(): Promise<ProducerSequences> {
    await this.tm.initTransactions();
    return this.tm.sequences;
  }

  get open(): boolean {
    return this.tm.state === 'IN_TRANSACTION';
  }

  begin(nowMs: number): void {
    this.tm.beginTransaction();
    this.startedAt = nowMs;
  }

  /** Kafka's test: commit once the transaction has lasted at least the duration (checked after each send). */
  due(nowMs: number): boolean {
    return this.open && this.durationMs <= nowMs - this.startedAt;
  }

  /**
   * Whether batches of `partition` may be sent. If the partition is not in the transaction yet, it is added
   * (with every other partition asked for meanwhile, one AddPartitionsToTxn at a time) and `then` runs afterwards.
   */
  ready(partition: number, then: () => void, fail: (e: Error) => void): boolean {
    if (this.tm.partitions.has(this.topic, partition)) return true;
    this.wanted.add(partition);
    if (this.adding === null) {
      const parts = [...this.wanted];
      this.wanted.clear();
      this.adding = this.tm.addPartitions(this.topic, parts).then(
        () => { this.adding = null; then(); },
        (e: unknown) => { this.adding = null; fail(e as Error); },
      );
    }
    return false;
  }

  /** EndTxn(commit) after the caller flushed every batch of the transaction. */
  async commit(): Promise<void> {
    await this.tm.endTransaction(true);
    this.committed++;
  }

  /** A batch failed: the error the run stops with (fenced, or the transaction is lost). */
  failed(error: Error): Error {
    return this.tm.produceFailed(error, true);
  }
}
