// The console's `--command-config`: Kafka client properties, checked here. The client library on this branch
// speaks PLAINTEXT only; once its TLS/SASL support lands (src/client/security.ts), these settings go to it.

export interface ConsoleSecurity {
  securityProtocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  saslMechanism: string | null;
  username: string | null;
}

const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

/** `k=v` lines (`#`/`!` comments, `:` also separates, backslash line continuations), as Java properties files. */
export function parsePropertiesText(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.replace(/\\\r?\n\s*/g, '').split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** Validates client properties for the console; throws naming the setting at fault. */
export function consoleSecurity(props: Map<string, string>): ConsoleSecurity {
  const protocol = (props.get('security.protocol') ?? 'PLAINTEXT').toUpperCase();
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) throw new Error(`security.protocol=${protocol}: expected one of ${PROTOCOLS.join(', ')}`);
  const sasl = protocol.startsWith('SASL_');
  let mechanism: string | null = null;
  let username: string | null = null;
  if (sasl) {
    mechanism = (props.get('sasl.mechanism') ?? 'GSSAPI').toUpperCase();
    if (!MECHANISMS.includes(mechanism)) throw new Error(`sasl.mechanism=${mechanism}: the console supports ${MECHANISMS.join(', ')}`);
    const jaas = props.get('sasl.jaas.config');
    if (jaas === undefined) throw new Error('sasl.jaas.config is missing (e.g. org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";)');
    const user = /username\s*=\s*"([^"]*)"/.exec(jaas);
    const pass = /password\s*=\s*"([^"]*)"/.exec(jaas);
    if (!user || !pass) throw new Error('sasl.jaas.config must give username="..." and password="..."');
    username = user[1]!;
  }
  return { securityProtocol: protocol as ConsoleSecurity['securityProtocol'], saslMechanism: mechanism, username };
}
