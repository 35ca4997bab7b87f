// Reloading logs: clean restart, crash recovery (torn tail, corrupt CRC mid-segment), rebuilt indexes, LogManager.
import * as fs from 'fs';
import * as path from 'path';
import pino from 'pino';
import { iterateBatches, readBatchHeader } from '../../../src/protocol/record/batch-header';
import { LeaderEpochCheckpointFile, OffsetCheckpointFile } from '../../../src/log/checkpoints';
import { LogErrorCode } from '../../../src/log/errors';
import { Log } from '../../../src/log/Log';
import { buildLogConfig, logConfig, LogConfigError } from '../../../src/log/LogConfig';
import { CLEAN_SHUTDOWN_FILE, LogManager, RECOVERY_POINT_CHECKPOINT, REPLICATION_OFFSET_CHECKPOINT } from '../../../src/log/LogManager';
import { batch, leader, openLog, tmpDir } from './helpers';

let dir: string;
beforeEach(() => {
  dir = tmpDir();
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const seg0 = (l: Log): string => path.join(l.dir, '00000000000000000000');

async function offsets(l: Log): Promise<bigint[]> {
  const r = await l.read(l.logStartOffset, 1 << 24);
  return [...iterateBatches(r.records)].map((b) => b.header.baseOffset);
}

async function fill(cfg = {}, n = 50): Promise<Log> {
  const l = openLog(dir, { 'index.interval.bytes': 64, ...cfg });
  for (let i = 0; i < n; i++) await l.append(batch(1, 40, 1000n + BigInt(i), i), leader);
  return l;
}

describe('reload', () => {
  it('a clean reopen keeps LEO and content', async () => {
    const l = await fill();
    await l.close();
    const again = openLog(dir);
    expect(again.logEndOffset).toBe(50n);
    expect((await offsets(again)).length).toBe(50);
    await again.close();
  });

  it('rebuilds a missing index and a corrupt index from the log', async () => {
    const l = await fill();
    await l.close();
    const sizeBefore = fs.statSync(seg0(l) + '.index').size;
    expect(sizeBefore).toBeGreaterThan(0);
    fs.rmSync(seg0(l) + '.index');
    fs.writeFileSync(seg0(l) + '.timeindex', Buffer.alloc(7, 0xff)); // not a multiple of 12
    const again = openLog(dir, { 'index.interval.bytes': 64 });
    expect(again.logEndOffset).toBe(50n);
    for (let o = 0n; o < 50n; o += 5n) expect(readBatchHeader((await again.read(o, 1)).records).baseOffset).toBe(o);
    expect((await again.fetchOffsetByTimestamp(1020n))?.offset).toBe(20n);
    expect(fs.statSync(seg0(l) + '.index').size).toBe(sizeBefore);
    expect(fs.statSync(seg0(l) + '.timeindex').size % 12).toBe(0);
    await again.close();
  });

  it('rebuilds an index whose entries are not increasing', async () => {
    const l = await fill();
    await l.close();
    const b = Buffer.alloc(16);
    b.writeInt32BE(5, 0);
    b.writeInt32BE(400, 4);
    b.writeInt32BE(3, 8);
    b.writeInt32BE(100, 12);
    fs.writeFileSync(seg0(l) + '.index', b);
    const again = openLog(dir);
    expect((await offsets(again)).length).toBe(50);
    expect(readBatchHeader((await again.read(33n, 1)).records).baseOffset).toBe(33n);
    await again.close();
  });
});

describe('crash recovery', () => {
  it('truncates a torn tail and keeps every complete batch', async () => {
    const l = await fill();
    await l.close();
    const file = seg0(l) + '.log';
    const partial = batch(3, 100).subarray(0, 80);
    fs.appendFileSync(file, partial);
    const again = openLog(dir, {}, { hadCleanShutdown: false, recoveryPoint: 0n });
    expect(again.logEndOffset).toBe(50n);
    expect((await offsets(again)).length).toBe(50);
    expect((await again.append(batch(1), leader)).firstOffset).toBe(50n);
    await again.close();
  });

  it('a corrupt CRC in the middle of a segment truncates from that batch on, dropping later segments', async () => {
    const l = await fill({ 'segment.bytes': 4000 }, 120);
    const segs = l.segmentBaseOffsets();
    expect(segs.length).toBeGreaterThan(2);
    await l.close();
    // Flip one byte of the record data of the batch at offset 20 in segment 0.
    const file = seg0(l) + '.log';
    const data = fs.readFileSync(file);
    const b20 = [...iterateBatches(data)].find((v) => v.header.baseOffset === 20n)!;
    data[b20.position + b20.size - 3] = data[b20.position + b20.size - 3]! ^ 0x55;
    fs.writeFileSync(file, data);
    const again = openLog(dir, { 'segment.bytes': 4000 }, { hadCleanShutdown: false, recoveryPoint: 0n });
    expect(again.logEndOffset).toBe(20n);
    expect(again.numberOfSegments).toBe(1);
    expect(fs.statSync(file).size).toBe(b20.position);
    expect(await offsets(again)).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i)));
    await again.close();
  });

  it('a clean-shutdown load does not validate (as Kafka), recovery only after the recovery point', async () => {
    const l = await fill({ 'segment.bytes': 2000 }, 100);
    await l.close();
    const segs = l.segmentBaseOffsets();
    // Corrupt a batch in the first segment; recovering from the last segment must leave it alone.
    const file = seg0(l) + '.log';
    const data = fs.readFileSync(file);
    data[data.length - 3] = data[data.length - 3]! ^ 0x55;
    fs.writeFileSync(file, data);
    const again = openLog(dir, { 'segment.bytes': 2000 }, { hadCleanShutdown: false, recoveryPoint: segs[segs.length - 1] });
    expect(again.logEndOffset).toBe(100n);
    await again.close();
  });
});

