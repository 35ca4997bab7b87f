// Finds a ZooKeeper 3.8 installation on this machine and runs a standalone server as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { moduleLogger } from '../util/logger';

const log = moduleLogger('zkserver');

export interface ZooKeeperInstallation {
  /** Java classpath (path.delimiter-separated) holding ZooKeeper, its dependencies and an SLF4J binding. */
  classpath: string;
  javaBin: string;
  /** Where it was found, for messages: 'debian:/usr/share/java', 'ZOOKEEPER_HOME=...', 'zkServer.sh:...'. */
  source: string;
}

export const INSTALL_HINT =
  'ZooKeeper was not found. Install it with `apt-get install zookeeper` on Debian/Ubuntu (or run ' +
  '`bash zk/ensure-zookeeper.sh`, which does so when run as root), or set ZOOKEEPER_HOME to an unpacked ' +
  'Apache ZooKeeper 3.8 binary distribution (apache-zookeeper-3.8.x-bin). Java 11+ is required ' +
  '(`apt-get install default-jre-headless`).';

export const JAVA_HINT =
  'Java was not found: ZooKeeper needs Java 11+. Install it with `apt-get install default-jre-headless` ' +
  '(or run `bash zk/ensure-zookeeper.sh` as root), or set JAVA_HOME.';

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isFile(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

/** JAVA_HOME/bin/java, else java on PATH, else /usr/bin/java. */
export function findJava(): string | null {
  const home = process.env.JAVA_HOME;
  if (home && isFile(path.join(home, 'bin', 'java'))) return path.join(home, 'bin', 'java');
  return findOnPath('java') ?? (isFile('/usr/bin/java') ? '/usr/bin/java' : null);
}

/** Debian/Ubuntu's libzookeeper-java layout: versionless symlinks in /usr/share/java. */
function fromDebian(javaDir = '/usr/share/java'): string[] | null {
  const zk = path.join(javaDir, 'zookeeper.jar');
  if (!isFile(zk)) return null;
  // The jar's manifest Class-Path names most dependencies; list the ones the server needs anyway in case
  // a packaging change drops them, plus an SLF4J binding (slf4j-api alone would log nothing, with a warning).
  const wanted = [
    'zookeeper.jar',
    'zookeeper-jute.jar',
    'slf4j-api.jar',
    'netty-buffer.jar',
    'netty-codec.jar',
    'netty-common.jar',
    'netty-handler.jar',
    'netty-resolver.jar',
    'netty-transport.jar',
    'netty-transport-native-unix-common.jar',
    'netty-transport-native-epoll.jar',
    'metrics-core.jar',
    'commons-cli.jar',
    'snappy-java.jar',
  ];
  const jars = wanted.map((j) => path.join(javaDir, j)).filter(isFile);
  const binding = ['slf4j-simple.jar', 'slf4j-nop.jar'].map((j) => path.join(javaDir, j)).find(isFile);
  if (binding) jars.push(binding);
  return jars;
}

/** An Apache binary distribution: every jar in <home>/lib (it ships logback as the SLF4J binding). */
function fromHome(home: string): string[] | null {
  const lib = path.join(home, 'lib');
  let names: string[];
  try {
    names = fs.readdirSync(lib).filter((n) => n.endsWith('.jar'));
  } catch {
    return null;
  }
  if (!names.some((n) => /^zookeeper-\d.*\.jar$/.test(n) || n === 'zookeeper.jar')) return null;
  const jars = names.map((n) => path.join(lib, n));
  // Some layouts keep the main jar next to lib/.
  for (const n of fs.readdirSync(home)) if (/^zookeeper-\d.*\.jar$/.test(n)) jars.push(path.join(home, n));
  const conf = path.join(home, 'conf');
  if (fs.existsSync(conf)) jars.unshift(conf); // logback.xml lives there
  return jars;
}

/**
 * Locates ZooKeeper: ZOOKEEPER_HOME (binary distribution), then the Debian/Ubuntu package, then a zkServer.sh
 * on PATH (its installation derived from the script's location). null when nothing is found or Java is missing.
 */
export function findZooKeeper(): ZooKeeperInstallation | null {
  const javaBin = findJava();
  if (!javaBin) return null;
  const home = process.env.ZOOKEEPER_HOME;
  if (home) {
    const jars = fromHome(home);
    if (jars) return { classpath: jars.join(path.delimiter), javaBin, source: `ZOOKEEPER_HOME=${home}` };
  }
  const deb = fromDebian();
  if (deb) return { classpath: deb.join(path.delimiter), javaBin, source: 'debian:/usr/share/java' };
  const script = findOnPath('zkServer.sh');
  if (script) {
    const real = fs.realpathSync(script);
    const base = path.dirname(path.dirname(real));
    const jars = fromHome(base) ?? fromDebian(path.join(path.dirname(base), 'java'));
    if (jars) return { classpath: jars.join(path.delimiter), javaBin, source: `zkServer.sh:${real}` };
  }
  return null;
}

// ---------------------------------------------------------------------------------------- templating

function templatePath(): string | null {
  // Walk up from this file to the repository root (works from src/ under ts-node/jest and from dist/).
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'zk', 'zoo.cfg.template');
    if (isFile(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  return null;
}

const FALLBACK_TEMPLATE = [
  'tickTime=${TICK_TIME}',
  'dataDir=${DATA_DIR}',
  'clientPort=${PORT}',
  'clientPortAddress=${HOST}',
  'maxClientCnxns=0',
  'minSessionTimeout=${MIN_SESSION_TIMEOUT}',
  'maxSessionTimeout=${MAX_SESSION_TIMEOUT}',
  '4lw.commands.whitelist=*',
  'admin.enableServer=${ADMIN_SERVER}',
  'admin.serverPort=${ADMIN_PORT}',
  'forceSync=${FORCE_SYNC}',
  'preAllocSize=${PRE_ALLOC_SIZE_KB}',
  '',
].join('\n');

export function renderZooCfg(vars: Record<string, string | number>): string {
  const file = templatePath();
  const template = file ? fs.readFileSync(file, 'utf8') : FALLBACK_TEMPLATE;
  return template.replace(/\$\{([A-Z_]+)\}/g, (m, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new Error(`zoo.cfg template variable ${name} has no value`);
    return String(v);
  });
}

// ------------------------------------------------------------------------------------ four letter words

/** Sends a four-letter word and returns the reply ('' on any failure within timeoutMs). */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve) => {
    let reply = '';
    const sock = net.connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve('');
    }, timeoutMs);
    sock.on('connect', () => sock.write(word));
    sock.on('data', (b) => (reply += b.toString('utf8')));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(reply);
    });
  });
}

