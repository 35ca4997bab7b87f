// `brook chaos`: the crash test as a command. Starts its own cluster, writes numbered acks=-1 records while a
// seeded nemesis kills, pauses and restarts brokers and ZooKeeper, then audits every acknowledged record.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { ChaosOptions, ChaosProgress, ChaosReport, EosChaosOptions, EosProgress, EosReport } from '../../chaos';
import { ALL_FAULT_KINDS, COORDINATOR_FAULT_KINDS, TRANSACTIONAL_FAULT_KINDS, isFaultKind, type FaultKind } from '../../chaos/faults';
import { rootLogger } from '../../util/logger';

/** The usual low end of Linux's ephemeral port range (net.ipv4.ip_local_port_range). */
const EPHEMERAL_LOW = 32768;

interface ChaosCliOptions {
  faults: number;
  seed?: number;
  idempotent?: boolean;
  transactional?: boolean;
  records: number;
  recordsPerSecond: number;
  brokers: number;
  partitions: number;
  replicationFactor: number;
  minInsync: number;
  dataDir?: string;
  zookeeperPort?: number;
  basePort?: number;
  sessionTimeoutMs: number;
  quietMs: number;
  faultKinds?: string;
  retentionAndCompaction?: boolean;
  kafkaHome?: string;
}

