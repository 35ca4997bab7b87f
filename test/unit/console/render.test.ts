// How the console renders bytes and sizes, and the input checks of its API (browse queries, topic creation,
// --metrics-url, --command-config).
import { formatBytes, hexDump, renderBytes, toJson } from '../../../src/console/render';
import { parseBrowseQuery } from '../../../src/console/messages';
import { brokerViews, topicSummary, validateCreateTopic } from '../../../src/console/cluster';
import { normaliseMetricsUrl, parseMetricsUrlOption } from '../../../src/console/metrics';
import { consoleSecurity, parsePropertiesText } from '../../../src/console/commandConfig';

describe('renderBytes', () => {
  it('shows JSON text as text, pretty JSON and hex', () => {
    const r = renderBytes(Buffer.from('{"a":[1,2]}'));
    expect(r).toEqual({ size: 11, text: '{"a":[1,2]}', json: '{\n  "a": [\n    1,\n    2\n  ]\n}', hex: '0000  7b 22 61 22 3a 5b 31 2c 32 5d 7d', truncated: false });
  });

  it('has no text for invalid UTF-8 and no JSON for plain text', () => {
    const bin = renderBytes(Buffer.from([0xff, 0xfe, 0x00]));
    expect(bin.text).toBeNull();
    expect(bin.json).toBeNull();
    expect(bin.hex).toBe('0000  ff fe 00');
    expect(renderBytes(Buffer.from('hello')).json).toBeNull();
  });

  it('keeps null apart from empty, and truncates long values', () => {
    expect(renderBytes(null)).toEqual({ size: null, text: null, json: null, hex: null, truncated: false });
    expect(renderBytes(Buffer.alloc(0)).text).toBe('');
    const long = renderBytes(Buffer.from('x'.repeat(40)), 20);
    expect(long).toMatchObject({ size: 40, text: 'x'.repeat(20), truncated: true });
  });

  it('dumps 16 bytes a line with the offset in front', () => {
    expect(hexDump(Buffer.from('0123456789abcdefXY')).split('\n')).toEqual([
      '0000  30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66', '0010  58 59',
    ]);
  });
});

describe('formatting', () => {
  it.each([[0, '0 B'], [1023, '1023 B'], [1536, '1.5 KiB'], [50 * 1024 * 1024, '50 MiB'], [null, '–'], [-1, '–'], [5n * 1024n ** 3n, '5.0 GiB']])('formatBytes(%p) = %p', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });

  it('writes int64 offsets as strings in JSON', () => {
    expect(toJson({ offset: 9007199254740993n })).toBe('{"offset":"9007199254740993"}');
  });
});

describe('parseBrowseQuery', () => {
  const q = (s: string) => parseBrowseQuery(new URLSearchParams(s));
  it('reads an offset or a timestamp (ms or ISO)', () => {
    expect(q('topic=t&partition=2&offset=15&limit=10')).toEqual({ topic: 't', partition: 2, offset: 15n, limit: 10 });
    expect(q('topic=t&timestamp=1700000000000')).toEqual({ topic: 't', partition: 0, timestamp: 1700000000000n, limit: 50 });
    expect(q('topic=t&timestamp=2023-11-14T22:13:20.000Z')).toMatchObject({ timestamp: 1700000000000n });
  });
  it.each([['partition=0', /topic/], ['topic=t&offset=-1', /offset/], ['topic=t&offset=1&timestamp=2', /not both/], ['topic=t&timestamp=soon', /timestamp/], ['topic=t&limit=501', /limit/], ['topic=t&partition=x', /partition/]])('refuses %p', (s, msg) => {
    expect(q(s)).toMatch(msg);
  });
});

