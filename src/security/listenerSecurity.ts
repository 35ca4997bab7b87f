// What each listener demands of a connection (TLS with its key and trust, SASL with its mechanisms and users), and
// what this broker presents when it connects to the inter-broker listener of another: built once at start-up
// from the configuration, every problem reported at once.
import { createSecureContext, type ConnectionOptions, type SecureContextOptions } from 'node:tls';
import type { KafkaConfig } from '../config/KafkaConfig';
import type { ScramCredentialProvider } from './types';
import { clientCredentials, JaasConfigError, parseJaasConfig, plainUsers } from './sasl/jaas';
import type { SaslServerConfig } from './sasl/SaslServerAuthenticator';
import { SCRAM_MECHANISMS } from './sasl/scram';
import { parseSslSettings, SslConfigError, type SslClientAuth, type SslIo, type SslSettings } from './ssl/sslConfig';
import { SslPrincipalMapper, SslPrincipalMappingError } from './ssl/SslPrincipalMapper';

export const SUPPORTED_SASL_MECHANISMS: readonly string[] = ['PLAIN', ...SCRAM_MECHANISMS];

export interface ListenerTls {
  /** For tls.createServer, which builds its context from these (it ignores a ready `secureContext`). */
  readonly contextOptions: SecureContextOptions;
  readonly clientAuth: SslClientAuth;
  readonly principalMapper: SslPrincipalMapper;
}

export interface ListenerSecurity {
  readonly name: string;
  readonly securityProtocol: string;
  readonly tls: ListenerTls | null;
  readonly sasl: SaslServerConfig | null;
}

/** How a client secures one connection: node:tls options (server name, CA, own certificate) and SASL credentials. */
export interface ClientSecurity {
  readonly tls?: ConnectionOptions;
  readonly sasl?: { readonly mechanism: string; readonly username: string; readonly password: string };
}

const usesTls = (protocol: string): boolean => protocol === 'SSL' || protocol === 'SASL_SSL';
const usesSasl = (protocol: string): boolean => protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';

function message(e: unknown): string {
  if (e instanceof SslConfigError || e instanceof JaasConfigError || e instanceof SslPrincipalMappingError) return e.message;
  return (e as Error).message;
}

/** Why node refused a key/certificate/CA set, in the operator's terms. */
function contextProblem(what: string, e: Error): string {
  const m = e.message;
  if (/bad decrypt|mac verify failure|bad password|PKCS12/i.test(m)) return `${what}: cannot decrypt the keystore or key (wrong ssl.keystore.password / ssl.key.password?): ${m}`;
  if (/key values mismatch|KEY_VALUES_MISMATCH/i.test(m)) return `${what}: the private key does not belong to the keystore certificate: ${m}`;
  if (/no cipher match|cipher/i.test(m)) return `${what}: ssl.cipher.suites names no cipher suite this TLS library knows: ${m}`;
  return `${what}: invalid TLS key, certificate or trust store: ${m}`;
}

function buildTls(settings: SslSettings, what: string): ListenerTls {
  if (!settings.hasKeystore) throw new SslConfigError(`${what}: an SSL listener needs a keystore (ssl.keystore.location, or ssl.keystore.certificate.chain and ssl.keystore.key)`);
  if (settings.clientAuth !== 'none' && !settings.hasTruststore) throw new SslConfigError(`${what}: ssl.client.auth=${settings.clientAuth} needs a truststore (ssl.truststore.location or ssl.truststore.certificates) to check client certificates`);
  try {
    // Checked here so that a broker with a bad key, password or cipher list does not start.
    createSecureContext(settings.context);
  } catch (e) {
    throw new SslConfigError(contextProblem(what, e as Error));
  }
  return { contextOptions: settings.context, clientAuth: settings.clientAuth, principalMapper: new SslPrincipalMapper(settings.principalMappingRules) };
}

