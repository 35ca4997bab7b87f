// A local cluster of real processes: ZooKeeper and N brokers (Brook's `bin/brook server-start`, or Apache Kafka's
// kafka-server-start.sh) on loopback ports under one data directory, with hooks to kill, pause, stop and restart
// each of them. Used by `brook chaos` and by the integration-test harness.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startZooKeeper, type ZooKeeperProcess } from '../zkserver';
import { KafkaZkClient } from '../zk/KafkaZkClient';
import { BrokerIdZNode } from '../zk/znodes';
import { canConnect, freePort, StopWaiting, waitFor } from './waitFor';
import { KafkaConnection } from '../client';
import { Metadata } from '../protocol/messages/03-metadata';
import type { CertsResult } from '../util/certs';
import { makeClusterCerts, securedListenerNames, securityOverrides, type ClusterSecurityOptions } from './security';

/** The repository (or installed package) root: the same from src/chaos under ts-jest and from dist/chaos. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const BROOK_BIN = path.join(REPO_ROOT, 'bin', 'brook');

export type Overrides = Record<string, string>;

export interface ClusterOptions {
  brokers?: number; // default 3
  /** Broker properties for every broker, or per broker id (and its port). */
  overrides?: Overrides | ((brokerId: number, port: number) => Overrides);
  zkTickTime?: number; // default 200 ms: session timeouts down to 400 ms
  sessionTimeoutMs?: number; // zookeeper.session.timeout.ms for brokers and harness clients; default 6000
  startBrokers?: boolean; // default true
  /** Time allowed for each broker to register and listen; default 30 s. */
  brokerStartTimeoutMs?: number;
  /** Where ZooKeeper and the brokers keep data and output; default a fresh temporary directory. */
  dataDir?: string;
  /** Whether teardown() deletes the data directory; default true. */
  removeDataDir?: boolean;
  /** ZooKeeper client port; default a free one. */
  zookeeperPort?: number;
  /** Port of broker 1; broker k listens on basePort + k - 1. Default a free port per broker. */
  basePort?: number;
  /** Run Apache Kafka from this installation (its bin/kafka-server-start.sh) instead of Brook. */
  kafkaHome?: string;
  /** BROOK_LOG_LEVEL of Brook brokers; default info. */
  brokerLogLevel?: string;
  /**
   * Children in process groups of their own, so a terminal's Ctrl-C reaches only this process, which then tears
   * the cluster down (brook chaos); tests leave them in the group of the test runner.
   */
  ownProcessGroups?: boolean;
  /**
   * A secured cluster (issue #17): a throwaway CA under <dataDir>/certs, brokers talking to each other on an
   * INTERNAL listener (SASL_SSL by default) and extra client listeners; PLAINTEXT stays on `port` for the harness.
   */
  security?: ClusterSecurityOptions;
}

/** The command that runs one broker from a properties file. */
function brokerCommand(cluster: LocalCluster, propertiesFile: string, logDir: string, extraArgs: string[]): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  const kafkaHome = cluster.options.kafkaHome;
  if (kafkaHome === undefined) {
    return {
      file: process.execPath,
      // BROOK_BROKER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") goes to each broker's node, for profiling.
      args: [...(process.env.BROOK_BROKER_NODE_ARGS ?? '').split(' ').filter((a) => a !== ''), BROOK_BIN, 'server-start', propertiesFile, ...extraArgs],
      env: { ...process.env, BROOK_LOG_LEVEL: cluster.options.brokerLogLevel ?? 'info' },
    };
  }
  // kafka-server-start.sh execs kafka-run-class.sh, which execs java: the child's pid is the JVM's, so kill -9 and
  // SIGSTOP reach the broker itself. Its log4j files go next to the broker's data rather than into the installation.
  return {
    file: path.join(kafkaHome, 'bin', 'kafka-server-start.sh'),
    args: [propertiesFile, ...extraArgs],
    env: { ...process.env, LOG_DIR: `${logDir}-log4j`, KAFKA_HEAP_OPTS: process.env.KAFKA_HEAP_OPTS ?? '-Xms256m -Xmx512m' },
  };
}

