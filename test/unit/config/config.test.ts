import { parseProperties } from '../../../src/config/properties';
import { buildConfig, ConfigError, KafkaConfig, parseListeners, parseOverrides } from '../../../src/config/KafkaConfig';

const base = (extra: Record<string, string> = {}): Map<string, string> =>
  new Map(Object.entries({ 'broker.id': '1', 'zookeeper.connect': '127.0.0.1:2181', listeners: 'PLAINTEXT://127.0.0.1:9092', ...extra }));

function problemsOf(props: Map<string, string>): string[] {
  try {
    buildConfig(props);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('properties parser', () => {
  it('reads key=value, key: value and key value lines, comments and continuations', () => {
    const p = parseProperties(['# comment', '! also comment', 'a=1', 'b : two words', 'c 3', 'd=x\\', '  y', 'e=tab\\tand\\u0041', '', '  f = spaced  '].join('\n'));
    expect(Object.fromEntries(p)).toEqual({ a: '1', b: 'two words', c: '3', d: 'xy', e: 'tab\tandA', f: 'spaced  ' });
  });
  it('lets later keys win, as Java does', () => {
    expect(parseProperties('a=1\na=2').get('a')).toBe('2');
  });
});

describe('broker config', () => {
  it('applies Kafka defaults and derives values', () => {
    const c = new KafkaConfig(buildConfig(base({ 'log.dirs': '/tmp/a,/tmp/b', 'log.retention.minutes': '5' })));
    expect(c.brokerId).toBe(1);
    expect(c.values['num.partitions']).toBe(1);
    expect(c.values['min.insync.replicas']).toBe(1);
    expect(c.values['unclean.leader.election.enable']).toBe(false);
    expect(c.values['replica.lag.time.max.ms']).toBe(30000n);
    expect(c.logDirs).toEqual(['/tmp/a', '/tmp/b']);
    expect(c.logRetentionMs).toBe(300000n);
    expect(c.zkConnectionTimeoutMs).toBe(18000);
    expect(c.advertisedListeners[0]).toEqual({ name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 9092 });
  });

  it('reports every violation at once', () => {
    const problems = problemsOf(new Map(Object.entries({ 'num.partitions': '0', 'min.insync.replicas': 'abc', 'unclean.leader.election.enable': 'maybe' })));
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringContaining('broker.id is required'),
      expect.stringContaining('zookeeper.connect is required'),
      'num.partitions must be at least 1, got 0',
      'min.insync.replicas must be an integer, got "abc"',
      'unclean.leader.election.enable must be true or false, got "maybe"',
    ]));
    expect(problems.length).toBe(5);
  });

  it.each([
    [{ 'broker.id': '-3' }, 'broker.id must be at least 0, got -3'],
    [{ 'broker.id': '99999999999' }, 'broker.id is out of the int32 range, got 99999999999'],
    [{ listeners: 'localhost:9092' }, 'listeners entry "localhost:9092" must look like NAME://host:port, e.g. PLAINTEXT://127.0.0.1:9092'],
    [{ listeners: 'PLAINTEXT://127.0.0.1:70000' }, 'listeners entry "PLAINTEXT://127.0.0.1:70000" has port 70000 outside 0-65535'],
    [{ listeners: 'EXTERNAL://127.0.0.1:9093', 'listener.security.protocol.map': 'EXTERNAL:TLS' }, 'listener EXTERNAL maps to unknown security protocol TLS (known: PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL)'],
    [{ 'zookeeper.connect': 'nohostport' }, 'zookeeper.connect must look like host:port[,host:port...][/chroot], got "nohostport"'],
    [{ 'advertised.listeners': 'PLAINTEXT://0.0.0.0:9092' }, 'advertised.listeners must name a reachable host, got "0.0.0.0" for PLAINTEXT'],
    [{ 'log.message.timestamp.type': 'Wallclock' }, 'log.message.timestamp.type must be one of CreateTime, LogAppendTime, got Wallclock'],
    [{ 'leader.imbalance.per.broker.percentage': '101' }, 'leader.imbalance.per.broker.percentage must be between 0 and 100, got 101'],
  ])('rejects %j', (extra, message) => {
    expect(problemsOf(base(extra))).toEqual([message]);
  });

  it('accepts a chroot in zookeeper.connect and several hosts', () => {
    expect(problemsOf(base({ 'zookeeper.connect': 'a:2181,b:2181/brook/dev' }))).toEqual([]);
  });

  it('warns about unknown properties but accepts Kafka ones Brook does not use', () => {
    const loaded = buildConfig(base({ 'num.network.threads': '3', 'no.such.thing': 'x' }));
    expect(loaded.unknown).toEqual(['no.such.thing']);
  });

  it('parses --override pairs and rejects malformed ones', () => {
    expect(parseOverrides(['a=b=c', 'broken'])).toEqual({ props: new Map([['a', 'b=c']]), problems: ['--override "broken" must look like key=value'] });
  });

  it('parses several listeners and IPv6 hosts', () => {
    expect(parseListeners('PLAINTEXT://[::1]:9092,INTERNAL://:9093', 'PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT')).toEqual([
      { name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '::1', port: 9092 },
      { name: 'INTERNAL', securityProtocol: 'PLAINTEXT', host: '', port: 9093 },
    ]);
  });
});
