// `brook api-versions`: every live broker's ApiVersions answer, printed as kafka-broker-api-versions.sh prints it
// (Kafka's BrokerApiVersionsCommand and NodeApiVersions.toString(true)), with what this tool could use of each.
import type { Command } from 'commander';
import { ApiVersions, apisByKey, allApis, type ApiVersionsResponse } from '../../protocol/messages';
import type { BrokerNode } from '../../client';
import { formatJson, out } from '../format';
import { addCommonOptions, withAdmin, type CommonOptions } from './common';

type Advertised = ReadonlyArray<ApiVersionsResponse['apiKeys'][number]>;

export interface ApiVersionsEntry {
  apiKey: number;
  /** The API's name, or null for a key this tool does not know. */
  name: string | null;
  /** The broker's range, or null when it does not offer a known API. */
  minVersion: number | null;
  maxVersion: number | null;
  /** The highest version both sides speak; null when the ranges do not meet or the API is unknown or unsupported. */
  usable: number | null;
  /** Kafka's bracket: 'usable: N', 'unusable: node too new', 'unusable: node too old', or null. */
  note: string | null;
}

/**
 * One entry per API key, in key order: each advertised key with its usable version (as Kafka's NodeApiVersions, the
 * minimum of this tool's newest and the broker's newest), and each API this tool knows but the broker left out.
 */
export function apiVersionsEntries(advertised: Advertised): ApiVersionsEntry[] {
  const byKey = new Map<number, ApiVersionsEntry>();
  for (const a of advertised) {
    const ours = apisByKey.get(a.apiKey);
    let usable: number | null = null;
    let note: string | null = null;
    if (ours) {
      const [ourMin, ourMax] = ours.validVersions;
      if (ourMax < a.minVersion) note = 'unusable: node too new';
      else if (a.maxVersion < ourMin) note = 'unusable: node too old';
      else {
        usable = Math.min(ourMax, a.maxVersion);
        note = `usable: ${usable}`;
      }
    }
    byKey.set(a.apiKey, { apiKey: a.apiKey, name: ours?.name ?? null, minVersion: a.minVersion, maxVersion: a.maxVersion, usable, note });
  }
  for (const api of allApis) {
    if (!byKey.has(api.apiKey)) byKey.set(api.apiKey, { apiKey: api.apiKey, name: api.name, minVersion: null, maxVersion: null, usable: null, note: null });
  }
  return [...byKey.values()].sort((x, y) => x.apiKey - y.apiKey);
}

/** One entry as Kafka prints it: `Produce(0): 0 to 9 [usable: 9]`, `DescribeCluster(60): 0 [usable: 0]`, `X(k): UNSUPPORTED`. */
export function formatEntry(e: ApiVersionsEntry): string {
  const head = `${e.name ?? 'UNKNOWN'}(${e.apiKey}): `;
  if (e.minVersion === null || e.maxVersion === null) return `${head}UNSUPPORTED`;
  const range = e.minVersion === e.maxVersion ? `${e.minVersion}` : `${e.minVersion} to ${e.maxVersion}`;
  return `${head}${range}${e.note === null ? '' : ` [${e.note}]`}`;
}

/** Kafka's `host:port (id: N rack: R) -> (` … `)` block for one broker. */
export function formatBroker(b: BrokerNode, entries: ApiVersionsEntry[]): string {
  return `${brokerLabel(b)} -> (\n\t${entries.map(formatEntry).join(',\n\t')}\n)`;
}

const brokerLabel = (b: BrokerNode): string => `${b.host}:${b.port} (id: ${b.nodeId} rack: ${b.rack ?? 'null'})`;

export function registerApiVersions(program: Command): void {
  const cmd = program
    .command('api-versions')
    .description('list the API versions each broker supports (like kafka-broker-api-versions.sh)');
  addCommonOptions(cmd).action(async (opts: CommonOptions) => {
    await withAdmin(opts, async (a) => {
      const brokers = (await a.refreshMetadata()).brokers.slice().sort((x, y) => x.nodeId - y.nodeId);
      const softwareVersion = program.version() ?? 'unknown';
      const answers = await a.broadcast(ApiVersions, () => ({ clientSoftwareName: 'brook-api-versions', clientSoftwareVersion: softwareVersion }));
      const byNode = new Map(answers.map((r) => [r.nodeId, r]));
      const results = brokers.map((b) => {
        const r = byNode.get(b.nodeId);
        const error = r?.error?.message ?? (r?.response && r.response.errorCode !== 0 ? `ApiVersions error code ${r.response.errorCode}` : r?.response ? null : 'no answer');
        return { broker: b, entries: r?.response && error === null ? apiVersionsEntries(r.response.apiKeys) : null, error };
      });
      if (opts.output === 'json') {
        out(formatJson(results.map((r) => ({ id: r.broker.nodeId, host: r.broker.host, port: r.broker.port, rack: r.broker.rack, apis: r.entries, error: r.error }))));
      } else {
        // As BrokerApiVersionsCommand: one block per broker; a broker that could not answer gets `-> ERROR: …`.
        out(results.map((r) => (r.entries ? formatBroker(r.broker, r.entries) : `${brokerLabel(r.broker)} -> ERROR: ${r.error}`)).join('\n'));
      }
      if (results.some((r) => r.error !== null)) process.exitCode = 1;
    });
  });
}
