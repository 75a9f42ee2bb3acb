// `flowc explain <file.flow> [--format text|mermaid|json]`: the physical plan.
import { compileSource, explainMermaid, explainText, formatDiagnostic, hasErrors } from '../../../compiler/src/index.ts';
import { choiceOption, parseArgs, UsageError } from '../args.ts';
import { readSource, type CliIO } from '../io.ts';
import { EXIT } from '../exit.ts';

export function explainCommand(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, new Set(['format']), new Set());
  const format = choiceOption(args, 'format', ['text', 'mermaid'] as const, 'text');
  const [file, ...rest] = args.positionals;
  if (file === undefined || rest.length > 0) throw new UsageError('explain takes exactly one .flow file');
  const text = readSource(io, file);
  if (text === null) return EXIT.usage;
  const result = compileSource(text, file, { until: 'plan' });
  for (const diagnostic of result.diagnostics) io.stderr(`${formatDiagnostic(diagnostic, text)}\n\n`);
  if (hasErrors(result.diagnostics) || result.plan === null) return EXIT.diagnostics;
  io.stdout(format === 'mermaid' ? explainMermaid(result.plan) : explainText(result.plan));
  return EXIT.ok;
}
