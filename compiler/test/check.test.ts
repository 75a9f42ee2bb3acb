// The check phase: the reference pipeline checks clean, typical mistakes get the right code, line
// and suggestion, the type rules hold, and no mutation of the pipeline makes the checker throw.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type * as ast from '../../dsl/src/ast.ts';
import type { Diagnostic } from '../src/diagnostics/diagnostic.ts';
import { parseFlow } from '../src/phases/1-parse/index.ts';
import { analyze } from '../src/phases/2-analyze/index.ts';
import type { AnalysisResult } from '../src/phases/2-analyze/model.ts';
import { typeToString } from '../src/phases/2-analyze/types.ts';
import { mutate, mutation } from './support/mutations.ts';

const pipelineFile = 'pipelines/website-analytics.flow';
const pipeline = readFileSync(new URL(`../../${pipelineFile}`, import.meta.url), 'utf8');

function check(text: string, file = 'test.flow'): { result: AnalysisResult; parse: readonly Diagnostic[] } {
  const parsed = parseFlow(text, file);
  return { result: analyze(parsed.program), parse: parsed.diagnostics };
}

/** Checks a file that must parse cleanly; returns the checker's diagnostics. */
function diagnostics(text: string): readonly Diagnostic[] {
  const { result, parse } = check(text);
  expect(parse, 'the test input must parse').toEqual([]);
  return result.diagnostics;
}

function codes(text: string): string[] {
  return diagnostics(text).map((d) => d.code);
}

/** The 1-based line of the first occurrence of `needle` in `text`. */
function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle);
  expect(index, needle).toBeGreaterThanOrEqual(0);
  return text.slice(0, index).split('\n').length;
}

const header = `
enum EventType { PAGE_VIEW, CONVERSION }
schema Event {
  userId: string
  eventType: EventType
  at: timestamp
  amount: float
  count: int
  page?: { url: string  title?: string }
}
source events: Event from kafka(topic: "events") { event time at }
`;

/** The type the checker gives `expr` in a `derive` over `Event`. */
function typeOf(expr: string): string {
  const text = `${header}\nstream s = events derive probe = ${expr}\nemit s to log()\n`;
  const { result, parse } = check(text);
  expect(parse).toEqual([]);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const stream = result.analyzed?.streams.get('s');
  const field = stream?.record.fields.find((f) => f.name === 'probe');
  if (field === undefined) throw new Error('no probe field');
  return `${typeToString(field.type)}${field.optional ? '?' : ''}`;
}

describe('check: the reference pipeline', () => {
  it('has no diagnostics', () => {
    const { result, parse } = check(pipeline, pipelineFile);
    expect(parse).toEqual([]);
    expect(result.diagnostics).toEqual([]);
    expect(result.analyzed?.pipelineName).toBe('website_analytics');
  });

  it('models every stream', () => {
    const analyzed = check(pipeline, pipelineFile).result.analyzed;
    const streams = analyzed?.streams;
    expect([...(streams?.keys() ?? [])]).toEqual([
      'events',
      'page_views',
      'sessions',
      'realtime',
      'session_health',
      'business',
      'popular_pages',
      'geography',
      'funnel',
      'bounces',
      'checkout_abandoned',
    ]);
    const fields = (name: string): string[] =>
      streams?.get(name)?.record.fields.map((f) => `${f.name}${f.optional ? '?' : ''}: ${typeToString(f.type)}`) ?? [];
    expect(fields('page_views').at(-1)).toBe('url: string');
    expect(fields('sessions')).toEqual([
      'sessionId: string',
      'window_start: timestamp',
      'window_end: timestamp',
      'user: string',
      'duration_s: float',
      'pages: int',
      'converted: bool',
      'reached_checkout: bool',
    ]);
    expect(fields('popular_pages')).toContain('top_pages: { value: string, count: int }[]');
    expect(fields('bounces').slice(0, 6)).toEqual([
      'alert_type: string',
      'severity: string',
      'title: string',
      'message: string',
      'key: string',
      'time: timestamp',
    ]);
    expect(streams?.get('sessions')?.eventTime).toBe(true);
    expect(streams?.get('realtime')?.eventTime).toBe(false);
    const windowTimes = [...(analyzed?.windowTime ?? [])].map(([decl, time]) => `${decl.name.name}:${time}`);
    expect(windowTimes).toContain('sessions:event');
    expect(windowTimes).toContain('realtime:processing');
  });

  it('types every expression and resolves every name', () => {
    const analyzed = check(pipeline, pipelineFile).result.analyzed;
    if (analyzed === null) throw new Error('not analyzed');
    const untyped: string[] = [];
    const unresolved: string[] = [];
    const visit = (expr: ast.Expr | null): void => {
      if (expr === null) return;
      if (!analyzed.types.has(expr)) untyped.push(`${expr.kind}@${expr.span.start.line}`);
      if (analyzed.types.get(expr)?.kind === 'error') untyped.push(`error ${expr.kind}@${expr.span.start.line}`);
      switch (expr.kind) {
        case 'NameExpr':
          if (!analyzed.resolutions.has(expr)) unresolved.push(`${expr.name}@${expr.span.start.line}`);
          break;
        case 'MemberExpr':
          visit(expr.object);
          break;
        case 'CallExpr':
          expr.args.forEach(visit);
          visit(expr.filter);
          break;
        case 'UnaryExpr':
          visit(expr.operand);
          break;
        case 'BinaryExpr':
          visit(expr.left);
          visit(expr.right);
          break;
        case 'ListLiteral':
          expr.elements.forEach(visit);
          break;
        case 'TemplateString':
          for (const part of expr.parts) if (typeof part !== 'string') visit(part);
          break;
        default:
          break;
      }
    };
    forEachExpr(analyzed.program, visit);
    expect(untyped).toEqual([]);
    expect(unresolved).toEqual([]);
  });
});

