// The test-case file of `flowc test`: `pipelines/<name>.tests.json` (docs/testing.md). This module
// reads it into TestCases and checks it against the compiled pipeline (sources, streams, columns),
// reporting every mistake at its file:line:column, as `flowc check` does for `.flow` files.
import { closestName } from '../../../compiler/src/diagnostics/suggest.ts';
import { entry, JsonSyntaxError, parseJson, plain, type JsonEntry, type JsonNode, type JsonValue, type Loc } from './json.ts';
import { parseDurationText, parseTimeText } from './time.ts';

// ───────────────────────────── the model ─────────────────────────────

export interface TestFile {
  /** The path as shown in messages. */
  readonly path: string;
  readonly cases: readonly TestCase[];
}

export interface TestCase {
  readonly name: string;
  readonly loc: Loc;
  readonly only: boolean;
  readonly skip: boolean;
  /** Epoch ms that relative times (`+5s`, `12:00:05`) are read against. */
  readonly base: number;
  /** Processing time when the case starts. */
  readonly start: number;
  /** Partitions per source. */
  readonly partitions: ReadonlyMap<string, number>;
  readonly steps: readonly Step[];
  readonly expectations: readonly Expectation[];
}

export type Step =
  | {
      readonly kind: 'record';
      readonly loc: Loc;
      readonly source: string;
      /** The text appended to the source's log: the value's JSON, or `raw` as written. */
      readonly text: string;
      readonly partition: number | null;
      /** The log key; `undefined`: the source's `key by` of the decoded record. */
      readonly key: string | null | undefined;
    }
  | { readonly kind: 'advanceTime'; readonly loc: Loc; readonly ms: number }
  | { readonly kind: 'advanceTimeTo'; readonly loc: Loc; readonly to: number }
  | { readonly kind: 'watermark'; readonly loc: Loc; readonly sources: readonly string[]; readonly partition: number | null; readonly to: number }
  | { readonly kind: 'endOfInput'; readonly loc: Loc }
  | { readonly kind: 'checkpoint'; readonly loc: Loc }
  | { readonly kind: 'restart'; readonly loc: Loc; readonly graceful: boolean }
  /** Checks the outputs so far (everything emitted since the case started). */
  | { readonly kind: 'expect'; readonly loc: Loc; readonly expectations: readonly Expectation[] };

export type Target =
  | { readonly kind: 'output'; readonly name: string }
  | { readonly kind: 'late'; readonly name: string }
  | { readonly kind: 'deadLetters' };

export interface Expectation {
  readonly target: Target;
  readonly loc: Loc;
  /** Checked by an `expect` step, mid-case, rather than at the end. */
  readonly midway: boolean;
  readonly rows: readonly ExpectedRow[];
  /** Compare only the last row per window and key (what InfluxDB and the dashboard end up holding). */
  readonly final: boolean;
  /** Whether rows nobody expected fail the case. */
  readonly others: 'fail' | 'ignore';
  /** Absolute tolerance for numbers without their own. */
  readonly tolerance: number;
}

export interface ExpectedRow {
  readonly loc: Loc;
  readonly fields: readonly FieldMatcher[];
}

export interface FieldMatcher {
  readonly name: string;
  readonly loc: Loc;
  readonly matcher: Matcher;
}

export type Tolerance = { readonly kind: 'absolute'; readonly value: number } | { readonly kind: 'relative'; readonly value: number };

export type Matcher =
  | {
      readonly kind: 'number';
      readonly value: number;
      /** `null`: the expectation's tolerance. */
      readonly within: Tolerance | null;
      /** Shown as a time (window bounds, `time`) rather than a number. */
      readonly isTime: boolean;
    }
  | {
      readonly kind: 'string';
      readonly value: string;
      /** The string read as a time (matches a number column holding that epoch ms). */
      readonly time: number | null;
      /** The string read as a duration (matches a number column holding that many ms). */
      readonly duration: number | null;
    }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'text'; readonly op: 'contains' | 'startsWith' | 'matches'; readonly value: string; readonly regex: RegExp | null }
  | { readonly kind: 'record'; readonly fields: readonly FieldMatcher[] }
  | { readonly kind: 'list'; readonly items: readonly Matcher[] };

