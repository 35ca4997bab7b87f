// CRC-32C throughput on 1 MiB buffers (goal >= 3 GB/s). Usage: npx ts-node --transpile-only bench/crc.ts [--json]
import { crc32c } from '../src/protocol/record/crc32c';

const buf = Buffer.alloc(1 << 20);
for (let i = 0; i < buf.length; i++) buf[i] = (i * 2654435761) >>> 24;
const runs: number[] = [];
for (let r = 0; r < 5; r++) {
  const iters = 3000;
  let x = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iters; i++) x ^= crc32c(buf);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  runs.push((iters * buf.length) / s / 1e9);
  if (x === 0x12345678) console.log('');
}
runs.sort((a, b) => a - b);
const median = runs[Math.floor(runs.length / 2)] as number;
if (process.argv.includes('--json')) console.log(JSON.stringify({ crc32c_GBps_1MiB: median, runs }));
else console.log(`CRC-32C on 1 MiB buffers: ${median.toFixed(2)} GB/s (median of 5; runs ${runs.map((r) => r.toFixed(2)).join(', ')})`);
