// `brook e2e-latency`: Kafka's EndToEndLatency tool (positional arguments, as kafka-run-class runs it, or flags).
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../client';
import { parsePropertiesText } from '../../perf/consumerPerf';
import { formatLatencySummary, parseLatencyAcks, runE2eLatency, type E2eLatencyOptions } from '../../perf/e2eLatency';
import { usage } from './common';

interface E2eCliOptions {
  bootstrapServer?: string;
  topic?: string;
  numMessages?: string;
  producerAcks?: string;
  messageSize?: string;
  commandConfig?: string;
}

const POSITIONAL = 'broker_list topic num_messages producer_acks message_size_bytes [properties_file]';

function intArg(name: string, v: string, min: number): number {
  if (!/^\d+$/.test(v.trim())) throw new UsageError(`${name} must be an integer, got "${v}"`);
  const n = Number(v);
  if (n < min) throw new UsageError(`${name} must be at least ${min}, got ${n}`);
  return n;
}

/** Reads either the positional form or the flag form (not both) into run options; problems are UsageErrors. */
export function e2eLatencyOptions(args: string[], opts: E2eCliOptions): E2eLatencyOptions {
  const flagsGiven = [opts.bootstrapServer, opts.topic, opts.numMessages, opts.producerAcks, opts.messageSize].some((x) => x !== undefined);
  let broker: string | undefined;
  let topic: string | undefined;
  let num: string | undefined;
  let acks: string | undefined;
  let size: string | undefined;
  let propsFile: string | undefined;
  if (args.length > 0) {
    if (flagsGiven) usage(`give either the positional arguments (${POSITIONAL}) or the flags, not both`);
    if (args.length !== 5 && args.length !== 6) usage(`expected arguments: ${POSITIONAL} (got ${args.length})`);
    [broker, topic, num, acks, size, propsFile] = args;
  } else {
    ({ bootstrapServer: broker, topic, numMessages: num, producerAcks: acks, messageSize: size, commandConfig: propsFile } = opts);
  }
  if (broker === undefined) usage('e2e-latency needs --bootstrap-server <host:port> (or the positional broker_list)');
  if (topic === undefined) usage('e2e-latency needs --topic <name>');
  if (num === undefined) usage('e2e-latency needs --num-messages <n>');
  if (acks === undefined) usage('e2e-latency needs --producer-acks <1|all>');
  if (size === undefined) usage('e2e-latency needs --message-size <bytes>');
  const out: E2eLatencyOptions = {
    bootstrapServer: broker,
    topic,
    numMessages: intArg('num_messages', num, 1),
    acks: parseLatencyAcks(acks),
    messageSize: intArg('message_size_bytes', size, 1),
  };
  if (propsFile !== undefined && propsFile !== '') {
    let props: Map<string, string>;
    try {
      props = parsePropertiesText(fs.readFileSync(propsFile, 'utf8'));
    } catch (e) {
      throw new UsageError(`cannot read properties file ${propsFile}: ${(e as Error).message}`);
    }
    // Only client.id changes anything here; Kafka's tool overrides the timing-related settings itself.
    const clientId = props.get('client.id');
    if (clientId !== undefined) out.clientId = clientId;
  }
  return out;
}

export function registerE2eLatency(program: Command): void {
  program
    .command('e2e-latency')
    .description(`end-to-end latency: produce one record at a time and wait until it is fetched back (like kafka.tools.EndToEndLatency); positional form: ${POSITIONAL}`)
    .argument('[args...]', POSITIONAL)
    .option('--bootstrap-server <host:port>', 'broker(s) to connect to')
    .option('--topic <name>', 'topic (created with 1 partition, RF 1 when absent; must have exactly one partition)')
    .option('--num-messages <n>', 'number of messages')
    .option('--producer-acks <1|all>', 'producer acks')
    .option('--message-size <bytes>', 'size of each message')
    .option('--command-config <file>', 'client properties file')
    .action(async (args: string[], opts: E2eCliOptions) => {
      const options = e2eLatencyOptions(args, opts);
      const out = (line: string): void => { process.stdout.write(line + '\n'); };
      const r = await runE2eLatency({ ...options, out });
      for (const line of formatLatencySummary(r)) out(line);
    });
}
