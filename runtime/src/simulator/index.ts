// The website-analytics event simulator: see README.md.
export { WebsiteEventSimulator, DEFAULT_RATE_PER_SECOND, DEFAULT_SEED, DEFAULT_START_TIME, DEFAULT_USERS } from './simulator.ts';
export type { Disorder, SimulatedRecord, SimulatorOptions, SimulatorStats } from './simulator.ts';
export { MALFORMED_KINDS, type MalformedKind } from './malformed.ts';
export { EVENT_TYPE_OF_KIND, MODEL_PARAMETERS, TIMING, type EventType } from './model.ts';
export { writeSampleJsonl, type SampleFileSummary } from './jsonl.ts';
export { Xoshiro128, deriveSeed } from './prng.ts';
export { AliasSampler, LogNormalTable, PowerLawRanks, WeightedChoice, exponential, geometric, logNormal, normalQuantile, standardNormal, zipfWeights } from './samplers.ts';
