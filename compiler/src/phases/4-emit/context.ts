// What every part of the emitter shares: the input, source positions, the type registry and the
// TypeScript type of each plan node's output.
import type * as ast from '../../../../dsl/src/ast.ts';
import type { AnalyzedProgram } from '../2-analyze/model.ts';
import type { PhysicalPlan, PlanNode } from '../3-plan/plan.ts';
import { flowFileName, sourceHash } from './header.ts';
import { commentText } from './naming.ts';
import { TypeRegistry } from './types.ts';

export interface EmitInput {
  readonly analyzed: AnalyzedProgram;
  readonly plan: PhysicalPlan;
  readonly sourceText: string;
  readonly sourcePath: string;
  readonly compilerVersion: string;
}

/** A bug in an earlier phase (or the emitter): input the emitter cannot turn into code. */
export class EmitError extends Error {
  constructor(message: string) {
    super(`flowc emit: ${message}`);
    this.name = 'EmitError';
  }
}

export class EmitContext {
  readonly analyzed: AnalyzedProgram;
  readonly plan: PhysicalPlan;
  readonly sourceText: string;
  readonly sourcePath: string;
  readonly compilerVersion: string;
  /** `website-analytics.flow` */
  readonly fileName: string;
  readonly hash: string;
  readonly types: TypeRegistry;
  readonly #nodes: ReadonlyMap<string, PlanNode>;

  constructor(input: EmitInput) {
    this.analyzed = input.analyzed;
    this.plan = input.plan;
    this.sourceText = input.sourceText;
    this.sourcePath = input.sourcePath;
    this.compilerVersion = input.compilerVersion;
    this.fileName = flowFileName(input.sourcePath);
    this.hash = sourceHash(input.sourceText);
    this.#nodes = new Map(input.plan.nodes.map((n) => [n.id, n]));
    this.types = new TypeRegistry(this);
  }

  node(id: string): PlanNode {
    const node = this.#nodes.get(id);
    if (node === undefined) throw new EmitError(`no plan node \`${id}\``);
    return node;
  }

  /** `website-analytics.flow:12:3` */
  location(span: ast.Span): string {
    return `${this.fileName}:${span.start.line}:${span.start.column}`;
  }

  /** The `.flow` text of a span on one line, for comments. */
  flowText(span: ast.Span): string {
    return commentText(this.sourceText.slice(span.start.offset, span.end.offset).replace(/\s+/g, ' ').trim());
  }

  /** The nodes feeding `id` through its main input, in edge order. */
  inputsOf(id: string): PlanNode[] {
    return this.plan.edges.filter((e) => e.to === id && e.output !== 'late').map((e) => this.node(e.from));
  }

  /** The single main input of `id`. */
  inputOf(id: string): PlanNode {
    const inputs = this.inputsOf(id);
    const first = inputs[0];
    if (first === undefined) throw new EmitError(`plan node \`${id}\` has no input`);
    return first;
  }

  /** The declaration a node belongs to (its `name`), when it is a stream-producing one. */
  declaration(name: string): ast.Declaration | undefined {
    return this.analyzed.program.declarations.find(
      (d) => d.kind !== 'EmitDecl' && d.kind !== 'EnumDecl' && d.kind !== 'SchemaDecl' && d.name.name === name,
    );
  }

  /** The checker's verdict on whether `expr` may be null; `undefined` when it did not type `expr`. */
  checkedNullable(expr: ast.Expr): boolean | undefined {
    return this.analyzed.types.has(expr) ? this.analyzed.nullable.has(expr) : undefined;
  }
}