function intArg(min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got "${v}"`);
    return n;
  };
}

export function registerChaos(program: Command): void {
  program
    .command('chaos')
    .description('crash-test a cluster it starts itself: acks=-1 writes while brokers and ZooKeeper are killed, paused and restarted; then check that no acknowledged record was lost or reordered and that replicas agree')
    .option('--faults <n>', 'number of faults to inject', intArg(0, 100_000), 10)
    .option('--seed <n>', 'seed of the fault draw; the summary prints it so a run can be repeated (default: from the clock)', intArg(0, 2 ** 32 - 1))
    .option('--idempotent', 'idempotent producer (kafkajs idempotent: true, one request in flight); then any duplicate also fails the run')
    .option('--transactional', 'exactly-once instead: one consume-transform-produce worker per partition (kafkajs transactions with sendOffsets) copies --records numbered records from eos-in to eos-out while the faults, which then include kill -9 of the transaction and group coordinators, go on; then check that eos-out holds every input record exactly once, in order, counting only committed transactions')
    .option('--records <n>', 'input records of --transactional', intArg(1, 100_000_000), 100_000)
    .option('--records-per-second <n>', 'pace of --transactional\'s workers over all partitions, so that the processing lasts through the faults (0: unpaced)', intArg(0, 10_000_000), 1000)
    .option('--brokers <n>', 'number of brokers', intArg(1, 100), 3)
    .option('--partitions <n>', 'partitions of each topic', intArg(1, 1000), 3)
    .option('--replication-factor <n>', 'replication factor of each topic (at most --brokers)', intArg(1, 100), 3)
    .option('--min-insync <n>', 'min.insync.replicas of each topic (at most the replication factor)', intArg(1, 100), 2)
    .option('--data-dir <dir>', 'where ZooKeeper and the brokers keep data and logs; must be empty or absent, and is kept (default: a temporary directory, removed after a passing run)')
    .option('--zookeeper-port <port>', 'ZooKeeper client port (default: a free port)', intArg(1, 65535))
    .option('--base-port <port>', 'port of broker 1; broker k listens on base-port + k - 1 (default: free ports)', intArg(1, 65535))
    .option('--session-timeout-ms <ms>', 'zookeeper.session.timeout.ms of the brokers; a pause lasts this plus 1.5 s', intArg(400, 60_000), 4000)
    .option('--quiet-ms <ms>', 'steady writing before each fault and after the last', intArg(0, 600_000), 1500)
    .option('--fault-kinds <list>', `comma-separated kinds to draw from (default: all): ${ALL_FAULT_KINDS.join(', ')}; with --transactional also ${COORDINATOR_FAULT_KINDS.join(', ')}`)
    .option('--retention-and-compaction', 'also write a topic with small retention.bytes and a compacted topic, and check them')
    .option('--kafka-home <dir>', 'run Apache Kafka 2.4-3.x in ZooKeeper mode from DIR/bin/kafka-server-start.sh instead of Brook (untested: Kafka was not available where this was written)')
    .addHelpText('after', [
      '',
      'Faults: kill -9 of a partition leader, a follower or the controller (restarted once its ZooKeeper',
      'registration is gone), SIGSTOP of a leader past the session timeout then SIGCONT, a clean restart',
      '(controlled shutdown), a ZooKeeper restart. The first faults cover each kind once, then the seeded draw.',
      '',
      'Exit code: 0 when every acknowledged record is present once in acknowledged order and the replicas agree up to',
      'the high watermark (duplicates are reported; they fail the run only with --idempotent); 1 otherwise or when',
      'the cluster did not recover; 2 on bad arguments. ZooKeeper 3.8 and Java are needed (see brook zookeeper-start).',
      'Library logs (pino JSON) go to stdout at BROOK_LOG_LEVEL; unset, this command keeps them to warnings (the line',
      'ZooKeeper\'s launcher prints on each start still shows). Broker logs go to <data-dir>/broker-N.out.',
      '',
    ].join('\n'))
    .action(async function (this: Command, opts: ChaosCliOptions) {
      const fail = (msg: string): never => this.error(`error: ${msg}`, { exitCode: 2 });
      if (opts.replicationFactor > opts.brokers) fail(`--replication-factor ${opts.replicationFactor} is more than --brokers ${opts.brokers}`);
      if (opts.minInsync > opts.replicationFactor) fail(`--min-insync ${opts.minInsync} is more than the replication factor ${opts.replicationFactor}`);
      if (opts.basePort !== undefined && opts.basePort + opts.brokers - 1 > 65535) fail(`--base-port ${opts.basePort} with --brokers ${opts.brokers} goes past port 65535`);
      if (opts.basePort !== undefined && opts.zookeeperPort !== undefined && opts.zookeeperPort >= opts.basePort && opts.zookeeperPort < opts.basePort + opts.brokers) {
        fail(`--zookeeper-port ${opts.zookeeperPort} is one of the broker ports ${opts.basePort}-${opts.basePort + opts.brokers - 1}`);
      }
      let faultKinds: FaultKind[] | undefined;
      if (opts.faultKinds !== undefined) {
        const given = opts.faultKinds.split(',').map((s) => s.trim()).filter((s) => s !== '');
        const unknown = given.filter((k) => !isFaultKind(k));
        if (given.length === 0 || unknown.length > 0) fail(`--fault-kinds: unknown kind(s) ${unknown.map((k) => `"${k}"`).join(', ') || '(none given)'}; choose from ${ALL_FAULT_KINDS.join(', ')}`);
        faultKinds = given as FaultKind[];
        const needTxn = given.filter((k) => (COORDINATOR_FAULT_KINDS as readonly string[]).includes(k));
        if (needTxn.length > 0 && !opts.transactional) fail(`--fault-kinds ${needTxn.join(',')} needs --transactional`);
      }
      if (opts.transactional && (opts.idempotent || opts.retentionAndCompaction)) fail('--transactional runs its own workload: it takes neither --idempotent nor --retention-and-compaction');
      if (opts.dataDir !== undefined && existsSync(opts.dataDir) && readdirSync(opts.dataDir).length > 0) {
        fail(`--data-dir ${opts.dataDir} is not empty (old logs would be audited as if written by this run)`);
      }
      if (opts.kafkaHome !== undefined && !existsSync(join(opts.kafkaHome, 'bin', 'kafka-server-start.sh'))) {
        fail(`--kafka-home ${opts.kafkaHome}: there is no bin/kafka-server-start.sh there`);
      }
      if (opts.basePort !== undefined && opts.basePort + opts.brokers - 1 >= EPHEMERAL_LOW) {
        process.stdout.write(`note: broker ports from ${opts.basePort} reach the kernel's ephemeral range (from ${EPHEMERAL_LOW}): a client reconnecting to a restarting broker can connect to itself there and take its own request for an answer; ports below ${EPHEMERAL_LOW} avoid it\n`);
      }
      const seed = opts.seed ?? Date.now() % 1_000_000;
      const run: ChaosOptions = {
        faults: opts.faults,
        seed,
        brokers: opts.brokers,
        partitions: opts.partitions,
        replicationFactor: opts.replicationFactor,
        minInsync: opts.minInsync,
        quietMs: opts.quietMs,
        sessionTimeoutMs: opts.sessionTimeoutMs,
        faultKinds,
        retentionAndCompaction: opts.retentionAndCompaction === true,
        idempotent: opts.idempotent === true,
        keepDataDir: opts.dataDir !== undefined,
        cluster: {
          dataDir: opts.dataDir === undefined ? undefined : resolve(opts.dataDir),
          zookeeperPort: opts.zookeeperPort,
          basePort: opts.basePort,
          kafkaHome: opts.kafkaHome === undefined ? undefined : resolve(opts.kafkaHome),
          // Ctrl-C reaches only this process, which then tears the cluster down.
          ownProcessGroups: true,
        },
        onProgress: printProgress,
      };
      // Exit at once: a client's stray timer must not keep a finished run alive.
      if (opts.transactional) {
        const { idempotent: _i, retentionAndCompaction: _r, onProgress: _p, ...rest } = run;
        process.exit(await eosChaos({ ...rest, faultKinds: faultKinds ?? TRANSACTIONAL_FAULT_KINDS, records: opts.records, recordsPerSecond: opts.recordsPerSecond, onProgress: printEosProgress }, repeatCommand(opts, seed)));
      }
      process.exit(await chaos(run, repeatCommand(opts, seed)));
    });
}

