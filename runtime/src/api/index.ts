// The runtime's public API: types and small pure helpers. Generated code and adapters import it
// through runtime/src/index.ts.
export * from './aggregates.ts';
export * from './alerts.ts';
export * from './decode.ts';
export * from './engine.ts';
export * from './functions.ts';
export * from './manifest.ts';
export * from './patterns.ts';
export * from './processor.ts';
export * from './records.ts';
export * from './scalars.ts';
export * from './sink.ts';
export * from './source.ts';
export * from './state.ts';
export * from './time.ts';
export * from './topology.ts';
export * from './windows.ts';
