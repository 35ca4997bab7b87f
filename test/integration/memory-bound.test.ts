// Memory for queued requests is bounded in bytes: large produce requests pipelined behind acks=-1 requests that wait
// for a stopped follower stay in the producers' sockets, not in the broker (queued.max.request.bytes and the
// per-connection budget), and every request is still answered once the follower leaves the ISR.
import fs from 'node:fs';
import net from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, waitFor, type TestCluster } from '../harness';
import { decodeResponse, encodeRequest } from '../../src/protocol/codec';
import { Produce } from '../../src/protocol/messages/00-produce';
import { buildRecordBatchSync } from '../../src/protocol/record/records';
import { partitionView } from './datapath-helpers';

jest.setTimeout(240_000);

const MiB = 1024 * 1024;
const CONNECTIONS = 8;
const REQUESTS = 40; // per connection
const BUDGET = 16 * MiB; // queued.max.request.bytes for this test
const PRODUCE_VERSION = 7;

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

/** A ~4 MiB acks=-1 produce request to mem-0; correlation ids are patched in per send. */
function produceRequest(): Buffer {
  const records = buildRecordBatchSync({ records: Array.from({ length: 64 }, (_x, i) => ({ value: Buffer.alloc(64 * 1024, i) })) });
  return encodeRequest(Produce, PRODUCE_VERSION, { correlationId: 0, clientId: 'memory-bound' }, {
    transactionalId: null, acks: -1, timeoutMs: 120_000, topicData: [{ name: 'mem', partitionData: [{ index: 0, records }] }],
  });
}

/** Pipelines `n` copies of `frame` (size prefix included) with correlation ids 0..n-1; resolves with the answers. */
function pipeline(port: number, frame: Buffer, n: number, onAnswer: () => void): Promise<Array<{ correlationId: number; errorCode: number }>> {
  return new Promise((resolve, reject) => {
    const got: Array<{ correlationId: number; errorCode: number }> = [];
    let buf = Buffer.alloc(0);
    const s = net.connect(port, '127.0.0.1', () => {
      for (let i = 0; i < n; i++) {
        // The header (up to the correlation id) is fresh per request; the ~4 MiB body is the same buffer each time.
        const head = Buffer.from(frame.subarray(0, 12));
        head.writeInt32BE(i, 8);
        s.write(head);
        s.write(frame.subarray(12));
      }
    });
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const size = buf.readInt32BE(0);
        const { correlationId, body } = decodeResponse(Produce, PRODUCE_VERSION, buf.subarray(4, 4 + size));
        got.push({ correlationId, errorCode: body.responses[0]?.partitionResponses[0]?.errorCode ?? -2 });
        buf = buf.subarray(4 + size);
        onAnswer();
        if (got.length === n) {
          s.destroy();
          resolve(got);
        }
      }
    });
    s.on('error', reject);
    s.on('close', () => (got.length < n ? reject(new Error(`connection closed after ${got.length} of ${n} answers`)) : undefined));
  });
}

describe('memory bound for queued requests', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    const overrides = {
      'queued.max.request.bytes': String(BUDGET),
      'message.max.bytes': String(8 * MiB),
      // The stopped follower leaves the ISR after this, which completes the waiting acks=-1 requests.
      'replica.lag.time.max.ms': '4000',
      'auto.leader.rebalance.enable': 'false',
    };
    cluster = await startCluster({ brokers: 2, startBrokers: false, overrides });
    // Broker 1 starts alone, so it is the controller and the ISR shrink does not wait on the stopped broker.
    await cluster.startBroker(1);
    await cluster.waitForController();
    await cluster.startBroker(2);
  });
  afterAll(async () => {
    await cluster?.teardown();
  });

  it(`${CONNECTIONS} connections x ${REQUESTS} pipelined 4 MiB acks=-1 requests held by a stopped follower: RSS stays bounded, all answered`, async () => {
    const admin = new Kafka({ clientId: 'memory-bound', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'mem', replicaAssignment: [{ partition: 0, replicas: [1, 2] }] }] });
    await admin.disconnect();
    await waitFor(async () => {
      const v = await partitionView(cluster, 'mem', 0);
      return v?.leader === 1 && v.isr.length === 2;
    }, { timeoutMs: 30_000, what: 'mem-0 led by broker 1 with ISR [1,2]' });

    const leader = cluster.broker(1);
    const frame = produceRequest();
    const base = rssKb(leader.pid);
    let peak = base;
    const sampler = setInterval(() => { peak = Math.max(peak, rssKb(leader.pid)); }, 20);
    cluster.broker(2).pause();
    const t0 = Date.now();
    let firstAnswerMs = -1;
    try {
      const results = await Promise.all(Array.from({ length: CONNECTIONS }, () => pipeline(leader.port, frame, REQUESTS, () => {
        if (firstAnswerMs < 0) firstAnswerMs = Date.now() - t0;
      })));
      peak = Math.max(peak, rssKb(leader.pid));
      const codes = new Map<number, number>();
      for (const r of results.flat()) codes.set(r.errorCode, (codes.get(r.errorCode) ?? 0) + 1);
      process.stdout.write(`memory-bound: ${CONNECTIONS * REQUESTS} x ${(frame.length / MiB).toFixed(2)} MiB requests answered in ${Date.now() - t0} ms (first after ${firstAnswerMs} ms); `
        + `error codes ${JSON.stringify(Object.fromEntries(codes))}; leader RSS ${base} kB before, peak ${peak} kB (+${Math.round((peak - base) / 1024)} MiB)\n`);
      for (const r of results) expect(r.map((x) => x.correlationId)).toEqual(Array.from({ length: REQUESTS }, (_x, i) => i));
      expect(codes).toEqual(new Map([[0, CONNECTIONS * REQUESTS]]));
      // The first requests really waited for the follower (else nothing was held back).
      expect(firstAnswerMs).toBeGreaterThan(2000);
      expect(peak - base).toBeLessThan(200 * 1024);
    } finally {
      clearInterval(sampler);
      cluster.broker(2).resume();
    }
  });
});