describe('files Kafka tools expect', () => {
  it('a new segment has its .index and .timeindex files at once (active segment and after a roll)', async () => {
    const l = openLog(dir, { 'segment.bytes': 300 });
    const names = (): string[] => fs.readdirSync(l.dir).sort();
    expect(names()).toEqual(expect.arrayContaining(['00000000000000000000.index', '00000000000000000000.log', '00000000000000000000.timeindex']));
    for (let i = 0; i < 10; i++) await l.append(batch(1, 100), leader);
    for (const base of l.segmentBaseOffsets()) {
      const prefix = base.toString().padStart(20, '0');
      expect(names()).toEqual(expect.arrayContaining([`${prefix}.log`, `${prefix}.index`, `${prefix}.timeindex`]));
    }
    await l.close();
  });

  it('LogManager writes the missing checkpoint files when it opens a dir, with the loaded logs', async () => {
    const d = path.join(dir, 'fresh');
    const lm = new LogManager({ logDirs: [d], defaultConfig: logConfig({}), scheduler: null });
    await lm.startup();
    for (const name of [RECOVERY_POINT_CHECKPOINT, REPLICATION_OFFSET_CHECKPOINT, 'log-start-offset-checkpoint']) {
      expect(fs.existsSync(path.join(d, name))).toBe(true);
      expect(new OffsetCheckpointFile(path.join(d, name)).readMapSync().size).toBe(0);
    }
    await lm.shutdown();
  });
});

describe('leader epochs across crashes', () => {
  it('an append that starts an epoch returns only once leader-epoch-checkpoint has it on disk', async () => {
    const l = openLog(dir);
    const file = new LeaderEpochCheckpointFile(path.join(l.dir, 'leader-epoch-checkpoint'));
    for (const epoch of [1, 2, 3]) {
      const info = await l.append(batch(2), { assignOffsets: true, leaderEpoch: epoch });
      // Read straight away, as a crash right after the produce was answered would leave it.
      expect(file.readSync()).toContainEqual({ epoch, startOffset: info.firstOffset });
    }
    await l.close();
  });

  it('assignEpochDurably (a new leader, before any append) is on disk when it resolves', async () => {
    const l = openLog(dir);
    await l.append(batch(3), { assignOffsets: true, leaderEpoch: 0 });
    await l.assignEpochDurably(4, l.logEndOffset);
    expect(new LeaderEpochCheckpointFile(path.join(l.dir, 'leader-epoch-checkpoint')).readSync()).toEqual([{ epoch: 0, startOffset: 0n }, { epoch: 4, startOffset: 3n }]);
    await l.close();
  });

  it('crash recovery rebuilds epochs the checkpoint lacks from the batch headers', async () => {
    const l = openLog(dir);
    for (const [epoch, n] of [[1, 3], [2, 4], [5, 2]] as const) for (let i = 0; i < n; i++) await l.append(batch(1), { assignOffsets: true, leaderEpoch: epoch });
    await l.close();
    // The crash came before the checkpoint saw epochs 2 and 5.
    new LeaderEpochCheckpointFile(path.join(l.dir, 'leader-epoch-checkpoint')).writeSync([{ epoch: 1, startOffset: 0n }]);
    const again = openLog(dir, {}, { hadCleanShutdown: false, recoveryPoint: 0n });
    expect(again.leaderEpochCache.all()).toEqual([{ epoch: 1, startOffset: 0n }, { epoch: 2, startOffset: 3n }, { epoch: 5, startOffset: 7n }]);
    expect(again.endOffsetForEpoch(2)).toEqual({ epoch: 2, endOffset: 7n });
    expect(again.endOffsetForEpoch(5)).toEqual({ epoch: 5, endOffset: 9n });
    await again.close();
  });
});

