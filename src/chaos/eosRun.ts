// `brook chaos --transactional`: exactly-once consume-transform-produce under faults. The cluster and nemesis are
// the crash test's; the workload is EosWorkload (eos.ts), and the faults add kill -9 of the transaction
// coordinator of a worker's transactional id and of the consumer group's coordinator.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { AdminClient } from '../client';
import { startLocalCluster } from './cluster';
import { auditEos, EOS_GROUP, EOS_IN, EOS_OUT, EosWorkload, transactionCoordinatorOf, transactionalIdOf, type EosAudit, type EosCounters } from './eos';
import { TRANSACTIONAL_FAULT_KINDS } from './faults';
import { waitForController } from './inspect';
import { injectFault, pickFault, seededRandom, type CoordinatorLookup, type Fault } from './nemesis';
import { brokerOverrides, waitHealthy, type ChaosOptions } from './run';
import { moduleLogger } from '../util/logger';

const log = moduleLogger('chaos-eos');

export interface EosChaosOptions extends Omit<ChaosOptions, 'idempotent' | 'retentionAndCompaction' | 'onProgress'> {
  /** Input records; default 100,000. */
  records?: number;
  /** Input records per second at most over all workers; default 0 (unpaced). */
  recordsPerSecond?: number;
  onProgress?: (event: EosProgress) => void;
}

export type EosProgress =
  | { type: 'cluster-up'; dataDir: string; bootstrap: string; zookeeper: string }
  | { type: 'seeded'; records: number; elapsedMs: number }
  | { type: 'fault'; index: number; total: number; fault: Fault; processed: number; elapsedMs: number }
  | { type: 'audit'; processed: number; elapsedMs: number };

export interface EosReport extends EosAudit, EosCounters {
  seed: number;
  faults: Fault[];
  durationMs: number;
  /** Input records per second over the processing phase (seeding excluded). */
  recordsPerSecond: number;
  dataDir: string | null;
}

/** Why a transactional run failed; empty when it passed. */
export function eosFailures(r: EosReport): string[] {
  const out: string[] = [];
  if (r.missing.length > 0) out.push(`${r.missing.length} input record(s) without committed output`);
  if (r.duplicated.length > 0) out.push(`${r.duplicated.length} output record(s) committed more than once`);
  if (r.reordered.length > 0) out.push(`${r.reordered.length} partition(s) out of input order`);
  if (r.undecidedRecords > 0) out.push(`${r.undecidedRecords} record(s) of transactions never decided`);
  if (r.committedOutput === 0) out.push('nothing was committed');
  return out;
}

