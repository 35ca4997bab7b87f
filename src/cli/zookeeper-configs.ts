// `brook configs --zookeeper`: user and client configs (SCRAM credentials, quotas) written straight to ZooKeeper as
// Kafka's `kafka-configs.sh --zookeeper` does, so inter-broker SCRAM users exist before any broker starts.
// Like the process starters, this file reaches ZooKeeper directly (see test/unit/layering.test.ts).
import { KafkaZkClient } from '../zk/KafkaZkClient';
import type { QuotaEntityPath } from '../zk/securityZnodes';
import { credentialToString, credentialsFromUserConfig } from '../security/scram/credentials';
import { generateCredential, isScramMechanism, newSalt } from '../security/scram/formatter';
import { sanitize } from '../security/scram/sanitizer';
import { UsageError } from '../client';
import type { UserClientEntity } from './commands/configs-users-clients';
import { QUOTA_CONFIG_KEYS, parseScramValue } from './commands/configs-users-clients';

function entityPath(e: UserClientEntity): QuotaEntityPath {
  const s = (n: string | null): string => (n === null ? '<default>' : sanitize(n));
  if (e.user !== undefined && e.clientId !== undefined) return { kind: 'user-clients', user: s(e.user), client: s(e.clientId) };
  if (e.user !== undefined) return { kind: 'users', user: s(e.user) };
  if (e.clientId !== undefined) return { kind: 'clients', client: s(e.clientId) };
  throw new UsageError('--entity-name or --entity-default is required');
}

/** Kafka's ConfigEntity.toString: `user-principal 'alice'`, `default client-id`, `user-principal 'a', client-id 'c'`. */
function entityString(e: UserClientEntity): string {
  const one = (type: string, n: string | null): string => (n === null ? `default ${type}` : `${type} '${n}'`);
  return [...(e.user !== undefined ? [one('user-principal', e.user)] : []), ...(e.clientId !== undefined ? [one('client-id', e.clientId)] : [])].join(', ');
}

async function withZk<T>(zkConnect: string, fn: (zk: KafkaZkClient) => Promise<T>): Promise<T> {
  const zk = await KafkaZkClient.connect(zkConnect, { sessionTimeoutMs: 30_000, connectionTimeoutMs: 30_000 });
  try {
    return await fn(zk);
  } finally {
    await zk.close();
  }
}

/** Merges the additions and removals into the entity's znode and writes the change notification; returns the message. */
export async function alterWithZookeeper(zkConnect: string, e: UserClientEntity, add: Map<string, string>, del: string[]): Promise<string> {
  for (const k of [...add.keys(), ...del]) {
    if (!isScramMechanism(k) && !QUOTA_CONFIG_KEYS.has(k)) throw new UsageError(`Invalid config(s): ${k}`);
    if (isScramMechanism(k) && (e.user === undefined || e.user === null || e.clientId !== undefined)) throw new UsageError(`${k} can only be set for a named user`);
  }
  const path = entityPath(e);
  return withZk(zkConnect, async (zk) => {
    const config = { ...(await zk.entityConfigs.getEntityConfig(path)) };
    const missing = del.filter((k) => !(k in config));
    if (missing.length > 0) throw new UsageError(`Invalid config(s): ${missing.join(',')}`);
    for (const [k, v] of add) {
      if (isScramMechanism(k)) {
        const { password, iterations } = parseScramValue(k, v);
        config[k] = credentialToString(generateCredential(k, password, newSalt(), iterations));
      } else config[k] = v;
    }
    for (const k of del) delete config[k];
    await zk.entityConfigs.setEntityConfig(path, config);
    return `Completed updating config for entity: ${entityString(e)}.`;
  });
}

/** Kafka's ZooKeeper-mode describe: `Configs for user-principal 'alice' are SCRAM-SHA-256=salt=…,…` (credentials shown as stored). */
export async function describeWithZookeeper(zkConnect: string, e: UserClientEntity): Promise<string> {
  return withZk(zkConnect, async (zk) => {
    const config = await zk.entityConfigs.getEntityConfig(entityPath(e));
    // Credentials are listed by mechanism and iterations only: the stored keys are secrets.
    const creds = credentialsFromUserConfig(config);
    const parts = Object.entries(config).map(([k, v]) => (creds.has(k as never) ? `${k}=iterations=${creds.get(k as never)!.iterations}` : `${k}=${v}`));
    return `Configs for ${entityString(e)} are ${parts.join(',')}`;
  });
}
