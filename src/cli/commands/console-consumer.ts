// `brook console-consumer`: prints records of a topic (like kafka-console-consumer.sh), alone or in a group.
import type { Command } from 'commander';
import {
  EARLIEST, Fetcher, GroupMember, ISOLATION_LEVEL_NAMES, LATEST, listOffsets, type ConsumedRecord, type AdminClient,
  type IsolationLevel, AdminError, UsageError,
} from '../../client';
import { formatJson } from '../format';
import { addCommonOptions, collect, parseIntArg, parseKeyValues, usage, withAdmin, type CommonOptions } from './common';

interface ConsumerCliOptions extends CommonOptions {
  topic?: string;
  fromBeginning?: boolean;
  group?: string;
  partition?: number;
  offset?: string;
  maxMessages?: number;
  timeoutMs?: number;
  property: string[];
  isolationLevel: string;
}

/** Kafka's --isolation-level values; anything else is a usage error. */
export function parseIsolationLevel(v: string): IsolationLevel {
  const level = ISOLATION_LEVEL_NAMES[v];
  if (level === undefined) throw new UsageError(`--isolation-level must be read_committed or read_uncommitted, got "${v}"`);
  return level;
}

export interface PrintOptions {
  printKey: boolean;
  printTimestamp: boolean;
  printPartition: boolean;
  printOffset: boolean;
  keySeparator: string;
}

export function printOptions(props: Map<string, string>): PrintOptions {
  const known = new Set(['print.key', 'print.timestamp', 'print.partition', 'print.offset', 'key.separator']);
  for (const k of props.keys()) if (!known.has(k)) throw new UsageError(`unknown --property "${k}" (known: ${[...known].join(', ')})`);
  const flag = (k: string): boolean => (props.get(k) ?? 'false').toLowerCase() === 'true';
  return { printKey: flag('print.key'), printTimestamp: flag('print.timestamp'), printPartition: flag('print.partition'), printOffset: flag('print.offset'), keySeparator: props.get('key.separator') ?? '\t' };
}

/** Kafka's DefaultMessageFormatter layout: CreateTime:ts, Partition:p, Offset:o, key, value — tab-separated. */
export function formatRecord(r: ConsumedRecord, p: PrintOptions): string {
  const parts: string[] = [];
  if (p.printTimestamp) parts.push(`CreateTime:${r.timestamp}`);
  if (p.printPartition) parts.push(`Partition:${r.partition}`);
  if (p.printOffset) parts.push(`Offset:${r.offset}`);
  let line = parts.join('\t');
  if (p.printKey) line += (line ? '\t' : '') + (r.key === null ? 'null' : r.key.toString('utf8')) + p.keySeparator;
  else if (line) line += '\t';
  return line + (r.value === null ? 'null' : r.value.toString('utf8'));
}

export function registerConsoleConsumer(program: Command): void {
  const cmd = program
    .command('console-consumer')
    .description('print records of a topic (like kafka-console-consumer.sh); Ctrl-C stops')
    .option('--topic <name>', 'topic to read')
    .option('--from-beginning', 'start at the earliest offset when there is no committed offset')
    .option('--group <id>', 'consume as a member of this consumer group (offsets are committed)')
    .option('--partition <n>', 'read only this partition (no group)', parseIntArg('--partition', 0))
    .option('--offset <earliest|latest|n>', 'with --partition: where to start (default latest)')
    .option('--max-messages <n>', 'exit after this many records', parseIntArg('--max-messages', 1))
    .option('--timeout-ms <ms>', 'exit when no record arrived for this long', parseIntArg('--timeout-ms', 1))
    .option('--isolation-level <level>', 'read_committed: only records of committed transactions (up to the last stable offset); read_uncommitted: all records', 'read_uncommitted')
    .option('--property <k=v>', 'formatter property: print.key, print.timestamp, print.partition, print.offset, key.separator (repeatable)', collect, [] as string[]);
  addCommonOptions(cmd).action(async (opts: ConsumerCliOptions) => {
    const topic = opts.topic ?? usage('console-consumer needs --topic <name>');
    if (opts.offset !== undefined && opts.partition === undefined) usage('--offset needs --partition');
    if (opts.group !== undefined && opts.partition !== undefined) usage('--partition cannot be combined with --group (the group assigns partitions)');
    if (opts.offset !== undefined && !/^(earliest|latest|\d+)$/.test(opts.offset)) usage(`--offset must be earliest, latest or a non-negative number, got "${opts.offset}"`);
    const fmt = printOptions(parseKeyValues(opts.property, '--property'));
    const isolationLevel = parseIsolationLevel(opts.isolationLevel);
    await withAdmin(opts, (a) => consume(a, topic, opts, fmt, isolationLevel));
  });
}

