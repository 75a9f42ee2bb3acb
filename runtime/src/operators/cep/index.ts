// The CEP pattern operator: `PatternProcessor` runs a topology's PatternNode (README.md).
export { PatternProcessor, createPatternProcessor, PATTERN_STORE, PATTERN_TIMER_TAG, type PatternProcessorOptions } from './processor.ts';
export { compilePattern, PatternDefinitionError, type PatternProgram, type ProgramStep } from './program.ts';
export { PatternMachine, type Outcome, type Transition } from './nfa.ts';
export type { Bindings, Branch, BranchPhase, BufferedRecord, KeyState, RunState, TimedRecord } from './state.ts';
