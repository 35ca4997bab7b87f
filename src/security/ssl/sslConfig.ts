// Turns Kafka's ssl.* settings (as resolved for one listener, or for a client) into node:tls options, checking
// them with messages that name the setting at fault. File reading is handed in by the caller.
import type { SecureContextOptions } from 'node:tls';

export type SslClientAuth = 'none' | 'requested' | 'required';

/** Looks up one setting: for a listener, `listener.name.<l>.<setting>` first, then the broker-wide `<setting>`. */
export type SettingLookup = (setting: string) => string | undefined;

export interface SslIo {
  readFile(path: string): Buffer;
  /** The certificates of a PKCS12 trust store, as PEM (node cannot read trust-only PKCS12 itself). */
  pkcs12Certificates(pfx: Buffer, password: string | undefined): string;
}

export class SslConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SslConfigError';
  }
}

export interface SslSettings {
  /** Key, certificate chain, trust anchors, protocol range and ciphers for tls.createSecureContext. */
  readonly context: SecureContextOptions;
  readonly clientAuth: SslClientAuth;
  readonly principalMappingRules: string | null;
  /** ssl.endpoint.identification.algorithm: 'https' checks the peer's host name (client side), '' does not. */
  readonly endpointIdentification: string;
  readonly hasKeystore: boolean;
  readonly hasTruststore: boolean;
}

const PROTOCOLS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
type Protocol = (typeof PROTOCOLS)[number];

/**
 * Java/IANA cipher suite names (what Kafka's ssl.cipher.suites holds) to OpenSSL's. TLS 1.3 suites and names already
 * in OpenSSL form pass through.
 */
export function opensslCipherName(name: string): string {
  if (/^TLS_(AES|CHACHA20)_/.test(name) || !name.startsWith('TLS_')) return name;
  const m = /^TLS_(.+)_WITH_(.+)$/.exec(name);
  if (!m) return name;
  const kx = m[1]!.replace(/_/g, '-');
  let cipher = m[2]!;
  let mac = '';
  const macMatch = /_(SHA256|SHA384|SHA)$/.exec(cipher);
  if (macMatch) {
    mac = macMatch[1]!;
    cipher = cipher.slice(0, -macMatch[0].length);
  }
  cipher = cipher.replace(/^AES_(\d+)_GCM$/, 'AES$1-GCM').replace(/^AES_(\d+)_CBC$/, 'AES$1').replace(/^CHACHA20_POLY1305$/, 'CHACHA20-POLY1305');
  const aead = /GCM|POLY1305/.test(cipher);
  const prefix = kx === 'RSA' ? '' : `${kx}-`;
  return `${prefix}${cipher}${aead ? (cipher.includes('GCM') ? `-${mac}` : '') : mac !== '' ? `-${mac}` : ''}`;
}

function storeType(setting: string, given: string | undefined, location: string | undefined): 'PEM' | 'PKCS12' {
  if (given !== undefined && given.trim() !== '') {
    const t = given.trim().toUpperCase();
    if (t === 'PEM' || t === 'PKCS12') return t;
    throw new SslConfigError(`${setting}=${given} is not supported: use PKCS12 or PEM (convert a JKS store with keytool -importkeystore -deststoretype PKCS12)`);
  }
  // Kafka's default is JKS, which node cannot read; guess from the file name instead.
  if (location !== undefined && /\.(jks|keystore|truststore)$/i.test(location)) {
    throw new SslConfigError(`${setting} is not set and ${location} looks like a JKS store, which is not supported: convert it with keytool -importkeystore -deststoretype PKCS12 and set ${setting}=PKCS12`);
  }
  return location !== undefined && /\.(p12|pfx|pkcs12)$/i.test(location) ? 'PKCS12' : 'PEM';
}

function read(io: SslIo, setting: string, path: string): Buffer {
  try {
    return io.readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SslConfigError(`${setting}=${path} cannot be read: ${code ?? (e as Error).message}`);
  }
}

/** A PEM setting may hold the PEM text itself, with its line breaks lost in a one-line property value. */
function normalisePem(text: string): string {
  return text.replace(/\\n/g, '\n').replace(/(-----BEGIN [A-Z ]+-----)\s*/g, '$1\n').replace(/\s*(-----END [A-Z ]+-----)/g, '\n$1');
}

