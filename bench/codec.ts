// Codec throughput: encode/decode of a Metadata v9 response and a Produce v7 request envelope, per core.
// Run: npx ts-node --transpile-only bench/codec.ts [--json]
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, readRequestHeader } from '../src/protocol/codec';
import { Metadata, Produce, type MetadataResponse, type ProduceRequest } from '../src/protocol/messages';

const ROUNDS = 5;
const MIN_MS = 400;

const metadata: MetadataResponse = {
  throttleTimeMs: 0,
  brokers: [1, 2, 3].map((id) => ({ nodeId: id, host: `broker-${id}.example.internal`, port: 9091 + id, rack: null })),
  clusterId: 'Xv4eXGBFQyCK3x2UxQq_Nw',
  controllerId: 1,
  topics: Array.from({ length: 10 }, (_, t) => ({
    errorCode: 0,
    name: `topic-${t}`,
    topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
    isInternal: false,
    partitions: Array.from({ length: 10 }, (_, p) => ({
      errorCode: 0,
      partitionIndex: p,
      leaderId: 1 + (p % 3),
      leaderEpoch: 4,
      replicaNodes: [1 + (p % 3), 1 + ((p + 1) % 3), 1 + ((p + 2) % 3)],
      isrNodes: [1 + (p % 3), 1 + ((p + 1) % 3), 1 + ((p + 2) % 3)],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: -2147483648,
  })),
  clusterAuthorizedOperations: -2147483648,
};

// Records are opaque to the codec; a small fixed batch stands in for them.
const RECORDS = Buffer.alloc(128, 7);
const produce: ProduceRequest = {
  transactionalId: null,
  acks: -1,
  timeoutMs: 30000,
  topicData: [{ name: 'orders', partitionData: Array.from({ length: 5 }, (_, i) => ({ index: i, records: RECORDS })) }],
};

interface Case {
  name: string;
  run: () => unknown;
}

const metaFrame = encodeResponse(Metadata, 9, 1, metadata).subarray(4);
const produceFrame = encodeRequest(Produce, 7, { correlationId: 1, clientId: 'bench' }, produce).subarray(4);

const cases: Case[] = [
  { name: 'Metadata v9 response encode', run: () => encodeResponse(Metadata, 9, 1, metadata) },
  { name: 'Metadata v9 response decode', run: () => decodeResponse(Metadata, 9, metaFrame) },
  { name: 'Produce v7 request encode', run: () => encodeRequest(Produce, 7, { correlationId: 1, clientId: 'bench' }, produce) },
  {
    name: 'Produce v7 request decode',
    run: () => {
      const h = readRequestHeader(produceFrame);
      return decodeRequest(Produce, 7, produceFrame, h.bodyOffset);
    },
  },
];

/** Operations per second over one timed round (at least MIN_MS long). */
function measure(run: () => unknown): number {
  let sink = 0;
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsedNs = 0n;
  while (elapsedNs < BigInt(MIN_MS) * 1_000_000n) {
    for (let i = 0; i < 1000; i++) {
      if (run() !== undefined) sink++;
    }
    ops += 1000;
    elapsedNs = process.hrtime.bigint() - start;
  }
  if (sink < 0) throw new Error('unreachable');
  return (ops * 1e9) / Number(elapsedNs);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

function main(): void {
  const json = process.argv.includes('--json');
  const results: Array<{ case: string; opsPerSec: number; rounds: number[]; frameBytes: number }> = [];
  for (const c of cases) {
    measure(c.run); // warm-up: builds plans, lets the JIT settle
    const rounds: number[] = [];
    for (let r = 0; r < ROUNDS; r++) rounds.push(measure(c.run));
    const bytes = c.name.startsWith('Metadata') ? metaFrame.length : produceFrame.length;
    results.push({ case: c.name, opsPerSec: Math.round(median(rounds)), rounds: rounds.map(Math.round), frameBytes: bytes });
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ bench: 'codec', node: process.version, rounds: ROUNDS, results }, null, 2)}\n`);
    return;
  }
  const rows = results.map((r) => [r.case, r.opsPerSec.toLocaleString('en-US'), String(r.frameBytes)]);
  const head = ['case (median of 5 rounds, 1 core)', 'ops/s', 'frame bytes'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  process.stdout.write(`${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`);
}

main();
