// One chaos run: start a local cluster, create the topics, run the workload while the nemesis injects faults,
// wait for every replica to catch up, audit, tear down. `brook chaos` and the crash-short test run it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { audit, type AuditResult } from './audit';
import { startLocalCluster, type ClusterOptions, type LocalCluster } from './cluster';
import { partitionView, waitForController } from './inspect';
import { ALL_FAULT_KINDS, type FaultKind } from './faults';
import { injectFault, pickFault, seededRandom, type Fault } from './nemesis';
import { waitFor } from './waitFor';
import { COMPACTED, RETAINED, TOPIC, Workload } from './workload';
import { moduleLogger } from '../util/logger';

const log = moduleLogger('chaos');

export interface ChaosOptions {
  faults: number;
  seed: number;
  brokers?: number; // default 3
  partitions?: number; // default 3
  replicationFactor?: number; // default 3
  minInsync?: number; // min.insync.replicas of the topics; default 2
  /** Milliseconds of steady producing before each fault and after the last. Default 1500. */
  quietMs?: number;
  /** zookeeper.session.timeout.ms of the brokers; a pause lasts this plus 1.5 s. Default 4000. */
  sessionTimeoutMs?: number;
  /** Fault kinds to draw from (default: all). */
  faultKinds?: readonly FaultKind[];
  /**
   * Retention and compaction at work during the faults: the topic under test gets small segments, a second topic
   * small retention.bytes (checked on the retained range), a third is compacted over many keys (checked for the
   * latest value of every key).
   */
  retentionAndCompaction?: boolean;
  idempotent?: boolean;
  /** Where and how the cluster runs: data dir, ports, Apache Kafka instead of Brook, process groups. */
  cluster?: Pick<ClusterOptions, 'dataDir' | 'zookeeperPort' | 'basePort' | 'kafkaHome' | 'brokerLogLevel' | 'ownProcessGroups'>;
  /** Keep the data dir even after a passing run (it is always kept after a failing one). */
  keepDataDir?: boolean;
  onProgress?: (event: ChaosProgress) => void;
}

export type ChaosProgress =
  | { type: 'cluster-up'; dataDir: string; bootstrap: string; zookeeper: string }
  | { type: 'fault'; index: number; total: number; fault: Fault; acked: number; elapsedMs: number }
  | { type: 'audit'; acked: number; elapsedMs: number };

export interface ChaosReport extends AuditResult {
  seed: number;
  faults: Fault[];
  /** Sends of numbered records attempted on the topic under test. */
  attempted: number;
  /** Sends that failed, on every topic. */
  failedSends: number;
  /** Sends the client resolved without a broker answer for their partition (not counted as acknowledged). */
  unansweredSends: number;
  compactedAcked: number;
  durationMs: number;
  /** The data dir when it was kept, else null. */
  dataDir: string | null;
}

/** Why a run failed; empty when it passed. Duplicates count only for an idempotent producer. */
export function chaosFailures(r: ChaosReport, idempotent: boolean): string[] {
  const out: string[] = [];
  if (r.lost.length > 0) out.push(`${r.lost.length} acknowledged record(s) lost`);
  if (r.reordered.length > 0) out.push(`${r.reordered.length} record(s) out of acknowledged order`);
  if (r.replicaMismatches.length > 0) out.push(`${r.replicaMismatches.length} replica mismatch(es)`);
  if (idempotent && r.duplicated > 0) out.push(`${r.duplicated} duplicate(s) from an idempotent producer`);
  if (r.acknowledged === 0) out.push('no record was acknowledged');
  return out;
}

