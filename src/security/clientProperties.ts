// Kafka client properties (a tool's --command-config file) to the security of its connections: security.protocol,
// ssl.* and sasl.mechanism / sasl.jaas.config, as Kafka's clients read them.
import { parseProperties } from '../config/properties';
import { clientCredentials, parseJaasConfig } from './sasl/jaas';
import { clientTlsOptions, SUPPORTED_SASL_MECHANISMS, type ClientSecurity } from './listenerSecurity';
import type { SslIo } from './ssl/sslConfig';

export class ClientSecurityConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientSecurityConfigError';
  }
}

export function clientSecurityFromProperties(props: ReadonlyMap<string, string>, io: SslIo): ClientSecurity {
  const protocol = (props.get('security.protocol') ?? 'PLAINTEXT').trim().toUpperCase();
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) {
    throw new ClientSecurityConfigError(`security.protocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, got "${props.get('security.protocol')}"`);
  }
  const out: { tls?: ClientSecurity['tls']; sasl?: ClientSecurity['sasl'] } = {};
  if (protocol === 'SSL' || protocol === 'SASL_SSL') {
    try {
      out.tls = clientTlsOptions((k) => props.get(k), io, 'client');
    } catch (e) {
      throw new ClientSecurityConfigError((e as Error).message);
    }
  }
  if (protocol.startsWith('SASL_')) {
    const mechanism = (props.get('sasl.mechanism') ?? 'GSSAPI').trim();
    if (!SUPPORTED_SASL_MECHANISMS.includes(mechanism)) throw new ClientSecurityConfigError(`sasl.mechanism=${mechanism} is not supported (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)`);
    const jaas = props.get('sasl.jaas.config');
    if (jaas === undefined) throw new ClientSecurityConfigError('sasl.jaas.config is required with a SASL security.protocol (e.g. org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="…";)');
    let creds;
    try {
      creds = clientCredentials(parseJaasConfig(jaas));
    } catch (e) {
      throw new ClientSecurityConfigError(`sasl.jaas.config: ${(e as Error).message}`);
    }
    if (creds === null) throw new ClientSecurityConfigError('sasl.jaas.config must set username and password');
    out.sasl = { mechanism, ...creds };
  }
  return out;
}

/** A Java properties text (the client file format Kafka's tools take). */
export const parseClientProperties = (text: string): Map<string, string> => parseProperties(text);