/** Last lines of a log file, for failure messages. */
export function tailFile(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

// Every child of every cluster in this process, so an aborted test run leaves no process behind.
const allChildren = new Set<ChildProcess>();
let exitHook = false;
function trackChild(child: ChildProcess): void {
  allChildren.add(child);
  child.once('exit', () => allChildren.delete(child));
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const c of allChildren) {
        try {
          c.kill('SIGKILL');
        } catch {
          /* gone */
        }
      }
    });
  }
}

export class BrokerProcess {
  readonly host = '127.0.0.1';
  /** Ports of the listeners besides PLAINTEXT (secured clusters), by listener name. */
  readonly listenerPorts = new Map<string, number>();
  readonly logDir: string;
  readonly propertiesFile: string;
  readonly outputFile: string;
  private child: ChildProcess | null = null;
  private exitPromise: Promise<void> = Promise.resolve();
  private lastExit: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  constructor(
    readonly id: number,
    readonly port: number,
    private readonly cluster: LocalCluster,
    private readonly overrides: Overrides,
  ) {
    this.logDir = path.join(cluster.dataDir, `broker-${id}`);
    this.propertiesFile = path.join(cluster.dataDir, `broker-${id}.properties`);
    this.outputFile = path.join(cluster.dataDir, `broker-${id}.out`);
  }

  get pid(): number {
    return this.child?.pid ?? -1;
  }
  get running(): boolean {
    return this.child !== null && this.lastExit === null;
  }
  /** Exit code of the last run (null while running, or when it died from a signal). */
  get exitCode(): number | null {
    return this.lastExit?.code ?? null;
  }
  get exitSignal(): NodeJS.Signals | null {
    return this.lastExit?.signal ?? null;
  }
  get address(): string {
    return `${this.host}:${this.port}`;
  }
  output(lines = 40): string {
    return tailFile(this.outputFile, lines);
  }

  private writeProperties(): void {
    const props: Overrides = {
      'broker.id': String(this.id),
      listeners: `PLAINTEXT://${this.host}:${this.port}`,
      'zookeeper.connect': this.cluster.zkConnect,
      'zookeeper.session.timeout.ms': String(this.cluster.sessionTimeoutMs),
      'log.dirs': this.logDir,
      ...this.overrides,
    };
    const text = Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
    fs.writeFileSync(this.propertiesFile, `# written by src/chaos/cluster.ts for broker ${this.id}\n${text}\n`);
  }