const out = (line: string): void => { process.stdout.write(line + '\n'); };
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

async function chaos(run: ChaosOptions, repeat: string): Promise<number> {
  // Library code logs through pino to stdout: keep it to warnings unless asked, so the progress lines stay readable.
  // (Loggers created before this point, such as ZooKeeper's launcher, keep their level.)
  if (process.env.BROOK_LOG_LEVEL === undefined) rootLogger.level = 'warn';
  const { runChaos, chaosFailures } = await import('../../chaos');
  const what = run.cluster?.kafkaHome !== undefined ? `Apache Kafka from ${run.cluster.kafkaHome}` : 'Brook';
  out(`brook chaos: ${run.faults} fault${run.faults === 1 ? '' : 's'} on ${what}: ${run.brokers} brokers, ${run.partitions} partitions, replication factor ${run.replicationFactor}, min.insync.replicas ${run.minInsync}${run.idempotent ? ', idempotent producer' : ''}${run.retentionAndCompaction ? ', with retention and compaction' : ''}; seed ${run.seed}`);
  let stopping = false;
  const interrupted = (): void => {
    if (stopping) return;
    stopping = true;
    out('interrupted: stopping the cluster (data kept)');
    // The cluster's exit hook kills every broker and ZooKeeper; they run in their own process groups.
    process.exit(130);
  };
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
  let report: ChaosReport;
  try {
    report = await runChaos(run);
  } catch (e) {
    out(`brook chaos: the run did not complete: ${(e as Error).message}`);
    out(`repeat: ${repeat}`);
    return 1;
  }
  const failures = chaosFailures(report, run.idempotent === true);
  out('');
  out(formatReport(report, run));
  out(`repeat: ${repeat}`);
  out(failures.length === 0 ? 'RESULT: PASS' : `RESULT: FAIL (${failures.join('; ')})`);
  return failures.length === 0 ? 0 : 1;
}

