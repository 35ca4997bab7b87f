// Log storage benchmark: append vs raw write, sequential read vs raw read, random lookups, recovery, start-up.
// Usage: npx ts-node --transpile-only bench/log.ts [--json] [--quick]
// Everything lives under one os.tmpdir() directory that is removed at the end (peak disk use about 1.3 GiB).
import { execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Log } from '../src/log/Log';
import { logConfig } from '../src/log/LogConfig';
import { LogManager } from '../src/log/LogManager';
import { buildRecordBatchSync } from '../src/protocol/record/records';

import { rootLogger } from '../src/util/logger';

rootLogger.level = process.env.BROOK_LOG_LEVEL ?? 'silent';
const quick = process.argv.includes('--quick');
const REPEATS = quick ? 1 : 3;
const APPEND_BYTES = (quick ? 64 : 256) * 1024 * 1024;
const BIG_LOG_BYTES = (quick ? 128 : 1024) * 1024 * 1024;
const PARTITIONS = 1000;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-bench-log-'));

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const secs = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e9;
const MB = 1024 * 1024;

/** A batch of ~size bytes made of records of ~1 KiB (compressible payload irrelevant: no compression). */
function makeBatch(size: number): Buffer {
  const recSize = Math.min(1000, size - 100);
  const n = Math.max(1, Math.floor((size - 61) / (recSize + 20)));
  return buildRecordBatchSync({ records: Array.from({ length: n }, (_, i) => ({ value: Buffer.alloc(recSize, i & 0xff), timestamp: BigInt(Date.now()) })) });
}

async function appendRun(batchSize: number, inFlight: number): Promise<number> {
  const dir = path.join(root, `append-${batchSize}`);
  const log = Log.loadSync({ dir, topic: 'bench', partition: 0, config: logConfig({ 'segment.bytes': 1024 * MB }) });
  // A pool of buffers so no buffer is rewritten while its write is in flight.
  const pool = Array.from({ length: inFlight }, () => makeBatch(batchSize));
  const total = Math.floor(APPEND_BYTES / (pool[0] as Buffer).length);
  let issued = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    pool.map(async (buf) => {
      while (issued < total) {
        issued++;
        await log.append(buf, { assignOffsets: true, leaderEpoch: 0 });
      }
    }),
  );
  const s = secs(t0);
  const bytes = total * (pool[0] as Buffer).length;
  await log.delete();
  return bytes / s / MB;
}

async function rawWriteRun(batchSize: number, inFlight: number): Promise<number> {
  const file = path.join(root, `raw-${batchSize}`);
  const fh = await fs.promises.open(file, 'w');
  const pool = Array.from({ length: inFlight }, () => makeBatch(batchSize));
  const len = (pool[0] as Buffer).length;
  const total = Math.floor(APPEND_BYTES / len);
  let issued = 0;
  let pos = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    pool.map(async (buf) => {
      while (issued < total) {
        issued++;
        const at = pos;
        pos += len;
        await fh.write(buf, 0, len, at);
      }
    }),
  );
  const s = secs(t0);
  await fh.close();
  fs.rmSync(file);
  return (total * len) / s / MB;
}