export function parseSslSettings(get: SettingLookup, io: SslIo, what: string): SslSettings {
  const context: SecureContextOptions = {};
  const trimmed = (k: string): string | undefined => {
    const v = get(k);
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  // Keystore: the broker's own key and certificate chain.
  const ksLocation = trimmed('ssl.keystore.location');
  const ksChain = trimmed('ssl.keystore.certificate.chain');
  const ksKey = trimmed('ssl.keystore.key');
  const ksPassword = get('ssl.keystore.password');
  const keyPassword = get('ssl.key.password');
  const ksType = storeType('ssl.keystore.type', get('ssl.keystore.type'), ksLocation);
  let hasKeystore = false;
  if (ksType === 'PKCS12') {
    if (ksLocation === undefined) throw new SslConfigError(`${what}: ssl.keystore.type=PKCS12 needs ssl.keystore.location`);
    context.pfx = read(io, 'ssl.keystore.location', ksLocation);
    const passphrase = keyPassword ?? ksPassword;
    if (passphrase !== undefined) context.passphrase = passphrase;
    hasKeystore = true;
  } else if (ksChain !== undefined || ksKey !== undefined) {
    if (ksLocation !== undefined) throw new SslConfigError(`${what}: set either ssl.keystore.location or ssl.keystore.certificate.chain/ssl.keystore.key, not both`);
    if (ksChain === undefined || ksKey === undefined) throw new SslConfigError(`${what}: ssl.keystore.certificate.chain and ssl.keystore.key must be set together`);
    if (!ksChain.includes('-----BEGIN CERTIFICATE-----')) throw new SslConfigError(`${what}: ssl.keystore.certificate.chain must hold PEM certificates (-----BEGIN CERTIFICATE-----)`);
    if (!/-----BEGIN (ENCRYPTED |RSA |EC )?PRIVATE KEY-----/.test(ksKey)) throw new SslConfigError(`${what}: ssl.keystore.key must hold a PEM private key (-----BEGIN PRIVATE KEY----- or ENCRYPTED PRIVATE KEY)`);
    context.cert = normalisePem(ksChain);
    context.key = normalisePem(ksKey);
    if (keyPassword !== undefined) context.passphrase = keyPassword;
    hasKeystore = true;
  } else if (ksLocation !== undefined) {
    const pem = read(io, 'ssl.keystore.location', ksLocation).toString('utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new SslConfigError(`${what}: ssl.keystore.location=${ksLocation} holds no PEM certificate (for a PKCS12 file set ssl.keystore.type=PKCS12)`);
    if (!/-----BEGIN (ENCRYPTED |RSA |EC )?PRIVATE KEY-----/.test(pem)) throw new SslConfigError(`${what}: ssl.keystore.location=${ksLocation} holds no PEM private key`);
    context.cert = pem;
    context.key = pem;
    if (keyPassword !== undefined) context.passphrase = keyPassword;
    hasKeystore = true;
  }

  // Truststore: the CAs a peer's certificate must chain to.
  const tsLocation = trimmed('ssl.truststore.location');
  const tsCerts = trimmed('ssl.truststore.certificates');
  const tsType = storeType('ssl.truststore.type', get('ssl.truststore.type'), tsLocation);
  let hasTruststore = false;
  if (tsCerts !== undefined) {
    if (tsLocation !== undefined) throw new SslConfigError(`${what}: set either ssl.truststore.location or ssl.truststore.certificates, not both`);
    if (!tsCerts.includes('-----BEGIN CERTIFICATE-----')) throw new SslConfigError(`${what}: ssl.truststore.certificates must hold PEM certificates (-----BEGIN CERTIFICATE-----)`);
    context.ca = normalisePem(tsCerts);
    hasTruststore = true;
  } else if (tsLocation !== undefined) {
    const bytes = read(io, 'ssl.truststore.location', tsLocation);
    if (tsType === 'PKCS12') {
      try {
        context.ca = io.pkcs12Certificates(bytes, get('ssl.truststore.password'));
      } catch (e) {
        throw new SslConfigError(`${what}: ssl.truststore.location=${tsLocation} cannot be read as PKCS12 (wrong ssl.truststore.password?): ${(e as Error).message}`);
      }
    } else {
      const pem = bytes.toString('utf8');
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new SslConfigError(`${what}: ssl.truststore.location=${tsLocation} holds no PEM certificate (for a PKCS12 file set ssl.truststore.type=PKCS12)`);
      context.ca = pem;
    }
    hasTruststore = true;
  }

  // Protocols: node takes a range, so the enabled list must be contiguous.
  const protocols = (get('ssl.enabled.protocols') ?? 'TLSv1.2,TLSv1.3').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = protocols.filter((p) => !(PROTOCOLS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new SslConfigError(`${what}: ssl.enabled.protocols has unknown protocol(s) ${unknown.join(', ')} (known: ${PROTOCOLS.join(', ')})`);
  if (protocols.length === 0) throw new SslConfigError(`${what}: ssl.enabled.protocols must name at least one protocol`);
  const idx = protocols.map((p) => PROTOCOLS.indexOf(p as Protocol)).sort();
  if (idx[idx.length - 1]! - idx[0]! + 1 !== new Set(idx).size) throw new SslConfigError(`${what}: ssl.enabled.protocols must be a contiguous range of versions for node's TLS (got ${protocols.join(', ')})`);
  context.minVersion = PROTOCOLS[idx[0]!];
  context.maxVersion = PROTOCOLS[idx[idx.length - 1]!];

  const ciphers = (get('ssl.cipher.suites') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (ciphers.length > 0) context.ciphers = ciphers.map(opensslCipherName).join(':');

  const clientAuthText = (get('ssl.client.auth') ?? 'none').trim().toLowerCase();
  if (!['none', 'requested', 'required'].includes(clientAuthText)) throw new SslConfigError(`${what}: ssl.client.auth must be none, requested or required, got "${clientAuthText}"`);

  return {
    context,
    clientAuth: clientAuthText as SslClientAuth,
    principalMappingRules: get('ssl.principal.mapping.rules') ?? null,
    endpointIdentification: (get('ssl.endpoint.identification.algorithm') ?? 'https').trim().toLowerCase(),
    hasKeystore,
    hasTruststore,
  };
}
