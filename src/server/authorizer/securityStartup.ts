// Builds and starts the broker's security services from its config (issue #17): the ACL authorizer when
// authorizer.class.name names Kafka's AclAuthorizer, the user/client config cache behind SCRAM credentials and
// client quotas. KafkaServer calls startSecurityServices before it opens its listeners.
import type { KafkaConfig } from '../../config/KafkaConfig';
import type { KafkaZkClient } from '../../zk/KafkaZkClient';
import { AclAuthorizer, ACL_AUTHORIZER_CLASS_NAMES } from './AclAuthorizer';
import { ScramCredentialStore } from './ScramCredentialStore';
import type { SecurityServices } from './SecurityServices';
import { EntityConfigCache } from '../quota/EntityConfigCache';
import { ClientQuotas } from '../quota/ClientQuotas';

const LONG_MAX = 9223372036854775807n;

export interface RunningSecurityServices extends SecurityServices {
  readonly entityConfigs: EntityConfigCache;
  shutdown(): void;
}

/** Whether the configured authorizer is one Brook implements; throws for another class name, as Kafka would fail to load it. */
export function aclAuthorizerEnabled(className: string | null | undefined): boolean {
  const name = (className ?? '').trim();
  if (name === '') return false;
  if (ACL_AUTHORIZER_CLASS_NAMES.includes(name)) return true;
  throw new Error(`authorizer.class.name=${name} is not supported; use kafka.security.authorizer.AclAuthorizer`);
}

export async function startSecurityServices(zk: KafkaZkClient, config: KafkaConfig): Promise<RunningSecurityServices> {
  const v = config.values;
  const brokerId = config.brokerId;
  const authorizer = aclAuthorizerEnabled(v['authorizer.class.name'])
    ? new AclAuthorizer(zk.acls, AclAuthorizer.settingsFrom(v['super.users'], v['allow.everyone.if.no.acl.found']), brokerId)
    : null;
  const entityConfigs = new EntityConfigCache(zk.entityConfigs, brokerId);
  const scram = new ScramCredentialStore(zk.entityConfigs, entityConfigs);
  const staticDefault = (x: bigint): number | null => (x >= LONG_MAX ? null : Number(x));
  const quotas = new ClientQuotas(zk.entityConfigs, entityConfigs, {
    rate: { samples: v['quota.window.num'], windowMs: v['quota.window.size.seconds'] * 1000 },
    producerDefault: staticDefault(v['quota.producer.default']),
    consumerDefault: staticDefault(v['quota.consumer.default']),
  });
  await authorizer?.startup();
  await entityConfigs.startup();
  return {
    authorizer,
    scram,
    quotas,
    entityConfigs,
    shutdown: () => {
      authorizer?.shutdown();
      entityConfigs.shutdown();
    },
  };
}
