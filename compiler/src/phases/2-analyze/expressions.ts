// Typing of every expression. `check` records the type of each visited node in `ctx.types` (and
// nullable nodes in `ctx.nullable`), resolves names into `ctx.resolutions`, and reports what is
// wrong. An expression that already has a diagnostic is typed ERROR, which every rule accepts
// silently, so one mistake yields one diagnostic.
import type * as ast from '../../../../dsl/src/ast.ts';
import type { Context } from './context.ts';
import { AGGREGATE_FUNCTIONS, FUNCTION_NAMES, SCALAR_FUNCTIONS, type AggregateFunction, type ScalarFunction } from './functions.ts';
import { fieldPath, renderExpr } from './render.ts';
import type { Scope } from './scope.ts';
import {
  ERROR_TYPED,
  arithmeticResult,
  defaultLiteral,
  equatable,
  isPrimitive,
  orderable,
  typed,
  unify,
  type ArithmeticOperator,
  type Typed,
} from './typeops.ts';
import { BOOL, DURATION, ERROR, FLOAT, INT, NULL, STRING, isNumeric, typeToString, type EnumType, type RecordType, type Type } from './types.ts';

export class ExpressionChecker {
  /** The aggregate call whose arguments are being checked, to catch nested aggregate calls. */
  #enclosingAggregate: string | null = null;

  constructor(private readonly ctx: Context) {}

  /** Types `expr` in `scope`; `expected` guides bare enum members and empty lists. */
  check(expr: ast.Expr | null, scope: Scope, expected?: Type): Typed {
    if (expr === null) return ERROR_TYPED;
    const result = this.#check(expr, scope, expected);
    this.ctx.types.set(expr, result.type);
    if (result.optional) this.ctx.nullable.add(expr);
    else this.ctx.nullable.delete(expr);
    return result;
  }

  /** A value that must not be null: reports `value_nullable` and continues as non-null. */
  value(expr: ast.Expr | null, scope: Scope, expected?: Type): Typed {
    return this.#requireValue(expr, this.check(expr, scope, expected));
  }

  /** `where`, `having`, `until`, filters and step conditions: a non-null bool. */
  condition(expr: ast.Expr | null, scope: Scope, clause: string): void {
    if (expr === null) return;
    const result = this.check(expr, scope, BOOL);
    if (result.type.kind === 'error') return;
    if (!isPrimitive(result.type, 'bool')) {
      this.ctx.report.add('condition_not_bool', expr.span, clause, typeToString(result.type));
      return;
    }
    this.#requireValue(expr, result);
  }

  /** An alert title or message: every hole must resolve to a value (not a whole record). */
  template(template: ast.TemplateString | null, scope: Scope): void {
    if (template === null) return;
    const holes = scope.with({ template: true });
    for (const part of template.parts) {
      if (typeof part === 'string') continue;
      const result = this.check(part, holes);
      if (result.type.kind === 'record') {
        this.ctx.report.add('template_hole_record', part.span, renderExpr(part), result.type.fields.map((f) => f.name));
      }
    }
    this.ctx.types.set(template, STRING);
  }

