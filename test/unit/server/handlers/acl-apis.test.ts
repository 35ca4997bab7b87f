// CreateAcls, DescribeAcls and DeleteAcls handlers over the AclAuthorizer with an in-memory ZooKeeper ACL store: Kafka's
// validation and errors (SECURITY_DISABLED, INVALID_REQUEST, CLUSTER_AUTHORIZATION_FAILED, v0 pattern types), the
// conditional update retried after a concurrent write, and delete results per filter.
import { requestContext } from '../helpers';
import { createAclsHandler } from '../../../../src/server/handlers/30-create-acls';
import { describeAclsHandler } from '../../../../src/server/handlers/29-describe-acls';
import { deleteAclsHandler } from '../../../../src/server/handlers/31-delete-acls';
import { AclAuthorizer } from '../../../../src/server/authorizer/AclAuthorizer';
import type { AclZk } from '../../../../src/zk/AclZk';
import type { SecurityServices } from '../../../../src/server/authorizer/SecurityServices';
import { ErrorCode } from '../../../../src/protocol/errors';
import { MemoryAclZk } from './authzHelpers';

const creation = (over: Partial<{ resourceType: number; resourceName: string; resourcePatternType: number; principal: string; host: string; operation: number; permissionType: number }> = {}) => ({
  resourceType: 2, resourceName: 'orders', resourcePatternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3, ...over,
});
const anyFilter = { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 };

async function setup(settings = AclAuthorizer.settingsFrom(null, false)) {
  const zk = new MemoryAclZk();
  const authorizer = new AclAuthorizer(zk as unknown as AclZk, settings, 1);
  await authorizer.startup();
  const security = { authorizer } as unknown as SecurityServices;
  const ctx = (apiVersion = 2, principal = 'admin') =>
    ({ ...requestContext({ services: { security }, apiVersion }), connection: { remoteAddress: '127.0.0.1', principal: { type: 'User', name: principal } } as never });
  return { zk, authorizer, ctx };
}

