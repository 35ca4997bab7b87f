// Broker-side config APIs (DescribeConfigs, AlterConfigs, IncrementalAlterConfigs), topic config validation
// and the DynamicConfigManager, against an in-memory ZooKeeper layer.
import { canonicalTopicConfigValue, checkTopicConfigs, topicConfigDefs, validateTopicConfig } from '../../../../src/config/topicConfigs';
import { ErrorCode } from '../../../../src/protocol/errors';
import { describeConfigsHandler } from '../../../../src/server/handlers/32-describe-configs';
import { ConfigSource, type ConfigStore } from '../../../../src/server/ConfigRepository';
import type { BrokerServices } from '../../../../src/server/BrokerServices';
import { alterConfigsHandler } from '../../../../src/server/handlers/33-alter-configs';
import { incrementalAlterConfigsHandler } from '../../../../src/server/handlers/44-incremental-alter-configs';
import { describeLogDirsHandler } from '../../../../src/server/handlers/35-describe-log-dirs';
import { DynamicConfigManager } from '../../../../src/server/DynamicConfigManager';
import type { HandlerResult, RequestContext } from '../../../../src/server/handlers/types';
import type { ApiDef, ResponseOf } from '../../../../src/protocol/schema';

/** A handler's answer as a response body (these APIs always answer). */
async function answer<A extends ApiDef>(r: Promise<HandlerResult<A>> | HandlerResult<A>): Promise<ResponseOf<A>> {
  const v = await r;
  if ('noResponse' in v) throw new Error('handler sent no response');
  return v as ResponseOf<A>;
}
import type { KafkaZkApi } from '../../../../src/zk/api';
import { requestContext } from '../helpers';

class FakeZk {
  topics = new Map<string, Record<string, string>>([['orders', {}]]);
  brokers = new Map<string, Record<string, string>>();
  notifications: Array<[string, string]> = [];
  listeners: Array<() => void> = [];
  async getTopicAssignment(t: string) { return this.topics.has(t) ? { partitions: new Map(), addingReplicas: new Map(), removingReplicas: new Map() } : null; }
  async getTopicConfig(t: string) { return { ...(this.topics.get(t) ?? {}) }; }
  async setTopicConfig(t: string, c: Record<string, string>) { this.topics.set(t, { ...c }); this.notify('topics', t); }
  async getBrokerConfig(b: number | '<default>') { return { ...(this.brokers.get(String(b)) ?? {}) }; }
  async setBrokerConfig(b: number | '<default>', c: Record<string, string>) { this.brokers.set(String(b), { ...c }); this.notify('brokers', String(b)); }
  // /config/changes as the notification's index in `notifications`.
  async getConfigChangeNotifications() { return this.notifications.map((_n, i) => `config_change_${String(i).padStart(10, '0')}`); }
  async getConfigChangeNotification(id: string) {
    const n = this.notifications[Number(id.slice('config_change_'.length))];
    return n ? { change: { entityType: n[0] as 'topics' | 'brokers', name: n[1] }, ctime: Date.now() } : null;
  }
  async deleteConfigChangeNotification() {}
  onConfigChangeNotifications(cb: () => void) { this.listeners.push(cb); return () => { this.listeners = this.listeners.filter((l) => l !== cb); }; }
  private notify(t: 'topics' | 'brokers', n: string) { this.notifications.push([t, n]); for (const l of this.listeners) l(); }
}

function context(zk: FakeZk, services: Partial<BrokerServices> = {}): RequestContext {
  return requestContext({ properties: { 'log.retention.hours': '24' }, configStore: zk as unknown as ConfigStore, services });
}

const describeTopic = async (ctx: RequestContext, keys: string[] | null = null) =>
  answer(describeConfigsHandler.handle({ resources: [{ resourceType: 2, resourceName: 'orders', configurationKeys: keys }], includeSynonyms: true, includeDocumentation: false }, ctx));

