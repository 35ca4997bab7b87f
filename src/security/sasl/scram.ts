// SCRAM-SHA-256/512 (RFC 5802, RFC 7677) as Kafka speaks it: the server and client exchanges, and the stored
// credential derived from a password. Only node:crypto primitives (PBKDF2, HMAC, hashes); no I/O.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ScramCredential, ScramCredentialProvider, ScramMechanism } from '../types';

export const SCRAM_MECHANISMS: readonly ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];
/** Kafka's ScramMechanism.minIterations (4096 for both). */
export const SCRAM_MIN_ITERATIONS = 4096;
export const SCRAM_MAX_ITERATIONS = 16384;

const hashOf = (m: ScramMechanism): 'sha256' | 'sha512' => (m === 'SCRAM-SHA-256' ? 'sha256' : 'sha512');
export const isScramMechanism = (m: string): m is ScramMechanism => (SCRAM_MECHANISMS as readonly string[]).includes(m);

const hmac = (m: ScramMechanism, key: Buffer, data: Buffer | string): Buffer => createHmac(hashOf(m), key).update(data).digest();
const hash = (m: ScramMechanism, data: Buffer): Buffer => createHash(hashOf(m)).update(data).digest();
const xor = (a: Buffer, b: Buffer): Buffer => {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
};

export function saltedPassword(m: ScramMechanism, password: string, salt: Buffer, iterations: number): Buffer {
  const len = m === 'SCRAM-SHA-256' ? 32 : 64;
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, len, hashOf(m));
}

/** The credential a server stores for a password (what kafka-configs --add-config 'SCRAM-SHA-256=[password=…]' writes). */
export function scramCredentialFromPassword(m: ScramMechanism, password: string, iterations = 4096, salt: Buffer = randomBytes(m === 'SCRAM-SHA-256' ? 32 : 64)): ScramCredential {
  const salted = saltedPassword(m, password, salt, iterations);
  const clientKey = hmac(m, salted, 'Client Key');
  return { salt, storedKey: hash(m, clientKey), serverKey: hmac(m, salted, 'Server Key'), iterations };
}