describe('check: typical mistakes', () => {
  const text = `enum EventType { PAGE_VIEW, CONVERSION }

schema AnalyticsEvent {
  userId: string
  eventType: EventType
  timestamp: timestamp
  amount: float
}

source events: AnalyticsEvent from kafka(topic: "events") {
  event time timestamp
}

stream views = events
  where eventType == PAGE_VIEW and userID != ""

stream priced = events
  derive total = amount + "EUR"

aggregate sessions from events {
  window session gap 30m
  pages = count()
}

emit views, priced, sessions to log()
`;

  it('reports each with the right code, line and suggestion', () => {
    const found = diagnostics(text);
    expect(found.map((d) => d.code)).toEqual(['field_unknown', 'operator_type', 'window_session_needs_key']);
    const [unknown, mismatch, session] = found;
    expect(unknown?.message).toBe('unknown field `userID` in `AnalyticsEvent`');
    expect(unknown?.suggestion).toBe('did you mean `userId`?');
    expect(unknown?.start.line).toBe(lineOf(text, 'userID'));
    expect(unknown?.end.column).toBe((unknown?.start.column ?? 0) + 'userID'.length);
    expect(mismatch?.message).toBe('operator `+` cannot be applied to `float` and `string`');
    expect(mismatch?.start.line).toBe(lineOf(text, '"EUR"'));
    expect(mismatch?.suggestion).toContain('concat');
    expect(session?.start.line).toBe(lineOf(text, 'window session'));
    expect(session?.severity).toBe('error');
    expect(session?.suggestion).toBe('add `group by <field>`, or `key by <field>` to `events`');
  });

  it('names the pipeline after the file when it has no `pipeline` line', () => {
    const parsed = parseFlow('schema S { a: int }', 'dir/my-pipeline.v2.flow');
    expect(analyze(parsed.program).analyzed?.pipelineName).toBe('my_pipeline_v2');
  });

  it('never returns a null model for a program that parsed', () => {
    expect(check(text).result.analyzed).not.toBeNull();
  });
});

