// How the engine gets the processors it does not implement itself: window aggregates (single,
// partial, final) and CEP patterns. An OperatorFactory maps such a node to a Processor; the engine
// asks the factories it was given in order and uses the first answer.
import type { FinalAggregateNode, PartialAggregateNode, PatternNode, Processor, TopologyNode, WindowAggregateNode } from '../api/index.ts';
import type { AggregateSlots } from '../api/index.ts';

/** The nodes whose processors come from an OperatorFactory. */
export type DelegatedNode =
  | WindowAggregateNode<unknown, unknown, AggregateSlots<unknown>, unknown>
  | PartialAggregateNode<unknown, AggregateSlots<unknown>>
  | FinalAggregateNode<unknown, AggregateSlots<unknown>, unknown>
  | PatternNode<unknown, unknown, unknown>;

export interface OperatorFactory {
  /** A new processor for `node`, or `null` when this factory does not serve it. */
  createProcessor(node: DelegatedNode, pipeline: string): Processor<unknown, unknown> | null;
}

export function isDelegated(node: TopologyNode): node is DelegatedNode {
  return node.kind === 'windowAggregate' || node.kind === 'pattern';
}