describe('checkpoint files', () => {
  it('use Kafka text format and reject malformed content', () => {
    const f = new OffsetCheckpointFile(path.join(dir, 'cp'));
    f.writeSync([
      { topic: 'a', partition: 0, offset: 5n },
      { topic: 'b-c', partition: 3, offset: 9007199254740993n },
    ]);
    expect(fs.readFileSync(path.join(dir, 'cp'), 'utf8')).toBe('0\n2\na 0 5\nb-c 3 9007199254740993\n');
    expect(f.readMapSync().get('b-c-3')).toBe(9007199254740993n);
    fs.writeFileSync(path.join(dir, 'cp'), '0\n3\na 0 5\n');
    expect(() => f.readSync()).toThrow();
    expect(new LeaderEpochCheckpointFile(path.join(dir, 'none')).readSync()).toEqual([]);
  });
});

describe('LogConfig', () => {
  it('applies broker defaults then topic overrides, and reports every problem', () => {
    const c = buildLogConfig({ 'log.segment.bytes': '1000', 'log.retention.hours': 1 }, { 'retention.ms': '5000', 'cleanup.policy': 'delete,compact' });
    expect(c['segment.bytes']).toBe(1000);
    expect(c['retention.ms']).toBe(5000);
    expect(c['cleanup.policy']).toBe('compact,delete');
    expect(buildLogConfig({ 'log.retention.hours': 2 })['retention.ms']).toBe(7_200_000);
    expect(() => buildLogConfig({}, { 'segment.bytes': 'x', 'message.timestamp.type': 'Now' })).toThrow(LogConfigError);
    try {
      buildLogConfig({}, { 'segment.bytes': 'x', 'message.timestamp.type': 'Now' });
    } catch (e) {
      expect((e as LogConfigError).problems).toHaveLength(2);
    }
  });
});

