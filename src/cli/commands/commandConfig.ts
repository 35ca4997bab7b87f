// `--command-config <file>`: Kafka client properties (security.protocol, ssl.*, sasl.mechanism, sasl.jaas.config)
// for every connection the command makes, as Kafka's tools take them.
import type { Command } from 'commander';
import { UsageError } from '../../client';
import { useCommandConfig } from '../../client/security';

export function withCommandConfig(cmd: Command): Command {
  return cmd
    .option('--command-config <file>', 'client properties file: security.protocol, ssl.truststore.*, ssl.keystore.*, sasl.mechanism, sasl.jaas.config')
    .hook('preAction', (self) => {
      const file = self.opts<{ commandConfig?: string }>().commandConfig;
      if (file === undefined) return;
      try {
        useCommandConfig(file);
      } catch (e) {
        throw new UsageError(`--command-config ${file}: ${(e as Error).message}`);
      }
    });
}
