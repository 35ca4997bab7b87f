// A kafkajs transactional producer as its own process, so a test can keep it alive while a newer instance with the
// same transactional id fences it, or kill -9 it in the middle of a transaction. It reads one command per stdin line
// ("begin", "send <topic> <partition> <value>", "commit", "abort") and prints one JSON line per command result.
import * as readline from 'node:readline';
import { Kafka, logLevel, type Transaction } from 'kafkajs';

const [brokers, transactionalId, timeoutMs] = process.argv.slice(2) as [string, string, string];
const kafka = new Kafka({ clientId: `txn-child-${process.pid}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, transactionTimeout: Number(timeoutMs), retry: { retries: 3 } });
let txn: Transaction | null = null;

const reply = (o: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};

async function run(line: string): Promise<void> {
  const [cmd, ...args] = line.trim().split(' ');
  try {
    if (cmd === 'begin') txn = await producer.transaction();
    else if (cmd === 'send') {
      const [topic, partition, value] = args as [string, string, string];
      await txn!.send({ topic, acks: -1, messages: [{ partition: Number(partition), value }] });
    } else if (cmd === 'commit') await txn!.commit();
    else if (cmd === 'abort') await txn!.abort();
    else throw new Error(`unknown command ${cmd}`);
    reply({ cmd, ok: true });
  } catch (e) {
    const err = e as { type?: string; name?: string; message?: string };
    reply({ cmd, ok: false, type: err.type ?? err.name, message: err.message });
  }
}

async function main(): Promise<void> {
  await producer.connect();
  reply({ cmd: 'ready', ok: true });
  const rl = readline.createInterface({ input: process.stdin });
  // One command at a time, in order.
  let chain = Promise.resolve();
  rl.on('line', (line) => {
    chain = chain.then(() => run(line));
  });
}

main().catch((e: unknown) => {
  reply({ cmd: 'ready', ok: false, message: String(e) });
  process.exit(1);
});
