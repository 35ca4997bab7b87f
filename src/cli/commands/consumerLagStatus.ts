// The consumer lag status a Brook group coordinator computes (Burrow-style, over a window of offset commits), read
// from the coordinator's metrics.listener for `brook consumer-groups --describe`. Kafka brokers and brokers without
// metrics.listener have none: the describe output then shows Kafka's columns only.
import type { AdminClient } from '../../client';
import { describeConfigs } from './configs';

export interface CoordinatorLag {
  coordinator: number;
  group: string;
  status: 'OK' | 'WARNING' | 'STALLED' | 'STOPPED';
  totalLag: string;
  partitions: Array<{ topic: string; partition: number; committedOffset: string; highWatermark: string | null; lag: string | null; status: string; windowCommits: number }>;
}

export async function coordinatorLagStatus(a: AdminClient, group: string, timeoutMs = 5000): Promise<CoordinatorLag | null> {
  try {
    const coordinator = await a.coordinator(group);
    const listener = (await describeConfigs(a, 'brokers', String(coordinator))).find((c) => c.name === 'metrics.listener')?.value;
    if (!listener) return null;
    const m = /^http:\/\/([^/:]*):(\d+)\/?$/.exec(listener);
    if (!m) return null;
    let host = m[1]!;
    if (host === '' || host === '0.0.0.0') host = (await a.refreshMetadata([])).brokers.find((b) => b.nodeId === coordinator)?.host ?? '127.0.0.1';
    const res = await fetch(`http://${host}:${m[2]}/consumer-groups/lag?group=${encodeURIComponent(group)}`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return null;
    return { coordinator, ...((await res.json()) as Omit<CoordinatorLag, 'coordinator'>) };
  } catch {
    return null;
  }
}

/** The status line under the describe table, with the partitions that are not OK. */
export function formatLagStatus(l: CoordinatorLag): string {
  const lines = [`LAG STATUS: ${l.status} (total lag ${l.totalLag}, judged by coordinator broker ${l.coordinator} over each partition's recent offset commits)`];
  for (const p of l.partitions) if (p.status !== 'OK') lines.push(`  ${p.topic}-${p.partition}: ${p.status} (lag ${p.lag ?? 'unknown'}, ${p.windowCommits} commits in the window)`);
  return lines.join('\n');
}
