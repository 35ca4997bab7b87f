// DescribeClientQuotas (48, v0-1): the quota configs of the user/client-id entities a filter selects, as Kafka's
// ZkAdminManager answers (DESCRIBE_CONFIGS on the cluster required).
import { DescribeClientQuotas } from '../../protocol/messages/48-describe-client-quotas';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorize, securityServices } from './authorize';
import { QuotaRequestError } from '../quota/ClientQuotas';

export const describeClientQuotasHandler = defineHandler({
  api: DescribeClientQuotas,
  versions: [0, 1],
  handle: (req, ctx) => {
    const fail = (errorCode: number, errorMessage: string) => ({ throttleTimeMs: 0, errorCode, errorMessage, entries: null });
    if (!authorize(ctx, 'DESCRIBE_CONFIGS', 'CLUSTER', 'kafka-cluster')) return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.');
    const quotas = securityServices(ctx)?.quotas;
    if (!quotas) return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, entries: [] };
    try {
      const found = quotas.describe(req.components, req.strict);
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        entries: found.map(({ entity, values }) => ({
          entity: [
            ...(entity.user !== undefined ? [{ entityType: 'user', entityName: entity.user }] : []),
            ...(entity.clientId !== undefined ? [{ entityType: 'client-id', entityName: entity.clientId }] : []),
          ],
          values: Object.entries(values).map(([key, value]) => ({ key, value })),
        })),
      };
    } catch (e) {
      if (e instanceof QuotaRequestError) return fail(e.code, e.message);
      throw e;
    }
  },
});
