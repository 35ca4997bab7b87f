// SCRAM credentials per user and mechanism, kept current from /config/users/<user> on every broker (Kafka's
// CredentialCache fed by UserConfigHandler), and the KIP-554 operations behind DescribeUserScramCredentials and
// AlterUserScramCredentials.
import type { ScramCredential, ScramCredentialProvider, ScramMechanism } from '../../security/types';
import { credentialToString, credentialsFromUserConfig } from '../../security/scram/credentials';
import { desanitize, sanitize } from '../../security/scram/sanitizer';
import type { EntityConfigZk } from '../../zk/EntityConfigZk';
import type { EntityConfigCache } from '../quota/EntityConfigCache';

export class ScramCredentialStore implements ScramCredentialProvider {
  private readonly creds = new Map<string, Map<ScramMechanism, ScramCredential>>();

  constructor(private readonly zk: EntityConfigZk, private readonly cache: EntityConfigCache) {
    cache.addListener((entity, config) => {
      if (entity.kind !== 'users' || entity.user === '<default>') return;
      const user = desanitize(entity.user);
      const c = credentialsFromUserConfig(config);
      if (c.size === 0) this.creds.delete(user);
      else this.creds.set(user, c);
    });
  }

  credential(user: string, mechanism: ScramMechanism): ScramCredential | null {
    return this.creds.get(user)?.get(mechanism) ?? null;
  }

  /** Users with credentials and, per user, its mechanisms with iteration counts (DescribeUserScramCredentials). */
  describe(): Map<string, Array<{ mechanism: ScramMechanism; iterations: number }>> {
    const out = new Map<string, Array<{ mechanism: ScramMechanism; iterations: number }>>();
    for (const [user, m] of this.creds) out.set(user, [...m].map(([mechanism, c]) => ({ mechanism, iterations: c.iterations })));
    return out;
  }

  /**
   * Applies one user's deletions and upsertions to /config/users/<user> in one write (other keys, such as quotas,
   * are kept), then the /config/changes notification; this broker applies it at once, the others on notification.
   */
  async alterUser(user: string, deletions: ScramMechanism[], upsertions: Array<{ mechanism: ScramMechanism; credential: ScramCredential }>): Promise<void> {
    const entity = { kind: 'users' as const, user: sanitize(user) };
    const config = { ...(await this.zk.getEntityConfig(entity)) };
    for (const m of deletions) delete config[m];
    for (const u of upsertions) config[u.mechanism] = credentialToString(u.credential);
    await this.zk.setEntityConfig(entity, config);
    await this.cache.reload(entity);
  }
}
