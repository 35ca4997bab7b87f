// Helpers for data-path integration tests (find leaders, read partitions over the wire, read replicas from disk):
// the chaos audit's own, from src/chaos/inspect.ts.
export { liveBrokers, waitForController, partitionView, leaderBroker, decodeBatches, consumeAll, listOffset, readReplicaFromDisk, type Rec } from '../../src/chaos/inspect';
