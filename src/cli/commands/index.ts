// Registers the admin and client subcommands (they speak only the Kafka wire protocol).
import type { Command } from 'commander';
import { registerTopics } from './topics';
import { registerConfigs } from './configs';
import { registerCluster } from './cluster';
import { registerConsoleProducer } from './console-producer';
import { registerConsoleConsumer } from './console-consumer';
import { registerConsumerGroups } from './consumer-groups';
import { registerDeleteRecords } from './delete-records';
import { registerLeaderElection } from './leader-election';
import { registerProducerPerfTest } from './producer-perf-test';
import { registerConsumerPerfTest } from './consumer-perf-test';
import { registerE2eLatency } from './e2e-latency';
import { registerChaos } from './chaos';
import { registerApiVersions } from './api-versions';
import { registerTransactions } from './transactions';
import { registerAcls } from './acls';
import { registerCerts } from './certs';
import { registerConsole } from './console';

export function registerAdminCommands(program: Command): void {
  registerTopics(program);
  registerConfigs(program);
  registerCluster(program);
  registerConsoleProducer(program);
  registerConsoleConsumer(program);
  registerConsumerGroups(program);
  registerDeleteRecords(program);
  registerLeaderElection(program);
  registerProducerPerfTest(program);
  registerConsumerPerfTest(program);
  registerE2eLatency(program);
  registerChaos(program);
  registerApiVersions(program);
  registerTransactions(program);
  registerAcls(program);
  registerCerts(program);
  registerConsole(program);
}