function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === 'EADDRINUSE'
            ? `cannot start ZooKeeper: port ${host}:${port} is already in use`
            : `cannot start ZooKeeper on ${host}:${port}: ${e.message}`,
        ),
      ),
    );
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve()));
  });
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// --------------------------------------------------------------------------------------------- server

export interface ZooKeeperOptions {
  port: number;
  dataDir: string;
  tickTime?: number; // default 2000 (ZooKeeper's)
  host?: string; // default 127.0.0.1
  /** Where the server's stdout/stderr go; default <dataDir>/zookeeper.log. */
  logFile?: string;
  adminServer?: boolean; // default false
  /** fsync each transaction (ZooKeeper's default). Test clusters turn it off for speed. */
  forceSync?: boolean;
  maxSessionTimeoutMs?: number; // default 60000
  /** How long to wait for `ruok` → `imok`. Default 30 s (a cold JVM on a busy 2-core machine is slow). */
  startTimeoutMs?: number;
  /** Extra JVM flags. */
  jvmFlags?: string[];
  /**
   * Run in its own process group, so a terminal's Ctrl-C (SIGINT to the whole foreground group) does not reach it
   * and the parent decides when it stops (cluster-up stops the brokers first: they need ZooKeeper to shut down).
   */
  ownProcessGroup?: boolean;
}

export interface ZooKeeperProcess {
  readonly pid: number;
  readonly port: number;
  readonly host: string;
  /** `host:port`, for zookeeper.connect. */
  readonly connectString: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly running: boolean;
  /** SIGTERM, then wait for exit (SIGKILL after timeoutMs). */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  pause(): void;
  resume(): void;
  /** Stop (if running) and start again on the same port and data directory. */
  restart(): Promise<void>;
  /** Resolves with the exit code (or signal name) once the process exits. */
  waitExit(): Promise<number | string>;
}

const JVM_FLAGS = [
  '-Xms32m',
  '-Xmx256m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1', // C1 only: faster start, plenty for a test server
  '-Xshare:auto',
  '-XX:-UsePerfData',
  '-Djava.net.preferIPv4Stack=true',
  '-Dorg.slf4j.simpleLogger.defaultLogLevel=info',
  '-Dorg.slf4j.simpleLogger.showDateTime=true',
  '-Dzookeeper.jmx.log4j.disable=true',
];

class ZooKeeperChild implements ZooKeeperProcess {
  private child: ChildProcess | null = null;
  private exitPromise: Promise<number | string> = Promise.resolve(0);
  private exited = true;
  readonly host: string;
  readonly logFile: string;
  private readonly cfgFile: string;

  constructor(
    private readonly install: ZooKeeperInstallation,
    private readonly opts: ZooKeeperOptions,
  ) {
    this.host = opts.host ?? '127.0.0.1';
    this.logFile = opts.logFile ?? path.join(opts.dataDir, 'zookeeper.log');
    this.cfgFile = path.join(opts.dataDir, 'zoo.cfg');
  }

