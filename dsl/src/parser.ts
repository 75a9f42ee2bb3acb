// The .flow grammar (docs/grammar.md) as a Chevrotain CstParser. Grammar only: the tree it builds
// is a concrete syntax tree, turned into the AST by to-ast.ts. Error recovery is on, so one run
// reports every syntax error of a file and still returns a (partial) tree.
//
// Children are LABELled by their role (`name`, `operands`, `clauses`, …) so to-ast.ts reads them
// by meaning rather than by token type.
import { createTokenInstance, CstParser, type IToken, type TokenType } from 'chevrotain';
import { errorMessageProvider } from './expected.ts';
import { allTokens } from './lexer.ts';
import {
  AdditiveOperator,
  Arrow,
  Colon,
  Comma,
  ComparisonOperator,
  declarationKeywords,
  Duration,
  Equals,
  FieldName,
  Identifier,
  Kw,
  LBrace,
  LBracket,
  LParen,
  MemberAccess,
  Minus,
  MultiplicativeOperator,
  NumberLiteral,
  Plus,
  Question,
  QuestionQuestion,
  RBrace,
  RBracket,
  RParen,
  Star,
  StringLiteral,
} from './tokens.ts';

const declarationKeywordTokens = new Set<TokenType>(declarationKeywords.map((word) => Kw[word]));

export class FlowParser extends CstParser {
  constructor() {
    super(allTokens, {
      recoveryEnabled: true,
      nodeLocationTracking: 'full',
      maxLookahead: 3,
      errorMessageProvider,
    });
    this.performSelfAnalysis();
  }

  /**
   * Tokens inserted by single-token-insertion recovery have no position in Chevrotain; place them,
   * zero-width, right after the previous token so every AST node keeps a real span.
   */
  protected override getTokenToInsert(tokType: TokenType): IToken {
    const previous = this.LA(0);
    const offset = Number.isFinite(previous.endOffset) ? (previous.endOffset ?? -1) : -1;
    const line = Number.isFinite(previous.endLine) ? (previous.endLine ?? 1) : 1;
    const column = Number.isFinite(previous.endColumn) ? (previous.endColumn ?? 0) : 0;
    const token = createTokenInstance(tokType, '', offset + 1, offset, line, line, column + 1, column);
    token.isInsertedInRecovery = true;
    return token;
  }

  /** `emit every …` is an aggregate clause: it never starts a top-level `emit` declaration. */
  private atEarlyFiring(): boolean {
    return this.LA(1).tokenType === Kw.emit && this.LA(2).tokenType === Kw.every;
  }

  /** Inside an aggregate block, `emit` followed by anything but `every` is the next (top-level) declaration: the block's `}` is missing. */
  private atEmitDeclaration(): boolean {
    return this.LA(1).tokenType === Kw.emit && this.LA(2).tokenType !== Kw.every;
  }

  /**
   * Field names may be keywords, so a schema whose `}` is missing would read the next declaration
   * as a field. A declaration keyword not followed by `:` or `?` (`source events: …`, not
   * `source: string`) starts the next declaration instead.
   */
  private atDeclaration(): boolean {
    const next = this.LA(2).tokenType;
    return declarationKeywordTokens.has(this.LA(1).tokenType) && next !== Colon && next !== Question;
  }

  // ───────────────────────────── program and declarations ─────────────────────────────

  program = this.RULE('program', () => {
    this.OPTION(() => {
      this.CONSUME(Kw.pipeline);
      this.CONSUME(Identifier, { LABEL: 'name' });
    });
    this.MANY({
      GATE: () => !this.atEarlyFiring(),
      DEF: () => this.SUBRULE(this.declaration, { LABEL: 'declarations' }),
    });
  });

