// What the fuzz tests (fuzz-frames, fuzz-sasl-ssl) share: the broker's memory from /proc, a well-behaved client that
// must keep working throughout, and one short connection's burst of valid and mutated frames.
import fs from 'node:fs';
import type net from 'node:net';
import type { Admin } from 'kafkajs';

/** Frames in one connection's burst. */
export const BURST_FRAMES = 10;

/** Resident memory now and its high-water mark, in kB. */
export function rssKb(pid: number): { rss: number; hwm: number } {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const get = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  return { rss: get('VmRSS'), hwm: get('VmHWM') };
}

/** Describes the (one-broker) cluster every 100 ms until stopped; a failed call or a wrong answer is a failure. */
export function keepDescribing(admin: Admin): { stop: () => Promise<{ calls: number; failures: number }> } {
  let calls = 0;
  let failures = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        if ((await admin.describeCluster()).brokers.length !== 1) failures++;
        calls++;
      } catch {
        failures++;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return { calls, failures };
    },
  };
}

/**
 * Writes BURST_FRAMES frames on a connected socket, each one of `bases` as it is (with probability `keep`) or mutated,
 * then waits until the broker closes the connection or 300 ms pass (then closes it). True when the broker answered
 * anything: it answers in order until a bad frame closes the connection.
 */
export async function sendBurst(sock: net.Socket, bases: Buffer[], mutate: (base: Buffer, r: () => number) => Buffer, r: () => number, keep: number): Promise<boolean> {
  let got = 0;
  sock.on('data', (d: Buffer) => { got += d.length; });
  const burst: Buffer[] = [];
  for (let i = 0; i < BURST_FRAMES; i++) {
    const base = bases[Math.floor(r() * bases.length)]!;
    burst.push(r() < keep ? base : mutate(base, r));
  }
  if (!sock.destroyed) sock.write(Buffer.concat(burst));
  await new Promise<void>((res) => {
    const t = setTimeout(() => { sock.destroy(); res(); }, 300);
    sock.once('close', () => { clearTimeout(t); res(); });
    if (sock.destroyed) { clearTimeout(t); res(); }
  });
  return got > 0;
}
