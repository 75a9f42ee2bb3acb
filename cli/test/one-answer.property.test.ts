// One answer per input: the event-time results of a file must not depend on how its lines are
// batched, on malformed lines between them, or on the command that runs them. Random hits with
// bounded disorder (some beyond the watermark bound and the allowed lateness, so records are late)
// and random malformed lines (invalid JSON, missing fields, wrong types, non-objects, unknown enum
// values, absurd timestamps) go through
//
//   - the engine under the TopologyTestDriver, piped in batches of 1, 7, 512 and the whole file;
//   - `flowc test`'s own case runner (a case of `raw` steps and an `endOfInput`, as a test file
//     would have them);
//   - `flowc run --from file.jsonl --out out.jsonl` (the command's library entry, in-process), for
//     a few inputs;
//
// and the final table of every output stream must be byte for byte the same: the last row per row
// key (stream + group key + window start + window end; a session's stream + key + start), rows
// whose last change is a deletion (`-D`) left out. The pipeline is fixtures/one-answer.flow: a
// tumbling, a sliding and a session window with `until`, keyed and global, event time with a 5 s
// watermark bound, lateness on one of them.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_WATERMARK } from '../../runtime/src/index.ts';
import { TopologyTestDriver, type TestRecord } from '../../runtime/src/testing/index.ts';
import type { CliIO } from '../src/io.ts';
import { main } from '../src/main.ts';
import { loadTestFile } from '../src/testing/format.ts';
import { compileAndLoad, type LoadedPipeline } from '../src/testing/load.ts';
import { runCase } from '../src/testing/run.ts';

const FLOW = fileURLToPath(new URL('./fixtures/one-answer.flow', import.meta.url));
const SOURCE = 'hits';
/** Every output stream of the pipeline, and how its row key is made. */
const STREAMS: readonly { readonly name: string; readonly session: boolean }[] = [
  { name: 'per_user', session: false },
  { name: 'totals', session: false },
  { name: 'per_page', session: false },
  { name: 'recent', session: false },
  { name: 'visits', session: true },
];
const AGGREGATES = STREAMS.map((s) => s.name);
const T0 = Date.UTC(2024, 0, 1, 12);
const SECOND = 1000;
/** The source's `watermark 5s`. */
const BOUND = 5 * SECOND;

// ───────────────────────────── input ─────────────────────────────

type Displacement = 'none' | 'within' | 'beyond' | 'far';

/** A hit: who, what, and how far behind the stream's current event time it is. */
interface HitSpec {
  readonly kind: 'hit';
  readonly user: number;
  readonly page: string;
  readonly type: 'VIEW' | 'BUY' | 'END';
  /** Cents; `null`: no amount. */
  readonly cents: number | null;
  /** How far the stream's event time moves on before this hit. */
  readonly stepMs: number;
  readonly displacement: Displacement;
  /** A fraction of the displacement's range. */
  readonly back: number;
}

const MALFORMED = ['invalid-json', 'missing-field', 'wrong-type', 'not-an-object', 'unknown-enum', 'seconds', 'zero', 'microseconds', 'year-2999'] as const;

interface MalformedSpec {
  readonly kind: 'malformed';
  readonly damage: (typeof MALFORMED)[number];
  readonly user: number;
  readonly cut: number;
}

type LineSpec = HitSpec | MalformedSpec;

const hit: fc.Arbitrary<HitSpec> = fc.record({
  kind: fc.constant('hit' as const),
  user: fc.integer({ min: 1, max: 6 }),
  page: fc.constantFrom('/a', '/b', '/c', '/d'),
  type: fc.constantFrom<HitSpec['type']>('VIEW', 'VIEW', 'VIEW', 'VIEW', 'VIEW', 'VIEW', 'BUY', 'BUY', 'END'),
  cents: fc.option(fc.integer({ min: 1, max: 50_000 }), { freq: 3 }),
  stepMs: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 1500 }) }, { weight: 1, arbitrary: fc.integer({ min: 5_000, max: 40_000 }) }),
  displacement: fc.constantFrom<Displacement>(...Array<Displacement>(17).fill('none'), 'within', 'within', 'beyond', 'far'),
  back: fc.double({ min: 0, max: 1, noNaN: true }),
});

