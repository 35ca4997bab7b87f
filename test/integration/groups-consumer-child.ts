// A kafkajs group consumer as its own process (so tests can kill -9 it): prints one JSON line per message.
import { Kafka, logLevel } from 'kafkajs';

const [brokers, groupId, topic] = process.argv.slice(2) as [string, string, string];
const kafka = new Kafka({ clientId: `child-${process.pid}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 500, rebalanceTimeout: 10000 });

async function main(): Promise<void> {
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    process.stdout.write(`${JSON.stringify({ kind: 'assigned', assignment: e.payload.memberAssignment })}\n`);
  });
  await consumer.run({
    autoCommitInterval: 200,
    eachMessage: async ({ partition, message }) => {
      process.stdout.write(`${JSON.stringify({ kind: 'message', partition, offset: message.offset, value: message.value?.toString() })}\n`);
    },
  });
}

process.on('SIGTERM', () => {
  void consumer.disconnect().finally(() => process.exit(0));
});
main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
