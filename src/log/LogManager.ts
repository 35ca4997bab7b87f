// All partition logs of a broker across its log.dirs: loading and recovery, checkpoints, retention, flush, shutdown.
import { topicNameProblem } from '../util/topicName';
import * as fs from 'fs';
import * as path from 'path';
import { randomUUID } from 'crypto';
import { Logger, moduleLogger } from '../util/logger';
import { OffsetCheckpointFile, TopicPartitionOffset, fsyncDirSync } from './checkpoints';
import { LogError, LogErrorCode, storageError } from './errors';
import { Log } from './Log';
import { systemClock, type Clock } from './LogTypes';
import type { CleanerConfig } from './Cleaner';
import { LogCleaner } from './LogCleaner';
import { LogConfig } from './LogConfig';

export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const REPLICATION_OFFSET_CHECKPOINT = 'replication-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';

/** Parses `<topic>-<partition>` (topic names may contain '-'; the partition is after the last one). */
export function parseTopicPartitionDir(name: string): { topic: string; partition: number } | null {
  const i = name.lastIndexOf('-');
  if (i <= 0) return null;
  const topic = name.slice(0, i);
  const p = name.slice(i + 1);
  if (!/^\d+$/.test(p) || topicNameProblem(topic) !== null) return null;
  return { topic, partition: Number(p) };
}

export interface Scheduler {
  /** Runs `fn` every `periodMs`; returns a cancel function. */
  schedulePeriodic(name: string, fn: () => Promise<void>, periodMs: number): () => void;
}

export const timerScheduler: Scheduler = {
  schedulePeriodic(_name, fn, periodMs) {
    let running = false;
    const t = setInterval(() => {
      if (running) return;
      running = true;
      void fn().finally(() => {
        running = false;
      });
    }, periodMs);
    t.unref();
    return () => clearInterval(t);
  },
};

export interface LogManagerOptions {
  logDirs: string[];
  /** Broker-level default config, used for logs created without their own. */
  defaultConfig: LogConfig;
  /** Per-topic configs known at start-up (topics missing here get defaultConfig). */
  topicConfigs?: Map<string, LogConfig>;
  clock?: Clock;
  /** null: no background jobs (tests drive checkpoint/retention/flush by hand). */
  scheduler?: Scheduler | null;
  retentionCheckIntervalMs?: number; // log.retention.check.interval.ms
  flushCheckIntervalMs?: number; // log.flush.scheduler.interval.ms
  checkpointIntervalMs?: number; // log.flush.offset.checkpoint.interval.ms / replica.high.watermark.checkpoint.interval.ms
  /** Period of the log cleaner (compaction of cleanup.policy=compact logs), like log.cleaner.backoff.ms. Default 15 s; null: no cleaner (log.cleaner.enable=false). */
  cleanerIntervalMs?: number | null;
  /** log.cleaner.dedupe.buffer.size, log.cleaner.io.buffer.load.factor, log.cleaner.io.buffer.size; Kafka's defaults otherwise. */
  cleanerConfig?: Partial<CleanerConfig>;
  /** Parallelism of start-up loading (Kafka's num.recovery.threads.per.data.dir). */
  recoveryThreadsPerDataDir?: number;
  /** Defaults to the process logger's `log-manager` child. */
  logger?: Logger;
  /** transactional.id.expiration.ms: how long an idle producer's state is kept (default 7 days). */
  producerIdExpirationMs?: number;
  /** How often expired producers are dropped; Kafka's fixed 10 minutes by default. */
  producerIdExpirationCheckIntervalMs?: number;
}

interface Entry {
  log: Log;
  logDir: string;
}

export class LogManager {
  private readonly logs = new Map<string, Entry>();
  private readonly offlineDirs = new Set<string>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private cancels: (() => void)[] = [];
  private started = false;
  private stopped = false;
  private dirListeners: ((dir: string) => void)[] = [];
  /** Compaction of cleanup.policy=compact logs, with its cleaner-offset-checkpoint per dir. */
  readonly cleaner: LogCleaner;

  constructor(private readonly opts: LogManagerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? moduleLogger('log-manager');
    this.cleaner = new LogCleaner({ config: opts.cleanerConfig, clock: this.clock, onDirFailure: (dir) => this.markDirOffline(dir) });
  }

  /** Called with the directory when a log dir goes offline after a disk error. */
  onLogDirFailure(listener: (dir: string) => void): void {
    this.dirListeners.push(listener);
  }

