// `brook api-versions` output, in Kafka's NodeApiVersions layout: ranges, the usable version, unusable and
// unsupported entries, unknown keys, and the per-broker block.
import { apiVersionsEntries, formatBroker, formatEntry } from '../../../src/cli/commands/api-versions';
import { advertisedApis } from '../../../src/server/handlers/registry';
import { allApis, apisByKey } from '../../../src/protocol/messages';

const row = (apiKey: number, minVersion: number, maxVersion: number) => ({ apiKey, minVersion, maxVersion });

describe('api-versions entries', () => {
  test('a range prints "min to max", a single version alone; usable = min(ours, theirs)', () => {
    const [produce, cluster] = apiVersionsEntries([row(0, 0, 7), row(60, 0, 0)]).filter((e) => e.apiKey === 0 || e.apiKey === 60);
    expect(formatEntry(produce!)).toBe('Produce(0): 0 to 7 [usable: 7]');
    expect(formatEntry(cluster!)).toBe('DescribeCluster(60): 0 [usable: 0]');
    // A broker newer than this tool: the usable version is ours.
    const ourMax = apisByKey.get(1)!.validVersions[1];
    expect(formatEntry(apiVersionsEntries([row(1, 4, 99)]).find((e) => e.apiKey === 1)!)).toBe(`Fetch(1): 4 to 99 [usable: ${ourMax}]`);
  });

  test('ranges that do not meet are unusable, as Kafka says: node too new / too old', () => {
    const entries = apiVersionsEntries([row(18, 50, 60), row(19, -5, -1)]);
    expect(formatEntry(entries.find((e) => e.apiKey === 18)!)).toBe('ApiVersions(18): 50 to 60 [unusable: node too new]');
    expect(formatEntry(entries.find((e) => e.apiKey === 19)!)).toBe('CreateTopics(19): -5 to -1 [unusable: node too old]');
  });

  test('known APIs the broker leaves out are UNSUPPORTED; keys this tool does not know are UNKNOWN(key); all in key order', () => {
    const entries = apiVersionsEntries([row(999, 0, 2), row(3, 0, 9)]);
    expect(entries.map((e) => e.apiKey)).toEqual([...allApis.map((a) => a.apiKey), 999]);
    expect(formatEntry(entries.find((e) => e.apiKey === 0)!)).toBe('Produce(0): UNSUPPORTED');
    expect(formatEntry(entries.find((e) => e.apiKey === 999)!)).toBe('UNKNOWN(999): 0 to 2');
    expect(entries.find((e) => e.apiKey === 999)).toMatchObject({ name: null, usable: null, note: null });
  });

  test('a broker block: "host:port (id: N rack: R) -> (", one tab-indented entry per line, ")"', () => {
    const text = formatBroker({ nodeId: 2, host: '127.0.0.1', port: 9093, rack: null }, apiVersionsEntries(advertisedApis));
    const lines = text.split('\n');
    expect(lines[0]).toBe('127.0.0.1:9093 (id: 2 rack: null) -> (');
    const produce = advertisedApis[0]!;
    expect(lines[1]).toBe(`\tProduce(0): ${produce.minVersion} to ${produce.maxVersion} [usable: ${produce.maxVersion}],`);
    expect(lines.at(-1)).toBe(')');
    // The last entry is the highest declared API key, with no comma after it.
    expect(lines.at(-2)).toMatch(new RegExp(`^\\t\\w+\\(${allApis.at(-1)!.apiKey}\\): [^,]+$`));
    // Brook's own broker: every declared API it does not serve is listed UNSUPPORTED (SaslHandshake, the ACL and
    // transaction APIs, ...), and everything it serves is usable at its maximum.
    expect(text).toContain('\tSaslHandshake(17): 0 to 1 [usable: 1],');
    for (const a of advertisedApis) expect(text).toContain(`(${a.apiKey}): ${a.minVersion === a.maxVersion ? a.minVersion : `${a.minVersion} to ${a.maxVersion}`} [usable: ${a.maxVersion}]`);
    expect(formatBroker({ nodeId: 1, host: 'h', port: 1, rack: 'r1' }, []).split('\n')[0]).toBe('h:1 (id: 1 rack: r1) -> (');
  });
});
