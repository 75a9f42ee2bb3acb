// CST → AST for the program and its declarations (expressions: to-ast-expressions.ts, templates:
// templates.ts). The CST may come from a recovered parse, so every child may be missing: optional
// AST children become `null`, required names become empty identifiers, lists just get shorter.
// A declaration that still trips the builder is dropped and reported, never thrown.
import type { CstNode, IToken } from 'chevrotain';
import type * as ast from './ast.ts';
import { isCstNode, node, nodes, nodeSpan, realToken, token, tokens } from './cst.ts';
import { durationLiteral, identifier, optionalIdentifier, stringLiteral } from './literals-ast.ts';
import { isIntegerText } from './literals.ts';
import type { LineIndex } from './positions.ts';
import { startOfFile, tokenSpan } from './positions.ts';
import type { SyntaxProblem } from './problem.ts';
import { templateString } from './templates.ts';
import { expression } from './to-ast-expressions.ts';
import { Kw } from './tokens.ts';

type Position = ast.Position;

/** Builds the Program; problems found while building (template holes, quantifiers) are appended to `problems`. */
export function toAst(cst: CstNode | null, file: string, lines: LineIndex, problems: SyntaxProblem[]): ast.Program {
  const builder = new AstBuilder(problems);
  const pipelineToken = realToken(cst, 'name');
  const declarations: ast.Declaration[] = [];
  for (const declarationCst of nodes(cst, 'declarations')) {
    const inner = firstChildNode(declarationCst);
    if (inner === null) continue;
    try {
      const declaration = builder.declaration(inner);
      if (declaration !== null) declarations.push(declaration);
    } catch (error) {
      // A builder bug (or a stack overflow) must not take the whole file down: report it where the declaration is.
      const problem = internalProblem(nodeSpan(inner, startOfFile));
      problems.push(error instanceof RangeError ? { ...problem, code: 'syntax_too_deep' } : problem);
    }
  }
  return {
    kind: 'Program',
    file,
    pipeline: optionalIdentifier(pipelineToken, startOfFile),
    declarations,
    span: { start: startOfFile, end: lines.end },
  };
}

export function internalProblem(span: ast.Span): SyntaxProblem {
  return {
    kind: 'parser',
    code: 'parse_failed',
    span,
    found: '',
    expected: '',
    atEnd: false,
    misspelt: null,
    unclosed: null,
    keywordAsName: false,
    replacement: null,
  };
}

function firstChildNode(cst: CstNode): CstNode | null {
  for (const elements of Object.values(cst.children)) {
    const found = elements.find(isCstNode);
    if (found !== undefined) return found;
  }
  return null;
}

class AstBuilder {
  constructor(private readonly problems: SyntaxProblem[]) {}

  declaration(cst: CstNode): ast.Declaration | null {
    switch (cst.name) {
      case 'enumDecl':
        return this.enumDecl(cst);
      case 'schemaDecl':
        return this.schemaDecl(cst);
      case 'sourceDecl':
        return this.sourceDecl(cst);
      case 'streamDecl':
        return this.streamDecl(cst);
      case 'aggregateDecl':
        return this.aggregateDecl(cst);
      case 'patternDecl':
        return this.patternDecl(cst);
      case 'emitDecl':
        return this.emitDecl(cst);
      default:
        return null;
    }
  }

  // ───────────────────────────── enums and schemas ─────────────────────────────

  private enumDecl(cst: CstNode): ast.EnumDecl {
    const span = nodeSpan(cst, startOfFile);
    const members = tokens(cst, 'members')
      .filter((member) => member.isInsertedInRecovery !== true)
      .map((member) => identifier(member, span.end));
    return { kind: 'EnumDecl', name: identifier(token(cst, 'name'), span.end), members, span };
  }

  private schemaDecl(cst: CstNode): ast.SchemaDecl {
    const span = nodeSpan(cst, startOfFile);
    return {
      kind: 'SchemaDecl',
      name: identifier(token(cst, 'name'), span.end),
      fields: this.fields(cst, span.end),
      span,
    };
  }

  private fields(cst: CstNode, fallback: Position): ast.FieldDecl[] {
    return nodes(cst, 'fields').map((field) => this.field(field, fallback));
  }

  private field(cst: CstNode, fallback: Position): ast.FieldDecl {
    const span = nodeSpan(cst, fallback);
    return {
      kind: 'FieldDecl',
      name: identifier(token(cst, 'name'), span.end),
      optional: realToken(cst, 'optional') !== null,
      type: this.type(node(cst, 'type'), span.end),
      span,
    };
  }

