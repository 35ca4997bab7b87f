// `brook cluster-up` (what `npm start` runs): ZooKeeper plus N brokers on loopback, data under ./data.
import { InvalidArgumentError, type Command } from 'commander';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startZooKeeper, type ZooKeeperProcess } from '../zkserver';
import { KafkaZkClient } from '../zk/KafkaZkClient';
import { formatLogLine, lineSplitter } from './logFormat';
import { parsePort, parsePositiveInt } from './zookeeper-start';
import { rootLogger } from '../util/logger';
import { UsageError } from '../client';
import { startConsole, type RunningConsole } from '../console';

interface ClusterUpOptions {
  brokers: number;
  firstBrokerId: number;
  zookeeperPort: number;
  basePort: number;
  metricsBasePort: number;
  dataDir: string;
  /** The web console's port (0: a free one); false with --no-console. */
  console: number | false;
}

export function registerClusterUp(program: Command): void {
  program
    .command('cluster-up')
    .description('run a local cluster: ZooKeeper and N brokers on 127.0.0.1 (Ctrl-C stops everything)')
    .option('--brokers <n>', 'number of brokers', parsePositiveInt, 3)
    .option('--first-broker-id <id>', 'broker.id of the first broker; the others follow (0 gives ids 0..N-1, as Kafka\'s quickstart)', parseBrokerId, 1)
    .option('--zookeeper-port <port>', 'ZooKeeper client port', parsePort, 2181)
    .option('--base-port <port>', 'port of the first broker; the k-th broker listens on base-port + k - 1', parsePort, 9092)
    .option('--metrics-base-port <port>', 'metrics.listener port of the first broker (/metrics, /health/ready); the k-th uses metrics-base-port + k - 1', parsePort, 9644)
    .option('--data-dir <dir>', 'where ZooKeeper and the brokers keep their data', './data')
    .option('--console <port>', 'port of the web console on 127.0.0.1 (0 picks a free one)', parseConsolePort, 8080)
    .option('--no-console', 'do not start the web console')
    .action(async (opts: ClusterUpOptions) => {
      if (opts.firstBrokerId + opts.brokers - 1 > MAX_BROKER_ID) {
        throw new UsageError(`--first-broker-id ${opts.firstBrokerId} with --brokers ${opts.brokers} gives broker ids above ${MAX_BROKER_ID}`);
      }
      await clusterUp(opts);
    });
}

/** broker.id is a non-negative int32 (Kafka reserves -1 for "generate one"). */
const MAX_BROKER_ID = 2 ** 31 - 1;

function parseConsolePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new InvalidArgumentError(`"${v}" is not a port (0 picks a free one)`);
  return n;
}

export function parseBrokerId(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > MAX_BROKER_ID) throw new InvalidArgumentError(`"${v}" is not a broker id (an integer from 0 to ${MAX_BROKER_ID})`);
  return n;
}

const out = (line: string): void => { process.stdout.write(line + '\n'); };

