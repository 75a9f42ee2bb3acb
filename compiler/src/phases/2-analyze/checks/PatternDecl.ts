// `pattern name from input { key by …  within …  match a: cond -> not b: cond within 30m  alert … }`
//
// - Matches are tracked per key: the pattern's `key by`, else the input's key; one is required.
// - Exactly one `match`. A step's condition sees the current event's fields by their bare names and
//   the earlier (non-negated) steps by name: `b: amount > a.amount`. A repeated step (`+`, `*`,
//   `{n,m}`) refers to the last event it matched; a step that may match nothing (`?`, `*`, `{0,…}`)
//   is nullable, so later steps reach its fields with `?.`.
// - A negated step is an absence: not first, no quantifier, and bounded by its own `within` or the
//   pattern's.
// - Timing (`within`, absences) uses event time when the input has it, else processing time.
// - The pattern's stream is its alerts: `alert_type, severity, title, message, key, time` (`time` is
//   that of the event completing the match, or the deadline of a trailing absence). Template holes
//   see the steps (`{checkout.userId}`) and, when the key is a field, that field by name.
import type * as ast from '../../../../../dsl/src/ast.ts';
import { present, type Context, type StreamEntry } from '../context.ts';
import type { ExpressionChecker } from '../expressions.ts';
import type { StreamInfo } from '../model.ts';
import { fieldBindings, recordScope, Scope, type Binding } from '../scope.ts';
import { typed } from '../typeops.ts';
import { STRING, type RecordType } from '../types.ts';
import { ALERT_FIELDS, OnceTracker, checkAlert, checkKey, isUpdateStream, positiveDuration, readStream, syntheticName } from './common.ts';

export function checkPatternDecl(ctx: Context, checker: ExpressionChecker, decl: ast.PatternDecl, index: number): StreamEntry {
  const name = decl.name.name;
  const inputName = decl.input !== null && present(decl.input.name) ? decl.input.name.name : null;
  const inputEntry = readStream(ctx, decl.input, name, index);
  const broken = inputEntry === undefined || inputEntry.broken;
  const inputRecord: RecordType = inputEntry?.info.record ?? { kind: 'record', name: inputName ?? name, fields: [] };
  const inputScope = recordScope(inputRecord, 'a pattern', broken);
  if (!broken && isUpdateStream(ctx, inputEntry.info.name)) ctx.report.add('pattern_over_updates', decl.input!.name.span, name, inputEntry.info.name);

  const once = new OnceTracker(ctx, name);
  let keyBy: ast.KeyByClause | null = null;
  let within: ast.WithinClause | null = null;
  let match: ast.MatchClause | null = null;
  let alert: ast.AlertClause | null = null;
  for (const clause of decl.clauses) {
    switch (clause.kind) {
      case 'KeyByClause':
        if (once.first('key by', clause.span)) keyBy = clause;
        break;
      case 'WithinClause':
        if (once.first('within', clause.span)) within = clause;
        break;
      case 'MatchClause':
        if (once.first('match', clause.span)) match = clause;
        break;
      case 'AlertClause':
        if (once.first('alert', clause.span)) alert = clause;
        break;
    }
  }

  let key: ast.Expr | null = inputEntry?.info.key ?? null;
  if (keyBy !== null) {
    checkKey(ctx, checker, keyBy.key, inputScope.with({ context: 'a `key by`' }), '`key by`');
    key = keyBy.key;
  } else if (key === null && !broken && inputEntry !== undefined) {
    ctx.report.add('pattern_key_missing', decl.name.span, name, inputEntry.info.name);
  }
  if (within !== null) positiveDuration(ctx, within.duration, 'the pattern `within`');

  // Steps.
  const steps = match?.steps ?? [];
  if (match === null) ctx.report.add('pattern_match_missing', decl.name.span, name);
  const stepNames = new Set<string>();
  const unique: ast.PatternStep[] = [];
  for (const step of steps) {
    if (!present(step.name)) continue;
    if (stepNames.has(step.name.name)) ctx.report.add('step_duplicate', step.name.span, step.name.name);
    else {
      stepNames.add(step.name.name);
      unique.push(step);
    }
  }

  const bindings = fieldBindings(inputRecord);
  // Until a step is reached, naming it is an error.
  let current: string | null = null;
  for (const step of unique) {
    const stepName = step.name.name;
    bindings.set(stepName, { kind: 'unavailable', report: (span) => ctx.report.add('step_reference_later', span, stepName, current ?? stepName) });
  }
  const stepScope = (): Scope => new Scope(bindings, { description: inputRecord.name ?? name, context: 'a pattern step', opaque: broken });
  steps.forEach((step, position) => {
    const stepName = step.name.name;
    current = stepName;
    checker.condition(step.condition, stepScope(), `the condition of step \`${stepName}\``);
    current = null;
    const quantifier = step.quantifier;
    if (quantifier !== null && quantifier.max !== null && (quantifier.min > quantifier.max || quantifier.max === 0)) {
      ctx.report.add('quantifier_range_invalid', quantifier.span, quantifier.min, quantifier.max);
    }
    if (step.within !== null) positiveDuration(ctx, step.within, `the \`within\` of step \`${stepName}\``);
    if (step.negated) {
      if (position === 0) ctx.report.add('step_negated_first', step.name.span, stepName);
      if (quantifier !== null) ctx.report.add('step_negated_quantifier', quantifier.span, stepName);
      if (step.within === null && within === null) ctx.report.add('step_negated_needs_within', step.name.span, stepName);
    } else if (position === 0 && step.within !== null) {
      ctx.report.add('step_within_first', step.within.span, stepName);
    }
    if (!present(step.name) || !unique.includes(step)) return;
    if (step.negated) {
      bindings.set(stepName, { kind: 'unavailable', report: (span) => ctx.report.add('step_negated_reference', span, stepName) });
      return;
    }
    if (inputRecord.fields.some((f) => f.name === stepName)) {
      ctx.report.add('step_shadows_field', step.name.span, stepName, inputRecord.name ?? inputName ?? name);
    }
    const mayBeAbsent = quantifier !== null && quantifier.min === 0;
    bindings.set(stepName, { kind: 'step', step, typed: typed(inputRecord, mayBeAbsent) });
  });

  if (alert === null) ctx.report.add('pattern_alert_missing', decl.name.span, name);
  else {
    const holes = new Map<string, Binding>();
    // The key, when it is a plain field: the same in every event of the match.
    if (key?.kind === 'NameExpr') {
      const keyField = inputRecord.fields.find((f) => f.name === key.name);
      if (keyField !== undefined) holes.set(key.name, { kind: 'field', record: inputRecord, field: keyField });
    }
    for (const [bindingName, binding] of bindings) if (binding.kind === 'step' || stepNames.has(bindingName)) holes.set(bindingName, binding);
    checkAlert(ctx, checker, alert, new Scope(holes, { description: name, context: 'an alert template', opaque: broken }));
  }

  const output: RecordType = { kind: 'record', name, fields: [...ALERT_FIELDS] };
  let outputKey: ast.Expr | null = null;
  if (key !== null) {
    outputKey = syntheticName('key', key.span);
    ctx.types.set(outputKey, STRING);
    ctx.resolutions.set(outputKey, { kind: 'field', record: output, field: 'key' });
  }
  const info: StreamInfo = {
    name,
    declaration: decl,
    record: output,
    key: outputKey,
    eventTime: inputEntry?.info.eventTime ?? false,
    inputs: inputName === null ? [] : [inputName],
  };
  return { info, broken };
}
