// Compiles the pipeline in memory, writes generated/<name>/ when it is stale (as `flowc compile`
// would), and imports the generated module.
import { existsSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkGenerated, compileSource, formatDiagnostic, hasErrors, writeGenerated } from '../../../compiler/src/index.ts';
import type { PipelineManifest, Topology } from '../../../runtime/src/index.ts';
import { generatedName } from '../commands/compile.ts';
import type { CliIO } from '../io.ts';

export interface LoadedPipeline {
  /** The `.flow` file as given. */
  readonly file: string;
  /** `website-analytics`: the file's base name, the folder under generated/. */
  readonly name: string;
  readonly topology: Topology;
  readonly manifest: PipelineManifest;
  /** Where the generated module lives. */
  readonly generatedDir: string;
  /** How it is shown: `generated/website-analytics`. */
  readonly shownDir: string;
  /** Whether this run (re)wrote it. */
  readonly written: boolean;
}

/** The flowc checkout this CLI runs from (generated code imports its runtime by relative path). */
const FLOWC_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Compiles `file`; prints diagnostics to stderr. Returns `null` when it does not compile (the
 * diagnostics say why).
 */
export async function loadPipeline(io: CliIO, given: string, text: string): Promise<LoadedPipeline | null> {
  // `./pipelines/x.flow` and `pipelines/x.flow` are one file: the generated header names it one way.
  const relativePath = relative(io.cwd, resolve(io.cwd, given)).split(sep).join('/');
  const file = relativePath.startsWith('..') ? given : relativePath;
  const result = compileSource(text, file);
  for (const diagnostic of result.diagnostics) io.stderr(`${formatDiagnostic(diagnostic, text)}\n\n`);
  if (hasErrors(result.diagnostics) || result.plan === null) {
    io.stderr(`${file}: not run, ${result.diagnostics.filter((d) => d.severity === 'error').length} error(s)`);
    return null;
  }
  const name = generatedName(file);
  // generated/<name>/ imports ../../runtime/src/index.ts: outside a flowc checkout, write it inside ours.
  const inCheckout = existsSync(resolve(io.cwd, 'runtime', 'src', 'index.ts'));
  const generatedDir = inCheckout ? resolve(io.cwd, 'generated', name) : join(FLOWC_ROOT, '_output', `run-${name}`);
  const shownDir = inCheckout ? join('generated', name) : generatedDir;
  const stale = checkGenerated(generatedDir, result.files).length > 0;
  if (stale) writeGenerated(generatedDir, result.files);
  const module = (await import(pathToFileURL(join(generatedDir, 'index.ts')).href)) as Readonly<Record<string, unknown>>;
  const topology = module.topology as Topology | undefined;
  const manifest = module.manifest as PipelineManifest | undefined;
  if (topology === undefined || manifest === undefined || !Array.isArray(topology.nodes)) {
    throw new Error(`${shownDir}/index.ts exports no topology or manifest`);
  }
  return { file, name, topology, manifest, generatedDir, shownDir, written: stale };
}
