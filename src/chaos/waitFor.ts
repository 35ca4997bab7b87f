// Condition waiting with deadlines (never fixed sleeps) and free loopback ports, for the chaos cluster and the tests.
import * as fs from 'node:fs';
import * as net from 'node:net';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Named in the timeout message: "timed out after N ms waiting for <what>". */
  what: string;
}

/** Thrown from a waitFor condition to give up at once (e.g. the process being waited on has died). */
export class StopWaiting extends Error {}

/**
 * Polls fn until it returns a truthy value and resolves with it. Errors thrown by fn count as "not yet"
 * and the last one is quoted in the timeout message.
 */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs, intervalMs = 50, what }: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      if (e instanceof StopWaiting) throw e;
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const suffix = lastError ? ` (last error: ${(lastError as Error).message ?? String(lastError)})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${suffix}`);
    }
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(1, deadline - Date.now()))));
  }
}

const handedOut = new Set<number>();

/** A loopback TCP port that is free now and not handed out before by this process. */
/**
 * A free TCP port below the kernel's ephemeral range. A client that reconnects to a stopped broker's port inside
 * that range can be handed the same number as its own source port and connect to itself (TCP simultaneous open):
 * it then reads its own Produce request back as the answer, an "acknowledgement" of records no broker has. The
 * crash runs restart brokers under load, so their ports stay out of the range.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [low] = ephemeralRange();
  const from = 20000;
  if (low - from >= 1000) {
    for (let attempt = 0; attempt < 200; attempt++) {
      const port = from + Math.floor(Math.random() * (low - from));
      if (handedOut.has(port)) continue;
      if (await canBind(host, port)) {
        handedOut.add(port);
        return port;
      }
    }
  }
  for (;;) {
    const port = await bindAny(host);
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/** Linux's net.ipv4.ip_local_port_range (the usual default elsewhere). */
function ephemeralRange(): [number, number] {
  try {
    const [a, b] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(a) && Number.isInteger(b)) return [a as number, b as number];
  } catch {
    /* not Linux */
  }
  return [32768, 60999];
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host, port }, () => srv.close(() => resolve(true)));
  });
}

function bindAny(host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ host, port: 0 }, () => {
      const addr = srv.address();
      const p = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(p));
    });
  });
}

/** True when something accepts TCP connections on host:port. */
export function canConnect(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
