// Codes of the check phase: names, types, windows, aggregates, patterns, connectors.
//
// Every message names its subject in backquotes; every suggestion is a concrete fix. Message
// functions take plain data (names, rendered types, rendered expressions), never AST nodes, so
// docs/diagnostics.md can be generated from this file alone.
import type { MessageText } from '../diagnostic.ts';
import { defineMessages } from '../define.ts';
import { didYouMean } from '../suggest.ts';

/** `{ message }` plus the suggestion when there is one. */
function text(message: string, suggestion?: string): MessageText {
  return suggestion === undefined ? { message } : { message, suggestion };
}

/**
 * "did you mean …?" as in suggest.ts, plus one swap of adjacent letters (`kafak` → `kafka`,
 * `flaot` → `float`), the commonest typo that plain edit distance counts twice.
 */
function suggest(name: string, known: readonly string[]): string | undefined {
  const closest = didYouMean(name, known);
  if (closest !== undefined) return closest;
  const lower = name.toLowerCase();
  const swapped = known.find((candidate) => isAdjacentSwap(lower, candidate.toLowerCase()));
  return swapped === undefined ? undefined : `did you mean \`${swapped}\`?`;
}

function isAdjacentSwap(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  const diff: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff.push(i);
  const [i, j] = diff;
  return diff.length === 2 && i !== undefined && j === i + 1 && a[i] === b[j] && a[j] === b[i];
}

function list(names: readonly string[]): string {
  return names.map((n) => `\`${n}\``).join(', ');
}

export const SEVERITY_LEVELS = ['low', 'medium', 'high', 'critical'] as const;

