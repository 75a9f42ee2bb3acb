// The embedded adapters: everything `flowc run` needs without external services. Each class
// implements one of the runtime's interfaces (Source, Sink, StateStore, Clock) or backs one.
export { ManualClock, SystemClock, type ManualClockOptions, type SystemClockOptions, type TimerCallback } from './clock.ts';
export { CheckpointStorage, decodeCheckpointFile, encodeCheckpointFile, type CheckpointStorageOptions } from './checkpoint-storage.ts';
export { GroupCoordinator, roundRobinAssignment, type GroupMember, type LeaveReason } from './consumer-group.ts';
export { JsonlFileSource, type JsonlFileSourceOptions } from './jsonl-source.ts';
export { CommitFailedError, EmbeddedLogSource, type EmbeddedLogSourceOptions } from './log-source.ts';
export { murmur2, murmur2Utf8, partitionForKey, toPositive } from './murmur2.ts';
export { FileOffsetStore, MemoryOffsetStore, type OffsetStore } from './offset-store.ts';
export { PartitionedLog, validateTopicName, type CloseOptions, type PartitionedLogOptions, type PersistentLogOptions } from './partitioned-log.ts';
export { envelopeLine, JsonlFileSink, LogSink, MemorySink, valueLine, type JsonlFileSinkOptions, type LineFormat, type LogSinkOptions } from './sinks.ts';
export { LocalStateStore, LocalStateStoreFactory, type LocalStateStoreOptions } from './state-store.ts';
export {
  EmbeddedTimeSeriesStore,
  TimeSeriesSink,
  type FieldValue,
  type LatestPoint,
  type Point,
  type Row,
  type SeriesFilter,
  type SeriesId,
  type SeriesInfo,
  type SeriesPoints,
  type Tags,
  type TimeSeriesQuery,
  type TimeSeriesSinkOptions,
  type TimeSeriesStoreOptions,
} from './time-series.ts';
export { decodeValue, encodeValue, type Json } from './value-codec.ts';
