// CLI argument parsing, usage errors (exit 2 path) and output formatting of the admin subcommands.
import { CommanderError } from 'commander';
import { buildProgram } from '../../../src/cli/main';
import { UsageError, parseBootstrap } from '../../../src/client';
import { formatJson, formatTable } from '../../../src/cli/format';
import { parseKeyValues, splitOutsideBrackets } from '../../../src/cli/commands/common';
import { parseOffsetJson } from '../../../src/cli/commands/delete-records';
import { lineParser, parseLine, producerProperties } from '../../../src/cli/commands/console-producer';
import { formatRecord, printOptions } from '../../../src/cli/commands/console-consumer';
import { formatSummary, summarize } from '../../../src/cli/commands/cluster';

async function parse(...args: string[]): Promise<unknown> {
  const p = buildProgram();
  // Silence commander's own error printing; the thrown error is what we assert.
  p.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  for (const c of p.commands) c.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  try {
    await p.parseAsync(['node', 'brook', ...args]);
    return null;
  } catch (e) {
    return e;
  }
}

describe('usage errors (exit code 2)', () => {
  test.each([
    [['topics'], /exactly one of --create, --list/],
    [['topics', '--list', '--describe'], /exactly one of/],
    [['topics', '--create', '--topic', 't'], /--create needs --partitions/],
    [['topics', '--create', '--topic', 't', '--partitions', '3'], /--replication-factor/],
    [['topics', '--delete'], /--delete needs --topic/],
    [['topics', '--create', '--topic', 't', '--partitions', 'x', '--replication-factor', '1'], /--partitions must be an integer/],
    [['topics', '--create', '--topic', 't', '--partitions', '0', '--replication-factor', '1'], /at least 1/],
    [['topics', '--create', '--topic', 't', '--partitions', '1', '--replication-factor', '1', '--config', 'novalue'], /must look like key=value/],
    [['configs', '--entity-type', 'topics', '--alter', '--entity-name', 't'], /--add-config/],
    [['configs', '--entity-type', 'brokers', '--entity-name', 'abc', '--describe'], /must be a broker id/],
    [['configs', '--entity-type', 'topics', '--entity-default', '--describe'], /--entity-default applies to --entity-type brokers/],
    [['configs', '--describe'], /--entity-type is required/],
    [['configs', '--entity-type', 'groups', '--describe'], /must be one of topics, brokers, users, clients/],
    [['configs', '--entity-type', 'users', '--alter', '--add-config', 'producer_byte_rate=10'], /--alter needs an --entity-name/],
    [['configs', '--entity-type', 'users', '--entity-name', 'a', '--alter', '--add-config', 'SCRAM-SHA-256=[iterations=100,password=x]', '--zookeeper', '127.0.0.1:1'], /less than the minimum 4096/],
    [['configs', '--entity-type', 'clients', '--entity-name', 'c', '--alter', '--add-config', 'SCRAM-SHA-256=[password=x]'], /can only be set for a named user/],
    [['configs', '--entity-type', 'topics', '--entity-name', 't', '--describe', '--zookeeper', '127.0.0.1:1'], /--zookeeper applies to --entity-type users and clients/],
    [['acls', '--list', '--add'], /exactly one action/],
    [['acls', '--add', '--topic', 't', '--operation', 'Read'], /--allow-principal, --deny-principal/],
    [['acls', '--add', '--allow-principal', 'alice', '--operation', 'Read', '--topic', 't'], /Could not parse principal/],
    [['acls', '--add', '--allow-principal', 'User:a', '--operation', 'Fly', '--topic', 't'], /unknown --operation "Fly"/],
    [['acls', '--add', '--allow-principal', 'User:a', '--operation', 'Read'], /at least one resource/],
    [['acls', '--add', '--allow-principal', 'User:a', '--operation', 'IdempotentWrite', '--topic', 't'], /ResourceType TOPIC only supports operations/],
    [['acls', '--add', '--allow-principal', 'User:a', '--operation', 'Read', '--topic', 't', '--resource-pattern-type', 'match'], /not valid when adding acls/],
    [['acls', '--add', '--allow-principal', 'User:a', '--producer'], /With --producer you must specify a --topic/],
    [['acls', '--add', '--allow-principal', 'User:a', '--consumer', '--topic', 't'], /With --consumer you must specify a --topic and a --group/],
    [['acls', '--add', '--allow-principal', 'User:a', '--idempotent', '--topic', 't'], /--idempotent option is only available if --producer/],
    [['acls', '--add', '--allow-principal', 'User:a', '--producer', '--operation', 'Read', '--topic', 't'], /take no --operation/],
    [['console-producer'], /needs --topic/],
    [['console-consumer', '--topic', 't', '--offset', '5'], /--offset needs --partition/],
    [['console-consumer', '--topic', 't', '--group', 'g', '--partition', '0'], /cannot be combined with --group/],
    [['consumer-groups', '--describe'], /--describe needs --group/],
    [['consumer-groups', '--reset-offsets', '--group', 'g', '--topic', 't'], /exactly one of --to-earliest/],
    [['consumer-groups', '--reset-offsets', '--group', 'g', '--topic', 't', '--to-offset', '-3'], /non-negative/],
    [['consumer-groups', '--reset-offsets', '--group', 'g', '--topic', 't', '--to-datetime', 'yesterday'], /ISO date-time/],
    [['leader-election', '--election-type', 'preferred'], /--all-topic-partitions/],
    [['delete-records'], /--offset-json-file/],
    [['cluster-up', '--first-broker-id', '2147483647', '--brokers', '2'], /--first-broker-id 2147483647 with --brokers 2 gives broker ids above 2147483647/],
  ])('%j', async (args, message) => {
    const e = await parse(...args);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toMatch(message);
  });

  test.each([
    [['topics', '--no-such-flag']],
    [['console-producer', '--topic', 't', '--compression', 'brotli']],
    [['topics', '--list', '--output', 'yaml']],
    [['acls', '--list', '--resource-pattern-type', 'exact']],
  ])('commander rejects %j', async (args) => {
    const e = await parse(...args);
    expect(e).toBeInstanceOf(CommanderError);
    expect((e as CommanderError).exitCode).not.toBe(0);
  });

  test.each(['-1', 'x', '1.5', '2147483648', ''])('cluster-up --first-broker-id %j is refused with the accepted range', async (v) => {
    const e = await parse('cluster-up', '--first-broker-id', v);
    expect(e).toBeInstanceOf(CommanderError);
    expect((e as CommanderError).exitCode).not.toBe(0);
    expect((e as Error).message).toContain(`option '--first-broker-id <id>' argument '${v}' is invalid. "${v}" is not a broker id (an integer from 0 to 2147483647)`);
  });

  test('--help ends with exit code 0', async () => {
    const e = await parse('topics', '--help');
    expect(e).toBeInstanceOf(CommanderError);
    expect((e as CommanderError).exitCode).toBe(0);
  });
});

