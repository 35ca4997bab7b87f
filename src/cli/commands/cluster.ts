// `brook cluster`: brokers, the controller, partition counts, under-replicated and offline partitions.
import type { Command } from 'commander';
import type { ClusterMeta } from '../../client';
import { formatJson, formatTable, out } from '../format';
import { addCommonOptions, withAdmin, type CommonOptions } from './common';

export interface ClusterSummary {
  clusterId: string | null;
  controllerId: number;
  brokers: Array<{ id: number; host: string; port: number; rack: string | null; leaders: number; replicas: number }>;
  topics: number;
  partitions: number;
  underReplicated: Array<{ topic: string; partition: number; replicas: number[]; isr: number[] }>;
  offline: Array<{ topic: string; partition: number; replicas: number[] }>;
}

export function summarize(m: ClusterMeta): ClusterSummary {
  const live = new Set(m.brokers.map((b) => b.nodeId));
  const s: ClusterSummary = {
    clusterId: m.clusterId,
    controllerId: m.controllerId,
    brokers: m.brokers.map((b) => ({ id: b.nodeId, host: b.host, port: b.port, rack: b.rack, leaders: 0, replicas: 0 })),
    topics: m.topics.length,
    partitions: 0,
    underReplicated: [],
    offline: [],
  };
  for (const t of m.topics) {
    for (const p of t.partitions) {
      s.partitions++;
      const b = s.brokers.find((x) => x.id === p.leader);
      if (b) b.leaders++;
      for (const r of p.replicas) { const rb = s.brokers.find((x) => x.id === r); if (rb) rb.replicas++; }
      if (p.leader < 0 || !live.has(p.leader)) s.offline.push({ topic: t.name, partition: p.partition, replicas: p.replicas });
      else if (p.isr.length < p.replicas.length) s.underReplicated.push({ topic: t.name, partition: p.partition, replicas: p.replicas, isr: p.isr });
    }
  }
  return s;
}

export function formatSummary(s: ClusterSummary): string {
  const lines = [
    `Cluster id: ${s.clusterId ?? '(unknown)'}`,
    `Controller: ${s.controllerId < 0 ? 'none (election in progress?)' : `broker ${s.controllerId}`}`,
    `Topics: ${s.topics}  Partitions: ${s.partitions}  Under-replicated: ${s.underReplicated.length}  Offline: ${s.offline.length}`,
    '',
    formatTable(['BROKER', 'HOST', 'PORT', 'RACK', 'LEADERS', 'REPLICAS', 'CONTROLLER'],
      s.brokers.map((b) => [b.id, b.host, b.port, b.rack, b.leaders, b.replicas, b.id === s.controllerId ? 'yes' : ''])),
  ];
  if (s.underReplicated.length > 0) {
    lines.push('', 'Under-replicated partitions:',
      formatTable(['TOPIC', 'PARTITION', 'REPLICAS', 'ISR'], s.underReplicated.map((p) => [p.topic, p.partition, p.replicas.join(','), p.isr.join(',')])));
  }
  if (s.offline.length > 0) {
    lines.push('', 'Offline partitions (no live leader):',
      formatTable(['TOPIC', 'PARTITION', 'REPLICAS'], s.offline.map((p) => [p.topic, p.partition, p.replicas.join(',')])));
  }
  return lines.join('\n');
}

export function registerCluster(program: Command): void {
  const cmd = program.command('cluster').description('show brokers, the controller, partition counts, under-replicated and offline partitions');
  addCommonOptions(cmd).action(async (opts: CommonOptions) => {
    await withAdmin(opts, async (a) => {
      const s = summarize(await a.refreshMetadata());
      out(opts.output === 'json' ? formatJson(s) : formatSummary(s));
    });
  });
}