const malformed: fc.Arbitrary<MalformedSpec> = fc.record({
  kind: fc.constant('malformed' as const),
  damage: fc.constantFrom(...MALFORMED),
  user: fc.integer({ min: 1, max: 6 }),
  cut: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
});

const line: fc.Arbitrary<LineSpec> = fc.oneof({ weight: 12, arbitrary: hit }, { weight: 1, arbitrary: malformed });

/** Inputs of the size the test claims: 200 to 2,000 lines (`size: 'max'`: the whole range, not fast-check's small default). */
const input = fc.array(line, { minLength: 200, maxLength: 2000, size: 'max' });

/** Milliseconds behind the stream's current event time, by displacement. */
function behind(spec: HitSpec): number {
  switch (spec.displacement) {
    case 'none':
      return 0;
    case 'within': // within the watermark bound: never late
      return Math.floor(spec.back * BOUND);
    case 'beyond': // past the bound, up to the sliding window's lateness (and a little more)
      return BOUND + 1 + Math.floor(spec.back * 25 * SECOND);
    case 'far': // past every window and lateness
      return 30 * SECOND + Math.floor(spec.back * 90 * SECOND);
  }
}

/** The lines of a file: JSON text, one record each (no blank lines). */
function linesOf(specs: readonly LineSpec[]): string[] {
  let now = T0;
  const out: string[] = [];
  for (const spec of specs) {
    if (spec.kind === 'hit') {
      now += spec.stepMs;
      const value: Record<string, unknown> = { user: `u${spec.user}`, page: spec.page, kind: spec.type };
      if (spec.cents !== null) value.amount = spec.cents / 100;
      value.at = now - behind(spec);
      out.push(JSON.stringify(value));
      continue;
    }
    const good: Record<string, unknown> = { user: `u${spec.user}`, page: '/a', kind: 'VIEW', at: now };
    switch (spec.damage) {
      case 'invalid-json': {
        const text = JSON.stringify(good);
        out.push(text.slice(0, Math.max(1, Math.floor(text.length * spec.cut))));
        continue;
      }
      case 'missing-field':
        delete good[spec.cut < 0.5 ? 'at' : 'user'];
        break;
      case 'wrong-type':
        if (spec.cut < 0.5) good.at = 'yesterday';
        else good.user = spec.user;
        break;
      case 'not-an-object':
        out.push(spec.cut < 0.33 ? '[1,2]' : spec.cut < 0.66 ? '"hit"' : 'null');
        continue;
      case 'unknown-enum':
        good.kind = 'CLICK';
        break;
      case 'seconds':
        good.at = Math.floor(now / 1000);
        break;
      case 'zero':
        good.at = 0;
        break;
      case 'microseconds':
        good.at = now * 1000;
        break;
      case 'year-2999':
        good.at = Date.UTC(2999, Math.floor(spec.cut * 12), 1);
        break;
    }
    out.push(JSON.stringify(good));
  }
  return out;
}

// ───────────────────────────── the final table ─────────────────────────────

/** An emitted row as every path can report it. */
interface Row {
  readonly stream: string;
  readonly key: string | null;
  readonly value: unknown;
  readonly change?: string;
  readonly rowKey?: string;
  readonly early?: boolean;
}

/** `NaN`/`±Infinity` as `null`, as `--out` writes them. */
function finiteOnly(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

/**
 * The final table of each stream, serialised: one line per row key (the record's `rowKey`, else
 * the group key and window bounds, or a session's key and start), sorted, holding the last row
 * emitted under it (early firings left out; a row whose last change is `-D` is absent; `-U` is the
 * old value of an update whose `+U` follows).
 */
function finalTables(rows: readonly Row[]): Record<string, string> {
  const tables = new Map<string, Map<string, string>>(STREAMS.map((s) => [s.name, new Map<string, string>()]));
  for (const row of rows) {
    const stream = STREAMS.find((s) => s.name === row.stream);
    const table = tables.get(row.stream);
    if (stream === undefined || table === undefined || row.early === true || row.change === '-U') continue;
    const value = row.value as { window_start: number; window_end: number };
    const rowKey = `${row.stream} ${row.rowKey ?? JSON.stringify(stream.session ? [row.key, value.window_start] : [row.key, value.window_start, value.window_end])}`;
    if (row.change === '-D') table.delete(rowKey);
    else table.set(rowKey, JSON.stringify(row.value, finiteOnly));
  }
  const out: Record<string, string> = {};
  for (const [stream, table] of tables) {
    out[stream] = [...table]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => `${key} ${value}\n`)
      .join('');
  }
  return out;
}

