// `brook zookeeper-start`: runs a real ZooKeeper server found on this machine, in the foreground.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { startZooKeeper } from '../zkserver';

export function registerZooKeeperStart(program: Command): void {
  program
    .command('zookeeper-start')
    .description('start a ZooKeeper server (Debian package zookeeper, ZOOKEEPER_HOME or zkServer.sh on PATH)')
    .option('--port <port>', 'client port', parsePort, 2181)
    .option('--data-dir <dir>', 'data directory', './data/zookeeper')
    .option('--tick-time <ms>', 'ZooKeeper tickTime', parsePositiveInt, 2000)
    .action(async (opts: { port: number; dataDir: string; tickTime: number }) => {
      const zk = await startZooKeeper({ port: opts.port, dataDir: resolve(opts.dataDir), tickTime: opts.tickTime });
      process.stdout.write(`ZooKeeper is serving on 127.0.0.1:${opts.port} (pid ${zk.pid}, data ${resolve(opts.dataDir)})\n`);
      const stop = (): void => { void zk.stop().then(() => process.exit(0)); };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      await zk.waitExit();
    });
}

export function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 65535) throw new (require('commander').InvalidArgumentError)(`"${v}" is not a port number (1-65535)`);
  return n;
}

export function parsePositiveInt(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1) throw new (require('commander').InvalidArgumentError)(`"${v}" is not a positive integer`);
  return n;
}