  /**
   * Loads every log in every dir. With `.kafka_cleanshutdown` present no segment is validated; without it,
   * each log is recovered from its recovery point. The marker is removed so a crash from now on is detected.
   * Loading runs through a small pool per dir; Log.loadSync is synchronous, so the pool mainly bounds memory.
   */
  async startup(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const t0 = Date.now();
    await Promise.all(this.opts.logDirs.map((d) => this.loadDir(d)));
    this.logger.info({ logs: this.logs.size, ms: Date.now() - t0 }, 'logs loaded');
    const scheduler = this.opts.scheduler === undefined ? timerScheduler : this.opts.scheduler;
    if (scheduler) {
      this.cancels.push(scheduler.schedulePeriodic('log-retention', () => this.cleanupLogs().then(() => undefined), this.opts.retentionCheckIntervalMs ?? 300000));
      this.cancels.push(scheduler.schedulePeriodic('log-flusher', () => this.flushDirtyLogs(), this.opts.flushCheckIntervalMs ?? 1000));
      const cleanerMs = this.opts.cleanerIntervalMs === undefined ? 15000 : this.opts.cleanerIntervalMs;
      if (cleanerMs !== null) this.cancels.push(scheduler.schedulePeriodic('log-cleaner', () => this.cleanLogs().then(() => undefined), cleanerMs));
      this.cancels.push(scheduler.schedulePeriodic('checkpoints', () => this.checkpointAll(), this.opts.checkpointIntervalMs ?? 60000));
      this.cancels.push(scheduler.schedulePeriodic('producer-id-expiration', () => this.removeExpiredProducers(), this.opts.producerIdExpirationCheckIntervalMs ?? 600000));
    }
  }

  private async loadDir(dir: string): Promise<void> {
    try {
      fs.mkdirSync(dir, { recursive: true });
      const marker = path.join(dir, CLEAN_SHUTDOWN_FILE);
      const clean = fs.existsSync(marker);
      const recovery = this.readCheckpoint(dir, RECOVERY_POINT_CHECKPOINT);
      const hws = this.readCheckpoint(dir, REPLICATION_OFFSET_CHECKPOINT);
      const starts = this.readCheckpoint(dir, LOG_START_OFFSET_CHECKPOINT);
      this.cleaner.loadCheckpoints(dir);
      const names = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
      let loaded = 0;
      for (const name of names) {
        if (name.endsWith('-delete')) {
          fs.rmSync(path.join(dir, name), { recursive: true, force: true }); // an interrupted topic deletion
          continue;
        }
        const tp = parseTopicPartitionDir(name);
        if (!tp) continue;
        const config = this.opts.topicConfigs?.get(tp.topic) ?? this.opts.defaultConfig;
        const log = Log.loadSync({
          dir: path.join(dir, name),
          topic: tp.topic,
          partition: tp.partition,
          config,
          clock: this.clock,
          recoveryPoint: recovery.get(name) ?? 0n,
          logStartOffset: starts.get(name) ?? 0n,
          highWatermark: hws.get(name) ?? 0n,
          hadCleanShutdown: clean,
          onStorageError: () => this.markDirOffline(dir),
          onTruncated: (offset) => this.onLogTruncated(`${tp.topic}-${tp.partition}`, offset),
          producerIdExpirationMs: this.opts.producerIdExpirationMs,
        });
        // Producer state (snapshot plus the log after it) is loaded before the broker serves, as Kafka does.
        await log.loadProducerState();
        this.logs.set(name, { log, logDir: dir });
        loaded++;
        // Yield now and then so a long load does not starve timers entirely.
        if (this.logs.size % 200 === 0) await new Promise((r) => setImmediate(r));
      }
      // A first start (or a dir without partitions) has no marker and nothing that could be damaged: no warning.
      if (!clean && loaded > 0) this.logger.warn({ dir, logs: loaded }, 'no clean shutdown marker: logs recovered from their recovery points');
      else if (!clean) this.logger.info({ dir }, 'no logs in this dir: nothing to recover');
      // Kafka creates its checkpoint files when the dir is opened: write the missing ones from what was loaded.
      const inDir = [...this.logs.values()].filter((e) => e.logDir === dir).map((e) => e.log);
      const current: Array<[string, (l: Log) => bigint]> = [
        [RECOVERY_POINT_CHECKPOINT, (l) => l.recoveryPoint],
        [REPLICATION_OFFSET_CHECKPOINT, (l) => l.highWatermark],
        [LOG_START_OFFSET_CHECKPOINT, (l) => l.logStartOffset],
      ];
      for (const [name, of] of current) {
        const file = path.join(dir, name);
        if (!fs.existsSync(file)) new OffsetCheckpointFile(file).writeSync(inDir.map((l) => ({ topic: l.topic, partition: l.partition, offset: of(l) })));
      }
      if (clean) {
        fs.rmSync(marker, { force: true });
        fsyncDirSync(dir);
      }
    } catch (e) {
      this.logger.error({ err: e, dir }, 'failed to load log dir');
      this.markDirOffline(dir);
    }
  }