function buildSasl(cfg: KafkaConfig, listener: string, scram: ScramCredentialProvider | null): SaslServerConfig {
  const enabled = cfg.saslEnabledMechanisms(listener);
  const unsupported = enabled.filter((m) => !SUPPORTED_SASL_MECHANISMS.includes(m));
  if (unsupported.length > 0) {
    throw new Error(`listener ${listener}: sasl.enabled.mechanisms names ${unsupported.join(', ')}, which Brook does not support (supported: ${SUPPORTED_SASL_MECHANISMS.join(', ')}; set listener.name.${listener.toLowerCase()}.sasl.enabled.mechanisms)`);
  }
  if (enabled.length === 0) throw new Error(`listener ${listener}: sasl.enabled.mechanisms is empty`);
  let users: Map<string, string> | null = null;
  if (enabled.includes('PLAIN')) {
    const jaas = cfg.saslJaasConfig(listener, 'PLAIN');
    if (jaas === undefined) throw new Error(`listener ${listener}: PLAIN is enabled but no JAAS configuration names its users (listener.name.${listener.toLowerCase()}.plain.sasl.jaas.config)`);
    try {
      users = plainUsers(parseJaasConfig(jaas));
    } catch (e) {
      throw new Error(`listener ${listener}: listener.name.${listener.toLowerCase()}.plain.sasl.jaas.config: ${message(e)}`);
    }
  }
  // connections.max.reauth.ms, also per listener (listener.name.<l>.connections.max.reauth.ms), as Kafka reads it.
  const reauth = (cfg.listenerSetting(listener, 'connections.max.reauth.ms') ?? '0').trim();
  if (!/^\d+$/.test(reauth)) throw new Error(`listener ${listener}: connections.max.reauth.ms must be a non-negative integer, got "${reauth}"`);
  return { enabledMechanisms: enabled, plainUsers: users, scramCredentials: scram, maxReauthMs: Number(reauth) };
}

/** Every listener's security; throws one Error listing every problem (a broker does not start with any). */
export function buildListenerSecurity(cfg: KafkaConfig, io: SslIo, scram: ScramCredentialProvider | null): Map<string, ListenerSecurity> {
  const out = new Map<string, ListenerSecurity>();
  const problems: string[] = [];
  for (const l of cfg.listeners) {
    let tls: ListenerTls | null = null;
    let sasl: SaslServerConfig | null = null;
    try {
      if (usesTls(l.securityProtocol)) tls = buildTls(parseSslSettings((s) => cfg.listenerSetting(l.name, s), io, `listener ${l.name}`), `listener ${l.name}`);
    } catch (e) {
      problems.push(message(e));
    }
    try {
      if (usesSasl(l.securityProtocol)) sasl = buildSasl(cfg, l.name, scram);
    } catch (e) {
      problems.push(message(e));
    }
    out.set(l.name, { name: l.name, securityProtocol: l.securityProtocol, tls, sasl });
  }
  try {
    interBrokerClientSecurity(cfg, io);
  } catch (e) {
    problems.push(message(e));
  }
  if (problems.length > 0) throw new ListenerSecurityError(problems);
  return out;
}

export class ListenerSecurityError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid listener security configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ListenerSecurityError';
  }
}

/** TLS client options from Kafka client ssl.* settings (a broker's for the inter-broker listener, or a tool's). */
export function clientTlsOptions(get: (s: string) => string | undefined, io: SslIo, what: string): ConnectionOptions {
  const settings = parseSslSettings(get, io, what);
  const ctx = settings.context;
  const options: ConnectionOptions = { ...ctx };
  if (!settings.hasTruststore) delete options.ca;
  if (settings.endpointIdentification === '') options.checkServerIdentity = () => undefined;
  return options;
}

/** What this broker presents to the inter-broker listener of the others (its TLS trust and SASL login). */
export function interBrokerClientSecurity(cfg: KafkaConfig, io: SslIo): ClientSecurity {
  const l = cfg.interBrokerListener;
  const what = `inter-broker listener ${l.name}`;
  const security: { tls?: ConnectionOptions; sasl?: ClientSecurity['sasl'] } = {};
  if (usesTls(l.securityProtocol)) security.tls = clientTlsOptions((s) => cfg.listenerSetting(l.name, s), io, what);
  if (usesSasl(l.securityProtocol)) {
    const mechanism = cfg.saslMechanismInterBrokerProtocol;
    if (!SUPPORTED_SASL_MECHANISMS.includes(mechanism)) throw new Error(`${what}: sasl.mechanism.inter.broker.protocol=${mechanism} is not supported (set PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)`);
    if (!cfg.saslEnabledMechanisms(l.name).includes(mechanism)) throw new Error(`${what}: sasl.mechanism.inter.broker.protocol=${mechanism} is not in the listener's sasl.enabled.mechanisms`);
    const jaas = cfg.saslJaasConfig(l.name, mechanism);
    if (jaas === undefined) throw new Error(`${what}: no JAAS configuration with the broker's username and password for ${mechanism} (listener.name.${l.name.toLowerCase()}.${mechanism.toLowerCase()}.sasl.jaas.config)`);
    let creds;
    try {
      creds = clientCredentials(parseJaasConfig(jaas));
    } catch (e) {
      throw new Error(`${what}: ${message(e)}`);
    }
    if (creds === null) throw new Error(`${what}: the ${mechanism} JAAS configuration must set username and password for connections between brokers`);
    security.sasl = { mechanism, ...creds };
  }
  return security;
}
