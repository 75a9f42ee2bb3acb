// Reading the Prometheus text exposition back, as Prometheus would: samples by name and labels,
// and `histogram_quantile` over a histogram's buckets.

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample of the exposition `text` (comments skipped). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(LABEL)) labels[label[1] as string] = label[2] as string;
    samples.push({ name: match[1] as string, labels, value: parseValue(match[3] as string) });
  }
  return samples;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** The samples named `name` whose labels include `labels`. */
export function select(samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The value of the one sample named `name` with `labels`; `undefined` when there is none. */
export function valueOf(samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  const found = select(samples, name, labels);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/**
 * Prometheus' `histogram_quantile(q, …)` over the `<name>_bucket` samples with `labels`: the bucket
 * holding rank q × count, linear interpolation inside it (from 0 for the first bucket; the highest
 * finite bound when the rank falls in +Inf).
 */
export function histogramQuantile(q: number, samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>>): number {
  const buckets = select(samples, `${name}_bucket`, labels)
    .map((s) => ({ le: parseValue(s.labels.le as string), count: s.value }))
    .sort((a, b) => a.le - b.le);
  const total = buckets.at(-1)?.count ?? 0;
  if (buckets.length < 2 || total === 0) return Number.NaN;
  const rank = q * total;
  let index = buckets.findIndex((b) => b.count >= rank);
  if (index < 0) index = buckets.length - 1;
  const bucket = buckets[index] as { le: number; count: number };
  if (bucket.le === Number.POSITIVE_INFINITY) return (buckets[buckets.length - 2] as { le: number }).le;
  const lower = index === 0 ? 0 : (buckets[index - 1] as { le: number }).le;
  const below = index === 0 ? 0 : (buckets[index - 1] as { count: number }).count;
  const inBucket = bucket.count - below;
  return inBucket === 0 ? bucket.le : lower + ((bucket.le - lower) * (rank - below)) / inBucket;
}
