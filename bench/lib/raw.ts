// Raw machine limits that broker figures are compared with (loopback TCP into a file, a file out to loopback TCP,
// fdatasync rate), each measured in forked child processes so every side gets its own core, as a broker would.
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const MiB = 1024 * 1024;

/** Prefix of the temporary directory every probe run creates (and removes) under os.tmpdir(). */
export const RAW_TMP_PREFIX = `brook-raw-${process.pid}-`;

export interface RawProbeOptions {
  /** Whole-probe deadline; children are killed and the promise rejects when it passes. */
  timeoutMs?: number;
}

/**
 * The children's code, plain CommonJS so it runs on bare `node` with no TypeScript loader. The role is argv[2].
 * Children exit when the parent disconnects, so a crashed bench never leaves them behind.
 */
const CHILD_SCRIPT = String.raw`'use strict';
const net = require('net');
const fs = require('fs');
const [role, ...args] = process.argv.slice(2);
const now = () => process.hrtime.bigint();
const secsSince = (t0) => Number(now() - t0) / 1e9;
const send = (m) => { if (process.connected) process.send(m); };
const fail = (e) => { send({ error: String((e && e.stack) || e) }); process.exit(1); };
process.on('uncaughtException', fail);
process.on('disconnect', () => process.exit(0));

if (role === 'sink') {
  // Appends everything received to a file; timed from the first byte received to the last byte written.
  const file = args[0], total = Number(args[1]);
  const fd = fs.openSync(file, 'w');
  let n = 0, t0 = 0n;
  const srv = net.createServer((s) => {
    s.on('error', fail);
    s.on('data', (c) => {
      if (n === 0) t0 = now();
      let off = 0;
      while (off < c.length) off += fs.writeSync(fd, c, off);
      n += c.length;
      if (n >= total) {
        const secs = secsSince(t0);
        fs.closeSync(fd);
        send({ done: true, bytes: n, secs });
        s.end();
        srv.close();
      }
    });
    s.on('end', () => { if (n < total) fail(new Error('sink: connection ended after ' + n + ' of ' + total + ' bytes')); });
  });
  srv.listen(0, '127.0.0.1', () => send({ port: srv.address().port }));
} else if (role === 'writer') {
  // Writes total bytes in chunks of the given size, honouring back-pressure.
  const port = Number(args[0]), total = Number(args[1]), chunk = Number(args[2]);
  const buf = Buffer.alloc(chunk, 0x61);
  const s = net.connect({ host: '127.0.0.1', port }, () => {
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const piece = Math.min(chunk, total - sent) === chunk ? buf : buf.subarray(0, total - sent);
        sent += piece.length;
        if (!s.write(piece)) { s.once('drain', pump); return; }
      }
      s.end();
    };
    pump();
  });
  s.on('error', fail);
} else if (role === 'source') {
  // On a one-byte request, streams the file to the socket read by read in 1 MiB chunks.
  const file = args[0];
  const srv = net.createServer((s) => {
    s.on('error', fail);
    s.once('data', () => {
      const fd = fs.openSync(file, 'r');
      const step = () => {
        // A fresh buffer per read: socket.write keeps a reference until the bytes are flushed.
        const b = Buffer.allocUnsafe(1024 * 1024);
        fs.read(fd, b, 0, b.length, null, (err, got) => {
          if (err) return fail(err);
          if (got === 0) { fs.closeSync(fd); s.end(); return; }
          if (s.write(got === b.length ? b : b.subarray(0, got))) step(); else s.once('drain', step);
        });
      };
      step();
    });
  });
  srv.listen(0, '127.0.0.1', () => send({ port: srv.address().port }));
} else if (role === 'reader') {
  // Requests the stream and counts it; timed from the request to the last expected byte.
  const port = Number(args[0]), total = Number(args[1]);
  let n = 0, t0 = 0n;
  const s = net.connect({ host: '127.0.0.1', port }, () => { t0 = now(); s.write('g'); });
  s.on('data', (c) => {
    n += c.length;
    if (n >= total) { send({ done: true, bytes: n, secs: secsSince(t0) }); s.destroy(); }
  });
  s.on('end', () => { if (n < total) fail(new Error('reader: stream ended after ' + n + ' of ' + total + ' bytes')); });
  s.on('error', fail);
} else if (role === 'fsync') {
  // Appends 4 KiB and fdatasyncs, over and over, for the given duration.
  const file = args[0], durationMs = Number(args[1]);
  const fd = fs.openSync(file, 'a');
  const block = Buffer.alloc(4096, 0x62);
  const t0 = now();
  let count = 0;
  do {
    fs.writeSync(fd, block);
    fs.fdatasyncSync(fd);
    count++;
  } while (secsSince(t0) * 1000 < durationMs);
  const secs = secsSince(t0);
  fs.closeSync(fd);
  send({ done: true, count, secs });
} else {
  fail(new Error('unknown role ' + role));
}
`;

interface ChildMessage { port?: number; done?: boolean; bytes?: number; secs?: number; count?: number; error?: string }

/** One forked child with its messages queued, so none is lost before someone waits for it. */
class ProbeChild {
  readonly proc: ChildProcess;
  private readonly queue: ChildMessage[] = [];
  private readonly listeners = new Set<() => void>();
  private ended: string | null = null;
  private stderrTail = '';
  readonly exited: Promise<void>;

