// UpdateMetadata (6): the controller refreshes this broker's metadata cache.
import { UpdateMetadata } from '../../protocol/messages/06-update-metadata';
import { defineHandler } from './types';
import { authorizeCluster, refuseUnless } from './authorize';
import { ErrorCode } from '../../protocol/errors';

export const updateMetadataHandler = defineHandler({
  api: UpdateMetadata,
  versions: [0, 7],
  handle: async (req, ctx) => {
    const refusal = refuseUnless(authorizeCluster(ctx, 'cluster-action'), UpdateMetadata, req, ctx, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    if (refusal) return refusal;
    await ctx.services.replicaManager.awaitRegistered();
    return { errorCode: ctx.services.replicaManager.updateMetadata(req, ctx.apiVersion) };
  },
});