  /** `T`, `{ … }`, then one ListType per `[]`. */
  private type(cst: CstNode | null, fallback: Position): ast.TypeExpr | null {
    if (cst === null) return null;
    const nameToken = realToken(cst, 'name');
    const recordCst = node(cst, 'record');
    let type: ast.TypeExpr;
    if (nameToken !== null) {
      const name = identifier(nameToken, fallback);
      type = { kind: 'NamedType', name, span: name.span };
    } else if (recordCst !== null) {
      const span = nodeSpan(recordCst, fallback);
      type = { kind: 'RecordType', fields: this.fields(recordCst, span.end), span };
    } else {
      return null;
    }
    for (const close of tokens(cst, 'listClose')) {
      const end: Position = tokenSpan(close)?.end ?? type.span.end;
      type = { kind: 'ListType', element: type, span: { start: type.span.start, end } };
    }
    return type;
  }

  // ───────────────────────────── sources and connectors ─────────────────────────────

  private sourceDecl(cst: CstNode): ast.SourceDecl {
    const span = nodeSpan(cst, startOfFile);
    const clauses = nodes(cst, 'clauses')
      .map((clause) => this.sourceClause(node(clause, 'clause'), span.end))
      .filter((clause): clause is ast.SourceClause => clause !== null);
    return {
      kind: 'SourceDecl',
      name: identifier(token(cst, 'name'), span.end),
      schema: optionalIdentifier(token(cst, 'schema'), span.end),
      connector: this.connector(node(cst, 'connector'), span.end),
      clauses,
      span,
    };
  }

  private sourceClause(cst: CstNode | null, fallback: Position): ast.SourceClause | null {
    switch (cst?.name) {
      case 'keyByClause':
        return this.keyBy(cst, fallback);
      case 'eventTimeClause': {
        const span = nodeSpan(cst, fallback);
        return {
          kind: 'EventTimeClause',
          field: expression(node(cst, 'field'), span.end),
          watermark: durationLiteral(token(cst, 'watermark'), span.end),
          idle: durationLiteral(token(cst, 'idle'), span.end),
          span,
        };
      }
      case 'deadLetterClause': {
        const span = nodeSpan(cst, fallback);
        return { kind: 'DeadLetterClause', connector: this.connector(node(cst, 'connector'), span.end), span };
      }
      default:
        return null;
    }
  }

  private keyBy(cst: CstNode, fallback: Position): ast.KeyByClause {
    const span = nodeSpan(cst, fallback);
    return { kind: 'KeyByClause', key: expression(node(cst, 'key'), span.end), span };
  }

  private connector(cst: CstNode | null, fallback: Position): ast.ConnectorCall | null {
    const nameToken = realToken(cst, 'name');
    if (cst === null || nameToken === null) return null;
    const span = nodeSpan(cst, fallback);
    const args = nodes(cst, 'args').map((arg): ast.Argument => {
      const argSpan = nodeSpan(arg, span.end);
      return {
        kind: 'Argument',
        name: optionalIdentifier(token(arg, 'name'), argSpan.start),
        value: expression(node(arg, 'value'), argSpan.end),
        span: argSpan,
      };
    });
    return { kind: 'ConnectorCall', name: identifier(nameToken, span.start), args, span };
  }

  // ───────────────────────────── streams ─────────────────────────────

  private streamDecl(cst: CstNode): ast.StreamDecl {
    const span = nodeSpan(cst, startOfFile);
    const operations = nodes(cst, 'operations')
      .map((operation) => this.streamOperation(node(operation, 'clause'), span.end))
      .filter((operation): operation is ast.StreamOperation => operation !== null);
    return {
      kind: 'StreamDecl',
      name: identifier(token(cst, 'name'), span.end),
      input: this.streamInput(node(cst, 'input'), span.end),
      operations,
      span,
    };
  }

  private streamInput(cst: CstNode | null, fallback: Position): ast.StreamInput | null {
    const ref = this.streamRef(realToken(cst, 'ref'), fallback);
    if (ref !== null) return ref;
    const union = node(cst, 'union');
    if (union === null) return null;
    const span = nodeSpan(union, fallback);
    const inputs = tokens(union, 'inputs')
      .map((input) => this.streamRef(input, span.end))
      .filter((input): input is ast.StreamRef => input !== null);
    return { kind: 'UnionInput', inputs, span };
  }

  private streamRef(nameToken: IToken | null, fallback: Position): ast.StreamRef | null {
    const name = optionalIdentifier(nameToken, fallback);
    return name === null ? null : { kind: 'StreamRef', name, span: name.span };
  }

