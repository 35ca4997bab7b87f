// Entry point of the integration-test harness: real ZooKeeper + broker processes, waits with deadlines.
export { startCluster, TestCluster, TestBroker, tailFile, REPO_ROOT, type ClusterOptions, type Overrides } from './cluster';
export { runBrook, type BrookRun } from './brook';
export { BrokerConnections } from './connections';
export { waitFor, freePort, canConnect, StopWaiting, type WaitOptions } from './waitFor';
export { startZooKeeper, type ZooKeeperProcess } from '../../src/zkserver';
