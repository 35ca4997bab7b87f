// UpdateMetadata (6): the controller refreshes this broker's metadata cache.
import { UpdateMetadata } from '../../protocol/messages/06-update-metadata';
import { defineHandler } from './types';

export const updateMetadataHandler = defineHandler({
  api: UpdateMetadata,
  versions: [0, 7],
  handle: async (req, ctx) => {
    await ctx.services.replicaManager.awaitRegistered();
    return { errorCode: ctx.services.replicaManager.updateMetadata(req, ctx.apiVersion) };
  },
});
