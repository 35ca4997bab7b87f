// DescribeAcls (29, v0-2): the ACLs a filter selects, grouped by resource pattern, as Kafka's handleDescribeAcls
// answers (DESCRIBE on the cluster required; SECURITY_DISABLED without an authorizer).
import { DescribeAcls } from '../../protocol/messages/29-describe-acls';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorizeCluster, securityServices } from './authorize';
import { bindingToWire, filterFromWire, normalizeV0PatternType } from '../../security/acl/wire';
import { patternKey } from '../../security/acl/model';

const fail = (errorCode: number, errorMessage: string) => ({ throttleTimeMs: 0, errorCode, errorMessage, resources: [] });

export const describeAclsHandler = defineHandler({
  api: DescribeAcls,
  versions: [0, 2],
  handle: (req, ctx) => {
    if (!authorizeCluster(ctx, 'describe')) return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.');
    const authorizer = securityServices(ctx)?.authorizer;
    if (!authorizer) return fail(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker');
    let patternTypeFilter = req.patternTypeFilter;
    if (ctx.apiVersion === 0) {
      const n = normalizeV0PatternType(patternTypeFilter);
      if (n === null) return fail(ErrorCode.UNSUPPORTED_VERSION, 'Version 0 only supports literal resource pattern types');
      patternTypeFilter = n;
    }
    const filter = filterFromWire({ ...req, patternTypeFilter });
    if (typeof filter === 'string') return fail(ErrorCode.INVALID_REQUEST, filter);
    const byPattern = new Map<string, { resourceType: number; resourceName: string; patternType: number; acls: Array<{ principal: string; host: string; operation: number; permissionType: number }> }>();
    for (const b of authorizer.acls(filter)) {
      const w = bindingToWire(b);
      const k = patternKey(b.pattern);
      let r = byPattern.get(k);
      if (!r) byPattern.set(k, (r = { resourceType: w.resourceType, resourceName: w.resourceName, patternType: w.patternType, acls: [] }));
      r.acls.push({ principal: w.principal, host: w.host, operation: w.operation, permissionType: w.permissionType });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources: [...byPattern.values()] };
  },
});