describe('topic config validation', () => {
  // Kafka's own messages: ConfigDef.parseType, Range, ValidString, ValidList, ApiVersionValidator.
  test.each([
    ['retention.ms', '1000', null],
    ['retention.ms', '-1', null],
    ['retention.ms', '-2', 'Invalid value -2 for configuration retention.ms: Value must be at least -1'],
    ['retention.ms', 'abc', 'Invalid value abc for configuration retention.ms: Not a number of type LONG'],
    ['retention.bytes', '-5', null],
    ['segment.bytes', '10', 'Invalid value 10 for configuration segment.bytes: Value must be at least 14'],
    ['segment.bytes', '99999999999', 'Invalid value 99999999999 for configuration segment.bytes: Not a number of type INT'],
    ['segment.bytes', ' +2000 ', null],
    ['cleanup.policy', 'compact,delete', null],
    ['cleanup.policy', 'compact, delete', null],
    ['cleanup.policy', 'shred', 'Invalid value shred for configuration cleanup.policy: String must be one of: compact, delete'],
    ['min.insync.replicas', '0', 'Invalid value 0 for configuration min.insync.replicas: Value must be at least 1'],
    ['message.timestamp.type', 'LogAppendTime', null],
    ['compression.type', 'brotli', 'Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer'],
    ['unclean.leader.election.enable', 'maybe', 'Invalid value maybe for configuration unclean.leader.election.enable: Expected value to be either true or false'],
    ['unclean.leader.election.enable', 'TRUE', null],
    ['min.cleanable.dirty.ratio', '1.5', 'Invalid value 1.5 for configuration min.cleanable.dirty.ratio: Value must be no more than 1'],
    ['min.cleanable.dirty.ratio', 'half', 'Invalid value half for configuration min.cleanable.dirty.ratio: Not a number of type DOUBLE'],
    ['leader.replication.throttled.replicas', '0:1,1:2', null],
    ['leader.replication.throttled.replicas', '*', null],
    ['leader.replication.throttled.replicas', '0-1', "Invalid value [0-1] for configuration leader.replication.throttled.replicas: leader.replication.throttled.replicas must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],..."],
    ['message.format.version', '2.8-IV1', null],
    ['message.format.version', '0.11.0', null],
    ['message.format.version', '2.3.1', null],
    ['message.format.version', '3.0', 'Invalid value 3.0 for configuration message.format.version: Version `3.0` is not a valid version'],
    ['message.format.version', '0.10.2-IV0', /^Invalid value 0.10.2-IV0 for configuration message.format.version: Brook stores only record batch v2/],
    ['message.format.version', '0.8.2', /record batch v2/],
    ['no.such.config', '1', 'Unknown topic config name: no.such.config'],
  ])('%s=%s', (name, value, expected) => {
    const r = validateTopicConfig(name, value);
    if (expected === null) expect(r).toBeNull();
    else if (typeof expected === 'string') expect(r).toBe(expected);
    else expect(r).toMatch(expected);
  });

  test('a set is checked for unknown names first, then values, then min.compaction.lag.ms against max.compaction.lag.ms', () => {
    expect(checkTopicConfigs({ 'retention.ms': 'x', 'nope.x': '1' })).toEqual({ kind: 'invalid-config', message: 'Unknown topic config name: nope.x' });
    expect(checkTopicConfigs({ 'retention.ms': 'x' })).toMatchObject({ kind: 'bad-value' });
    expect(checkTopicConfigs({ 'min.compaction.lag.ms': '10', 'max.compaction.lag.ms': '5' }))
      .toEqual({ kind: 'invalid-config', message: 'conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)' });
    expect(checkTopicConfigs({ 'message.format.version': '0.10.0' })).toMatchObject({ kind: 'invalid-config' });
    expect(checkTopicConfigs({ 'min.compaction.lag.ms': '10' })).toBeNull();
  });

  test('values are shown the way Kafka prints them once parsed', () => {
    expect(canonicalTopicConfigValue('cleanup.policy', ' compact , delete ')).toBe('compact,delete');
    expect(canonicalTopicConfigValue('retention.ms', '+1000')).toBe('1000');
    expect(canonicalTopicConfigValue('preallocate', 'TRUE')).toBe('true');
    expect(canonicalTopicConfigValue('min.cleanable.dirty.ratio', '1')).toBe('1.0');
    expect(canonicalTopicConfigValue('min.cleanable.dirty.ratio', '0.25')).toBe('0.25');
  });
});