async function eosChaos(run: EosChaosOptions, repeat: string): Promise<number> {
  if (process.env.BROOK_LOG_LEVEL === undefined) rootLogger.level = 'warn';
  const { runEosChaos, eosFailures } = await import('../../chaos');
  out(`brook chaos --transactional: ${run.faults} fault${run.faults === 1 ? '' : 's'} on Brook: ${run.brokers} brokers, ${run.partitions} partitions, replication factor ${run.replicationFactor}, ${run.records} input records at up to ${run.recordsPerSecond || 'unlimited'} records/s; seed ${run.seed}`);
  process.on('SIGINT', () => process.exit(130));
  process.on('SIGTERM', () => process.exit(130));
  let report: EosReport;
  try {
    report = await runEosChaos(run);
  } catch (e) {
    out(`brook chaos: the run did not complete: ${(e as Error).message}`);
    out(`repeat: ${repeat}`);
    return 1;
  }
  const failures = eosFailures(report);
  out('');
  out(formatEosReport(report));
  out(`repeat: ${repeat}`);
  out(failures.length === 0 ? 'RESULT: PASS' : `RESULT: FAIL (${failures.join('; ')})`);
  return failures.length === 0 ? 0 : 1;
}

function printEosProgress(e: EosProgress): void {
  if (e.type === 'cluster-up') out(`cluster up: ZooKeeper ${e.zookeeper}, brokers ${e.bootstrap}, data ${e.dataDir}`);
  else if (e.type === 'seeded') out(`${e.records} input records written at ${secs(e.elapsedMs)}; workers starting`);
  else if (e.type === 'fault') {
    const n = String(e.index).padStart(String(e.total).length);
    out(`fault ${n}/${e.total}  ${e.fault.kind.padEnd(22)} ${e.fault.target.padEnd(10)} processed ${String(e.processed).padStart(8)}  at ${secs(e.elapsedMs).padStart(7)}  (${e.fault.detail})`);
  } else out(`every input record processed, replicas in sync at ${secs(e.elapsedMs)}; auditing`);
}

/** The summary of a transactional run. */
export function formatEosReport(r: EosReport): string {
  const kinds = new Map<string, number>();
  for (const f of r.faults) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
  const rows: Array<[string, string | number, string?]> = [
    ['faults', r.faults.length],
    ...[...kinds].map(([k, n]): [string, number] => [`  ${k}`, n]),
    ['input records', r.inputRecords, 'topic eos-in'],
    ['committed output records', r.committedOutput, 'topic eos-out, committed transactions only'],
    ['missing', r.missing.length],
    ['duplicated', r.duplicated.length],
    ['reordered partitions', r.reordered.length],
    ['aborted records', r.abortedRecords, 'in the log, invisible to read_committed'],
    ['undecided records', r.undecidedRecords, 'must be 0'],
    ['transactions committed', r.transactionsCommitted],
    ['transactions aborted', r.transactionsAborted, 'by the workers; the coordinators also abort timed-out and fenced ones'],
    ['worker restarts', r.restarts, 'new producer, same transactional id, from the committed offset'],
    ['records/s', r.recordsPerSecond, 'input records over the processing phase'],
    ['duration', secs(r.durationMs)],
    ['seed', r.seed],
  ];
  if (r.dataDir !== null) rows.push(['data kept in', r.dataDir]);
  const w = Math.max(...rows.map((x) => x[0].length));
  const v = Math.max(...rows.map((x) => String(x[1]).length));
  const lines = rows.map(([k, val, note]) => `${k.padEnd(w)}  ${String(val).padStart(v)}${note ? `  ${note}` : ''}`);
  for (const [title, items] of [['missing', r.missing], ['duplicated', r.duplicated], ['reordered', r.reordered]] as const) {
    if (items.length > 0) lines.push(`${title} (${items.length}, first ${Math.min(10, items.length)}):`, ...items.slice(0, 10).map((x) => `  ${x}`));
  }
  if (r.lastError) lines.push(`last worker error: ${r.lastError}`);
  return lines.join('\n');
}

function printProgress(e: ChaosProgress): void {
  if (e.type === 'cluster-up') out(`cluster up: ZooKeeper ${e.zookeeper}, brokers ${e.bootstrap}, data ${e.dataDir}`);
  else if (e.type === 'fault') {
    const n = String(e.index).padStart(String(e.total).length);
    out(`fault ${n}/${e.total}  ${e.fault.kind.padEnd(15)} ${e.fault.target.padEnd(10)} acked ${String(e.acked).padStart(7)}  at ${secs(e.elapsedMs).padStart(7)}  (${e.fault.detail})`);
  } else out(`writers stopped, every replica in sync at ${secs(e.elapsedMs)}; auditing ${e.acked} acknowledged records`);
}

