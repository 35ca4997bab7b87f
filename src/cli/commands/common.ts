// Flags and plumbing shared by the admin subcommands (bootstrap server, output format, admin session).
import { Option, type Command } from 'commander';
import { AdminClient, UsageError } from '../../client';
import type { OutputFormat } from '../format';
import { withCommandConfig } from './commandConfig';

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';

export interface CommonOptions {
  bootstrapServer: string;
  output: OutputFormat;
  commandTimeoutMs?: number;
}

export function addCommonOptions(cmd: Command): Command {
  return withCommandConfig(cmd)
    .option('--bootstrap-server <host:port>', 'broker(s) to connect to, comma-separated', DEFAULT_BOOTSTRAP)
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--command-timeout-ms <ms>', 'how long retriable errors are retried', parseIntArg('--command-timeout-ms', 1));
}

/** Runs `fn` with a connected admin client and always closes it. */
export async function withAdmin<T>(opts: CommonOptions, fn: (admin: AdminClient) => Promise<T>): Promise<T> {
  const admin = await AdminClient.connect(opts.bootstrapServer, opts.commandTimeoutMs ? { retryDeadlineMs: opts.commandTimeoutMs } : {});
  try {
    return await fn(admin);
  } finally {
    admin.close();
  }
}

export function usage(message: string): never {
  throw new UsageError(message);
}

/** A commander argument parser for integers with a lower bound; bad input is a usage error. */
export function parseIntArg(flag: string, min: number) {
  return (v: string): number => {
    if (!/^-?\d+$/.test(v.trim())) throw new UsageError(`${flag} must be an integer, got "${v}"`);
    const n = Number(v);
    if (n < min) throw new UsageError(`${flag} must be at least ${min}, got ${n}`);
    return n;
  };
}

/** Collects repeatable options (`--config a=1 --config b=2`). */
export const collect = (v: string, acc: string[]): string[] => [...acc, v];

/** Parses `k=v` items (also comma-separated in one argument) into an ordered map. */
export function parseKeyValues(items: string[], flag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of items) {
    // Values may hold commas inside [] (Kafka's syntax for list values), so split only outside brackets.
    for (const item of splitOutsideBrackets(raw)) {
      const i = item.indexOf('=');
      if (i <= 0) throw new UsageError(`${flag} "${item}" must look like key=value`);
      out.set(item.slice(0, i).trim(), item.slice(i + 1).trim().replace(/^\[(.*)\]$/, '$1'));
    }
  }
  return out;
}

export function splitOutsideBrackets(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[') depth++;
    if (ch === ']') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) { if (cur.trim() !== '') parts.push(cur.trim()); cur = ''; continue; }
    cur += ch;
  }
  if (cur.trim() !== '') parts.push(cur.trim());
  return parts;
}

/** Exactly one of the named actions must be set. */
export function oneAction<T extends object>(opts: T, actions: Array<keyof T & string>): keyof T & string {
  const given = actions.filter((a) => opts[a] === true);
  const flags = actions.map((a) => '--' + a.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()));
  if (given.length !== 1) usage(`give exactly one of ${flags.join(', ')}${given.length > 1 ? ` (got ${given.length})` : ''}`);
  return given[0]!;
}