describe('parsers', () => {
  test('bootstrap lists', () => {
    expect(parseBootstrap('127.0.0.1:9092, localhost:9093')).toEqual([{ host: '127.0.0.1', port: 9092 }, { host: 'localhost', port: 9093 }]);
    expect(parseBootstrap('[::1]:9092')).toEqual([{ host: '::1', port: 9092 }]);
    expect(() => parseBootstrap('localhost')).toThrow(/expected host:port/);
    expect(() => parseBootstrap('h:70000')).toThrow(/host:port/);
  });

  test('key=value lists keep bracketed list values whole', () => {
    expect(splitOutsideBrackets('a=1,b=[x,y],c=2')).toEqual(['a=1', 'b=[x,y]', 'c=2']);
    expect([...parseKeyValues(['retention.ms=5,cleanup.policy=[delete,compact]'], '--add-config')]).toEqual([
      ['retention.ms', '5'], ['cleanup.policy', 'delete,compact'],
    ]);
  });

  test("delete-records JSON in Kafka's format", () => {
    expect(parseOffsetJson('{"partitions":[{"topic":"t","partition":1,"offset":10},{"topic":"t","partition":0,"offset":-1}],"version":1}')).toEqual([
      { topic: 't', partition: 1, offset: 10n }, { topic: 't', partition: 0, offset: -1n },
    ]);
    expect(() => parseOffsetJson('{')).toThrow(/not valid JSON/);
    expect(() => parseOffsetJson('{"partitions":[]}')).toThrow(/must look like/);
    expect(() => parseOffsetJson('{"partitions":[{"topic":"t","partition":0,"offset":-5}]}')).toThrow(/>= 0 or -1/);
    expect(() => parseOffsetJson('{"partitions":[{"topic":"t","partition":0,"offset":1},{"topic":"t","partition":0,"offset":2}]}')).toThrow(/twice/);
  });

  test('console producer splits the key at the first separator', () => {
    const p = lineParser(new Map([['parse.key', 'true'], ['key.separator', ':']]));
    const r = parseLine('k1:v:with:colons', p);
    expect(r.key?.toString()).toBe('k1');
    expect(r.value?.toString()).toBe('v:with:colons');
    expect(() => parseLine('nokey', p)).toThrow(/no key separator/);
    expect(parseLine('plain', lineParser(new Map())).key).toBeNull();
    expect(() => lineParser(new Map([['parse.keys', 'true']]))).toThrow(/unknown --property "parse.keys"/);
  });

  test('console producer --producer-property: enable.idempotence (default false); anything else is a usage error', () => {
    expect(producerProperties(new Map())).toEqual({ idempotent: false });
    expect(producerProperties(new Map([['enable.idempotence', 'true']]))).toEqual({ idempotent: true });
    expect(() => producerProperties(new Map([['enable.idempotence', 'yes']]))).toThrow(UsageError);
    expect(() => producerProperties(new Map([['linger.ms', '5']]))).toThrow(/unknown --producer-property "linger.ms"/);
  });
});

