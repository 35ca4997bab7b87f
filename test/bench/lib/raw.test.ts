// Tests for the raw-limit probes: each returns a positive finite rate at tiny sizes, and leaves neither temp
// files nor child processes behind, on success or failure.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { RAW_TMP_PREFIX, fileToTcpSource, fsyncRate, tcpToFileSink } from '../../../bench/lib/raw';

const leftovers = (): string[] => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(RAW_TMP_PREFIX));

/** Pids whose parent is this process (the probes' children, if any survived). */
function ourChildren(): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) pids.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

describe('raw limit probes', () => {
  afterEach(() => {
    expect(leftovers()).toEqual([]);
    expect(ourChildren()).toEqual([]);
  });

  it('tcpToFileSink returns MiB/s for a few chunks, including a short last chunk', async () => {
    const mibps = await tcpToFileSink(1024 * 1024 + 1000, 64 * 1024);
    expect(Number.isFinite(mibps)).toBe(true);
    expect(mibps).toBeGreaterThan(0);
  });

  it('fileToTcpSource returns MiB/s for a file of a few 1 MiB reads', async () => {
    const mibps = await fileToTcpSource(2 * 1024 * 1024 + 123);
    expect(Number.isFinite(mibps)).toBe(true);
    expect(mibps).toBeGreaterThan(0);
  });

  it('fsyncRate returns fsyncs per second over a short run', async () => {
    const rate = await fsyncRate(150);
    expect(Number.isFinite(rate)).toBe(true);
    expect(rate).toBeGreaterThan(0);
  });

  it('rejects at its deadline and still cleans up', async () => {
    await expect(tcpToFileSink(64 * 1024 * 1024, 1024, { timeoutMs: 1 })).rejects.toThrow(/timed out/);
  });

  it('rejects bad sizes before starting anything', async () => {
    await expect(tcpToFileSink(0, 1024)).rejects.toThrow(RangeError);
    await expect(fileToTcpSource(1.5)).rejects.toThrow(RangeError);
    await expect(fsyncRate(-1)).rejects.toThrow(RangeError);
  });
});
