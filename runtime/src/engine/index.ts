// The execution engine of the flowc runtime (README.md).
export { Engine, defaultTopic, type EngineCounters, type EngineOptions, type EngineState } from './engine.ts';
export { isDelegated, type DelegatedNode, type OperatorFactory } from './factories.ts';
export { defaultOperators, type DefaultOperatorOptions } from './operators.ts';
export { DEFAULT_EVENT_TIME_BOUNDS, EARLIEST_EVENT_TIME, EventTimeCheck, MAX_AHEAD_MS, PlausibleTimes, type EventTimeBounds } from './event-times.ts';
export { deadLetterReason, type BatchListener } from './node.ts';
export { murmur2Utf8, partitionForKey } from './partitioner.ts';
export { combinePartitions, PartitionProgress, SourceProgress } from './watermarks.ts';
export { DecodeProcessor } from './builtins/decode.ts';
export { DeriveProcessor, FilterProcessor, KeyByProcessor, RepartitionProcessor, StatelessProcessor, UnionProcessor } from './builtins/stateless.ts';
export { DeadLetterWriter, SinkWriter, sinkRecordsOf } from './builtins/sinks.ts';