describe('DescribeConfigs', () => {
  const view = (c: { name: string; value: string | null; source: number }) => [c.name, c.value, c.source];

  test('v3+: every entry carries its type (Kafka\'s ConfigType code); the documentation only when asked for', async () => {
    const zk = new FakeZk();
    zk.brokers.set('1', { 'my.custom': 'x' });
    const ctx = context(zk);
    const ask = (resourceType: number, resourceName: string, configurationKeys: string[], includeDocumentation: boolean) =>
      answer(describeConfigsHandler.handle({ resources: [{ resourceType, resourceName, configurationKeys }], includeSynonyms: false, includeDocumentation }, ctx));
    const topicKeys = ['cleanup.policy', 'min.cleanable.dirty.ratio', 'retention.ms', 'segment.bytes', 'unclean.leader.election.enable'];
    let res = await ask(2, 'orders', topicKeys, true);
    expect(res.results[0]!.configs.map((c) => [c.name, c.configType, c.documentation])).toEqual(
      topicKeys.map((k) => [k, { list: 7, double: 6, long: 5, int: 3, boolean: 1 }[topicConfigDefs[k]!.type as string], topicConfigDefs[k]!.doc]));
    expect(res.results[0]!.configs.map((c) => c.configType)).toEqual([7, 6, 5, 3, 1]);
    res = await ask(2, 'orders', ['retention.ms'], false);
    expect(res.results[0]!.configs[0]).toMatchObject({ configType: 5, documentation: null });
    // Broker entries: a known property has its schema's type and doc, a name Brook does not know is UNKNOWN with none.
    res = await ask(4, '1', ['log.retention.hours', 'my.custom'], true);
    expect(res.results[0]!.configs).toMatchObject([
      { name: 'log.retention.hours', configType: 3, documentation: expect.stringMatching(/./) },
      { name: 'my.custom', configType: 0, documentation: null },
    ]);
  });

  test('sources and synonyms follow topic > dynamic broker > default broker > static > default, as Kafka lists them', async () => {
    const zk = new FakeZk();
    const ctx = context(zk);
    let res = await describeTopic(ctx, ['retention.ms', 'segment.bytes']);
    let cfg = Object.fromEntries(res.results[0]!.configs.map((c) => [c.name, c]));
    // log.retention.hours=24 is in server.properties: it sets the value, but Kafka lists the synonyms of retention.ms
    // from its broker name log.retention.ms on, and that is set nowhere and has no default: no synonyms, DEFAULT_CONFIG.
    expect(cfg['retention.ms']).toMatchObject({ value: '86400000', configSource: ConfigSource.DEFAULT_CONFIG, synonyms: [] });
    expect(cfg['segment.bytes']).toMatchObject({ value: '1073741824', configSource: ConfigSource.DEFAULT_CONFIG });
    expect(cfg['segment.bytes']!.synonyms.map(view)).toEqual([['log.segment.bytes', '1073741824', ConfigSource.DEFAULT_CONFIG]]);

    zk.brokers.set('<default>', { 'log.retention.ms': '5000' });
    zk.brokers.set('1', { 'log.retention.ms': '6000' });
    res = await describeTopic(ctx, ['retention.ms']);
    expect(res.results[0]!.configs[0]).toMatchObject({ value: '6000', configSource: ConfigSource.DYNAMIC_BROKER_CONFIG });

    zk.topics.set('orders', { 'retention.ms': '7000' });
    res = await describeTopic(ctx, ['retention.ms']);
    cfg = Object.fromEntries(res.results[0]!.configs.map((c) => [c.name, c]));
    expect(cfg['retention.ms']!.value).toBe('7000');
    expect(cfg['retention.ms']!.configSource).toBe(ConfigSource.DYNAMIC_TOPIC_CONFIG);
    expect(cfg['retention.ms']!.synonyms.map(view)).toEqual([
      ['retention.ms', '7000', ConfigSource.DYNAMIC_TOPIC_CONFIG],
      ['log.retention.ms', '6000', ConfigSource.DYNAMIC_BROKER_CONFIG],
      ['log.retention.ms', '5000', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
      ['log.retention.hours', '24', ConfigSource.STATIC_BROKER_CONFIG],
      ['log.retention.hours', '168', ConfigSource.DEFAULT_CONFIG],
    ]);
  });

  test('DEFAULT_CONFIG synonyms come only from broker properties with a default of their own', async () => {
    const zk = new FakeZk();
    const ctx = context(zk);
    const res = await describeTopic(ctx, ['segment.ms', 'segment.jitter.ms', 'flush.ms', 'leader.replication.throttled.replicas', 'compression.type', 'max.message.bytes']);
    const cfg = Object.fromEntries(res.results[0]!.configs.map((c) => [c.name, c]));
    // log.roll.ms, log.roll.jitter.ms and log.flush.interval.ms default to null (log.roll.hours=168, log.roll.jitter.hours=0,
    // the flush scheduler interval): none is listed. The throttled replica lists have no broker property at all.
    expect(cfg['segment.ms']).toMatchObject({ value: '604800000', configSource: ConfigSource.DEFAULT_CONFIG, synonyms: [] });
    expect(cfg['segment.jitter.ms']).toMatchObject({ value: '0', configSource: ConfigSource.DEFAULT_CONFIG, synonyms: [] });
    expect(cfg['flush.ms']).toMatchObject({ value: '9223372036854775807', configSource: ConfigSource.DEFAULT_CONFIG, synonyms: [] });
    expect(cfg['leader.replication.throttled.replicas']).toMatchObject({ value: '', configSource: ConfigSource.DEFAULT_CONFIG, synonyms: [] });
    expect(cfg['compression.type']!.synonyms.map(view)).toEqual([['compression.type', 'producer', ConfigSource.DEFAULT_CONFIG]]);
    expect(cfg['max.message.bytes']!.synonyms.map(view)).toEqual([['message.max.bytes', '1048588', ConfigSource.DEFAULT_CONFIG]]);
    // An empty key list asks for every config, as a null one does.
    expect((await describeTopic(ctx, [])).results[0]!.configs).toHaveLength(Object.keys(topicConfigDefs).length);

    zk.brokers.set('1', { 'log.roll.ms': '60000' });
    const rolled = await describeTopic(ctx, ['segment.ms']);
    expect(rolled.results[0]!.configs[0]).toMatchObject({ value: '60000', configSource: ConfigSource.DYNAMIC_BROKER_CONFIG });
    expect(rolled.results[0]!.configs[0]!.synonyms.map(view)).toEqual([
      ['log.roll.ms', '60000', ConfigSource.DYNAMIC_BROKER_CONFIG],
      ['log.roll.hours', '168', ConfigSource.DEFAULT_CONFIG],
    ]);
  });

  test('broker properties list their unit synonyms from their own name on (Kafka\'s DynamicBrokerReconfigurationTest)', async () => {
    const zk = new FakeZk();
    const ctx = context(zk);
    const describeBroker = async () => {
      const r = await answer(describeConfigsHandler.handle({ resources: [{ resourceType: 4, resourceName: '1', configurationKeys: ['log.retention.ms', 'log.retention.hours'] }], includeSynonyms: true, includeDocumentation: false }, ctx));
      return Object.fromEntries(r.results[0]!.configs.map((c) => [c.name, c]));
    };
    let cfg = await describeBroker();
    expect(cfg['log.retention.ms']).toMatchObject({ value: null, configSource: ConfigSource.DEFAULT_CONFIG, synonyms: [], readOnly: false });
    expect(cfg['log.retention.hours']).toMatchObject({ value: '24', configSource: ConfigSource.STATIC_BROKER_CONFIG, readOnly: true });
    expect(cfg['log.retention.hours']!.synonyms.map(view)).toEqual([
      ['log.retention.hours', '24', ConfigSource.STATIC_BROKER_CONFIG],
      ['log.retention.hours', '168', ConfigSource.DEFAULT_CONFIG],
    ]);
    zk.brokers.set('1', { 'log.retention.ms': '6000' });
    cfg = await describeBroker();
    expect(cfg['log.retention.ms']!.synonyms.map(view)).toEqual([
      ['log.retention.ms', '6000', ConfigSource.DYNAMIC_BROKER_CONFIG],
      ['log.retention.hours', '24', ConfigSource.STATIC_BROKER_CONFIG],
      ['log.retention.hours', '168', ConfigSource.DEFAULT_CONFIG],
    ]);
  });

  test('unknown topic, other broker id and bad resource type are per-resource errors', async () => {
    const ctx = context(new FakeZk());
    const res = await answer(describeConfigsHandler.handle({ resources: [
      { resourceType: 2, resourceName: 'nope', configurationKeys: null },
      { resourceType: 4, resourceName: '2', configurationKeys: null },
      { resourceType: 9, resourceName: 'x', configurationKeys: null },
    ], includeSynonyms: false, includeDocumentation: false }, ctx));
    expect(res.results.map((r) => r.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
    expect(res.results[1]!.errorMessage).toMatch(/expected 1 but received 2/);
  });

  test('broker configs: static ones read-only, dynamic ones writable', async () => {
    const ctx = context(new FakeZk());
    const res = await answer(describeConfigsHandler.handle({ resources: [{ resourceType: 4, resourceName: '1', configurationKeys: ['broker.id', 'log.retention.hours', 'min.insync.replicas'] }], includeSynonyms: false, includeDocumentation: false }, ctx));
    const cfg = Object.fromEntries(res.results[0]!.configs.map((c) => [c.name, c]));
    expect(cfg['broker.id']).toMatchObject({ value: '1', readOnly: true, configSource: ConfigSource.STATIC_BROKER_CONFIG });
    expect(cfg['log.retention.hours']).toMatchObject({ value: '24', configSource: ConfigSource.STATIC_BROKER_CONFIG });
    expect(cfg['min.insync.replicas']).toMatchObject({ value: '1', readOnly: false, configSource: ConfigSource.DEFAULT_CONFIG });
  });
});

describe('AlterConfigs and IncrementalAlterConfigs', () => {
  test('incremental SET, DELETE, APPEND write ZooKeeper (with a change notification)', async () => {
    const zk = new FakeZk();
    zk.topics.set('orders', { 'retention.ms': '1', 'segment.bytes': '1000' });
    const ctx = context(zk);
    const res = await answer(incrementalAlterConfigsHandler.handle({ resources: [{ resourceType: 2, resourceName: 'orders', configs: [
      { name: 'retention.ms', configOperation: 0, value: '5000' },
      { name: 'segment.bytes', configOperation: 1, value: null },
      { name: 'cleanup.policy', configOperation: 2, value: 'compact' },
    ] }], validateOnly: false }, ctx));
    expect(res.responses[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(zk.topics.get('orders')).toEqual({ 'retention.ms': '5000', 'cleanup.policy': 'compact' });
    expect(zk.notifications).toEqual([['topics', 'orders']]);
  });

  test('unknown keys are INVALID_CONFIG, values that do not parse INVALID_REQUEST naming the resource (as Kafka); nothing written', async () => {
    const zk = new FakeZk();
    const ctx = context(zk);
    const cases = [
      ['retention.ms', 'soon', ErrorCode.INVALID_REQUEST, "Invalid config value for resource ConfigResource(type=TOPIC, name='orders'): Invalid value soon for configuration retention.ms: Not a number of type LONG"],
      ['x.y', '1', ErrorCode.INVALID_CONFIG, 'Unknown topic config name: x.y'],
      ['message.format.version', '0.10.2', ErrorCode.INVALID_CONFIG, /record batch v2/],
    ] as const;
    for (const [name, value, code, msg] of cases) {
      const res = await answer(incrementalAlterConfigsHandler.handle({ resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name, configOperation: 0, value }] }], validateOnly: false }, ctx));
      expect(res.responses[0]!.errorCode).toBe(code);
      if (typeof msg === 'string') expect(res.responses[0]!.errorMessage).toBe(msg);
      else expect(res.responses[0]!.errorMessage).toMatch(msg);
    }
    expect(zk.notifications).toEqual([]);
  });

  test('validateOnly checks without writing; APPEND on a non-list is INVALID_REQUEST', async () => {
    const zk = new FakeZk();
    const ctx = context(zk);
    let res = await answer(incrementalAlterConfigsHandler.handle({ resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.ms', configOperation: 0, value: '10' }] }], validateOnly: true }, ctx));
    expect(res.responses[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(zk.notifications).toEqual([]);
    res = await answer(incrementalAlterConfigsHandler.handle({ resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.ms', configOperation: 2, value: '10' }] }], validateOnly: false }, ctx));
    expect(res.responses[0]!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  test('AlterConfigs replaces the whole set; a name given twice takes its last value; nulls are INVALID_REQUEST', async () => {
    const zk = new FakeZk();
    zk.topics.set('orders', { 'retention.ms': '1' });
    const ctx = context(zk);
    let res = await answer(alterConfigsHandler.handle({ resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'segment.bytes', value: '2000' }] }], validateOnly: false }, ctx));
    expect(res.responses[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(zk.topics.get('orders')).toEqual({ 'segment.bytes': '2000' });
    res = await answer(alterConfigsHandler.handle({ resources: [{ resourceType: 2, resourceName: 'orders', configs: [
      { name: 'retention.ms', value: '1000' }, { name: 'retention.ms', value: '2000' },
    ] }], validateOnly: false }, ctx));
    expect(res.responses[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(zk.topics.get('orders')).toEqual({ 'retention.ms': '2000' });
    res = await answer(alterConfigsHandler.handle({ resources: [{ resourceType: 2, resourceName: 'orders', configs: [
      { name: 'retention.ms', value: null }, { name: 'segment.ms', value: null },
    ] }], validateOnly: false }, ctx));
    expect(res.responses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Null value not supported for : retention.ms,segment.ms' });
  });

  test('broker configs: unknown names are stored; known static ones are INVALID_REQUEST, as Kafka\'s DynamicBrokerConfig', async () => {
    const zk = new FakeZk();
    const ctx = context(zk);
    let res = await answer(alterConfigsHandler.handle({ resources: [
      { resourceType: 4, resourceName: '', configs: [{ name: 'log.retention.ms', value: '1000' }] },
      { resourceType: 4, resourceName: '1', configs: [{ name: 'broker.id', value: '5' }, { name: 'log.retention.hours', value: '1' }] },
      { resourceType: 4, resourceName: '1', configs: [{ name: 'log.retention.ms', value: 'soon' }] },
      { resourceType: 4, resourceName: '1', configs: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'min.insync.replicas', value: '2' }] },
    ], validateOnly: false }, ctx));
    expect(res.responses.map((r) => [r.errorCode, r.errorMessage])).toEqual([
      [ErrorCode.NONE, null],
      [ErrorCode.INVALID_REQUEST, "Invalid config value for resource ConfigResource(type=BROKER, name='1'): Cannot update these configs dynamically: Set(broker.id, log.retention.hours)"],
      [ErrorCode.INVALID_REQUEST, "Invalid config value for resource ConfigResource(type=BROKER, name='1'): Invalid value soon for configuration log.retention.ms: Not a number of type LONG"],
      [ErrorCode.NONE, null],
    ]);
    expect(zk.brokers.get('<default>')).toEqual({ 'log.retention.ms': '1000' });
    expect(zk.brokers.get('1')).toEqual({ 'cleanup.policy': 'compact', 'min.insync.replicas': '2' });
    // Stored custom names are listed, read-only, as Kafka lists every property of the broker's config.
    const d = await answer(describeConfigsHandler.handle({ resources: [{ resourceType: 4, resourceName: '1', configurationKeys: ['cleanup.policy'] }], includeSynonyms: false, includeDocumentation: false }, ctx));
    expect(d.results[0]!.configs).toMatchObject([{ name: 'cleanup.policy', value: 'compact', configSource: ConfigSource.DYNAMIC_BROKER_CONFIG, readOnly: true }]);
    res = await answer(incrementalAlterConfigsHandler.handle({ resources: [{ resourceType: 4, resourceName: '', configs: [{ name: 'my.custom', configOperation: 0, value: 'x' }] }], validateOnly: false }, ctx));
    expect(res.responses[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(zk.brokers.get('<default>')).toEqual({ 'log.retention.ms': '1000', 'my.custom': 'x' });
  });
});

describe('DescribeLogDirs', () => {
  test('filters the hook\'s answer by the requested partitions (null: all of them)', async () => {
    const hook = () => [{ dir: '/d', error: 0, topics: [{ name: 'orders', partitions: [{ index: 0, size: 10n, offsetLag: 0n, isFuture: false }, { index: 1, size: 20n, offsetLag: 0n, isFuture: false }] }], totalBytes: 1000n, usableBytes: 400n }];
    const ctx = context(new FakeZk(), { describeLogDirs: hook });
    const res = await answer(describeLogDirsHandler.handle({ topics: [{ topic: 'orders', partitionIndex: [1] }] }, ctx));
    expect(res.results[0]!.topics[0]!.partitions).toEqual([{ partitionIndex: 1, partitionSize: 20n, offsetLag: 0n, isFutureKey: false }]);
    const all = await answer(describeLogDirsHandler.handle({ topics: null }, ctx));
    expect(all.results[0]!.topics[0]!.partitions.map((p) => p.partitionIndex)).toEqual([0, 1]);
    // v3's top-level error code and v4's volume sizes (KIP-827) come with every answer.
    expect(all).toMatchObject({ errorCode: ErrorCode.NONE, results: [{ logDir: '/d', errorCode: 0, totalBytes: 1000n, usableBytes: 400n }] });
  });
});

describe('DynamicConfigManager', () => {
  test('delivers the new config of changed topics and of this broker only', async () => {
    const zk = new FakeZk();
    const m = new DynamicConfigManager(zk as unknown as KafkaZkApi, 1);
    const seen: Array<[string, string, Record<string, string>]> = [];
    m.addListener((t, n, c) => { seen.push([t, n, c]); });
    m.startup();
    await zk.setTopicConfig('orders', { 'retention.ms': '10' });
    await zk.setBrokerConfig(2, { 'log.retention.ms': '1' });
    await zk.setBrokerConfig('<default>', { 'min.insync.replicas': '2' });
    await m.idle();
    expect(seen).toEqual([
      ['topics', 'orders', { 'retention.ms': '10' }],
      ['brokers', '<default>', { 'min.insync.replicas': '2' }],
    ]);
    m.shutdown();
    expect(zk.listeners).toHaveLength(0);
  });
});
