// Window-aggregate operators: tumbling, sliding (pane-shared) and session windows in event or
// processing time, single-phase or as the partial → final phases of a global aggregate. See README.md.
import type { AggregateSlots } from '../../api/aggregates.ts';
import type { Processor } from '../../api/processor.ts';
import type { FinalAggregateNode, PartialAggregateNode, WindowAggregateNode } from '../../api/topology.ts';
import type { WindowProcessorOptions } from './common.ts';
import { FinalAggregateProcessor } from './final.ts';
import { PartialAggregateProcessor, type PartialAggregate } from './partial.ts';
import { SessionWindowProcessor } from './session.ts';
import { SlidingWindowProcessor } from './sliding.ts';
import { TumblingWindowProcessor } from './tumbling.ts';

export { TIMER_EARLY_FIRING, TIMER_SESSION_GAP, TIMER_WINDOW_END, type WindowProcessorOptions } from './common.ts';
export { DEFAULT_PROCESSING_GRACE_MS, FinalAggregateProcessor } from './final.ts';
export { PartialAggregateProcessor, type PartialAggregate } from './partial.ts';
export { SessionWindowProcessor } from './session.ts';
export { SlidingWindowProcessor } from './sliding.ts';
export { TumblingWindowProcessor } from './tumbling.ts';

/** Any window-aggregate node of a topology. */
export type WindowNode<In, Key, Slots extends AggregateSlots<In>, Out> =
  | WindowAggregateNode<In, Key, Slots, Out>
  | PartialAggregateNode<In, Slots>
  | FinalAggregateNode<In, Slots, Out>;

/**
 * The processor for a window-aggregate node: by phase, then window kind. A partial node's output
 * (and its final node's input) is `PartialAggregate`.
 */
export function createWindowProcessor<In, Key, Slots extends AggregateSlots<In>, Out>(
  node: WindowNode<In, Key, Slots, Out>,
  options: WindowProcessorOptions = {},
): Processor<In, Out> | Processor<In, PartialAggregate> | Processor<PartialAggregate, Out> {
  switch (node.phase) {
    case 'partial':
      return new PartialAggregateProcessor(node);
    case 'final':
      return new FinalAggregateProcessor(node, options);
    case 'single':
      switch (node.window.kind) {
        case 'tumbling':
          return new TumblingWindowProcessor(node);
        case 'sliding':
          return new SlidingWindowProcessor(node);
        case 'session':
          return new SessionWindowProcessor(node);
      }
  }
}