  declaration = this.RULE('declaration', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.enumDecl) },
      { ALT: () => this.SUBRULE(this.schemaDecl) },
      { ALT: () => this.SUBRULE(this.sourceDecl) },
      { ALT: () => this.SUBRULE(this.streamDecl) },
      { ALT: () => this.SUBRULE(this.aggregateDecl) },
      { ALT: () => this.SUBRULE(this.patternDecl) },
      { ALT: () => this.SUBRULE(this.emitDecl) },
    ]);
  });

  enumDecl = this.RULE('enumDecl', () => {
    this.CONSUME(Kw.enum);
    this.CONSUME(Identifier, { LABEL: 'name' });
    this.CONSUME(LBrace);
    this.CONSUME2(Identifier, { LABEL: 'members' });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.CONSUME3(Identifier, { LABEL: 'members' });
    });
    this.OPTION(() => this.CONSUME2(Comma));
    this.CONSUME(RBrace);
  });

  schemaDecl = this.RULE('schemaDecl', () => {
    this.CONSUME(Kw.schema);
    this.CONSUME(Identifier, { LABEL: 'name' });
    this.CONSUME(LBrace);
    this.MANY({ GATE: () => !this.atDeclaration(), DEF: () => this.SUBRULE(this.fieldDecl, { LABEL: 'fields' }) });
    this.CONSUME(RBrace);
  });

  fieldDecl = this.RULE('fieldDecl', () => {
    this.CONSUME(FieldName, { LABEL: 'name' });
    this.OPTION(() => this.CONSUME(Question, { LABEL: 'optional' }));
    this.CONSUME(Colon);
    this.SUBRULE(this.typeExpr, { LABEL: 'type' });
    this.OPTION2(() => this.CONSUME(Comma));
  });

  typeExpr = this.RULE('typeExpr', () => {
    this.OR([
      { ALT: () => this.CONSUME(Identifier, { LABEL: 'name' }) },
      { ALT: () => this.SUBRULE(this.recordType, { LABEL: 'record' }) },
    ]);
    this.MANY(() => {
      this.CONSUME(LBracket);
      this.CONSUME(RBracket, { LABEL: 'listClose' });
    });
  });

  recordType = this.RULE('recordType', () => {
    this.CONSUME(LBrace);
    this.MANY({ GATE: () => !this.atDeclaration(), DEF: () => this.SUBRULE(this.fieldDecl, { LABEL: 'fields' }) });
    this.CONSUME(RBrace);
  });

  sourceDecl = this.RULE('sourceDecl', () => {
    this.CONSUME(Kw.source);
    this.CONSUME(Identifier, { LABEL: 'name' });
    this.CONSUME(Colon);
    this.CONSUME2(Identifier, { LABEL: 'schema' });
    this.CONSUME(Kw.from);
    this.SUBRULE(this.connector, { LABEL: 'connector' });
    this.OPTION(() => {
      this.CONSUME(LBrace);
      this.MANY(() => this.SUBRULE(this.sourceClause, { LABEL: 'clauses' }));
      this.CONSUME(RBrace);
    });
  });

  sourceClause = this.RULE('sourceClause', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.keyByClause, { LABEL: 'clause' }) },
      { ALT: () => this.SUBRULE(this.eventTimeClause, { LABEL: 'clause' }) },
      { ALT: () => this.SUBRULE(this.deadLetterClause, { LABEL: 'clause' }) },
    ]);
  });

  keyByClause = this.RULE('keyByClause', () => {
    this.CONSUME(Kw.key);
    this.CONSUME(Kw.by);
    this.SUBRULE(this.expression, { LABEL: 'key' });
  });

  eventTimeClause = this.RULE('eventTimeClause', () => {
    this.CONSUME(Kw.event);
    this.CONSUME(Kw.time);
    this.SUBRULE(this.expression, { LABEL: 'field' });
    this.OPTION(() => {
      this.CONSUME(Kw.watermark);
      this.CONSUME(Duration, { LABEL: 'watermark' });
    });
    this.OPTION2(() => {
      this.CONSUME(Kw.idle);
      this.CONSUME2(Duration, { LABEL: 'idle' });
    });
  });

  deadLetterClause = this.RULE('deadLetterClause', () => {
    this.CONSUME(Kw.dead);
    this.CONSUME(Kw.letter);
    this.CONSUME(Kw.to);
    this.SUBRULE(this.connector, { LABEL: 'connector' });
  });

  connector = this.RULE('connector', () => {
    this.CONSUME(Identifier, { LABEL: 'name' });
    this.CONSUME(LParen);
    this.OPTION(() => {
      this.SUBRULE(this.argument, { LABEL: 'args' });
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.argument, { LABEL: 'args' });
      });
    });
    this.CONSUME(RParen);
  });

  argument = this.RULE('argument', () => {
    this.OPTION(() => {
      this.CONSUME(Identifier, { LABEL: 'name' });
      this.CONSUME(Colon);
    });
    this.SUBRULE(this.expression, { LABEL: 'value' });
  });

  streamDecl = this.RULE('streamDecl', () => {
    this.CONSUME(Kw.stream);
    this.CONSUME(Identifier, { LABEL: 'name' });
    this.CONSUME(Equals);
    this.SUBRULE(this.streamInput, { LABEL: 'input' });
    this.MANY(() => this.SUBRULE(this.streamOperation, { LABEL: 'operations' }));
  });

  streamInput = this.RULE('streamInput', () => {
    this.OR([
      { ALT: () => this.CONSUME(Identifier, { LABEL: 'ref' }) },
      { ALT: () => this.SUBRULE(this.unionInput, { LABEL: 'union' }) },
    ]);
  });

  unionInput = this.RULE('unionInput', () => {
    this.CONSUME(Kw.union);
    this.CONSUME(LParen);
    this.CONSUME(Identifier, { LABEL: 'inputs' });
    this.AT_LEAST_ONE(() => {
      this.CONSUME(Comma);
      this.CONSUME2(Identifier, { LABEL: 'inputs' });
    });
    this.CONSUME(RParen);
  });

  streamOperation = this.RULE('streamOperation', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.whereClause, { LABEL: 'clause' }) },
      { ALT: () => this.SUBRULE(this.deriveClause, { LABEL: 'clause' }) },
      { ALT: () => this.SUBRULE(this.keyByClause, { LABEL: 'clause' }) },
    ]);
  });

  whereClause = this.RULE('whereClause', () => {
    this.CONSUME(Kw.where);
    this.SUBRULE(this.expression, { LABEL: 'condition' });
  });

  deriveClause = this.RULE('deriveClause', () => {
    this.CONSUME(Kw.derive);
    this.SUBRULE(this.assignment, { LABEL: 'fields' });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.assignment, { LABEL: 'fields' });
    });
  });

  assignment = this.RULE('assignment', () => {
    this.CONSUME(Identifier, { LABEL: 'name' });
    this.CONSUME(Equals);
    this.SUBRULE(this.expression, { LABEL: 'value' });
  });

  aggregateDecl = this.RULE('aggregateDecl', () => {
    this.CONSUME(Kw.aggregate);
    this.CONSUME(Identifier, { LABEL: 'name' });
    this.CONSUME(Kw.from);
    this.CONSUME2(Identifier, { LABEL: 'input' });
    this.CONSUME(LBrace);
    this.MANY({
      GATE: () => !this.atEmitDeclaration(),
      DEF: () => this.SUBRULE(this.aggregateClause, { LABEL: 'clauses' }),
    });
    this.CONSUME(RBrace);
  });

  aggregateClause = this.RULE('aggregateClause', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.whereClause, { LABEL: 'clause' }) },
      { ALT: () => this.SUBRULE(this.windowClause, { LABEL: 'clause' }) },
      { ALT: () => this.SUBRULE(this.groupByClause, { LABEL: 'clause' }) },
      { ALT: () => this.SUBRULE(this.latenessClause, { LABEL: 'clause' }) },
      { ALT: () => this.SUBRULE(this.lateOutputClause, { LABEL: 'clause' }) },
      { ALT: () => this.SUBRULE(this.emitEveryClause, { LABEL: 'clause' }) },
      { ALT: () => this.SUBRULE(this.havingClause, { LABEL: 'clause' }) },
      { ALT: () => this.SUBRULE(this.alertClause, { LABEL: 'clause' }) },
      { ALT: () => this.SUBRULE(this.measureClause, { LABEL: 'clause' }) },
    ]);
  });

  windowClause = this.RULE('windowClause', () => {
    this.CONSUME(Kw.window);
    this.SUBRULE(this.windowSpec, { LABEL: 'spec' });
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(Kw.event, { LABEL: 'domain' }) },
        { ALT: () => this.CONSUME(Kw.processing, { LABEL: 'domain' }) },
      ]);
      this.CONSUME(Kw.time);
    });
  });

  windowSpec = this.RULE('windowSpec', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.tumblingWindow, { LABEL: 'spec' }) },
      { ALT: () => this.SUBRULE(this.slidingWindow, { LABEL: 'spec' }) },
      { ALT: () => this.SUBRULE(this.sessionWindow, { LABEL: 'spec' }) },
    ]);
  });

  tumblingWindow = this.RULE('tumblingWindow', () => {
    this.CONSUME(Kw.tumbling);
    this.CONSUME(Duration, { LABEL: 'size' });
  });

  slidingWindow = this.RULE('slidingWindow', () => {
    this.CONSUME(Kw.sliding);
    this.CONSUME(Duration, { LABEL: 'size' });
    this.CONSUME(Kw.every);
    this.CONSUME2(Duration, { LABEL: 'slide' });
  });

  sessionWindow = this.RULE('sessionWindow', () => {
    this.CONSUME(Kw.session);
    this.CONSUME(Kw.gap);
    this.CONSUME(Duration, { LABEL: 'gap' });
    this.OPTION(() => {
      this.CONSUME(Kw.until);
      this.SUBRULE(this.expression, { LABEL: 'until' });
    });
  });

  groupByClause = this.RULE('groupByClause', () => {
    this.CONSUME(Kw.group);
    this.CONSUME(Kw.by);
    this.SUBRULE(this.groupKey, { LABEL: 'keys' });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.groupKey, { LABEL: 'keys' });
    });
  });

  groupKey = this.RULE('groupKey', () => {
    this.SUBRULE(this.expression, { LABEL: 'value' });
    this.OPTION(() => {
      this.CONSUME(Kw.as);
      this.CONSUME(Identifier, { LABEL: 'alias' });
    });
  });

  latenessClause = this.RULE('latenessClause', () => {
    this.CONSUME(Kw.lateness);
    this.CONSUME(Duration, { LABEL: 'allowed' });
  });

  lateOutputClause = this.RULE('lateOutputClause', () => {
    this.CONSUME(Kw.late);
    this.CONSUME(Kw.to);
    this.SUBRULE(this.connector, { LABEL: 'connector' });
  });

  emitEveryClause = this.RULE('emitEveryClause', () => {
    this.CONSUME(Kw.emit);
    this.CONSUME(Kw.every);
    this.CONSUME(Duration, { LABEL: 'interval' });
  });

  havingClause = this.RULE('havingClause', () => {
    this.CONSUME(Kw.having);
    this.SUBRULE(this.expression, { LABEL: 'condition' });
  });

  alertClause = this.RULE('alertClause', () => {
    this.CONSUME(Kw.alert);
    this.CONSUME(Identifier, { LABEL: 'alertType' });
    this.CONSUME(Kw.severity);
    this.CONSUME2(Identifier, { LABEL: 'severity' });
    this.OPTION(() => {
      this.CONSUME(Kw.title);
      this.CONSUME(StringLiteral, { LABEL: 'title' });
    });
    this.CONSUME(Kw.message);
    this.CONSUME2(StringLiteral, { LABEL: 'message' });
  });

  measureClause = this.RULE('measureClause', () => {
    this.CONSUME(Identifier, { LABEL: 'name' });
    this.CONSUME(Equals);
    this.SUBRULE(this.expression, { LABEL: 'value' });
    this.OPTION(() => {
      this.CONSUME(Kw.unit);
      this.CONSUME(StringLiteral, { LABEL: 'unit' });
    });
  });

  patternDecl = this.RULE('patternDecl', () => {
    this.CONSUME(Kw.pattern);
    this.CONSUME(Identifier, { LABEL: 'name' });
    this.CONSUME(Kw.from);
    this.CONSUME2(Identifier, { LABEL: 'input' });
    this.CONSUME(LBrace);
    this.MANY(() => this.SUBRULE(this.patternClause, { LABEL: 'clauses' }));
    this.CONSUME(RBrace);
  });

  patternClause = this.RULE('patternClause', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.keyByClause, { LABEL: 'clause' }) },
      { ALT: () => this.SUBRULE(this.withinClause, { LABEL: 'clause' }) },
      { ALT: () => this.SUBRULE(this.matchClause, { LABEL: 'clause' }) },
      { ALT: () => this.SUBRULE(this.alertClause, { LABEL: 'clause' }) },
    ]);
  });

  withinClause = this.RULE('withinClause', () => {
    this.CONSUME(Kw.within);
    this.CONSUME(Duration, { LABEL: 'duration' });
  });

  matchClause = this.RULE('matchClause', () => {
    this.CONSUME(Kw.match);
    this.SUBRULE(this.patternStep, { LABEL: 'steps' });
    this.MANY(() => {
      this.CONSUME(Arrow);
      this.SUBRULE2(this.patternStep, { LABEL: 'steps' });
    });
  });

  // A `within d` right after a step's condition always belongs to that step (the OPTION is
  // greedy); a pattern-wide `within` clause therefore goes before the `match` clause.
  patternStep = this.RULE('patternStep', () => {
    this.OPTION(() => this.CONSUME(Kw.not, { LABEL: 'negated' }));
    this.CONSUME(Identifier, { LABEL: 'name' });
    this.OPTION2(() => this.SUBRULE(this.quantifier, { LABEL: 'quantifier' }));
    this.CONSUME(Colon);
    this.SUBRULE(this.expression, { LABEL: 'condition' });
    this.OPTION3(() => {
      this.CONSUME(Kw.within);
      this.CONSUME(Duration, { LABEL: 'within' });
    });
  });

  quantifier = this.RULE('quantifier', () => {
    this.OR([
      { ALT: () => this.CONSUME(Plus, { LABEL: 'symbol' }) },
      { ALT: () => this.CONSUME(Star, { LABEL: 'symbol' }) },
      { ALT: () => this.CONSUME(Question, { LABEL: 'symbol' }) },
      {
        ALT: () => {
          this.CONSUME(LBrace);
          this.CONSUME(NumberLiteral, { LABEL: 'min' });
          this.OPTION(() => {
            this.CONSUME(Comma, { LABEL: 'comma' });
            this.OPTION2(() => this.CONSUME2(NumberLiteral, { LABEL: 'max' }));
          });
          this.CONSUME(RBrace);
        },
      },
    ]);
  });

  emitDecl = this.RULE('emitDecl', () => {
    this.CONSUME(Kw.emit);
    this.CONSUME(Identifier, { LABEL: 'inputs' });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.CONSUME2(Identifier, { LABEL: 'inputs' });
    });
    this.CONSUME(Kw.to);
    this.SUBRULE(this.connector, { LABEL: 'connector' });
  });

  // ───────────────────────────── expressions ─────────────────────────────
  // One rule per precedence level, lowest first. Binary levels collect `operands` and `operators`
  // in source order; to-ast.ts folds them left-associatively.

  expression = this.RULE('expression', () => {
    this.SUBRULE(this.orExpr, { LABEL: 'value' });
  });

  orExpr = this.RULE('orExpr', () => {
    this.SUBRULE(this.andExpr, { LABEL: 'operands' });
    this.MANY(() => {
      this.CONSUME(Kw.or, { LABEL: 'operators' });
      this.SUBRULE2(this.andExpr, { LABEL: 'operands' });
    });
  });

  andExpr = this.RULE('andExpr', () => {
    this.SUBRULE(this.notExpr, { LABEL: 'operands' });
    this.MANY(() => {
      this.CONSUME(Kw.and, { LABEL: 'operators' });
      this.SUBRULE2(this.notExpr, { LABEL: 'operands' });
    });
  });

  notExpr = this.RULE('notExpr', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(Kw.not, { LABEL: 'operator' });
          this.SUBRULE(this.notExpr, { LABEL: 'operand' });
        },
      },
      { ALT: () => this.SUBRULE(this.comparison, { LABEL: 'operand' }) },
    ]);
  });

  // Comparisons do not chain: `a < b < c` is a syntax error, not `(a < b) < c`.
  comparison = this.RULE('comparison', () => {
    this.SUBRULE(this.coalesce, { LABEL: 'operands' });
    this.OPTION(() => {
      this.SUBRULE(this.comparisonOperator, { LABEL: 'operator' });
      this.SUBRULE2(this.coalesce, { LABEL: 'operands' });
    });
  });

  comparisonOperator = this.RULE('comparisonOperator', () => {
    this.OR([
      { ALT: () => this.CONSUME(ComparisonOperator, { LABEL: 'words' }) },
      {
        ALT: () => {
          this.CONSUME(Kw.starts, { LABEL: 'words' });
          this.CONSUME(Kw.with, { LABEL: 'words' });
        },
      },
    ]);
  });

  coalesce = this.RULE('coalesce', () => {
    this.SUBRULE(this.additive, { LABEL: 'operands' });
    this.MANY(() => {
      this.CONSUME(QuestionQuestion, { LABEL: 'operators' });
      this.SUBRULE2(this.additive, { LABEL: 'operands' });
    });
  });

  additive = this.RULE('additive', () => {
    this.SUBRULE(this.multiplicative, { LABEL: 'operands' });
    this.MANY(() => {
      this.CONSUME(AdditiveOperator, { LABEL: 'operators' });
      this.SUBRULE2(this.multiplicative, { LABEL: 'operands' });
    });
  });

  multiplicative = this.RULE('multiplicative', () => {
    this.SUBRULE(this.unary, { LABEL: 'operands' });
    this.MANY(() => {
      this.CONSUME(MultiplicativeOperator, { LABEL: 'operators' });
      this.SUBRULE2(this.unary, { LABEL: 'operands' });
    });
  });

  unary = this.RULE('unary', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(Minus, { LABEL: 'operator' });
          this.SUBRULE(this.unary, { LABEL: 'operand' });
        },
      },
      { ALT: () => this.SUBRULE(this.postfix, { LABEL: 'operand' }) },
    ]);
  });

  postfix = this.RULE('postfix', () => {
    this.SUBRULE(this.primary, { LABEL: 'object' });
    this.MANY(() => {
      this.CONSUME(MemberAccess, { LABEL: 'accessors' });
      this.CONSUME(FieldName, { LABEL: 'properties' });
    });
  });

  primary = this.RULE('primary', () => {
    this.OR([
      { ALT: () => this.CONSUME(NumberLiteral, { LABEL: 'number' }) },
      { ALT: () => this.CONSUME(Duration, { LABEL: 'duration' }) },
      { ALT: () => this.CONSUME(StringLiteral, { LABEL: 'string' }) },
      { ALT: () => this.CONSUME(Kw.true, { LABEL: 'boolean' }) },
      { ALT: () => this.CONSUME(Kw.false, { LABEL: 'boolean' }) },
      { ALT: () => this.CONSUME(Kw.null, { LABEL: 'null' }) },
      { ALT: () => this.SUBRULE(this.listLiteral, { LABEL: 'list' }) },
      { ALT: () => this.SUBRULE(this.callExpr, { LABEL: 'call' }) },
      { ALT: () => this.CONSUME(Identifier, { LABEL: 'name' }) },
      { ALT: () => this.SUBRULE(this.parenExpr, { LABEL: 'parenthesized' }) },
    ]);
  });

  listLiteral = this.RULE('listLiteral', () => {
    this.CONSUME(LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.expression, { LABEL: 'elements' });
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.expression, { LABEL: 'elements' });
      });
    });
    this.CONSUME(RBracket);
  });

  callExpr = this.RULE('callExpr', () => {
    this.CONSUME(Identifier, { LABEL: 'callee' });
    this.CONSUME(LParen);
    this.OPTION(() => {
      this.SUBRULE(this.expression, { LABEL: 'args' });
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.expression, { LABEL: 'args' });
      });
    });
    this.OPTION2(() => {
      this.CONSUME(Kw.where);
      this.SUBRULE3(this.expression, { LABEL: 'filter' });
    });
    this.CONSUME(RParen);
  });

  parenExpr = this.RULE('parenExpr', () => {
    this.CONSUME(LParen);
    this.SUBRULE(this.expression, { LABEL: 'inner' });
    this.CONSUME(RParen);
  });
}

/** Built once: Chevrotain's grammar analysis is the expensive part. Reset per parse via `input`. */
export const flowParser = new FlowParser();