describe('check: expression types', () => {
  it.each([
    ['count + 1', 'int'],
    ['count / 2', 'float'],
    ['count * 1.5', 'float'],
    ['count % 3', 'int'],
    ['at - at', 'duration'],
    ['at + 5m', 'timestamp'],
    ['at - 5m', 'timestamp'],
    ['5m + at', 'timestamp'],
    ['(at - at) / 1s', 'float'],
    ['10s * 3', 'duration'],
    ['2 * 10s', 'duration'],
    ['10s / 4', 'duration'],
    ['-amount', 'float'],
    ['page?.url', 'string?'],
    ['page?.title', 'string?'],
    ['page?.url ?? ""', 'string'],
    ['page?.title ?? page?.url', 'string?'],
    ['eventType == PAGE_VIEW', 'bool'],
    ['PAGE_VIEW', 'EventType'],
    ['eventType in [PAGE_VIEW, CONVERSION]', 'bool'],
    ['if(amount > 0, CONVERSION, eventType)', 'EventType'],
    ['if(amount > 0, count, 0.5)', 'float'],
    ['if(amount > 0, amount, null)', 'float?'],
    ['[1, 2.5]', 'float[]'],
    ['userId starts with "u-"', 'bool'],
    ['userId contains "x" or not (amount > 1)', 'bool'],
    ['lower(userId)', 'string'],
    ['length([1, 2, 3])', 'int'],
    ['millis(at)', 'int'],
  ])('%s : %s', (expr, expected) => {
    expect(typeOf(expr)).toBe(expected);
  });

  it.each([
    ['userId + 1', 'operator_type'],
    ['at + at', 'operator_type'],
    ['at * 2', 'operator_type'],
    ['amount > "x"', 'comparison_incompatible'],
    ['eventType == 1', 'comparison_incompatible'],
    ['page.url', 'member_access_optional'],
    ['amount * if(amount > 0, amount, null)', 'value_nullable'],
    ['page?.title starts with "a"', 'value_nullable'],
    ['amount ?? 0.0', 'coalesce_never_null'],
    ['userId in "abc"', 'in_not_list'],
    ['amount in ["a"]', 'comparison_incompatible'],
    ['[1, "a"]', 'list_element_mismatch'],
    ['if(amount, 1, 2)', 'condition_not_bool'],
    ['if(true, 1, "a")', 'if_branches_mismatch'],
    ['lowr(userId)', 'function_unknown'],
    ['lower(userId, 1)', 'function_arity'],
    ['lower(amount)', 'function_argument_type'],
    ['lower(userId where true)', 'function_filter_not_aggregate'],
    ['count()', 'aggregate_call_misplaced'],
    ['EventType.PAGE_VIEW', 'enum_member_qualified'],
    ['userId.length', 'member_access_not_record'],
    ['null', 'derive_type_unknown'],
    ['[]', 'list_empty_untyped'],
    ['eventType == PAGE_VEIW', 'enum_member_unknown'],
  ])('%s → %s', (expr, code) => {
    expect(codes(`${header}\nstream s = events derive probe = ${expr}\nemit s to log()\n`)).toEqual([code]);
  });

  it('a condition must be a non-null bool', () => {
    expect(codes(`${header}\nstream s = events where amount\nemit s to log()\n`)).toEqual(['condition_not_bool']);
    expect(codes(`${header}\nstream s = events where page?.title == "x"\nemit s to log()\n`)).toEqual([]);
  });

  it('a bare enum member shared by two enums is resolved by the other operand, else ambiguous', () => {
    const two = `enum A { X, Y }\nenum B { X, Z }\nschema S { a: A  b: B }\nsource s: S from log()\n`;
    expect(codes(`${two}stream t = s where a == X and X == b and b in [X, Z]\nemit t to log()\n`)).toEqual([]);
    expect(codes(`${two}stream t = s derive x = X\nemit t to log()\n`)).toEqual(['enum_member_ambiguous']);
    expect(codes(`${two}stream t = s derive y = Y\nemit t to log()\n`)).toEqual([]);
  });

  it('records the resolution of names', () => {
    const text = `${header}\nstream s = events where eventType == PAGE_VIEW\nemit s to log()\n`;
    const analyzed = check(text).result.analyzed;
    const kinds = [...(analyzed?.resolutions ?? [])].map(([name, r]) => `${name.name}:${r.kind}`);
    expect(kinds.slice(-2)).toEqual(['eventType:field', 'PAGE_VIEW:enumMember']);
  });
});

