// Compiles a .flow file in memory and loads the generated module, for `flowc test`.
//
// The generated code imports the runtime as `../../runtime/src/index.ts`, so it must sit two
// folders below the repository root: it is written to `<repo>/.flowc-test/<name>-<pid>-<random>/`
// (gitignored), imported, and removed again once Node has loaded it. A fresh folder per load (pid and
// random suffix) keeps parallel runs apart and never serves a stale module from Node's cache.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Expr, Program } from '../../../dsl/src/ast.ts';
import { compileSource, type Diagnostic, writeGenerated } from '../../../compiler/src/index.ts';
import type { PipelineManifest, Topology } from '../../../runtime/src/index.ts';
import { TopologyTestDriver } from '../../../runtime/src/testing/index.ts';
import { ALERT_FIELDS, type PipelineInfo, type SourceInfo, type StreamColumns } from './format.ts';

/** The repository root: where `runtime/` is, whatever the working directory. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface LoadedPipeline {
  readonly topology: Topology;
  readonly manifest: PipelineManifest;
  readonly info: PipelineInfo;
}

export type CompileOutcome = { readonly ok: true; readonly pipeline: LoadedPipeline; readonly diagnostics: readonly Diagnostic[] } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export async function compileAndLoad(text: string, file: string, name: string): Promise<CompileOutcome> {
  const result = compileSource(text, file);
  if (result.files.length === 0) return { ok: false, diagnostics: result.diagnostics };
  const dir = join(REPO_ROOT, '.flowc-test', `${name}-${process.pid}-${randomBytes(4).toString('hex')}`);
  let module: Record<string, unknown>;
  try {
    mkdirSync(dir, { recursive: true });
    writeGenerated(dir, result.files);
    module = (await import(pathToFileURL(join(dir, 'index.ts')).href)) as Record<string, unknown>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const topology = module.topology as Topology | undefined;
  const manifest = module.manifest as PipelineManifest | undefined;
  if (topology === undefined || manifest === undefined) throw new Error(`${file}: the generated module exports no topology or manifest`);
  const info = await describe(topology, manifest, result.program);
  return { ok: true, pipeline: { topology, manifest, info }, diagnostics: result.diagnostics };
}

/** What the test-file checks need: sources and their event-time fields, output names, columns. */
async function describe(topology: Topology, manifest: PipelineManifest, program: Program): Promise<PipelineInfo> {
  const sources = new Map<string, SourceInfo>();
  for (const node of topology.nodes) {
    if (node.kind !== 'source') continue;
    sources.set(node.name, { name: node.name, declaredPartitions: node.partitions, eventTime: node.eventTime !== null, eventTimeField: eventTimeField(program, node.name) });
  }
  // The driver knows which names `output()` accepts; ask it rather than repeat its rules.
  const probe = await TopologyTestDriver.create(topology, { partitions: Object.fromEntries([...sources.keys()].map((s) => [s, 1])) });
  const outputs = new Set(probe.outputNames());
  await probe.close();
  const lateOutputs = new Set<string>();
  for (const node of topology.nodes) if (node.kind === 'windowAggregate' || node.kind === 'pattern') lateOutputs.add(node.name);
  const columns = new Map<string, StreamColumns>();
  for (const metric of manifest.metrics) {
    columns.set(metric.name, { groupBy: metric.groupBy, all: new Set([...metric.groupBy, 'window_start', 'window_end', ...metric.measures.map((m) => m.name)]) });
  }
  for (const alert of manifest.alerts) {
    const row = columns.get(alert.stream);
    columns.set(alert.stream, { groupBy: row?.groupBy ?? [], all: new Set([...ALERT_FIELDS, ...(row?.all ?? [])]) });
  }
  return { name: manifest.pipeline, sources, outputs, lateOutputs, columns };
}

/** `event time timestamp` → ["timestamp"]; `event time meta.at` → ["meta", "at"]; anything else → null. */
function eventTimeField(program: Program, source: string): string[] | null {
  for (const declaration of program.declarations) {
    if (declaration.kind !== 'SourceDecl' || declaration.name.name !== source) continue;
    for (const clause of declaration.clauses) {
      if (clause.kind === 'EventTimeClause' && clause.field !== null) return fieldPath(clause.field);
    }
  }
  return null;
}

function fieldPath(expr: Expr): string[] | null {
  if (expr.kind === 'NameExpr') return [expr.name];
  if (expr.kind === 'MemberExpr' && !expr.optional) {
    const inner = fieldPath(expr.object);
    return inner === null ? null : [...inner, expr.property.name];
  }
  return null;
}
