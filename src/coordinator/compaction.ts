// Compaction of __consumer_offsets batches: the storage layer owns the implementation; re-exported for the coordinator.
export { compactRecords, compactRecordsAsync, type CompactOptions } from '../log/compaction';
