// Produce-path benchmark on real broker processes: pre-built ~1 MiB Produce requests pipelined over raw sockets,
// next to a raw TCP-to-file sink measured in the same run; 100-byte records; RF=3 acks=-1 throughput and latency at
// a fixed rate; broker CPU-seconds per GB and RSS under load. Medians of repeated runs.
// Usage: npx ts-node --transpile-only bench/produce.ts [--quick] [--json]
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, type TestCluster } from '../test/harness';
import { waitForController } from '../test/integration/datapath-helpers';
import { decodeResponse, encodeRequest } from '../src/protocol/codec';
import { Produce } from '../src/protocol/messages/00-produce';
import { buildRecordBatchSync } from '../src/protocol/record/records';

const quick = process.argv.includes('--quick');
const REPEATS = quick ? 1 : 3;
const TOTAL_BYTES = (quick ? 128 : 384) * 1024 * 1024;
const MB = 1024 * 1024;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
};

/** Fails the run on any partition error in a Produce response (frame without its size prefix). */
function checkResponse(frame: Buffer): void {
  for (const t of decodeResponse(Produce, 7, frame).body.responses) {
    for (const p of t.partitionResponses) if (p.errorCode !== 0) throw new Error(`produce failed with error ${p.errorCode}`);
  }
}

function makeBatch(recordSize: number, count: number): Buffer {
  const value = Buffer.alloc(recordSize, 0x61);
  return buildRecordBatchSync({ records: Array.from({ length: count }, () => ({ key: null, value, timestamp: BigInt(Date.now()) })) });
}

function produceFrame(topic: string, batch: Buffer, acks: number, correlationId: number): Buffer {
  return encodeRequest(Produce, 7, { correlationId, clientId: 'bench' }, { transactionalId: null, acks, timeoutMs: 30000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }] });
}

/** Sends `count` frames over `conns` sockets with up to `depth` in flight each; resolves with seconds taken. */
async function pipelined(host: string, port: number, frames: Buffer[], count: number, conns: number, depth: number): Promise<number> {
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
        // Error codes are checked on a sample (every 8th answer) to keep the generator cheap.
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

/** A raw TCP server in its own process appending everything it receives to a file; reports bytes when done. */
function rawSink(file: string, expected: number): Promise<{ port: number; done: Promise<number>; child: ChildProcess }> {
  const code = `
    const net = require('net'); const fs = require('fs');
    const fd = fs.openSync(${JSON.stringify(file)}, 'w'); let n = 0; const expected = ${expected}; let t0 = 0;
    const srv = net.createServer((s) => s.on('data', (c) => { if (!t0) t0 = process.hrtime.bigint(); fs.writeSync(fd, c); n += c.length;
      if (n >= expected) { fs.closeSync(fd); process.send({ secs: Number(process.hrtime.bigint() - t0) / 1e9 }); s.end(); srv.close(); } }));
    srv.listen(0, '127.0.0.1', () => process.send({ port: srv.address().port }));`;
  const file2 = path.join(os.tmpdir(), `brook-sink-${process.pid}.js`);
  fs.writeFileSync(file2, code);
  const child = fork(file2, [], { stdio: 'ignore' });
  child.once('exit', () => fs.rmSync(file2, { force: true }));
  return new Promise((resolve) => {
    let doneResolve: (n: number) => void = () => undefined;
    const done = new Promise<number>((r) => (doneResolve = r));
    child.on('message', (m: { port?: number; secs?: number }) => {
      if (m.port) resolve({ port: m.port, done, child });
      if (m.secs !== undefined) doneResolve(m.secs);
    });
  });
}

async function rawSinkRun(frames: Buffer[], count: number): Promise<number> {
  const total = frames.slice(0, 1).reduce((s, f) => s + f.length, 0) * count;
  const file = path.join(os.tmpdir(), `brook-sink-${process.pid}.dat`);
  const sink = await rawSink(file, total);
  const s = await new Promise<net.Socket>((res) => {
    const x = net.connect({ host: '127.0.0.1', port: sink.port }, () => res(x));
  });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) if (!s.write(frames[i % frames.length] as Buffer)) await new Promise((r) => s.once('drain', r));
  await sink.done;
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  s.destroy();
  sink.child.kill();
  fs.rmSync(file, { force: true });
  return secs;
}

