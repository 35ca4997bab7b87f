// `brook consumer-perf-test`: Kafka's kafka-consumer-perf-test.sh over the wire protocol, with its flags and output.
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../client';
import {
  DEFAULT_DATE_FORMAT, applyConsumerProps, consumerPerfHeader, formatConsumerPerfLine, formatConsumerProgressLine,
  parsePropertiesText, runConsumerPerf, simpleDateFormat, timeoutWarning, type ConsumerPerfOptions,
} from '../../perf/consumerPerf';
import { DEFAULT_BOOTSTRAP, collect, parseIntArg, parseKeyValues, usage } from './common';

interface ConsumerPerfCliOptions {
  bootstrapServer?: string;
  brokerList?: string;
  topic?: string;
  messages?: number;
  group?: string;
  fetchSize?: number;
  fromLatest?: boolean;
  timeout: number;
  showDetailedStats?: boolean;
  reportingInterval: number;
  hideHeader?: boolean;
  dateFormat: string;
  consumerConfig?: string;
  consumerProps: string[];
  printMetrics?: boolean;
}

/** Turns the command's flags into run options; every problem is a UsageError (exit 2). */
export function consumerPerfOptions(opts: ConsumerPerfCliOptions): { options: ConsumerPerfOptions; warnings: string[] } {
  const topic = opts.topic ?? usage('consumer-perf-test needs --topic <name>');
  const messages = opts.messages ?? usage('consumer-perf-test needs --messages <n>');
  let props = new Map<string, string>();
  if (opts.consumerConfig !== undefined) {
    try {
      props = parsePropertiesText(fs.readFileSync(opts.consumerConfig, 'utf8'));
    } catch (e) {
      throw new UsageError(`cannot read --consumer.config ${opts.consumerConfig}: ${(e as Error).message}`);
    }
  }
  for (const [k, v] of parseKeyValues(opts.consumerProps, '--consumer-props')) props.set(k, v);
  const { options: fromProps, warnings } = applyConsumerProps(props);
  // Flags win over properties, as in Kafka's tool.
  const options: ConsumerPerfOptions = {
    ...fromProps,
    bootstrapServer: opts.bootstrapServer ?? opts.brokerList ?? fromProps.bootstrapServer ?? DEFAULT_BOOTSTRAP,
    topic,
    messages,
    timeoutMs: opts.timeout,
    reportingIntervalMs: opts.reportingInterval,
  };
  if (opts.group !== undefined) options.groupId = opts.group;
  if (opts.fetchSize !== undefined) options.fetchSize = opts.fetchSize;
  if (opts.fromLatest) options.autoOffsetReset = 'latest';
  else options.autoOffsetReset ??= 'earliest';
  if (opts.printMetrics) warnings.push('--print-metrics is not supported; no metrics are printed');
  return { options, warnings };
}

export function registerConsumerPerfTest(program: Command): void {
  program
    .command('consumer-perf-test')
    .description('consume records as fast as possible and report throughput (like kafka-consumer-perf-test.sh)')
    .option('--bootstrap-server <host:port>', `broker(s) to connect to (default ${DEFAULT_BOOTSTRAP})`)
    .option('--broker-list <host:port>', 'deprecated alias of --bootstrap-server')
    .option('--topic <name>', 'topic to consume from')
    .option('--messages <n>', 'number of messages to consume', parseIntArg('--messages', 1))
    .option('--group <id>', 'consumer group id (default perf-consumer-<random>)')
    .option('--fetch-size <bytes>', 'max.partition.fetch.bytes: data fetched per partition per request (default 1048576)', parseIntArg('--fetch-size', 1))
    .option('--from-latest', 'without a committed offset, start at the log end instead of the earliest offset')
    .option('--timeout <ms>', 'maximum time between returned records', parseIntArg('--timeout', 1), 10_000)
    .option('--show-detailed-stats', 'print stats every --reporting-interval instead of one summary line')
    .option('--reporting-interval <ms>', 'interval between detailed stats lines', parseIntArg('--reporting-interval', 1), 5000)
    .option('--hide-header', 'do not print the header line')
    .option('--date-format <pattern>', 'java.text.SimpleDateFormat pattern for times', DEFAULT_DATE_FORMAT)
    .option('--consumer.config <file>', 'consumer properties file (group.id, fetch.max.bytes, max.partition.fetch.bytes, auto.offset.reset, ...)')
    .option('--consumer-props <k=v...>', 'consumer properties, over --consumer.config (Brook extension)', collect, [] as string[])
    .option('--print-metrics', 'accepted for compatibility; Brook prints no client metrics')
    .option('--threads <n>', 'deprecated and ignored, as in Kafka 2.x', parseIntArg('--threads', 1))
    .option('--num-fetch-threads <n>', 'deprecated and ignored, as in Kafka 2.x', parseIntArg('--num-fetch-threads', 1))
    .option('--socket-buffer-size <bytes>', 'accepted for compatibility (the OS sizes socket buffers)', parseIntArg('--socket-buffer-size', 1))
    .action(async (opts: ConsumerPerfCliOptions) => {
      const { options, warnings } = consumerPerfOptions(opts);
      const dateFormat = simpleDateFormat(opts.dateFormat);
      for (const w of warnings) process.stderr.write(w + '\n');
      const out = (line: string): void => { process.stdout.write(line + '\n'); };
      if (!opts.hideHeader) out(consumerPerfHeader(!!opts.showDetailedStats));
      if (opts.showDetailedStats) options.onProgress = (p) => out(formatConsumerProgressLine(p, dateFormat));
      options.onWarning = (line) => process.stderr.write(line + '\n');
      const r = await runConsumerPerf(options);
      if (r.timedOut) process.stderr.write(timeoutWarning(options.timeoutMs ?? 10_000) + '\n');
      // Kafka prints the summary line only without --show-detailed-stats.
      if (!opts.showDetailedStats) out(formatConsumerPerfLine(r, dateFormat));
    });
}
