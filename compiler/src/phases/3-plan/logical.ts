// The logical graph: the program's stream declarations and emits, each with the streams it reads,
// in an order where every declaration comes after its inputs (source order among independent
// ones). Enums and schemas are not part of it.
import type * as ast from '../../../../dsl/src/ast.ts';

export type LogicalDecl =
  | { readonly kind: 'source'; readonly name: string; readonly decl: ast.SourceDecl; readonly inputs: readonly string[] }
  | { readonly kind: 'stream'; readonly name: string; readonly decl: ast.StreamDecl; readonly inputs: readonly string[] }
  | { readonly kind: 'aggregate'; readonly name: string; readonly decl: ast.AggregateDecl; readonly inputs: readonly string[] }
  | { readonly kind: 'pattern'; readonly name: string; readonly decl: ast.PatternDecl; readonly inputs: readonly string[] }
  | { readonly kind: 'emit'; readonly name: string; readonly decl: ast.EmitDecl; readonly inputs: readonly string[] };

export interface LogicalGraph {
  /** Dependency order. Declarations on a cycle or reading an undeclared stream are left out (the checker reports them). */
  readonly decls: readonly LogicalDecl[];
  /** Stream name → the declarations that read it (emits included), in source order. */
  readonly consumers: ReadonlyMap<string, readonly string[]>;
}

function streamInputNames(input: ast.StreamInput | null): string[] {
  if (input === null) return [];
  return input.kind === 'StreamRef' ? [input.name.name] : input.inputs.map((r) => r.name.name);
}

function toLogical(decl: ast.Declaration, emitIndex: number): LogicalDecl | null {
  switch (decl.kind) {
    case 'SourceDecl':
      return { kind: 'source', name: decl.name.name, decl, inputs: [] };
    case 'StreamDecl':
      return { kind: 'stream', name: decl.name.name, decl, inputs: streamInputNames(decl.input) };
    case 'AggregateDecl':
      return { kind: 'aggregate', name: decl.name.name, decl, inputs: decl.input === null ? [] : [decl.input.name.name] };
    case 'PatternDecl':
      return { kind: 'pattern', name: decl.name.name, decl, inputs: decl.input === null ? [] : [decl.input.name.name] };
    case 'EmitDecl':
      return { kind: 'emit', name: `emit#${emitIndex}`, decl, inputs: decl.inputs.map((r) => r.name.name) };
    case 'EnumDecl':
    case 'SchemaDecl':
      return null;
  }
}

export function buildLogicalGraph(program: ast.Program): LogicalGraph {
  const all: LogicalDecl[] = [];
  let emits = 0;
  for (const declaration of program.declarations) {
    const logical = toLogical(declaration, declaration.kind === 'EmitDecl' ? ++emits : 0);
    if (logical !== null) all.push(logical);
  }

  const byName = new Map<string, LogicalDecl>();
  for (const d of all) if (d.kind !== 'emit' && !byName.has(d.name)) byName.set(d.name, d);

  const consumers = new Map<string, string[]>();
  for (const d of all) {
    for (const input of new Set(d.inputs)) {
      const list = consumers.get(input) ?? [];
      list.push(d.name);
      consumers.set(input, list);
    }
  }

  // Depth-first in source order: a declaration is placed once all its inputs are placed.
  const placed = new Set<LogicalDecl>();
  const failed = new Set<LogicalDecl>();
  const visiting = new Set<LogicalDecl>();
  const order: LogicalDecl[] = [];
  const place = (d: LogicalDecl): boolean => {
    if (placed.has(d)) return true;
    if (failed.has(d) || visiting.has(d)) return false;
    visiting.add(d);
    let ok = d.kind === 'source' || d.inputs.length > 0;
    for (const input of d.inputs) {
      const target = byName.get(input);
      if (target === undefined || !place(target)) ok = false;
    }
    visiting.delete(d);
    if (!ok) {
      failed.add(d);
      return false;
    }
    placed.add(d);
    order.push(d);
    return true;
  };
  for (const d of all) {
    if (d.kind === 'emit' || byName.get(d.name) === d) place(d);
  }
  return { decls: order, consumers };
}