  get pid(): number {
    return this.child?.pid ?? -1;
  }
  get port(): number {
    return this.opts.port;
  }
  get dataDir(): string {
    return this.opts.dataDir;
  }
  get connectString(): string {
    return `${this.host}:${this.opts.port}`;
  }
  get running(): boolean {
    return !this.exited;
  }

  writeConfig(): void {
    const tick = this.opts.tickTime ?? 2000;
    fs.mkdirSync(this.opts.dataDir, { recursive: true });
    fs.writeFileSync(
      this.cfgFile,
      renderZooCfg({
        TICK_TIME: tick,
        DATA_DIR: path.resolve(this.opts.dataDir),
        PORT: this.opts.port,
        HOST: this.host,
        MIN_SESSION_TIMEOUT: 2 * tick,
        MAX_SESSION_TIMEOUT: Math.max(this.opts.maxSessionTimeoutMs ?? 60000, 2 * tick),
        ADMIN_SERVER: this.opts.adminServer ? 'true' : 'false',
        ADMIN_PORT: 0,
        FORCE_SYNC: this.opts.forceSync === false ? 'no' : 'yes',
        PRE_ALLOC_SIZE_KB: 4096,
      }),
    );
  }

  async start(): Promise<void> {
    await assertPortFree(this.host, this.opts.port);
    this.writeConfig();
    fs.mkdirSync(path.dirname(this.logFile), { recursive: true });
    const out = fs.openSync(this.logFile, 'a');
    const args = [
      ...JVM_FLAGS,
      ...(this.opts.jvmFlags ?? []),
      '-cp',
      this.install.classpath,
      'org.apache.zookeeper.server.ZooKeeperServerMain',
      this.cfgFile,
    ];
    const child = spawn(this.install.javaBin, args, { stdio: ['ignore', out, out], detached: this.opts.ownProcessGroup === true });
    fs.closeSync(out);
    this.child = child;
    this.exited = false;
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true;
        resolve(code ?? signal ?? -1);
      });
      child.once('error', (e) => {
        this.exited = true;
        log.error({ err: e }, 'could not spawn java');
        resolve(-1);
      });
    });
    const deadline = Date.now() + (this.opts.startTimeoutMs ?? 30000);
    for (;;) {
      if (this.exited) {
        const code = await this.exitPromise;
        throw new Error(
          `ZooKeeper exited (${code}) before serving on ${this.connectString}; log ${this.logFile}:\n${tail(this.logFile)}`,
        );
      }
      // ruok says imok as soon as the socket is up; srvr proves the database is loaded and serving.
      if ((await fourLetterWord(this.host, this.opts.port, 'ruok', 500)) === 'imok') {
        const srvr = await fourLetterWord(this.host, this.opts.port, 'srvr', 500);
        if (srvr.includes('Mode:')) break;
      }
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(
          `ZooKeeper did not answer ruok with imok on ${this.connectString} within ${this.opts.startTimeoutMs ?? 30000} ms; ` +
            `log ${this.logFile}:\n${tail(this.logFile)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    log.info({ pid: this.pid, port: this.opts.port, source: this.install.source }, 'ZooKeeper started');
  }

  async stop(timeoutMs = 10000): Promise<void> {
    if (this.exited || !this.child) return;
    this.child.kill('SIGCONT'); // a paused JVM cannot handle SIGTERM
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  async kill(): Promise<void> {
    if (this.exited || !this.child) return;
    this.child.kill('SIGKILL');
    await this.exitPromise;
  }

  pause(): void {
    if (!this.exited) this.child?.kill('SIGSTOP');
  }

  resume(): void {
    if (!this.exited) this.child?.kill('SIGCONT');
  }

  async restart(): Promise<void> {
    await this.stop();
    // The kernel may hold the port briefly after exit; retry the bind check for a short while.
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        await this.start();
        return;
      } catch (e) {
        if (!/already in use/.test((e as Error).message) || Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  waitExit(): Promise<number | string> {
    return this.exitPromise;
  }
}

/** Children still running when this process exits are killed, so a crashed test run leaves nothing behind. */
const liveChildren = new Set<ZooKeeperChild>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of liveChildren) {
      try {
        if (c.running && c.pid > 0) process.kill(c.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
}

/**
 * Writes <dataDir>/zoo.cfg and starts a standalone ZooKeeper, resolving once it serves requests.
 * Throws with install instructions when ZooKeeper or Java is missing, and clearly when the port is taken.
 */
export async function startZooKeeper(opts: ZooKeeperOptions): Promise<ZooKeeperProcess> {
  const install = findZooKeeper();
  if (!install) throw new Error(findJava() ? INSTALL_HINT : JAVA_HINT);
  const zk = new ZooKeeperChild(install, opts);
  installExitHook();
  liveChildren.add(zk);
  void zk.waitExit();
  await zk.start();
  return zk;
}
