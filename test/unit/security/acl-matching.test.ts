// Kafka 2.8 AclAuthorizer decision rules (KAFKA-FORMATS.md §4.2) and filter matching, on an in-memory AclCache.
import { AclCache, authorizeAction, bindingFilterMatches, parseSuperUsers, patternFilterMatches, type AuthorizerSettings } from '../../../src/security/acl/matching';
import { entryToString, patternToString, type AccessControlEntry, type ResourcePattern } from '../../../src/security/acl/model';

const lit = (name: string, resourceType: ResourcePattern['resourceType'] = 'TOPIC'): ResourcePattern => ({ resourceType, name, patternType: 'LITERAL' });
const pre = (name: string, resourceType: ResourcePattern['resourceType'] = 'TOPIC'): ResourcePattern => ({ resourceType, name, patternType: 'PREFIXED' });
const allow = (principal: string, operation: AccessControlEntry['operation'], host = '*'): AccessControlEntry => ({ principal, host, operation, permissionType: 'ALLOW' });
const deny = (principal: string, operation: AccessControlEntry['operation'], host = '*'): AccessControlEntry => ({ principal, host, operation, permissionType: 'DENY' });

const settings = (over: Partial<AuthorizerSettings> = {}): AuthorizerSettings => ({ superUsers: new Set(), allowEveryoneIfNoAclFound: false, ...over });

function cacheWith(...entries: Array<[ResourcePattern, AccessControlEntry[]]>): AclCache {
  const c = new AclCache();
  for (const [p, acls] of entries) c.set(p, { acls, zkVersion: 0 });
  return c;
}

const can = (c: AclCache, principal: string, op: AccessControlEntry['operation'], name: string, s = settings(), host = '10.0.0.1', type: ResourcePattern['resourceType'] = 'TOPIC'): boolean =>
  authorizeAction(c, s, principal, host, op, type, name);

describe('authorizeAction', () => {
  test('no ACL at all on the resource: allow.everyone.if.no.acl.found decides', () => {
    const c = cacheWith([lit('other'), [allow('User:bob', 'READ')]]);
    expect(can(c, 'User:alice', 'READ', 'orders')).toBe(false);
    expect(can(c, 'User:alice', 'READ', 'orders', settings({ allowEveryoneIfNoAclFound: true }))).toBe(true);
  });

  test('allow.everyone.if.no.acl.found does not apply once any ACL (literal, * or prefixed) matches the resource', () => {
    const s = settings({ allowEveryoneIfNoAclFound: true });
    expect(can(cacheWith([lit('orders'), [allow('User:bob', 'READ')]]), 'User:alice', 'READ', 'orders', s)).toBe(false);
    expect(can(cacheWith([lit('*'), [allow('User:bob', 'READ')]]), 'User:alice', 'READ', 'orders', s)).toBe(false);
    expect(can(cacheWith([pre('ord'), [allow('User:bob', 'READ')]]), 'User:alice', 'READ', 'orders', s)).toBe(false);
  });

  test('an ALLOW for the principal and operation allows; another principal or operation does not', () => {
    const c = cacheWith([lit('orders'), [allow('User:alice', 'READ')]]);
    expect(can(c, 'User:alice', 'READ', 'orders')).toBe(true);
    expect(can(c, 'User:alice', 'WRITE', 'orders')).toBe(false);
    expect(can(c, 'User:bob', 'READ', 'orders')).toBe(false);
  });

  test('DENY wins over ALLOW, also when the DENY comes from a wildcard resource, a prefix, User:* or ALL', () => {
    expect(can(cacheWith([lit('orders'), [allow('User:alice', 'READ'), deny('User:alice', 'READ')]]), 'User:alice', 'READ', 'orders')).toBe(false);
    expect(can(cacheWith([lit('orders'), [allow('User:alice', 'READ')]], [lit('*'), [deny('User:alice', 'READ')]]), 'User:alice', 'READ', 'orders')).toBe(false);
    expect(can(cacheWith([lit('orders'), [allow('User:alice', 'READ')]], [pre('ord'), [deny('User:*', 'ALL')]]), 'User:alice', 'READ', 'orders')).toBe(false);
  });

  test('a DENY for another host does not deny; one for this host or * does', () => {
    const c = cacheWith([lit('orders'), [allow('User:alice', 'READ'), deny('User:alice', 'READ', '10.9.9.9')]]);
    expect(can(c, 'User:alice', 'READ', 'orders')).toBe(true);
    expect(can(c, 'User:alice', 'READ', 'orders', settings(), '10.9.9.9')).toBe(false);
  });

  test('host matching: exact IP or *', () => {
    const c = cacheWith([lit('orders'), [allow('User:alice', 'READ', '10.0.0.1')]]);
    expect(can(c, 'User:alice', 'READ', 'orders', settings(), '10.0.0.1')).toBe(true);
    expect(can(c, 'User:alice', 'READ', 'orders', settings(), '10.0.0.2')).toBe(false);
  });

  test('implied operations: DESCRIBE by READ, WRITE, DELETE or ALTER; DESCRIBE_CONFIGS by ALTER_CONFIGS; nothing else', () => {
    for (const op of ['READ', 'WRITE', 'DELETE', 'ALTER'] as const) {
      expect(can(cacheWith([lit('t'), [allow('User:a', op)]]), 'User:a', 'DESCRIBE', 't')).toBe(true);
    }
    expect(can(cacheWith([lit('t'), [allow('User:a', 'CREATE')]]), 'User:a', 'DESCRIBE', 't')).toBe(false);
    expect(can(cacheWith([lit('t'), [allow('User:a', 'ALTER_CONFIGS')]]), 'User:a', 'DESCRIBE_CONFIGS', 't')).toBe(true);
    expect(can(cacheWith([lit('t'), [allow('User:a', 'READ')]]), 'User:a', 'WRITE', 't')).toBe(false);
    // A DENY of READ does not deny DESCRIBE (only the requested operation or ALL is checked for denials).
    expect(can(cacheWith([lit('t'), [allow('User:a', 'DESCRIBE'), deny('User:a', 'READ')]]), 'User:a', 'DESCRIBE', 't')).toBe(true);
  });

  test('ALL matches every operation, User:* every principal', () => {
    const c = cacheWith([lit('t'), [allow('User:*', 'ALL')]]);
    expect(can(c, 'User:x', 'WRITE', 't')).toBe(true);
    expect(can(c, 'User:y', 'ALTER_CONFIGS', 't')).toBe(true);
  });

  test('wildcard resource * and prefixed patterns apply; a prefix must start the name', () => {
    expect(can(cacheWith([lit('*'), [allow('User:a', 'READ')]]), 'User:a', 'READ', 'anything')).toBe(true);
    const c = cacheWith([pre('orders-'), [allow('User:a', 'WRITE')]]);
    expect(can(c, 'User:a', 'WRITE', 'orders-eu')).toBe(true);
    expect(can(c, 'User:a', 'WRITE', 'orders')).toBe(false);
    expect(can(c, 'User:a', 'WRITE', 'xorders-eu')).toBe(false);
  });

  test('resource types are separate: a topic ACL does not cover a group of the same name', () => {
    const c = cacheWith([lit('app'), [allow('User:a', 'READ')]]);
    expect(can(c, 'User:a', 'READ', 'app', settings(), '10.0.0.1', 'GROUP')).toBe(false);
  });

  test('super.users are allowed everything, matched exactly', () => {
    const c = cacheWith([lit('t'), [deny('User:*', 'ALL')]]);
    const s = settings({ superUsers: parseSuperUsers(' User:admin ; User:broker;') });
    expect(can(c, 'User:admin', 'WRITE', 't', s)).toBe(true);
    expect(can(c, 'User:broker', 'CLUSTER_ACTION', 'kafka-cluster', s, '1.1.1.1', 'CLUSTER')).toBe(true);
    expect(can(c, 'User:Admin', 'WRITE', 't', s)).toBe(false);
  });

  test('removing the last ACL of a pattern removes the pattern (no ACL left → allow.everyone applies again)', () => {
    const c = cacheWith([lit('t'), [allow('User:b', 'READ')]]);
    c.set(lit('t'), { acls: [], zkVersion: -1 });
    expect(c.patterns()).toEqual([]);
    expect(can(c, 'User:a', 'READ', 't', settings({ allowEveryoneIfNoAclFound: true }))).toBe(true);
  });
});