  private readCheckpoint(dir: string, name: string): Map<string, bigint> {
    try {
      return new OffsetCheckpointFile(path.join(dir, name)).readMapSync();
    } catch (e) {
      this.logger.warn({ err: e, file: name }, 'unreadable checkpoint ignored');
      return new Map();
    }
  }

  private markDirOffline(dir: string): void {
    if (this.offlineDirs.has(dir)) return;
    this.offlineDirs.add(dir);
    this.logger.error({ dir }, 'log dir offline');
    for (const e of this.logs.values()) if (e.logDir === dir) e.log.markOffline(new Error(`log dir ${dir} offline`));
    for (const l of this.dirListeners) l(dir);
  }

  isDirOffline(dir: string): boolean {
    return this.offlineDirs.has(dir);
  }
  get liveLogDirs(): string[] {
    return this.opts.logDirs.filter((d) => !this.offlineDirs.has(d));
  }

  getLog(topic: string, partition: number): Log | undefined {
    return this.logs.get(`${topic}-${partition}`)?.log;
  }

  allLogs(): Log[] {
    return [...this.logs.values()].map((e) => e.log);
  }

  /** The dir holding fewest logs among the live ones (Kafka's nextLogDirs). */
  private pickDir(): string {
    const live = this.liveLogDirs;
    if (live.length === 0) throw storageError('no live log dirs');
    const counts = new Map(live.map((d) => [d, 0]));
    for (const e of this.logs.values()) if (counts.has(e.logDir)) counts.set(e.logDir, (counts.get(e.logDir) as number) + 1);
    return [...counts.entries()].sort((a, b) => a[1] - b[1])[0]?.[0] as string;
  }

  /** Returns the existing log or creates `<dir>/<topic>-<partition>`; refuses an invalid topic name. */
  getOrCreateLog(topic: string, partition: number, config?: LogConfig): Log {
    const existing = this.getLog(topic, partition);
    if (existing) {
      if (existing.isOffline) throw storageError(`log ${topic}-${partition} is offline`);
      return existing;
    }
    const problem = topicNameProblem(topic);
    if (problem) throw new LogError(LogErrorCode.INVALID_TOPIC_EXCEPTION, problem);
    if (!Number.isInteger(partition) || partition < 0) throw new LogError(LogErrorCode.INVALID_TOPIC_EXCEPTION, `bad partition ${partition}`);
    const logDir = this.pickDir();
    const dir = path.join(logDir, `${topic}-${partition}`);
    let log: Log;
    try {
      log = Log.loadSync({
        dir,
        topic,
        partition,
        config: config ?? this.opts.defaultConfig,
        clock: this.clock,
        hadCleanShutdown: true,
        onStorageError: () => this.markDirOffline(logDir),
        onTruncated: (offset) => this.onLogTruncated(`${topic}-${partition}`, offset),
        producerIdExpirationMs: this.opts.producerIdExpirationMs,
      });
      fsyncDirSync(logDir);
    } catch (e) {
      this.markDirOffline(logDir);
      throw storageError(`cannot create log ${topic}-${partition}`, e);
    }
    this.logs.set(`${topic}-${partition}`, { log, logDir });
    this.logger.info({ topicPartition: `${topic}-${partition}`, dir }, 'created log');
    return log;
  }

  /** A log was truncated: its cleaner checkpoint may not stay above the new end (Kafka's LogManager.truncateTo). */
  private onLogTruncated(key: string, offset: bigint): void {
    const e = this.logs.get(key);
    if (!e) return;
    const live = new Set([...this.logs.entries()].filter(([, x]) => x.logDir === e.logDir).map(([k]) => k));
    void this.cleaner.truncated(e.log, e.logDir, offset, live);
  }

