// The engine's plug points: what an adapter set (embedded, Kafka/Influx, the test driver) hands to
// the engine so that one code path runs every mode. The engine builds one Source per source node,
// one Sink per sink and dead-letter node, one StateStore per operator store and partition, and
// writes checkpoints to a CheckpointStorage; it never asks which adapter it is talking to.
import type { Checkpoint } from './processor.ts';
import type { Sink } from './sink.ts';
import type { Source } from './source.ts';
import type { StateStore, StateStoreSpec } from './state.ts';
import type { DeadLetterNode, SinkNode, SourceNode } from './topology.ts';

/** Builds the Source of a `source` node (Kafka consumer, embedded log, JSON-lines file, simulator). */
export interface SourceFactory {
  createSource(node: SourceNode<unknown>, pipeline: string): Source;
}

/** Builds the Sink of an `emit … to` / `late to` node, or of a source's `dead letter to` node. */
export interface SinkFactory {
  createSink(node: SinkNode | DeadLetterNode, pipeline: string): Sink;
}

/** Where an operator's keyed state lives while the processor runs (in memory, RocksDB-like, …). */
export interface StateStoreFactory {
  createStore<V>(spec: StateStoreSpec, partition: number, nodeId: string): StateStore<V>;
}

/**
 * Durable checkpoints (a directory on disk, the compacted changelog topics in Kafka mode). `save`
 * resolves once the checkpoint is durable; only then does the engine commit the source offsets.
 */
export interface CheckpointStorage {
  /** Writes `checkpoint` durably (what the promise resolves to is the storage's business). */
  save(checkpoint: Checkpoint): Promise<unknown>;
  /** The most recent complete checkpoint, or `null` when the pipeline has none yet. */
  loadLatest(): Promise<Checkpoint | null>;
}