test('without an authorizer every ACL API answers SECURITY_DISABLED', async () => {
  const ctx = requestContext({ apiVersion: 2 });
  const c = await createAclsHandler.handle({ creations: [creation()] }, ctx);
  expect(c).toMatchObject({ results: [{ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured on the broker.' }] });
  expect(await describeAclsHandler.handle(anyFilter, ctx)).toMatchObject({ errorCode: ErrorCode.SECURITY_DISABLED });
  expect(await deleteAclsHandler.handle({ filters: [anyFilter] }, ctx)).toMatchObject({ filterResults: [{ errorCode: ErrorCode.SECURITY_DISABLED }] });
});

test('create, describe grouped by resource, delete with per-filter results; the znode goes when empty', async () => {
  const { zk, ctx } = await setup(AclAuthorizer.settingsFrom('User:admin', false));
  const created = await createAclsHandler.handle({ creations: [creation(), creation({ operation: 4 }), creation({ resourceName: 'ord', resourcePatternType: 4 })] }, ctx());
  expect(created).toEqual({ throttleTimeMs: 0, results: [0, 1, 2].map(() => ({ errorCode: 0, errorMessage: null })) });
  expect(zk.nodes.get('LITERAL/TOPIC/orders')?.acls).toHaveLength(2);
  expect(zk.notifications).toHaveLength(2); // one per resource pattern

  const described = await describeAclsHandler.handle(anyFilter, ctx());
  expect(described).toMatchObject({ errorCode: 0, resources: expect.arrayContaining([
    { resourceType: 2, resourceName: 'orders', patternType: 3, acls: [{ principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }, { principal: 'User:alice', host: '*', operation: 4, permissionType: 3 }] },
    { resourceType: 2, resourceName: 'ord', patternType: 4, acls: [{ principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }] },
  ]) });

  const deleted = await deleteAclsHandler.handle({ filters: [{ ...anyFilter, resourceTypeFilter: 2, resourceNameFilter: 'orders', patternTypeFilter: 3, operation: 4 }, { ...anyFilter, principalFilter: 'User:nobody' }] }, ctx());
  expect(deleted).toEqual({ throttleTimeMs: 0, filterResults: [
    { errorCode: 0, errorMessage: null, matchingAcls: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders', patternType: 3, principal: 'User:alice', host: '*', operation: 4, permissionType: 3 }] },
    { errorCode: 0, errorMessage: null, matchingAcls: [] },
  ] });
  await deleteAclsHandler.handle({ filters: [anyFilter] }, ctx());
  expect(zk.nodes.size).toBe(0);
});

test('Kafka validation: cluster name, empty name, UNKNOWN/ANY elements, v0 pattern types', async () => {
  const { ctx } = await setup(AclAuthorizer.settingsFrom('User:admin', false));
  const r = await createAclsHandler.handle({ creations: [
    creation({ resourceType: 4, resourceName: 'other' }),
    creation({ resourceName: '' }),
    creation({ operation: 1 }),
    creation({ permissionType: 0 }),
    creation({ principal: 'alice' }),
    creation(),
  ] }, ctx());
  expect((r as { results: Array<{ errorCode: number; errorMessage: string | null }> }).results).toEqual([
    { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'The only valid name for the CLUSTER resource is kafka-cluster' },
    { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Invalid empty resource name' },
    { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Failed to create ACL: operation must not be ANY' },
    { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Failed to create ACL: ACL binding contains unknown elements' },
    { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: expect.stringContaining('Could not parse principal') },
    { errorCode: ErrorCode.NONE, errorMessage: null },
  ]);
  expect(await createAclsHandler.handle({ creations: [creation({ resourcePatternType: 4 })] }, ctx(0))).toMatchObject({ results: [{ errorCode: ErrorCode.UNSUPPORTED_VERSION }] });
  expect(await describeAclsHandler.handle({ ...anyFilter, patternTypeFilter: 4 }, ctx(0))).toMatchObject({ errorCode: ErrorCode.UNSUPPORTED_VERSION });
  // v0: ANY becomes LITERAL
  expect(await describeAclsHandler.handle({ ...anyFilter, patternTypeFilter: 1 }, ctx(0))).toMatchObject({ errorCode: 0, resources: [{ resourceName: 'orders' }] });
  expect(await describeAclsHandler.handle({ ...anyFilter, operation: 0 }, ctx())).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST });
});

test('CLUSTER_AUTHORIZATION_FAILED without ALTER (create/delete) or DESCRIBE (describe) on the cluster', async () => {
  const { ctx } = await setup(AclAuthorizer.settingsFrom('User:admin', false));
  await createAclsHandler.handle({ creations: [creation({ resourceType: 4, resourceName: 'kafka-cluster', principal: 'User:ops', operation: 8 })] }, ctx());
  expect(await createAclsHandler.handle({ creations: [creation()] }, ctx(2, 'ops'))).toMatchObject({ results: [{ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED }] });
  expect(await deleteAclsHandler.handle({ filters: [anyFilter] }, ctx(2, 'ops'))).toMatchObject({ filterResults: [{ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED }] });
  expect(await describeAclsHandler.handle(anyFilter, ctx(2, 'ops'))).toMatchObject({ errorCode: 0 });
  expect(await describeAclsHandler.handle(anyFilter, ctx(2, 'eve'))).toMatchObject({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED });
});

test('a concurrent write to the same znode makes the update re-read and retry (conditional on zkVersion)', async () => {
  const { zk, authorizer } = await setup();
  await authorizer.createAcls([{ pattern: { resourceType: 'TOPIC', name: 't', patternType: 'LITERAL' }, entry: { principal: 'User:a', host: '*', operation: 'READ', permissionType: 'ALLOW' } }]);
  // Another broker adds User:b between our read (the cache) and our write.
  zk.beforeWrite = () => {
    const n = zk.nodes.get('LITERAL/TOPIC/t')!;
    zk.nodes.set('LITERAL/TOPIC/t', { acls: [...n.acls, { principal: 'User:b', host: '*', operation: 'READ', permissionType: 'ALLOW' }], version: n.version + 1 });
  };
  const [err] = await authorizer.createAcls([{ pattern: { resourceType: 'TOPIC', name: 't', patternType: 'LITERAL' }, entry: { principal: 'User:c', host: '*', operation: 'READ', permissionType: 'ALLOW' } }]);
  expect(err).toBeNull();
  expect(zk.nodes.get('LITERAL/TOPIC/t')?.acls.map((a) => a.principal)).toEqual(['User:a', 'User:b', 'User:c']);
  expect(authorizer.authorize('User:b', '1.2.3.4', 'READ', 'TOPIC', 't')).toBe(true);
});