describe('check: declarations', () => {
  const agg = (body: string, source = 'source events: Event from kafka(topic: "events") { event time at }'): string =>
    `schema Event { userId: string  at: timestamp  amount: float  ok: bool }\n${source}\naggregate a from events {\n${body}\n}\nemit a to log()\n`;

  it.each([
    ['window tumbling 1m  n = count()  m = n * 2', []],
    ['window tumbling 1m  m = n * 2  n = count()', ['measure_reference_later']],
    ['window tumbling 1m  m = amount', ['measure_field_outside_aggregate']],
    ['window tumbling 1m  group by userId  m = count()  having m > 1 and userId != ""', []],
    ['window tumbling 1m  m = sum(avg(amount))', ['aggregate_call_nested']],
    ['window tumbling 1m  m = percentile(amount, 1.5)', ['percentile_fraction_invalid']],
    ['window tumbling 1m  m = top_k(userId, 2.5)', ['top_k_count_invalid']],
    ['window sliding 1m every 7s  n = count()', ['window_slide_invalid']],
    ['window sliding 1m every 2m  n = count()', ['window_slide_invalid']],
    ['window tumbling 1m processing time  lateness 10s  n = count()', ['lateness_needs_event_time']],
    ['window tumbling 1m  lateness 10s  late to log()  n = count()', []],
    ['window tumbling 1m  window tumbling 2m  n = count()', ['clause_duplicate']],
    ['n = count()', ['window_missing']],
    ['window tumbling 1m  group by lower(userId)  n = count()', ['group_key_needs_alias']],
    ['window tumbling 1m  group by userId  userId = count()', ['column_duplicate']],
    ['window tumbling 1m  emit every 2m  n = count()', ['emit_every_exceeds_window']],
    ['window tumbling 0s  n = count()', ['duration_not_positive']],
    ['window tumbling 1m  n = count()  having n', ['condition_not_bool']],
    ['window tumbling 1m  n = count()  alert BIG severity hihg message "{n}"', ['alert_severity_unknown']],
    ['window tumbling 1m  alert_type = count()  alert BIG severity high message "{alert_type}"', ['column_reserved']],
    ['window tumbling 1m  group by userId  n = count()  alert BIG severity low message "{userId} {amount}"', ['template_hole_not_column']],
    ['window session gap 5m  n = count()', ['window_session_needs_key']],
    ['window session gap 5m until ok  group by userId  n = count()', []],
    ['window tumbling 1m  avg_ok = avg(amount where ok)  x = avg_ok * 2', ['value_nullable']],
  ])('%s → %j', (body: string, expected: string[]) => {
    expect(codes(agg(body))).toEqual(expected);
  });

  it('event-time windows need event time, and say which source to fix', () => {
    const found = diagnostics(agg('window tumbling 1m event time\n n = count()', 'source events: Event from kafka(topic: "events")'));
    expect(found.map((d) => d.code)).toEqual(['window_event_time_unavailable']);
    expect(found[0]?.suggestion).toBe('use `processing time`, or add `event time <field>` to source `events`');
  });

  it('a session window over a keyed input needs no group by', () => {
    const keyed = 'source events: Event from kafka(topic: "events") { key by userId  event time at }';
    expect(codes(agg('window session gap 5m\n n = count()', keyed))).toEqual([]);
  });

  const pattern = (body: string): string =>
    `schema Event { userId: string  at: timestamp  amount: float  kind: string }\nsource events: Event from kafka(topic: "events") { event time at }\npattern p from events {\n${body}\n}\nemit p to log()\n`;

  it.each([
    ['key by userId  match a: kind == "x" -> b: amount > a.amount  alert P severity low message "{a.userId} {b.amount} {userId}"', []],
    ['match a: kind == "x" -> b: amount > a.amount  alert P severity low message "x"', ['pattern_key_missing']],
    ['key by userId  alert P severity low message "x"', ['pattern_match_missing']],
    ['key by userId  match a: true', ['pattern_alert_missing']],
    ['key by userId  match a: amount > b.amount -> b: true  alert P severity low message "x"', ['step_reference_later']],
    ['key by userId  match a: true -> a: true  alert P severity low message "x"', ['step_duplicate']],
    ['key by userId  match not a: true within 1m -> b: true  alert P severity low message "x"', ['step_negated_first']],
    ['key by userId  match a: true -> not b: true  alert P severity low message "x"', ['step_negated_needs_within']],
    ['key by userId  within 1h  match a: true -> not b+: true  alert P severity low message "x"', ['step_negated_quantifier']],
    ['key by userId  within 1h  match a: true -> not b: true -> c: b.amount > 0  alert P severity low message "x"', ['step_negated_reference']],
    ['key by userId  match a?: true -> b: amount > a.amount  alert P severity low message "x"', ['member_access_optional']],
    ['key by userId  match a?: true -> b: amount > (a?.amount ?? 0.0)  alert P severity low message "{a.amount}"', []],
    ['key by userId  match a: amount  alert P severity low message "x"', ['condition_not_bool']],
    ['key by userId  match a: true  alert P severity low message "{a}"', ['template_hole_record']],
    ['key by userId  match kind: true -> b: kind.kind == "x"  alert P severity low message "x"', ['step_shadows_field']],
  ])('%s → %j', (body: string, expected: string[]) => {
    expect(codes(pattern(body))).toEqual(expected);
  });

  it('checks names, order and connectors across declarations', () => {
    const base = 'schema Event { userId: string  at: timestamp }\n';
    expect(codes(`${base}source e: Evnt from log()\nemit e to log()\n`)).toEqual(['schema_unknown']);
    expect(codes(`${base}stream s = e\nsource e: Event from log()\nemit s to log()\n`)).toEqual(['stream_declared_later']);
    expect(codes(`${base}source e: Event from log()\nemit x to log()\n`)).toEqual(['stream_unknown']);
    expect(codes(`${base}source e: Event from log()\nsource e: Event from log()\nemit e to log()\n`)).toEqual(['declaration_duplicate']);
    expect(codes(`${base}source e: Event from kafka(partitions: 3)\nemit e to log()\n`)).toEqual(['connector_param_missing']);
    expect(codes(`${base}source e: Event from kafka(topic: "t")\nemit e to influx(measurement: "m")\n`)).toEqual(['emit_raw_to_influx']);
    expect(codes(`${base}source e: Event from kafka(topic: "t")\nemit e to influx(measurement: "m", tags: ["usr"])\n`)).toEqual([
      'emit_raw_to_influx',
      'field_unknown',
    ]);
    expect(codes(`${base}source e: Event from kafka(topic: "t") { event time userId }\nemit e to log()\n`)).toEqual(['event_time_type']);
    expect(codes(`${base}source e: Event from kafka(topic: "t") { dead letter to simulator() }\nemit e to log()\n`)).toEqual([
      'connector_not_sink',
    ]);
  });

  it('does not cascade from an unknown input or schema', () => {
    const text = 'source e: Nope from log()\nstream s = e where a.b + 1 > c derive d = zz\naggregate g from s { window tumbling 1m event time\n x = sum(q) }\nemit g to log()\n';
    expect(codes(text)).toEqual(['schema_unknown']);
  });
});

