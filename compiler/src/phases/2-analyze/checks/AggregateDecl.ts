// `aggregate name from input { where …  window …  group by …  lateness …  late to …  emit every …
//  measure = expr unit "u" …  having …  alert … }`
//
// Clause order inside the block does not matter, except that measures are read top to bottom.
// Scopes:
// - `where`, `until`, group keys and the arguments/filters of aggregate calls see the input record;
// - measures see the group-key columns, `window_start`, `window_end` and the measures above them,
//   and input fields only inside aggregate calls (SQL's "must appear in GROUP BY" rule);
// - `having` sees every measure and may also contain aggregate calls;
// - alert templates see the output row.
//
// The output row is: group-key columns, `window_start`, `window_end`, then the measures. An
// aggregate with an `alert` emits alert records instead: `alert_type, severity, title, message,
// key, time` followed by the row (`time` is the window end; `key` the group keys as text, "" for a
// global aggregate), one per row that passes `having`.
import type * as ast from '../../../../../dsl/src/ast.ts';
import { checkConnector } from '../connectors.ts';
import { present, type Context, type StreamEntry } from '../context.ts';
import type { ExpressionChecker } from '../expressions.ts';
import type { StreamInfo, TimeDomain } from '../model.ts';
import { fieldPath, renderExpr } from '../render.ts';
import { Scope, recordScope, type Binding } from '../scope.ts';
import { typed, type Typed } from '../typeops.ts';
import { ERROR, TIMESTAMP, type RecordField, type RecordType } from '../types.ts';
import { ALERT_FIELDS, OnceTracker, checkAlert, checkKey, isUpdateStream, positiveDuration, readStream, rootSources, syntheticName } from './common.ts';

interface Column {
  readonly name: string;
  readonly span: ast.Span;
  /** For `column_duplicate`: "a group key", "a window bound", "the measure at line 12". */
  readonly origin: string;
}

