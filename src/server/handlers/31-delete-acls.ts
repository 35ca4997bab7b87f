// DeleteAcls (31, v0-2): removes the ACLs each filter matches and reports them per filter, with Kafka's checks
// (ALTER on the cluster, SECURITY_DISABLED without an authorizer, INVALID_REQUEST for UNKNOWN elements).
import { DeleteAcls } from '../../protocol/messages/31-delete-acls';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorizeCluster, securityServices } from './authorize';
import { bindingToWire, filterFromWire, normalizeV0PatternType } from '../../security/acl/wire';
import type { AclBindingFilter } from '../../security/acl/model';

export const deleteAclsHandler = defineHandler({
  api: DeleteAcls,
  versions: [0, 2],
  handle: async (req, ctx) => {
    const all = (errorCode: number, errorMessage: string) => ({ throttleTimeMs: 0, filterResults: req.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })) });
    if (!authorizeCluster(ctx, 'alter')) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.');
    const authorizer = securityServices(ctx)?.authorizer;
    if (!authorizer) return all(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker.');
    const filters: AclBindingFilter[] = [];
    for (const f of req.filters) {
      let patternTypeFilter = f.patternTypeFilter;
      if (ctx.apiVersion === 0) {
        const n = normalizeV0PatternType(patternTypeFilter);
        if (n === null) return all(ErrorCode.UNSUPPORTED_VERSION, 'Version 0 only supports LITERAL and ANY pattern types');
        patternTypeFilter = n;
      }
      const filter = filterFromWire({ ...f, patternTypeFilter });
      if (typeof filter === 'string') return all(ErrorCode.INVALID_REQUEST, filter);
      filters.push(filter);
    }
    const results = await authorizer.deleteAcls(filters);
    return {
      throttleTimeMs: 0,
      filterResults: results.map((r) => ({
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        matchingAcls: r.deleted.map(({ binding, error }) => ({
          errorCode: error?.code ?? ErrorCode.NONE,
          errorMessage: error?.message ?? null,
          ...bindingToWire(binding),
        })),
      })),
    };
  },
});
