// The first phase of a global (ungrouped) aggregate over a partitioned input: one instance per
// partition folds its records into panes (a tumbling window is one pane) and ships each pane's
// accumulator states to the final phase as a `PartialAggregate`. Lateness is decided here, where
// records arrive, with the same rule as the single-phase operators.
//
// A pane ships as soon as it is complete on this partition — the partition's watermark reached the
// pane's last instant (`end − 1 <= W`) — in the `onWatermark` (or, in processing time, the timer)
// that made it so; what a late record adds to a shipped pane ships at the end of its batch; with
// early firings every pane holding records ships on each tick. Each shipment is a delta: the
// pane's state is dropped once shipped and the final merges deltas (every aggregate is mergeable).
// So the partial keeps only unshipped records' state, and the final sees all of a window's data
// from this partition before this partition's watermark passes the window's end.
import type { AggregateSlots } from '../../api/aggregates.ts';
import type { OperatorContext } from '../../api/processor.ts';
import type { RecordBatch, StreamRecord } from '../../api/records.ts';
import type { EpochMillis } from '../../api/time.ts';
import type { PartialAggregateNode } from '../../api/topology.ts';
import { TIMER_WINDOW_END } from './common.ts';
import { PanedOperator, geometryOf, type PanePartition } from './paned.ts';
import type { SlotStates } from './slots.ts';

/** What a partial sends to its final: the states of one pane of one partition. */
export interface PartialAggregate {
  /** The pane, `[start, end)`: a tumbling window, or one pane of a sliding window. */
  readonly start: EpochMillis;
  readonly end: EpochMillis;
  /** Records folded into `states`. */
  readonly count: number;
  /** The accumulator snapshot of every aggregate slot, by slot name. */
  readonly states: SlotStates;
}

export class PartialAggregateProcessor<In, Slots extends AggregateSlots<In>> extends PanedOperator<In, In, null, Slots, PartialAggregate> {
  constructor(node: PartialAggregateNode<In, Slots>) {
    super({
      nodeId: node.id,
      geometry: geometryOf(node.window),
      time: node.time,
      latenessMs: node.time === 'event' ? node.latenessMs : 0,
      earlyFiringMs: node.earlyFiringMs,
      aggregates: node.aggregates,
      changelogTopic: node.changelogTopic,
      timerDelayMs: 0,
    });
  }

  protected override ingest(ps: PanePartition<null>, batch: RecordBatch<In>, context: OperatorContext<PartialAggregate>): void {
    this.ingestRecords(ps, batch, context, null);
  }

  protected override registerPaneTimers(ps: PanePartition<null>, paneStart: EpochMillis, context: OperatorContext<PartialAggregate>): void {
    this.setProcessingTimer(ps, paneStart + this.geometry.paneMs, TIMER_WINDOW_END, context);
  }

  protected override advanceTo(ps: PanePartition<null>, watermark: EpochMillis, context: OperatorContext<PartialAggregate>): void {
    ps.watermark = watermark;
    this.ship(ps, watermark, context);
  }

  protected override afterBatch(ps: PanePartition<null>, context: OperatorContext<PartialAggregate>): void {
    this.ship(ps, ps.watermark, context);
  }

  protected override earlyTick(ps: PanePartition<null>, context: OperatorContext<PartialAggregate>): void {
    this.ship(ps, Number.POSITIVE_INFINITY, context);
  }

  /** Ships (and forgets) the panes whose last instant is `<= upTo`, earliest first. */
  private ship(ps: PanePartition<null>, upTo: EpochMillis, context: OperatorContext<PartialAggregate>): void {
    if (ps.panes.size === 0) return;
    const paneMs = this.geometry.paneMs;
    const starts: EpochMillis[] = [];
    for (const start of ps.panes.keys()) if (start + paneMs - 1 <= upTo) starts.push(start);
    if (starts.length === 0) return;
    starts.sort((a, b) => a - b);
    const records: StreamRecord<PartialAggregate>[] = [];
    for (const start of starts) {
      const cell = ps.panes.get(start)!.cells.get('');
      ps.panes.delete(start);
      if (cell === undefined || cell.n === 0) continue;
      const end = start + paneMs;
      records.push({ key: null, value: { start, end, count: cell.n, states: this.slots.snapshot(cell.accs) }, timestamp: end, partition: ps.partition });
    }
    if (records.length === 0) return;
    context.emit({ partition: ps.partition, records });
    context.metrics.recordsOut(records.length);
  }
}
