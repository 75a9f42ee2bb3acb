// Sliding (hopping) windows `[k·slide, k·slide + size)` with pane sharing: time is cut into panes of
// gcd(size, slide) aligned to the epoch, a record updates exactly one pane (its key's accumulators
// in it), and a window's row merges the key's cells of the size/pane panes that tile the window.
// A pane is dropped once the last window containing it is past its allowed lateness.
// Firing, lateness and early firings: see firing.ts and README.md.
import type { AggregateSlots } from '../../api/aggregates.ts';
import type { OperatorContext } from '../../api/processor.ts';
import type { RecordBatch } from '../../api/records.ts';
import type { GroupKeySpec, WindowAggregateNode } from '../../api/topology.ts';
import { WindowFiringOperator } from './firing.ts';
import { geometryOf, type PanePartition } from './paned.ts';

export class SlidingWindowProcessor<In, Key, Slots extends AggregateSlots<In>, Out> extends WindowFiringOperator<In, In, Key, Slots, Out> {
  private readonly groupKey: GroupKeySpec<In, Key> | null;

  constructor(node: WindowAggregateNode<In, Key, Slots, Out>) {
    if (node.window.kind !== 'sliding') throw new TypeError(`${node.id}: SlidingWindowProcessor needs a sliding window, got ${node.window.kind}`);
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
