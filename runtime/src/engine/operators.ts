// The default OperatorFactory: window aggregates from operators/windows/, patterns from
// operators/cep/. The engine appends it after the factories it is given, so a caller can replace
// the processor of any window or pattern node (tests, alternative implementations) and leave the
// rest to the defaults.
import type { Processor } from '../api/index.ts';
import { createPatternProcessor } from '../operators/cep/index.ts';
import { createWindowProcessor, type WindowProcessorOptions } from '../operators/windows/index.ts';
import type { DelegatedNode, OperatorFactory } from './factories.ts';

export interface DefaultOperatorOptions {
  readonly windows?: WindowProcessorOptions;
}

export function defaultOperators(options: DefaultOperatorOptions = {}): OperatorFactory {
  return {
    createProcessor(node: DelegatedNode): Processor<unknown, unknown> {
      if (node.kind === 'pattern') return createPatternProcessor(node);
      return createWindowProcessor(node, options.windows);
    },
  };
}
