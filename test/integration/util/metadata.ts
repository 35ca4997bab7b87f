// Test helpers: ask one particular broker for metadata over the wire, and summarise partition leadership.
import { KafkaConnection } from '../../../src/client';
import { Metadata, type MetadataResponse } from '../../../src/protocol/messages/03-metadata';
import type { TestBroker } from '../../harness';

export async function metadataFrom(b: { host: string; port: number }, topics: string[] | null = null): Promise<MetadataResponse> {
  const conn = await KafkaConnection.connect(b.host, b.port, { clientId: 'brook-test', connectTimeoutMs: 5000, requestTimeoutMs: 10000 });
  try {
    return await conn.request(Metadata, 9, { topics: topics === null ? null : topics.map((name) => ({ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' })), allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  } finally {
    conn.close();
  }
}

export interface PartitionView {
  leader: number;
  leaderEpoch: number;
  isr: number[];
  replicas: number[];
  errorCode: number;
}

/** topic -> partition -> view, as one broker sees it. */
export async function partitionViews(b: TestBroker, topic: string): Promise<Map<number, PartitionView> | null> {
  const md = await metadataFrom(b, [topic]);
  const t = md.topics.find((x) => x.name === topic);
  if (!t || t.errorCode !== 0) return null;
  return new Map(t.partitions.map((p) => [p.partitionIndex, { leader: p.leaderId, leaderEpoch: p.leaderEpoch, isr: [...p.isrNodes].sort(), replicas: p.replicaNodes, errorCode: p.errorCode }]));
}

/** True when every given broker reports `topic` with `n` partitions all having a live leader. */
export async function allHaveLeaders(brokers: TestBroker[], topic: string, n: number): Promise<boolean> {
  for (const b of brokers) {
    const v = await partitionViews(b, topic).catch(() => null);
    if (!v || v.size !== n) return false;
    for (const p of v.values()) if (p.leader < 0) return false;
  }
  return true;
}
