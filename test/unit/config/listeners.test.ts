// Named listeners of every security protocol, the inter-broker listener, and listener.name.<l>.<setting> overrides.
import { buildConfig, ConfigError, isSensitiveSecuritySetting, KafkaConfig } from '../../../src/config/KafkaConfig';

const props = (extra: Record<string, string>): Map<string, string> =>
  new Map(Object.entries({ 'broker.id': '1', 'zookeeper.connect': '127.0.0.1:2181', 'log.dirs': '/tmp/x', ...extra }));
const config = (extra: Record<string, string>): KafkaConfig => new KafkaConfig(buildConfig(props(extra)));
function problems(extra: Record<string, string>): string[] {
  try {
    buildConfig(props(extra));
    return [];
  } catch (e) {
    return (e as ConfigError).problems;
  }
}

const FOUR = {
  listeners: 'INTERNAL://127.0.0.1:9092,EXTERNAL://0.0.0.0:9093,CLIENTS://127.0.0.1:9094,SASL_PLAINTEXT://127.0.0.1:9095',
  'advertised.listeners': 'INTERNAL://b1.internal:9092,EXTERNAL://b1.example.com:9093,CLIENTS://127.0.0.1:9094,SASL_PLAINTEXT://127.0.0.1:9095',
  'listener.security.protocol.map': 'INTERNAL:SASL_SSL,EXTERNAL:SSL,CLIENTS:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
};

describe('listeners', () => {
  it('parses several named listeners with their protocols, and the advertised endpoints', () => {
    const c = config({ ...FOUR, 'inter.broker.listener.name': 'INTERNAL' });
    expect(c.listeners.map((l) => `${l.name}:${l.securityProtocol}@${l.host}:${l.port}`)).toEqual([
      'INTERNAL:SASL_SSL@127.0.0.1:9092', 'EXTERNAL:SSL@0.0.0.0:9093', 'CLIENTS:PLAINTEXT@127.0.0.1:9094', 'SASL_PLAINTEXT:SASL_PLAINTEXT@127.0.0.1:9095',
    ]);
    expect(c.advertisedListeners.map((l) => `${l.name}@${l.host}`)).toEqual(['INTERNAL@b1.internal', 'EXTERNAL@b1.example.com', 'CLIENTS@127.0.0.1', 'SASL_PLAINTEXT@127.0.0.1']);
    expect(c.interBrokerListener.name).toBe('INTERNAL');
  });

  it('security.inter.broker.protocol picks the listener named after the protocol; PLAINTEXT by default', () => {
    expect(config({ ...FOUR, 'security.inter.broker.protocol': 'SASL_PLAINTEXT' }).interBrokerListener.name).toBe('SASL_PLAINTEXT');
    expect(config({ listeners: 'SSL://127.0.0.1:1,PLAINTEXT://127.0.0.1:2' }).interBrokerListener.name).toBe('PLAINTEXT');
  });

  it('per-listener settings override broker-wide ones, by lower-case listener name', () => {
    const c = config({
      ...FOUR,
      'ssl.client.auth': 'none',
      'listener.name.external.ssl.client.auth': 'required',
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.internal.sasl.enabled.mechanisms': 'SCRAM-SHA-512,PLAIN',
      'listener.name.internal.plain.sasl.jaas.config': 'x required;',
      'sasl.jaas.config': 'y required;',
      'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
      'connections.max.reauth.ms': '60000',
    });
    expect(c.listenerSetting('EXTERNAL', 'ssl.client.auth')).toBe('required');
    expect(c.listenerSetting('CLIENTS', 'ssl.client.auth')).toBe('none');
    expect(c.saslEnabledMechanisms('INTERNAL')).toEqual(['SCRAM-SHA-512', 'PLAIN']);
    expect(c.saslEnabledMechanisms('SASL_PLAINTEXT')).toEqual(['PLAIN']);
    expect(c.saslJaasConfig('INTERNAL', 'PLAIN')).toBe('x required;');
    expect(c.saslJaasConfig('SASL_PLAINTEXT', 'PLAIN')).toBe('y required;');
    expect(c.saslMechanismInterBrokerProtocol).toBe('SCRAM-SHA-512');
    expect(c.connectionsMaxReauthMs).toBe(60000);
    expect(config({}).saslEnabledMechanisms('PLAINTEXT')).toEqual(['GSSAPI']);
  });

  it('security settings are not reported as unknown', () => {
    const loaded = buildConfig(props({ ...FOUR, 'ssl.keystore.location': '/k', 'listener.name.external.ssl.keystore.type': 'PEM', 'sasl.enabled.mechanisms': 'PLAIN', 'something.else': '1' }));
    expect(loaded.unknown).toEqual(['something.else']);
  });

  it.each([
    [{ ...FOUR, 'inter.broker.listener.name': 'INTERNAL', 'security.inter.broker.protocol': 'SSL' }, 'Only one of inter.broker.listener.name and security.inter.broker.protocol should be set.'],
    [{ ...FOUR, 'inter.broker.listener.name': 'NOPE' }, 'inter-broker listener NOPE (inter.broker.listener.name / security.inter.broker.protocol) must be one of the advertised listeners (INTERNAL, EXTERNAL, CLIENTS, SASL_PLAINTEXT)'],
    [{ ...FOUR, 'security.inter.broker.protocol': 'TLS' }, 'security.inter.broker.protocol must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got "TLS"'],
    [{ ...FOUR, 'listener.name.EXTERNAL.ssl.client.auth': 'required' }, 'listener.name.EXTERNAL.ssl.client.auth: the listener name in listener.name.<listener>.<setting> must be lower case (listener.name.external.…)'],
    [{ ...FOUR, 'listener.name.other.ssl.client.auth': 'required' }, 'listener.name.other.ssl.client.auth configures listener OTHER, which is not in listeners'],
    [{ listeners: 'PLAINTEXT://127.0.0.1:1', 'advertised.listeners': 'SSL://h:2' }, 'advertised.listeners names listener SSL, which is not in listeners'],
    [{ listeners: 'EXTERNAL://127.0.0.1:1' }, 'listener EXTERNAL has no security protocol in listener.security.protocol.map'],
    [{ 'connections.max.reauth.ms': '-1' }, 'connections.max.reauth.ms must be a non-negative integer, got "-1"'],
  ])('rejects %j', (extra, message) => {
    expect(problems(extra as Record<string, string>)).toContain(message);
  });

  it('marks passwords, keys and JAAS texts sensitive, also per listener and mechanism', () => {
    for (const n of ['ssl.keystore.password', 'listener.name.ssl.ssl.key.password', 'ssl.keystore.key', 'sasl.jaas.config', 'listener.name.internal.plain.sasl.jaas.config', 'listener.name.x.ssl.truststore.certificates']) {
      expect(isSensitiveSecuritySetting(n)).toBe(true);
    }
    for (const n of ['ssl.keystore.location', 'listener.name.ssl.ssl.client.auth', 'sasl.enabled.mechanisms']) expect(isSensitiveSecuritySetting(n)).toBe(false);
  });
});