  /** Spawns the broker; with wait (default) resolves once it is registered and listening. */
  async start(opts: { wait?: boolean; extraArgs?: string[]; timeoutMs?: number } = {}): Promise<void> {
    if (this.running) throw new Error(`broker ${this.id} is already running (pid ${this.pid})`);
    this.writeProperties();
    const out = fs.openSync(this.outputFile, 'a');
    fs.writeSync(out, `--- start ${new Date().toISOString()}\n`);
    const cmd = brokerCommand(this.cluster, this.propertiesFile, this.logDir, opts.extraArgs ?? []);
    const child = spawn(cmd.file, cmd.args, { cwd: REPO_ROOT, stdio: ['ignore', out, out], env: cmd.env, detached: this.cluster.options.ownProcessGroups === true });
    fs.closeSync(out);
    trackChild(child);
    this.child = child;
    this.lastExit = null;
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.lastExit = { code, signal };
        resolve();
      });
    });
    if (opts.wait !== false) await this.waitRegistered(opts.timeoutMs ?? this.cluster.brokerStartTimeoutMs);
  }

  /** Registered in /brokers/ids AND accepting TCP connections. Fails early if the process exits. */
  async waitRegistered(timeoutMs = 30000): Promise<void> {
    const zk = await this.cluster.zkClient();
    try {
      await waitFor(
        async () => {
          if (this.child && this.lastExit) {
            throw new StopWaiting(`broker ${this.id} exited (code ${this.lastExit.code}, signal ${this.lastExit.signal})`);
          }
          return (await zk.zk.exists(BrokerIdZNode.path(this.id))) !== null && (await canConnect(this.host, this.port));
        },
        { timeoutMs, what: `broker ${this.id} to register and listen on ${this.address}`, intervalMs: 50 },
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- broker ${this.id} output (${this.outputFile}):\n${this.output()}`);
    }
  }

  /** Gone from /brokers/ids (e.g. after kill -9 plus the session timeout). */
  async waitUnregistered(timeoutMs = 30000): Promise<void> {
    const zk = await this.cluster.zkClient();
    try {
      await waitFor(async () => (await zk.zk.exists(BrokerIdZNode.path(this.id))) === null, {
        timeoutMs,
        what: `broker ${this.id} to leave /brokers/ids`,
      });
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- broker ${this.id} output (${this.outputFile}):\n${this.output()}`);
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.running || !this.child) return;
    if (signal === 'SIGKILL' || signal === 'SIGTERM') this.child.kill('SIGCONT');
    this.child.kill(signal);
  }

  pause(): void {
    if (this.running) this.child?.kill('SIGSTOP');
  }

  resume(): void {
    if (this.running) this.child?.kill('SIGCONT');
  }

  /** Waits for the process to exit (no timeout: combine with a test timeout). */
  waitExit(): Promise<void> {
    return this.exitPromise;
  }

  /** SIGTERM (a clean shutdown) and wait for the exit; SIGKILL after timeoutMs. */
  async stop(timeoutMs = 30000): Promise<void> {
    if (!this.running || !this.child) return;
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  /** kill -9 and wait for the process to be gone. */
  async killAndWait(): Promise<void> {
    this.kill('SIGKILL');
    await this.exitPromise;
  }

  async restart(opts: { wait?: boolean; timeoutMs?: number } = {}): Promise<void> {
    await this.stop();
    await this.start(opts);
  }
}

export class LocalCluster {
  readonly brokers = new Map<number, BrokerProcess>();
  private readonly clients: KafkaZkClient[] = [];
  private sharedClient: Promise<KafkaZkClient> | null = null;
  private tornDown = false;

  readonly sessionTimeoutMs: number;
  readonly brokerStartTimeoutMs: number;
  /** The throwaway CA and certificates of a secured cluster (options.security). */
  readonly certs: CertsResult | null;

  constructor(
    readonly dataDir: string,
    readonly zk: ZooKeeperProcess,
    readonly options: ClusterOptions,
  ) {
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 6000;
    this.brokerStartTimeoutMs = options.brokerStartTimeoutMs ?? 30000;
    this.certs = options.security !== undefined ? makeClusterCerts(dataDir) : null;
  }

  /** 'host:port,…' of every broker's listener `name` (secured clusters). */
  bootstrapOf(name: string): string {
    return [...this.brokers.values()].map((b) => `${b.host}:${b.listenerPorts.get(name) ?? b.port}`).join(',');
  }

  get zkConnect(): string {
    return this.zk.connectString;
  }

  /** 'host:port,host:port' over every broker started so far. */
  get bootstrap(): string {
    return [...this.brokers.values()].map((b) => b.address).join(',');
  }

  broker(id: number): BrokerProcess {
    const b = this.brokers.get(id);
    if (!b) throw new Error(`no broker ${id} in this cluster (have ${[...this.brokers.keys()].join(', ')})`);
    return b;
  }

  /** A shared KafkaZkClient for assertions; closed by teardown(). */
  zkClient(): Promise<KafkaZkClient> {
    if (!this.sharedClient) this.sharedClient = this.newZkClient();
    return this.sharedClient;
  }

  /** A separate session (e.g. to race another one); closed by teardown(). */
  async newZkClient(sessionTimeoutMs = this.sessionTimeoutMs): Promise<KafkaZkClient> {
    const c = await KafkaZkClient.connect(this.zkConnect, { sessionTimeoutMs, connectionTimeoutMs: 15000 });
    this.clients.push(c);
    return c;
  }

