// SCRAM-SHA-256 against RFC 7677 §3's example exchange, and both mechanisms end to end, client against server.
import { InMemoryScramCredentials, ScramClient, scramCredentialFromPassword, ScramError, ScramServer } from '../../../src/security/sasl/scram';
import { hash, hmac, saltedPassword, xor } from '../../../src/security/scram/formatter';

const RFC = {
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};
const rfcCredential = scramCredentialFromPassword('SCRAM-SHA-256', 'pencil', 4096, Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'));
const store = new InMemoryScramCredentials().set('user', 'SCRAM-SHA-256', rfcCredential);

describe('SCRAM (RFC 5802 / RFC 7677)', () => {
  it('the server answers RFC 7677 client messages with its messages, byte for byte', () => {
    const server = new ScramServer('SCRAM-SHA-256', store, () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0');
    expect(server.evaluate(Buffer.from(RFC.clientFirst)).toString()).toBe(RFC.serverFirst);
    expect(server.evaluate(Buffer.from(RFC.clientFinal)).toString()).toBe(RFC.serverFinal);
    expect(server.complete).toBe(true);
    expect(server.username).toBe('user');
  });

  it('the client writes RFC 7677 client messages and accepts the server signature', () => {
    const client = new ScramClient('SCRAM-SHA-256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO');
    expect(client.firstMessage().toString()).toBe(RFC.clientFirst);
    expect(client.finalMessage(Buffer.from(RFC.serverFirst)).toString()).toBe(RFC.clientFinal);
    expect(() => client.verifyServerFinal(Buffer.from(RFC.serverFinal))).not.toThrow();
    expect(() => client.verifyServerFinal(Buffer.from('v=AAAA'))).toThrow('Invalid SCRAM server signature');
  });

  it.each(['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const)('%s: a client with the password authenticates; a wrong password fails', (mech) => {
    const creds = new InMemoryScramCredentials().set('a,l=ice', mech, scramCredentialFromPassword(mech, 'alice-secret', 4096));
    const run = (password: string): ScramServer => {
      const server = new ScramServer(mech, creds);
      const client = new ScramClient(mech, 'a,l=ice', password);
      const final = client.finalMessage(server.evaluate(client.firstMessage()));
      client.verifyServerFinal(server.evaluate(final));
      return server;
    };
    expect(run('alice-secret').username).toBe('a,l=ice');
    expect(() => run('wrong')).toThrow(ScramError);
  });

  it('accepts librdkafka\'s final nonce (its own nonce, then the server\'s whole nonce), as Kafka does', () => {
    const mech = 'SCRAM-SHA-512';
    const creds = new InMemoryScramCredentials().set('alice', mech, scramCredentialFromPassword(mech, 'alice-secret', 4096));
    const server = new ScramServer(mech, creds);
    const clientFirstBare = 'n=alice,r=cnonce';
    const serverFirst = server.evaluate(Buffer.from(`n,,${clientFirstBare}`)).toString();
    const attrs = new Map(serverFirst.split(',').map((a) => [a[0], a.slice(2)] as [string, string]));
    // librdkafka 2.x: "c=biws,r=" + its nonce + the server's r (which already starts with its nonce), signed as sent.
    const withoutProof = `c=biws,r=cnonce${attrs.get('r')}`;
    const salted = saltedPassword(mech, 'alice-secret', Buffer.from(attrs.get('s')!, 'base64'), Number(attrs.get('i')));
    const clientKey = hmac(mech, salted, 'Client Key');
    const proof = xor(clientKey, hmac(mech, hash(mech, clientKey), `${clientFirstBare},${serverFirst},${withoutProof}`));
    const serverFinal = server.evaluate(Buffer.from(`${withoutProof},p=${proof.toString('base64')}`)).toString();
    expect(serverFinal).toMatch(/^v=/);
    expect(server.username).toBe('alice');
  });

  it('an unknown user, a changed nonce, channel binding and too few iterations fail', () => {
    const server = (): ScramServer => new ScramServer('SCRAM-SHA-256', store, () => 'srv');
    expect(() => server().evaluate(Buffer.from('n,,n=nobody,r=abc'))).toThrow('Invalid user credentials');
    const s = server();
    s.evaluate(Buffer.from('n,,n=user,r=abc'));
    expect(() => s.evaluate(Buffer.from('c=biws,r=abcX,p=AAAA'))).toThrow('nonce mismatch');
    expect(s.state).toBe('failed');
    expect(() => server().evaluate(Buffer.from('p=tls-unique,,n=user,r=abc'))).toThrow('Channel binding');
    const weak = new InMemoryScramCredentials().set('user', 'SCRAM-SHA-256', scramCredentialFromPassword('SCRAM-SHA-256', 'x', 1000));
    expect(() => new ScramServer('SCRAM-SHA-256', weak).evaluate(Buffer.from('n,,n=user,r=abc'))).toThrow('Iterations 1000 is less than the minimum 4096');
    expect(() => server().evaluate(Buffer.from('n,a=other,n=user,r=abc'))).toThrow('authorization id');
  });
});
