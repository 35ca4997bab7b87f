// `brook producer-perf-test`: Kafka's kafka-producer-perf-test.sh over the wire protocol, with its flags and output.
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../client';
import { setDefaultClientSecurity } from '../../client/connection';
import { clientSecurityFromProperties } from '../../security/clientProperties';
import { nodeSslIo } from '../../util/sslIo';
import { isSecurityProperty, parseProducerProps, randomPayload, runProducerPerf, splitPayloads } from '../../perf/producerPerf';
import { valueAtPercentile } from '../../perf/stats';
import { withCommandConfig } from './commandConfig';
import { DEFAULT_BOOTSTRAP, parseIntArg, parseKeyValues, usage } from './common';

interface PerfCliOptions {
  topic?: string;
  numRecords?: number;
  recordSize?: number;
  payloadFile?: string;
  payloadDelimiter: string;
  throughput?: number;
  producerProps: string[];
  /** commander keeps the dot of --producer.config in the option's name. */
  'producer.config'?: string;
  bootstrapServer?: string;
  reportingInterval: number;
  jsonOut?: string;
  transactionalId?: string;
  transactionDurationMs: number;
}

/** Kafka's ProducerPerformance default --transactional-id. */
export const DEFAULT_PERF_TRANSACTIONAL_ID = 'performance-producer-default-transactional-id';

/**
 * Kafka's rule (2.8 to 3.8): transactions are on only when --transaction-duration-ms is positive, under
 * --transactional-id or its default; a transactional.id among the producer properties cannot be used without it.
 * Returns the transactional id to use (or null) and warnings for flags that have no effect.
 */
export function transactionSettings(o: { transactionalId?: string; transactionDurationMs: number }, propsTransactionalId: string | undefined): { transactionalId: string | null; warnings: string[] } {
  if (o.transactionDurationMs > 0) return { transactionalId: o.transactionalId ?? DEFAULT_PERF_TRANSACTIONAL_ID, warnings: [] };
  if (propsTransactionalId !== undefined) {
    throw new UsageError('transactional.id in the producer properties needs --transaction-duration-ms <ms> (> 0): the test commits a transaction every that many ms');
  }
  const warnings = o.transactionalId !== undefined
    ? ['--transactional-id has no effect without --transaction-duration-ms > 0 (transactions are off, as in Kafka\'s tool)']
    : [];
  return { transactionalId: null, warnings };
}