describe('check: robustness', () => {
  it('never throws on 1,000 mutations of the pipeline', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const text = mutate(pipeline, mutations);
        const parsed = parseFlow(text, pipelineFile);
        const result = analyze(parsed.program);
        expect(result.diagnostics.filter((d) => d.code === 'checker_internal_error')).toEqual([]);
        expect(result.analyzed).not.toBeNull();
        for (const d of result.diagnostics) {
          expect(d.start.line).toBeGreaterThanOrEqual(1);
          expect(d.end.offset).toBeGreaterThanOrEqual(d.start.offset);
          expect(d.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

/** Calls `visit` on every top-level expression of the program (nested ones are the visitor's business). */
function forEachExpr(program: ast.Program, visit: (expr: ast.Expr | null) => void): void {
  const alert = (a: ast.AlertClause): void => {
    visit(a.title);
    visit(a.message);
  };
  for (const decl of program.declarations) {
    switch (decl.kind) {
      case 'SourceDecl':
        for (const c of decl.clauses) {
          if (c.kind === 'KeyByClause') visit(c.key);
          if (c.kind === 'EventTimeClause') visit(c.field);
        }
        break;
      case 'StreamDecl':
        for (const op of decl.operations) {
          if (op.kind === 'WhereClause') visit(op.condition);
          if (op.kind === 'KeyByClause') visit(op.key);
          if (op.kind === 'DeriveClause') for (const f of op.fields) visit(f.value);
        }
        break;
      case 'AggregateDecl':
        for (const c of decl.clauses) {
          if (c.kind === 'WhereClause' || c.kind === 'HavingClause') visit(c.condition);
          if (c.kind === 'MeasureClause') visit(c.value);
          if (c.kind === 'GroupByClause') for (const k of c.keys) visit(k.value);
          if (c.kind === 'WindowClause' && c.window?.kind === 'SessionWindowSpec') visit(c.window.until);
          if (c.kind === 'AlertClause') alert(c);
        }
        break;
      case 'PatternDecl':
        for (const c of decl.clauses) {
          if (c.kind === 'KeyByClause') visit(c.key);
          if (c.kind === 'MatchClause') for (const s of c.steps) visit(s.condition);
          if (c.kind === 'AlertClause') alert(c);
        }
        break;
      default:
        break;
    }
  }
}
