import { clientCredentials, JaasConfigError, parseJaasConfig, parseJaasModules, plainUsers } from '../../../src/security/sasl/jaas';

describe('JAAS configuration parsing', () => {
  it('reads PlainLoginModule with the broker login and its users', () => {
    const m = parseJaasConfig('org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";');
    expect(m.loginModule).toBe('org.apache.kafka.common.security.plain.PlainLoginModule');
    expect(m.controlFlag).toBe('required');
    expect(clientCredentials(m)).toEqual({ username: 'admin', password: 'admin-secret' });
    expect([...plainUsers(m)]).toEqual([['admin', 'admin-secret'], ['alice', 'alice-secret']]);
  });

  it('takes unquoted values, escaped quotes, several lines and comments', () => {
    const m = parseJaasConfig(`org.apache.kafka.common.security.scram.ScramLoginModule Required
      // the broker's own login
      username=broker /* inline */ password="p\\"w;d=";`);
    expect(m.controlFlag).toBe('required');
    expect(clientCredentials(m)).toEqual({ username: 'broker', password: 'p"w;d=' });
  });

  it('reads every module of a KafkaServer section body', () => {
    const mods = parseJaasModules('a.B required x="1"; c.D optional;');
    expect(mods.map((m) => [m.loginModule, m.controlFlag, m.options.size])).toEqual([['a.B', 'required', 1], ['c.D', 'optional', 0]]);
  });

  it.each([
    ['org.Foo required username="a"', "must end with ';'"],
    ['org.Foo username="a";', 'control flag'],
    ['org.Foo required username;', "followed by '='"],
    ['org.Foo required username="a;', 'unterminated quoted value'],
    ['org.Foo required; org.Bar required;', 'exactly one login module, found 2'],
    ['', 'exactly one login module, found 0'],
  ])('rejects %j with a precise message', (text, msg) => {
    expect(() => parseJaasConfig(text)).toThrow(JaasConfigError);
    expect(() => parseJaasConfig(text)).toThrow(msg);
  });
});
