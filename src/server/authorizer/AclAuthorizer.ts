// Kafka 2.8's AclAuthorizer over ZooKeeper: loads every ACL at start, follows /kafka-acl-changes and
// /kafka-acl-extended-changes so a change made on any broker (or by Kafka's own kafka-acls.sh) applies here within
// moments, answers authorize() from its cache with the rules of src/security/acl/matching.ts, and serves
// CreateAcls/DeleteAcls/DescribeAcls with conditional znode updates followed by a change notification.
import type { AclZk } from '../../zk/AclZk';
import { AsyncLock } from '../../util/AsyncLock';
import { moduleLogger, type Logger } from '../../util/logger';
import {
  AclCache, authorizeAction, entriesMinus, entriesUnion, entryFilterMatches, parseSuperUsers, patternFilterIsExact,
  patternFilterMatches, sameEntries, type AuthorizerSettings,
} from '../../security/acl/matching';
import {
  entryKey, patternKey, type AccessControlEntry, type AclBinding, type AclBindingFilter, type AclOperation, type PatternType, type ResourcePattern,
  type ResourceTypeName, WILDCARD_HOST, WILDCARD_PRINCIPAL, WILDCARD_RESOURCE,
} from '../../security/acl/model';
import { NotificationFollower } from './NotificationFollower';

/** The authorizer class names that enable ACLs (Kafka 2.8's, and the deprecated pre-2.4 one). */
export const ACL_AUTHORIZER_CLASS_NAMES = ['kafka.security.authorizer.AclAuthorizer', 'kafka.security.auth.SimpleAclAuthorizer'];

/** Kafka's changeExpirationMs of ACL change notifications. */
const CHANGE_EXPIRATION_MS = 15 * 60 * 1000;
const MAX_UPDATE_RETRIES = 10;

export interface AclError {
  /** Wire error code. */
  code: number;
  message: string;
}

export interface AclDeleteResult {
  /** Per matching binding: the binding and its error, null when deleted. */
  deleted: Array<{ binding: AclBinding; error: AclError | null }>;
}

const UNKNOWN_SERVER_ERROR = -1;

export class AclAuthorizer {
  private readonly cache = new AclCache();
  /** Serialises cache updates from requests and from notifications (Kafka's `lock`). */
  private readonly lock = new AsyncLock();
  private readonly followers: NotificationFollower[] = [];
  private readonly log: Logger;
  private started = false;

  constructor(private readonly zk: AclZk, readonly settings: AuthorizerSettings, brokerId: number) {
    this.log = moduleLogger('authorizer', { brokerId });
  }

  /** Settings from broker properties: `super.users`, `allow.everyone.if.no.acl.found`. */
  static settingsFrom(superUsers: string | null | undefined, allowEveryone: boolean): AuthorizerSettings {
    return { superUsers: parseSuperUsers(superUsers), allowEveryoneIfNoAclFound: allowEveryone };
  }

  /** Creates the ACL paths, starts following changes, then loads the cache (no window where a change is missed). */
  async startup(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.zk.createAclPaths();
    for (const store of ['LITERAL', 'PREFIXED'] as const) {
      const f = new NotificationFollower({
        list: () => this.zk.getAclChangeNotifications(store),
        sequenceOf: (id) => Number(id.slice('acl_changes_'.length)),
        handle: async (id) => {
          const n = await this.zk.getAclChangeNotification(store, id);
          if (n) await this.processAclChangeNotification(n.resource);
        },
        ctime: (id) => this.zk.getAclChangeNotificationCtime(store, id),
        remove: (id) => this.zk.deleteAclChangeNotification(store, id),
        subscribe: (cb) => this.zk.onAclChangeNotifications(store, cb),
      }, this.log, CHANGE_EXPIRATION_MS);
      f.startup();
      this.followers.push(f);
    }
    await this.loadCache();
    this.log.info({ resources: this.cache.patterns().length, superUsers: [...this.settings.superUsers] }, 'ACL authorizer started');
  }

  shutdown(): void {
    for (const f of this.followers.splice(0)) f.shutdown();
    this.started = false;
  }

  /** Resolves once the change notifications received so far are applied (tests). */
  async idle(): Promise<void> {
    await Promise.all(this.followers.map((f) => f.idle()));
    await this.lock.run(() => undefined);
  }

