// AlterClientQuotas (49, v0-1): sets and removes quota configs of user/client-id entities in ZooKeeper, one result per
// entry, as Kafka's ZkAdminManager does (ALTER_CONFIGS on the cluster required).
import { AlterClientQuotas } from '../../protocol/messages/49-alter-client-quotas';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorize, securityServices } from './authorize';
import { QuotaRequestError } from '../quota/ClientQuotas';

export const alterClientQuotasHandler = defineHandler({
  api: AlterClientQuotas,
  versions: [0, 1],
  handle: async (req, ctx) => {
    const result = (entity: Array<{ entityType: string; entityName: string | null }>, errorCode: number, errorMessage: string | null) => ({ errorCode, errorMessage, entity });
    if (!authorize(ctx, 'ALTER_CONFIGS', 'CLUSTER', 'kafka-cluster')) {
      return { throttleTimeMs: 0, entries: req.entries.map((e) => result(e.entity, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.')) };
    }
    const quotas = securityServices(ctx)?.quotas;
    const entries = [];
    for (const e of req.entries) {
      if (!quotas) {
        entries.push(result(e.entity, ErrorCode.UNKNOWN_SERVER_ERROR, 'client quotas are not available on this broker'));
        continue;
      }
      try {
        await quotas.alter(e.entity, e.ops, req.validateOnly);
        entries.push(result(e.entity, ErrorCode.NONE, null));
      } catch (err) {
        if (!(err instanceof QuotaRequestError)) ctx.logger.error({ err }, 'altering client quotas failed');
        entries.push(result(e.entity, err instanceof QuotaRequestError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR, (err as Error).message));
      }
    }
    return { throttleTimeMs: 0, entries };
  },
});
