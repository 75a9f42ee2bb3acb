// Compiles a .flow pipeline for a test and loads the emitted module. Tests may use the compiler;
// runtime/src never does. The files go to <repo>/_output/<dir>/ so that the generated
// `../../runtime/src/index.ts` import resolves; `dir` must be unique per test file (files run in
// parallel).
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileSource, formatDiagnostics, hasErrors } from '../../../compiler/src/index.ts';
import { writeGenerated } from '../../../compiler/src/output.ts';
import type { PipelineManifest, Topology } from '../../src/index.ts';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface CompiledPipeline {
  readonly topology: Topology;
  readonly manifest: PipelineManifest;
  /** The whole generated module (decoders, node functions, …). */
  readonly module: Readonly<Record<string, unknown>>;
  readonly dir: string;
}

/** Compiles `pipelines/<file>` (or `text`, when given) into `_output/<dir>/` and imports it. */
export async function compilePipeline(file: string, dir: string, text?: string): Promise<CompiledPipeline> {
  const source = text ?? readFileSync(join(REPO, 'pipelines', file), 'utf8');
  const result = compileSource(source, file);
  if (hasErrors(result.diagnostics) || result.files.length === 0) {
    throw new Error(`${file} does not compile:\n${formatDiagnostics(result.diagnostics, new Map([[file, source]]))}`);
  }
  const out = join(REPO, '_output', dir);
  mkdirSync(out, { recursive: true });
  writeGenerated(out, result.files);
  const module = (await import(pathToFileURL(join(out, 'index.ts')).href)) as Record<string, unknown>;
  const topology = module.topology as Topology | undefined;
  const manifest = module.manifest as PipelineManifest | undefined;
  if (topology === undefined || manifest === undefined) throw new Error(`${file}: the generated module exports no topology or manifest`);
  return { topology, manifest, module, dir: out };
}
