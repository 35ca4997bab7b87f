// SASL/PLAIN (RFC 4616) as Kafka's PlainSaslServer checks it: users and passwords from the listener's JAAS options.
import { timingSafeEqual, createHash } from 'node:crypto';

/** A PLAIN failure; the message is what Kafka sends the client (SaslAuthenticationException). */
export class PlainAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlainAuthError';
  }
}

// Compare digests so the time taken does not depend on where the passwords differ, nor on their lengths.
const sameSecret = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

/** Checks one PLAIN token (`authzid NUL authcid NUL passwd`); returns the authenticated user name. */
export function verifyPlain(token: Buffer, users: ReadonlyMap<string, string>): string {
  const parts = token.toString('utf8').split('\u0000');
  if (parts.length !== 3) throw new PlainAuthError(`Invalid SASL/PLAIN response: expected 3 tokens, got ${parts.length}`);
  const [authzid, username, password] = parts as [string, string, string];
  if (username === '') throw new PlainAuthError('Authentication failed: username not specified');
  if (password === '') throw new PlainAuthError('Authentication failed: password not specified');
  const expected = users.get(username);
  if (expected === undefined || !sameSecret(expected, password)) throw new PlainAuthError('Authentication failed: Invalid username or password');
  if (authzid !== '' && authzid !== username) throw new PlainAuthError('Authentication failed: Client requested an authorization id that is different from username');
  return username;
}

export const plainToken = (username: string, password: string): Buffer => Buffer.from(`\u0000${username}\u0000${password}`, 'utf8');
