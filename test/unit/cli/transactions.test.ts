// `brook transactions` and `brook console-consumer --isolation-level`: usage errors and Kafka's output layout.
import { CommanderError } from 'commander';
import { buildProgram } from '../../../src/cli/main';
import { READ_COMMITTED, READ_UNCOMMITTED, UsageError } from '../../../src/client';
import { DESCRIBE_HEADERS, LIST_HEADERS, describeRow, kafkaTable, listRows } from '../../../src/cli/commands/transactions';
import { parseIsolationLevel } from '../../../src/cli/commands/console-consumer';

async function parse(...args: string[]): Promise<unknown> {
  const p = buildProgram();
  p.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  for (const c of p.commands) c.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  try {
    await p.parseAsync(['node', 'brook', ...args]);
    return null;
  } catch (e) {
    return e;
  }
}

describe('usage errors (exit code 2)', () => {
  test.each([
    [['transactions'], /exactly one of --list, --describe/],
    [['transactions', '--list', '--describe'], /exactly one of --list, --describe \(got 2\)/],
    [['transactions', '--describe'], /--describe needs --transactional-id <id>/],
    [['transactions', '--describe', '--transactional-id', ''], /--transactional-id must not be empty/],
    [['transactions', '--list', '--transactional-id', 'x'], /--transactional-id applies to --describe only/],
    [['console-consumer', '--topic', 't', '--isolation-level', 'committed'], /--isolation-level must be read_committed or read_uncommitted, got "committed"/],
    [['producer-perf-test', '--topic', 't', '--num-records', '1', '--record-size', '1', '--throughput', '-1', '--transaction-duration-ms', '-5'], /--transaction-duration-ms must be at least 0/],
    [['producer-perf-test', '--topic', 't', '--num-records', '1', '--record-size', '1', '--throughput', '-1', '--producer-props', 'transactional.id=x'], /needs --transaction-duration-ms/],
    [['producer-perf-test', '--topic', 't', '--num-records', '1', '--record-size', '1', '--throughput', '-1', '--transaction-duration-ms', '100', '--producer-props', 'acks=1'], /Must set acks to all/],
  ])('%j', async (args, message) => {
    const e = await parse(...args);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toMatch(message);
  });

  test('transactions --help ends with exit code 0', async () => {
    const e = await parse('transactions', '--help');
    expect(e).toBeInstanceOf(CommanderError);
    expect((e as CommanderError).exitCode).toBe(0);
  });

  test('--isolation-level values', () => {
    expect(parseIsolationLevel('read_committed')).toBe(READ_COMMITTED);
    expect(parseIsolationLevel('read_uncommitted')).toBe(READ_UNCOMMITTED);
  });
});

describe("kafka-transactions.sh output (Kafka 3.0's TransactionsCommand)", () => {
  test('list: its headers, each cell padded to the column and followed by a tab', () => {
    const text = kafkaTable(LIST_HEADERS, listRows([
      { transactionalId: 'orders-tx', coordinatorId: 2, producerId: 4000n, state: 'Ongoing' },
      { transactionalId: 'a-much-longer-transactional-id', coordinatorId: 10, producerId: 7n, state: 'CompleteCommit' },
    ]));
    expect(text.split('\n')).toEqual([
      'TransactionalId               \tCoordinator\tProducerId\tTransactionState\t',
      'orders-tx                     \t2          \t4000      \tOngoing         \t',
      'a-much-longer-transactional-id\t10         \t7         \tCompleteCommit  \t',
    ]);
  });

  test('list without transactions prints the header only', () => {
    expect(kafkaTable(LIST_HEADERS, [])).toBe('TransactionalId\tCoordinator\tProducerId\tTransactionState\t');
  });

  test('describe: the nine columns, duration from now, partitions as topic-partition joined by commas', () => {
    const row = describeRow({
      coordinatorId: 1, transactionalId: 'tx', state: 'Ongoing', producerId: 4000n, producerEpoch: 3, transactionTimeoutMs: 60000,
      transactionStartTimeMs: 1_700_000_000_000n, topicPartitions: [{ topic: 'a', partition: 0 }, { topic: 'a', partition: 2 }, { topic: 'b', partition: 1 }],
    }, 1_700_000_001_500n);
    expect(row).toEqual(['1', 'tx', '4000', '3', 'Ongoing', '60000', '1700000000000', '1500', 'a-0,a-2,b-1']);
    expect(DESCRIBE_HEADERS).toEqual(['CoordinatorId', 'TransactionalId', 'ProducerId', 'ProducerEpoch', 'TransactionState', 'TransactionTimeoutMs', 'CurrentTransactionStartTimeMs', 'TransactionDurationMs', 'TopicPartitions']);
    expect(kafkaTable(DESCRIBE_HEADERS, [row]).split('\n')[1]).toBe('1            \ttx             \t4000      \t3            \tOngoing         \t60000               \t1700000000000                \t1500                 \ta-0,a-2,b-1    \t');
  });

  test('describe without an open transaction prints None for its start and duration', () => {
    const row = describeRow({
      coordinatorId: 0, transactionalId: 'tx', state: 'CompleteCommit', producerId: 1n, producerEpoch: 0, transactionTimeoutMs: 100,
      transactionStartTimeMs: null, topicPartitions: [],
    }, 5n);
    expect(row.slice(6)).toEqual(['None', 'None', '']);
  });
});
