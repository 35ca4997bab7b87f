// Turns pino JSON log lines from child processes into short readable lines with a prefix.
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'module', 'brokerId']);

export function formatLogLine(prefix: string, line: string): string {
  if (!line.startsWith('{')) return `${prefix} ${line}`;
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    const time = typeof o.time === 'string' ? o.time.slice(11, 23) : '';
    const level = (LEVELS[o.level as number] ?? String(o.level)).padEnd(5);
    const mod = typeof o.module === 'string' ? `${o.module}: ` : '';
    const extra = Object.entries(o)
      .filter(([k]) => !SKIP.has(k))
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(' ');
    return `${prefix} ${time} ${level} ${mod}${String(o.msg ?? '')}${extra ? ` ${extra}` : ''}`;
  } catch {
    return `${prefix} ${line}`;
  }
}

/** Splits a stream into lines and hands each to `out`. */
export function lineSplitter(out: (line: string) => void): (chunk: Buffer | string) => void {
  let rest = '';
  return (chunk) => {
    rest += chunk.toString();
    let i: number;
    while ((i = rest.indexOf('\n')) >= 0) {
      out(rest.slice(0, i));
      rest = rest.slice(i + 1);
    }
  };
}