  private streamOperation(cst: CstNode | null, fallback: Position): ast.StreamOperation | null {
    switch (cst?.name) {
      case 'whereClause':
        return this.where(cst, fallback);
      case 'keyByClause':
        return this.keyBy(cst, fallback);
      case 'deriveClause': {
        const span = nodeSpan(cst, fallback);
        const fields = nodes(cst, 'fields').map((field): ast.Assignment => {
          const fieldSpan = nodeSpan(field, span.end);
          return {
            kind: 'Assignment',
            name: identifier(token(field, 'name'), fieldSpan.start),
            value: expression(node(field, 'value'), fieldSpan.end),
            span: fieldSpan,
          };
        });
        return { kind: 'DeriveClause', fields, span };
      }
      default:
        return null;
    }
  }

  private where(cst: CstNode, fallback: Position): ast.WhereClause {
    const span = nodeSpan(cst, fallback);
    return { kind: 'WhereClause', condition: expression(node(cst, 'condition'), span.end), span };
  }

  // ───────────────────────────── aggregates ─────────────────────────────

  private aggregateDecl(cst: CstNode): ast.AggregateDecl {
    const span = nodeSpan(cst, startOfFile);
    const clauses = nodes(cst, 'clauses')
      .map((clause) => this.aggregateClause(node(clause, 'clause'), span.end))
      .filter((clause): clause is ast.AggregateClause => clause !== null);
    return {
      kind: 'AggregateDecl',
      name: identifier(token(cst, 'name'), span.end),
      input: this.streamRef(token(cst, 'input'), span.end),
      clauses,
      span,
    };
  }

  private aggregateClause(cst: CstNode | null, fallback: Position): ast.AggregateClause | null {
    if (cst === null) return null;
    const span = nodeSpan(cst, fallback);
    switch (cst.name) {
      case 'whereClause':
        return this.where(cst, fallback);
      case 'windowClause': {
        const domain = realToken(cst, 'domain');
        const time: ast.TimeDomain | null =
          domain === null ? null : domain.tokenType === Kw.event ? 'event' : 'processing';
        return { kind: 'WindowClause', window: this.windowSpec(node(node(cst, 'spec'), 'spec'), span.end), time, span };
      }
      case 'groupByClause': {
        const keys = nodes(cst, 'keys').map((key): ast.GroupKey => {
          const keySpan = nodeSpan(key, span.end);
          return {
            kind: 'GroupKey',
            value: expression(node(key, 'value'), keySpan.start),
            alias: optionalIdentifier(token(key, 'alias'), keySpan.end),
            span: keySpan,
          };
        });
        return { kind: 'GroupByClause', keys, span };
      }
      case 'latenessClause':
        return { kind: 'LatenessClause', allowed: durationLiteral(token(cst, 'allowed'), span.end), span };
      case 'lateOutputClause':
        return { kind: 'LateOutputClause', connector: this.connector(node(cst, 'connector'), span.end), span };
      case 'emitEveryClause':
        return { kind: 'EmitEveryClause', interval: durationLiteral(token(cst, 'interval'), span.end), span };
      case 'havingClause':
        return { kind: 'HavingClause', condition: expression(node(cst, 'condition'), span.end), span };
      case 'alertClause':
        return this.alert(cst, fallback);
      case 'measureClause':
        return {
          kind: 'MeasureClause',
          name: identifier(token(cst, 'name'), span.start),
          value: expression(node(cst, 'value'), span.end),
          unit: stringLiteral(token(cst, 'unit'), span.end),
          span,
        };
      default:
        return null;
    }
  }

  private windowSpec(cst: CstNode | null, fallback: Position): ast.WindowSpec | null {
    if (cst === null) return null;
    const span = nodeSpan(cst, fallback);
    const duration = (label: string): ast.DurationLiteral | null => durationLiteral(token(cst, label), span.end);
    switch (cst.name) {
      case 'tumblingWindow':
        return { kind: 'TumblingWindowSpec', size: duration('size'), span };
      case 'slidingWindow':
        return { kind: 'SlidingWindowSpec', size: duration('size'), slide: duration('slide'), span };
      case 'sessionWindow':
        return { kind: 'SessionWindowSpec', gap: duration('gap'), until: expression(node(cst, 'until'), span.end), span };
      default:
        return null;
    }
  }

