// Micro-benchmark of the aggregate accumulators: nanoseconds per `add` for each kind, next to a
// peer in the same process (the bare loop the generated code would otherwise inline: `+=` on a
// local, `Set.add`, `Map.set`), and the heap bytes each accumulator reports afterwards. Not a
// test: numbers vary by machine, only the ratios to the peers are meant to be compared.
//
//   npx tsx bench/aggregates.bench.ts            (ADDS=2000000 to change the adds per run)
import {
  ApproxCountDistinctAccumulator,
  AvgAccumulator,
  CountAccumulator,
  CountDistinctAccumulator,
  FirstAccumulator,
  LastAccumulator,
  MaxAccumulator,
  MinAccumulator,
  PercentileAccumulator,
  RateAccumulator,
  SpaceSavingAccumulator,
  SumAccumulator,
  TopKAccumulator,
} from '../runtime/src/aggregates/index.ts';

const N = Number(process.env.ADDS ?? 1_000_000);
const RUNS = 7;

// Deterministic inputs, built before any timing.
let seed = 12345;
function random(): number {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const latencies = Float64Array.from({ length: N }, () => Math.exp(random() * 8)); // 1 ms … 3 s
const userIds = Float64Array.from({ length: N }, () => Math.floor(random() * 100_000));
const userNames = Array.from(userIds, (id) => `user-${id}`);
const urls = Array.from({ length: N }, () => `/page/${Math.floor(1 / (random() + 1e-3))}`); // skewed
const times = Float64Array.from({ length: N }, (_, i) => 1_700_000_000_000 + i * 10 + Math.floor(random() * 50));

interface Row {
  readonly name: string;
  readonly ns: number;
  readonly bytes: number | null;
}

/** Best of RUNS timed runs of `body` (each does N adds), in ns per add. */
function measure(name: string, body: () => { byteSize(): number } | number): Row {
  let best = Infinity;
  let last: { byteSize(): number } | number = 0;
  body(); // warm-up
  for (let r = 0; r < RUNS; r++) {
    const start = process.hrtime.bigint();
    last = body();
    const elapsed = Number(process.hrtime.bigint() - start);
    if (elapsed < best) best = elapsed;
  }
  return { name, ns: best / N, bytes: typeof last === 'number' ? null : last.byteSize() };
}

// Each body is its own function so every `add` call site stays monomorphic.
const rows: Row[] = [
  measure('peer: x += v (plain loop)', () => {
    let x = 0;
    for (let i = 0; i < N; i++) x += latencies[i] as number;
    return x;
  }),
  measure('count', () => {
    const a = new CountAccumulator();
    for (let i = 0; i < N; i++) a.add();
    return a;
  }),
  measure('rate', () => {
    const a = new RateAccumulator(60_000);
    for (let i = 0; i < N; i++) a.add();
    return a;
  }),
  measure('sum (Neumaier)', () => {
    const a = new SumAccumulator();
    for (let i = 0; i < N; i++) a.add(latencies[i]);
    return a;
  }),
  measure('avg', () => {
    const a = new AvgAccumulator();
    for (let i = 0; i < N; i++) a.add(latencies[i]);
    return a;
  }),
  measure('min', () => {
    const a = new MinAccumulator();
    for (let i = 0; i < N; i++) a.add(latencies[i]);
    return a;
  }),
  measure('max', () => {
    const a = new MaxAccumulator();
    for (let i = 0; i < N; i++) a.add(latencies[i]);
    return a;
  }),
  measure('first (value, time, seq)', () => {
    const a = new FirstAccumulator<string>();
    for (let i = 0; i < N; i++) a.add(urls[i], times[i] as number, i);
    return a;
  }),
  measure('last (value, time, seq)', () => {
    const a = new LastAccumulator<string>();
    for (let i = 0; i < N; i++) a.add(urls[i], times[i] as number, i);
    return a;
  }),
  measure('peer: Set.add (100k distinct strings)', () => {
    const s = new Set<string>();
    for (let i = 0; i < N; i++) s.add(userNames[i] as string);
    return s.size;
  }),
  measure('count_distinct (100k distinct strings)', () => {
    const a = new CountDistinctAccumulator<string>();
    for (let i = 0; i < N; i++) a.add(userNames[i]);
    return a;
  }),
  measure('approx_count_distinct p=12 (strings)', () => {
    const a = new ApproxCountDistinctAccumulator<string>(12);
    for (let i = 0; i < N; i++) a.add(userNames[i]);
    return a;
  }),
  measure('approx_count_distinct p=12 (numbers)', () => {
    const a = new ApproxCountDistinctAccumulator<number>(12);
    for (let i = 0; i < N; i++) a.add(userIds[i]);
    return a;
  }),
  measure('percentile (DDSketch α=1%)', () => {
    const a = new PercentileAccumulator(0.99);
    for (let i = 0; i < N; i++) a.add(latencies[i]);
    return a;
  }),
  measure('peer: Map.set(v, get+1) (skewed strings)', () => {
    const m = new Map<string, number>();
    for (let i = 0; i < N; i++) {
      const v = urls[i] as string;
      m.set(v, (m.get(v) ?? 0) + 1);
    }
    return m.size;
  }),
  measure('top_k exact (skewed strings)', () => {
    const a = new TopKAccumulator<string>(10);
    for (let i = 0; i < N; i++) a.add(urls[i]);
    return a;
  }),
  measure('top_k Space-Saving cap=100 (skewed)', () => {
    const a = new SpaceSavingAccumulator<string>(10, 100);
    for (let i = 0; i < N; i++) a.add(urls[i]);
    return a;
  }),
  measure('top_k Space-Saving cap=100 (100k ids)', () => {
    const a = new SpaceSavingAccumulator<string>(10, 100);
    for (let i = 0; i < N; i++) a.add(userNames[i]);
    return a;
  }),
];

const width = Math.max(...rows.map((r) => r.name.length));
console.log(`aggregates: ${N.toLocaleString('en-US')} adds per run, best of ${RUNS} (node ${process.version})`);
console.log(`${'accumulator'.padEnd(width)}  ns/add   heap bytes`);
for (const r of rows) console.log(`${r.name.padEnd(width)}  ${r.ns.toFixed(2).padStart(6)}   ${r.bytes === null ? '' : r.bytes.toLocaleString('en-US')}`);
