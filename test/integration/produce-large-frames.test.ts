// Large produce requests arrive over several socket reads and are received into pooled frame buffers that are
// reused once the request is handled (src/util/FramePool.ts). A frame reused too early would change records
// before or while they are written; this test pipelines many distinct ~1 MiB requests over several connections
// and checks every stored record byte for byte.
import { createHash } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, type TestCluster } from '../harness';
import { consumeAll, leaderBroker } from './datapath-helpers';

jest.setTimeout(180_000);

/** A distinct 12 KiB ASCII value for record `j` of request `i`. */
function value(i: number, j: number): string {
  const seed = createHash('sha256').update(`${i}/${j}`).digest('hex');
  return seed.repeat(Math.ceil(12_288 / seed.length)).slice(0, 12_288);
}

describe('large produce requests (pooled frames)', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 1 });
  });
  afterAll(async () => {
    await cluster?.teardown();
  });

  test('48 pipelined ~1 MiB requests over 3 producers, acks 1 and -1: every record stored intact, in order per request', async () => {
    const brokers = cluster.bootstrap.split(',');
    const admin = new Kafka({ clientId: 'frames', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'frames', numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const producers = Array.from({ length: 3 }, (_x, n) => new Kafka({ clientId: `frames-${n}`, brokers, logLevel: logLevel.NOTHING }).producer());
    await Promise.all(producers.map((p) => p.connect()));
    const requests = 48;
    const perRequest = 80; // 80 x 12 KiB ~ 0.96 MiB per request: dozens of socket reads each
    try {
      // Each producer keeps 4 sends in flight; requests alternate acks and partitions.
      await Promise.all(producers.map(async (p, n) => {
        for (let i = n; i < requests; i += 12) {
          await Promise.all([0, 3, 6, 9].map((k) => i + k).filter((r) => r < requests).map((r) => p.send({
            topic: 'frames',
            acks: r % 2 === 0 ? 1 : -1,
            messages: Array.from({ length: perRequest }, (_y, j) => ({ partition: r % 2, key: `${r}/${j}`, value: value(r, j) })),
          })));
        }
      }));
    } finally {
      await Promise.all(producers.map((p) => p.disconnect()));
    }

    const leader = await leaderBroker(cluster, 'frames', 0);
    let seen = 0;
    for (const partition of [0, 1]) {
      const { records } = await consumeAll(leader, 'frames', partition);
      expect(records.length).toBe((requests / 2) * perRequest);
      const lastIndexOf = new Map<number, number>();
      for (const rec of records) {
        const [r, j] = rec.key!.split('/').map(Number) as [number, number];
        expect(r % 2).toBe(partition);
        if (rec.value !== value(r, j)) throw new Error(`record ${rec.key} at offset ${rec.offset} differs from what was sent`);
        // Records of one request are stored together and in order.
        expect(j).toBe((lastIndexOf.get(r) ?? -1) + 1);
        lastIndexOf.set(r, j);
        seen++;
      }
    }
    expect(seen).toBe(requests * perRequest);
  });
});