describe('filters (Kafka ResourcePatternFilter / AccessControlEntryFilter)', () => {
  test('MATCH selects the literal name, the literal * and the prefixes that start the name', () => {
    const f = { resourceType: 'TOPIC' as const, name: 'orders-eu', patternType: 'MATCH' as const };
    expect(patternFilterMatches(f, lit('orders-eu'))).toBe(true);
    expect(patternFilterMatches(f, lit('*'))).toBe(true);
    expect(patternFilterMatches(f, pre('orders'))).toBe(true);
    expect(patternFilterMatches(f, pre('orders-eu-1'))).toBe(false);
    expect(patternFilterMatches(f, lit('orders'))).toBe(false);
  });

  test('ANY matches the exact name in either pattern type; LITERAL only literal', () => {
    const any = { resourceType: 'TOPIC' as const, name: 'orders', patternType: 'ANY' as const };
    expect(patternFilterMatches(any, lit('orders'))).toBe(true);
    expect(patternFilterMatches(any, pre('orders'))).toBe(true);
    expect(patternFilterMatches(any, lit('*'))).toBe(false);
    expect(patternFilterMatches({ resourceType: 'TOPIC', name: 'orders', patternType: 'LITERAL' }, pre('orders'))).toBe(false);
    expect(patternFilterMatches({ resourceType: 'ANY', name: null, patternType: 'ANY' }, pre('x', 'GROUP'))).toBe(true);
  });

  test('entry filters: null principal/host and ANY operation/permission match everything', () => {
    const b = { pattern: lit('t'), entry: allow('User:a', 'READ') };
    const pf = { resourceType: 'ANY' as const, name: null, patternType: 'ANY' as const };
    expect(bindingFilterMatches({ pattern: pf, entry: { principal: null, host: null, operation: 'ANY', permissionType: 'ANY' } }, b)).toBe(true);
    expect(bindingFilterMatches({ pattern: pf, entry: { principal: 'User:b', host: null, operation: 'ANY', permissionType: 'ANY' } }, b)).toBe(false);
    expect(bindingFilterMatches({ pattern: pf, entry: { principal: null, host: null, operation: 'WRITE', permissionType: 'ANY' } }, b)).toBe(false);
    expect(bindingFilterMatches({ pattern: pf, entry: { principal: null, host: null, operation: 'ANY', permissionType: 'DENY' } }, b)).toBe(false);
  });

  test('toString as kafka-acls.sh prints resources and entries', () => {
    expect(patternToString(lit('orders'))).toBe('ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)');
    expect(entryToString(allow('User:alice', 'READ'))).toBe('(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)');
  });
});
