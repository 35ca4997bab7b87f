// The `brook` command line: process commands (server-start, zookeeper-start, cluster-up) and admin tools.
import { Command, CommanderError } from 'commander';
import { registerServerStart } from './server-start';
import { UsageError } from '../client/errors';

export const USAGE_EXIT = 2;

/**
 * The whole command line. `only: 'server-start'` registers just that command: a broker process does not
 * load the admin tools, perf, chaos, console or client code (about half of its start-up time, issue #20).
 */
export function buildProgram(only?: 'server-start'): Command {
  const program = new Command();
  program
    .name('brook')
    .description('Brook: a Kafka-compatible broker cluster coordinated by ZooKeeper')
    .version(require('../../package.json').version as string)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerServerStart(program);
  if (only === 'server-start') return program;
  // Required here rather than at the top so that `brook server-start` never loads them.
  (require('./zookeeper-start') as typeof import('./zookeeper-start')).registerZooKeeperStart(program);
  (require('./cluster-up') as typeof import('./cluster-up')).registerClusterUp(program);
  (require('./commands') as typeof import('./commands')).registerAdminCommands(program);
  return program;
}

export async function run(argv: string[]): Promise<void> {
  const serverOnly = argv[2] === 'server-start' && !argv.includes('--help') && !argv.includes('-h');
  const program = buildProgram(serverOnly ? 'server-start' : undefined);
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
