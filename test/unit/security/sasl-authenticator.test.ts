// The broker's SASL state machine on its own: each frame in, a decision out (process, respond, close), with a clock
// the test moves for connections.max.reauth.ms.
import { decodeResponse, encodeRequest } from '../../../src/protocol/codec';
import { ApiVersions, Metadata } from '../../../src/protocol/messages';
import { SaslAuthenticate } from '../../../src/protocol/messages/36-sasl-authenticate';
import { SaslHandshake } from '../../../src/protocol/messages/17-sasl-handshake';
import { SaslServerAuthenticator, type SaslDecision } from '../../../src/security/sasl/SaslServerAuthenticator';
import { plainToken } from '../../../src/security/sasl/plain';

const users = new Map([['alice', 'alice-secret'], ['bob', 'bob-secret']]);
const body = (framed: Buffer): Buffer => framed.subarray(4);
const handshake = (mechanism: string, version = 1, correlationId = 1): Buffer => body(encodeRequest(SaslHandshake, version, { correlationId, clientId: 'c' }, { mechanism }));
const authenticate = (token: Buffer, version = 2, correlationId = 2): Buffer => body(encodeRequest(SaslAuthenticate, version, { correlationId, clientId: 'c' }, { authBytes: token }));
const bytesOf = (d: SaslDecision): Buffer => {
  if (d.kind !== 'respond') throw new Error(`expected a response, got ${JSON.stringify(d)}`);
  return d.bytes.subarray(4);
};

function make(maxReauthMs = 0): { auth: SaslServerAuthenticator; clock: { now: number } } {
  const clock = { now: 1000 };
  const auth = new SaslServerAuthenticator({ enabledMechanisms: ['PLAIN'], plainUsers: users, scramCredentials: null, maxReauthMs }, () => clock.now);
  return { auth, clock };
}

function login(auth: SaslServerAuthenticator, user: string, password: string, version = 2): ReturnType<typeof decodeResponse<typeof SaslAuthenticate>>['body'] {
  expect(decodeResponse(SaslHandshake, 1, bytesOf(auth.handle(handshake('PLAIN')))).body.errorCode).toBe(0);
  return decodeResponse(SaslAuthenticate, version, bytesOf(auth.handle(authenticate(plainToken(user, password), version)))).body;
}

