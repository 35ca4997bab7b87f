// `brook console-producer`: sends stdin lines as records (like kafka-console-producer.sh).
import type { Command } from 'commander';
import { Option } from 'commander';
import { createInterface } from 'node:readline';
import { CompressionType } from '../../protocol/record/compression';
import { COMPRESSION_NAMES, Producer, UsageError, checkIdempotentConfig, type ProduceRecord } from '../../client';
import { formatJson, out } from '../format';
import { addCommonOptions, collect, parseKeyValues, usage, withAdmin, type CommonOptions } from './common';

interface ProducerCliOptions extends CommonOptions {
  topic?: string;
  property: string[];
  producerProperty: string[];
  acks: string;
  compression: string;
  batchSize: number;
}

export interface LineParser {
  parseKey: boolean;
  separator: string;
}

/** Kafka's console producer reader: with parse.key=true the line splits at the first separator. */
export function lineParser(props: Map<string, string>): LineParser {
  const known = new Set(['parse.key', 'key.separator', 'ignore.error']);
  for (const k of props.keys()) if (!known.has(k)) throw new UsageError(`unknown --property "${k}" (known: ${[...known].join(', ')})`);
  const parseKey = (props.get('parse.key') ?? 'false').toLowerCase() === 'true';
  const separator = props.get('key.separator') ?? '\t';
  if (separator === '') throw new UsageError('key.separator must not be empty');
  return { parseKey, separator };
}

/** Kafka producer settings given with --producer-property that this producer acts on. */
export function producerProperties(props: Map<string, string>): { idempotent: boolean } {
  const known = new Set(['enable.idempotence']);
  for (const k of props.keys()) if (!known.has(k)) throw new UsageError(`unknown --producer-property "${k}" (known: ${[...known].join(', ')})`);
  const idempotence = (props.get('enable.idempotence') ?? 'false').toLowerCase();
  if (idempotence !== 'true' && idempotence !== 'false') throw new UsageError(`enable.idempotence must be true or false, got "${idempotence}"`);
  return { idempotent: idempotence === 'true' };
}

export function parseLine(line: string, p: LineParser): ProduceRecord {
  if (!p.parseKey) return { key: null, value: Buffer.from(line, 'utf8') };
  const i = line.indexOf(p.separator);
  if (i < 0) throw new UsageError(`no key separator "${p.separator}" in line: ${line}`);
  return { key: Buffer.from(line.slice(0, i), 'utf8'), value: Buffer.from(line.slice(i + p.separator.length), 'utf8') };
}

export function registerConsoleProducer(program: Command): void {
  const cmd = program
    .command('console-producer')
    .description('send lines from stdin as records (like kafka-console-producer.sh)')
    .option('--topic <name>', 'topic to write to')
    .option('--property <k=v>', 'reader property: parse.key=true, key.separator=: (repeatable)', collect, [] as string[])
    .option('--producer-property <k=v>', 'producer property: enable.idempotence=true (needs --acks all) (repeatable)', collect, [] as string[])
    .addOption(new Option('--acks <acks>', 'acknowledgements: -1 (all in-sync replicas), 1 (leader), 0 (none)').choices(['-1', '0', '1', 'all']).default('-1'))
    .addOption(new Option('--compression <codec>', 'compression codec').choices(['none', 'gzip', 'snappy', 'lz4', 'zstd']).default('none'))
    .option('--batch-size <n>', 'records per produce request at most', (v: string) => Number(v), 500);
  addCommonOptions(cmd).action(async (opts: ProducerCliOptions) => {
    const topic = opts.topic ?? usage('console-producer needs --topic <name>');
    const parser = lineParser(parseKeyValues(opts.property, '--property'));
    const acks = (opts.acks === 'all' ? -1 : Number(opts.acks)) as -1 | 0 | 1;
    const compression = COMPRESSION_NAMES[opts.compression] ?? CompressionType.None;
    const { idempotent } = producerProperties(parseKeyValues(opts.producerProperty, '--producer-property'));
    if (idempotent) checkIdempotentConfig({ acks });
    await withAdmin(opts, async (a) => {
      await a.withRetry(`looking up topic '${topic}'`, () => a.topic(topic));
      const producer = new Producer(a, { acks, compression, idempotent });
      let buffered: ProduceRecord[] = [];
      let sent = 0;
      let chain: Promise<void> = Promise.resolve();
      let timer: NodeJS.Timeout | null = null;
      let failure: Error | null = null;
      // Lines are sent in order: flushes are chained, each one after the previous is acknowledged.
      const flush = (): void => {
        if (timer) { clearTimeout(timer); timer = null; }
        if (buffered.length === 0) return;
        const batch = buffered;
        buffered = [];
        chain = chain.then(async () => {
          if (failure) return;
          try {
            await producer.send(topic, batch);
            sent += batch.length;
          } catch (e) {
            failure = e as Error;
          }
        });
      };
      const rl = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
      for await (const line of rl) {
        if (failure) break;
        if (line === '' && !parser.parseKey) continue;
        buffered.push(parseLine(line, parser));
        if (buffered.length >= opts.batchSize) flush();
        // Interactive use: a typed line goes out promptly instead of waiting for a full batch.
        else timer ??= setTimeout(flush, 10);
      }
      flush();
      await chain;
      if (failure) throw failure;
      if (opts.output === 'json') out(formatJson({ topic, records: sent }));
      else process.stderr.write(`Sent ${sent} record(s) to ${topic}.\n`);
    });
  });
}
