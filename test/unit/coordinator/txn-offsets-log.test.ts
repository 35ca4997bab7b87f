// Transactional offset commits over the real data path: a ReplicaManager with a real Log for __consumer_offsets-0
// (single replica), the coordinator's store adapter (origin 'coordinator'), end-transaction markers appended as the
// WriteTxnMarkers handler does, and a second coordinator loading the partition from that log.
import { ErrorCode } from '../../../src/protocol/errors';
import { GroupCoordinator, type TxnCommitOffsetsParams } from '../../../src/coordinator/GroupCoordinator';
import { replicaManagerOffsetsStore } from '../../../src/server/GroupCoordinatorAdapter';
import { OFFSETS_TOPIC } from '../../../src/coordinator/javaHash';
import type { LeaderAndIsrRequest } from '../../../src/protocol/messages/04-leader-and-isr';
import type { ReplicaManager } from '../../../src/server/ReplicaManager';
import { moduleLogger } from '../../../src/util/logger';
import { setup } from '../server/replicaManagerSetup';
import { FakeScheduler, markerBatch, TEST_CONFIG } from './helpers';

const PID = 900n;
const EPOCH = 1;

function leadOffsetsPartition(): LeaderAndIsrRequest {
  return {
    controllerId: 9, controllerEpoch: 1, brokerEpoch: -1n, type: 0, ungroupedPartitionStates: [], liveLeaders: [],
    topicStates: [{ topicName: OFFSETS_TOPIC, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitionStates: [{ topicName: OFFSETS_TOPIC, partitionIndex: 0, controllerEpoch: 1, leader: 1, leaderEpoch: 0, isr: [1], zkVersion: 0, replicas: [1], addingReplicas: [], removingReplicas: [], isNew: true }] }],
  };
}

async function coordinator(rm: ReplicaManager): Promise<GroupCoordinator> {
  const gc = new GroupCoordinator({ brokerId: 1, config: { ...TEST_CONFIG, offsetsTopicNumPartitions: 1 }, store: replicaManagerOffsetsStore(rm), scheduler: new FakeScheduler(), createOffsetsTopic: async () => undefined, logger: moduleLogger('test', {}) });
  gc.startup();
  await gc.onBecomeLeader(0, 0);
  return gc;
}

const txn = (producerId: bigint, partition: number, offset: bigint): TxnCommitOffsetsParams => ({
  groupId: 'g', producerId, producerEpoch: EPOCH, memberId: '', groupInstanceId: null, generationId: -1,
  offsets: [{ topic: 't', partition, offset, leaderEpoch: -1, metadata: '' }],
});

async function endTxn(rm: ReplicaManager, gc: GroupCoordinator, producerId: bigint, commit: boolean): Promise<void> {
  const [r] = await rm.appendRecords(5000, -1, [{ topic: OFFSETS_TOPIC, partition: 0, records: markerBatch(producerId, EPOCH, commit) }], 'coordinator');
  expect(r?.errorCode).toBe(ErrorCode.NONE);
  gc.onTransactionCompleted(producerId, [0], commit);
}

test('the log takes the transactional batch and the markers; a committed transaction survives a reload, an aborted one does not', async () => {
  const { rm } = await setup();
  expect((await rm.becomeLeaderOrFollower(leadOffsetsPartition(), 4)).errorCode).toBe(ErrorCode.NONE);
  const gc = await coordinator(rm);

  expect(await gc.commitTxnOffsets(txn(PID, 0, 11n))).toEqual([ErrorCode.NONE]);
  expect(await gc.commitTxnOffsets(txn(PID + 1n, 1, 22n))).toEqual([ErrorCode.NONE]);
  expect(await gc.commitTxnOffsets(txn(PID + 2n, 2, 33n))).toEqual([ErrorCode.NONE]);
  expect(gc.fetchOffsets('g', [{ topic: 't', partition: 0 }], true).offsets[0]?.errorCode).toBe(ErrorCode.UNSTABLE_OFFSET_COMMIT);
  await endTxn(rm, gc, PID, true);
  await endTxn(rm, gc, PID + 1n, false);
  const fetch = (c: GroupCoordinator) => c.fetchOffsets('g', [0, 1, 2].map((partition) => ({ topic: 't', partition })), true).offsets.map((o) => [o.offset, o.errorCode]);
  expect(fetch(gc)).toEqual([[11n, 0], [-1n, 0], [-1n, ErrorCode.UNSTABLE_OFFSET_COMMIT]]);
  gc.shutdown();

  const reloaded = await coordinator(rm);
  expect(fetch(reloaded)).toEqual([[11n, 0], [-1n, 0], [-1n, ErrorCode.UNSTABLE_OFFSET_COMMIT]]);
  await endTxn(rm, reloaded, PID + 2n, true);
  expect(fetch(reloaded)).toEqual([[11n, 0], [-1n, 0], [33n, 0]]);
  reloaded.shutdown();
  await rm.shutdown();
});
