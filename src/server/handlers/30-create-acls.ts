// CreateAcls (30, v0-2): adds ACL bindings through the authorizer, one result per creation, with Kafka's checks
// (ALTER on the cluster, SECURITY_DISABLED without an authorizer, INVALID_REQUEST for bad bindings).
import { CreateAcls } from '../../protocol/messages/30-create-acls';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorizeCluster, securityServices } from './authorize';
import { bindingFromWire } from '../../security/acl/wire';
import { CLUSTER_NAME, PATTERN_TYPE_CODES, type AclBinding } from '../../security/acl/model';

export const createAclsHandler = defineHandler({
  api: CreateAcls,
  versions: [0, 2],
  handle: async (req, ctx) => {
    const all = (errorCode: number, errorMessage: string) => ({ throttleTimeMs: 0, results: req.creations.map(() => ({ errorCode, errorMessage })) });
    if (!authorizeCluster(ctx, 'alter')) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.');
    const authorizer = securityServices(ctx)?.authorizer;
    if (!authorizer) return all(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker.');
    if (ctx.apiVersion === 0 && req.creations.some((c) => c.resourcePatternType !== PATTERN_TYPE_CODES.LITERAL)) {
      return all(ErrorCode.UNSUPPORTED_VERSION, 'Version 0 only supports literal resource pattern types');
    }
    const results: Array<{ errorCode: number; errorMessage: string | null }> = [];
    const valid: Array<{ index: number; binding: AclBinding }> = [];
    req.creations.forEach((c, index) => {
      const b = bindingFromWire({ ...c, patternType: c.resourcePatternType });
      let error: string | null = null;
      if (typeof b === 'string') error = `Failed to create ACL: ${b}`;
      else if (b.pattern.resourceType === 'CLUSTER' && b.pattern.name !== CLUSTER_NAME) error = `The only valid name for the CLUSTER resource is ${CLUSTER_NAME}`;
      else if (b.pattern.name === '') error = 'Invalid empty resource name';
      else valid.push({ index, binding: b });
      results.push(error === null ? { errorCode: ErrorCode.NONE, errorMessage: null } : { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: error });
    });
    const created = await authorizer.createAcls(valid.map((v) => v.binding));
    valid.forEach((v, i) => {
      const e = created[i];
      if (e) results[v.index] = { errorCode: e.code, errorMessage: e.message };
    });
    return { throttleTimeMs: 0, results };
  },
});
