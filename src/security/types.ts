// What the security pieces share: who a connection is (a Kafka principal) and the SCRAM credentials a broker
// checks a client against (stored in ZooKeeper under /config/users/<user>, shared/KAFKA-FORMATS.md §3).

/** Kafka's KafkaPrincipal: `User:alice`, or `User:ANONYMOUS` on a PLAINTEXT or SSL-without-client-auth listener. */
export interface KafkaPrincipal {
  readonly type: string;
  readonly name: string;
}

export const ANONYMOUS: KafkaPrincipal = Object.freeze({ type: 'User', name: 'ANONYMOUS' });

export const principalToString = (p: KafkaPrincipal): string => `${p.type}:${p.name}`;

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** One user's stored SCRAM credential for one mechanism (RFC 5802: the server never stores the password). */
export interface ScramCredential {
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
  iterations: number;
}

/** Looks up stored credentials (the broker keeps them current from ZooKeeper). */
export interface ScramCredentialProvider {
  credential(user: string, mechanism: ScramMechanism): ScramCredential | null;
}
