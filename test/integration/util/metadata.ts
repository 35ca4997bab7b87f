// Test helpers: ask one particular broker for metadata over the wire, and summarise partition leadership.
import { partitionViews } from '../../../src/chaos/inspect';
import type { TestBroker } from '../../harness';

export { metadataFrom, partitionViews, type PartitionView } from '../../../src/chaos/inspect';

/** True when every given broker reports `topic` with `n` partitions all having a live leader. */
export async function allHaveLeaders(brokers: TestBroker[], topic: string, n: number): Promise<boolean> {
  for (const b of brokers) {
    const v = await partitionViews(b, topic).catch(() => null);
    if (!v || v.size !== n) return false;
    for (const p of v.values()) if (p.leader < 0) return false;
  }
  return true;
}
