// Watermarks per source partition (§10 of the language reference).
//
// Each owned partition of a source tracks the largest event time it has delivered; its watermark
// trails it by the source's bounded out-of-orderness (`boundedWatermark`). A record is judged
// against the watermark of the records before it in its partition, whatever the batches: the
// engine cuts a batch where that matters (`Engine.deliverDecoded`) and observes the records before
// the cut. A partition that has delivered nothing for the source's idle timeout (processing time)
// is marked idle and left out of the minimum until it delivers again. A node's watermark is the
// minimum over the partitions of the sources upstream of it (`combinePartitions`, the semantics of
// the API's `combineWatermarks`); the engine only ever raises a node's watermark, so a partition
// coming back from idleness cannot move an operator's time backwards.
//
// Sources without event time (`processingTime` strategy) stamp records with the processing time at
// ingestion, so their partitions' watermark follows the clock.
import { boundedWatermark, MAX_WATERMARK, MIN_WATERMARK, type EpochMillis, type SourceNode, type WatermarkStrategy } from '../api/index.ts';

/** Progress of one owned source partition. */
export class PartitionProgress {
  /** Offset of the next record to read (what a checkpoint commits); `null` until known. */
  position: number | null = null;
  /** The topic the partition's records come from (known from the assignment or the records). */
  topic: string | null = null;
  maxEventTime: EpochMillis = MIN_WATERMARK;
  watermark: EpochMillis = MIN_WATERMARK;
  /** Processing time of the last record (or of the assignment). */
  lastActivity: EpochMillis;
  idle = false;

  constructor(
    readonly partition: number,
    now: EpochMillis,
  ) {
    this.lastActivity = now;
  }
}

/** The owned partitions of one source and their watermarks. */
export class SourceProgress {
  private readonly byPartition = new Map<number, PartitionProgress>();
  /** The owned partitions, by partition number (iterated on every watermark computation). */
  list: PartitionProgress[] = [];
  readonly strategy: WatermarkStrategy;

  constructor(readonly node: SourceNode<unknown>) {
    this.strategy = node.watermark;
  }

  get name(): string {
    return this.node.name;
  }

  partition(partition: number): PartitionProgress | undefined {
    return this.byPartition.get(partition);
  }

  has(partition: number): boolean {
    return this.byPartition.has(partition);
  }

  assign(partition: number, now: EpochMillis): PartitionProgress {
    let progress = this.byPartition.get(partition);
    if (progress === undefined) {
      progress = new PartitionProgress(partition, now);
      if (this.strategy.kind === 'processingTime') progress.watermark = now - 1;
      this.byPartition.set(partition, progress);
      this.list = [...this.byPartition.values()].sort((a, b) => a.partition - b.partition);
    }
    return progress;
  }

  revoke(partition: number): void {
    if (this.byPartition.delete(partition)) this.list = this.list.filter((p) => p.partition !== partition);
  }

  /**
   * Records were read from `progress`'s partition: `maxEventTime` is the largest event time among
   * them (a whole batch, or, when the engine cuts a batch so that a late record sees the watermark
   * of the records before it, those records).
   */
  observe(progress: PartitionProgress, maxEventTime: EpochMillis, now: EpochMillis): void {
    progress.lastActivity = now;
    progress.idle = false;
    if (this.strategy.kind === 'processingTime') {
      if (now - 1 > progress.watermark) progress.watermark = now - 1;
      return;
    }
    if (maxEventTime > progress.maxEventTime) {
      progress.maxEventTime = maxEventTime;
      const watermark = boundedWatermark(maxEventTime, this.strategy);
      if (watermark > progress.watermark) progress.watermark = watermark;
    }
  }

  /** Raises the watermark of one partition (or of all owned ones) to `watermark`, as if records had shown it. */
  advance(partition: number | null, watermark: EpochMillis, now: EpochMillis): void {
    for (const progress of this.list) {
      if (partition !== null && progress.partition !== partition) continue;
      progress.lastActivity = now;
      progress.idle = false;
      if (watermark > progress.watermark) progress.watermark = watermark;
      if (this.strategy.kind === 'boundedOutOfOrderness' && watermark !== MAX_WATERMARK) {
        const seen = watermark + this.strategy.maxOutOfOrdernessMs + 1;
        if (seen > progress.maxEventTime) progress.maxEventTime = seen;
      }
    }
  }

  /** Marks partitions idle past the timeout and moves processing-time watermarks; true when something changed. */
  tick(now: EpochMillis): boolean {
    let changed = false;
    const strategy = this.strategy;
    if (strategy.kind === 'processingTime') {
      for (const progress of this.list) {
        if (now - 1 > progress.watermark) {
          progress.watermark = now - 1;
          changed = true;
        }
      }
      return changed;
    }
    const timeout = strategy.idleTimeoutMs;
    if (timeout === null) return false;
    for (const progress of this.list) {
      if (!progress.idle && now - progress.lastActivity >= timeout) {
        progress.idle = true;
        changed = true;
      }
    }
    return changed;
  }

  /** When the next partition goes idle (processing time), or `null`. */
  nextIdleAt(): EpochMillis | null {
    if (this.strategy.kind !== 'boundedOutOfOrderness' || this.strategy.idleTimeoutMs === null) return null;
    let next: EpochMillis | null = null;
    for (const progress of this.list) {
      if (progress.idle) continue;
      const at = progress.lastActivity + this.strategy.idleTimeoutMs;
      if (next === null || at < next) next = at;
    }
    return next;
  }

  /** This source's own watermark: the combination over its owned partitions. */
  watermark(): EpochMillis {
    return combinePartitions([this]);
  }
}

/**
 * The watermark of a node reading `sources`: the smallest watermark of the active partitions; idle
 * partitions are ignored, and when all are idle the largest wins (time moves on). No partition at
 * all: `MIN_WATERMARK`.
 */
export function combinePartitions(sources: readonly SourceProgress[]): EpochMillis {
  let active = MAX_WATERMARK;
  let idle = MIN_WATERMARK;
  let anyActive = false;
  let any = false;
  for (const source of sources) {
    for (const progress of source.list) {
      any = true;
      if (progress.idle) {
        if (progress.watermark > idle) idle = progress.watermark;
      } else {
        anyActive = true;
        if (progress.watermark < active) active = progress.watermark;
      }
    }
  }
  if (anyActive) return active;
  return any ? idle : MIN_WATERMARK;
}