// ───────────────────────────── what the checks need to know about the pipeline ─────────────────────────────

export interface SourceInfo {
  readonly name: string;
  /** Partitions the source declares (`kafka(…, partitions: 12)`); tests default to 1. */
  readonly declaredPartitions: number | null;
  readonly eventTime: boolean;
  /** The field path of `event time <field>`, when it is a plain field; what `at` sets. */
  readonly eventTimeField: readonly string[] | null;
}

export interface PipelineInfo {
  readonly name: string;
  readonly sources: ReadonlyMap<string, SourceInfo>;
  /** What `expect` may name: streams, sink ids and sink names. */
  readonly outputs: ReadonlySet<string>;
  /** Aggregates and patterns (what `expect.late` may name). */
  readonly lateOutputs: ReadonlySet<string>;
  /** Columns of each aggregate's rows (group keys first) and alert streams; absent for plain streams and sinks. */
  readonly columns: ReadonlyMap<string, StreamColumns>;
}

export interface StreamColumns {
  readonly groupBy: readonly string[];
  readonly all: ReadonlySet<string>;
}

export const ALERT_FIELDS = ['alert_type', 'severity', 'title', 'message', 'key', 'time'] as const;
export const DEAD_LETTER_FIELDS = ['source', 'topic', 'partition', 'offset', 'key', 'raw', 'reason', 'path', 'rejectedAt', 'category'] as const;
/** Default base: midnight UTC, 1 January 2024. */
export const DEFAULT_BASE = Date.UTC(2024, 0, 1);
export const DEFAULT_TOLERANCE = 1e-9;

// ───────────────────────────── loading ─────────────────────────────

export interface FormatError {
  readonly loc: Loc;
  readonly message: string;
}

export interface LoadResult {
  readonly file: TestFile | null;
  readonly errors: readonly FormatError[];
}

/** Reads a test file's text; `errors` lists every problem found (the file is `null` if there is any). */
export function loadTestFile(text: string, path: string, pipeline: PipelineInfo): LoadResult {
  let root: JsonNode;
  try {
    root = parseJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { file: null, errors: [{ loc: error.loc, message: `invalid JSON: ${error.message}` }] };
    throw error;
  }
  const reader = new Reader(pipeline);
  const cases = reader.file(root);
  const errors = [...reader.errors].sort((a, b) => a.loc.line - b.loc.line || a.loc.column - b.loc.column);
  return errors.length > 0 ? { file: null, errors } : { file: { path, cases }, errors: [] };
}

/** Thrown to abandon the node being read; the error is already recorded. */
class Skip extends Error {}

interface Defaults {
  readonly base: number;
  readonly tolerance: number;
  readonly partitions: ReadonlyMap<string, number>;
}

class Reader {
  readonly errors: FormatError[] = [];

  constructor(private readonly pipeline: PipelineInfo) {}

  private fail(loc: Loc, message: string): never {
    this.errors.push({ loc, message });
    throw new Skip();
  }

  /** Runs `read`, turning a Skip into `undefined` (the error is recorded; reading goes on). */
  private attempt<T>(read: () => T): T | undefined {
    try {
      return read();
    } catch (error) {
      if (error instanceof Skip) return undefined;
      throw error;
    }
  }

  private object(node: JsonNode, what: string, allowed: readonly string[]): readonly JsonEntry[] {
    if (node.kind !== 'object') this.fail(node.loc, `${what} must be an object`);
    for (const e of node.entries) {
      if (!allowed.includes(e.key)) {
        const suggestion = closestName(e.key, allowed);
        this.errors.push({
          loc: e.keyLoc,
          message: `unknown key "${e.key}" in ${what}${suggestion === undefined ? ` (allowed: ${allowed.join(', ')})` : `; did you mean "${suggestion}"?`}`,
        });
      }
    }
    return node.entries;
  }