/** RFC 5802 saslname: ',' and '=' are sent as '=2C' and '=3D'. */
export const escapeSaslName = (name: string): string => name.replace(/=/g, '=3D').replace(/,/g, '=2C');
export function unescapeSaslName(saslName: string): string {
  if (/=(?!2C|3D)/.test(saslName)) throw new ScramError('Invalid username: an = must be followed by 2C or 3D');
  return saslName.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/** A failed SCRAM exchange. `clientMessage` is what Kafka tells the client; null means Kafka's generic message. */
export class ScramError extends Error {
  constructor(message: string, readonly clientMessage: string | null = null) {
    super(message);
    this.name = 'ScramError';
  }
}

const PRINTABLE_NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;

export function randomNonce(): string {
  // Kafka's ScramFormatter.secureRandomString: printable characters without ','.
  return randomBytes(24).toString('base64').replace(/,/g, '.');
}

interface ClientFirst { gs2Header: string; authzid: string; bare: string; user: string; nonce: string; extensions: Map<string, string> }

function parseAttributes(text: string): Array<[string, string]> {
  return text.split(',').map((part) => {
    const eq = part.indexOf('=');
    if (eq !== 1) throw new ScramError(`Invalid SCRAM attribute "${part}"`);
    return [part[0]!, part.slice(2)] as [string, string];
  });
}

function parseClientFirst(message: string): ClientFirst {
  // gs2-header: ("n" | "y" | "p=" cb-name) "," [ "a=" saslname ] ","
  const m = /^(n|y|p=[^,]*),(a=[^,]*)?,(.*)$/s.exec(message);
  if (!m) throw new ScramError('Invalid SCRAM client first message');
  if (m[1]!.startsWith('p=')) throw new ScramError('Channel binding is not supported', 'Authentication failed: channel binding is not supported');
  const bare = m[3]!;
  const bm = /^n=([^,]*),r=([^,]*)(,.*)?$/s.exec(bare);
  if (!bm) throw new ScramError('Invalid SCRAM client first message');
  const extensions = new Map<string, string>();
  for (const ext of (bm[3] ?? '').split(',').filter(Boolean)) {
    const eq = ext.indexOf('=');
    if (eq > 0) extensions.set(ext.slice(0, eq), ext.slice(eq + 1));
  }
  if (!PRINTABLE_NONCE.test(bm[2]!)) throw new ScramError('Invalid SCRAM client nonce');
  return {
    gs2Header: `${m[1]},${m[2] ?? ''},`,
    authzid: m[2] ? unescapeSaslName(m[2].slice(2)) : '',
    bare,
    user: unescapeSaslName(bm[1]!),
    nonce: bm[2]!,
    extensions,
  };
}

export type ScramServerState = 'client-first' | 'client-final' | 'complete' | 'failed';

/**
 * The server side of one SCRAM exchange: `evaluate` takes each client message and returns the server's reply;
 * a failure throws ScramError and leaves the exchange failed. `username` is the authenticated user once complete.
 */
export class ScramServer {
  private stateValue: ScramServerState = 'client-first';
  private first: ClientFirst | null = null;
  private serverFirst = '';
  private credential: ScramCredential | null = null;
  private nonce = '';
  username: string | null = null;

  constructor(
    readonly mechanism: ScramMechanism,
    private readonly credentials: ScramCredentialProvider,
    private readonly serverNonce: () => string = randomNonce,
  ) {}

  get state(): ScramServerState { return this.stateValue; }
  get complete(): boolean { return this.stateValue === 'complete'; }

  evaluate(response: Buffer): Buffer {
    try {
      if (this.stateValue === 'client-first') return this.onClientFirst(response.toString('utf8'));
      if (this.stateValue === 'client-final') return this.onClientFinal(response.toString('utf8'));
      throw new ScramError(`Unexpected SCRAM message in state ${this.stateValue}`);
    } catch (e) {
      this.stateValue = 'failed';
      this.credential = null;
      throw e instanceof ScramError ? e : new ScramError((e as Error).message);
    }
  }

  private onClientFirst(message: string): Buffer {
    const first = parseClientFirst(message);
    const credential = this.credentials.credential(first.user, this.mechanism);
    if (credential === null) throw new ScramError('Authentication failed: Invalid user credentials');
    if (first.authzid !== '' && first.authzid !== first.user) {
      throw new ScramError('authorization id differs from username', 'Authentication failed: Client requested an authorization id that is different from username');
    }
    if (credential.iterations < SCRAM_MIN_ITERATIONS) throw new ScramError(`Iterations ${credential.iterations} is less than the minimum ${SCRAM_MIN_ITERATIONS} for ${this.mechanism}`);
    this.first = first;
    this.credential = credential;
    this.nonce = first.nonce + this.serverNonce();
    this.serverFirst = `r=${this.nonce},s=${credential.salt.toString('base64')},i=${credential.iterations}`;
    this.stateValue = 'client-final';
    return Buffer.from(this.serverFirst, 'utf8');
  }

  private onClientFinal(message: string): Buffer {
    const first = this.first!;
    const credential = this.credential!;
    const attrs = parseAttributes(message);
    const c = attrs.find(([k]) => k === 'c')?.[1];
    const r = attrs.find(([k]) => k === 'r')?.[1];
    const last = attrs[attrs.length - 1];
    if (c === undefined || r === undefined || last === undefined || last[0] !== 'p') throw new ScramError('Invalid SCRAM client final message');
    // Kafka 2.8-3.x do not compare the final message's nonce with the server's: librdkafka up to 2.x sends its own
    // nonce followed by the server's whole nonce (which already starts with it). The proof covers the message as
    // sent, with this exchange's server nonce in the server-first part, so it still cannot be replayed.
    if (!r.endsWith(this.nonce)) throw new ScramError('Invalid SCRAM client final message: nonce mismatch');
    if (Buffer.from(c, 'base64').toString('utf8') !== first.gs2Header) throw new ScramError('Invalid SCRAM client final message: channel binding mismatch');
    const proof = Buffer.from(last[1], 'base64');
    const withoutProof = message.slice(0, message.lastIndexOf(',p='));
    const authMessage = `${first.bare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.mechanism, credential.storedKey, authMessage);
    if (proof.length !== clientSignature.length) throw new ScramError('Invalid client credentials');
    const storedKey = hash(this.mechanism, xor(proof, clientSignature));
    if (!timingSafeEqual(storedKey, credential.storedKey)) throw new ScramError('Invalid client credentials');
    const serverSignature = hmac(this.mechanism, credential.serverKey, authMessage);
    this.username = first.user;
    this.credential = null;
    this.stateValue = 'complete';
    return Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8');
  }
}

/** The client side of one SCRAM exchange (brokers between themselves, and Brook's tools). */
export class ScramClient {
  private clientFirstBare = '';
  private expectedServerSignature: Buffer | null = null;

  constructor(
    readonly mechanism: ScramMechanism,
    private readonly username: string,
    private readonly password: string,
    private readonly clientNonce: string = randomNonce(),
  ) {}

  firstMessage(): Buffer {
    this.clientFirstBare = `n=${escapeSaslName(this.username)},r=${this.clientNonce}`;
    return Buffer.from(`n,,${this.clientFirstBare}`, 'utf8');
  }

  /** Answers the server-first message with the client-final message (the proof). */
  finalMessage(serverFirst: Buffer): Buffer {
    const text = serverFirst.toString('utf8');
    const attrs = new Map(parseAttributes(text));
    if (attrs.has('e')) throw new ScramError(`SCRAM server error: ${attrs.get('e')}`);
    const nonce = attrs.get('r');
    const salt = attrs.get('s');
    const iterations = Number(attrs.get('i'));
    if (nonce === undefined || salt === undefined || !Number.isInteger(iterations)) throw new ScramError('Invalid SCRAM server first message');
    if (!nonce.startsWith(this.clientNonce) || nonce.length === this.clientNonce.length) throw new ScramError('Invalid SCRAM server nonce');
    if (iterations < SCRAM_MIN_ITERATIONS) throw new ScramError(`Requested iterations ${iterations} is less than the minimum ${SCRAM_MIN_ITERATIONS} for ${this.mechanism}`);
    const salted = saltedPassword(this.mechanism, this.password, Buffer.from(salt, 'base64'), iterations);
    const clientKey = hmac(this.mechanism, salted, 'Client Key');
    const storedKey = hash(this.mechanism, clientKey);
    const withoutProof = `c=${Buffer.from('n,,').toString('base64')},r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${text},${withoutProof}`;
    const proof = xor(clientKey, hmac(this.mechanism, storedKey, authMessage));
    this.expectedServerSignature = hmac(this.mechanism, hmac(this.mechanism, salted, 'Server Key'), authMessage);
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  /** Checks the server's signature, so a client knows it talked to a server that holds the credential. */
  verifyServerFinal(serverFinal: Buffer): void {
    const attrs = new Map(parseAttributes(serverFinal.toString('utf8')));
    if (attrs.has('e')) throw new ScramError(`SCRAM server error: ${attrs.get('e')}`);
    const v = attrs.get('v');
    if (v === undefined || this.expectedServerSignature === null || !Buffer.from(v, 'base64').equals(this.expectedServerSignature)) {
      throw new ScramError('Invalid SCRAM server signature');
    }
  }
}

/** An in-memory credential store (tests, and brokers before the ZooKeeper-backed store is wired in). */
export class InMemoryScramCredentials implements ScramCredentialProvider {
  private readonly byKey = new Map<string, ScramCredential>();
  set(user: string, mechanism: ScramMechanism, credential: ScramCredential): this {
    this.byKey.set(`${mechanism}\0${user}`, credential);
    return this;
  }
  credential(user: string, mechanism: ScramMechanism): ScramCredential | null {
    return this.byKey.get(`${mechanism}\0${user}`) ?? null;
  }
}
