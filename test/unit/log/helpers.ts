// Shared helpers for log tests: temp dirs, batches, a fake clock, condition waits.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildRecordBatchSync } from '../../../src/protocol/record/records';
import { Log, LoadOptions } from '../../../src/log/Log';
import { LogConfig, logConfig } from '../../../src/log/LogConfig';

/** Directories made by tmpDir in this test file, removed after its last test (whether or not a test removed them). */
const madeDirs: string[] = [];
if (typeof afterAll === 'function') {
  afterAll(() => {
    for (const d of madeDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
}

export function tmpDir(prefix = 'brook-log-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  madeDirs.push(d);
  return d;
}

export class FakeClock {
  constructor(public t = 1_000_000) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** A batch of `count` records of `valueSize` bytes, all at `timestamp`. */
export function batch(count = 1, valueSize = 10, timestamp = 1000n, seed = 0): Buffer {
  return buildRecordBatchSync({
    records: Array.from({ length: count }, (_, i) => ({ key: `k${seed}-${i}`, value: Buffer.alloc(valueSize, (seed + i) % 251), timestamp })),
  });
}

export function openLog(dir: string, cfg: Partial<LogConfig> = {}, extra: Partial<LoadOptions> = {}): Log {
  return Log.loadSync({ dir: path.join(dir, 'topic-0'), topic: 'topic', partition: 0, config: logConfig({ 'file.delete.delay.ms': 0, ...cfg }), ...extra });
}

export async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const leader = { assignOffsets: true, leaderEpoch: 0 } as const;