describe('LogManager', () => {
  const cfg = logConfig({ 'file.delete.delay.ms': 0, 'segment.bytes': 3000 });

  it('creates, checkpoints, shuts down cleanly and reloads everything', async () => {
    const dirs = [path.join(dir, 'd1'), path.join(dir, 'd2')];
    const lm = new LogManager({ logDirs: dirs, defaultConfig: cfg, scheduler: null });
    await lm.startup();
    expect(() => lm.getOrCreateLog('bad/name', 0)).toThrow(expect.objectContaining({ code: LogErrorCode.INVALID_TOPIC_EXCEPTION }));
    expect(() => lm.getOrCreateLog('..', 0)).toThrow();
    for (let p = 0; p < 4; p++) {
      const l = lm.getOrCreateLog('orders', p);
      for (let i = 0; i < 10 + p; i++) await l.append(batch(2, 100), leader);
      l.updateHighWatermark(BigInt(4 * p));
    }
    expect(new Set(lm.allLogs().map((l) => path.dirname(l.dir))).size).toBe(2); // spread over both dirs
    await lm.shutdown();
    for (const d of dirs) expect(fs.existsSync(path.join(d, CLEAN_SHUTDOWN_FILE))).toBe(true);

    const lm2 = new LogManager({ logDirs: dirs, defaultConfig: cfg, scheduler: null });
    await lm2.startup();
    for (const d of dirs) expect(fs.existsSync(path.join(d, CLEAN_SHUTDOWN_FILE))).toBe(false);
    for (let p = 0; p < 4; p++) {
      const l = lm2.getLog('orders', p)!;
      expect(l.logEndOffset).toBe(BigInt(2 * (10 + p)));
      expect(l.highWatermark).toBe(BigInt(4 * p));
      expect(l.recoveryPoint).toBe(l.logEndOffset);
    }
    const hwText = fs.readFileSync(path.join(path.dirname(lm2.getLog('orders', 0)!.dir), REPLICATION_OFFSET_CHECKPOINT), 'utf8');
    expect(hwText.startsWith('0\n2\n')).toBe(true);
    await lm2.deleteLog('orders', 1);
    expect(lm2.getLog('orders', 1)).toBeUndefined();
    expect(fs.readdirSync(dirs[0]!).concat(fs.readdirSync(dirs[1]!)).some((n) => n.startsWith('orders-1'))).toBe(false);
    await lm2.shutdown();
  });

  it('after a crash (no marker) recovers from the checkpointed recovery point', async () => {
    const d = path.join(dir, 'd');
    const lm = new LogManager({ logDirs: [d], defaultConfig: cfg, scheduler: null });
    await lm.startup();
    const l = lm.getOrCreateLog('t', 0);
    for (let i = 0; i < 30; i++) await l.append(batch(1, 100), leader);
    await l.flush();
    await lm.checkpointAll();
    expect(new OffsetCheckpointFile(path.join(d, RECOVERY_POINT_CHECKPOINT)).readMapSync().get('t-0')).toBe(30n);
    for (let i = 0; i < 5; i++) await l.append(batch(1, 100), leader);
    // Simulate the crash: no close, no marker; tear the tail.
    const active = l.segmentBaseOffsets().at(-1)!;
    fs.appendFileSync(path.join(l.dir, `${active.toString().padStart(20, '0')}.log`), Buffer.alloc(30, 1));
    const lm2 = new LogManager({ logDirs: [d], defaultConfig: cfg, scheduler: null });
    await lm2.startup();
    expect(lm2.getLog('t', 0)!.logEndOffset).toBe(35n);
    await lm2.shutdown();
    await l.close();
  });

  describe('clean-shutdown marker at start-up', () => {
    /** A LogManager over `d` whose log lines (level and message) are collected. */
    function observed(d: string): { lm: LogManager; lines: Array<{ level: number; msg: string }> } {
      const lines: Array<{ level: number; msg: string }> = [];
      const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as { level: number; msg: string }) });
      return { lm: new LogManager({ logDirs: [d], defaultConfig: cfg, scheduler: null, logger }), lines };
    }
    const WARN = 40;
    const noMarker = /no clean shutdown marker/;

    it('a first start on an empty (or missing) dir warns about nothing', async () => {
      const { lm, lines } = observed(path.join(dir, 'fresh'));
      await lm.startup();
      expect(lines.filter((l) => l.level >= WARN)).toEqual([]);
      expect(lines.map((l) => l.msg)).toContain('no logs in this dir: nothing to recover');
      await lm.shutdown();
    });

    it('logs without the marker (a crash) are a warning; with the marker, silence', async () => {
      const d = path.join(dir, 'd');
      const first = new LogManager({ logDirs: [d], defaultConfig: cfg, scheduler: null });
      await first.startup();
      await first.getOrCreateLog('t', 0).append(batch(1), leader);
      await first.shutdown();

      const clean = observed(d);
      await clean.lm.startup();
      expect(clean.lines.filter((l) => l.level >= WARN)).toEqual([]);
      // The logs close but the LogManager never shuts down, so no marker is written: a crash.
      for (const l of clean.lm.allLogs()) await l.close();
      const crashed = observed(d);
      await crashed.lm.startup();
      expect(crashed.lines.filter((l) => l.level >= WARN).map((l) => l.msg)).toEqual([expect.stringMatching(noMarker)]);
      await crashed.lm.shutdown();
    });
  });

  it('runs retention over all logs', async () => {
    const d = path.join(dir, 'd');
    const lm = new LogManager({ logDirs: [d], defaultConfig: logConfig({ 'file.delete.delay.ms': 0, 'segment.bytes': 1000, 'retention.bytes': 1500, 'retention.ms': -1 }), scheduler: null });
    await lm.startup();
    const l = lm.getOrCreateLog('r', 0);
    for (let i = 0; i < 30; i++) await l.append(batch(1, 100), leader);
    l.updateHighWatermark(l.logEndOffset);
    expect(await lm.cleanupLogs()).toBeGreaterThan(0);
    expect(l.logStartOffset).toBeGreaterThan(0n);
    await lm.shutdown();
  });
});