  private string(node: JsonNode, what: string): string {
    if (node.kind !== 'string') this.fail(node.loc, `${what} must be a string`);
    return node.value;
  }

  private boolean(node: JsonNode, what: string): boolean {
    if (node.kind !== 'boolean') this.fail(node.loc, `${what} must be true or false`);
    return node.value;
  }

  private integer(node: JsonNode, what: string, min: number): number {
    if (node.kind !== 'number' || !Number.isInteger(node.value) || node.value < min) this.fail(node.loc, `${what} must be an integer ≥ ${min}`);
    return node.value;
  }

  private time(node: JsonNode, base: number, what: string): number {
    if (node.kind === 'number') return node.value;
    if (node.kind === 'string') {
      const ms = parseTimeText(node.value, base);
      if (ms !== null) return ms;
    }
    return this.fail(node.loc, `${what} must be a time: "+5s", "12:00:05", "2024-01-01T12:00:05Z" or epoch milliseconds`);
  }

  private duration(node: JsonNode, what: string): number {
    if (node.kind === 'number' && node.value >= 0) return node.value;
    if (node.kind === 'string') {
      const ms = parseDurationText(node.value);
      if (ms !== null) return ms;
    }
    return this.fail(node.loc, `${what} must be a duration: "5s", "1m30s", "250ms" or milliseconds`);
  }

  // ───────────── file and cases ─────────────

  file(root: JsonNode): TestCase[] {
    const entries = this.attempt(() => this.object(root, 'the test file', ['pipeline', 'description', 'base', 'tolerance', 'partitions', 'tests']));
    if (entries === undefined) return [];
    const pipelineEntry = entry(root, 'pipeline');
    if (pipelineEntry !== undefined) {
      this.attempt(() => {
        const name = this.string(pipelineEntry.value, '"pipeline"');
        if (name !== this.pipeline.name) this.fail(pipelineEntry.value.loc, `these tests are for pipeline \`${name}\`, not \`${this.pipeline.name}\``);
      });
    }
    const defaults = this.defaults(root, { base: DEFAULT_BASE, tolerance: DEFAULT_TOLERANCE, partitions: new Map() });
    const tests = entry(root, 'tests');
    if (tests === undefined) {
      this.errors.push({ loc: root.loc, message: 'the test file needs "tests": [ … ]' });
      return [];
    }
    if (tests.value.kind !== 'array') {
      this.errors.push({ loc: tests.value.loc, message: '"tests" must be a list of test cases' });
      return [];
    }
    const cases: TestCase[] = [];
    const names = new Map<string, Loc>();
    for (const node of tests.value.items) {
      const testCase = this.attempt(() => this.testCase(node, defaults));
      if (testCase === undefined) continue;
      const earlier = names.get(testCase.name);
      if (earlier !== undefined) this.errors.push({ loc: testCase.loc, message: `a second test case named "${testCase.name}" (the first is at line ${earlier.line})` });
      names.set(testCase.name, testCase.loc);
      cases.push(testCase);
    }
    if (tests.value.items.length === 0) this.errors.push({ loc: tests.value.loc, message: '"tests" is empty' });
    return cases;
  }