  constructor(script: string, args: string[]) {
    // execArgv [] so a ts-node or jest parent does not pass its loader flags to a plain JS child.
    this.proc = fork(script, args, { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.proc.stderr?.on('data', (d: Buffer) => (this.stderrTail = (this.stderrTail + d.toString()).slice(-2000)));
    this.proc.on('message', (m) => {
      this.queue.push(m as ChildMessage);
      this.notify();
    });
    this.proc.on('error', (e) => {
      this.ended ??= `child error: ${e.message}`;
      this.notify();
    });
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        this.ended ??= `child exited (code ${code}, signal ${signal})${this.stderrTail ? `: ${this.stderrTail}` : ''}`;
        this.notify();
        resolve();
      });
    });
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Resolves with the first queued message having `key`; rejects on an error message, child exit or deadline. */
  waitFor(key: 'port' | 'done', deadline: number): Promise<ChildMessage> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (err: Error | null, m?: ChildMessage): void => {
        this.listeners.delete(check);
        if (timer) clearTimeout(timer);
        if (err) reject(err);
        else resolve(m as ChildMessage);
      };
      const check = (): void => {
        const bad = this.queue.find((m) => m.error !== undefined);
        if (bad) return finish(new Error(`raw probe child failed: ${bad.error}`));
        const i = this.queue.findIndex((m) => m[key] !== undefined);
        if (i >= 0) return finish(null, this.queue.splice(i, 1)[0]);
        if (this.ended !== null) return finish(new Error(`raw probe ${this.ended} before sending '${key}'`));
        if (Date.now() >= deadline) return finish(new Error(`raw probe timed out waiting for '${key}'`));
      };
      this.listeners.add(check);
      timer = setTimeout(check, Math.max(0, deadline - Date.now()) + 1);
      check();
    });
  }

  /** Ends the child if it is still running: SIGTERM, then SIGKILL if it lingers. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const gone = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 2000))),
    ]);
    if (timer) clearTimeout(timer);
    if (!gone) {
      this.proc.kill('SIGKILL');
      await this.exited;
    }
  }
}

/** A temp directory holding the child script and data files; every child is stopped and the directory removed. */
async function withWorkspace<T>(
  timeoutMs: number,
  run: (ws: { dir: string; spawn: (role: string, args: Array<string | number>) => ProbeChild; deadline: number }) => Promise<T>,
): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), RAW_TMP_PREFIX));
  const children: ProbeChild[] = [];
  try {
    const script = path.join(dir, 'probe.js');
    fs.writeFileSync(script, CHILD_SCRIPT);
    const spawn = (role: string, args: Array<string | number>): ProbeChild => {
      const c = new ProbeChild(script, [role, ...args.map(String)]);
      children.push(c);
      return c;
    };
    return await run({ dir, spawn, deadline: Date.now() + timeoutMs });
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function positiveInt(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`${name} must be a positive integer, got ${v}`);
}

/**
 * MiB/s a server process sustains appending what one loopback TCP client sends to a file (page cache, no fsync),
 * timed in the server from the first byte received to the last byte written.
 */
export async function tcpToFileSink(totalBytes: number, chunkBytes: number, opts: RawProbeOptions = {}): Promise<number> {
  positiveInt('totalBytes', totalBytes);
  positiveInt('chunkBytes', chunkBytes);
  return withWorkspace(opts.timeoutMs ?? 120_000, async ({ dir, spawn, deadline }) => {
    const sink = spawn('sink', [path.join(dir, 'sink.dat'), totalBytes]);
    const { port } = await sink.waitFor('port', deadline);
    spawn('writer', [port as number, totalBytes, chunkBytes]);
    const done = await sink.waitFor('done', deadline);
    return totalBytes / MiB / Math.max(done.secs as number, 1e-9);
  });
}

/**
 * MiB/s a server process sustains reading a file with fs.read in 1 MiB chunks and writing it to a loopback
 * socket, timed on the client from its request to the last byte. The file is written just before, so it sits in
 * the page cache: this is a cached-read limit (what a consumer reading recent data sees), not a disk-read one.
 */
export async function fileToTcpSource(totalBytes: number, opts: RawProbeOptions = {}): Promise<number> {
  positiveInt('totalBytes', totalBytes);
  return withWorkspace(opts.timeoutMs ?? 120_000, async ({ dir, spawn, deadline }) => {
    const file = path.join(dir, 'source.dat');
    const fd = fs.openSync(file, 'w');
    try {
      const block = Buffer.alloc(Math.min(MiB, totalBytes), 0x63);
      for (let left = totalBytes; left > 0; left -= block.length) fs.writeSync(fd, block, 0, Math.min(block.length, left));
    } finally {
      fs.closeSync(fd);
    }
    const source = spawn('source', [file]);
    const { port } = await source.waitFor('port', deadline);
    const reader = spawn('reader', [port as number, totalBytes]);
    const done = await reader.waitFor('done', deadline);
    return totalBytes / MiB / Math.max(done.secs as number, 1e-9);
  });
}

/** fdatasyncs per second of a loop appending 4 KiB to a temp file and syncing after each append. */
export async function fsyncRate(durationMs: number, opts: RawProbeOptions = {}): Promise<number> {
  positiveInt('durationMs', durationMs);
  return withWorkspace(opts.timeoutMs ?? durationMs + 60_000, async ({ dir, spawn, deadline }) => {
    const child = spawn('fsync', [path.join(dir, 'fsync.dat'), durationMs]);
    const done = await child.waitFor('done', deadline);
    return (done.count as number) / Math.max(done.secs as number, 1e-9);
  });
}