/** What one path made of the input. */
interface Answer {
  readonly path: string;
  readonly tables: Record<string, string>;
  /** Records the aggregates found past their lateness. */
  readonly late: number;
  readonly deadLetters: number;
}

function driverAnswer(path: string, driver: TopologyTestDriver): Answer {
  const rows: TestRecord[] = [];
  for (const stream of AGGREGATES) rows.push(...driver.output(stream));
  const late = AGGREGATES.reduce((n, name) => n + driver.late(name).length, 0);
  return { path, tables: finalTables(rows), late, deadLetters: driver.deadLetters().length };
}

// ───────────────────────────── the paths ─────────────────────────────

let pipeline: LoadedPipeline;
let work = '';

beforeAll(async () => {
  const compiled = await compileAndLoad(readFileSync(FLOW, 'utf8'), FLOW, 'one-answer');
  if (!compiled.ok) throw new Error(`fixtures/one-answer.flow does not compile: ${compiled.diagnostics.map((d) => d.message).join('; ')}`);
  pipeline = compiled.pipeline;
  work = mkdtempSync(join(tmpdir(), 'flowc-one-answer-'));
});

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

/** The engine under the TopologyTestDriver, the file piped `size` lines at a time, then the end of input. */
async function engineAnswer(lines: readonly string[], size: number): Promise<Answer> {
  // The engine's own event-time bounds (`{}`), which `flowc run` and `flowc test` use too.
  const driver = await TopologyTestDriver.create(pipeline.topology, { startTime: T0, partitions: { [SOURCE]: 1 }, eventTimeBounds: {} });
  try {
    for (let i = 0; i < lines.length; i += size) driver.pipe(SOURCE, lines.slice(i, i + size));
    driver.advanceWatermark(SOURCE, MAX_WATERMARK);
    return driverAnswer(`engine, batches of ${Number.isFinite(size) ? size : 'the whole file'}`, driver);
  } finally {
    await driver.close();
  }
}

/** `flowc test`'s case runner on a case that sends every line as a `raw` record, then `endOfInput`. */
async function flowcTestAnswer(lines: readonly string[]): Promise<Answer> {
  const cases = {
    base: new Date(T0).toISOString(),
    tests: [{ name: 'the file', input: [...lines.map((raw) => ({ raw })), { endOfInput: true }], expect: { deadLetters: { rows: [], others: 'ignore' } } }],
  };
  const loaded = loadTestFile(JSON.stringify(cases), 'one-answer.tests.json', pipeline.info);
  if (loaded.file === null) throw new Error(`the generated test file does not load: ${loaded.errors.map((e) => e.message).join('; ')}`);
  let answer: Answer | null = null;
  const result = await runCase(pipeline, loaded.file.cases[0] as (typeof loaded.file.cases)[number], {
    inspect: (driver) => (answer = driverAnswer('flowc test', driver)),
  });
  expect(result.status, JSON.stringify(result.problems)).toBe('passed');
  if (answer === null) throw new Error('flowc test did not run the case');
  return answer;
}

/** `flowc run <flow> --from file --out out.jsonl`, in-process; its final tables and summary. */
async function flowcRunAnswer(lines: readonly string[], run: number): Promise<Answer> {
  const dir = join(work, `run-${run}`);
  const from = join(dir, 'hits.jsonl');
  const out = join(dir, 'out.jsonl');
  const stateDir = join(dir, 'state');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(from, `${lines.join('\n')}\n`);
  let stdout = '';
  let stderr = '';
  const io: CliIO = { cwd: dir, stdout: (t) => (stdout += `${t}\n`), stderr: (t) => (stderr += `${t}\n`) };
  const code = await main(['run', FLOW, '--from', from, '--out', out, '--state-dir', stateDir, '--port', '0'], io);
  expect(code, `flowc run exited ${code}\n${stdout}\n${stderr}`).toBe(0);
  const rows: Row[] = readFileSync(out, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Row);
  const summary = JSON.parse(readFileSync(join(stateDir, 'run-summary.json'), 'utf8')) as { counters: { lateEvents: number; deadLetters: number } };
  return { path: 'flowc run --from', tables: finalTables(rows), late: summary.counters.lateEvents, deadLetters: summary.counters.deadLetters };
}