export function checkAggregateDecl(ctx: Context, checker: ExpressionChecker, decl: ast.AggregateDecl, index: number): StreamEntry {
  const name = decl.name.name;
  const inputName = decl.input !== null && present(decl.input.name) ? decl.input.name.name : null;
  const inputEntry = readStream(ctx, decl.input, name, index);
  const broken = inputEntry === undefined || inputEntry.broken;
  const inputRecord: RecordType = inputEntry?.info.record ?? { kind: 'record', name: inputName ?? name, fields: [] };
  const inputScope = recordScope(inputRecord, 'an aggregate', broken);

  // Sort the clauses, reporting those that may appear once.
  const once = new OnceTracker(ctx, name);
  let window: ast.WindowClause | null = null;
  let groupBy: ast.GroupByClause | null = null;
  let lateness: ast.LatenessClause | null = null;
  let lateTo: ast.LateOutputClause | null = null;
  let emitEvery: ast.EmitEveryClause | null = null;
  let having: ast.HavingClause | null = null;
  let alert: ast.AlertClause | null = null;
  const wheres: ast.WhereClause[] = [];
  const measures: ast.MeasureClause[] = [];
  for (const clause of decl.clauses) {
    switch (clause.kind) {
      case 'WhereClause':
        wheres.push(clause);
        break;
      case 'WindowClause':
        if (once.first('window', clause.span)) window = clause;
        break;
      case 'GroupByClause':
        if (once.first('group by', clause.span)) groupBy = clause;
        break;
      case 'LatenessClause':
        if (once.first('lateness', clause.span)) lateness = clause;
        break;
      case 'LateOutputClause':
        if (once.first('late to', clause.span)) lateTo = clause;
        break;
      case 'EmitEveryClause':
        if (once.first('emit every', clause.span)) emitEvery = clause;
        break;
      case 'HavingClause':
        if (once.first('having', clause.span)) having = clause;
        break;
      case 'AlertClause':
        if (once.first('alert', clause.span)) alert = clause;
        break;
      case 'MeasureClause':
        measures.push(clause);
        break;
    }
  }

  for (const where of wheres) checker.condition(where.condition, inputScope.with({ context: 'an aggregate `where`' }), 'the `where` condition');

  // Window and its time domain.
  const inputEventTime = inputEntry?.info.eventTime ?? false;
  const time: TimeDomain = window?.time ?? (inputEventTime ? 'event' : 'processing');
  ctx.windowTime.set(decl, time);
  if (window === null) ctx.report.add('window_missing', decl.name.span, name);
  else if (window.time === 'event' && !inputEventTime && !broken) {
    const sources = rootSources(ctx, inputEntry?.info.name ?? '').filter((s) => ctx.streams.get(s)?.info.eventTime === false);
    ctx.report.add('window_event_time_unavailable', window.span, inputEntry?.info.name ?? '', sources);
  }
  const groupKeys = groupBy?.keys ?? [];
  const windowSize = checkWindowSpec(ctx, checker, window?.window ?? null, inputScope);
  if (window?.window?.kind === 'SessionWindowSpec' && groupKeys.length === 0 && !broken && inputEntry?.info.key === null) {
    ctx.report.add('window_session_needs_key', window.window.span, name, inputEntry.info.name);
  }
  if (window?.window?.kind === 'SessionWindowSpec' && !broken && isUpdateStream(ctx, inputEntry.info.name)) {
    ctx.report.add('window_session_over_updates', window.window.span, name, inputEntry.info.name);
  }

  if (lateness !== null && time === 'processing' && window !== null) ctx.report.add('lateness_needs_event_time', lateness.span, 'lateness');
  if (lateTo !== null) {
    if (time === 'processing' && window !== null) ctx.report.add('lateness_needs_event_time', lateTo.span, 'late to');
    checkConnector(ctx, checker, lateTo.connector, 'sink');
  }
  if (emitEvery !== null) {
    const interval = positiveDuration(ctx, emitEvery.interval, 'the `emit every` interval');
    if (interval !== undefined && windowSize !== undefined && interval >= windowSize.millis && emitEvery.interval !== null) {
      ctx.report.add('emit_every_exceeds_window', emitEvery.span, emitEvery.interval.text, windowSize.text);
    }
  }

  // The output row, built column by column; `columns` is the live field list of `output`.
  const columns: RecordField[] = [];
  const output: RecordType = { kind: 'record', name, fields: columns };
  const taken = new Map<string, Column>();
  const addColumn = (column: Column, field: RecordField): boolean => {
    const previous = taken.get(column.name);
    if (previous !== undefined) {
      ctx.report.add('column_duplicate', column.span, column.name, previous.origin);
      return false;
    }
    taken.set(column.name, column);
    columns.push(field);
    return true;
  };

  // Measure-scope bindings, weakest first: input fields (only inside aggregate calls), measures not yet defined.
  const bindings = new Map<string, Binding>();
  const keyColumnOfRoot = new Map<string, string>();
  for (const field of inputRecord.fields) {
    bindings.set(field.name, {
      kind: 'unavailable',
      report: (span) => ctx.report.add('measure_field_outside_aggregate', span, field.name, keyColumnOfRoot.get(field.name)),
    });
  }
  const measureNames = new Set(measures.filter((m) => present(m.name)).map((m) => m.name.name));
  let currentMeasure: string | null = null;
  for (const measureName of measureNames) {
    bindings.set(measureName, {
      kind: 'unavailable',
      report: (span) => ctx.report.add('measure_reference_later', span, measureName, measureName === currentMeasure),
    });
  }

  // Group keys.
  const keyColumns: { name: string; key: ast.GroupKey }[] = [];
  for (const key of groupKeys) {
    const result = checkKey(ctx, checker, key.value, inputScope.with({ context: 'a `group by`' }), 'a group key');
    const path = fieldPath(key.value);
    let columnName: string | undefined;
    let columnSpan: ast.Span = key.span;
    if (key.alias !== null) {
      if (present(key.alias)) {
        columnName = key.alias.name;
        columnSpan = key.alias.span;
      }
    } else if (path !== undefined) columnName = path[path.length - 1];
    else if (key.value !== null) ctx.report.add('group_key_needs_alias', key.span, renderExpr(key.value));
    if (columnName === undefined || columnName === '') continue;
    if (path !== undefined && path[0] !== undefined && !keyColumnOfRoot.has(path[0])) keyColumnOfRoot.set(path[0], columnName);
    const keyType: Typed = result ?? typed(ERROR);
    if (!addColumn({ name: columnName, span: columnSpan, origin: 'a group key' }, { name: columnName, type: keyType.type, optional: keyType.optional })) continue;
    bindings.set(columnName, { kind: 'groupKey', key, typed: keyType });
    keyColumns.push({ name: columnName, key });
  }

  // Window bounds.
  for (const bound of ['window_start', 'window_end']) {
    const field: RecordField = { name: bound, type: TIMESTAMP, optional: false };
    if (addColumn({ name: bound, span: decl.name.span, origin: 'a window bound' }, field)) {
      bindings.set(bound, { kind: 'field', record: output, field });
    }
  }

  // Measures, top to bottom.
  const measureScope = (context: string, aggregates: boolean): Scope =>
    new Scope(bindings, {
      description: name,
      context,
      opaque: broken,
      ...(aggregates ? { aggregateInput: inputScope.with({ context: 'an aggregate call' }) } : {}),
    });
  for (const measure of measures) {
    if (!present(measure.name)) {
      checker.check(measure.value, measureScope('a measure', true));
      continue;
    }
    const measureName = measure.name.name;
    currentMeasure = measureName;
    const result = checker.check(measure.value, measureScope('a measure', true));
    currentMeasure = null;
    let type = result.type;
    if (type.kind === 'null') {
      ctx.report.add('derive_type_unknown', measure.name.span, measureName);
      type = ERROR;
    }
    const origin = `the measure at line ${measure.span.start.line}`;
    const measureTyped = typed(type, result.optional && type.kind !== 'error');
    if (addColumn({ name: measureName, span: measure.name.span, origin }, { name: measureName, type, optional: measureTyped.optional })) {
      bindings.set(measureName, { kind: 'measure', measure, typed: measureTyped });
    }
  }

  if (having !== null) checker.condition(having.condition, measureScope('`having`', true), 'the `having` condition');

  if (alert !== null) {
    // Templates see the output row; an input field there gets its own message.
    const holes = new Map(bindings);
    for (const field of inputRecord.fields) {
      if (holes.get(field.name)?.kind !== 'unavailable') continue;
      holes.set(field.name, { kind: 'unavailable', report: (span) => ctx.report.add('template_hole_not_column', span, field.name, name) });
    }
    checkAlert(ctx, checker, alert, new Scope(holes, { description: name, context: 'an alert template', opaque: broken }));
    for (const reserved of ALERT_FIELDS) {
      const column = taken.get(reserved.name);
      if (column !== undefined) ctx.report.add('column_reserved', column.span, reserved.name);
    }
    columns.unshift(...ALERT_FIELDS.filter((f) => !taken.has(f.name)));
  }

  // The output's key: its single group-key column, as a name over the output record.
  let key: ast.Expr | null = null;
  const onlyKey = keyColumns.length === 1 && groupKeys.length === 1 ? keyColumns[0] : undefined;
  if (onlyKey !== undefined) {
    const keyField = columns.find((f) => f.name === onlyKey.name);
    if (keyField !== undefined) {
      const keyName = syntheticName(onlyKey.name, onlyKey.key.span);
      ctx.types.set(keyName, keyField.type);
      if (keyField.optional) ctx.nullable.add(keyName);
      ctx.resolutions.set(keyName, { kind: 'field', record: output, field: onlyKey.name });
      key = keyName;
    }
  }

  const info: StreamInfo = {
    name,
    declaration: decl,
    record: output,
    key,
    eventTime: time === 'event' && window !== null,
    inputs: inputName === null ? [] : [inputName],
  };
  return { info, broken };
}