  /** Removes the log: renamed `<tp>.<id>-delete` at once (as Kafka), contents removed afterwards. */
  async deleteLog(topic: string, partition: number): Promise<void> {
    const key = `${topic}-${partition}`;
    const e = this.logs.get(key);
    if (!e) return;
    this.logs.delete(key);
    const remaining = new Set([...this.logs.entries()].filter(([, x]) => x.logDir === e.logDir).map(([k]) => k));
    await this.cleaner.removeLog(e.log, e.logDir, remaining);
    await e.log.close();
    const doomed = path.join(e.logDir, `${key}.${randomUUID().replace(/-/g, '')}-delete`);
    await fs.promises.rename(e.log.dir, doomed);
    await fs.promises.rm(doomed, { recursive: true, force: true });
    this.logger.info({ topicPartition: key }, 'deleted log');
  }

  /** Drops producers idle past transactional.id.expiration.ms from every log's producer state. */
  async removeExpiredProducers(): Promise<void> {
    const now = this.clock.now();
    let removed = 0;
    for (const log of this.allLogs()) if (!log.isOffline) removed += log.removeExpiredProducers(now);
    if (removed > 0) this.logger.info({ removed }, 'removed expired producer ids');
  }

  /** Retention on every log; returns the number of segments deleted. */
  async cleanupLogs(): Promise<number> {
    let n = 0;
    for (const log of this.allLogs()) {
      if (log.isOffline) continue;
      n += await log.deleteOldSegments().catch((e: unknown) => {
        this.logger.warn({ err: e }, 'retention failed');
        return 0;
      });
    }
    return n;
  }

  /**
   * One run of the log cleaner: the compacted logs above their min.cleanable.dirty.ratio (or past
   * max.compaction.lag.ms) are cleaned, dirtiest first, until none is left; returns the segments replaced.
   */
  cleanLogs(): Promise<number> {
    const logs = [...this.logs.values()].filter((e) => !this.offlineDirs.has(e.logDir)).map((e) => ({ log: e.log, logDir: e.logDir }));
    return this.cleaner.cleanLogs(logs);
  }

  async flushDirtyLogs(): Promise<void> {
    await Promise.all(this.allLogs().map((l) => l.maybeFlushByTime().catch(() => undefined)));
  }

  /** Writes recovery points, high watermarks and log start offsets for every live dir. */
  async checkpointAll(): Promise<void> {
    for (const dir of this.liveLogDirs) {
      const entries = [...this.logs.values()].filter((e) => e.logDir === dir && !e.log.isOffline).map((e) => e.log);
      const of = (f: (l: Log) => bigint): TopicPartitionOffset[] => entries.map((l) => ({ topic: l.topic, partition: l.partition, offset: f(l) }));
      try {
        await new OffsetCheckpointFile(path.join(dir, RECOVERY_POINT_CHECKPOINT)).write(of((l) => l.recoveryPoint));
        await new OffsetCheckpointFile(path.join(dir, REPLICATION_OFFSET_CHECKPOINT)).write(of((l) => l.highWatermark));
        await new OffsetCheckpointFile(path.join(dir, LOG_START_OFFSET_CHECKPOINT)).write(of((l) => l.logStartOffset));
      } catch (e) {
        this.logger.error({ err: e, dir }, 'checkpoint write failed');
        this.markDirOffline(dir);
      }
    }
  }

  /** Stops jobs, flushes and closes every log, writes checkpoints and the clean-shutdown marker. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const c of this.cancels) c();
    this.cancels = [];
    await this.cleaner.shutdown();
    await Promise.all(this.allLogs().map((l) => l.close().catch((e: unknown) => this.logger.warn({ err: e }, 'close failed'))));
    await this.checkpointAll();
    for (const dir of this.liveLogDirs) {
      const anyOffline = [...this.logs.values()].some((e) => e.logDir === dir && e.log.isOffline);
      if (anyOffline) continue;
      try {
        fs.writeFileSync(path.join(dir, CLEAN_SHUTDOWN_FILE), '');
        fsyncDirSync(dir);
      } catch (e) {
        this.logger.error({ err: e, dir }, 'could not write the clean shutdown marker');
      }
    }
    this.logger.info({ logs: this.logs.size }, 'log manager shut down');
  }
}
