// kill -9 of a process appending to a log, then recovery: every acknowledged batch survives, only a torn tail goes.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkBatch, iterateBatches } from '../../src/protocol/record/batch-header';
import { Log } from '../../src/log/Log';
import { logConfig } from '../../src/log/LogConfig';
import { buildRecordBatchSync } from '../../src/protocol/record/records';

jest.setTimeout(60000);

async function runAndKill(dir: string, acksWanted: number): Promise<bigint> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'log-crash-child.ts'), dir], {
    cwd: path.join(__dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BROOK_LOG_LEVEL: 'silent' },
  });
  let maxAcked = -1n;
  let acks = 0;
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const l of lines) {
        const m = /^ok (\d+)$/.exec(l);
        if (!m) continue;
        const o = BigInt(m[1]!);
        if (o > maxAcked) maxAcked = o;
        acks++;
      }
      if (acks >= acksWanted) {
        child.removeAllListeners('exit');
        child.kill('SIGKILL');
        child.on('exit', () => resolve());
      }
    });
  });
  return maxAcked;
}

it('keeps every acknowledged batch after kill -9 and truncates only a torn tail', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-crash-'));
  const dir = path.join(root, 'crash-0');
  try {
    const maxAcked = await runAndKill(dir, 3000);
    expect(maxAcked).toBeGreaterThan(1000n);
    // Simulate a torn write on top: half a batch at the end of the active segment.
    const segs = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
    expect(segs.length).toBeGreaterThan(2);
    const active = path.join(dir, segs[segs.length - 1]!);
    // kill -9 can itself leave a torn batch: a write in progress stops at a page boundary when the signal lands.
    // Recovery must keep exactly the whole, valid batches of the file as the kill left it.
    const afterKill = fs.readFileSync(active);
    let validEnd = 0;
    for (;;) {
      const r = checkBatch(afterKill, validEnd, afterKill.length);
      if (typeof r !== 'number') break;
      validEnd += r;
    }
    expect(afterKill.length - validEnd).toBeLessThan(64 * 1024);
    const torn = buildRecordBatchSync({ baseOffset: 999999n, records: [{ value: Buffer.alloc(500, 7) }] });
    fs.appendFileSync(active, torn.subarray(0, 300));

    const log = Log.loadSync({ dir, topic: 'crash', partition: 0, config: logConfig({ 'segment.bytes': 64 * 1024, 'index.interval.bytes': 512 }), hadCleanShutdown: false, recoveryPoint: 0n });
    expect(log.logEndOffset).toBeGreaterThan(maxAcked);
    expect(fs.statSync(active).size).toBe(validEnd);
    // The whole log is valid and contiguous from 0 to LEO.
    let next = 0n;
    while (next < log.logEndOffset) {
      const r = await log.read(next, 1 << 20);
      for (const b of iterateBatches(r.records)) {
        expect(b.header.baseOffset).toBe(next);
        expect(checkBatch(r.records, b.position, b.position + b.size)).toBe(b.size);
        next = b.header.baseOffset + BigInt(b.header.lastOffsetDelta) + 1n;
      }
    }
    expect(next).toBe(log.logEndOffset);
    await log.close();
  } finally {
    if (!process.env.KEEP) fs.rmSync(root, { recursive: true, force: true }); else console.log(root);
  }
});