/** Checks the window's durations and `until`; returns the window size of tumbling and sliding windows. */
function checkWindowSpec(
  ctx: Context,
  checker: ExpressionChecker,
  spec: ast.WindowSpec | null,
  inputScope: Scope,
): { millis: number; text: string } | undefined {
  if (spec === null) return undefined;
  switch (spec.kind) {
    case 'TumblingWindowSpec': {
      const size = positiveDuration(ctx, spec.size, 'the window size');
      return size === undefined || spec.size === null ? undefined : { millis: size, text: spec.size.text };
    }
    case 'SlidingWindowSpec': {
      const size = positiveDuration(ctx, spec.size, 'the window size');
      const slide = positiveDuration(ctx, spec.slide, 'the slide');
      if (size === undefined || slide === undefined || spec.size === null || spec.slide === null) return undefined;
      if (slide > size) ctx.report.add('window_slide_invalid', spec.slide.span, spec.size.text, spec.slide.text, 'longer');
      else if (size % slide !== 0) ctx.report.add('window_slide_invalid', spec.slide.span, spec.size.text, spec.slide.text, 'divide');
      return { millis: size, text: spec.size.text };
    }
    case 'SessionWindowSpec':
      positiveDuration(ctx, spec.gap, 'the session gap');
      checker.condition(spec.until, inputScope.with({ context: 'a session `until`' }), 'the `until` condition');
      return undefined;
  }
}
