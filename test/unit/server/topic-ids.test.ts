// Topic ids on the broker (KIP-516): partition.metadata as Kafka writes it, LeaderAndIsr v5 recording the id on every
// replica and refusing a replica of another topic with INCONSISTENT_TOPIC_ID, UpdateMetadata v7 filling the cache.
import * as fs from 'fs';
import * as path from 'path';
import { ErrorCode } from '../../../src/protocol/errors';
import type { UpdateMetadataRequest } from '../../../src/protocol/messages/06-update-metadata';
import { MetadataCache } from '../../../src/server/MetadataCache';
import { PartitionMetadataFile, formatPartitionMetadata, parsePartitionMetadata } from '../../../src/log/PartitionMetadataFile';
import { ZERO_UUID, randomUuid } from '../../../src/util/uuid';
import { tmpDir } from './helpers';
import { leaderAndIsr, setup } from './replicaManagerSetup';

const ID = 'zZ3Ab1FCRmGvjlqDH7bD8g';
const OTHER = 'q0nWcaBWSxqa2WJeUqztrw';

describe('partition.metadata', () => {
  it('is written exactly as Kafka writes it: "version: 0", "topic_id: <id>", no trailing newline', async () => {
    expect(formatPartitionMetadata(ID)).toBe(`version: 0\ntopic_id: ${ID}`);
    const dir = tmpDir('brook-pm-');
    const f = new PartitionMetadataFile(dir);
    expect(f.readSync()).toBeNull();
    await f.write(ID);
    expect(fs.readFileSync(path.join(dir, 'partition.metadata'), 'utf8')).toBe(`version: 0\ntopic_id: ${ID}`);
    expect(f.readSync()).toBe(ID);
    expect(fs.readdirSync(dir)).toEqual(['partition.metadata']);
  });

  it('reads what Kafka reads (any whitespace after the colon, a trailing newline) and refuses the rest', () => {
    expect(parsePartitionMetadata(`version: 0\ntopic_id: ${ID}\n`, 'f')).toBe(ID);
    expect(parsePartitionMetadata(`version:\t0\ntopic_id:  ${ID}`, 'f')).toBe(ID);
    expect(() => parsePartitionMetadata(`version: 1\ntopic_id: ${ID}`, 'f')).toThrow(/Unrecognized version/);
    expect(() => parsePartitionMetadata(`version: 0\ntopic_id: ${ZERO_UUID}`, 'f')).toThrow(/Invalid topic ID/);
    for (const bad of ['', 'version 0', `version: x\ntopic_id: ${ID}`, 'version: 0', 'version: 0\ntopic_id: nope', `version: 0\ntopic_id ${ID}`]) {
      expect(() => parsePartitionMetadata(bad, 'f')).toThrow();
    }
  });
});

