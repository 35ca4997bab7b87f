// Output for the admin commands: aligned text tables for people, JSON (bigints as strings) for scripts.

export type OutputFormat = 'text' | 'json';

/** Left-aligned columns separated by two spaces; the header row first. */
export function formatTable(headers: string[], rows: Array<Array<string | number | bigint | null | undefined>>): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd())
    .join('\n');
}

/** JSON with bigints written as decimal strings (JSON has no 64-bit integers). */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}
