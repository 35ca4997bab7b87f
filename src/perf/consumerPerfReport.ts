// consumer-perf-test's figures and output: Kafka's summary and --show-detailed-stats arithmetic and line formats,
// and the java.text.SimpleDateFormat patterns its --date-format takes.
import { javaFixed } from './stats';
import { UsageError } from '../client';

const MIB = 1024 * 1024;

/** Kafka's header (ConsumerPerformance.printHeader): the summary layout, or the per-interval one with --show-detailed-stats. */
export function consumerPerfHeader(showDetailedStats: boolean): string {
  const tail = ', rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';
  return (showDetailedStats
    ? 'time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec'
    : 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec') + tail;
}

export interface ConsumerPerfResult {
  startMs: number;
  endMs: number;
  /** key+value bytes consumed, in MiB (Kafka's "MB"). */
  mb: number;
  mbPerSec: number;
  messages: number;
  msgPerSec: number;
  rebalanceMs: number;
  fetchMs: number;
  fetchMbPerSec: number;
  fetchMsgPerSec: number;
  /** key+value bytes consumed. */
  bytes: number;
  groupId: string;
  /** True when the run stopped because no record arrived within the timeout. */
  timedOut: boolean;
}

/** Derives Kafka's summary figures from raw counts (same arithmetic as ConsumerPerformance.main). */
export function summarize(startMs: number, endMs: number, messages: number, bytes: number, rebalanceMs: number):
  Omit<ConsumerPerfResult, 'groupId' | 'timedOut'> {
  const elapsedSecs = (endMs - startMs) / 1000;
  const fetchMs = endMs - startMs - rebalanceMs;
  const mb = bytes / MIB;
  return {
    startMs, endMs, mb, bytes, messages, rebalanceMs, fetchMs,
    mbPerSec: mb / elapsedSecs,
    msgPerSec: messages / elapsedSecs,
    fetchMbPerSec: mb / (fetchMs / 1000),
    fetchMsgPerSec: messages / (fetchMs / 1000),
  };
}

/** `%s, %s, %.4f, %.4f, %d, %.4f, %d, %d, %.4f, %.4f` — the summary line. */
export function formatConsumerPerfLine(r: Omit<ConsumerPerfResult, 'groupId' | 'timedOut' | 'bytes'>, dateFormat: (ms: number) => string): string {
  return [
    dateFormat(r.startMs), dateFormat(r.endMs), javaFixed(r.mb, 4), javaFixed(r.mbPerSec, 4), String(r.messages),
    javaFixed(r.msgPerSec, 4), String(r.rebalanceMs), String(r.fetchMs), javaFixed(r.fetchMbPerSec, 4), javaFixed(r.fetchMsgPerSec, 4),
  ].join(', ');
}

export interface ConsumerPerfProgress {
  /** End of the interval (ms since epoch). */
  timeMs: number;
  /** Total MiB and messages so far. */
  totalMb: number;
  totalMessages: number;
  intervalMbPerSec: number;
  intervalMsgPerSec: number;
  /** Time spent joining the group within the interval, and the rest of the interval. */
  rebalanceMs: number;
  fetchMs: number;
  fetchMbPerSec: number;
  fetchMsgPerSec: number;
}

/** Per-interval figures as printConsumerProgress computes them. */
export function progressOf(bytes: number, lastBytes: number, messages: number, lastMessages: number, startMs: number, endMs: number, joinMs: number): ConsumerPerfProgress {
  const elapsed = endMs - startMs;
  const intervalMb = (bytes - lastBytes) / MIB;
  const intervalMsgs = messages - lastMessages;
  const fetchMs = elapsed - joinMs;
  return {
    timeMs: endMs,
    totalMb: bytes / MIB,
    totalMessages: messages,
    intervalMbPerSec: (1000 * intervalMb) / elapsed,
    intervalMsgPerSec: (intervalMsgs / elapsed) * 1000,
    rebalanceMs: joinMs,
    fetchMs,
    fetchMbPerSec: fetchMs <= 0 ? 0 : (1000 * intervalMb) / fetchMs,
    fetchMsgPerSec: fetchMs <= 0 ? 0 : (1000 * intervalMsgs) / fetchMs,
  };
}

/** `%s, %d, %.4f, %.4f, %d, %.4f, %d, %d, %.4f, %.4f` — a --show-detailed-stats line (thread id is always 0). */
export function formatConsumerProgressLine(p: ConsumerPerfProgress, dateFormat: (ms: number) => string): string {
  return [
    dateFormat(p.timeMs), '0', javaFixed(p.totalMb, 4), javaFixed(p.intervalMbPerSec, 4), String(p.totalMessages),
    javaFixed(p.intervalMsgPerSec, 4), String(p.rebalanceMs), String(p.fetchMs), javaFixed(p.fetchMbPerSec, 4), javaFixed(p.fetchMsgPerSec, 4),
  ].join(', ');
}

export function timeoutWarning(timeoutMs: number): string {
  return `WARNING: Exiting before consuming the expected number of messages: timeout (${timeoutMs} ms) exceeded. You can use the --timeout option to increase the timeout.`;
}

export const DEFAULT_DATE_FORMAT = 'yyyy-MM-dd HH:mm:ss:SSS';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * Compiles a java.text.SimpleDateFormat pattern (local time zone) into a formatter. Supports the letters people
 * use in timestamps (y M d E a H k K h m s S Z X z-as-offset) and quoted literals; other letters are an error, as in Java.
 */
export function simpleDateFormat(pattern: string): (ms: number) => string {
  type Part = string | ((d: Date) => string);
  const parts: Part[] = [];
  const pad = (v: number, n: number): string => String(v).padStart(n, '0');
  const offset = (d: Date, colon: boolean): string => {
    const m = -d.getTimezoneOffset();
    const s = m >= 0 ? '+' : '-';
    const a = Math.abs(m);
    return `${s}${pad(Math.floor(a / 60), 2)}${colon ? ':' : ''}${pad(a % 60, 2)}`;
  };
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      const close = pattern.indexOf("'", i + 1);
      if (close === i + 1) { parts.push("'"); i += 2; continue; } // '' is a literal quote
      if (close < 0) throw new UsageError(`unterminated quote in date format "${pattern}"`);
      let lit = pattern.slice(i + 1, close);
      let j = close;
      // 'o''clock': a doubled quote inside a quoted run is a quote
      while (pattern[j + 1] === "'") {
        const next = pattern.indexOf("'", j + 2);
        if (next < 0) throw new UsageError(`unterminated quote in date format "${pattern}"`);
        lit += "'" + pattern.slice(j + 2, next);
        j = next;
      }
      parts.push(lit);
      i = j + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) { parts.push(c); i++; continue; }
    let n = 1;
    while (pattern[i + n] === c) n++;
    i += n;
    switch (c) {
      case 'y': parts.push((d) => (n === 2 ? pad(d.getFullYear() % 100, 2) : pad(d.getFullYear(), n))); break;
      case 'M': parts.push((d) => (n >= 4 ? MONTHS[d.getMonth()]! : n === 3 ? MONTHS[d.getMonth()]!.slice(0, 3) : pad(d.getMonth() + 1, n))); break;
      case 'd': parts.push((d) => pad(d.getDate(), n)); break;
      case 'E': parts.push((d) => (n >= 4 ? DAYS[d.getDay()]! : DAYS[d.getDay()]!.slice(0, 3))); break;
      case 'a': parts.push((d) => (d.getHours() < 12 ? 'AM' : 'PM')); break;
      case 'H': parts.push((d) => pad(d.getHours(), n)); break;
      case 'k': parts.push((d) => pad(d.getHours() === 0 ? 24 : d.getHours(), n)); break;
      case 'K': parts.push((d) => pad(d.getHours() % 12, n)); break;
      case 'h': parts.push((d) => pad(d.getHours() % 12 === 0 ? 12 : d.getHours() % 12, n)); break;
      case 'm': parts.push((d) => pad(d.getMinutes(), n)); break;
      case 's': parts.push((d) => pad(d.getSeconds(), n)); break;
      case 'S': parts.push((d) => pad(d.getMilliseconds(), n)); break;
      case 'Z': parts.push((d) => offset(d, false)); break;
      case 'X': parts.push((d) => (d.getTimezoneOffset() === 0 ? 'Z' : n === 1 ? offset(d, false).slice(0, 3) : offset(d, n >= 3))); break;
      case 'z': parts.push((d) => `GMT${offset(d, true)}`); break;
      default: throw new UsageError(`Illegal pattern character '${c}' in date format "${pattern}"`);
    }
  }
  return (ms: number): string => {
    const d = new Date(ms);
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(d);
    return out;
  };
}
