// The __consumer_offsets store the coordinator gets from the ReplicaManager: every coordinator write is appended with
// acks=-1 and the coordinator's origin, as Kafka's GroupMetadataManager appends (AppendOrigin.Coordinator).
import { replicaManagerOffsetsStore } from '../../../src/server/GroupCoordinatorAdapter';
import type { ReplicaManager } from '../../../src/server/ReplicaManager';
import { OFFSETS_TOPIC } from '../../../src/coordinator/javaHash';
import { ErrorCode } from '../../../src/protocol/errors';

test('append goes to __consumer_offsets with acks=-1 and origin coordinator, answering the partition result', async () => {
  const calls: unknown[][] = [];
  const rm = {
    appendRecords: async (...args: unknown[]) => {
      calls.push(args);
      return [{ errorCode: ErrorCode.NONE, baseOffset: 12n }];
    },
  } as unknown as ReplicaManager;
  const batch = Buffer.from('batch');
  expect(await replicaManagerOffsetsStore(rm).append(3, batch, 5000)).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 12n });
  expect(calls).toEqual([[5000, -1, [{ topic: OFFSETS_TOPIC, partition: 3, records: batch }], 'coordinator']]);
});
