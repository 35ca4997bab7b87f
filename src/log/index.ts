// Public surface of the storage layer.
export * from './errors';
export * from './LogConfig';
export * from './checkpoints';
export * from './LeaderEpochFileCache';
export * from './indexes';
export * from './LogSegment';
export * from './Log';
export * from './LogManager';
export * from './compaction';
export * from './OffsetMap';
export * from './LogCleaner';
