// `brook server-start <server.properties> [--override k=v ...]`: runs one broker in the foreground.
import type { Command } from 'commander';
import { ConfigError, KafkaConfig, loadConfigFile } from '../config/KafkaConfig';
import { rootLogger } from '../util/logger';
import { buildListenerSecurity, ListenerSecurityError } from '../security/listenerSecurity';
import { nodeSslIo } from '../util/sslIo';

export function registerServerStart(program: Command): void {
  program
    .command('server-start')
    .description('start a broker from a server.properties file (like kafka-server-start.sh)')
    .argument('<config>', 'path to server.properties')
    .option('--override <key=value>', 'override a property (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .action(async (configPath: string, opts: { override: string[] }) => {
      await serverStart(configPath, opts.override);
    });
}

export async function serverStart(configPath: string, overrides: string[]): Promise<void> {
  let config: KafkaConfig;
  try {
    const loaded = loadConfigFile(configPath, overrides);
    config = new KafkaConfig(loaded);
    // TLS files and SASL settings are checked before anything starts (the broker checks them again at start-up).
    buildListenerSecurity(config, nodeSslIo, null);
    for (const name of loaded.unknown) rootLogger.warn({ property: name }, `The configuration '${name}' was supplied but isn't a known config.`);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof ListenerSecurityError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  // Loaded lazily so that `--help` and config errors stay fast.
  const { KafkaServer } = await import('../server/KafkaServer');
  const server = new KafkaServer(config);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    rootLogger.info({ signal }, 'shutting down');
    server.shutdown().then(
      () => process.exit(0),
      (e: unknown) => {
        rootLogger.error({ err: e }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    await server.startup();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    rootLogger.fatal({ err: e }, `broker failed to start: ${msg}`);
    process.stderr.write(`brook: broker ${config.brokerId} failed to start: ${msg}\n`);
    await server.shutdown().catch(() => undefined);
    process.exit(1);
  }
}
