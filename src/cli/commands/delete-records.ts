// `brook delete-records --offset-json-file F`: moves log start offsets forward (kafka-delete-records.sh).
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { ErrorCode } from '../../protocol/errors';
import { DeleteRecords } from '../../protocol/messages';
import { AdminClient, RetriableAdminError, UsageError } from '../../client';
import { formatJson, formatTable, out } from '../format';
import { addCommonOptions, usage, withAdmin, type CommonOptions } from './common';

export interface DeleteRecordsSpec {
  topic: string;
  partition: number;
  /** Delete everything before this offset; -1 means up to the high watermark. */
  offset: bigint;
}

/** Parses Kafka's format: {"partitions":[{"topic":"t","partition":0,"offset":10}],"version":1}. */
export function parseOffsetJson(text: string, file = 'the offset JSON file'): DeleteRecordsSpec[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  const parts = (doc as { partitions?: unknown }).partitions;
  if (!Array.isArray(parts) || parts.length === 0) {
    throw new UsageError(`${file} must look like {"partitions":[{"topic":"t","partition":0,"offset":10}],"version":1}`);
  }
  const seen = new Set<string>();
  return parts.map((p: unknown, i: number) => {
    const o = p as { topic?: unknown; partition?: unknown; offset?: unknown };
    if (typeof o.topic !== 'string' || o.topic === '') throw new UsageError(`${file}: partitions[${i}].topic must be a topic name`);
    if (typeof o.partition !== 'number' || !Number.isInteger(o.partition) || o.partition < 0) throw new UsageError(`${file}: partitions[${i}].partition must be a partition number`);
    if (!(typeof o.offset === 'number' && Number.isInteger(o.offset)) && !(typeof o.offset === 'string' && /^-?\d+$/.test(o.offset))) {
      throw new UsageError(`${file}: partitions[${i}].offset must be an integer offset (-1 = high watermark)`);
    }
    const offset = BigInt(o.offset);
    if (offset < -1n) throw new UsageError(`${file}: partitions[${i}].offset must be >= 0 or -1, got ${offset}`);
    const key = `${o.topic}-${o.partition}`;
    if (seen.has(key)) throw new UsageError(`${file}: partition ${key} is listed twice`);
    seen.add(key);
    return { topic: o.topic, partition: o.partition, offset };
  });
}

export async function deleteRecords(a: AdminClient, specs: DeleteRecordsSpec[]): Promise<Array<{ topic: string; partition: number; lowWatermark: bigint | null; error: string | null }>> {
  const results = new Map<string, { topic: string; partition: number; lowWatermark: bigint | null; error: string | null }>();
  for (const t of new Set(specs.map((s) => s.topic))) await a.topic(t);
  await a.withRetry('deleting records', async () => {
    const pending = specs.filter((s) => !results.has(`${s.topic}-${s.partition}`));
    const byLeader = new Map<number, DeleteRecordsSpec[]>();
    for (const s of pending) {
      const l = a.leaderOf(s.topic, s.partition);
      byLeader.set(l, [...(byLeader.get(l) ?? []), s]);
    }
    let retry: RetriableAdminError | null = null;
    await Promise.all([...byLeader].map(async ([leader, list]) => {
      const topics = new Map<string, DeleteRecordsSpec[]>();
      for (const s of list) topics.set(s.topic, [...(topics.get(s.topic) ?? []), s]);
      const { response } = await a.send(leader, DeleteRecords, () => ({
        topics: [...topics].map(([name, ps]) => ({ name, partitions: ps.map((p) => ({ partitionIndex: p.partition, offset: p.offset })) })),
        timeoutMs: 30_000,
      }), { max: 1 });
      for (const t of response.topics) {
        for (const p of t.partitions) {
          const key = `${t.name}-${p.partitionIndex}`;
          if (p.errorCode === ErrorCode.NONE) { results.set(key, { topic: t.name, partition: p.partitionIndex, lowWatermark: p.lowWatermark, error: null }); continue; }
          try {
            AdminClient.check(p.errorCode, `deleting records of ${key}`);
          } catch (e) {
            if (e instanceof RetriableAdminError) { retry ??= e; continue; }
            results.set(key, { topic: t.name, partition: p.partitionIndex, lowWatermark: null, error: (e as Error).message });
          }
        }
      }
    }));
    if (retry) throw retry;
  });
  return specs.map((s) => results.get(`${s.topic}-${s.partition}`)!);
}

export function registerDeleteRecords(program: Command): void {
  const cmd = program
    .command('delete-records')
    .description('delete records before given offsets (like kafka-delete-records.sh)')
    .option('--offset-json-file <file>', 'JSON: {"partitions":[{"topic":"t","partition":0,"offset":10}],"version":1}');
  addCommonOptions(cmd).action(async (opts: CommonOptions & { offsetJsonFile?: string }) => {
    const file = opts.offsetJsonFile ?? usage('delete-records needs --offset-json-file <file>');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read --offset-json-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const specs = parseOffsetJson(text, file);
    await withAdmin(opts, async (a) => {
      const res = await deleteRecords(a, specs);
      if (opts.output === 'json') out(formatJson(res));
      else out('Records delete operation completed:\n' + formatTable(['TOPIC', 'PARTITION', 'LOW-WATERMARK', 'ERROR'], res.map((r) => [r.topic, r.partition, r.lowWatermark, r.error])));
      const failed = res.filter((r) => r.error !== null);
      if (failed.length > 0) process.exitCode = 1;
    });
  });
}