  /** Whether `principal` (`User:alice`) connecting from `host` (IP text) may perform `operation` on the resource. */
  authorize(principal: string, host: string, operation: AclOperation, resourceType: ResourceTypeName, name: string): boolean {
    const ok = authorizeAction(this.cache, this.settings, principal, host, operation, resourceType, name);
    if (!ok) this.log.debug({ principal, host, operation, resourceType, name }, 'denied');
    return ok;
  }

  /**
   * Kafka 2.8's authorizeByResourceType (KIP-679): whether `principal` may perform `operation` on some resource of the
   * type, i.e. an ALLOW applies that no DENY dominates (a DENY on the literal name or on a prefix of it, or a literal
   * `*` DENY on all). Only the exact operation or ALL counts, as in Kafka. InitProducerId asks it for WRITE on topics.
   */
  authorizeByResourceType(principal: string, host: string, operation: AclOperation, resourceType: ResourceTypeName): boolean {
    if (this.settings.superUsers.has(principal)) return true;
    const bindings = this.cache.bindings().filter((b) => b.pattern.resourceType === resourceType
      && (b.entry.principal === principal || b.entry.principal === WILDCARD_PRINCIPAL)
      && (b.entry.host === host || b.entry.host === WILDCARD_HOST)
      && (b.entry.operation === operation || b.entry.operation === 'ALL'));
    const names = (permission: 'ALLOW' | 'DENY', patternType: PatternType): Set<string> =>
      new Set(bindings.filter((b) => b.entry.permissionType === permission && b.pattern.patternType === patternType).map((b) => b.pattern.name));
    const denyLiterals = names('DENY', 'LITERAL');
    if (denyLiterals.has(WILDCARD_RESOURCE)) return false;
    if (this.settings.allowEveryoneIfNoAclFound) return true;
    const denyPrefixes = names('DENY', 'PREFIXED');
    const allowLiterals = names('ALLOW', 'LITERAL');
    const allowPrefixes = names('ALLOW', 'PREFIXED');
    if (denyLiterals.size === 0 && denyPrefixes.size === 0) return allowLiterals.size > 0 || allowPrefixes.size > 0;
    const dominatedByPrefix = (name: string): boolean => {
      for (let i = 1; i <= name.length; i++) if (denyPrefixes.has(name.slice(0, i))) return true;
      return false;
    };
    return [...allowPrefixes].some((p) => !dominatedByPrefix(p))
      || [...allowLiterals].some((l) => l === WILDCARD_RESOURCE || (!denyLiterals.has(l) && !dominatedByPrefix(l)));
  }

  /** The bindings a filter selects (DescribeAcls). */
  acls(filter: AclBindingFilter): AclBinding[] {
    return this.cache.bindings(filter);
  }

  /** Adds bindings, grouped per resource pattern; one result per binding (null = created). */
  async createAcls(bindings: readonly AclBinding[]): Promise<Array<AclError | null>> {
    const results: Array<AclError | null> = bindings.map(() => null);
    const groups = new Map<string, { pattern: ResourcePattern; idx: number[] }>();
    bindings.forEach((b, i) => {
      const k = patternKey(b.pattern);
      const g = groups.get(k) ?? { pattern: b.pattern, idx: [] };
      g.idx.push(i);
      groups.set(k, g);
    });
    await this.lock.run(async () => {
      for (const { pattern, idx } of groups.values()) {
        try {
          await this.updateResourceAcls(pattern, (cur) => entriesUnion(cur, idx.map((i) => bindings[i]!.entry)));
        } catch (e) {
          this.log.error({ err: e, pattern }, 'could not create ACLs');
          for (const i of idx) results[i] = { code: UNKNOWN_SERVER_ERROR, message: (e as Error).message };
        }
      }
    });
    return results;
  }

