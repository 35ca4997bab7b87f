// kcat 1.7.1 (librdkafka 2.0.2) with `-d protocol` against a 3-broker cluster: from librdkafka's own debug lines,
// the versions it negotiated for Metadata, Produce and Fetch are the highest it implements that Brook serves, every
// request it sent was answered at that version, and what it produced it reads back.
import { spawn } from 'node:child_process';
import { ErrorCode } from '../../src/protocol/errors';
import { ApiVersions, CreateTopics, Metadata } from '../../src/protocol/messages';
import { BrokerConnections, startCluster, waitFor, type TestCluster } from '../harness';

jest.setTimeout(120_000);

const TOPIC = 'kcat-protocol';
const PARTITIONS = 3;

/** The highest version librdkafka 2.0.2 implements, by API key (RDK v2.0.2 rdkafka_request.c / rdkafka_fetcher.c). */
const LIBRDKAFKA_2_0_2_MAX: Record<string, [apiKey: number, max: number]> = {
  Metadata: [3, 4],
  Produce: [0, 7],
  Fetch: [1, 11],
};

interface KcatRun { code: number | null; stdout: string; stderr: string }

function kcat(args: string[], input?: string): Promise<KcatRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** Versions of each request librdkafka logged as sent ("Sent FetchRequest (v11, ...") or received. */
function versionsIn(debug: string, direction: 'Sent' | 'Received'): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  const re = direction === 'Sent' ? /Sent (\w+)Request \(v(\d+)/g : /Received (\w+)Response \(v(\d+)/g;
  for (const m of debug.matchAll(re)) out.set(m[1]!, (out.get(m[1]!) ?? new Set()).add(Number(m[2])));
  return out;
}

describe('kcat -d protocol (librdkafka 2.0.2)', () => {
  let cluster: TestCluster;
  const brokers = new BrokerConnections(() => cluster, 'kcat-protocol');

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3 });
    const controller = await brokers.to(await cluster.waitForController());
    const created = await controller.request(CreateTopics, 5, {
      topics: [{ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3, assignments: [], configs: [] }], timeoutMs: 30_000, validateOnly: false,
    });
    expect(created.topics[0]!.errorCode).toBe(ErrorCode.NONE);
    await waitFor(async () => {
      const m = await (await brokers.to(1)).request(Metadata, 9, { topics: [{ name: TOPIC }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      const ps = m.topics[0]?.partitions ?? [];
      return ps.length === PARTITIONS && ps.every((p) => p.leaderId >= 0 && p.isrNodes.length === 3);
    }, { timeoutMs: 30_000, what: `every partition of ${TOPIC} to have a leader and 3 in-sync replicas` });
  });
  afterAll(async () => {
    brokers.closeAll();
    await cluster?.teardown();
  });

  /** The version librdkafka should pick for an API: its own highest, capped by what every broker advertises. */
  async function expectedVersion(api: string): Promise<number> {
    const [apiKey, clientMax] = LIBRDKAFKA_2_0_2_MAX[api]!;
    let best = clientMax;
    for (const id of cluster.brokers.keys()) {
      const r = await (await brokers.to(id)).request(ApiVersions, 3, { clientSoftwareName: 'brook-test', clientSoftwareVersion: '0' });
      const k = r.apiKeys.find((a) => a.apiKey === apiKey)!;
      expect(k.minVersion).toBeLessThanOrEqual(clientMax);
      best = Math.min(best, k.maxVersion);
    }
    return best;
  }

  test('produce and consume; Metadata, Produce and Fetch at the highest versions both sides speak', async () => {
    const records = Array.from({ length: 30 }, (_, i) => `key-${i}:value-${i}`);
    const produced = await kcat(['-d', 'protocol', '-b', cluster.bootstrap, '-P', '-t', TOPIC, '-K', ':', '-X', 'acks=all'], `${records.join('\n')}\n`);
    expect({ code: produced.code, errors: produced.stderr.split('\n').filter((l) => /%[0-3]\||ERROR/.test(l)) }).toEqual({ code: 0, errors: [] });

    const consumed = await kcat(['-d', 'protocol', '-b', cluster.bootstrap, '-C', '-t', TOPIC, '-o', 'beginning', '-e', '-f', '%p %o %k:%s\n']);
    expect({ code: consumed.code, errors: consumed.stderr.split('\n').filter((l) => /%[0-3]\||ERROR/.test(l)) }).toEqual({ code: 0, errors: [] });
    const lines = consumed.stdout.split('\n').filter((l) => l.length > 0);
    expect(lines.map((l) => l.split(' ')[2]).sort()).toEqual([...records].sort());
    // Per partition, offsets 0.. in order: nothing skipped, nothing read twice.
    for (let p = 0; p < PARTITIONS; p++) {
      const offsets = lines.filter((l) => l.startsWith(`${p} `)).map((l) => Number(l.split(' ')[1]));
      expect(offsets).toEqual(offsets.map((_o, i) => i));
    }

    const debug = `${produced.stderr}\n${consumed.stderr}`;
    const sent = versionsIn(debug, 'Sent');
    const received = versionsIn(debug, 'Received');

    const expected = { Metadata: await expectedVersion('Metadata'), Produce: await expectedVersion('Produce'), Fetch: await expectedVersion('Fetch') };
    expect(expected).toEqual({ Metadata: 4, Produce: 7, Fetch: 11 });
    for (const [api, v] of Object.entries(expected)) {
      expect({ api, sent: [...(sent.get(api) ?? [])] }).toEqual({ api, sent: [v] });
      expect({ api, received: [...(received.get(api) ?? [])] }).toEqual({ api, received: [v] });
    }
    // ApiVersions v3 (flexible, KIP-511) was accepted by every broker: librdkafka never fell back to v0.
    expect([...(sent.get('ApiVersion') ?? [])]).toEqual([3]);
  });
});