async function main(): Promise<void> {
  const results: Record<string, number | string | number[]> = {};
  const rows: [string, string][] = [];
  const note = (key: string, label: string, value: number, unit: string, runs: number[]): void => {
    results[key] = value;
    results[`${key}_runs`] = runs;
    rows.push([label, `${value.toFixed(value >= 100 ? 0 : 2)} ${unit}   (runs: ${runs.map((r) => r.toFixed(1)).join(', ')})`]);
  };

  // 1. Append throughput vs raw sequential write, same bytes, same run.
  for (const [size, inFlight] of [
    [MB, 1],
    [MB, 4],
    [16 * 1024, 1],
    [16 * 1024, 16],
  ] as const) {
    const a: number[] = [];
    const r: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      r.push(await rawWriteRun(size, inFlight));
      a.push(await appendRun(size, inFlight));
    }
    const label = `${size === MB ? '1 MiB' : '16 KiB'} batches, ${inFlight} in flight`;
    note(`append_MBps_${size}_${inFlight}`, `append ${label}`, median(a), 'MB/s', a);
    note(`raw_write_MBps_${size}_${inFlight}`, `raw write ${label}`, median(r), 'MB/s', r);
    results[`append_vs_raw_${size}_${inFlight}`] = median(a) / median(r);
    rows.push([`  append / raw`, `${((median(a) / median(r)) * 100).toFixed(0)} %`]);
  }

  // 2. A big log (one segment, 16 KiB batches of ~15 records) left unflushed and unclosed, as after kill -9.
  const bigDir = path.join(root, 'big-0');
  const cfg = logConfig({ 'segment.bytes': BIG_LOG_BYTES + 64 * MB });
  {
    const log = Log.loadSync({ dir: bigDir, topic: 'big', partition: 0, config: cfg });
    const pool = Array.from({ length: 16 }, () => makeBatch(16 * 1024));
    const total = Math.floor(BIG_LOG_BYTES / (pool[0] as Buffer).length);
    let issued = 0;
    await Promise.all(
      pool.map(async (buf) => {
        while (issued < total) {
          issued++;
          await log.append(buf, { assignOffsets: true, leaderEpoch: 0 });
        }
      }),
    );
    results.big_log_bytes = log.size;
    results.big_log_offsets = Number(log.logEndOffset);
    // deliberately not closed: no index files, no flush, like a crashed broker
  }

  // 3. Recovery of the unflushed segment (validation of every batch + index rebuild). Page cache warm.
  const rec: number[] = [];
  let big: Log | null = null;
  for (let i = 0; i < REPEATS; i++) {
    for (const f of fs.readdirSync(bigDir)) if (!f.endsWith('.log')) fs.rmSync(path.join(bigDir, f));
    const t0 = process.hrtime.bigint();
    big = Log.loadSync({ dir: bigDir, topic: 'big', partition: 0, config: cfg, hadCleanShutdown: false, recoveryPoint: 0n });
    rec.push(secs(t0));
  }
  note('recovery_s_big_segment', `recovery of ${(BIG_LOG_BYTES / MB).toFixed(0)} MiB unflushed segment`, median(rec), 's', rec);
  const log = big as Log;

  // 4. Sequential read vs raw read of the same file, from a cold and from a warm page cache. Dirty pages from
  // the write phases are written back first (sync), or kernel writeback competes with the reads and skews
  // whichever runs first. "Cold" evicts the file's pages with posix_fadvise(DONTNEED) (GNU dd iflag=nocache,
  // no root needed) and checks with fincore that none stayed; on a VM the host may still cache the disk.
  execSync('sync');
  const segFile = path.join(bigDir, '00000000000000000000.log');
  const evict = (): number => {
    execSync(`dd if=${JSON.stringify(segFile)} iflag=nocache count=0 status=none`);
    try {
      return Number(execSync(`fincore --bytes --noheadings --output RES ${JSON.stringify(segFile)}`).toString().trim());
    } catch {
      return NaN; // fincore missing: residency unknown
    }
  };
  const brookRead = async (): Promise<number> => {
    const t0 = process.hrtime.bigint();
    let next = 0n;
    let bytes = 0;
    while (next < log.logEndOffset) {
      const r = await log.read(next, MB);
      bytes += r.records.length;
      next = r.nextOffset;
    }
    return bytes / secs(t0) / MB;
  };
  const rawRead = async (): Promise<number> => {
    const fh = await fs.promises.open(segFile, 'r');
    const buf = Buffer.allocUnsafe(MB);
    const t0 = process.hrtime.bigint();
    let pos = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, MB, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
    }
    const r = pos / secs(t0) / MB;
    await fh.close();
    return r;
  };
  const seqCold: number[] = [];
  const rawCold: number[] = [];
  const residentAfterEvict: number[] = [];
  const seq: number[] = [];
  const raw: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    residentAfterEvict.push(evict());
    seqCold.push(await brookRead());
    residentAfterEvict.push(evict());
    rawCold.push(await rawRead());
    seq.push(await brookRead());
    raw.push(await rawRead());
  }
  note('seq_read_cold_MBps', 'sequential read (cold cache, 1 MiB fetches)', median(seqCold), 'MB/s', seqCold);
  note('raw_read_cold_MBps', 'raw read (cold cache, 1 MiB reads)', median(rawCold), 'MB/s', rawCold);
  note('cold_resident_bytes_max', 'bytes of the segment still cached after eviction (fincore; max)', Math.max(...residentAfterEvict), 'B', residentAfterEvict);
  note('seq_read_warm_MBps', 'sequential read (warm cache, 1 MiB fetches)', median(seq), 'MB/s', seq);
  note('raw_read_warm_MBps', 'raw read (warm cache, 1 MiB reads)', median(raw), 'MB/s', raw);

  // 5. Random-offset lookups (read of the batch holding a random offset, 1 byte max → that batch).
  const look: number[] = [];
  const leo = Number(log.logEndOffset);
  for (let i = 0; i < REPEATS; i++) {
    const n = 20000;
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < n; k++) await log.read(BigInt(Math.floor(Math.random() * leo)), 1);
    look.push(n / secs(t0));
  }
  note('random_lookups_per_s', `random-offset lookups on ${(BIG_LOG_BYTES / MB).toFixed(0)} MiB log`, median(look), '/s', look);
  await log.delete();

  // 6. Start-up with 1,000 partitions after a clean shutdown.
  const lmDirs = [path.join(root, 'lm')];
  {
    const lm = new LogManager({ logDirs: lmDirs, defaultConfig: logConfig(), scheduler: null });
    await lm.startup();
    const b = makeBatch(4096);
    for (let p = 0; p < PARTITIONS; p++) {
      const l = lm.getOrCreateLog('startup', p);
      for (let i = 0; i < 5; i++) await l.append(Buffer.from(b), { assignOffsets: true, leaderEpoch: 0 });
    }
    await lm.shutdown();
  }
  const st: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const rss0 = process.memoryUsage().rss;
    const lm = new LogManager({ logDirs: lmDirs, defaultConfig: logConfig(), scheduler: null });
    const t0 = process.hrtime.bigint();
    await lm.startup();
    st.push(secs(t0));
    rss.push((process.memoryUsage().rss - rss0) / MB);
    if (lm.allLogs().length !== PARTITIONS) throw new Error('not all logs loaded');
    await lm.shutdown();
  }
  note('startup_s_1000_partitions', `start-up, ${PARTITIONS} partitions, clean shutdown`, median(st), 's', st);
  note('startup_rss_delta_MiB', '  RSS growth during that start-up', median(rss), 'MiB', rss);
  results.rss_MiB_end = process.memoryUsage().rss / MB;

  fs.rmSync(root, { recursive: true, force: true });
  if (process.argv.includes('--json')) console.log(JSON.stringify(results, null, 2));
  else {
    const w = Math.max(...rows.map((r) => r[0].length));
    console.log(`Brook log bench (${os.cpus().length} cores, median of ${REPEATS}; ${quick ? 'QUICK' : 'full'} sizes)`);
    for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
    console.log(`process RSS at end: ${(results.rss_MiB_end as number).toFixed(0)} MiB`);
  }
}

main().catch((e) => {
  fs.rmSync(root, { recursive: true, force: true });
  console.error(e);
  process.exit(1);
});