describe('brokers and topics from Metadata', () => {
  const meta = {
    clusterId: 'c', controllerId: 2,
    brokers: [{ nodeId: 1, host: 'h1', port: 9092, rack: 'r1' }, { nodeId: 2, host: 'h2', port: 9093, rack: null }],
    topics: [{ name: 't', topicId: null, isInternal: false, errorCode: 0, partitions: [
      { partition: 0, leader: 1, leaderEpoch: 0, replicas: [1, 2, 3], isr: [1, 2], offline: [], errorCode: 0 },
      { partition: 1, leader: 2, leaderEpoch: 0, replicas: [2, 1], isr: [2, 1], offline: [], errorCode: 0 },
      { partition: 2, leader: -1, leaderEpoch: 0, replicas: [3], isr: [3], offline: [3], errorCode: 5 },
    ] }],
  };

  it('counts leaders and replicas per broker, marks the controller, and lists a broker named only in replica sets as dead', () => {
    expect(brokerViews(meta)).toEqual([
      { id: 1, host: 'h1', port: 9092, rack: 'r1', controller: false, leaders: 1, replicas: 2, live: true },
      { id: 2, host: 'h2', port: 9093, rack: null, controller: true, leaders: 1, replicas: 2, live: true },
      { id: 3, host: null, port: null, rack: null, controller: false, leaders: 0, replicas: 2, live: false },
    ]);
  });

  it('summarises a topic: under-replicated and offline partitions, size from the partitions that reported one', () => {
    expect(topicSummary(meta.topics[0]!, new Map([['t:0', 100], ['t:1', 50]]))).toEqual({ name: 't', internal: false, partitions: 3, replicationFactor: 3, underReplicated: 1, offline: 1, size: 150 });
    expect(topicSummary(meta.topics[0]!, new Map()).size).toBeNull();
  });

  it('checks topic creation input', () => {
    expect(validateCreateTopic({ name: 'orders.v1_x-y', partitions: 3, replicationFactor: 1, configs: { 'retention.ms': '1' } })).toBeNull();
    expect(validateCreateTopic({ name: 'bad name', partitions: 3, replicationFactor: 1 })).toMatch(/name/);
    expect(validateCreateTopic({ name: '..', partitions: 3, replicationFactor: 1 })).toMatch(/name/);
    expect(validateCreateTopic({ name: 't', partitions: 0, replicationFactor: 1 })).toMatch(/partitions/);
    expect(validateCreateTopic({ name: 't', partitions: 1, replicationFactor: 1.5 })).toMatch(/replication/);
    expect(validateCreateTopic({ name: 't', partitions: 1, replicationFactor: 1, configs: { a: 1 as unknown as string } })).toMatch(/configs/);
  });
});

describe('--metrics-url and --command-config', () => {
  it('reads a metrics URL with or without a broker id, normalised to its base', () => {
    expect(parseMetricsUrlOption('http://127.0.0.1:9644/metrics')).toEqual({ brokerId: null, url: 'http://127.0.0.1:9644' });
    expect(parseMetricsUrlOption('2=http://h:9645/')).toEqual({ brokerId: 2, url: 'http://h:9645' });
    expect(() => parseMetricsUrlOption('h:9644')).toThrow(/expected/);
    expect(normaliseMetricsUrl('http://0.0.0.0:9644', '10.0.0.5')).toBe('http://10.0.0.5:9644');
  });

  it('accepts PLAINTEXT and complete SASL settings and names the setting at fault otherwise', () => {
    expect(consoleSecurity(parsePropertiesText('# none\n'))).toEqual({ securityProtocol: 'PLAINTEXT', saslMechanism: null, username: null });
    const sasl = parsePropertiesText('security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n  username="alice" password="s3cret";\n');
    expect(consoleSecurity(sasl)).toEqual({ securityProtocol: 'SASL_PLAINTEXT', saslMechanism: 'SCRAM-SHA-256', username: 'alice' });
    expect(() => consoleSecurity(new Map([['security.protocol', 'TLS']]))).toThrow(/security.protocol/);
    expect(() => consoleSecurity(new Map([['security.protocol', 'SASL_SSL']]))).toThrow(/sasl.mechanism=GSSAPI/);
    expect(() => consoleSecurity(new Map([['security.protocol', 'SASL_SSL'], ['sasl.mechanism', 'PLAIN']]))).toThrow(/sasl.jaas.config is missing/);
    expect(() => consoleSecurity(new Map([['security.protocol', 'SASL_SSL'], ['sasl.mechanism', 'PLAIN'], ['sasl.jaas.config', 'x required;']]))).toThrow(/username/);
  });
});