export async function clusterUp(opts: ClusterUpOptions): Promise<void> {
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const brook = resolve(__dirname, '..', '..', 'bin', 'brook');
  const children = new Map<number, ChildProcess>();
  let zk: ZooKeeperProcess | null = null;
  let webConsole: RunningConsole | null = null;
  let stopping = false;

  const stopAll = async (code: number): Promise<never> => {
    if (stopping) return new Promise<never>(() => undefined);
    stopping = true;
    await webConsole?.close().catch(() => undefined);
    out('[cluster] stopping brokers ...');
    await Promise.all([...children.values()].map((c) => stopChild(c, 30000)));
    if (zk) {
      out('[cluster] stopping ZooKeeper ...');
      await zk.stop().catch(() => undefined);
    }
    out('[cluster] stopped');
    process.exit(code);
  };
  // Children run in their own process groups; should this process end some other way, do not leave them behind.
  process.on('exit', () => { for (const c of children.values()) c.kill('SIGTERM'); });
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  out(`[cluster] starting ZooKeeper on 127.0.0.1:${opts.zookeeperPort} (data ${join(dataDir, 'zookeeper')})`);
  try {
    // ZooKeeper and the brokers run in process groups of their own: a terminal's Ctrl-C reaches only this process,
    // which stops the brokers (a controlled shutdown needs ZooKeeper and the controller) and then ZooKeeper.
    zk = await startZooKeeper({ port: opts.zookeeperPort, dataDir: join(dataDir, 'zookeeper'), tickTime: 2000, logFile: join(dataDir, 'zookeeper', 'zookeeper.log'), ownProcessGroup: true });
  } catch (e) {
    process.stderr.write(`brook cluster-up: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const zkConnect = `127.0.0.1:${opts.zookeeperPort}`;
  const ports: number[] = [];
  const ids = Array.from({ length: opts.brokers }, (_x, i) => opts.firstBrokerId + i);
  for (const [i, id] of ids.entries()) {
    const port = opts.basePort + i;
    ports.push(port);
    const dir = join(dataDir, `broker-${id}`);
    mkdirSync(dir, { recursive: true });
    const props = join(dir, 'server.properties');
    if (!existsSync(props)) {
      writeFileSync(props, [
        `# Broker ${id} of the local Brook cluster (written by brook cluster-up; edit freely).`,
        `broker.id=${id}`,
        `listeners=PLAINTEXT://127.0.0.1:${port}`,
        `zookeeper.connect=${zkConnect}`,
        `log.dirs=${join(dir, 'logs')}`,
        'zookeeper.session.timeout.ms=18000',
        `default.replication.factor=${Math.min(3, opts.brokers)}`,
        `offsets.topic.replication.factor=${Math.min(3, opts.brokers)}`,
        `transaction.state.log.replication.factor=${Math.min(3, opts.brokers)}`,
        `transaction.state.log.min.isr=${Math.min(2, opts.brokers)}`,
        'group.initial.rebalance.delay.ms=0',
        '# Ctrl-C stops every broker at once; the last one cannot hand its leaders to anyone and retries its',
        "# controlled shutdown (Kafka's 5 s backoff would make every stop take 15 s).",
        'controlled.shutdown.retry.backoff.ms=500',
        '',
      ].join('\n'));
    }
    // Metrics on every broker (a command-line override, so data dirs from before keep working).
    const metricsListener = `http://127.0.0.1:${opts.metricsBasePort + i}`;
    const child = spawn(process.execPath, [brook, 'server-start', props, '--override', `metrics.listener=${metricsListener}`], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BROOK_LOG_LEVEL: process.env.BROOK_LOG_LEVEL ?? 'info' } });
    const prefix = `[broker-${id}]`;
    child.stdout!.on('data', lineSplitter((l) => out(formatLogLine(prefix, l))));
    child.stderr!.on('data', lineSplitter((l) => process.stderr.write(`${prefix} ${l}\n`)));
    child.on('exit', (code, signal) => {
      children.delete(id);
      if (!stopping) {
        out(`[cluster] broker ${id} exited (${signal ?? `code ${code}`}); the rest keep running. Ctrl-C stops the cluster.`);
      }
    });
    children.set(id, child);
  }

  // Ready once every broker is registered in ZooKeeper.
  const client = await KafkaZkClient.connect(zkConnect, { sessionTimeoutMs: 10000, connectionTimeoutMs: 10000, logger: rootLogger.child({ module: 'cluster-up' }) });
  const deadline = Date.now() + 60000;
  for (;;) {
    const registered = (await client.getAllBrokers()).map((b) => b.id);
    if (ids.every((id) => registered.includes(id))) break;
    if (children.size < opts.brokers || Date.now() > deadline) {
      process.stderr.write(`brook cluster-up: not every broker came up (registered: [${registered.join(', ')}]); see the log lines above\n`);
      await client.close();
      await stopAll(1);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await client.close();
  out('');
  out(`[cluster] Brook cluster is up: ${opts.brokers} broker(s), ZooKeeper ${zkConnect}`);
  out(`[cluster] bootstrap servers: ${ports.map((p) => `127.0.0.1:${p}`).join(',')}`);
  out(`[cluster] metrics: ${ids.map((_id, i) => `http://127.0.0.1:${opts.metricsBasePort + i}/metrics`).join(' ')}`);
  out('[cluster] try: kcat -L -b 127.0.0.1:' + String(opts.basePort) + '   (Ctrl-C stops the cluster)');
  out('');
  // The web console (src/console), in this process: it speaks to the brokers over the wire protocol only.
  if (opts.console !== false) {
    try {
      webConsole = await startConsole({ bootstrapServer: ports.map((p) => `127.0.0.1:${p}`).join(','), host: '127.0.0.1', port: opts.console });
      out(`[console] web console: ${webConsole.url}`);
    } catch (e) {
      out(`[console] the web console did not start: ${(e as Error).message} (try --console <another port>, or --no-console)`);
    }
    out('');
  }
  await new Promise<void>(() => undefined);
}

function stopChild(c: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolveStop) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolveStop();
    const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    c.kill('SIGTERM');
  });
}