describe('LeaderAndIsr v5 topic ids', () => {
  const lead = (leaderEpoch: number) => [{ partition: 0, leader: 1, leaderEpoch, isr: [1], replicas: [1] }];
  const follow = [{ partition: 1, leader: 2, leaderEpoch: 0, isr: [2, 1], replicas: [2, 1] }];
  const metadataOf = (dir: string, partition: number): string => fs.readFileSync(path.join(dir, `t-${partition}`, 'partition.metadata'), 'utf8');

  it('records the id in partition.metadata on a new leader and a new follower', async () => {
    const dir = tmpDir('brook-rm-');
    const { rm } = await setup({}, undefined, dir);
    const r = await rm.becomeLeaderOrFollower(leaderAndIsr([...lead(0), ...follow], 1, -1n, ID), 5);
    expect(r.partitionErrors.map((e) => e.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    expect(metadataOf(dir, 0)).toBe(`version: 0\ntopic_id: ${ID}`);
    expect(metadataOf(dir, 1)).toBe(`version: 0\ntopic_id: ${ID}`);
    expect(rm.getPartition('t', 0)?.topicId).toBe(ID);
    await rm.shutdown();
  });

  it('writes none without an id (zero uuid, or versions before 5)', async () => {
    const dir = tmpDir('brook-rm-');
    const { rm } = await setup({}, undefined, dir);
    await rm.becomeLeaderOrFollower(leaderAndIsr(lead(0), 1, -1n, ZERO_UUID), 5);
    await rm.becomeLeaderOrFollower(leaderAndIsr(follow, 1, -1n, ID), 4);
    expect(fs.existsSync(path.join(dir, 't-0', 'partition.metadata'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 't-1', 'partition.metadata'))).toBe(false);
    expect(rm.getPartition('t', 0)?.topicId).toBeNull();
    await rm.shutdown();
  });

  it('an existing replica without an id records it at the same leader epoch (a controller that just assigned ids)', async () => {
    const dir = tmpDir('brook-rm-');
    const { rm } = await setup({}, undefined, dir);
    await rm.becomeLeaderOrFollower(leaderAndIsr(lead(3), 1, -1n, ZERO_UUID), 5);
    const again = await rm.becomeLeaderOrFollower(leaderAndIsr(lead(3), 2, -1n, ID), 5);
    expect(again.partitionErrors).toEqual([{ topic: 't', partition: 0, errorCode: ErrorCode.NONE }]);
    expect(metadataOf(dir, 0)).toBe(`version: 0\ntopic_id: ${ID}`);
    expect(rm.getPartition('t', 0)?.isLeader).toBe(true);
    // Once recorded, the same epoch is stale again, as before topic ids.
    const stale = await rm.becomeLeaderOrFollower(leaderAndIsr(lead(3), 2, -1n, ID), 5);
    expect(stale.partitionErrors[0]?.errorCode).toBe(ErrorCode.STALE_CONTROLLER_EPOCH);
    await rm.shutdown();
  });

  it('another id than the recorded one is INCONSISTENT_TOPIC_ID for that partition only, also after a restart', async () => {
    const dir = tmpDir('brook-rm-');
    const first = await setup({}, undefined, dir);
    await first.rm.becomeLeaderOrFollower(leaderAndIsr([...lead(0), ...follow], 1, -1n, ID), 5);
    const other = await first.rm.becomeLeaderOrFollower(leaderAndIsr(lead(1), 1, -1n, OTHER), 5);
    expect(other.partitionErrors).toEqual([{ topic: 't', partition: 0, errorCode: ErrorCode.INCONSISTENT_TOPIC_ID }]);
    expect(first.rm.getPartition('t', 0)?.leaderEpoch).toBe(0);
    await first.rm.shutdown();
    await first.logManager.shutdown();

    // A restarted broker reads partition.metadata back when it loads the log.
    const second = await setup({}, undefined, dir);
    expect(second.logManager.getLog('t', 0)?.topicId).toBe(ID);
    const r = await second.rm.becomeLeaderOrFollower(leaderAndIsr([...lead(1), { ...follow[0]!, leaderEpoch: 1 }], 2, -1n, OTHER), 5);
    expect(r.partitionErrors.map((e) => e.errorCode)).toEqual([ErrorCode.INCONSISTENT_TOPIC_ID, ErrorCode.INCONSISTENT_TOPIC_ID]);
    expect(second.rm.getPartition('t', 0)).toBeUndefined();
    const ok = await second.rm.becomeLeaderOrFollower(leaderAndIsr(lead(1), 2, -1n, ID), 5);
    expect(ok.partitionErrors[0]?.errorCode).toBe(ErrorCode.NONE);
    await second.rm.shutdown();
  });
});

describe('UpdateMetadata v7 topic ids', () => {
  const update = (topics: Array<{ name: string; topicId: string; leader?: number }>): UpdateMetadataRequest => ({
    controllerId: 9,
    controllerEpoch: 1,
    brokerEpoch: -1n,
    ungroupedPartitionStates: [],
    topicStates: topics.map((t) => ({
      topicName: t.name,
      topicId: t.topicId,
      partitionStates: [{ topicName: t.name, partitionIndex: 0, controllerEpoch: 1, leader: t.leader ?? 1, leaderEpoch: 0, isr: [1], zkVersion: 0, replicas: [1], offlineReplicas: [] }],
    })),
    liveBrokers: [],
  });

  it('fills the cache name <-> id; the zero uuid clears an id; a deleted topic forgets its id', async () => {
    const { rm, cache } = await setup();
    expect(rm.updateMetadata(update([{ name: 'a', topicId: ID }, { name: 'b', topicId: OTHER }]), 7)).toBe(ErrorCode.NONE);
    expect(cache.getTopicId('a')).toBe(ID);
    expect(cache.getTopicName(OTHER)).toBe('b');
    expect([...cache.topicNamesByIdSnapshot()]).toEqual([[ID, 'a'], [OTHER, 'b']]);
    rm.updateMetadata(update([{ name: 'b', topicId: ZERO_UUID }]), 7);
    expect(cache.getTopicId('b')).toBeUndefined();
    expect(cache.topicIdOrZero('b')).toBe(ZERO_UUID);
    expect(cache.getTopicName(OTHER)).toBeUndefined();
    rm.updateMetadata(update([{ name: 'a', topicId: ID, leader: -2 }]), 7);
    expect(cache.hasTopic('a')).toBe(false);
    expect(cache.getTopicName(ID)).toBeUndefined();
    // Version 6 carries no ids: the cache keeps what it knows.
    rm.updateMetadata(update([{ name: 'c', topicId: ID }]), 7);
    rm.updateMetadata(update([{ name: 'c', topicId: ZERO_UUID }]), 6);
    expect(cache.getTopicId('c')).toBe(ID);
    await rm.shutdown();
  });

  it('a recreated topic (same name, new id) replaces the old id both ways', () => {
    const cache = new MetadataCache('cluster', 1);
    const p = { topic: 'x', partition: 0, leader: 1, leaderEpoch: 0, isr: [1], replicas: [1], offlineReplicas: [], zkVersion: 0, controllerEpoch: 1 };
    const first = randomUuid();
    cache.applyUpdate(9, 1, null, [p], new Map([['x', first]]));
    const second = randomUuid();
    cache.applyUpdate(9, 1, null, [p], new Map([['x', second]]));
    expect(cache.getTopicId('x')).toBe(second);
    expect(cache.getTopicName(first)).toBeUndefined();
    expect(cache.getTopicName(second)).toBe('x');
    cache.removeTopic('x');
    expect(cache.getTopicName(second)).toBeUndefined();
  });
});
