// DeleteRecords (21): partition leaders move their log start offset forward (v2 is v1 in the flexible encoding).
import { DeleteRecords, type DeleteRecordsResponse } from '../../protocol/messages/21-delete-records';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorizeTopic } from './authorize';

export const deleteRecordsHandler = defineHandler({
  api: DeleteRecords,
  versions: [0, 2],
  handle: async (req, ctx) => {
    const rm = ctx.services.replicaManager;
    const topics: DeleteRecordsResponse['topics'] = [];
    for (const t of req.topics) {
      const partitions: DeleteRecordsResponse['topics'][number]['partitions'] = [];
      for (const p of t.partitions) {
        // Simple version: applied on the leader at once; followers follow the leader's log start via fetch.
        const r = authorizeTopic(ctx, t.name, 'delete')
          ? await rm.deleteRecords(t.name, p.partitionIndex, p.offset)
          : { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, lowWatermark: -1n };
        partitions.push({ partitionIndex: p.partitionIndex, lowWatermark: r.lowWatermark, errorCode: r.errorCode });
      }
      topics.push({ name: t.name, partitions });
    }
    return { throttleTimeMs: 0, topics };
  },
});
