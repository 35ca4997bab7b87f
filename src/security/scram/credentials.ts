// The stored text of a SCRAM credential, `salt=<b64>,stored_key=<b64>,server_key=<b64>,iterations=<n>` (Kafka's
// ScramCredentialUtils), as it sits under its mechanism's key in /config/users/<user>.
import type { ScramCredential, ScramMechanism } from '../types';
import { SCRAM_MECHANISMS, isScramMechanism } from './formatter';

export function credentialToString(c: ScramCredential): string {
  return `salt=${c.salt.toString('base64')},stored_key=${c.storedKey.toString('base64')},server_key=${c.serverKey.toString('base64')},iterations=${c.iterations}`;
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Parses the stored text; throws when a key is missing, unknown or malformed (Kafka requires exactly these four). */
export function credentialFromString(text: string): ScramCredential {
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const i = part.indexOf('=');
    if (i < 0) throw new Error(`invalid SCRAM credential: "${part}" has no '='`);
    fields.set(part.slice(0, i), part.slice(i + 1));
  }
  const want = ['salt', 'stored_key', 'server_key', 'iterations'];
  if (fields.size !== 4 || !want.every((k) => fields.has(k))) {
    throw new Error(`invalid SCRAM credential: expected exactly the keys ${want.join(', ')}`);
  }
  for (const k of ['salt', 'stored_key', 'server_key']) {
    if (!B64.test(fields.get(k)!)) throw new Error(`invalid SCRAM credential: ${k} is not base64`);
  }
  const iterations = fields.get('iterations')!;
  if (!/^\d+$/.test(iterations)) throw new Error('invalid SCRAM credential: iterations is not a number');
  return {
    salt: Buffer.from(fields.get('salt')!, 'base64'),
    storedKey: Buffer.from(fields.get('stored_key')!, 'base64'),
    serverKey: Buffer.from(fields.get('server_key')!, 'base64'),
    iterations: Number(iterations),
  };
}

/** The SCRAM credentials held in a user's entity config (other keys, such as quotas, are ignored). */
export function credentialsFromUserConfig(config: Record<string, string>): Map<ScramMechanism, ScramCredential> {
  const out = new Map<ScramMechanism, ScramCredential>();
  for (const [k, v] of Object.entries(config)) {
    if (!isScramMechanism(k)) continue;
    try {
      out.set(k, credentialFromString(v));
    } catch {
      // Kafka skips a credential it cannot parse; authentication with that mechanism then fails.
    }
  }
  return out;
}

export const SCRAM_MECHANISM_NAMES = Object.keys(SCRAM_MECHANISMS) as ScramMechanism[];

/** KIP-554 mechanism codes on the wire. */
export const SCRAM_MECHANISM_CODES: Record<ScramMechanism, number> = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 };
export function mechanismFromCode(code: number): ScramMechanism | null {
  return code === 1 ? 'SCRAM-SHA-256' : code === 2 ? 'SCRAM-SHA-512' : null;
}