export async function runEosChaos(opts: EosChaosOptions): Promise<EosReport> {
  const t0 = Date.now();
  const partitions = opts.partitions ?? 3;
  const rf = opts.replicationFactor ?? 3;
  const random = seededRandom(opts.seed);
  const progress = opts.onProgress ?? (() => undefined);
  const cluster = await startLocalCluster({
    brokers: opts.brokers ?? 3,
    sessionTimeoutMs: opts.sessionTimeoutMs ?? 4000,
    overrides: {
      ...brokerOverrides(false),
      // Coordinators move with leadership: a small __transaction_state and __consumer_offsets keep loading short.
      'transaction.state.log.num.partitions': '10',
      'offsets.topic.num.partitions': '10',
      'transaction.state.log.replication.factor': String(Math.min(rf, opts.brokers ?? 3)),
      'offsets.topic.replication.factor': String(Math.min(rf, opts.brokers ?? 3)),
      'transaction.abort.timed.out.transaction.cleanup.interval.ms': '1000',
    },
    brokerStartTimeoutMs: opts.cluster?.kafkaHome === undefined ? 30_000 : 120_000,
    ...opts.cluster,
    dataDir: opts.cluster?.dataDir ?? mkdtempSync(join(tmpdir(), 'brook-chaos-eos-')),
    removeDataDir: false,
  });
  log.info({ dataDir: cluster.dataDir, seed: opts.seed }, 'chaos cluster up');
  progress({ type: 'cluster-up', dataDir: cluster.dataDir, bootstrap: cluster.bootstrap, zookeeper: cluster.zkConnect });
  let workload: EosWorkload | null = null;
  let passed = false;
  try {
    await waitForController(cluster);
    const kafka = new Kafka({ clientId: 'brook-chaos-admin', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 5 } });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const minIsr = [{ name: 'min.insync.replicas', value: String(opts.minInsync ?? 2) }];
      await admin.createTopics({ waitForLeaders: true, topics: [EOS_IN, EOS_OUT].map((topic) => ({ topic, numPartitions: partitions, replicationFactor: rf, configEntries: minIsr })) });
    } finally {
      await admin.disconnect();
    }
    await waitHealthy(cluster, [EOS_IN, EOS_OUT], partitions, rf, 60_000);
    workload = new EosWorkload({ bootstrap: cluster.bootstrap.split(','), partitions, records: opts.records ?? 100_000, recordsPerSecond: opts.recordsPerSecond ?? 0 });
    await workload.seed();
    progress({ type: 'seeded', records: opts.records ?? 100_000, elapsedMs: Date.now() - t0 });
    const t1 = Date.now();
    await workload.start();
    const lookup = coordinatorLookup(cluster, partitions);
    const faults: Fault[] = [];
    const kinds = opts.faultKinds ?? TRANSACTIONAL_FAULT_KINDS;
    const quietMs = opts.quietMs ?? 1500;
    for (let f = 0; f < opts.faults && !workload.done; f++) {
      await new Promise((r) => setTimeout(r, quietMs));
      const fault = await injectFault(cluster, pickFault(random, f, kinds), random, EOS_OUT, partitions, lookup);
      faults.push(fault);
      progress({ type: 'fault', index: f + 1, total: opts.faults, fault, processed: workload.committedInput, elapsedMs: Date.now() - t0 });
      await waitHealthy(cluster, [EOS_IN, EOS_OUT], partitions, Math.max(1, rf - 1), 90_000);
    }
    await workload.finish(600_000);
    const processingMs = Date.now() - t1;
    await waitHealthy(cluster, [EOS_OUT], partitions, rf, 90_000);
    progress({ type: 'audit', processed: workload.committedInput, elapsedMs: Date.now() - t0 });
    const result = await auditEos(cluster, workload);
    const report: EosReport = {
      ...result,
      ...workload.counters,
      seed: opts.seed,
      faults,
      durationMs: Date.now() - t0,
      recordsPerSecond: Math.round(result.inputRecords / (processingMs / 1000)),
      dataDir: null,
    };
    passed = eosFailures(report).length === 0;
    if (!passed || opts.keepDataDir) report.dataDir = cluster.dataDir;
    return report;
  } catch (e) {
    (e as Error).message += ` (seed ${opts.seed}; data and broker logs kept in ${cluster.dataDir}; last worker error: ${workload?.counters.lastError ?? 'none'})`;
    throw e;
  } finally {
    if (workload) await workload.stop().catch(() => undefined);
    await cluster.teardown({ removeDataDir: passed && opts.keepDataDir !== true });
  }
}

/** Finds the coordinators the transactional faults kill: a random worker's transaction coordinator, the group's. */
function coordinatorLookup(cluster: Parameters<typeof transactionCoordinatorOf>[0], partitions: number): CoordinatorLookup {
  return {
    async transactionCoordinator(random) {
      const id = transactionalIdOf(Math.floor(random() * partitions));
      const brokerId = await transactionCoordinatorOf(cluster, id);
      return brokerId === null ? null : { brokerId, transactionalId: id };
    },
    async groupCoordinator() {
      const admin = await AdminClient.connect(cluster.bootstrap).catch(() => null);
      if (!admin) return null;
      try {
        return { brokerId: await admin.coordinator(EOS_GROUP), group: EOS_GROUP };
      } catch {
        return null;
      } finally {
        admin.close();
      }
    },
  };
}
