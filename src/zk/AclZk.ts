// Kafka-level operations on the ACL stores (Kafka's KafkaZkClient ACL section): read a resource's ACLs with their
// zkVersion, write them conditionally (create, set or delete when empty), list resources, and the change
// notifications every broker's authorizer follows.
import type { Unsubscribe } from './api';
import type { KafkaZkCore } from './KafkaZkCore';
import { BadVersionError, NoNodeError, NodeExistsError } from './ZkClient';
import { AclChangeNotificationZNode, AclStores, ResourceZNode } from './securityZnodes';
import { parseResourceType, type AccessControlEntry, type PatternType, type ResourcePattern, type ResourceTypeName } from '../security/acl/model';

export interface ZkVersionedAcls {
  acls: AccessControlEntry[];
  /** -1 when the znode does not exist (Kafka's ZkVersion.UnknownVersion). */
  zkVersion: number;
}

export class AclZk {
  constructor(private readonly c: KafkaZkCore) {}

  /** Creates the ACL roots and change paths (Kafka's createAclPaths). */
  async createAclPaths(): Promise<void> {
    for (const p of AclStores.allPaths) await this.c.zk.createRecursive(p);
  }

  async getVersionedAcls(p: ResourcePattern): Promise<ZkVersionedAcls> {
    const path = ResourceZNode.path(p);
    const r = await this.c.getDataIfExists(path);
    if (!r) return { acls: [], zkVersion: -1 };
    return { acls: ResourceZNode.decode(path, r.data), zkVersion: r.stat.version };
  }

  /**
   * Writes a resource's ACLs if its znode is still at `expectedZkVersion` (-1: must not exist yet); an empty list
   * deletes the znode. Returns the new zkVersion, or null when someone else changed it first (the caller re-reads).
   */
  async conditionalSetAcls(p: ResourcePattern, acls: readonly AccessControlEntry[], expectedZkVersion: number): Promise<number | null> {
    const path = ResourceZNode.path(p);
    try {
      if (acls.length === 0) {
        if (expectedZkVersion >= 0) await this.c.zk.delete(path, expectedZkVersion);
        return -1;
      }
      if (expectedZkVersion < 0) {
        try {
          await this.c.zk.create(path, ResourceZNode.encode(acls));
        } catch (e) {
          if (!(e instanceof NoNodeError)) throw e;
          await this.c.zk.createRecursive(ResourceZNode.typePath(p.patternType, p.resourceType));
          await this.c.zk.create(path, ResourceZNode.encode(acls));
        }
        return 0;
      }
      return (await this.c.zk.setData(path, ResourceZNode.encode(acls), expectedZkVersion)).version;
    } catch (e) {
      if (e instanceof BadVersionError || e instanceof NodeExistsError || e instanceof NoNodeError) return null;
      throw e;
    }
  }

  /** Resource types present in a store (PascalCase znode names mapped back; unknown ones skipped). */
  async getResourceTypes(patternType: PatternType): Promise<ResourceTypeName[]> {
    const children = await this.childrenOrEmpty(AclStores.aclPath(patternType));
    return children.map((c) => parseResourceType(c)).filter((t): t is ResourceTypeName => t !== null);
  }

  getResourceNames(patternType: PatternType, resourceType: ResourceTypeName): Promise<string[]> {
    return this.childrenOrEmpty(ResourceZNode.typePath(patternType, resourceType));
  }

  /** Writes the change notification of a resource to its store's change path. */
  async createAclChangeNotification(p: ResourcePattern): Promise<void> {
    const path = AclChangeNotificationZNode.createPath(p.patternType);
    const data = AclChangeNotificationZNode.encode(p);
    try {
      await this.c.zk.create(path, data, 'persistentSequential');
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
      await this.c.zk.createRecursive(AclStores.changePath(p.patternType));
      await this.c.zk.create(path, data, 'persistentSequential');
    }
  }

  getAclChangeNotifications(store: PatternType): Promise<string[]> {
    return this.childrenOrEmpty(AclStores.changePath(store)).then((cs) => cs.filter((c) => c.startsWith(AclStores.changePrefix)));
  }

  /** One notification's resource and creation time; null when it is gone. Throws ZNodeDecodeError on bad content. */
  async getAclChangeNotification(store: PatternType, id: string): Promise<{ resource: ResourcePattern; ctime: number } | null> {
    const path = `${AclStores.changePath(store)}/${id}`;
    const r = await this.c.getDataIfExists(path);
    return r && { resource: AclChangeNotificationZNode.decode(store, path, r.data), ctime: r.stat.ctime };
  }

  async getAclChangeNotificationCtime(store: PatternType, id: string): Promise<number | null> {
    const s = await this.c.zk.exists(`${AclStores.changePath(store)}/${id}`);
    return s ? s.ctime : null;
  }

  async deleteAclChangeNotification(store: PatternType, id: string): Promise<void> {
    try {
      await this.c.zk.delete(`${AclStores.changePath(store)}/${id}`, -1);
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
    }
  }

  onAclChangeNotifications(store: PatternType, cb: () => void): Unsubscribe {
    return this.c.subscribe('children', AclStores.changePath(store), cb);
  }

  private async childrenOrEmpty(path: string): Promise<string[]> {
    try {
      return await this.c.zk.getChildren(path);
    } catch (e) {
      if (e instanceof NoNodeError) return [];
      throw e;
    }
  }
}
