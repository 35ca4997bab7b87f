// `brook console`: the built-in web console (src/console) for a cluster reached over the Kafka protocol.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../client';
import { useCommandConfig } from '../../client/security';
import { startConsole, consoleSecurity, parseMetricsUrlOption, parsePropertiesText, type MetricsUrlOption } from '../../console';
import { collect, DEFAULT_BOOTSTRAP, parseIntArg } from './common';

interface ConsoleCommandOptions {
  bootstrapServer: string;
  port: number;
  host: string;
  metricsUrl: string[];
  commandConfig?: string;
}

export function registerConsole(program: Command): void {
  program
    .command('console')
    .description('serve the web console: brokers, topics, consumer groups and lag, messages, controller events, metrics')
    .option('--bootstrap-server <host:port>', 'broker(s) to connect to, comma-separated', DEFAULT_BOOTSTRAP)
    .option('--port <port>', 'HTTP port (0 picks a free one)', parseIntArg('--port', 0), 8080)
    .option('--host <address>', 'address to listen on; the console has no login, so keep it on loopback', '127.0.0.1')
    .option('--metrics-url <[id=]url>', "a broker's metrics listener, e.g. 1=http://127.0.0.1:9644 (repeatable; by default read from each broker's metrics.listener)", collect, [] as string[])
    .option('--command-config <file>', 'client properties: security.protocol, sasl.mechanism, sasl.jaas.config')
    .action(async (opts: ConsoleCommandOptions) => {
      if (opts.port > 65535) throw new UsageError(`--port must be at most 65535, got ${opts.port}`);
      let metricsUrls: MetricsUrlOption[];
      try {
        metricsUrls = opts.metricsUrl.map(parseMetricsUrlOption);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      if (opts.commandConfig !== undefined) {
        // Checked first for the console's own message, then every connection of the console uses its TLS/SASL.
        try {
          consoleSecurity(parsePropertiesText(readFileSync(opts.commandConfig, 'utf8')));
          useCommandConfig(opts.commandConfig);
        } catch (e) {
          throw new UsageError(`--command-config ${opts.commandConfig}: ${(e as Error).message}`);
        }
      }
      const c = await startConsole({ bootstrapServer: opts.bootstrapServer, host: opts.host, port: opts.port, metricsUrls });
      process.stdout.write(`Brook console for ${opts.bootstrapServer}: ${c.url}\n`);
      const stop = (): void => { void c.close().then(() => process.exit(0)); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await new Promise<void>(() => undefined);
    });
}
