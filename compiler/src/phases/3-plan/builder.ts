// The mutable state of one planning run: nodes and edges so far, where each declared stream ends
// up, which repartition topics exist, and the diagnostics. The lower/*.ts files add to it, one
// declaration at a time, in dependency order.
import type * as ast from '../../../../dsl/src/ast.ts';
import { DiagnosticBag } from '../../diagnostics/report.ts';
import type { AnalyzedProgram } from '../2-analyze/model.ts';
import type { RecordType, Type } from '../2-analyze/types.ts';
import { IdAllocator, slug, topicName } from './naming.ts';
import { hashed, satisfies, type Partitioning } from './partitioning.ts';
import type {
  DeclarationPlan,
  EdgePartitioning,
  Parallelism,
  PlanEdge,
  PlanNode,
  RenderedExpr,
  RepartitionNode,
} from './plan.ts';
import { describePartitioning } from './partitioning.ts';
import { rootNames } from './render-expr.ts';

/** Where a declared stream's records come out, and how they are spread. */
export interface StreamEnd {
  /** The node emitting the stream's records. */
  readonly node: string;
  /** The declaration that node belongs to. */
  readonly owner: string;
  /** The declared stream these records are (an aggregate's `where` output is still its input stream). */
  readonly stream: string;
  readonly partitioning: Partitioning;
  /** Partition count when known (from the source connector's `partitions:`). */
  readonly partitions: number | null;
  /** The key set by `key by` (or an aggregate's group keys), which keyed consumers default to. */
  readonly logicalKey: readonly RenderedExpr[] | null;
  readonly eventTime: boolean;
  /** Largest watermark delay of the sources feeding the stream (0 without event time). */
  readonly watermarkMs: number;
  readonly record: RecordType | null;
  /** The stream is another aggregate's rows: keyed changes (insert, update, delete), not new facts. */
  readonly updates: boolean;
}

export function parallelismOf(partitioning: Partitioning): Parallelism {
  return partitioning.kind === 'single' ? 'single' : 'partitioned';
}

/** Where a keyed operator reads from: its upstream node and the edge partitioning. */
export interface KeyedInput {
  readonly from: string;
  readonly partitioning: EdgePartitioning;
  /** How the operator's input is partitioned after the (possible) shuffle. */
  readonly consumed: Partitioning;
}

export class PlanBuilder {
  readonly nodes: PlanNode[] = [];
  readonly edges: PlanEdge[] = [];
  readonly ends = new Map<string, StreamEnd>();
  readonly declarations: DeclarationPlan[] = [];
  readonly diagnostics: DiagnosticBag;
  private readonly ids = new IdAllocator();
  private readonly repartitions = new Map<string, RepartitionNode>();
  private current: { name: string; kind: DeclarationPlan['kind']; nodes: string[] } | null = null;

  constructor(readonly analyzed: AnalyzedProgram) {
    this.diagnostics = new DiagnosticBag(analyzed.program.file);
  }

  get pipeline(): string {
    return this.analyzed.pipelineName;
  }

  typeOf = (expr: ast.Expr): Type | undefined => this.analyzed.types.get(expr);

  /** Starts collecting the nodes of one declaration. */
  begin(name: string, kind: DeclarationPlan['kind']): void {
    this.current = { name, kind, nodes: [] };
  }

  /** Ends the declaration begun last; `output` is the node carrying its stream. */
  end(output: string | null): void {
    if (this.current === null) return;
    this.declarations.push({ name: this.current.name, kind: this.current.kind, nodes: this.current.nodes, output });
    this.current = null;
  }

  /** A fresh id `<base>`, or `<base>.2`, … if taken. */
  id(base: string): string {
    return this.ids.take(base);
  }

  add<N extends PlanNode>(node: N): N {
    this.nodes.push(node);
    this.current?.nodes.push(node.id);
    return node;
  }

  connect(from: string, to: string, partitioning: EdgePartitioning = { kind: 'forward' }, output: PlanEdge['output'] = 'main'): void {
    if (this.edges.some((e) => e.from === from && e.to === to && e.output === output)) return;
    this.edges.push({ from, to, partitioning, output });
  }

  /**
   * Routes `end` to an operator that needs all records with equal `keys` in one place: directly
   * when the current partitioning already guarantees it, else through a repartition topic. One
   * repartition per (upstream node, key) is shared by every consumer, so two declarations keyed
   * the same way off the same stream pay for one shuffle. A repartition of the same upstream by a
   * subset of `keys` is reused too (records equal on all keys are equal on the subset): fewer
   * topics and shuffles, at the price of a coarser spread over partitions.
   */
  keyedInput(end: StreamEnd, keys: readonly RenderedExpr[], consumer: string, span: ast.Span): KeyedInput {
    const keyTexts = keys.map((k) => k.text);
    if (satisfies(end.partitioning, keyTexts)) {
      return { from: end.node, partitioning: { kind: 'forward' }, consumed: end.partitioning };
    }
    const keyText = keyTexts.join(', ');
    const cacheKey = `${end.node}\u0000${keyText}`;
    let node =
      this.repartitions.get(cacheKey) ??
      [...this.repartitions.values()].find((r) => this.edges.some((e) => e.from === end.node && e.to === r.id) && r.key.every((k) => keyTexts.includes(k.text)));
    if (node === undefined) {
      // Named after the stream being shuffled when that is another declaration's output (so it can
      // be shared), else after the consumer (its own `where` ran first).
      const shared = end.owner !== consumer;
      const id = this.id(shared ? `${end.owner}.repartition.${slug(keyText)}` : `${consumer}.repartition`);
      const previous = end.partitioning.kind === 'hash' ? end.partitioning.keys.join(', ') : null;
      node = this.add<RepartitionNode>({
        kind: 'repartition',
        id,
        name: shared ? end.owner : consumer,
        span,
        parallelism: parallelismOf(end.partitioning),
        stage: 0,
        stateEstimate: null,
        topic: topicName(this.pipeline, id, 'repartition'),
        key: keys,
        keyText,
        previousKey: previous,
        reason:
          `\`${consumer}\` needs records grouped by ${keyText}; ` +
          `its input \`${end.stream}\` is partitioned ${describePartitioning(end.partitioning)}`,
        partitions: end.partitions,
      });
      this.repartitions.set(cacheKey, node);
      this.connect(end.node, id);
    } else {
      this.current?.nodes.push(node.id);
    }
    const roots = [...new Set(node.key.flatMap((k) => rootNames(k.expr)))].sort();
    return { from: node.id, partitioning: { kind: 'hash', key: node.keyText }, consumed: hashed(node.key.map((k) => k.text), roots) };
  }
}
