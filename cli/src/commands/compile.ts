// `flowc compile <file.flow>... [--out dir] [--check]`: writes generated/<name>/ per file, or with
// --check fails when the committed copy differs from what the compiler emits now.
import { basename, extname, join, resolve } from 'node:path';
import {
  checkGenerated,
  compileSource,
  formatDiagnostic,
  hasErrors,
  writeGenerated,
} from '../../../compiler/src/index.ts';
import { parseArgs, stringOption, UsageError } from '../args.ts';
import { readSource, type CliIO } from '../io.ts';
import { EXIT } from '../exit.ts';

export function compileCommand(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, new Set(['out']), new Set(['check']));
  if (args.positionals.length === 0) throw new UsageError('compile needs at least one .flow file');
  const outRoot = stringOption(args, 'out', 'generated');
  const checkOnly = args.options.get('check') === true;

  let exit: number = EXIT.ok;
  for (const file of args.positionals) {
    const text = readSource(io, file);
    if (text === null) {
      exit = Math.max(exit, EXIT.usage);
      continue;
    }
    const result = compileSource(text, file);
    for (const diagnostic of result.diagnostics) io.stderr(`${formatDiagnostic(diagnostic, text)}\n\n`);
    if (hasErrors(result.diagnostics)) {
      io.stderr(`${file}: not compiled, ${result.diagnostics.filter((d) => d.severity === 'error').length} error(s)`);
      exit = Math.max(exit, EXIT.diagnostics);
      continue;
    }
    const name = generatedName(file);
    const dir = resolve(io.cwd, outRoot, name);
    const shown = join(outRoot, name);
    if (checkOnly) {
      const drift = checkGenerated(dir, result.files);
      if (drift.length > 0) {
        io.stderr(`${shown} is stale; run \`npx flowc compile ${file}\` and commit the result:`);
        for (const d of drift) io.stderr(`  ${d.kind.padEnd(7)} ${join(shown, d.path)}`);
        exit = Math.max(exit, EXIT.diagnostics);
      } else {
        io.stdout(`${shown}: up to date (${result.files.length} files)`);
      }
    } else {
      writeGenerated(dir, result.files);
      io.stdout(`${file} → ${shown}/ (${result.files.length} files)`);
    }
  }
  return exit;
}

/** generated/<name>/: the .flow file's base name, which is unique within a folder of pipelines. */
export function generatedName(file: string): string {
  return basename(file, extname(file));
}