  private alert(cst: CstNode, fallback: Position): ast.AlertClause {
    const span = nodeSpan(cst, fallback);
    return {
      kind: 'AlertClause',
      alertType: optionalIdentifier(token(cst, 'alertType'), span.end),
      severity: optionalIdentifier(token(cst, 'severity'), span.end),
      title: templateString(token(cst, 'title'), span.end, this.problems),
      message: templateString(token(cst, 'message'), span.end, this.problems),
      span,
    };
  }

  // ───────────────────────────── patterns ─────────────────────────────

  private patternDecl(cst: CstNode): ast.PatternDecl {
    const span = nodeSpan(cst, startOfFile);
    const clauses = nodes(cst, 'clauses')
      .map((clause) => this.patternClause(node(clause, 'clause'), span.end))
      .filter((clause): clause is ast.PatternClause => clause !== null);
    return {
      kind: 'PatternDecl',
      name: identifier(token(cst, 'name'), span.end),
      input: this.streamRef(token(cst, 'input'), span.end),
      clauses,
      span,
    };
  }

  private patternClause(cst: CstNode | null, fallback: Position): ast.PatternClause | null {
    if (cst === null) return null;
    const span = nodeSpan(cst, fallback);
    switch (cst.name) {
      case 'keyByClause':
        return this.keyBy(cst, fallback);
      case 'withinClause':
        return { kind: 'WithinClause', duration: durationLiteral(token(cst, 'duration'), span.end), span };
      case 'matchClause':
        return { kind: 'MatchClause', steps: nodes(cst, 'steps').map((step) => this.step(step, span.end)), span };
      case 'alertClause':
        return this.alert(cst, fallback);
      default:
        return null;
    }
  }

  private step(cst: CstNode, fallback: Position): ast.PatternStep {
    const span = nodeSpan(cst, fallback);
    return {
      kind: 'PatternStep',
      negated: realToken(cst, 'negated') !== null,
      name: identifier(token(cst, 'name'), span.start),
      quantifier: this.quantifier(node(cst, 'quantifier'), span.end),
      condition: expression(node(cst, 'condition'), span.end),
      within: durationLiteral(token(cst, 'within'), span.end),
      span,
    };
  }

  /** `+` `*` `?` `{n}` `{n,}` `{n,m}`; bounds must be whole numbers with max ≥ min. */
  private quantifier(cst: CstNode | null, fallback: Position): ast.Quantifier | null {
    if (cst === null) return null;
    const span = nodeSpan(cst, fallback);
    const symbol = realToken(cst, 'symbol');
    if (symbol !== null) {
      const [min, max] = symbol.image === '+' ? [1, null] : symbol.image === '*' ? [0, null] : [0, 1];
      return { kind: 'Quantifier', min, max, span };
    }
    const minToken = realToken(cst, 'min');
    if (minToken === null) return null;
    const maxToken = realToken(cst, 'max');
    const bounded = realToken(cst, 'comma') === null;
    const valid =
      isIntegerText(minToken.image) &&
      (maxToken === null || (isIntegerText(maxToken.image) && Number(maxToken.image) >= Number(minToken.image)));
    if (!valid) {
      this.problems.push({
        kind: 'parser',
        code: 'quantifier_invalid',
        span,
        found: span.start.offset === span.end.offset ? '' : cstText(cst),
        expected: '',
        atEnd: false,
        misspelt: null,
        unclosed: null,
        keywordAsName: false,
        replacement: null,
      });
      return null;
    }
    const min = Number(minToken.image);
    const max = maxToken !== null ? Number(maxToken.image) : bounded ? min : null;
    return { kind: 'Quantifier', min, max, span };
  }

  // ───────────────────────────── emit ─────────────────────────────

  private emitDecl(cst: CstNode): ast.EmitDecl {
    const span = nodeSpan(cst, startOfFile);
    const inputs = tokens(cst, 'inputs')
      .map((input) => this.streamRef(input, span.end))
      .filter((input): input is ast.StreamRef => input !== null);
    return { kind: 'EmitDecl', inputs, connector: this.connector(node(cst, 'connector'), span.end), span };
  }
}

/** The text of a small CST node, rebuilt from its tokens (for messages). */
function cstText(cst: CstNode): string {
  const parts: { offset: number; image: string }[] = [];
  const collect = (current: CstNode): void => {
    for (const elements of Object.values(current.children)) {
      for (const element of elements) {
        if (isCstNode(element)) collect(element);
        else parts.push({ offset: element.startOffset, image: element.image });
      }
    }
  };
  collect(cst);
  return parts
    .sort((a, b) => a.offset - b.offset)
    .map((part) => part.image)
    .join('');
}
