// The `brook` command line: process commands (server-start, zookeeper-start, cluster-up) and admin tools.
import { Command, CommanderError } from 'commander';
import { registerServerStart } from './server-start';
import { registerZooKeeperStart } from './zookeeper-start';
import { registerClusterUp } from './cluster-up';
import { registerAdminCommands } from './commands';
import { UsageError } from '../client';

export const USAGE_EXIT = 2;

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('brook')
    .description('Brook: a Kafka-compatible broker cluster coordinated by ZooKeeper')
    .version(require('../../package.json').version as string)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerServerStart(program);
  registerZooKeeperStart(program);
  registerClusterUp(program);
  registerAdminCommands(program);
  return program;
}

export async function run(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors get 2, as Kafka's tools do.
      process.exit(e.exitCode === 0 ? 0 : USAGE_EXIT);
    }
    if (e instanceof UsageError) {
      process.stderr.write(`brook: ${e.message}\n(run with --help for usage)\n`);
      process.exit(USAGE_EXIT);
    }
    throw e;
  }
}
