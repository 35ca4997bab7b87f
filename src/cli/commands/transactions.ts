// `brook transactions`: lists and describes transactional ids (like Kafka 3.0's kafka-transactions.sh list / describe).
import type { Command } from 'commander';
import { AdminError, type TransactionDescription, type TransactionListing } from '../../client';
import { formatJson, out } from '../format';
import { addCommonOptions, oneAction, usage, withAdmin, type CommonOptions } from './common';

interface TransactionsOptions extends CommonOptions {
  list?: boolean;
  describe?: boolean;
  transactionalId?: string;
}

export const LIST_HEADERS = ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState'];
export const DESCRIBE_HEADERS = [
  'CoordinatorId', 'TransactionalId', 'ProducerId', 'ProducerEpoch', 'TransactionState', 'TransactionTimeoutMs',
  'CurrentTransactionStartTimeMs', 'TransactionDurationMs', 'TopicPartitions',
];

/**
 * Kafka's TransactionsCommand.prettyPrintTable: every cell padded to its column's width and followed by a tab (the
 * last one too), so scripts written against kafka-transactions.sh split Brook's output the same way.
 */
export function kafkaTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [headers, ...rows].map((r) => r.map((c, i) => `${c.padEnd(widths[i]!)}\t`).join('')).join('\n');
}

export function listRows(listings: TransactionListing[]): string[][] {
  return listings.map((t) => [t.transactionalId, String(t.coordinatorId), String(t.producerId), t.state]);
}

/** One describe row; the duration is measured from `nowMs` as Kafka's tool does, "None" without an open transaction. */
export function describeRow(d: TransactionDescription, nowMs: bigint): string[] {
  const start = d.transactionStartTimeMs;
  return [
    String(d.coordinatorId), d.transactionalId, String(d.producerId), String(d.producerEpoch), d.state,
    String(d.transactionTimeoutMs), start === null ? 'None' : String(start), start === null ? 'None' : String(nowMs - start),
    d.topicPartitions.map((tp) => `${tp.topic}-${tp.partition}`).join(','),
  ];
}

export function registerTransactions(program: Command): void {
  const cmd = program
    .command('transactions')
    .description('list transactional ids or describe one (like kafka-transactions.sh list / describe)')
    .option('--list', 'every transactional id the coordinators know, with its coordinator, producer id and state')
    .option('--describe', 'the state of --transactional-id: producer id and epoch, state, timeout, open transaction and its partitions')
    .option('--transactional-id <id>', 'with --describe: the transactional id');
  addCommonOptions(cmd).action(async (opts: TransactionsOptions) => {
    const action = oneAction(opts, ['list', 'describe']);
    if (action === 'list') {
      if (opts.transactionalId !== undefined) usage('--transactional-id applies to --describe only (--list shows every transactional id)');
      await withAdmin(opts, async (a) => {
        let listings: TransactionListing[];
        try {
          listings = await a.listTransactions();
        } catch (e) {
          throw new AdminError(`Failed to list transactions: ${(e as Error).message}`, (e as AdminError).code);
        }
        out(opts.output === 'json' ? formatJson(listings) : kafkaTable(LIST_HEADERS, listRows(listings)));
      });
      return;
    }
    const id = opts.transactionalId ?? usage('--describe needs --transactional-id <id>');
    if (id === '') usage('--transactional-id must not be empty');
    await withAdmin(opts, async (a) => {
      let d: TransactionDescription;
      try {
        [d] = (await a.describeTransactions([id])) as [TransactionDescription];
      } catch (e) {
        throw new AdminError(`Failed to describe transaction state of transactional-id \`${id}\`: ${(e as Error).message}`, (e as AdminError).code);
      }
      out(opts.output === 'json' ? formatJson(d) : kafkaTable(DESCRIBE_HEADERS, [describeRow(d, BigInt(Date.now()))]));
    });
  });
}
