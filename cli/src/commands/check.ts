// `flowc check <file.flow>... [--format text|json]`
import { compileSource, formatDiagnostic, hasErrors, type Diagnostic } from '../../../compiler/src/index.ts';
import { choiceOption, parseArgs, UsageError } from '../args.ts';
import { readSource, type CliIO } from '../io.ts';
import { EXIT } from '../exit.ts';

export function checkCommand(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, new Set(['format']), new Set());
  const format = choiceOption(args, 'format', ['text', 'json'] as const, 'text');
  if (args.positionals.length === 0) throw new UsageError('check needs at least one .flow file');

  const all: Diagnostic[] = [];
  let unreadable = false;
  for (const file of args.positionals) {
    const text = readSource(io, file);
    if (text === null) {
      unreadable = true;
      continue;
    }
    const result = compileSource(text, file, { until: 'plan' });
    all.push(...result.diagnostics);
    if (format === 'text') {
      for (const diagnostic of result.diagnostics) io.stderr(`${formatDiagnostic(diagnostic, text)}\n\n`);
      io.stdout(summary(file, result.diagnostics));
    }
  }
  if (format === 'json') io.stdout(JSON.stringify(toJson(all), null, 2));
  if (unreadable) return EXIT.usage;
  return hasErrors(all) ? EXIT.diagnostics : EXIT.ok;
}

export function summary(file: string, diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${file}: ${errors === 0 ? 'ok' : 'failed'} (${plural(errors, 'error')}, ${plural(warnings, 'warning')})`;
}

/** The JSON shape editors and CI annotations read; documented in docs/language.md (the CLI section). */
export function toJson(diagnostics: readonly Diagnostic[]): object {
  return {
    version: 1,
    errorCount: diagnostics.filter((d) => d.severity === 'error').length,
    warningCount: diagnostics.filter((d) => d.severity === 'warning').length,
    diagnostics,
  };
}