describe('formatting', () => {
  test('console consumer lines follow Kafka\'s formatter', () => {
    const rec = { topic: 't', partition: 2, offset: 7n, timestamp: 1700000000000n, key: Buffer.from('k'), value: Buffer.from('v') };
    expect(formatRecord(rec, printOptions(new Map()))).toBe('v');
    expect(formatRecord(rec, printOptions(new Map([['print.key', 'true']])))).toBe('k\tv');
    expect(formatRecord(rec, printOptions(new Map([['print.key', 'true'], ['print.timestamp', 'true']])))).toBe('CreateTime:1700000000000\tk\tv');
    expect(formatRecord({ ...rec, key: null, value: null }, printOptions(new Map([['print.key', 'true']])))).toBe('null\tnull');
  });

  test('tables align columns; JSON writes bigints as strings', () => {
    expect(formatTable(['A', 'LONGER'], [['xxxx', 1], [null, 22n]])).toBe('A     LONGER\nxxxx  1\n-     22');
    expect(JSON.parse(formatJson({ o: 12345678901234567890n }))).toEqual({ o: '12345678901234567890' });
  });

  test('cluster summary counts under-replicated and offline partitions', () => {
    const s = summarize({
      clusterId: 'c', controllerId: 1,
      brokers: [{ nodeId: 1, host: 'h', port: 1, rack: null }, { nodeId: 2, host: 'h', port: 2, rack: null }],
      topics: [{ name: 't', topicId: null, isInternal: false, errorCode: 0, partitions: [
        { partition: 0, leader: 1, leaderEpoch: 0, replicas: [1, 2], isr: [1, 2], offline: [], errorCode: 0 },
        { partition: 1, leader: 2, leaderEpoch: 0, replicas: [2, 3], isr: [2], offline: [3], errorCode: 0 },
        { partition: 2, leader: -1, leaderEpoch: 0, replicas: [3], isr: [], offline: [3], errorCode: 5 },
      ] }],
    });
    expect(s.partitions).toBe(3);
    expect(s.underReplicated.map((p) => p.partition)).toEqual([1]);
    expect(s.offline.map((p) => p.partition)).toEqual([2]);
    expect(s.brokers.map((b) => [b.id, b.leaders, b.replicas])).toEqual([[1, 1, 1], [2, 1, 2]]);
    expect(formatSummary(s)).toMatch(/Under-replicated: 1 {2}Offline: 1/);
  });
});