/** Reads a Java-style .properties file (key=value or key: value lines, # and ! comments). */
export function readPropertiesFile(path: string): Map<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --producer.config ${path}: ${(e as Error).message}`);
  }
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (!m) throw new UsageError(`--producer.config ${path}: cannot parse line "${line}"`);
    out.set(m[1]!, m[2]!);
  }
  return out;
}

/** Percentiles written with --json-out, enough to draw a latency curve. */
const CURVE_POINTS = [1, 5, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100];

export function registerProducerPerfTest(program: Command): void {
  // --command-config (Brook's tools) and security settings among the producer properties (Kafka's tool) both work;
  // the producer properties win.
  withCommandConfig(program
    .command('producer-perf-test'))
    .description('produce records as fast as allowed and report throughput and latency (like kafka-producer-perf-test.sh)')
    .option('--topic <name>', 'topic to produce to')
    .option('--num-records <n>', 'number of records to produce', parseIntArg('--num-records', 1))
    .option('--record-size <bytes>', 'size of each record in bytes (give this or --payload-file)', parseIntArg('--record-size', 0))
    .option('--payload-file <file>', 'UTF-8 file of payloads; each record gets one of them at random')
    .option('--payload-delimiter <s>', 'delimiter between payloads in --payload-file', '\\n')
    .option('--throughput <rate>', 'throttle to about this many records/s; -1 for no limit', parseIntArg('--throughput', -1))
    .option('--producer-props <k=v...>', 'producer properties: bootstrap.servers, acks, linger.ms, batch.size, compression.type, enable.idempotence, ...', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--producer.config <file>', 'producer properties file (--producer-props win over it)')
    .option('--bootstrap-server <host:port>', `broker(s) to connect to (or bootstrap.servers in --producer-props; default ${DEFAULT_BOOTSTRAP})`)
    .option('--reporting-interval <ms>', 'interval between progress lines (Brook extension)', parseIntArg('--reporting-interval', 1), 5000)
    .option('--transactional-id <id>', `the transactional id when --transaction-duration-ms > 0 (default ${DEFAULT_PERF_TRANSACTIONAL_ID})`)
    .option('--transaction-duration-ms <ms>', 'commit a transaction once it is this old; transactions are on only when positive', parseIntArg('--transaction-duration-ms', 0), 0)
    .option('--json-out <file>', 'also write the summary and a latency percentile curve as JSON (Brook extension)')
    .action(async (opts: PerfCliOptions) => {
      const topic = opts.topic ?? usage('producer-perf-test needs --topic <name>');
      const numRecords = opts.numRecords ?? usage('producer-perf-test needs --num-records <n>');
      const throughput = opts.throughput ?? usage('producer-perf-test needs --throughput <records/s> (-1 for no limit)');
      if (throughput === 0) usage('--throughput must be a positive rate or -1 for no limit');
      if ((opts.recordSize === undefined) === (opts.payloadFile === undefined)) usage('give exactly one of --record-size or --payload-file');
      let payloads: Buffer[];
      if (opts.payloadFile !== undefined) {
        const delimiter = opts.payloadDelimiter === '\\n' ? '\n' : opts.payloadDelimiter;
        let text: string;
        try {
          text = fs.readFileSync(opts.payloadFile, 'utf8');
        } catch (e) {
          throw new UsageError(`cannot read --payload-file ${opts.payloadFile}: ${(e as Error).message}`);
        }
        process.stdout.write(`Reading payloads from: ${opts.payloadFile}\n`);
        payloads = splitPayloads(text, delimiter);
        if (payloads.length === 0) usage(`--payload-file ${opts.payloadFile} does not contain any payloads`);
        process.stdout.write(`Number of messages read: ${payloads.length}\n`);
      } else payloads = [randomPayload(opts.recordSize!)];
      // Kafka's order: file first, --producer-props on top; --bootstrap-server when bootstrap.servers is absent.
      const producerConfig = opts['producer.config'];
      const props = producerConfig !== undefined ? readPropertiesFile(producerConfig) : new Map<string, string>();
      for (const [k, v] of parseKeyValues(opts.producerProps, '--producer-props')) props.set(k, v);
      if (!props.has('bootstrap.servers')) props.set('bootstrap.servers', opts.bootstrapServer ?? DEFAULT_BOOTSTRAP);
      if (opts.transactionalId === '') usage('--transactional-id must not be empty');
      const txn = transactionSettings(opts, props.get('transactional.id'));
      if (txn.transactionalId !== null) props.set('transactional.id', txn.transactionalId);
      if ([...props.keys()].some(isSecurityProperty)) {
        try {
          setDefaultClientSecurity(clientSecurityFromProperties(props, nodeSslIo));
        } catch (e) {
          throw new UsageError(`producer properties: ${(e as Error).message}`);
        }
      }
      let parsed;
      try {
        parsed = parseProducerProps(props);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      for (const w of [...txn.warnings, ...parsed.warnings]) process.stderr.write(`WARN ${w}\n`);
      const result = await runProducerPerf({
        topic, numRecords, payloads, throughput, config: parsed.config, reportingIntervalMs: opts.reportingInterval,
        transactionDurationMs: opts.transactionDurationMs,
        out: (line) => process.stdout.write(`${line}\n`),
        err: (line) => process.stderr.write(`${line}\n`),
      });
      if (opts.jsonOut) {
        const s = result.sortedLatenciesMs;
        const curve = CURVE_POINTS.map((p) => ({ p, ms: valueAtPercentile(s, p / 100) }));
        const { sortedLatenciesMs: _omit, ...rest } = result;
        fs.writeFileSync(opts.jsonOut, JSON.stringify({ ...rest, latencyCurve: curve, config: { ...parsed.config }, topic, numRecords, throughput, recordSize: opts.recordSize ?? null }, null, 2));
      }
      if (result.failed > 0) {
        process.stderr.write(`${result.failed} of ${numRecords} records failed\n`);
        process.exitCode = 1;
      }
    });
}
