// Property tests run with one fixed seed, so that CI runs are reproducible; `FC_SEED=<n>` (or
// `FC_SEED=random`) explores others. A failure prints its seed and path, to replay with FC_SEED.
import fc from 'fast-check';

const seed = process.env.FC_SEED;
if (seed !== 'random') fc.configureGlobal({ seed: seed === undefined ? 20_261_126 : Number(seed) });