/** Broker settings of a chaos cluster (the same names for Brook and Apache Kafka). */
export function brokerOverrides(retentionAndCompaction: boolean): Record<string, string> {
  return {
    'replica.lag.time.max.ms': '3000',
    'replica.fetch.backoff.ms': '200',
    'unclean.leader.election.enable': 'false',
    'auto.leader.rebalance.enable': 'false',
    'controlled.shutdown.retry.backoff.ms': '200',
    'controlled.shutdown.max.retries': '2',
    ...(retentionAndCompaction ? { 'log.retention.check.interval.ms': '1000', 'log.cleaner.backoff.ms': '1000' } : {}),
  };
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const t0 = Date.now();
  const partitions = opts.partitions ?? 3;
  const rf = opts.replicationFactor ?? 3;
  const minInsync = opts.minInsync ?? 2;
  const quietMs = opts.quietMs ?? 1500;
  const extra = opts.retentionAndCompaction === true;
  const idempotent = opts.idempotent === true;
  const topics = extra ? [TOPIC, RETAINED, COMPACTED] : [TOPIC];
  const random = seededRandom(opts.seed);
  const progress = opts.onProgress ?? (() => undefined);
  const cluster = await startLocalCluster({
    brokers: opts.brokers ?? 3,
    sessionTimeoutMs: opts.sessionTimeoutMs ?? 4000,
    overrides: brokerOverrides(extra),
    // A JVM broker on a busy machine takes longer to start (and to recover its logs after kill -9) than Brook.
    brokerStartTimeoutMs: opts.cluster?.kafkaHome === undefined ? 30_000 : 120_000,
    ...opts.cluster,
    dataDir: opts.cluster?.dataDir ?? mkdtempSync(join(tmpdir(), 'brook-chaos-')),
    removeDataDir: false,
  });
  log.info({ dataDir: cluster.dataDir, seed: opts.seed }, 'chaos cluster up');
  progress({ type: 'cluster-up', dataDir: cluster.dataDir, bootstrap: cluster.bootstrap, zookeeper: cluster.zkConnect });
  let workload: Workload | null = null;
  let passed = false;
  try {
    await waitForController(cluster);
    await createTopics(cluster, partitions, rf, minInsync, extra);
    await waitHealthy(cluster, topics, partitions, rf, 60_000);

    workload = new Workload({ bootstrap: cluster.bootstrap.split(','), partitions, idempotent, retentionAndCompaction: extra });
    await workload.start();
    const faults: Fault[] = [];
    const kinds = opts.faultKinds ?? ALL_FAULT_KINDS;
    for (let f = 0; f < opts.faults; f++) {
      await new Promise((r) => setTimeout(r, quietMs));
      const fault = await injectFault(cluster, pickFault(random, f, kinds), random, TOPIC, partitions);
      faults.push(fault);
      progress({ type: 'fault', index: f + 1, total: opts.faults, fault, acked: workload.ackedCount, elapsedMs: Date.now() - t0 });
      // Writable again (a leader and enough in-sync replicas everywhere) before the next fault.
      await waitHealthy(cluster, [TOPIC], partitions, Math.max(1, rf - 1), 90_000);
    }
    await new Promise((r) => setTimeout(r, quietMs));
    await workload.stop();
    // Every replica back in the ISR of every topic, so that each holds everything below the HW compared.
    await waitHealthy(cluster, topics, partitions, rf, 90_000);
    progress({ type: 'audit', acked: workload.ackedCount, elapsedMs: Date.now() - t0 });
    const result = await audit(cluster, workload, partitions, extra);
    const report: ChaosReport = {
      ...result,
      seed: opts.seed,
      faults,
      attempted: workload.attempted,
      failedSends: workload.failedSends,
      unansweredSends: workload.unansweredSends,
      compactedAcked: workload.compactedAckedCount,
      durationMs: Date.now() - t0,
      dataDir: null,
    };
    passed = chaosFailures(report, idempotent).length === 0;
    if (!passed || opts.keepDataDir) report.dataDir = cluster.dataDir;
    return report;
  } catch (e) {
    (e as Error).message += ` (seed ${opts.seed}; data and broker logs kept in ${cluster.dataDir})`;
    throw e;
  } finally {
    if (workload) await workload.stop(5000).catch(() => undefined);
    await cluster.teardown({ removeDataDir: passed && opts.keepDataDir !== true });
  }
}

async function createTopics(cluster: LocalCluster, partitions: number, rf: number, minInsync: number, extra: boolean): Promise<void> {
  const kafka = new Kafka({ clientId: 'brook-chaos-admin', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, requestTimeout: 10_000, retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const minIsr = { name: 'min.insync.replicas', value: String(minInsync) };
    const small = { name: 'segment.bytes', value: '16384' };
    const topic = (name: string, configEntries: Array<{ name: string; value: string }>) => ({ topic: name, numPartitions: partitions, replicationFactor: rf, configEntries: [minIsr, ...configEntries] });
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        topic(TOPIC, extra ? [{ name: 'segment.bytes', value: '32768' }] : []),
        ...(extra
          ? [
              topic(RETAINED, [small, { name: 'retention.bytes', value: '65536' }]),
              topic(COMPACTED, [small, { name: 'cleanup.policy', value: 'compact' }, { name: 'min.cleanable.dirty.ratio', value: '0.01' }]),
            ]
          : []),
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

/** All brokers registered and every partition of the topics led, with an ISR of at least `minIsr`. */
export async function waitHealthy(cluster: LocalCluster, topics: string[], partitions: number, minIsr: number, timeoutMs: number): Promise<void> {
  const unhealthy = async (): Promise<string[]> => {
    const lines: string[] = [];
    const ids = (await (await cluster.zkClient()).getAllBrokers()).map((b) => b.id);
    const missing = [...cluster.brokers.keys()].filter((id) => !ids.includes(id));
    if (missing.length > 0) lines.push(`broker(s) ${missing.join(', ')} not registered`);
    for (const topic of topics) {
      for (let p = 0; p < partitions; p++) {
        const v = await partitionView(cluster, topic, p);
        if (!v || v.leader < 0 || v.isr.length < minIsr) lines.push(`${topic}-${p}: ${v ? `leader ${v.leader}, ISR [${v.isr.join(',')}]` : 'no metadata'}`);
      }
    }
    return lines;
  };
  let last: string[] = ['not checked yet'];
  // A hung ZooKeeper call counts as "not yet", so the deadline still applies; on timeout, say what is missing.
  const check = async (): Promise<boolean> => {
    last = await unhealthy();
    return last.length === 0;
  };
  await waitFor(() => Promise.race([check(), new Promise<boolean>((r) => setTimeout(() => r(false), 5000).unref())]), {
    timeoutMs,
    intervalMs: 200,
    what: `a healthy cluster (ISR >= ${minIsr} everywhere)`,
  }).catch((e: unknown) => {
    throw new Error(`${(e as Error).message}; not healthy: ${last.join('; ')}`);
  });
}
