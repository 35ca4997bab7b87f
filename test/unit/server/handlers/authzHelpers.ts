// Shared by the handler authorization tests: a real AclAuthorizer over an in-memory ACL store, ACLs written in a
// short form, and request contexts for a principal (the connection's) calling from 127.0.0.1.
import { AclAuthorizer } from '../../../../src/server/authorizer/AclAuthorizer';
import type { AclZk, ZkVersionedAcls } from '../../../../src/zk/AclZk';
import type { SecurityServices } from '../../../../src/server/authorizer/SecurityServices';
import type { AccessControlEntry, AclOperation, PatternType, ResourcePattern, ResourceTypeName } from '../../../../src/security/acl/model';
import type { ApiDef, RequestInput, ResponseOf } from '../../../../src/protocol/schema';
import { decodeRequest, encodeRequest, readRequestHeader } from '../../../../src/protocol/codec';
import type { Handler, HandlerResult, RequestContext } from '../../../../src/server/handlers/types';
import type { BrokerServices } from '../../../../src/server/BrokerServices';
import { requestContext } from '../helpers';

/** The parts of AclZk the authorizer uses, over a Map, with a hook to simulate another writer. */
export class MemoryAclZk {
  readonly nodes = new Map<string, { acls: AccessControlEntry[]; version: number }>();
  readonly notifications: ResourcePattern[] = [];
  beforeWrite: (() => void) | null = null;
  private key = (p: ResourcePattern): string => `${p.patternType}/${p.resourceType}/${p.name}`;
  async createAclPaths(): Promise<void> {}
  async getResourceTypes(): Promise<never[]> { return []; }
  async getResourceNames(): Promise<string[]> { return []; }
  async getVersionedAcls(p: ResourcePattern): Promise<ZkVersionedAcls> {
    const n = this.nodes.get(this.key(p));
    return n ? { acls: [...n.acls], zkVersion: n.version } : { acls: [], zkVersion: -1 };
  }
  async conditionalSetAcls(p: ResourcePattern, acls: AccessControlEntry[], expected: number): Promise<number | null> {
    const hook = this.beforeWrite;
    this.beforeWrite = null;
    hook?.();
    const k = this.key(p);
    const cur = this.nodes.get(k);
    if ((cur?.version ?? -1) !== expected) return null;
    if (acls.length === 0) { this.nodes.delete(k); return -1; }
    const version = cur ? cur.version + 1 : 0;
    this.nodes.set(k, { acls: [...acls], version });
    return version;
  }
  async createAclChangeNotification(p: ResourcePattern): Promise<void> { this.notifications.push(p); }
  async getAclChangeNotifications(): Promise<string[]> { return []; }
  onAclChangeNotifications(): () => void { return () => undefined; }
}

/** One ACL: `allow('User:alice', 'READ', 'TOPIC', 'orders')`, optionally prefixed. */
export interface Acl {
  principal: string;
  operation: AclOperation;
  resourceType: ResourceTypeName;
  name: string;
  permissionType: 'ALLOW' | 'DENY';
  patternType?: PatternType;
  host?: string;
}
export const allow = (principal: string, operation: AclOperation, resourceType: ResourceTypeName, name: string, patternType: PatternType = 'LITERAL'): Acl =>
  ({ principal, operation, resourceType, name, permissionType: 'ALLOW', patternType });
export const deny = (principal: string, operation: AclOperation, resourceType: ResourceTypeName, name: string, patternType: PatternType = 'LITERAL'): Acl =>
  ({ principal, operation, resourceType, name, permissionType: 'DENY', patternType });

/** A started authorizer holding `acls` (super user User:admin; allow.everyone.if.no.acl.found as given). */
export async function authorizerWith(acls: readonly Acl[], allowEveryoneIfNoAclFound = false): Promise<AclAuthorizer> {
  const a = new AclAuthorizer(new MemoryAclZk() as unknown as AclZk, AclAuthorizer.settingsFrom('User:admin', allowEveryoneIfNoAclFound), 1);
  await a.startup();
  const errors = await a.createAcls(acls.map((x) => ({
    pattern: { resourceType: x.resourceType, name: x.name, patternType: x.patternType ?? 'LITERAL' },
    entry: { principal: x.principal, host: x.host ?? '*', operation: x.operation, permissionType: x.permissionType },
  })));
  if (errors.some((e) => e !== null)) throw new Error(`could not create ACLs: ${JSON.stringify(errors)}`);
  return a;
}

/** A handler context for User:<user> on connection 7 from 127.0.0.1, with the authorizer and the given services. */
export function securedContext(authorizer: AclAuthorizer | null, user: string, opts: {
  services?: Partial<BrokerServices>;
  apiVersion?: number;
  metadataCache?: RequestContext['metadataCache'];
  security?: Partial<SecurityServices>;
} = {}): RequestContext {
  const security = { authorizer, ...opts.security } as SecurityServices;
  const base = requestContext({ services: { security, ...opts.services }, apiVersion: opts.apiVersion, metadataCache: opts.metadataCache });
  const connection = { id: 7, listenerName: 'PLAINTEXT', remoteAddress: '127.0.0.1', remotePort: 50000, principal: { type: 'User', name: user }, closeAfterPending: () => undefined };
  return { ...base, connection: connection as unknown as RequestContext['connection'] };
}

/** Sends `body` through the codec at the context's version (absent fields take their defaults) and runs the handler. */
export async function call<A extends ApiDef>(handler: Handler<A>, ctx: RequestContext, body: RequestInput<A>): Promise<ResponseOf<A>> {
  const frame = encodeRequest(handler.api, ctx.apiVersion, { correlationId: 1, clientId: 'test' }, body).subarray(4);
  const req = decodeRequest(handler.api, ctx.apiVersion, frame, readRequestHeader(frame).bodyOffset);
  return answer(handler.handle(req, ctx));
}

export async function answer<A extends ApiDef>(r: Promise<HandlerResult<A>> | HandlerResult<A>): Promise<ResponseOf<A>> {
  const v = await r;
  if ('noResponse' in v) throw new Error('handler sent no response');
  return v as ResponseOf<A>;
}