  #requireValue(expr: ast.Expr | null, result: Typed): Typed {
    if (!result.optional || expr === null) return result;
    if (result.type.kind !== 'error' && result.type.kind !== 'null') {
      this.ctx.report.add('value_nullable', expr.span, renderExpr(expr), defaultLiteral(result.type));
    }
    return typed(result.type);
  }

  #check(expr: ast.Expr, scope: Scope, expected: Type | undefined): Typed {
    switch (expr.kind) {
      case 'NumberLiteral':
        return typed(expr.integer ? INT : FLOAT);
      case 'StringLiteral':
        return typed(STRING);
      case 'TemplateString':
        this.template(expr, scope);
        return typed(STRING);
      case 'BooleanLiteral':
        return typed(BOOL);
      case 'NullLiteral':
        return typed(NULL, true);
      case 'DurationLiteral':
        return typed(DURATION);
      case 'ListLiteral':
        return this.#list(expr, scope, expected);
      case 'NameExpr':
        return this.#name(expr, scope, expected);
      case 'MemberExpr':
        return this.#member(expr, scope);
      case 'CallExpr':
        return this.#call(expr, scope, expected);
      case 'UnaryExpr':
        return this.#unary(expr, scope);
      case 'BinaryExpr':
        return this.#binary(expr, scope, expected);
    }
  }

  // ───────────── names ─────────────

  #name(expr: ast.NameExpr, scope: Scope, expected: Type | undefined): Typed {
    if (expr.name === '') return ERROR_TYPED;
    const binding = scope.lookup(expr.name);
    if (binding !== undefined) {
      switch (binding.kind) {
        case 'field':
          this.ctx.resolutions.set(expr, { kind: 'field', record: binding.record, field: binding.field.name });
          return typed(binding.field.type, binding.field.optional);
        case 'groupKey':
          this.ctx.resolutions.set(expr, { kind: 'groupKey', key: binding.key });
          return binding.typed;
        case 'measure':
          this.ctx.resolutions.set(expr, { kind: 'measure', measure: binding.measure });
          return binding.typed;
        case 'step':
          this.ctx.resolutions.set(expr, { kind: 'patternStep', step: binding.step });
          return binding.typed;
        case 'unavailable':
          binding.report(expr.span);
          return ERROR_TYPED;
      }
    }
    const member = this.#enumMember(expr, expected);
    if (member !== undefined) return member;
    if (scope.opaque) return ERROR_TYPED;
    const candidates = scope.names();
    if (expected?.kind === 'enum') {
      const known = [...expected.members, ...candidates];
      this.ctx.report.add('enum_member_unknown', expr.span, expr.name, expected.name, scope.description, known);
    } else this.ctx.report.add('field_unknown', expr.span, expr.name, scope.description, candidates);
    return ERROR_TYPED;
  }

  /** A bare enum member: of the expected enum, else of the only enum that declares it. */
  #enumMember(expr: ast.NameExpr, expected: Type | undefined): Typed | undefined {
    let type: EnumType | undefined;
    if (expected?.kind === 'enum' && expected.members.includes(expr.name)) type = expected;
    else {
      const owners = this.ctx.enumsByMember.get(expr.name) ?? [];
      if (owners.length === 0) return undefined;
      // Compared with something already in error: which enum is meant cannot be known; stay quiet.
      if (owners.length > 1 && expected?.kind === 'error') return ERROR_TYPED;
      if (owners.length > 1) {
        this.ctx.report.add('enum_member_ambiguous', expr.span, expr.name, owners.map((e) => e.name));
        return ERROR_TYPED;
      }
      type = owners[0];
    }
    if (type === undefined) return undefined;
    this.ctx.resolutions.set(expr, { kind: 'enumMember', type, member: expr.name });
    return typed(type);
  }

  /** A bare name that is not in scope but names an enum member: typed after the other operand. */
  #isEnumCandidate(expr: ast.Expr | null, scope: Scope): boolean {
    return expr?.kind === 'NameExpr' && scope.lookup(expr.name) === undefined && this.ctx.enumsByMember.has(expr.name);
  }

  #member(expr: ast.MemberExpr, scope: Scope): Typed {
    const property = expr.property.name;
    const object = expr.object;
    if (object.kind === 'NameExpr' && scope.lookup(object.name) === undefined) {
      const enumType = this.ctx.enums.get(object.name);
      if (enumType !== undefined) {
        const exists = enumType.members.includes(property);
        this.ctx.report.add('enum_member_qualified', expr.span, enumType.name, property, exists);
        this.ctx.types.set(object, ERROR);
        return exists ? typed(enumType) : ERROR_TYPED;
      }
    }
    const target = this.check(object, scope);
    if (target.type.kind === 'error' || property === '') return ERROR_TYPED;
    if (target.type.kind !== 'record') {
      this.ctx.report.add('member_access_not_record', expr.property.span, property, typeToString(target.type));
      return ERROR_TYPED;
    }
    const field = target.type.fields.find((f) => f.name === property);
    if (field === undefined) {
      this.ctx.report.add(
        'field_unknown',
        expr.property.span,
        property,
        describeRecord(target.type, object),
        target.type.fields.map((f) => f.name),
      );
      return ERROR_TYPED;
    }
    if (target.optional && !expr.optional && !scope.template) {
      this.ctx.report.add('member_access_optional', expr.span, renderExpr(object), property);
      return typed(field.type, field.optional);
    }
    return typed(field.type, field.optional || target.optional);
  }

  // ───────────── lists ─────────────

  #list(expr: ast.ListLiteral, scope: Scope, expected: Type | undefined): Typed {
    let element: Type | undefined = expected?.kind === 'list' ? expected.element : undefined;
    let common: Typed | undefined;
    for (const item of expr.elements) {
      const result = this.value(item, scope, common?.type ?? element);
      if (result.type.kind === 'null') {
        this.ctx.report.add('list_element_mismatch', item.span, common === undefined ? 'a value' : typeToString(common.type), 'null');
        continue;
      }
      if (common === undefined) {
        common = result;
        continue;
      }
      const unified = unify(common, result);
      if (unified === undefined) {
        this.ctx.report.add('list_element_mismatch', item.span, typeToString(common.type), typeToString(result.type));
      } else common = unified;
    }
    if (common !== undefined) element = common.type;
    if (element === undefined) {
      this.ctx.report.add('list_empty_untyped', expr.span);
      element = ERROR;
    }
    return typed({ kind: 'list', element });
  }

  // ───────────── calls ─────────────

  #call(expr: ast.CallExpr, scope: Scope, expected: Type | undefined): Typed {
    const name = expr.callee.name;
    const aggregate = AGGREGATE_FUNCTIONS.get(name);
    if (aggregate !== undefined) return this.#aggregateCall(expr, aggregate, scope);
    const fn = SCALAR_FUNCTIONS.get(name);
    if (expr.filter !== null) {
      if (fn !== undefined) this.ctx.report.add('function_filter_not_aggregate', expr.filter.span, name);
      this.check(expr.filter, scope, BOOL);
    }
    if (fn === undefined) {
      if (name !== '') this.ctx.report.add('function_unknown', expr.callee.span, name, FUNCTION_NAMES);
      for (const arg of expr.args) this.check(arg, scope);
      return ERROR_TYPED;
    }
    if (!this.#arity(expr, fn.signature, fn.optionalFrom ?? fn.params.length, fn.variadic === true ? Infinity : fn.params.length)) {
      for (const arg of expr.args) this.check(arg, scope);
      return ERROR_TYPED;
    }
    if (name === 'if') return this.#if(expr, scope, expected);
    return this.#scalarCall(expr, fn, scope);
  }

  #arity(expr: ast.CallExpr, signature: string, min: number, max: number): boolean {
    const given = expr.args.length;
    if (given >= min && given <= max) return true;
    this.ctx.report.add('function_arity', expr.span, expr.callee.name, signature, given);
    return false;
  }

  #scalarCall(expr: ast.CallExpr, fn: ScalarFunction, scope: Scope): Typed {
    const types: Type[] = [];
    let failed = false;
    expr.args.forEach((arg, i) => {
      const param = fn.params[Math.min(i, fn.params.length - 1)];
      const result = this.value(arg, scope);
      if (param === undefined || result.type.kind === 'error') {
        failed = true;
        return;
      }
      if (!param.accepts(result.type)) {
        this.ctx.report.add('function_argument_type', arg.span, fn.name, i + 1, param.expected, typeToString(result.type));
        failed = true;
      }
      types.push(result.type);
    });
    return failed ? ERROR_TYPED : typed(fn.result(types));
  }

  #if(expr: ast.CallExpr, scope: Scope, expected: Type | undefined): Typed {
    const [cond, thenExpr, elseExpr] = expr.args;
    this.condition(cond ?? null, scope, 'the condition of `if`');
    const reversed = this.#isEnumCandidate(thenExpr ?? null, scope) && !this.#isEnumCandidate(elseExpr ?? null, scope);
    let thenType: Typed;
    let elseType: Typed;
    if (reversed) {
      elseType = this.check(elseExpr ?? null, scope, expected);
      thenType = this.check(thenExpr ?? null, scope, elseType.type.kind === 'null' ? expected : elseType.type);
    } else {
      thenType = this.check(thenExpr ?? null, scope, expected);
      elseType = this.check(elseExpr ?? null, scope, thenType.type.kind === 'null' ? expected : thenType.type);
    }
    const unified = unify(thenType, elseType);
    if (unified === undefined) {
      this.ctx.report.add('if_branches_mismatch', expr.span, typeToString(thenType.type), typeToString(elseType.type));
      return ERROR_TYPED;
    }
    if (unified.type.kind === 'null') {
      this.ctx.report.add('if_branches_mismatch', expr.span, 'null', 'null');
      return ERROR_TYPED;
    }
    return unified;
  }

  #aggregateCall(expr: ast.CallExpr, fn: AggregateFunction, scope: Scope): Typed {
    const outer = this.#enclosingAggregate;
    if (outer !== null) this.ctx.report.add('aggregate_call_nested', expr.span, fn.name, outer);
    else if (scope.aggregateInput === undefined) this.ctx.report.add('aggregate_call_misplaced', expr.callee.span, fn.name, scope.options.context);
    const input = scope.aggregateInput ?? scope;
    this.#enclosingAggregate = fn.name;
    try {
      return this.#aggregateArguments(expr, fn, input);
    } finally {
      this.#enclosingAggregate = outer;
    }
  }

  #aggregateArguments(expr: ast.CallExpr, fn: AggregateFunction, input: Scope): Typed {
    const max = (fn.value === null ? 0 : 1) + (fn.parameter === undefined ? 0 : 1);
    const min = fn.value === null || fn.valueOptional === true ? 0 : max;
    if (expr.filter !== null) this.condition(expr.filter, input, 'the `where` filter');
    if (!this.#arity(expr, fn.signature, min, max)) {
      for (const arg of expr.args) this.check(arg, input);
      return typed(fn.result(null));
    }
    const [valueExpr, parameterExpr] = expr.args;
    let value: Typed | null = null;
    let failed = false;
    if (fn.value !== null && valueExpr !== undefined) {
      value = this.check(valueExpr, input);
      if (value.type.kind === 'error') failed = true;
      else if (!fn.value.accepts(value.type)) {
        this.ctx.report.add('function_argument_type', valueExpr.span, fn.name, 1, fn.value.expected, typeToString(value.type));
        failed = true;
      }
    }
    if (fn.parameter !== undefined && parameterExpr !== undefined) this.#aggregateParameter(fn.parameter, parameterExpr, input);
    if (failed) return ERROR_TYPED;
    const optional = fn.nullWhenEmpty && (expr.filter !== null || value?.optional === true);
    return typed(fn.result(value?.type ?? null), optional);
  }

  #aggregateParameter(parameter: 'fraction' | 'count', expr: ast.Expr, scope: Scope): void {
    this.check(expr, scope);
    const literal = expr.kind === 'NumberLiteral' ? expr : null;
    if (parameter === 'fraction') {
      if (literal === null || !(literal.value > 0 && literal.value < 1)) {
        this.ctx.report.add('percentile_fraction_invalid', expr.span, renderExpr(expr));
      }
    } else if (literal === null || !literal.integer || literal.value < 1) {
      this.ctx.report.add('top_k_count_invalid', expr.span, renderExpr(expr));
    }
  }

  // ───────────── operators ─────────────

  #unary(expr: ast.UnaryExpr, scope: Scope): Typed {
    if (expr.operator === 'not') {
      const operand = this.value(expr.operand, scope, BOOL);
      if (operand.type.kind === 'error') return typed(BOOL);
      if (!isPrimitive(operand.type, 'bool')) this.ctx.report.add('operator_type', expr.span, 'not', typeToString(operand.type));
      return typed(BOOL);
    }
    const operand = this.value(expr.operand, scope);
    if (operand.type.kind === 'error') return ERROR_TYPED;
    if (isNumeric(operand.type) || isPrimitive(operand.type, 'duration')) return typed(operand.type);
    this.ctx.report.add('operator_type', expr.span, '-', typeToString(operand.type));
    return ERROR_TYPED;
  }

  #binary(expr: ast.BinaryExpr, scope: Scope, expected: Type | undefined): Typed {
    switch (expr.operator) {
      case 'and':
      case 'or':
        return this.#logical(expr, scope);
      case '==':
      case '!=':
        return this.#equality(expr, scope);
      case '<':
      case '<=':
      case '>':
      case '>=':
        return this.#ordering(expr, scope);
      case 'in':
        return this.#in(expr, scope);
      case 'starts with':
      case 'contains':
        return this.#stringPredicate(expr, scope);
      case '??':
        return this.#coalesce(expr, scope, expected);
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
        return this.#arithmetic(expr, expr.operator, scope);
    }
  }

  /** Types both operands; a bare enum member on one side takes its type from the other. */
  #operands(expr: ast.BinaryExpr, scope: Scope, expected?: Type): [Typed, Typed] {
    if (this.#isEnumCandidate(expr.left, scope) && !this.#isEnumCandidate(expr.right, scope)) {
      const right = this.check(expr.right, scope, expected);
      return [this.check(expr.left, scope, right.type), right];
    }
    const left = this.check(expr.left, scope, expected);
    return [left, this.check(expr.right, scope, left.type.kind === 'null' ? expected : left.type)];
  }

  #logical(expr: ast.BinaryExpr, scope: Scope): Typed {
    const left = this.#requireValue(expr.left, this.check(expr.left, scope, BOOL));
    const right = this.#requireValue(expr.right, this.check(expr.right, scope, BOOL));
    const bad = (t: Type): boolean => t.kind !== 'error' && !isPrimitive(t, 'bool');
    if (bad(left.type) || bad(right.type)) {
      this.ctx.report.add('operator_type', expr.span, expr.operator, typeToString(left.type), typeToString(right.type));
    }
    return typed(BOOL);
  }

  #equality(expr: ast.BinaryExpr, scope: Scope): Typed {
    const [left, right] = this.#operands(expr, scope);
    if (!equatable(left.type, right.type)) {
      this.ctx.report.add('comparison_incompatible', expr.span, expr.operator, typeToString(left.type), typeToString(right.type));
    }
    return typed(BOOL);
  }

  #ordering(expr: ast.BinaryExpr, scope: Scope): Typed {
    const [rawLeft, rawRight] = this.#operands(expr, scope);
    const left = this.#requireValue(expr.left, rawLeft);
    const right = this.#requireValue(expr.right, rawRight);
    if (!orderable(left.type, right.type)) {
      this.ctx.report.add('comparison_incompatible', expr.span, expr.operator, typeToString(left.type), typeToString(right.type));
    }
    return typed(BOOL);
  }

  #in(expr: ast.BinaryExpr, scope: Scope): Typed {
    let left: Typed;
    let right: Typed;
    if (this.#isEnumCandidate(expr.left, scope) && expr.right?.kind !== 'ListLiteral') {
      right = this.value(expr.right, scope);
      left = this.value(expr.left, scope, right.type.kind === 'list' ? right.type.element : undefined);
    } else {
      left = this.value(expr.left, scope);
      const expectedList: Type | undefined = left.type.kind === 'error' || left.type.kind === 'null' ? undefined : { kind: 'list', element: left.type };
      right = this.value(expr.right, scope, expectedList);
    }
    if (right.type.kind === 'error') return typed(BOOL);
    if (right.type.kind !== 'list') {
      this.ctx.report.add('in_not_list', expr.right?.span ?? expr.span, typeToString(right.type));
      return typed(BOOL);
    }
    if (!equatable(left.type, right.type.element)) {
      this.ctx.report.add('comparison_incompatible', expr.span, 'in', typeToString(left.type), typeToString(right.type));
    }
    return typed(BOOL);
  }

  #stringPredicate(expr: ast.BinaryExpr, scope: Scope): Typed {
    const left = this.value(expr.left, scope);
    if (expr.operator === 'contains' && left.type.kind === 'list') {
      const right = this.value(expr.right, scope, left.type.element);
      if (!equatable(left.type.element, right.type)) {
        this.ctx.report.add('comparison_incompatible', expr.span, 'contains', typeToString(left.type), typeToString(right.type));
      }
      return typed(BOOL);
    }
    const right = this.value(expr.right, scope, STRING);
    const ok = (t: Type): boolean => t.kind === 'error' || isPrimitive(t, 'string');
    if (!ok(left.type) || !ok(right.type)) {
      this.ctx.report.add('operator_type', expr.span, expr.operator, typeToString(left.type), typeToString(right.type));
    }
    return typed(BOOL);
  }

  #coalesce(expr: ast.BinaryExpr, scope: Scope, expected: Type | undefined): Typed {
    const [left, right] = this.#operands(expr, scope, expected);
    if (!left.optional && left.type.kind !== 'error' && expr.left !== null) {
      this.ctx.report.add('coalesce_never_null', expr.left.span, renderExpr(expr.left));
    }
    const unified = unify(typed(left.type), right);
    if (unified === undefined) {
      this.ctx.report.add('operator_type', expr.span, '??', typeToString(left.type), typeToString(right.type));
      return ERROR_TYPED;
    }
    return typed(unified.type, right.optional);
  }

  #arithmetic(expr: ast.BinaryExpr, operator: ArithmeticOperator, scope: Scope): Typed {
    const left = this.value(expr.left, scope);
    const right = this.value(expr.right, scope);
    const result = arithmeticResult(operator, left.type, right.type);
    if (result !== undefined) return typed(result);
    this.ctx.report.add(
      'operator_type',
      expr.span,
      operator,
      typeToString(left.type),
      typeToString(right.type),
      arithmeticHint(operator, left.type, right.type),
    );
    return ERROR_TYPED;
  }
}

function arithmeticHint(operator: ArithmeticOperator, left: Type, right: Type): string | undefined {
  const isString = (t: Type): boolean => isPrimitive(t, 'string');
  if (operator === '+' && (isString(left) || isString(right))) return 'join strings with `concat(a, b)`';
  const timeLike = (t: Type): boolean => isPrimitive(t, 'timestamp', 'duration');
  if ((timeLike(left) && isNumeric(right)) || (isNumeric(left) && timeLike(right))) {
    if (operator === '+' || operator === '-') return 'write the number as a duration literal, e.g. `5s`, `100ms`';
  }
  if (operator === '+' && isPrimitive(left, 'timestamp') && isPrimitive(right, 'timestamp')) {
    return 'subtract timestamps to get a duration: `a - b`';
  }
  if (operator === '/' && isPrimitive(left, 'timestamp')) return 'subtract a timestamp first, then divide the duration: `(a - b) / 1s`';
  return undefined;
}

/** `AnalyticsEvent`, or for an inline record the path it was reached by: `pageViewData`. */
function describeRecord(record: RecordType, object: ast.Expr): string {
  if (record.name !== null) return record.name;
  const path = fieldPath(object);
  return path === undefined ? typeToString(record) : path.join('.');
}