describe('SaslServerAuthenticator', () => {
  it('lets ApiVersions through before authentication and closes on any other request', () => {
    const { auth } = make();
    expect(auth.handle(body(encodeRequest(ApiVersions, 3, { correlationId: 1, clientId: 'c' }, {}))).kind).toBe('process');
    const d = auth.handle(body(encodeRequest(Metadata, 4, { correlationId: 2, clientId: 'c' }, { topics: null, allowAutoTopicCreation: false })));
    expect(d).toEqual({ kind: 'close', reason: 'unexpected Kafka request of type 3 during SASL handshake' });
  });

  it('a request other than SaslAuthenticate after the handshake closes the connection', () => {
    const { auth } = make();
    auth.handle(handshake('PLAIN'));
    expect(auth.handle(body(encodeRequest(ApiVersions, 0, { correlationId: 3, clientId: 'c' }, {})))).toEqual({ kind: 'close', reason: 'unexpected Kafka request of type 18 during SASL authentication' });
  });

  it('authenticates, then lets every request through as User:<name>', () => {
    const { auth } = make();
    expect(login(auth, 'alice', 'alice-secret')).toMatchObject({ errorCode: 0, errorMessage: null, sessionLifetimeMs: 0n });
    expect(auth.principal).toEqual({ type: 'User', name: 'alice' });
    expect(auth.handle(body(encodeRequest(Metadata, 4, { correlationId: 9, clientId: 'c' }, { topics: null, allowAutoTopicCreation: false }))).kind).toBe('process');
  });

  it('PLAIN failures answer SASL_AUTHENTICATION_FAILED with Kafka\'s messages and close', () => {
    for (const [token, message] of [
      [plainToken('alice', 'bad'), 'Authentication failed: Invalid username or password'],
      [plainToken('nobody', 'x'), 'Authentication failed: Invalid username or password'],
      [plainToken('', 'x'), 'Authentication failed: username not specified'],
      [Buffer.from('no-nul-here'), 'Invalid SASL/PLAIN response: expected 3 tokens, got 1'],
      [Buffer.from('bob\0alice\0alice-secret'), 'Authentication failed: Client requested an authorization id that is different from username'],
    ] as const) {
      const { auth } = make();
      auth.handle(handshake('PLAIN'));
      const d = auth.handle(authenticate(token));
      expect(d.kind === 'respond' && d.closeReason).toBeTruthy();
      expect(decodeResponse(SaslAuthenticate, 2, bytesOf(d)).body).toMatchObject({ errorCode: 58, errorMessage: message });
    }
  });

  it('an unsupported mechanism is answered with the enabled ones, then the connection closes', () => {
    const { auth } = make();
    const d = auth.handle(handshake('GSSAPI'));
    expect(d.kind === 'respond' && d.closeReason).toBe('unsupported SASL mechanism GSSAPI (enabled: PLAIN)');
    expect(decodeResponse(SaslHandshake, 1, bytesOf(d)).body).toEqual({ errorCode: 33, mechanisms: ['PLAIN'] });
  });

  it('KIP-368: answers the session lifetime; re-authentication renews it; after expiry a request closes', () => {
    const { auth, clock } = make(60_000);
    expect(login(auth, 'alice', 'alice-secret').sessionLifetimeMs).toBe(60_000n);
    clock.now += 59_000;
    // Re-authenticate on the same connection (SaslHandshake on an authenticated connection).
    expect(login(auth, 'alice', 'alice-secret').sessionLifetimeMs).toBe(60_000n);
    clock.now += 59_000;
    expect(auth.handle(body(encodeRequest(ApiVersions, 0, { correlationId: 5, clientId: 'c' }, {}))).kind).toBe('process');
    clock.now += 2000;
    expect(auth.handle(body(encodeRequest(ApiVersions, 0, { correlationId: 6, clientId: 'c' }, {})))).toEqual({ kind: 'close', reason: 'SASL session expired (connections.max.reauth.ms) without re-authentication' });
  });

  it('re-authentication may not change the principal', () => {
    const { auth } = make(60_000);
    login(auth, 'alice', 'alice-secret');
    auth.handle(handshake('PLAIN'));
    const d = auth.handle(authenticate(plainToken('bob', 'bob-secret')));
    expect(decodeResponse(SaslAuthenticate, 2, bytesOf(d)).body.errorMessage).toBe('Cannot change principals during re-authentication from User:alice: User:bob');
  });

  it('SaslAuthenticate v0 authenticates too; a bad raw token after a v0 handshake closes without an answer', () => {
    const { auth } = make(1000);
    expect(login(auth, 'alice', 'alice-secret', 0)).toMatchObject({ errorCode: 0, errorMessage: null, authBytes: Buffer.alloc(0) });
    const old = make().auth;
    expect(decodeResponse(SaslHandshake, 0, bytesOf(old.handle(handshake('PLAIN', 0)))).body.errorCode).toBe(0);
    expect(old.handle(Buffer.from('\0alice\0wrong'))).toMatchObject({ kind: 'close' });
  });

  it('SCRAM without a credential store answers every user as unknown (Kafka\'s generic SCRAM message)', () => {
    const auth = new SaslServerAuthenticator({ enabledMechanisms: ['SCRAM-SHA-512'], plainUsers: null, scramCredentials: null, maxReauthMs: 0 });
    auth.handle(handshake('SCRAM-SHA-512'));
    const d = auth.handle(authenticate(Buffer.from('n,,n=alice,r=abcdef')));
    expect(decodeResponse(SaslAuthenticate, 2, bytesOf(d)).body).toMatchObject({ errorCode: 58, errorMessage: 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512' });
  });
});
