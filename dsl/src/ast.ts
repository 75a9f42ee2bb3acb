// The .flow abstract syntax tree. Every node carries the span of the text it came from, so every
// later phase (checker, planner, emitter) can point back at the source.
//
// Nodes built from recovered (partial) parses may miss children: such children are `null` here
// (or the list is shorter), never `undefined`, and consumers must tolerate that.

/** A point in a source file. `line` and `column` are 1-based; `offset` is a 0-based UTF-16 index. */
export interface Position {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

/** A half-open range of source text: `start` is the first character, `end` is one past the last. */
export interface Span {
  readonly start: Position;
  readonly end: Position;
}

interface NodeBase {
  readonly span: Span;
}

export interface Identifier extends NodeBase {
  readonly kind: 'Identifier';
  readonly name: string;
}

// ───────────────────────────── program and declarations ─────────────────────────────

export interface Program extends NodeBase {
  readonly kind: 'Program';
  /** The file path as given to the parser; diagnostics print it. */
  readonly file: string;
  /** `pipeline name`: optional; defaults to the file's base name. */
  readonly pipeline: Identifier | null;
  readonly declarations: readonly Declaration[];
}

export type Declaration =
  | EnumDecl
  | SchemaDecl
  | SourceDecl
  | StreamDecl
  | AggregateDecl
  | PatternDecl
  | EmitDecl;

/** `enum EventType { PAGE_VIEW, SESSION_START }` */
export interface EnumDecl extends NodeBase {
  readonly kind: 'EnumDecl';
  readonly name: Identifier;
  readonly members: readonly Identifier[];
}

/** `schema AnalyticsEvent { field: type  other?: type ... }` */
export interface SchemaDecl extends NodeBase {
  readonly kind: 'SchemaDecl';
  readonly name: Identifier;
  readonly fields: readonly FieldDecl[];
}

/** `name: type` or `name?: type` (optional: may be absent or null in an event). */
export interface FieldDecl extends NodeBase {
  readonly kind: 'FieldDecl';
  readonly name: Identifier;
  readonly optional: boolean;
  readonly type: TypeExpr | null;
}

export type TypeExpr = NamedType | RecordType | ListType;

/** `string`, `int`, `float`, `bool`, `timestamp`, `duration`, or the name of an enum or schema. */
export interface NamedType extends NodeBase {
  readonly kind: 'NamedType';
  readonly name: Identifier;
}

/** An inline nested record: `{ url: string  title?: string }` */
export interface RecordType extends NodeBase {
  readonly kind: 'RecordType';
  readonly fields: readonly FieldDecl[];
}

/** `T[]` */
export interface ListType extends NodeBase {
  readonly kind: 'ListType';
  readonly element: TypeExpr;
}

/**
 * `source events: AnalyticsEvent from kafka(topic: "t") { key by userId  event time timestamp
 *  watermark 5s idle 1m  dead letter to kafka(topic: "dlq") }`
 */
export interface SourceDecl extends NodeBase {
  readonly kind: 'SourceDecl';
  readonly name: Identifier;
  readonly schema: Identifier | null;
  readonly connector: ConnectorCall | null;
  readonly clauses: readonly SourceClause[];
}

export type SourceClause = KeyByClause | EventTimeClause | DeadLetterClause;

/** `key by expr` (sources, streams and patterns). */
export interface KeyByClause extends NodeBase {
  readonly kind: 'KeyByClause';
  readonly key: Expr | null;
}

/** `event time expr [watermark 5s] [idle 1m]`: bounded out-of-orderness and idle-partition timeout. */
export interface EventTimeClause extends NodeBase {
  readonly kind: 'EventTimeClause';
  readonly field: Expr | null;
  readonly watermark: DurationLiteral | null;
  readonly idle: DurationLiteral | null;
}

/** `dead letter to connector(...)` */
export interface DeadLetterClause extends NodeBase {
  readonly kind: 'DeadLetterClause';
  readonly connector: ConnectorCall | null;
}

/** A connector reference with arguments: `kafka(topic: "x", partitions: 12)`, `log()`. */
export interface ConnectorCall extends NodeBase {
  readonly kind: 'ConnectorCall';
  readonly name: Identifier;
  readonly args: readonly Argument[];
}

/** A positional (`name === null`) or named (`topic: "x"`) argument. */
export interface Argument extends NodeBase {
  readonly kind: 'Argument';
  readonly name: Identifier | null;
  readonly value: Expr | null;
}

/** `stream page_views = events where ... derive a = ..., b = ... key by ...` */
export interface StreamDecl extends NodeBase {
  readonly kind: 'StreamDecl';
  readonly name: Identifier;
  readonly input: StreamInput | null;
  readonly operations: readonly StreamOperation[];
}

/** `events` or `union(a, b, c)` */
export type StreamInput = StreamRef | UnionInput;

export interface StreamRef extends NodeBase {
  readonly kind: 'StreamRef';
  readonly name: Identifier;
}

export interface UnionInput extends NodeBase {
  readonly kind: 'UnionInput';
  readonly inputs: readonly StreamRef[];
}

export type StreamOperation = WhereClause | DeriveClause | KeyByClause;

/** `where expr` (streams and aggregates). */
export interface WhereClause extends NodeBase {
  readonly kind: 'WhereClause';
  readonly condition: Expr | null;
}

/** `derive a = expr, b = expr` */
export interface DeriveClause extends NodeBase {
  readonly kind: 'DeriveClause';
  readonly fields: readonly Assignment[];
}

export interface Assignment extends NodeBase {
  readonly kind: 'Assignment';
  readonly name: Identifier;
  readonly value: Expr | null;
}

/** `aggregate name from input { window ...  group by ...  measure = expr unit "u" ... }` */
export interface AggregateDecl extends NodeBase {
  readonly kind: 'AggregateDecl';
  readonly name: Identifier;
  readonly input: StreamRef | null;
  readonly clauses: readonly AggregateClause[];
}

export type AggregateClause =
  | WhereClause
  | WindowClause
  | GroupByClause
  | LatenessClause
  | LateOutputClause
  | EmitEveryClause
  | MeasureClause
  | HavingClause
  | AlertClause;

/** `window tumbling 5s`, `window sliding 1m every 10s`, `window session gap 30m [until expr]`, then `event time` / `processing time`. */
export interface WindowClause extends NodeBase {
  readonly kind: 'WindowClause';
  readonly window: WindowSpec | null;
  /** `null` when not written: event time if the input has event time, else processing time. */
  readonly time: TimeDomain | null;
}

export type TimeDomain = 'event' | 'processing';

export type WindowSpec = TumblingWindowSpec | SlidingWindowSpec | SessionWindowSpec;

export interface TumblingWindowSpec extends NodeBase {
  readonly kind: 'TumblingWindowSpec';
  readonly size: DurationLiteral | null;
}

export interface SlidingWindowSpec extends NodeBase {
  readonly kind: 'SlidingWindowSpec';
  readonly size: DurationLiteral | null;
  readonly slide: DurationLiteral | null;
}

export interface SessionWindowSpec extends NodeBase {
  readonly kind: 'SessionWindowSpec';
  readonly gap: DurationLiteral | null;
  /** `until expr`: an event matching it closes the session at once. */
  readonly until: Expr | null;
}

/** `group by expr [as name], ...` */
export interface GroupByClause extends NodeBase {
  readonly kind: 'GroupByClause';
  readonly keys: readonly GroupKey[];
}

export interface GroupKey extends NodeBase {
  readonly kind: 'GroupKey';
  readonly value: Expr | null;
  /** The output column name; without it the key must be a field path and its last segment names it. */
  readonly alias: Identifier | null;
}

/** `lateness 1m`: allowed lateness; late events within it update and re-emit the window. */
export interface LatenessClause extends NodeBase {
  readonly kind: 'LatenessClause';
  readonly allowed: DurationLiteral | null;
}

/** `late to connector(...)`: events later than the allowed lateness go there instead of being dropped. */
export interface LateOutputClause extends NodeBase {
  readonly kind: 'LateOutputClause';
  readonly connector: ConnectorCall | null;
}

/** `emit every 1s`: early firings of a still-open window. */
export interface EmitEveryClause extends NodeBase {
  readonly kind: 'EmitEveryClause';
  readonly interval: DurationLiteral | null;
}

/** `name = expr [unit "u"]`: one output column, an expression over aggregate calls and group keys. */
export interface MeasureClause extends NodeBase {
  readonly kind: 'MeasureClause';
  readonly name: Identifier;
  readonly value: Expr | null;
  readonly unit: StringLiteral | null;
}

/** `having expr`: only rows for which it holds are emitted. */
export interface HavingClause extends NodeBase {
  readonly kind: 'HavingClause';
  readonly condition: Expr | null;
}

/** `alert TYPE severity level [title "..."] message "... {path} ..."` (aggregates and patterns). */
export interface AlertClause extends NodeBase {
  readonly kind: 'AlertClause';
  readonly alertType: Identifier | null;
  /** `low`, `medium`, `high` or `critical`; checked by the checker. */
  readonly severity: Identifier | null;
  readonly title: TemplateString | null;
  readonly message: TemplateString | null;
}

/** `pattern name from input { key by expr  within 1h  match a: cond -> not b: cond within 30m  alert ... }` */
export interface PatternDecl extends NodeBase {
  readonly kind: 'PatternDecl';
  readonly name: Identifier;
  readonly input: StreamRef | null;
  readonly clauses: readonly PatternClause[];
}

export type PatternClause = KeyByClause | WithinClause | MatchClause | AlertClause;

/** `within 10m`: the whole match must complete within this time of its first step. */
export interface WithinClause extends NodeBase {
  readonly kind: 'WithinClause';
  readonly duration: DurationLiteral | null;
}

/** `match step -> step -> ...` */
export interface MatchClause extends NodeBase {
  readonly kind: 'MatchClause';
  readonly steps: readonly PatternStep[];
}

/**
 * `[not] name[quantifier]: condition [within d]`. A negated step is an absence: the match
 * completes when no event satisfies it within `within` of the previous step.
 */
export interface PatternStep extends NodeBase {
  readonly kind: 'PatternStep';
  readonly negated: boolean;
  readonly name: Identifier;
  readonly quantifier: Quantifier | null;
  readonly condition: Expr | null;
  readonly within: DurationLiteral | null;
}

/** `+` = {1,∞}, `*` = {0,∞}, `?` = {0,1}, `{n}`, `{n,}`, `{n,m}`. `max === null` means unbounded. */
export interface Quantifier extends NodeBase {
  readonly kind: 'Quantifier';
  readonly min: number;
  readonly max: number | null;
}

/** `emit a, b to connector(...)` */
export interface EmitDecl extends NodeBase {
  readonly kind: 'EmitDecl';
  readonly inputs: readonly StreamRef[];
  readonly connector: ConnectorCall | null;
}

// ───────────────────────────── expressions ─────────────────────────────

export type Expr =
  | NumberLiteral
  | StringLiteral
  | TemplateString
  | BooleanLiteral
  | NullLiteral
  | DurationLiteral
  | ListLiteral
  | NameExpr
  | MemberExpr
  | CallExpr
  | UnaryExpr
  | BinaryExpr;

export interface NumberLiteral extends NodeBase {
  readonly kind: 'NumberLiteral';
  readonly value: number;
  /** Written without a decimal point or exponent: typed `int`, else `float`. */
  readonly integer: boolean;
}

export interface StringLiteral extends NodeBase {
  readonly kind: 'StringLiteral';
  readonly value: string;
}

/**
 * A string with `{path}` holes (alert messages and titles). `parts` alternate literal text and
 * field paths; holes hold only names and member access (`{checkout.userId}`).
 */
export interface TemplateString extends NodeBase {
  readonly kind: 'TemplateString';
  readonly parts: readonly (string | Expr)[];
}

export interface BooleanLiteral extends NodeBase {
  readonly kind: 'BooleanLiteral';
  readonly value: boolean;
}

export interface NullLiteral extends NodeBase {
  readonly kind: 'NullLiteral';
}

/** `500ms`, `5s`, `30m`, `1h`, `1d`. */
export interface DurationLiteral extends NodeBase {
  readonly kind: 'DurationLiteral';
  readonly millis: number;
  /** As written, for messages and generated comments. */
  readonly text: string;
}

export interface ListLiteral extends NodeBase {
  readonly kind: 'ListLiteral';
  readonly elements: readonly Expr[];
}

/** A bare name: a field of the current record, a group key, a pattern step, or an enum member. */
export interface NameExpr extends NodeBase {
  readonly kind: 'NameExpr';
  readonly name: string;
}

/** `object.property` or `object?.property` */
export interface MemberExpr extends NodeBase {
  readonly kind: 'MemberExpr';
  readonly object: Expr;
  readonly property: Identifier;
  readonly optional: boolean;
}

/** `f(a, b)`, and for aggregates `count(where cond)` / `sum(x where cond)`: `filter` is the `where` part. */
export interface CallExpr extends NodeBase {
  readonly kind: 'CallExpr';
  readonly callee: Identifier;
  readonly args: readonly Expr[];
  readonly filter: Expr | null;
}

export type UnaryOperator = '-' | 'not';

export interface UnaryExpr extends NodeBase {
  readonly kind: 'UnaryExpr';
  readonly operator: UnaryOperator;
  readonly operand: Expr | null;
}

/** Lowest to highest precedence: or · and · comparison (== != < <= > >= in, starts with, contains) · ?? · + - · * / % */
export type BinaryOperator =
  | 'or'
  | 'and'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'in'
  | 'starts with'
  | 'contains'
  | '??'
  | '+'
  | '-'
  | '*'
  | '/'
  | '%';

export interface BinaryExpr extends NodeBase {
  readonly kind: 'BinaryExpr';
  readonly operator: BinaryOperator;
  readonly left: Expr | null;
  readonly right: Expr | null;
}

export type Node =
  | Program
  | Declaration
  | Identifier
  | FieldDecl
  | TypeExpr
  | SourceClause
  | ConnectorCall
  | Argument
  | StreamInput
  | StreamOperation
  | Assignment
  | AggregateClause
  | WindowSpec
  | GroupKey
  | PatternClause
  | PatternStep
  | Quantifier
  | Expr;