function procStats(pid: number): { cpuSecs: number; rssMb: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  const rss = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuSecs: ticks / 100, rssMb: Number(rss?.[1] ?? 0) / 1024 };
}

async function createTopic(cluster: TestCluster, topic: string, rf: number, configs: Record<string, string> = {}): Promise<void> {
  await waitForController(cluster);
  const kafka = new Kafka({ clientId: 'bench', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, replicationFactor: rf, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }] });
  await admin.disconnect();
  // Leaders known and followers caught up before measuring.
  await new Promise((r) => setTimeout(r, 1500));
}

async function leaderOf(cluster: TestCluster, topic: string): Promise<{ host: string; port: number; pid: number }> {
  const kafka = new Kafka({ clientId: 'bench', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const md = await admin.fetchTopicMetadata({ topics: [topic] });
  await admin.disconnect();
  const leader = md.topics[0]!.partitions[0]!.leader;
  const b = cluster.broker(leader);
  return { host: b.host, port: b.port, pid: b.pid };
}

async function main(): Promise<void> {
  const results: Record<string, number> = {};
  const out = (k: string, v: number, unit: string): void => {
    results[k] = v;
    if (!process.argv.includes('--json')) process.stdout.write(`${k.padEnd(44)} ${v.toFixed(v < 10 ? 2 : 0)} ${unit}\n`);
  };
  const frames1k = Array.from({ length: 4 }, (_, i) => produceFrame('b1', makeBatch(1000, 1000), 1, i));
  const frames100 = Array.from({ length: 4 }, (_, i) => produceFrame('b100', makeBatch(100, 8000), 1, i));
  const count1k = Math.ceil(TOTAL_BYTES / (frames1k[0] as Buffer).length);
  const count100 = Math.ceil(TOTAL_BYTES / (frames100[0] as Buffer).length);

  // Single broker, RF=1, acks=1.
  {
    const cluster = await startCluster({ brokers: 1, overrides: { 'message.max.bytes': String(2 * MB), 'socket.request.max.bytes': String(64 * MB) } });
    try {
      await createTopic(cluster, 'b1', 1);
      await createTopic(cluster, 'b100', 1);
      const leader = await leaderOf(cluster, 'b1');
      const mbps: number[] = [];
      const sink: number[] = [];
      const recs: number[] = [];
      const cpuPerGb: number[] = [];
      let rss = 0;
      for (let r = 0; r < REPEATS; r++) {
        sink.push(TOTAL_BYTES / MB / (await rawSinkRun(frames1k, count1k)));
        const before = procStats(leader.pid);
        const sampler = setInterval(() => (rss = Math.max(rss, procStats(leader.pid).rssMb)), 100);
        const secs = await pipelined(leader.host, leader.port, frames1k, count1k, 2, 4);
        clearInterval(sampler);
        const after = procStats(leader.pid);
        const bytes = count1k * (frames1k[0] as Buffer).length;
        mbps.push(bytes / MB / secs);
        cpuPerGb.push((after.cpuSecs - before.cpuSecs) / (bytes / 1024 ** 3));
        const secs100 = await pipelined(leader.host, leader.port, frames100, count100, 2, 4);
        recs.push((count100 * 8000) / secs100);
      }
      // kcat (librdkafka) as producer and as consumer of 100-byte records.
      const n = quick ? 200_000 : 2_000_000;
      const file = path.join(os.tmpdir(), `brook-kcat-${process.pid}.txt`);
      fs.writeFileSync(file, `${'x'.repeat(99)}\n`.repeat(n));
      await createTopic(cluster, 'bk', 1);
      const kcatP: number[] = [];
      const kcatC: number[] = [];
      for (let r = 0; r < REPEATS; r++) {
        const t0 = process.hrtime.bigint();
        execFileSync('kcat', ['-P', '-b', `${leader.host}:${leader.port}`, '-t', 'bk', '-p', '0', '-X', 'acks=1', '-X', 'linger.ms=20', '-X', 'batch.num.messages=10000', '-l', file], { stdio: 'ignore', timeout: 300_000 });
        kcatP.push(n / (Number(process.hrtime.bigint() - t0) / 1e9));
        const t1 = process.hrtime.bigint();
        const got = execFileSync('kcat', ['-C', '-b', `${leader.host}:${leader.port}`, '-t', 'bk', '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '.'], { timeout: 300_000, maxBuffer: 64 * MB }).length;
        kcatC.push(got / (Number(process.hrtime.bigint() - t1) / 1e9));
      }
      fs.rmSync(file, { force: true });
      out('kcat -P 100B records acks=1 (records/s)', median(kcatP), 'rec/s');
      out('kcat -C 100B records (records/s)', median(kcatC), 'rec/s');
      out('raw TCP-to-file sink (MB/s)', median(sink), 'MB/s');
      out('broker RF=1 acks=1 1KiB records (MB/s)', median(mbps), 'MB/s');
      out('  ratio to raw sink', median(mbps) / median(sink), '');
      out('broker RF=1 acks=1 100B records (records/s)', median(recs), 'rec/s');
      out('broker CPU-seconds per GB ingested', median(cpuPerGb), 's/GB');
      out('broker RSS under load (max, MB)', rss, 'MB');
    } finally {
      await cluster.teardown();
    }
  }

  // Three brokers, RF=3, acks=-1.
  {
    const cluster = await startCluster({ brokers: 3, overrides: { 'message.max.bytes': String(2 * MB), 'socket.request.max.bytes': String(64 * MB), 'replica.fetch.max.bytes': String(4 * MB) } });
    try {
      await createTopic(cluster, 'b3', 3, { 'min.insync.replicas': '2' });
      const leader = await leaderOf(cluster, 'b3');
      const frames = Array.from({ length: 4 }, (_, i) => produceFrame('b3', makeBatch(1000, 1000), -1, i));
      const count = Math.ceil(TOTAL_BYTES / 2 / (frames[0] as Buffer).length);
      const mbps: number[] = [];
      for (let r = 0; r < REPEATS; r++) mbps.push((count * (frames[0] as Buffer).length) / MB / (await pipelined(leader.host, leader.port, frames, count, 2, 4)));
      out('3 brokers RF=3 acks=-1 1KiB records (MB/s)', median(mbps), 'MB/s');
      // Latency at a fixed 5,000 x 1 KiB records/s: 50-record requests every 10 ms, one connection.
      const small = Array.from({ length: 4 }, (_, i) => produceFrame('b3', makeBatch(1000, 50), -1, i));
      const lat: number[] = [];
      const sock = await new Promise<net.Socket>((res) => {
        const s = net.connect({ host: leader.host, port: leader.port }, () => res(s));
        s.setNoDelay(true);
      });
      const sentAt: bigint[] = [];
      let pending: Buffer = Buffer.alloc(0);
      sock.on('data', (c: Buffer) => {
        pending = pending.length ? Buffer.concat([pending, c]) : c;
        while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
          checkResponse(pending.subarray(4, 4 + pending.readInt32BE(0)));
          pending = pending.subarray(4 + pending.readInt32BE(0));
          const t = sentAt.shift();
          if (t !== undefined) lat.push(Number(process.hrtime.bigint() - t) / 1e6);
        }
      });
      const seconds = quick ? 5 : 15;
      const start = Date.now();
      for (let i = 0; Date.now() - start < seconds * 1000; i++) {
        const due = start + i * 10;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
        sentAt.push(process.hrtime.bigint());
        sock.write(small[i % small.length] as Buffer);
      }
      const deadline = Date.now() + 10_000;
      while (sentAt.length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      sock.destroy();
      out('RF=3 acks=-1 latency p50 at 5k rec/s (ms)', pct(lat, 50), 'ms');
      out('RF=3 acks=-1 latency p99 at 5k rec/s (ms)', pct(lat, 99), 'ms');
      out('RF=3 acks=-1 latency p99.9 at 5k rec/s (ms)', pct(lat, 99.9), 'ms');
    } finally {
      await cluster.teardown();
    }
  }
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(results)}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
