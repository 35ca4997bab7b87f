// The client side of SASL on a fresh connection: SaslHandshake v1, then the mechanism's tokens in SaslAuthenticate
// (PLAIN in one, SCRAM in two with the server's signature checked), as Kafka's SaslClientAuthenticator does.
import { ErrorCode } from '../protocol/errors';
import { SaslAuthenticate } from '../protocol/messages/36-sasl-authenticate';
import { SaslHandshake } from '../protocol/messages/17-sasl-handshake';
import { plainToken } from '../security/sasl/plain';
import { isScramMechanism, ScramClient } from '../security/sasl/scram';
import type { KafkaConnection } from './connection';

export class SaslAuthenticationError extends Error {
  constructor(message: string, readonly errorCode: number) {
    super(message);
    this.name = 'SaslAuthenticationError';
  }
}

export interface SaslCredentials { readonly mechanism: string; readonly username: string; readonly password: string }

/** Authenticates `conn`; resolves with the session lifetime the broker granted (0 = none), rejects on failure. */
export async function authenticateSasl(conn: KafkaConnection, sasl: SaslCredentials, timeoutMs: number): Promise<bigint> {
  const hs = await conn.request(SaslHandshake, 1, { mechanism: sasl.mechanism }, { timeoutMs, authentication: true });
  if (hs.errorCode !== ErrorCode.NONE) {
    const why = hs.errorCode === ErrorCode.UNSUPPORTED_SASL_MECHANISM ? `SASL mechanism ${sasl.mechanism} is not enabled on ${conn.host}:${conn.port} (enabled: ${hs.mechanisms.join(', ') || 'none'})` : `SaslHandshake failed with error code ${hs.errorCode}`;
    throw new SaslAuthenticationError(why, hs.errorCode);
  }
  const send = async (token: Buffer): Promise<{ bytes: Buffer; lifetime: bigint }> => {
    const r = await conn.request(SaslAuthenticate, 1, { authBytes: token }, { timeoutMs, authentication: true });
    if (r.errorCode !== ErrorCode.NONE) throw new SaslAuthenticationError(r.errorMessage ?? `SaslAuthenticate failed with error code ${r.errorCode}`, r.errorCode);
    return { bytes: r.authBytes, lifetime: r.sessionLifetimeMs };
  };
  if (sasl.mechanism === 'PLAIN') return (await send(plainToken(sasl.username, sasl.password))).lifetime;
  if (isScramMechanism(sasl.mechanism)) {
    const client = new ScramClient(sasl.mechanism, sasl.username, sasl.password);
    const serverFirst = await send(client.firstMessage());
    const serverFinal = await send(client.finalMessage(serverFirst.bytes));
    client.verifyServerFinal(serverFinal.bytes);
    return serverFinal.lifetime;
  }
  throw new SaslAuthenticationError(`SASL mechanism ${sasl.mechanism} is not supported by Brook's client (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)`, ErrorCode.UNSUPPORTED_SASL_MECHANISM);
}
