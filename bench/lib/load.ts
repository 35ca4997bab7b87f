// A load generator with no client-side cost: pre-built Produce requests pipelined over raw sockets, plus
// /proc readings of a broker's CPU time and resident memory while it runs.
import * as fs from 'node:fs';
import * as net from 'node:net';
import { decodeResponse, encodeRequest } from '../../src/protocol/codec';
import { Produce } from '../../src/protocol/messages/00-produce';
import { buildRecordBatchSync } from '../../src/protocol/record/records';

/** Fails on any partition error in a Produce v7 response (frame without its size prefix). */
function checkResponse(frame: Buffer): void {
  for (const t of decodeResponse(Produce, 7, frame).body.responses) {
    for (const p of t.partitionResponses) if (p.errorCode !== 0) throw new Error(`produce failed with error ${p.errorCode}`);
  }
}

/** One record batch of `count` records of `recordSize` bytes. */
export function makeBatch(recordSize: number, count: number): Buffer {
  const value = Buffer.alloc(recordSize, 0x61);
  return buildRecordBatchSync({ records: Array.from({ length: count }, () => ({ key: null, value, timestamp: BigInt(Date.now()) })) });
}

/** A complete Produce v7 request frame (size prefix included) carrying one batch for partition 0. */
export function produceFrame(topic: string, batch: Buffer, acks: number, correlationId: number): Buffer {
  return encodeRequest(Produce, 7, { correlationId, clientId: 'bench' }, { transactionalId: null, acks, timeoutMs: 30000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }] });
}

/**
 * Sends `count` frames (cycling through `frames`) over `conns` sockets with up to `depth` in flight on each and
 * resolves with the seconds taken; every 8th answer is checked for errors to keep the generator cheap.
 */
export async function pipelined(host: string, port: number, frames: Buffer[], count: number, conns: number, depth: number): Promise<number> {
  const sockets = await Promise.all(Array.from({ length: conns }, () => new Promise<net.Socket>((res, rej) => {
    const s = net.connect({ host, port }, () => res(s));
    s.once('error', rej);
    s.setNoDelay(true);
  })));
  const t0 = process.hrtime.bigint();
  let sent = 0;
  await Promise.all(sockets.map((s) => new Promise<void>((resolve, reject) => {
    let inflight = 0;
    let pending: Buffer = Buffer.alloc(0);
    let done = 0;
    let mine = 0;
    const share = Math.floor(count / conns);
    const pump = (): void => {
      while (inflight < depth && mine < share) {
        s.write(frames[sent++ % frames.length] as Buffer);
        inflight++;
        mine++;
      }
    };
    s.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (pending.length < 4 + size) break;
        if (done % 8 === 0) {
          try {
            checkResponse(pending.subarray(4, 4 + size));
          } catch (e) {
            s.destroy();
            reject(e as Error);
            return;
          }
        }
        pending = pending.subarray(4 + size);
        inflight--;
        done++;
      }
      if (done === share) {
        s.end();
        resolve();
      } else pump();
    });
    s.on('error', reject);
    pump();
  })));
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** CPU seconds (user + system) and resident memory (MiB) of a process, from /proc. */
export function procStats(pid: number): { cpuSecs: number; rssMb: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  const rss = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuSecs: ticks / 100, rssMb: Number(rss?.[1] ?? 0) / 1024 };
}

/** Samples a process's resident memory every `everyMs` until stopped; returns the maximum seen. */
export function rssSampler(pid: number, everyMs = 100): { stop: () => number } {
  let max = 0;
  const read = (): void => {
    try {
      max = Math.max(max, procStats(pid).rssMb);
    } catch {
      // The process may be gone; keep what was seen.
    }
  };
  read();
  const t = setInterval(read, everyMs);
  return { stop: () => { clearInterval(t); read(); return max; } };
}
