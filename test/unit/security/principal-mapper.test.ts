// Cases from Kafka's SslPrincipalMapperTest, checked against this port.
import { SslPrincipalMapper, SslPrincipalMappingError } from '../../../src/security/ssl/SslPrincipalMapper';
import { rfc2253FromNodeSubject } from '../../../src/security/ssl/distinguishedName';

describe('ssl.principal.mapping.rules', () => {
  it('DEFAULT (and no rules) give the DN itself', () => {
    expect(new SslPrincipalMapper('DEFAULT').getName('CN=Duke,OU=JavaSoft,O=Sun Microsystems')).toBe('CN=Duke,OU=JavaSoft,O=Sun Microsystems');
    expect(new SslPrincipalMapper(null).getName('CN=a')).toBe('CN=a');
  });

  it('applies the first rule matching the whole DN, with $n groups', () => {
    const m = new SslPrincipalMapper('RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/,DEFAULT');
    expect(m.getName('CN=Duke,OU=ServiceUsers,O=Org,C=US')).toBe('Duke');
    expect(m.getName('CN=Duke,OU=SME,O=mycp,L=Fulton,ST=MD,C=US')).toBe('Duke@SME');
    expect(m.getName('CN=Other,O=x')).toBe('CN=Other,O=x');
  });

  it('lower- and upper-cases with /L and /U', () => {
    expect(new SslPrincipalMapper('RULE:^CN=(.*?),OU=(.*?)$/$1/L').getName('CN=DUKE,OU=JavaSoft')).toBe('duke');
    expect(new SslPrincipalMapper('RULE:^CN=(.*?),OU=(.*?)$/$1/U').getName('CN=duke,OU=JavaSoft')).toBe('DUKE');
  });

  it('keeps an escaped / in a pattern and reads $n beyond the groups as Kafka does', () => {
    expect(new SslPrincipalMapper(String.raw`RULE:^CN=(.*?)\/x,O=(.*)$/$1/`).getName('CN=a/x,O=b')).toBe('a');
    expect(new SslPrincipalMapper('RULE:^CN=(.*?),O=(.*)$/$1-$3/').getName('CN=a,O=b')).toBe('a-$3');
  });

  it('rules may be separated by commas and spaces or new lines', () => {
    const m = new SslPrincipalMapper('RULE:^CN=([^,]*).*$/$1/L ,\n DEFAULT');
    expect(m.getName('CN=Alice,O=x')).toBe('alice');
  });

  it('throws when no rule applies, and for an invalid rule', () => {
    expect(() => new SslPrincipalMapper('RULE:^CN=x$/y/').getName('CN=z')).toThrow('No rules apply to CN=z');
    expect(() => new SslPrincipalMapper('RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/LU')).toThrow(SslPrincipalMappingError);
    expect(() => new SslPrincipalMapper('DEFAULTX')).toThrow('Invalid rule');
  });

  it('turns node certificate subjects into RFC 2253 DNs (most specific first, specials escaped)', () => {
    expect(rfc2253FromNodeSubject('C=US\nO=Brook\nOU=Clients\nCN=alice')).toBe('CN=alice,OU=Clients,O=Brook,C=US');
    expect(rfc2253FromNodeSubject('O=A, Inc.\nCN=b+c')).toBe('CN=b\\+c,O=A\\, Inc.');
  });
});