/** Every path's answer equals the first one's: the same final tables, as many late records and dead letters. */
function expectOneAnswer(answers: readonly Answer[]): void {
  const [reference, ...others] = answers as [Answer, ...Answer[]];
  for (const answer of others) {
    for (const stream of AGGREGATES) {
      expect(answer.tables[stream], `${stream}: ${answer.path} vs ${reference.path}`).toBe(reference.tables[stream]);
    }
    expect(answer.late, `late records: ${answer.path} vs ${reference.path}`).toBe(reference.late);
    expect(answer.deadLetters, `dead letters: ${answer.path} vs ${reference.path}`).toBe(reference.deadLetters);
  }
}

// ───────────────────────────── the properties ─────────────────────────────

/** Batch sizes of the engine runs: one by one, a prime, a replay's poll, the whole file. */
const SIZES = [1, 7, 512, Number.POSITIVE_INFINITY];

/** The engine in every batch size, then `flowc test`. */
async function inProcessAnswers(lines: readonly string[]): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const size of SIZES) answers.push(await engineAnswer(lines, size));
  answers.push(await flowcTestAnswer(lines));
  return answers;
}

describe('one answer per input', () => {
  it('the engine in batches of 1, 7, 512 and the whole file, and flowc test, give the same final tables, late records and dead letters', async () => {
    let late = 0;
    await fc.assert(
      fc.asyncProperty(input, async (specs) => {
        const answers = await inProcessAnswers(linesOf(specs));
        expectOneAnswer(answers);
        late += answers[0]?.late ?? 0;
      }),
      { numRuns: 12 },
    );
    expect(late, 'the inputs had late records').toBeGreaterThan(0);
  });

  it('malformed lines between the records change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(input, fc.constantFrom(...SIZES), async (specs, size) => {
        const clean = await engineAnswer(linesOf(specs.filter((s) => s.kind === 'hit')), size);
        const dirty = await engineAnswer(linesOf(specs), size);
        expect(dirty.deadLetters, 'every malformed line is a dead letter').toBe(specs.filter((s) => s.kind === 'malformed').length);
        expectOneAnswer([clean, { ...dirty, deadLetters: clean.deadLetters }]);
      }),
      { numRuns: 6 },
    );
  });

  it('flowc run --from gives the final tables, late records and dead letters of the engine and flowc test', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(input, async (specs) => {
        const lines = linesOf(specs);
        expectOneAnswer([await engineAnswer(lines, 1), await flowcRunAnswer(lines, run++), await flowcTestAnswer(lines)]);
      }),
      { numRuns: 3 },
    );
  });

  it('the case of the report: an out-of-order record past the bound is late on every path', async () => {
    // Window [12:00:00, 12:00:10) holds 5 hits and closes when the hit of 12:00:16 moves the
    // watermark to 12:00:10.999; the hit of 12:00:04 after it is late (dropped), so the window reads
    // 5 whether the records come one by one or in one poll, through any command.
    const at = (s: number): number => T0 + s * SECOND;
    const lines = [0, 1, 2, 3, 5, 16, 4, 30].map((s) => JSON.stringify({ user: 'u1', page: '/a', kind: 'VIEW', at: at(s) }));
    const answers = [await engineAnswer(lines, 1), await engineAnswer(lines, 512), await flowcTestAnswer(lines), await flowcRunAnswer(lines, 99)];
    expectOneAnswer(answers);
    expect(answers[0]?.late).toBeGreaterThan(0);
    expect(answers[0]?.tables.totals).toContain(`totals ${JSON.stringify([null, at(0), at(10)])} {"window_start":${at(0)},"window_end":${at(10)},"hits":5,`);
    expect(answers[0]?.tables.per_user).toContain(`per_user ${JSON.stringify(['u1', at(0), at(10)])} {"user":"u1","window_start":${at(0)},"window_end":${at(10)},"hits":5,`);
  });
});
