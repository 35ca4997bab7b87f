// Public surface of the storage layer.
export * from './errors';
export * from './LogConfig';
export * from './checkpoints';
export * from './LeaderEpochFileCache';
export * from './indexes';
export * from './LogSegment';
export * from './Log';
export * from './LogTypes';
export * from './LogLoader';
export * from './LogManager';
export * from './compaction';
export * from './OffsetMap';
export * from './Cleaner';
export * from './LogCleaner';
export * from './SegmentSwap';
export * from './SegmentDeleter';
export * from './TransactionIndex';