export const checkMessages = defineMessages({
  // ───────────── names and declarations ─────────────
  declaration_duplicate: {
    severity: 'error',
    summary: 'Two declarations (enums, schemas, sources, streams, aggregates, patterns) share one name.',
    text: (name: string, firstKind: string, firstLine: number) =>
      text(`\`${name}\` is already declared (${firstKind} at line ${firstLine})`, 'rename one of the two declarations'),
  },
  field_duplicate: {
    severity: 'error',
    summary: 'A record declares the same field twice.',
    text: (field: string, record: string) => text(`duplicate field \`${field}\` in \`${record}\``, 'remove or rename one of them'),
  },
  field_unknown: {
    severity: 'error',
    summary: 'A field that the record in scope does not have.',
    text: (field: string, record: string, known: readonly string[]) =>
      text(`unknown field \`${field}\` in \`${record}\``, suggest(field, known)),
  },
  enum_member_duplicate: {
    severity: 'error',
    summary: 'An enum lists the same member twice.',
    text: (member: string, enumName: string) =>
      text(`duplicate member \`${member}\` in enum \`${enumName}\``, `remove the second \`${member}\``),
  },
  enum_member_ambiguous: {
    severity: 'error',
    summary: 'A bare enum member that several enums declare, used where no enum type is expected.',
    text: (member: string, enums: readonly string[]) =>
      text(
        `\`${member}\` is a member of several enums (${list(enums)}) and nothing here says which`,
        `compare it with a field of the intended enum type, e.g. \`field == ${member}\``,
      ),
  },
  enum_member_unknown: {
    severity: 'error',
    summary: 'A bare name compared with an enum value that is neither a field nor a member of that enum.',
    text: (name: string, enumName: string, record: string, known: readonly string[]) =>
      text(`\`${name}\` is neither a member of enum \`${enumName}\` nor a field of \`${record}\``, suggest(name, known)),
  },
  enum_member_qualified: {
    severity: 'error',
    summary: 'An enum member written with its enum name (`EventType.PAGE_VIEW`); members are written bare.',
    text: (enumName: string, member: string, exists: boolean) =>
      exists
        ? text(`enum members are written without their enum name: \`${enumName}.${member}\``, `write \`${member}\``)
        : text(`enum \`${enumName}\` has no member \`${member}\``),
  },
  type_unknown: {
    severity: 'error',
    summary: 'A field type that is neither a built-in type nor a declared enum or schema.',
    text: (name: string, known: readonly string[]) =>
      text(
        `unknown type \`${name}\``,
        suggest(name, known) ?? 'use string, int, float, bool, timestamp, duration, or a declared enum or schema',
      ),
  },
  schema_unknown: {
    severity: 'error',
    summary: 'A source reads a schema that is not declared.',
    text: (name: string, known: readonly string[], actualKind?: string) =>
      actualKind === undefined
        ? text(`unknown schema \`${name}\``, suggest(name, known))
        : text(`\`${name}\` is ${actualKind}, not a schema`, suggest(name, known)),
  },
  schema_recursive: {
    severity: 'error',
    summary: 'A schema that contains itself, directly or through other schemas.',
    text: (schema: string, path: string) =>
      text(`schema \`${schema}\` contains itself through \`${path}\``, 'records must be finite; store an id instead of the nested record'),
  },
  stream_unknown: {
    severity: 'error',
    summary: 'A reference to a source, stream, aggregate or pattern that is not declared.',
    text: (name: string, known: readonly string[], actualKind?: string) =>
      actualKind === undefined
        ? text(`unknown stream \`${name}\``, suggest(name, known))
        : text(
            `\`${name}\` is ${actualKind}, not a stream`,
            suggest(name, known) ?? (actualKind === 'a schema' ? `declare a source: \`source s: ${name} from …\`` : undefined),
          ),
  },
  stream_declared_later: {
    severity: 'error',
    summary: 'A declaration reads a stream declared below it (or itself); declarations read only streams declared above them.',
    text: (name: string, reader: string, line: number) =>
      name === reader
        ? text(`\`${name}\` cannot read itself`, 'read the stream it is derived from instead')
        : text(
            `\`${reader}\` reads \`${name}\`, which is declared later (line ${line})`,
            `move the declaration of \`${name}\` above \`${reader}\``,
          ),
  },

  // ───────────── expressions ─────────────
  measure_field_outside_aggregate: {
    severity: 'error',
    summary: 'An input field used in a measure or `having` outside any aggregate function, and not a group key.',
    text: (field: string, groupKeyColumn?: string) =>
      text(
        `\`${field}\` must be used inside an aggregate function or be a group key`,
        groupKeyColumn !== undefined
          ? `refer to the group key by its column name \`${groupKeyColumn}\``
          : `wrap it in an aggregate, e.g. \`first(${field})\`, or add it to \`group by\``,
      ),
  },
  measure_reference_later: {
    severity: 'error',
    summary: 'A measure that refers to itself or to a measure defined below it.',
    text: (name: string, self: boolean) =>
      self
        ? text(`measure \`${name}\` refers to itself`)
        : text(`measure \`${name}\` is defined later`, `move \`${name}\` above the measure that uses it`),
  },
  function_unknown: {
    severity: 'error',
    summary: 'A call to a function that is neither a scalar builtin nor an aggregate function.',
    text: (name: string, known: readonly string[]) => text(`unknown function \`${name}\``, suggest(name, known)),
  },
  function_arity: {
    severity: 'error',
    summary: 'A function called with too few or too many arguments.',
    text: (name: string, signature: string, given: number) =>
      text(`\`${name}\` called with ${given} argument${given === 1 ? '' : 's'}`, `call it as \`${signature}\``),
  },
  function_argument_type: {
    severity: 'error',
    summary: 'A function argument of the wrong type.',
    text: (name: string, index: number, expected: string, found: string) =>
      text(`argument ${index} of \`${name}\` must be ${expected}, found \`${found}\``),
  },
  function_filter_not_aggregate: {
    severity: 'error',
    summary: 'A `where` filter inside the call of a scalar function; only aggregate functions take one.',
    text: (name: string) =>
      text(`\`${name}\` is not an aggregate function and takes no \`where\` filter`, 'use `if(cond, value, other)` to choose a value'),
  },
  aggregate_call_misplaced: {
    severity: 'error',
    summary: 'An aggregate function call outside an aggregate measure or `having`.',
    text: (name: string, where: string) =>
      text(
        `aggregate function \`${name}\` cannot be used in ${where}`,
        'aggregate functions belong in the measures and `having` of an `aggregate`',
      ),
  },
  aggregate_call_nested: {
    severity: 'error',
    summary: 'An aggregate function call inside the arguments of another aggregate function call.',
    text: (inner: string, outer: string) =>
      text(
        `aggregate function \`${inner}\` is nested inside \`${outer}\``,
        `compute \`${inner}\` in an aggregate of its own and aggregate its output`,
      ),
  },
  percentile_fraction_invalid: {
    severity: 'error',
    summary: 'The fraction of `percentile(x, p)` is not a number literal strictly between 0 and 1.',
    text: (found: string) =>
      text(`the fraction of \`percentile\` must be a number literal between 0 and 1 (exclusive), found \`${found}\``, 'write e.g. `percentile(x, 0.95)`'),
  },
  top_k_count_invalid: {
    severity: 'error',
    summary: 'The count of `top_k(x, k)` is not a positive integer literal.',
    text: (found: string) =>
      text(`the count of \`top_k\` must be a positive integer literal, found \`${found}\``, 'write e.g. `top_k(url, 10)`'),
  },
  operator_type: {
    severity: 'error',
    summary: 'An operator applied to operands of types it does not accept.',
    text: (operator: string, left: string, right?: string, suggestion?: string) =>
      text(
        right === undefined
          ? `operator \`${operator}\` cannot be applied to \`${left}\``
          : `operator \`${operator}\` cannot be applied to \`${left}\` and \`${right}\``,
        suggestion,
      ),
  },
  comparison_incompatible: {
    severity: 'error',
    summary: 'A comparison (`==`, `<`, `in`, …) between values of incompatible types.',
    text: (operator: string, left: string, right: string) => text(`cannot compare \`${left}\` with \`${right}\` using \`${operator}\``),
  },
  condition_not_bool: {
    severity: 'error',
    summary: 'A condition (`where`, `having`, `until`, a filter, a pattern step) that is not of type bool.',
    text: (clause: string, found: string) =>
      text(`${clause} must be \`bool\`, found \`${found}\``, found === 'null' ? undefined : 'compare the value, e.g. `x == …` or `x > 0`'),
  },
  value_nullable: {
    severity: 'error',
    summary: 'A value that may be null used where a value is required (arithmetic, ordering, conditions, function arguments).',
    text: (expr: string, fallback: string) =>
      text(`\`${expr}\` may be null here`, `provide a default: \`${expr} ?? ${fallback}\``),
  },
  member_access_optional: {
    severity: 'error',
    summary: 'A plain `.` on a record that may be null; use `?.`.',
    text: (object: string, property: string) =>
      text(`\`${object}\` may be null, so \`.${property}\` can fail`, `use \`${object}?.${property}\``),
  },
  member_access_not_record: {
    severity: 'error',
    summary: 'A `.field` access on a value that is not a record.',
    text: (property: string, type: string) => text(`\`.${property}\`: a value of type \`${type}\` has no fields`),
  },
  list_element_mismatch: {
    severity: 'error',
    summary: 'A list literal whose elements do not share one type.',
    text: (expected: string, found: string) => text(`list elements must share one type: expected \`${expected}\`, found \`${found}\``),
  },
  list_empty_untyped: {
    severity: 'error',
    summary: 'An empty list literal where nothing says what its elements would be.',
    text: () => text('cannot infer the element type of an empty list here'),
  },
  in_not_list: {
    severity: 'error',
    summary: 'The right side of `in` is not a list.',
    text: (found: string) => text(`the right side of \`in\` must be a list, found \`${found}\``, 'write a list literal, e.g. `x in [A, B]`'),
  },
  if_branches_mismatch: {
    severity: 'error',
    summary: 'The two branches of `if(cond, a, b)` have incompatible types.',
    text: (then: string, otherwise: string) => text(`the branches of \`if\` have incompatible types \`${then}\` and \`${otherwise}\``),
  },
  coalesce_never_null: {
    severity: 'warning',
    summary: 'The left side of `??` can never be null, so the default is never used.',
    text: (expr: string) => text(`\`${expr}\` is never null, so the \`??\` default is never used`, `remove \`?? …\``),
  },
  derive_type_unknown: {
    severity: 'error',
    summary: 'A derived field whose value is the `null` literal, which has no type.',
    text: (name: string) => text(`cannot infer a type for \`${name}\` from \`null\``, 'derive a typed value, e.g. `if(cond, value, null)`'),
  },
  key_type_invalid: {
    severity: 'error',
    summary: 'A key (`key by`, `group by`) of record or list type.',
    text: (clause: string, found: string) =>
      text(`${clause} must be a string, number, bool, enum, timestamp or duration, found \`${found}\``, 'key by one of its fields instead'),
  },
  event_time_type: {
    severity: 'error',
    summary: 'The `event time` of a source is not a timestamp or an int (epoch milliseconds), or may be null.',
    text: (found: string, nullable: boolean) =>
      nullable
        ? text('the `event time` may be null', 'use a required field, or a default: `ts ?? 0`')
        : text(`the \`event time\` must be a \`timestamp\` or an \`int\` of epoch milliseconds, found \`${found}\``),
  },
  template_hole_record: {
    severity: 'error',
    summary: 'A `{hole}` in an alert template that names a whole record rather than a value.',
    text: (hole: string, fields: readonly string[]) =>
      text(
        `\`{${hole}}\` is a record; a template hole needs a value`,
        fields[0] === undefined ? undefined : `pick a field, e.g. \`{${hole}.${fields[0]}}\``,
      ),
  },
  template_hole_not_column: {
    severity: 'error',
    summary: 'A `{hole}` in the alert of an aggregate that names an input field rather than a column of the output row.',
    text: (field: string, aggregate: string) =>
      text(
        `\`{${field}}\` is a field of the input, not a column of \`${aggregate}\``,
        `add a measure such as \`${field}_last = last(${field})\` and write \`{${field}_last}\`, or group by \`${field}\``,
      ),
  },

  // ───────────── connectors ─────────────
  connector_unknown: {
    severity: 'error',
    summary: 'A connector name that is not a known source or sink connector.',
    text: (name: string, direction: string, known: readonly string[]) =>
      text(`unknown ${direction} connector \`${name}\``, suggest(name, known) ?? `use one of ${list(known)}`),
  },
  connector_not_source: {
    severity: 'error',
    summary: 'A sink-only connector used to read a source.',
    text: (name: string, sources: readonly string[]) =>
      text(`\`${name}\` is a sink connector and cannot be read from`, `sources read from ${list(sources)}`),
  },
  connector_not_sink: {
    severity: 'error',
    summary: 'A source-only connector used as a sink (emit, dead letter, late output).',
    text: (name: string, sinks: readonly string[]) =>
      text(`\`${name}\` is a source connector and cannot be written to`, `write to ${list(sinks)}`),
  },
  connector_param_unknown: {
    severity: 'error',
    summary: 'A named connector argument that the connector does not take.',
    text: (param: string, connector: string, known: readonly string[]) =>
      text(
        `\`${connector}\` has no parameter \`${param}\``,
        suggest(param, known) ?? (known.length === 0 ? `\`${connector}\` takes no arguments` : `its parameters are ${list(known)}`),
      ),
  },
  connector_param_missing: {
    severity: 'error',
    summary: 'A required connector argument is missing.',
    text: (param: string, connector: string, example: string) =>
      text(`\`${connector}\` needs \`${param}\``, `add \`${param}: ${example}\` to the arguments of \`${connector}\``),
  },
  connector_param_duplicate: {
    severity: 'error',
    summary: 'A connector argument given twice.',
    text: (param: string, connector: string) => text(`\`${param}\` is given twice to \`${connector}\``, 'remove one of them'),
  },
  connector_param_type: {
    severity: 'error',
    summary: 'A connector argument that is not a literal of the expected type.',
    text: (param: string, connector: string, expected: string, found: string) =>
      text(`\`${param}\` of \`${connector}\` must be ${expected}, found ${found}`),
  },
  connector_param_invalid: {
    severity: 'error',
    summary: 'A connector argument with a value out of range (e.g. zero partitions).',
    text: (param: string, connector: string, requirement: string) => text(`\`${param}\` of \`${connector}\` must be ${requirement}`),
  },
  connector_args_too_many: {
    severity: 'error',
    summary: 'More positional connector arguments than the connector has parameters.',
    text: (connector: string, signature: string) => text(`too many arguments for \`${connector}\``, `call it as \`${signature}\``),
  },
  connector_arg_positional_after_named: {
    severity: 'error',
    summary: 'A positional connector argument after a named one.',
    text: (connector: string) => text(`positional argument after a named one in \`${connector}(…)\``, 'name this argument too'),
  },

  // ───────────── clauses, windows, aggregates ─────────────
  clause_duplicate: {
    severity: 'error',
    summary: 'A clause that may appear once in its declaration appears twice.',
    text: (clause: string, owner: string) => text(`\`${clause}\` is given twice in \`${owner}\``, 'remove one of them'),
  },
  duration_not_positive: {
    severity: 'error',
    summary: 'A window size, slide, gap, `within` or `emit every` of zero.',
    text: (what: string) => text(`${what} must be longer than zero`),
  },
  window_missing: {
    severity: 'error',
    summary: 'An aggregate without a `window` clause.',
    text: (aggregate: string) => text(`aggregate \`${aggregate}\` has no window`, 'add one, e.g. `window tumbling 1m`'),
  },
  window_event_time_unavailable: {
    severity: 'error',
    summary: 'An `event time` window over an input that carries no event time.',
    text: (input: string, sources: readonly string[]) =>
      text(
        `\`${input}\` has no event time, so the window cannot use \`event time\``,
        sources.length > 0
          ? `use \`processing time\`, or add \`event time <field>\` to source ${list(sources)}`
          : 'use `processing time`',
      ),
  },
  window_session_needs_key: {
    severity: 'error',
    summary: 'A session window over an input that is not keyed and an aggregate without `group by`.',
    text: (aggregate: string, input: string) =>
      text(
        `session window of \`${aggregate}\` needs a key: sessions are tracked per key`,
        `add \`group by <field>\`, or \`key by <field>\` to \`${input}\``,
      ),
  },
  window_session_over_updates: {
    severity: 'error',
    summary: 'A session window over another aggregate\'s rows, which are updated and retracted.',
    text: (aggregate: string, input: string) =>
      text(
        `session window of \`${aggregate}\` reads \`${input}\`, whose rows are keyed updates: a session cannot give back a row it has merged when that row is retracted`,
        `use a tumbling or sliding window over \`${input}\`, or build the sessions from the stream \`${input}\` is computed from`,
      ),
  },
  window_slide_invalid: {
    severity: 'error',
    summary: 'A sliding window whose slide is longer than its size or does not divide it.',
    text: (size: string, slide: string, reason: 'longer' | 'divide') =>
      reason === 'longer'
        ? text(`the slide \`${slide}\` is longer than the window \`${size}\``, 'use a tumbling window, or a slide no longer than the size')
        : text(`the slide \`${slide}\` does not divide the window size \`${size}\``, 'choose a slide that divides the size evenly'),
  },
  lateness_needs_event_time: {
    severity: 'error',
    summary: '`lateness` or `late to` on a processing-time window, where nothing is ever late.',
    text: (clause: string) =>
      text(`\`${clause}\` needs an event-time window; processing-time windows have no late events`, `remove \`${clause}\` or use \`event time\``),
  },
  emit_every_exceeds_window: {
    severity: 'warning',
    summary: '`emit every` at least as long as the window size, so the early firings never fire.',
    text: (interval: string, size: string) =>
      text(`\`emit every ${interval}\` is not shorter than the window \`${size}\`, so it never fires early`, 'remove it or use a shorter interval'),
  },
  column_duplicate: {
    severity: 'error',
    summary: 'Two output columns of an aggregate (group keys, window bounds, measures) with one name.',
    text: (name: string, previous: string) => text(`column \`${name}\` is already defined (${previous})`, 'rename one of them'),
  },
  column_reserved: {
    severity: 'error',
    summary: 'An output column of an alerting aggregate whose name an alert field takes.',
    text: (name: string) =>
      text(`column \`${name}\` clashes with the alert field of the same name`, `rename it, e.g. \`${name}_value\``),
  },
  group_key_needs_alias: {
    severity: 'error',
    summary: 'A group key that is not a field path and has no `as name`.',
    text: (expr: string) => text(`group key \`${expr}\` needs a column name`, `add \`as name\`: \`group by ${expr} as name\``),
  },

  // ───────────── alerts and patterns ─────────────
  alert_severity_unknown: {
    severity: 'error',
    summary: 'An alert severity other than low, medium, high or critical.',
    text: (severity: string) =>
      text(
        `unknown severity \`${severity}\``,
        suggest(severity, SEVERITY_LEVELS) ?? `use one of ${list(SEVERITY_LEVELS)}`,
      ),
  },
  pattern_over_updates: {
    severity: 'error',
    summary: 'A pattern over another aggregate\'s rows, which are updated and retracted.',
    text: (pattern: string, input: string) =>
      text(
        `pattern \`${pattern}\` reads \`${input}\`, whose rows are keyed updates: a match cannot be taken back when a row it used is retracted`,
        `match on the stream \`${input}\` is computed from, or aggregate \`${input}\` in a tumbling or sliding window`,
      ),
  },
  pattern_key_missing: {
    severity: 'error',
    summary: 'A pattern without `key by` over an input that is not keyed.',
    text: (pattern: string, input: string) =>
      text(`pattern \`${pattern}\` needs a key: matches are tracked per key`, `add \`key by <field>\` to the pattern or to \`${input}\``),
  },
  pattern_match_missing: {
    severity: 'error',
    summary: 'A pattern without a `match` clause.',
    text: (pattern: string) => text(`pattern \`${pattern}\` has no \`match\``, 'add one, e.g. `match a: cond -> b: cond`'),
  },
  pattern_alert_missing: {
    severity: 'error',
    summary: 'A pattern without an `alert` clause; a pattern\'s stream is its alerts.',
    text: (pattern: string) =>
      text(`pattern \`${pattern}\` has no \`alert\``, 'add one, e.g. `alert NAME severity high message "…"`'),
  },
  step_duplicate: {
    severity: 'error',
    summary: 'Two steps of a pattern with one name.',
    text: (step: string) => text(`duplicate step \`${step}\``, 'give each step its own name'),
  },
  step_negated_first: {
    severity: 'error',
    summary: 'A pattern that starts with a negated step: an absence needs something to follow.',
    text: (step: string) => text(`the first step \`${step}\` cannot be negated`, 'start the pattern with the event the absence follows'),
  },
  step_negated_quantifier: {
    severity: 'error',
    summary: 'A negated step with a quantifier.',
    text: (step: string) => text(`negated step \`${step}\` cannot have a quantifier`, 'remove the quantifier'),
  },
  step_negated_needs_within: {
    severity: 'error',
    summary: 'A negated step without a `within` of its own or of the pattern: the absence would never be confirmed.',
    text: (step: string) =>
      text(`negated step \`${step}\` needs a time bound`, `add \`within <duration>\` to \`${step}\` or to the pattern`),
  },
  step_reference_later: {
    severity: 'error',
    summary: 'A step condition that refers to its own step or to a later step; conditions see only earlier steps.',
    text: (step: string, current: string) =>
      step === current
        ? text(`step \`${step}\` cannot refer to itself; its fields are in scope by their bare names`)
        : text(`step \`${current}\` refers to \`${step}\`, which comes later`, 'conditions can only refer to earlier steps'),
  },
  step_negated_reference: {
    severity: 'error',
    summary: 'A reference to a negated step, which never matches an event.',
    text: (step: string) => text(`\`${step}\` is a negated step and matches no event to refer to`),
  },
  step_shadows_field: {
    severity: 'warning',
    summary: 'A pattern step named like a field of the input; later conditions see the step, not the field.',
    text: (step: string, record: string) =>
      text(`step \`${step}\` hides the field \`${step}\` of \`${record}\` in later conditions`, 'rename the step'),
  },
  step_within_first: {
    severity: 'warning',
    summary: '`within` on the first step of a pattern, which has nothing before it to be timed against.',
    text: (step: string) => text(`\`within\` on the first step \`${step}\` has no effect`, 'put `within` on the pattern instead'),
  },
  quantifier_range_invalid: {
    severity: 'error',
    summary: 'A quantifier `{n,m}` with n greater than m, or one that allows no event at all.',
    text: (min: number, max: number) =>
      max === 0 ? text(`quantifier \`{${min === 0 ? '0' : `${min},0`}}\` matches nothing`, 'remove the step, or allow at least one record') : text(`quantifier \`{${min},${max}}\`: the minimum exceeds the maximum`, `write \`{${max},${min}}\``),
  },

  // ───────────── unions and emits ─────────────
  union_record_mismatch: {
    severity: 'error',
    summary: 'A union of streams whose records differ.',
    text: (input: string, first: string, difference: string) =>
      text(`\`${input}\` has a different record from \`${first}\`: ${difference}`, 'derive or drop fields so every input has the same record'),
  },
  union_input_duplicate: {
    severity: 'warning',
    summary: 'A stream listed twice in one union, which doubles its records.',
    text: (name: string) => text(`\`${name}\` appears twice in the union, so its records are duplicated`, 'remove the second one'),
  },
  union_event_time_mixed: {
    severity: 'warning',
    summary: 'A union of streams with and without event time; the union has no event time.',
    text: (without: string) =>
      text(`\`${without}\` has no event time, so the union has none`, 'add `event time` to its source, or union only event-time streams'),
  },
  emit_raw_to_influx: {
    severity: 'warning',
    summary: 'Raw events (a source or an unaggregated stream) written to InfluxDB: one point per event.',
    text: (name: string, kind: string) =>
      text(`${kind} \`${name}\` is not aggregated; InfluxDB gets one point per event`, 'emit an aggregate instead, or write raw events to kafka, log or file'),
  },
  emit_input_duplicate: {
    severity: 'warning',
    summary: 'A stream listed twice in one emit.',
    text: (name: string) => text(`\`${name}\` is emitted twice to the same connector`, 'remove the second one'),
  },

  checker_internal_error: {
    severity: 'error',
    summary: 'A bug in the checker; the program could not be fully checked.',
    text: (detail: string) => text(`internal checker error: ${detail}`, 'please report this with the input file'),
  },
});
