// Secured local clusters: a throwaway CA, an inter-broker listener INTERNAL (SASL_SSL by default) and extra client
// listeners named after their protocols (SSL, SASL_PLAINTEXT, SASL_SSL) next to the PLAINTEXT one the harness uses.
import * as path from 'node:path';
import { makeCerts, type CertsResult } from '../util/certs';
import type { Overrides } from './cluster';

export type SecureProtocol = 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export type SaslMechanismName = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface ClusterSecurityOptions {
  /** Protocol of the INTERNAL listener brokers talk to each other on; default SASL_SSL. */
  interBrokerProtocol?: SecureProtocol;
  /** sasl.mechanism.inter.broker.protocol; default PLAIN (SCRAM needs the broker user's credentials in ZooKeeper). */
  interBrokerMechanism?: SaslMechanismName;
  /** Client listeners besides PLAINTEXT, each named after its protocol; default SSL, SASL_PLAINTEXT and SASL_SSL. */
  clientListeners?: SecureProtocol[];
  /** sasl.enabled.mechanisms of every SASL listener; default PLAIN. */
  mechanisms?: SaslMechanismName[];
  /** PLAIN users besides the brokers' own (`broker` / `broker-secret`); default alice / alice-secret. */
  users?: Record<string, string>;
  /** ssl.client.auth of the SSL client listener; default none. */
  sslClientAuth?: 'none' | 'requested' | 'required';
  /** ssl.principal.mapping.rules; default DEFAULT. */
  principalMappingRules?: string;
}

export const BROKER_USER = 'broker';
export const BROKER_PASSWORD = 'broker-secret';

export function makeClusterCerts(dataDir: string): CertsResult {
  return makeCerts(path.join(dataDir, 'certs'), { clients: ['client'], expiredClient: true });
}

const LOGIN_MODULE: Record<SaslMechanismName, string> = {
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
};

/** The extra listeners a broker gets (name = protocol, plus INTERNAL). */
export function securedListenerNames(sec: ClusterSecurityOptions): string[] {
  return ['INTERNAL', ...(sec.clientListeners ?? ['SSL', 'SASL_PLAINTEXT', 'SASL_SSL'])];
}

/** Broker properties for a secured broker whose PLAINTEXT port is `port` and extra listeners `ports`. */
export function securityOverrides(sec: ClusterSecurityOptions, certs: CertsResult, host: string, port: number, ports: ReadonlyMap<string, number>): Overrides {
  const internal = sec.interBrokerProtocol ?? 'SASL_SSL';
  const mechanism = sec.interBrokerMechanism ?? 'PLAIN';
  const mechanisms = sec.mechanisms ?? ['PLAIN'];
  const users = { [BROKER_USER]: BROKER_PASSWORD, ...(sec.users ?? { alice: 'alice-secret' }) };
  const protocols = new Map<string, string>([['PLAINTEXT', 'PLAINTEXT'], ['INTERNAL', internal]]);
  for (const l of sec.clientListeners ?? ['SSL', 'SASL_PLAINTEXT', 'SASL_SSL']) protocols.set(l, l);
  const o: Overrides = {
    listeners: [...protocols.keys()].map((name) => `${name}://${host}:${name === 'PLAINTEXT' ? port : ports.get(name)}`).join(','),
    'listener.security.protocol.map': [...protocols].map(([n, p]) => `${n}:${p}`).join(','),
    'inter.broker.listener.name': 'INTERNAL',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': path.join(certs.dir, 'broker-keystore.pem'),
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': certs.caPem,
    'ssl.principal.mapping.rules': sec.principalMappingRules ?? 'DEFAULT',
    'sasl.enabled.mechanisms': [...new Set([...mechanisms, mechanism])].join(','),
    'sasl.mechanism.inter.broker.protocol': mechanism,
  };
  if (sec.sslClientAuth !== undefined) o['listener.name.ssl.ssl.client.auth'] = sec.sslClientAuth;
  const plainJaas = `${LOGIN_MODULE.PLAIN} required username="${BROKER_USER}" password="${BROKER_PASSWORD}" ${Object.entries(users).map(([u, p]) => `user_${u}="${p}"`).join(' ')};`;
  for (const [name, protocol] of protocols) {
    if (!protocol.startsWith('SASL_')) continue;
    const l = name.toLowerCase();
    o[`listener.name.${l}.plain.sasl.jaas.config`] = plainJaas;
    for (const m of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
      o[`listener.name.${l}.${m.toLowerCase()}.sasl.jaas.config`] = `${LOGIN_MODULE[m]} required username="${BROKER_USER}" password="${BROKER_PASSWORD}";`;
    }
  }
  return o;
}