  /** Adds (or restarts a stopped) broker; waits until it is registered and listening unless wait=false. */
  async startBroker(id: number, overrides: Overrides = {}, opts: { wait?: boolean } = {}): Promise<BrokerProcess> {
    let b = this.brokers.get(id);
    if (!b) {
      const o = this.options.overrides;
      const port = this.options.basePort === undefined ? await freePort() : this.options.basePort + id - 1;
      const base = typeof o === 'function' ? o(id, port) : (o ?? {});
      const sec = this.options.security;
      const ports = new Map<string, number>();
      if (sec !== undefined) for (const name of securedListenerNames(sec)) ports.set(name, await freePort());
      const secured = sec !== undefined ? securityOverrides(sec, this.certs!, '127.0.0.1', port, ports) : {};
      b = new BrokerProcess(id, port, this, { ...secured, ...base, ...overrides });
      for (const [name, p] of ports) b.listenerPorts.set(name, p);
      this.brokers.set(id, b);
    }
    await b.start(opts);
    return b;
  }

  /**
   * Waits until a controller is elected and every running broker's Metadata names it, as clients that look the
   * controller up (kafkajs admin) need; returns its id.
   */
  async waitForController(timeoutMs = 30000): Promise<number> {
    const zk = await this.zkClient();
    return waitFor(async () => {
      const id = await zk.getControllerId();
      if (id === null) return undefined;
      for (const b of this.brokers.values()) {
        if (!b.running) continue;
        const conn = await KafkaConnection.connect(b.host, b.port, { connectTimeoutMs: 2000, requestTimeoutMs: 5000 });
        try {
          const md = await conn.request(Metadata, 1, { topics: [] });
          if (md.controllerId !== id) return undefined;
        } finally {
          conn.close();
        }
      }
      return id;
    }, { timeoutMs, what: 'an elected controller known to every broker' });
  }

  /** Kills everything, closes sessions and removes the data dir unless removeDataDir (option or argument) is false. */
  async teardown(opts: { removeDataDir?: boolean } = {}): Promise<void> {
    if (this.tornDown) return;
    this.tornDown = true;
    await Promise.all([...this.brokers.values()].map((b) => b.killAndWait().catch(() => undefined)));
    // Close sessions before ZooKeeper goes away, so close() does not wait on a dead server.
    await Promise.all(this.clients.map((c) => c.close().catch(() => undefined)));
    this.zk.resume();
    await this.zk.kill().catch(() => undefined);
    if (opts.removeDataDir ?? this.options.removeDataDir ?? true) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Starts ZooKeeper and (by default) the brokers 1..N; on any failure everything started is cleaned up. */
export async function startLocalCluster(opts: ClusterOptions = {}): Promise<LocalCluster> {
  let dataDir: string;
  if (opts.dataDir === undefined) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-test-'));
  } else {
    dataDir = path.resolve(opts.dataDir);
    fs.mkdirSync(dataDir, { recursive: true });
  }
  let zk: ZooKeeperProcess;
  try {
    zk = await startZooKeeper({
      port: opts.zookeeperPort ?? (await freePort()),
      dataDir: path.join(dataDir, 'zookeeper'),
      logFile: path.join(dataDir, 'zookeeper.log'),
      tickTime: opts.zkTickTime ?? 200,
      // The data is disposable and a kill -9 of the JVM keeps what it wrote in the page cache; fsync per
      // transaction only slows a busy machine.
      forceSync: false,
      maxSessionTimeoutMs: 60000,
      ownProcessGroup: opts.ownProcessGroups === true,
    });
  } catch (e) {
    if (opts.removeDataDir ?? true) fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const cluster = new LocalCluster(dataDir, zk, opts);
  try {
    if (opts.startBrokers !== false) {
      const n = opts.brokers ?? 3;
      // Start in parallel: each waits for its own registration.
      await Promise.all(Array.from({ length: n }, (_, i) => cluster.startBroker(i + 1)));
      if (n > 0) await cluster.waitForController();
    }
  } catch (e) {
    await cluster.teardown();
    throw e;
  }
  return cluster;
}
