// What the security features hand to request handlers: the ACL authorizer (null when authorizer.class.name is not
// set), the SCRAM credential store, and the client quota managers. KafkaServer builds them (securityStartup.ts).
import type { AclAuthorizer } from './AclAuthorizer';
import type { ScramCredentialStore } from './ScramCredentialStore';
import type { ClientQuotas } from '../quota/ClientQuotas';

export interface SecurityServices {
  readonly authorizer: AclAuthorizer | null;
  readonly scram: ScramCredentialStore;
  readonly quotas: ClientQuotas;
}
