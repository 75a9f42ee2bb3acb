// The per-key state of a pattern, as written to the operator's StateStore (one entry per key) and
// its changelog at checkpoints; the processor keeps a mutable copy of it per live key. Every value
// here is plain JSON data (numbers, strings, arrays, objects, `null`, and the input records
// themselves, which are decoded JSON), and is never mutated once put, so a store snapshot can share
// it safely. Runs and branches are immutable in the live state too (the NFA is pure).
import type { EpochMillis } from '../../api/index.ts';

/** A positive step's name → the last record it bound, or `null` (not reached, or a step that matched nothing). */
export type Bindings<In> = { readonly [step: string]: In | null };

/** A record waiting for the watermark (event time), or being processed. */
export interface TimedRecord<In> {
  /** Arrival order within the key: breaks ties between equal timestamps. */
  readonly seq: number;
  /** Event time (or, for processing-time patterns, the record's ingestion time). */
  readonly time: EpochMillis;
  readonly value: In;
}

export interface BufferedRecord<In> extends TimedRecord<In> {
  /** Processing time when it arrived (for the latency metric only; no semantics depend on it). */
  readonly arrivedAt: EpochMillis;
}

/**
 * Where one branch of the match in progress stands:
 * - `take`: `count` records bound to the positive step `step` (count capped at the step's `countCap`);
 * - `absent`: waiting for the absence `step` to be confirmed at `deadline`;
 * - `done`: the absence `step` was confirmed at `last`; waiting for a positive step after it.
 */
export type BranchPhase = 'take' | 'absent' | 'done';

export interface Branch<In> {
  readonly phase: BranchPhase;
  readonly step: number;
  readonly count: number;
  /** `take`: the time bound before the step's first record (its `within` is measured from it); `null` at the first bound step. */
  readonly enter: EpochMillis | null;
  /** The time of the last bound record, or of the confirmed absence (`done`). */
  readonly last: EpochMillis;
  /** `absent`: when the absence is confirmed; otherwise 0. */
  readonly deadline: EpochMillis;
  readonly bindings: Bindings<In>;
  /** Per step index, the `seq` of the record bound to it (-1: none): the branch's identity with `bindings`. */
  readonly seqs: readonly number[];
}

/** The one match in progress for a key: its branches, most preferred first. */
export interface RunState<In> {
  readonly startedAt: EpochMillis;
  readonly branches: readonly Branch<In>[];
}

export interface KeyState<In> {
  /** The pattern key (`null`: unkeyed pattern, stored under the empty state key). */
  readonly key: string | null;
  /** The next arrival sequence number. */
  readonly nextSeq: number;
  /** Everything at or before this time has been processed for this key (records up to it are late). */
  readonly horizon: EpochMillis | null;
  /** Records not yet processed, in (time, seq) order. */
  readonly buffer: readonly BufferedRecord<In>[];
  readonly run: RunState<In> | null;
}
