// Tumbling windows `[k·size, (k+1)·size)`, keyed by the group key (or one global group on a single
// input), in event or processing time. A tumbling window is its own single pane: a record updates
// the accumulators of its key in its window, and the window's row is evaluated from them directly.
// Firing, lateness and early firings: see firing.ts and README.md.
import type { AggregateSlots } from '../../api/aggregates.ts';
import type { OperatorContext } from '../../api/processor.ts';
import type { RecordBatch } from '../../api/records.ts';
import type { GroupKeySpec, WindowAggregateNode } from '../../api/topology.ts';
import { WindowFiringOperator } from './firing.ts';
import { geometryOf, type PanePartition } from './paned.ts';

export class TumblingWindowProcessor<In, Key, Slots extends AggregateSlots<In>, Out> extends WindowFiringOperator<In, In, Key, Slots, Out> {
  private readonly groupKey: GroupKeySpec<In, Key> | null;

  constructor(node: WindowAggregateNode<In, Key, Slots, Out>) {
    if (node.window.kind !== 'tumbling') throw new TypeError(`${node.id}: TumblingWindowProcessor needs a tumbling window, got ${node.window.kind}`);
    super({
      nodeId: node.id,
      geometry: geometryOf(node.window),
      time: node.time,
      latenessMs: node.time === 'event' ? node.latenessMs : 0,
      earlyFiringMs: node.earlyFiringMs,
      aggregates: node.aggregates,
      changelogTopic: node.changelogTopic,
      timerDelayMs: 0,
      finish: node.finish,
      keyed: node.groupKey !== null,
      updates: node.input === 'updates',
    });
    this.groupKey = node.groupKey;
  }

  protected override ingest(ps: PanePartition<Key>, batch: RecordBatch<In>, context: OperatorContext<Out>): void {
    this.ingestRecords(ps, batch, context, this.groupKey);
  }
}
