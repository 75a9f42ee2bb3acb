// The second phase of a global aggregate: one instance (`single` parallelism) merges the pane
// states every partial ships, fires windows like the single-phase operators (firing.ts) and
// evaluates the measures.
//
// Event time: its watermark is the combined one the engine delivers with `partition === null` —
// the minimum over the partial's partitions, delivered after the records each partial emitted
// while handling that watermark (so a window fires only once every partition has shipped its
// panes). Watermarks of single partitions are ignored. Lateness was decided by the partials; the
// final keeps a fired window for the node's allowed lateness so that late deltas update it.
//
// Processing time: partials ship a pane when their own clock passes its end; the final fires a
// window `processingGraceMs` (default 1 s) after its end, by its own clock, and keeps it
// `processingRetentionMs` (default: the window size) longer, re-emitting it with the same bounds
// when a straggling partial arrives. Deltas for a window already forgotten are counted as
// `dropped('late_partial')`.
//
// The final holds one state whatever partitions its input comes from. The engine asks it to
// snapshot every partition it received from: the lowest of `context.partitions()` carries the
// state, the others an empty checkpoint (no stores), which `restore` ignores. `release` keeps the
// state (it does not belong to an input partition).
import type { AggregateSlots } from '../../api/aggregates.ts';
import type { OperatorCheckpoint, OperatorContext } from '../../api/processor.ts';
import type { RecordBatch } from '../../api/records.ts';
import type { Timer, Watermark } from '../../api/time.ts';
import type { FinalAggregateNode } from '../../api/topology.ts';
import { ceilTo, floorTo, type WindowProcessorOptions } from './common.ts';
import { WindowFiringOperator } from './firing.ts';
import { geometryOf, type PanePartition } from './paned.ts';
import type { PartialAggregate } from './partial.ts';

export const DEFAULT_PROCESSING_GRACE_MS = 1000;

/** The early firing of the partials that arrived on one early-firing tick. */
const TIMER_EARLY_GATHER = 'early-gather';

export class FinalAggregateProcessor<In, Slots extends AggregateSlots<In>, Out> extends WindowFiringOperator<PartialAggregate, In, null, Slots, Out> {
  constructor(node: FinalAggregateNode<In, Slots, Out>, options: WindowProcessorOptions = {}) {
    const geometry = geometryOf(node.window);
    const processing = node.time === 'processing';
    super({
      nodeId: node.id,
      geometry,
      time: node.time,
      latenessMs: processing ? (options.processingRetentionMs ?? geometry.sizeMs) : node.latenessMs,
      earlyFiringMs: node.earlyFiringMs,
      aggregates: node.aggregates,
      changelogTopic: node.changelogTopic,
      timerDelayMs: processing ? (options.processingGraceMs ?? DEFAULT_PROCESSING_GRACE_MS) : 0,
      finish: node.finish,
      keyed: false,
    });
  }

  /**
   * Partials ship open panes on their own early-firing ticks, which fall on the same epoch-aligned
   * instants as this node's. Arriving on a tick, they are fired on that same instant: waiting for
   * this node's next tick would show a global aggregate's early result one interval later than a
   * keyed one's. Not at once, though: every partition's partial ships on the tick, and firing on
   * each arrival would emit every open window once per partition. A timer at the tick's own instant
   * (one, however many partials arrive) comes after theirs — timers of one instant fire upstream
   * first — and fires the open windows once, with every partition merged.
   */
  override processBatch(batch: RecordBatch<PartialAggregate>, context: OperatorContext<Out>): void {
    super.processBatch(batch, context);
    const now = context.clock.now();
    if (this.earlyFiringMs !== null && now % this.earlyFiringMs === 0) {
      this.setProcessingTimer(this.stateOf(this.partitionFor(), context), now, TIMER_EARLY_GATHER, context);
    }
  }

  override onTimer(timer: Timer, context: OperatorContext<Out>): void {
    if (timer.tag === TIMER_EARLY_GATHER) this.earlyTick(this.stateOf(this.partitionFor(), context), context);
    else super.onTimer(timer, context);
  }

  protected override partitionFor(): number {
    return 0;
  }

  override snapshot(partition: number, context: OperatorContext<Out>): OperatorCheckpoint {
    const owned = context.partitions();
    const carrier = owned.length === 0 ? partition : Math.min(...owned);
    if (partition !== carrier) return { nodeId: this.nodeId, partition, stores: [], watermark: this.stateOf(0, context).watermark };
    return super.snapshot(partition, context);
  }

  override restore(checkpoint: OperatorCheckpoint, context: OperatorContext<Out>): void {
    if (checkpoint.stores.length === 0) return;
    super.restore(checkpoint, context);
  }

  override release(): void {}

  protected override watermarkTargets(watermark: Watermark, context: OperatorContext<Out>): PanePartition<null>[] {
    return watermark.partition === null ? [this.stateOf(0, context)] : [];
  }

  protected override ingest(ps: PanePartition<null>, batch: RecordBatch<PartialAggregate>, context: OperatorContext<Out>): void {
    const { sizeMs, slideMs, paneMs } = this.geometry;
    const watermark = ps.watermark;
    let late = 0;
    let invalid = 0;
    for (const record of batch.records) {
      const partial = record.value;
      const start = partial.start;
      if (!Number.isSafeInteger(start) || floorTo(start, paneMs) !== start || partial.end !== start + paneMs) {
        invalid++;
        continue;
      }
      if (floorTo(start, slideMs) + sizeMs - 1 + this.latenessMs <= watermark) {
        late++;
        continue;
      }
      const pane = this.paneFor(ps, start, context);
      const cell = pane.cells.get('');
      if (cell === undefined) {
        pane.cells.set('', { keyText: '', key: null, accs: this.slots.restore(partial.states), n: partial.count, version: ++ps.version, rows: null, stale: false });
      } else {
        this.slots.mergeStates(cell.accs, partial.states);
        cell.n += partial.count;
        cell.version = ++ps.version;
      }
      if (ceilTo(start + paneMs - sizeMs, slideMs) + sizeMs - 1 <= watermark) this.markUpdated(ps, start, '');
    }
    if (late > 0) context.metrics.dropped('late_partial', late);
    if (invalid > 0) context.metrics.dropped('invalid_partial', invalid);
  }
}
