// Test utilities for compiled pipelines (README.md): the TopologyTestDriver and its in-memory parts.
export { TEST_EVENT_TIME_BOUNDS, TopologyTestDriver, type PipeOptions, type RestartOptions, type TestDriverOptions, type TestRecord } from './driver.ts';
export { CaptureSink, MemoryCheckpointStorage, TestSource, TestTopic } from './memory.ts';
