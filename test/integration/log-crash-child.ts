// Child process for log-crash.test.ts: appends batches forever and reports each completed append on stdout.
import { Log } from '../../src/log/Log';
import { logConfig } from '../../src/log/LogConfig';
import { buildRecordBatchSync } from '../../src/protocol/record/records';

const dir = process.argv[2] as string;
const log = Log.loadSync({ dir, topic: 'crash', partition: 0, config: logConfig({ 'segment.bytes': 64 * 1024, 'index.interval.bytes': 512 }) });
let seq = 0;
async function writer(): Promise<void> {
  for (;;) {
    const n = 1 + (seq++ % 5);
    const b = buildRecordBatchSync({ records: Array.from({ length: n }, (_, i) => ({ value: Buffer.alloc(200 + ((seq * 37) % 700), i) })) });
    const info = await log.append(b, { assignOffsets: true, leaderEpoch: 0 });
    process.stdout.write(`ok ${info.lastOffset}\n`);
  }
}
// Several writers so appends are in flight (queued, mid-write) at the moment of the kill.
for (let i = 0; i < 4; i++) void writer();