/** The summary table: faults by kind, sends, the audit, duration and seed; then the first offending records. */
export function formatReport(r: ChaosReport, run: Pick<ChaosOptions, 'idempotent' | 'retentionAndCompaction'>): string {
  const kinds = new Map<string, number>();
  for (const f of r.faults) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
  const rows: Array<[string, string | number, string?]> = [
    ['faults', r.faults.length],
    ...[...kinds].map(([k, n]): [string, number] => [`  ${k}`, n]),
    ['sends attempted', r.attempted, 'numbered records, topic chaos'],
    ['sends acknowledged', r.acknowledged],
    ['sends failed', r.failedSends, 'all topics; a failed send may still be in the log'],
    ['sends unanswered', r.unansweredSends, 'the client resolved them with no broker answer (kafkajs#1798); not acknowledged'],
    ['lost', r.lost.length],
    ['duplicated', r.duplicated, run.idempotent ? 'must be 0 with --idempotent' : 'allowed without --idempotent (retried sends)'],
    ['reordered', r.reordered.length],
    ['replica mismatches', r.replicaMismatches.length, 'replicas compared on disk up to the high watermark'],
    ['unacknowledged but present', r.unackedPresent, 'allowed: the acknowledgement was lost'],
  ];
  if (run.retentionAndCompaction) {
    rows.push(
      ['retained records checked', r.retainedChecked, `${r.retainedBelowStart} acknowledged records removed by retention`],
      ['compacted keys checked', r.compactedKeys, `${r.compactedRead} records read back of ${r.compactedAcked} acknowledged`],
    );
  }
  rows.push(['duration', secs(r.durationMs)], ['seed', r.seed]);
  if (r.dataDir !== null) rows.push(['data kept in', r.dataDir]);
  const w = Math.max(...rows.map((x) => x[0].length));
  const v = Math.max(...rows.map((x) => String(x[1]).length));
  const lines = rows.map(([k, val, note]) => `${k.padEnd(w)}  ${String(val).padStart(v)}${note ? `  ${note}` : ''}`);
  const sample = (title: string, items: string[]): void => {
    if (items.length > 0) lines.push(`${title} (${items.length}, first ${Math.min(10, items.length)}):`, ...items.slice(0, 10).map((x) => `  ${x}`));
  };
  sample('lost', r.lost);
  sample('reordered', r.reordered);
  sample('replica mismatches', r.replicaMismatches);
  return lines.join('\n');
}

/** The command line that repeats this run (the same seed and flags). */
function repeatCommand(o: ChaosCliOptions, seed: number): string {
  const args = ['brook chaos', `--faults ${o.faults}`, `--seed ${seed}`];
  if (o.idempotent) args.push('--idempotent');
  if (o.transactional) args.push('--transactional', `--records ${o.records}`, `--records-per-second ${o.recordsPerSecond}`);
  if (o.brokers !== 3) args.push(`--brokers ${o.brokers}`);
  if (o.partitions !== 3) args.push(`--partitions ${o.partitions}`);
  if (o.replicationFactor !== 3) args.push(`--replication-factor ${o.replicationFactor}`);
  if (o.minInsync !== 2) args.push(`--min-insync ${o.minInsync}`);
  if (o.sessionTimeoutMs !== 4000) args.push(`--session-timeout-ms ${o.sessionTimeoutMs}`);
  if (o.quietMs !== 1500) args.push(`--quiet-ms ${o.quietMs}`);
  if (o.faultKinds !== undefined) args.push(`--fault-kinds ${o.faultKinds}`);
  if (o.retentionAndCompaction) args.push('--retention-and-compaction');
  if (o.kafkaHome !== undefined) args.push(`--kafka-home ${o.kafkaHome}`);
  return args.join(' ');
}