  /** `base`, `tolerance` and `partitions` of a file or case, over the enclosing defaults. */
  private defaults(node: JsonNode, outer: Defaults): Defaults {
    let base = outer.base;
    let tolerance = outer.tolerance;
    const partitions = new Map(outer.partitions);
    const baseEntry = entry(node, 'base');
    if (baseEntry !== undefined) {
      this.attempt(() => {
        const value = baseEntry.value;
        const ms = value.kind === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value.value) ? Date.parse(value.value) : value.kind === 'number' ? value.value : Number.NaN;
        if (Number.isNaN(ms)) this.fail(value.loc, '"base" must be an ISO 8601 time with a date ("2024-01-01T12:00:00Z") or epoch milliseconds');
        base = ms;
      });
    }
    const toleranceEntry = entry(node, 'tolerance');
    if (toleranceEntry !== undefined) this.attempt(() => (tolerance = this.tolerance(toleranceEntry.value)));
    const partitionsEntry = entry(node, 'partitions');
    if (partitionsEntry !== undefined) {
      this.attempt(() => {
        const sources = [...this.pipeline.sources.keys()];
        for (const e of this.object(partitionsEntry.value, '"partitions"', sources)) {
          const n = this.attempt(() => this.integer(e.value, `partitions of ${e.key}`, 1));
          if (n !== undefined) partitions.set(e.key, n);
        }
      });
    }
    return { base, tolerance, partitions };
  }

  private tolerance(node: JsonNode): number {
    if (node.kind !== 'number' || node.value < 0) this.fail(node.loc, '"tolerance" must be a number ≥ 0 (the largest absolute difference accepted)');
    return node.value;
  }

  private testCase(node: JsonNode, fileDefaults: Defaults): TestCase {
    this.object(node, 'a test case', ['name', 'description', 'only', 'skip', 'base', 'start', 'tolerance', 'partitions', 'input', 'expect']);
    const nameEntry = entry(node, 'name');
    if (nameEntry === undefined) this.fail(node.loc, 'a test case needs a "name"');
    const name = this.string(nameEntry.value, '"name"');
    if (name.trim() === '') this.fail(nameEntry.value.loc, '"name" is empty');
    const flag = (key: string): boolean => {
      const e = entry(node, key);
      return e === undefined ? false : (this.attempt(() => this.boolean(e.value, `"${key}"`)) ?? false);
    };
    const defaults = this.defaults(node, fileDefaults);
    const partitions = new Map<string, number>();
    for (const source of this.pipeline.sources.keys()) partitions.set(source, defaults.partitions.get(source) ?? 1);
    const startEntry = entry(node, 'start');
    const start = startEntry === undefined ? defaults.base : (this.attempt(() => this.time(startEntry.value, defaults.base, '"start"')) ?? defaults.base);

    const steps: Step[] = [];
    const input = entry(node, 'input');
    if (input !== undefined) {
      if (input.value.kind !== 'array') this.errors.push({ loc: input.value.loc, message: '"input" must be a list of steps' });
      else {
        for (const item of input.value.items) {
          const step = this.attempt(() => this.step(item, defaults, partitions));
          if (step !== undefined) steps.push(step);
        }
      }
    }
    const expectations: Expectation[] = [];
    const expect = entry(node, 'expect');
    if (expect === undefined) this.errors.push({ loc: node.loc, message: `test case "${name}" has no "expect": what should it check?` });
    else this.attempt(() => expectations.push(...this.expectations(expect.value, defaults, false)));
    return { name, loc: node.loc, only: flag('only'), skip: flag('skip'), base: defaults.base, start, partitions, steps, expectations };
  }

  // ───────────── input steps ─────────────

  private step(node: JsonNode, defaults: Defaults, partitions: ReadonlyMap<string, number>): Step {
    if (node.kind !== 'object') this.fail(node.loc, 'a step must be an object: a record ({ "at": …, "value": … }), or { "advanceTime": … }, { "watermark": … }, { "endOfInput": true }, …');
    const base = defaults.base;
    const has = (key: string): boolean => entry(node, key) !== undefined;
    const loc = node.loc;
    if (has('value') || has('raw')) return this.recordStep(node, base, partitions);
    const actions = ['advanceTime', 'advanceTimeTo', 'watermark', 'endOfInput', 'checkpoint', 'restart', 'expect'].filter(has);
    if (actions.length !== 1) {
      this.fail(
        loc,
        actions.length === 0
          ? 'a step needs "value" or "raw" (a record), or one of "advanceTime", "advanceTimeTo", "watermark", "endOfInput", "checkpoint", "restart", "expect"'
          : `a step does one thing; this one has ${actions.map((a) => `"${a}"`).join(' and ')}`,
      );
    }
    const action = actions[0] as string;
    const value = (entry(node, action) as JsonEntry).value;
    switch (action) {
      case 'advanceTime':
        this.object(node, 'an advanceTime step', ['advanceTime', 'description']);
        return { kind: 'advanceTime', loc, ms: this.duration(value, '"advanceTime"') };
      case 'advanceTimeTo':
        this.object(node, 'an advanceTimeTo step', ['advanceTimeTo', 'description']);
        return { kind: 'advanceTimeTo', loc, to: this.time(value, base, '"advanceTimeTo"') };
      case 'watermark': {
        this.object(node, 'a watermark step', ['watermark', 'source', 'partition', 'description']);
        const to = this.time(value, base, '"watermark"');
        const sourceEntry = entry(node, 'source');
        let sources: string[];
        if (sourceEntry === undefined) {
          sources = [...this.pipeline.sources.values()].filter((s) => s.eventTime).map((s) => s.name);
          if (sources.length === 0) this.fail(loc, 'no source of this pipeline has event time; move processing time with "advanceTime"');
        } else {
          const source = this.source(sourceEntry.value);
          if (!source.eventTime) this.fail(sourceEntry.value.loc, `source ${source.name} has no event time, so no watermark to move; use "advanceTime"`);
          sources = [source.name];
        }
        const partitionEntry = entry(node, 'partition');
        let partition: number | null = null;
        if (partitionEntry !== undefined) {
          if (sourceEntry === undefined && sources.length > 1) this.fail(partitionEntry.keyLoc, '"partition" needs a "source"');
          partition = this.partition(partitionEntry.value, sources[0] as string, partitions);
        }
        return { kind: 'watermark', loc, sources, partition, to };
      }
      case 'endOfInput':
        this.object(node, 'an endOfInput step', ['endOfInput', 'description']);
        if (value.kind !== 'boolean' || !value.value) this.fail(value.loc, '"endOfInput" must be true');
        return { kind: 'endOfInput', loc };
      case 'checkpoint':
        this.object(node, 'a checkpoint step', ['checkpoint', 'description']);
        if (value.kind !== 'boolean' || !value.value) this.fail(value.loc, '"checkpoint" must be true');
        return { kind: 'checkpoint', loc };
      case 'expect':
        this.object(node, 'an expect step', ['expect', 'description']);
        return { kind: 'expect', loc, expectations: this.expectations(value, defaults, true) };
      default: {
        this.object(node, 'a restart step', ['restart', 'description']);
        const mode = this.string(value, '"restart"');
        if (mode !== 'crash' && mode !== 'graceful') this.fail(value.loc, '"restart" must be "crash" (replay from the last checkpoint) or "graceful"');
        return { kind: 'restart', loc, graceful: mode === 'graceful' };
      }
    }
  }

  private source(node: JsonNode): SourceInfo {
    const name = this.string(node, '"source"');
    const source = this.pipeline.sources.get(name);
    if (source === undefined) {
      const suggestion = closestName(name, this.pipeline.sources.keys());
      this.fail(node.loc, `pipeline ${this.pipeline.name} has no source \`${name}\`${suggestion === undefined ? ` (sources: ${[...this.pipeline.sources.keys()].join(', ')})` : `; did you mean \`${suggestion}\`?`}`);
    }
    return source;
  }

  private partition(node: JsonNode, source: string, partitions: ReadonlyMap<string, number>): number {
    const count = partitions.get(source) ?? 1;
    const partition = this.integer(node, '"partition"', 0);
    if (partition >= count) {
      this.fail(node.loc, `source ${source} has ${count} partition${count === 1 ? '' : 's'} in this case (0…${count - 1}); set "partitions": { "${source}": ${partition + 1} } or more`);
    }
    return partition;
  }

  private recordStep(node: JsonNode, base: number, partitions: ReadonlyMap<string, number>): Step {
    this.object(node, 'a record', ['source', 'at', 'value', 'raw', 'partition', 'key', 'description']);
    const loc = node.loc;
    const sourceEntry = entry(node, 'source');
    let source: SourceInfo;
    if (sourceEntry !== undefined) source = this.source(sourceEntry.value);
    else if (this.pipeline.sources.size === 1) source = [...this.pipeline.sources.values()][0] as SourceInfo;
    else this.fail(loc, `which source? add "source": one of ${[...this.pipeline.sources.keys()].join(', ')}`);
    const valueEntry = entry(node, 'value');
    const rawEntry = entry(node, 'raw');
    const atEntry = entry(node, 'at');
    if (valueEntry !== undefined && rawEntry !== undefined) this.fail(rawEntry.keyLoc, 'a record has "value" (JSON) or "raw" (text sent as is), not both');
    let text: string;
    if (rawEntry !== undefined) {
      text = this.string(rawEntry.value, '"raw"');
      if (atEntry !== undefined) this.fail(atEntry.keyLoc, '"at" cannot be used with "raw": write the time into the raw text');
    } else {
      const valueNode = (valueEntry as JsonEntry).value;
      let value = plain(valueNode);
      if (atEntry !== undefined) {
        const field = source.eventTimeField;
        if (!source.eventTime) this.fail(atEntry.keyLoc, `source ${source.name} has no event time; "at" sets it`);
        if (field === null) this.fail(atEntry.keyLoc, `the event time of ${source.name} is not a plain field; set it in "value"`);
        if (valueNode.kind !== 'object') this.fail(valueNode.loc, '"at" needs "value" to be an object');
        const at = this.time(atEntry.value, base, '"at"');
        value = withField(value, field, at, () => this.fail(atEntry.keyLoc, `"value" already sets ${field.join('.')}; give the time once, in "at" or in "value"`));
      }
      text = JSON.stringify(value);
    }
    const partitionEntry = entry(node, 'partition');
    const partition = partitionEntry === undefined ? null : this.partition(partitionEntry.value, source.name, partitions);
    const keyEntry = entry(node, 'key');
    let key: string | null | undefined;
    if (keyEntry !== undefined) key = keyEntry.value.kind === 'null' ? null : this.string(keyEntry.value, '"key"');
    return { kind: 'record', loc, source: source.name, text, partition, key };
  }

  // ───────────── expectations ─────────────

  private expectations(node: JsonNode, defaults: Defaults, midway: boolean): Expectation[] {
    if (node.kind !== 'object') this.fail(node.loc, '"expect" must be an object: { "<stream or sink>": [rows], "late": { … }, "deadLetters": [ … ] }');
    const out: Expectation[] = [];
    for (const e of node.entries) {
      this.attempt(() => {
        if (e.key === 'deadLetters') {
          out.push(this.expectation(e.value, { kind: 'deadLetters' }, defaults, new Set(DEAD_LETTER_FIELDS), midway));
        } else if (e.key === 'late') {
          for (const late of this.object(e.value, '"late"', [...this.pipeline.lateOutputs])) {
            if (!this.pipeline.lateOutputs.has(late.key)) continue;
            this.attempt(() => out.push(this.expectation(late.value, { kind: 'late', name: late.key }, defaults, null, midway)));
          }
        } else {
          if (!this.pipeline.outputs.has(e.key)) {
            const suggestion = closestName(e.key, this.pipeline.outputs);
            this.fail(
              e.keyLoc,
              `pipeline ${this.pipeline.name} has no stream or sink \`${e.key}\`${suggestion === undefined ? ` (known: ${[...this.pipeline.outputs].join(', ')}, and "late", "deadLetters")` : `; did you mean \`${suggestion}\`?`}`,
            );
          }
          out.push(this.expectation(e.value, { kind: 'output', name: e.key }, defaults, this.pipeline.columns.get(e.key)?.all ?? null, midway));
        }
      });
    }
    return out;
  }

  private expectation(node: JsonNode, target: Target, defaults: Defaults, columns: ReadonlySet<string> | null, midway: boolean): Expectation {
    let rowsNode: JsonNode = node;
    let final = false;
    let others: 'fail' | 'ignore' = 'fail';
    let tolerance = defaults.tolerance;
    if (node.kind === 'object') {
      this.object(node, 'an expectation', ['rows', 'final', 'others', 'tolerance', 'description']);
      const rows = entry(node, 'rows');
      if (rows === undefined) this.fail(node.loc, 'an expectation object needs "rows": [ … ] (or write the list of rows directly)');
      rowsNode = rows.value;
      const finalEntry = entry(node, 'final');
      if (finalEntry !== undefined) final = this.boolean(finalEntry.value, '"final"');
      const othersEntry = entry(node, 'others');
      if (othersEntry !== undefined) {
        const value = this.string(othersEntry.value, '"others"');
        if (value !== 'fail' && value !== 'ignore') this.fail(othersEntry.value.loc, '"others" must be "fail" (every row must be expected) or "ignore"');
        others = value;
      }
      const toleranceEntry = entry(node, 'tolerance');
      if (toleranceEntry !== undefined) tolerance = this.tolerance(toleranceEntry.value);
    }
    if (rowsNode.kind !== 'array') this.fail(rowsNode.loc, 'expected rows must be a list ([] expects none)');
    const rows: ExpectedRow[] = [];
    for (const item of rowsNode.items) {
      const row = this.attempt(() => this.row(item, defaults.base, columns));
      if (row !== undefined) rows.push(row);
    }
    return { target, loc: node.loc, midway, rows, final, others, tolerance };
  }

  private row(node: JsonNode, base: number, columns: ReadonlySet<string> | null): ExpectedRow {
    if (node.kind !== 'object') this.fail(node.loc, 'an expected row must be an object of column: value');
    const fields: FieldMatcher[] = [];
    for (const e of node.entries) {
      if (e.key === 'window' && !(columns?.has('window') ?? false)) {
        const bounds = this.attempt(() => this.window(e.value, base));
        if (bounds !== undefined) fields.push({ name: 'window_start', loc: e.value.loc, matcher: bounds[0] }, { name: 'window_end', loc: e.value.loc, matcher: bounds[1] });
        continue;
      }
      const name = e.key === 'alert' && !(columns?.has('alert') ?? false) ? 'alert_type' : e.key;
      // `change`: the kind of a window or session row (`+I`, `+U`, `-D`; language.md §11).
      if (columns !== null && !columns.has(name) && name !== 'key' && name !== 'stream' && name !== 'change') {
        const suggestion = closestName(name, columns);
        this.errors.push({ loc: e.keyLoc, message: `no column \`${name}\` here${suggestion === undefined ? ` (columns: ${[...columns].join(', ')})` : `; did you mean \`${suggestion}\`?`}` });
        continue;
      }
      const matcher = this.attempt(() => this.matcher(e.value, base, name === 'window_start' || name === 'window_end' || name === 'time'));
      if (matcher !== undefined) fields.push({ name, loc: e.keyLoc, matcher });
    }
    if (fields.length === 0 && node.entries.length > 0) throw new Skip();
    return { loc: node.loc, fields };
  }

  private window(node: JsonNode, base: number): [Matcher, Matcher] {
    let startNode: JsonNode | undefined;
    let endNode: JsonNode | undefined;
    if (node.kind === 'array' && node.items.length === 2) [startNode, endNode] = node.items;
    else if (node.kind === 'object') {
      this.object(node, '"window"', ['start', 'end']);
      startNode = entry(node, 'start')?.value;
      endNode = entry(node, 'end')?.value;
    }
    if (startNode === undefined || endNode === undefined) this.fail(node.loc, '"window" must be [start, end] or { "start": …, "end": … }, e.g. ["12:00:00", "12:00:05"]');
    const start = this.time(startNode, base, 'the window start');
    const end = this.time(endNode, base, 'the window end');
    if (end < start) this.fail(node.loc, 'the window ends before it starts');
    const exact: Tolerance = { kind: 'absolute', value: 0 };
    return [
      { kind: 'number', value: start, within: exact, isTime: true },
      { kind: 'number', value: end, within: exact, isTime: true },
    ];
  }

  private matcher(node: JsonNode, base: number, isTime: boolean): Matcher {
    switch (node.kind) {
      case 'number':
        return { kind: 'number', value: node.value, within: isTime ? { kind: 'absolute', value: 0 } : null, isTime };
      case 'string': {
        const special = SPECIAL_NUMBERS.get(node.value);
        if (special !== undefined) return { kind: 'number', value: special, within: null, isTime: false };
        return { kind: 'string', value: node.value, time: parseTimeText(node.value, base), duration: parseDurationText(node.value) };
      }
      case 'boolean':
        return { kind: 'boolean', value: node.value };
      case 'null':
        return { kind: 'null' };
      case 'array':
        return { kind: 'list', items: node.items.map((item) => this.matcher(item, base, false)) };
      case 'object': {
        const operators = node.entries.filter((e) => e.key.startsWith('$'));
        if (operators.length === 0) {
          return { kind: 'record', fields: node.entries.map((e) => ({ name: e.key, loc: e.keyLoc, matcher: this.matcher(e.value, base, false) })) };
        }
        return this.operator(node);
      }
    }
  }

  /** `{ "$approx": 33.3, "$within": 0.1 }`, `{ "$contains": "…" }`, `{ "$startsWith": "…" }`, `{ "$matches": "regex" }`. */
  private operator(node: JsonNode): Matcher {
    const entries = this.object(node, 'a matcher', ['$approx', '$within', '$contains', '$startsWith', '$matches']);
    const approx = entry(node, '$approx');
    if (approx !== undefined) {
      if (approx.value.kind !== 'number') this.fail(approx.value.loc, '"$approx" must be a number');
      const within = entry(node, '$within');
      if (within === undefined) this.fail(node.loc, '"$approx" needs "$within": an absolute difference (0.5) or a share ("1%")');
      if (entries.length !== 2) this.fail(node.loc, '"$approx" goes with "$within" only');
      return { kind: 'number', value: approx.value.value, within: this.within(within.value), isTime: false };
    }
    if (entries.length !== 1) this.fail(node.loc, 'a matcher has one operator: "$approx" (with "$within"), "$contains", "$startsWith" or "$matches"');
    const e = entries[0] as JsonEntry;
    const value = this.string(e.value, `"${e.key}"`);
    if (e.key === '$within') this.fail(e.keyLoc, '"$within" goes with "$approx"');
    if (e.key === '$matches') {
      try {
        return { kind: 'text', op: 'matches', value, regex: new RegExp(value, 'u') };
      } catch (error) {
        return this.fail(e.value.loc, `"$matches" is not a valid regular expression: ${(error as Error).message}`);
      }
    }
    return { kind: 'text', op: e.key === '$contains' ? 'contains' : 'startsWith', value, regex: null };
  }

  private within(node: JsonNode): Tolerance {
    if (node.kind === 'number' && node.value >= 0) return { kind: 'absolute', value: node.value };
    if (node.kind === 'string') {
      const match = /^(\d+(?:\.\d+)?)%$/.exec(node.value);
      if (match !== null) return { kind: 'relative', value: Number(match[1]) / 100 };
    }
    return this.fail(node.loc, '"$within" must be a number ≥ 0 (absolute) or a percentage ("1%", relative to the expected value)');
  }
}

const SPECIAL_NUMBERS = new Map<string, number>([
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
]);

/** `value` with `path` set to `at`; `conflict` is called when the value already has that field. */
function withField(value: JsonValue, path: readonly string[], at: number, conflict: () => never): JsonValue {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const [head, ...rest] = path;
  if (head === undefined) return value;
  const copy: { [key: string]: JsonValue } = { ...value };
  if (rest.length === 0) {
    if (head in copy) conflict();
    copy[head] = at;
  } else {
    const inner = copy[head];
    copy[head] = withField(inner === undefined || inner === null ? {} : inner, rest, at, conflict);
  }
  return copy;
}