async function consume(a: AdminClient, topic: string, opts: ConsumerCliOptions, fmt: PrintOptions, isolationLevel: IsolationLevel): Promise<void> {
  const meta = await a.withRetry(`looking up topic '${topic}'`, () => a.topic(topic));
  const reset = opts.fromBeginning ? 'earliest' : 'latest';
  const fetcher = new Fetcher(a, topic, { reset, isolationLevel });
  // A read_committed consumer starting at "latest" starts at the last stable offset, as Kafka's does.
  const startAt = (parts: number[], at: bigint): Promise<Map<number, bigint>> => listOffsets(a, topic, parts, at, isolationLevel);
  let stop = false;
  let count = 0;
  const onSignal = (): void => { stop = true; };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const write = (r: ConsumedRecord): void => {
    process.stdout.write(opts.output === 'json'
      ? JSON.stringify(JSON.parse(formatJson({ partition: r.partition, offset: r.offset, timestamp: r.timestamp, key: r.key?.toString('utf8') ?? null, value: r.value?.toString('utf8') ?? null }))) + '\n'
      : formatRecord(r, fmt) + '\n');
  };

  const group = opts.group ? new GroupMember(a, { groupId: opts.group, topic }) : null;
  /** next offset to commit per partition: one past the last record printed */
  const consumed = new Map<number, bigint>();
  const seekAll = async (partitions: number[]): Promise<void> => {
    fetcher.positions.clear();
    if (partitions.length === 0) return;
    const committed = group ? await group.committed(partitions) : new Map<number, bigint>();
    const missing = partitions.filter((p) => (committed.get(p) ?? -1n) < 0n);
    const start = missing.length > 0 ? await startAt(missing, reset === 'earliest' ? EARLIEST : LATEST) : new Map<number, bigint>();
    for (const p of partitions) fetcher.seek(p, (committed.get(p) ?? -1n) >= 0n ? committed.get(p)! : start.get(p)!);
  };

  if (group) {
    await seekAll(await group.join());
  } else if (opts.partition !== undefined) {
    const p = opts.partition;
    if (!meta.partitions.some((x) => x.partition === p)) throw new AdminError(`topic '${topic}' has no partition ${p} (it has ${meta.partitions.length})`);
    const o = opts.offset ?? (opts.fromBeginning ? 'earliest' : 'latest');
    const off = o === 'earliest' || o === 'latest' ? (await startAt([p], o === 'earliest' ? EARLIEST : LATEST)).get(p)! : BigInt(o);
    fetcher.seek(p, off);
  } else {
    const parts = meta.partitions.map((x) => x.partition);
    const start = await startAt(parts, reset === 'earliest' ? EARLIEST : LATEST);
    for (const p of parts) fetcher.seek(p, start.get(p)!);
  }

  let lastRecordAt = Date.now();
  let lastHeartbeat = Date.now();
  try {
    while (!stop) {
      if (opts.maxMessages !== undefined && count >= opts.maxMessages) break;
      if (opts.timeoutMs !== undefined && Date.now() - lastRecordAt >= opts.timeoutMs) {
        process.stderr.write(`No record for ${opts.timeoutMs} ms (--timeout-ms); stopping.\n`);
        break;
      }
      const records = fetcher.positions.size > 0 ? await fetcher.poll() : [];
      if (records.length > 0) lastRecordAt = Date.now();
      for (const r of records) {
        if (opts.maxMessages !== undefined && count >= opts.maxMessages) break;
        write(r);
        count++;
        consumed.set(r.partition, r.offset + 1n);
      }
      if (group) {
        if (consumed.size > 0) { await group.commit(consumed).catch(() => undefined); consumed.clear(); }
        if (Date.now() - lastHeartbeat >= 3000 || fetcher.positions.size === 0) {
          lastHeartbeat = Date.now();
          if (await group.heartbeat()) await seekAll(await group.join());
        }
        // A member without partitions has nothing to fetch; don't spin.
        if (fetcher.positions.size === 0) await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (group) {
      if (consumed.size > 0) await group.commit(consumed).catch(() => undefined);
      await group.leave().catch(() => undefined);
    }
    process.stderr.write(`Processed a total of ${count} messages\n`);
  }
}
