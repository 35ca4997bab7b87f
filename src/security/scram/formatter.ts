// SCRAM credential math (RFC 5802 with SHA-256/512, Kafka's ScramFormatter): salted password, client and server keys,
// proofs and signatures, and new salts as Kafka makes them. HMAC, hashes and PBKDF2 come from node:crypto.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ScramCredential, ScramMechanism } from '../types';

/** Kafka's ScramMechanism: hash and HMAC algorithm, and the minimum iteration count (4096 for both). */
export const SCRAM_MECHANISMS: Record<ScramMechanism, { hash: 'sha256' | 'sha512'; keyLength: number; minIterations: number }> = {
  'SCRAM-SHA-256': { hash: 'sha256', keyLength: 32, minIterations: 4096 },
  'SCRAM-SHA-512': { hash: 'sha512', keyLength: 64, minIterations: 4096 },
};
/** The most iterations AlterUserScramCredentials accepts (KIP-554). */
export const MAX_ITERATIONS = 16384;

export const isScramMechanism = (s: string): s is ScramMechanism => s === 'SCRAM-SHA-256' || s === 'SCRAM-SHA-512';

export function hmac(mechanism: ScramMechanism, key: Buffer, data: Buffer | string): Buffer {
  return createHmac(SCRAM_MECHANISMS[mechanism].hash, key).update(data).digest();
}

export function hash(mechanism: ScramMechanism, data: Buffer): Buffer {
  return createHash(SCRAM_MECHANISMS[mechanism].hash).update(data).digest();
}

/** Hi(password, salt, i) = PBKDF2-HMAC. Kafka applies no SASLprep: the password's UTF-8 bytes are used as given. */
export function saltedPassword(mechanism: ScramMechanism, password: string | Buffer, salt: Buffer, iterations: number): Buffer {
  const m = SCRAM_MECHANISMS[mechanism];
  return pbkdf2Sync(typeof password === 'string' ? Buffer.from(password, 'utf8') : password, salt, iterations, m.keyLength, m.hash);
}

export const clientKey = (m: ScramMechanism, salted: Buffer): Buffer => hmac(m, salted, 'Client Key');
export const serverKey = (m: ScramMechanism, salted: Buffer): Buffer => hmac(m, salted, 'Server Key');
export const storedKey = (m: ScramMechanism, ck: Buffer): Buffer => hash(m, ck);

/** The stored credential for a password (Kafka's ScramFormatter.generateCredential). */
export function generateCredential(mechanism: ScramMechanism, password: string | Buffer, salt: Buffer, iterations: number): ScramCredential {
  const salted = saltedPassword(mechanism, password, salt, iterations);
  return {
    salt,
    storedKey: storedKey(mechanism, clientKey(mechanism, salted)),
    serverKey: serverKey(mechanism, salted),
    iterations,
  };
}

/** The text of a random 130-bit number in base 36, as Kafka's ScramFormatter.secureRandomString. */
export function secureRandomString(random: (n: number) => Buffer = randomBytes): string {
  const b = random(17);
  b[0] = b[0]! & 0x03; // 17 bytes = 136 bits; keep 130
  return BigInt(`0x${b.toString('hex')}`).toString(36);
}

/** A new salt: the UTF-8 bytes of secureRandomString (Kafka's salts are base-36 text, not raw random bytes). */
export function newSalt(random?: (n: number) => Buffer): Buffer {
  return Buffer.from(secureRandomString(random), 'utf8');
}

export function xor(a: Buffer, b: Buffer): Buffer {
  if (a.length !== b.length) throw new Error(`cannot xor ${a.length} bytes with ${b.length}`);
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** ClientSignature = HMAC(StoredKey, AuthMessage). */
export const clientSignature = (m: ScramMechanism, sk: Buffer, authMessage: string): Buffer => hmac(m, sk, Buffer.from(authMessage, 'utf8'));

/** ClientProof = ClientKey XOR ClientSignature (what a client sends). */
export function clientProof(m: ScramMechanism, salted: Buffer, authMessage: string): Buffer {
  const ck = clientKey(m, salted);
  return xor(ck, clientSignature(m, storedKey(m, ck), authMessage));
}

/** ServerSignature = HMAC(ServerKey, AuthMessage) (the server-final `v=`). */
export const serverSignature = (m: ScramMechanism, svk: Buffer, authMessage: string): Buffer => hmac(m, svk, Buffer.from(authMessage, 'utf8'));

/** The server's check of a proof: H(ClientSignature XOR proof) equals the stored key, compared in constant time. */
export function verifyClientProof(m: ScramMechanism, cred: ScramCredential, authMessage: string, proof: Buffer): boolean {
  const sig = clientSignature(m, cred.storedKey, authMessage);
  if (proof.length !== sig.length) return false;
  const computed = hash(m, xor(sig, proof));
  return computed.length === cred.storedKey.length && timingSafeEqual(computed, cred.storedKey);
}

/** The stored credential from an already salted password (what AlterUserScramCredentials carries, KIP-554). */
export function credentialFromSaltedPassword(mechanism: ScramMechanism, salt: Buffer, salted: Buffer, iterations: number): ScramCredential {
  return { salt, storedKey: storedKey(mechanism, clientKey(mechanism, salted)), serverKey: serverKey(mechanism, salted), iterations };
}
