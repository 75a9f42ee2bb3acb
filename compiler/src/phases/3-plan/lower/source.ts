// `source x: Schema from connector { key by …  event time … watermark … idle …  dead letter to … }`
// → source → decode (→ dead letter for records that do not decode).
import type * as ast from '../../../../../dsl/src/ast.ts';
import type { PlanBuilder } from '../builder.ts';
import { ARBITRARY, hashed } from '../partitioning.ts';
import type { DeadLetterNode, DecodeNode, SourceNode } from '../plan.ts';
import { connectorLiteral, renderConnector, rendered, rootNames } from '../render-expr.ts';

export function lowerSource(b: PlanBuilder, decl: ast.SourceDecl): void {
  const name = decl.name.name;
  if (decl.connector === null || decl.schema === null) return;
  const schema = decl.schema.name;
  const record = b.analyzed.schemas.get(schema) ?? b.analyzed.streams.get(name)?.record ?? null;
  if (record === null) return;

  let key: ast.Expr | null = null;
  let eventTime: ast.EventTimeClause | null = null;
  let deadLetter: ast.ConnectorCall | null = null;
  for (const clause of decl.clauses) {
    if (clause.kind === 'KeyByClause') key ??= clause.key;
    else if (clause.kind === 'EventTimeClause') eventTime ??= clause;
    else deadLetter ??= clause.connector;
  }

  const connector = renderConnector(decl.connector);
  const partitionsArg = connectorLiteral(connector, 'partitions');
  const partitions = typeof partitionsArg === 'number' ? partitionsArg : null;
  const keyExpr = key === null ? null : rendered(key);
  const partitioning = keyExpr === null ? ARBITRARY : hashed([keyExpr.text], rootNames(keyExpr.expr));

  b.begin(name, 'source');
  const source = b.add<SourceNode>({
    kind: 'source',
    id: b.id(`${name}.source`),
    name,
    span: decl.span,
    parallelism: 'partitioned',
    stage: 0,
    stateEstimate: null,
    connector,
    schema,
    key: keyExpr,
    eventTime: eventTime?.field == null ? null : rendered(eventTime.field),
    watermarkMs: eventTime?.watermark?.millis ?? null,
    idleMs: eventTime?.idle?.millis ?? null,
    deadLetter: deadLetter === null ? null : renderConnector(deadLetter),
    partitions,
  });

  const decodeId = b.id(`${name}.decode`);
  const deadLetterId = deadLetter === null ? null : b.id(`${name}.dead-letter`);
  b.add<DecodeNode>({
    kind: 'decode',
    id: decodeId,
    name,
    span: decl.schema.span,
    parallelism: 'partitioned',
    stage: 0,
    stateEstimate: null,
    schema,
    record,
    deadLetter: deadLetterId,
  });
  b.connect(source.id, decodeId);
  if (deadLetter !== null && deadLetterId !== null) {
    const clause = decl.clauses.find((c) => c.kind === 'DeadLetterClause');
    b.add<DeadLetterNode>({
      kind: 'deadLetter',
      id: deadLetterId,
      name,
      span: clause?.span ?? decl.span,
      parallelism: 'partitioned',
      stage: 0,
      stateEstimate: null,
      connector: renderConnector(deadLetter),
      source: name,
    });
    b.connect(decodeId, deadLetterId, { kind: 'forward' }, 'rejected');
  }

  b.ends.set(name, {
    node: decodeId,
    owner: name,
    stream: name,
    partitioning,
    partitions,
    logicalKey: keyExpr === null ? null : [keyExpr],
    eventTime: source.eventTime !== null,
    watermarkMs: source.eventTime === null ? 0 : (source.watermarkMs ?? 0),
    record,
    updates: false,
  });
  b.end(decodeId);
}