  /** Removes what each filter matches; per filter, the bindings it removed (Kafka's deleteAcls). */
  async deleteAcls(filters: readonly AclBindingFilter[]): Promise<AclDeleteResult[]> {
    const results: AclDeleteResult[] = filters.map(() => ({ deleted: [] }));
    await this.lock.run(async () => {
      // Candidate patterns: those in the cache, plus the exact ones named by filters (their ACLs may not have
      // reached this broker's cache yet).
      const candidates = new Map<string, ResourcePattern>(this.cache.patterns().map((p) => [patternKey(p), p]));
      for (const f of filters) {
        if (patternFilterIsExact(f.pattern)) candidates.set(patternKey(f.pattern), f.pattern);
        else if (f.pattern.patternType === 'ANY' && f.pattern.resourceType !== 'ANY' && f.pattern.name !== null) {
          for (const patternType of ['LITERAL', 'PREFIXED'] as PatternType[]) {
            const p = { resourceType: f.pattern.resourceType, name: f.pattern.name, patternType };
            candidates.set(patternKey(p), p);
          }
        }
      }
      for (const pattern of candidates.values()) {
        const matching = filters.map((f, i) => ({ f, i })).filter(({ f }) => patternFilterMatches(f.pattern, pattern));
        if (matching.length === 0) continue;
        const removedHere: Array<{ binding: AclBinding; filterIndex: number }> = [];
        try {
          await this.updateResourceAcls(pattern, (cur) => {
            removedHere.length = 0;
            const drop = cur.filter((e) => {
              const m = matching.find(({ f }) => entryFilterMatches(f.entry, e));
              if (m) removedHere.push({ binding: { pattern, entry: e }, filterIndex: m.i });
              return m !== undefined;
            });
            return entriesMinus(cur, drop);
          });
          for (const r of removedHere) results[r.filterIndex]!.deleted.push({ binding: r.binding, error: null });
        } catch (e) {
          this.log.error({ err: e, pattern }, 'could not delete ACLs');
          for (const r of removedHere) {
            results[r.filterIndex]!.deleted.push({ binding: r.binding, error: { code: UNKNOWN_SERVER_ERROR, message: (e as Error).message } });
          }
        }
      }
    });
    return results;
  }

  private async loadCache(): Promise<void> {
    await this.lock.run(async () => {
      for (const patternType of ['LITERAL', 'PREFIXED'] as PatternType[]) {
        for (const resourceType of await this.zk.getResourceTypes(patternType)) {
          for (const name of await this.zk.getResourceNames(patternType, resourceType)) {
            const p: ResourcePattern = { resourceType, name, patternType };
            try {
              this.cache.set(p, await this.zk.getVersionedAcls(p));
            } catch (e) {
              this.log.error({ err: e, pattern: p }, 'could not load ACLs of a resource; skipping it');
            }
          }
        }
      }
    });
  }

  private async processAclChangeNotification(p: ResourcePattern): Promise<void> {
    await this.lock.run(async () => {
      const v = await this.zk.getVersionedAcls(p);
      this.log.info({ resource: p, acls: v.acls.length, zkVersion: v.zkVersion }, 'processing ACL change notification');
      this.cache.set(p, v);
    });
  }

  /**
   * Kafka's updateResourceAcls: starts from the cached (or stored) ACLs, writes the new set conditionally on the
   * zkVersion, re-reads and retries on a conflict; updates the cache and, if anything changed, notifies.
   * Must run under `lock`.
   */
  private async updateResourceAcls(p: ResourcePattern, change: (cur: readonly AccessControlEntry[]) => AccessControlEntry[]): Promise<boolean> {
    let current = this.cache.get(p) ?? (await this.zk.getVersionedAcls(p));
    for (let attempt = 0; attempt <= MAX_UPDATE_RETRIES; attempt++) {
      const next = change(current.acls);
      const newVersion = sameEntries(next, current.acls) && current.zkVersion >= 0
        ? current.zkVersion
        : await this.zk.conditionalSetAcls(p, next, current.zkVersion);
      if (newVersion === null) {
        await new Promise((r) => setTimeout(r, 100 + Math.floor(Math.random() * 50)));
        current = await this.zk.getVersionedAcls(p);
        continue;
      }
      this.cache.set(p, { acls: next, zkVersion: next.length === 0 ? -1 : newVersion });
      if (!sameEntries(next, current.acls)) {
        this.log.info({ resource: p, acls: next.map(entryKey).length }, 'updated ACLs');
        await this.zk.createAclChangeNotification(p);
        return true;
      }
      return false;
    }
    throw new Error(`Failed to update ACLs for ${p.resourceType}:${p.patternType}:${p.name} after ${MAX_UPDATE_RETRIES} attempts`);
  }
}
