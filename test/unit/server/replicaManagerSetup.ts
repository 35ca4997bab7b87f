// A ReplicaManager over a real LogManager in a temporary dir, a fake clock and a recording AlterIsr sender, and the
// LeaderAndIsr requests the ReplicaManager tests send it.
import { ReplicaManager } from '../../../src/server/ReplicaManager';
import { LogManager } from '../../../src/log/LogManager';
import { logConfig, type LogConfig } from '../../../src/log/LogConfig';
import { MetadataCache } from '../../../src/server/MetadataCache';
import { KafkaConfig, buildConfig } from '../../../src/config/KafkaConfig';
import type { LeaderAndIsrRequest } from '../../../src/protocol/messages/04-leader-and-isr';
import type { AlterIsrRequest, AlterIsrResponse } from '../../../src/protocol/messages/56-alter-isr';
import { FakeTime, tmpDir } from './helpers';

/** Waits (with a deadline) for asynchronous appends and reads to reach a state, e.g. the purgatory. */
export async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Makes `obj[method]` wait until the returned function is called, then run as before: a stalled disk read or fsync.
 */
export function stall<T extends object, K extends keyof T>(obj: T, method: K): () => void {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const real = (obj[method] as unknown as (...args: unknown[]) => unknown).bind(obj);
  (obj as Record<K, unknown>)[method] = async (...args: unknown[]) => {
    await gate;
    return real(...args);
  };
  return release;
}

export const BROKER = 1;

export function config(): KafkaConfig {
  return new KafkaConfig(buildConfig(new Map([['broker.id', String(BROKER)], ['zookeeper.connect', 'localhost:1'], ['log.dirs', '/tmp/unused'], ['replica.lag.time.max.ms', '10000']])));
}

/** LeaderAndIsr for topic 't' (v5 shape: `topicId` is the zero uuid unless given). */
export function leaderAndIsr(
  partitions: Array<{ partition: number; leader: number; leaderEpoch: number; isr: number[]; replicas: number[] }>,
  controllerEpoch = 1,
  brokerEpoch = -1n,
  topicId = 'AAAAAAAAAAAAAAAAAAAAAA',
): LeaderAndIsrRequest {
  return {
    controllerId: 9,
    controllerEpoch,
    brokerEpoch,
    type: 0,
    ungroupedPartitionStates: [],
    topicStates: [{ topicName: 't', topicId, partitionStates: partitions.map((p) => ({ topicName: 't', partitionIndex: p.partition, controllerEpoch, leader: p.leader, leaderEpoch: p.leaderEpoch, isr: p.isr, zkVersion: 0, replicas: p.replicas, addingReplicas: [], removingReplicas: [], isNew: true })) }],
    liveLeaders: [],
  };
}

/** `logDir`: reuse a dir (a restart); a new temporary one by default. */
export async function setup(topicCfg: Partial<LogConfig> = {}, topicConfig?: (topic: string) => Promise<LogConfig>, logDir = tmpDir('brook-rm-'), brokerEpoch: () => bigint = () => 5n, registered?: Promise<void>) {
  const time = new FakeTime();
  const logManager = new LogManager({ logDirs: [logDir], defaultConfig: logConfig({}), scheduler: null });
  await logManager.startup();
  const cache = new MetadataCache('cluster', BROKER);
  const alterIsr: AlterIsrRequest[] = [];
  const rm = new ReplicaManager({
    brokerId: BROKER,
    config: config(),
    logManager,
    metadataCache: cache,
    brokerEpoch,
    registered,
    sendAlterIsr: (req) => {
      alterIsr.push(req);
      return new Promise<AlterIsrResponse>(() => undefined);
    },
    topicConfig: topicConfig ?? (async () => logConfig({ 'file.delete.delay.ms': 0, ...topicCfg })),
    configRetryBackoffMs: 10,
    clock: time,
    timer: time,
  });
  return { rm, time, logManager, alterIsr, cache };
}

