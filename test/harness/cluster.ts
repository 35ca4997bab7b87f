// The integration-test cluster is src/chaos's local cluster (real ZooKeeper and broker processes on free loopback
// ports in a fresh temporary directory), under the names the tests use; BROOK_KEEP_TEST_DIRS=1 keeps the directory
// and BROOK_TEST_BROKER_LOG_LEVEL sets the brokers' log level.
import { startLocalCluster, tailFile, REPO_ROOT, BrokerProcess, LocalCluster, type ClusterOptions, type Overrides } from '../../src/chaos/cluster';

export { tailFile, REPO_ROOT, BrokerProcess as TestBroker, LocalCluster as TestCluster, type ClusterOptions, type Overrides };

export function startCluster(opts: ClusterOptions = {}): Promise<LocalCluster> {
  return startLocalCluster({
    removeDataDir: process.env.BROOK_KEEP_TEST_DIRS !== '1',
    brokerLogLevel: process.env.BROOK_TEST_BROKER_LOG_LEVEL ?? 'info',
    ...opts,
  });
}
