// Renders the diagnostic catalog as docs/diagnostics.md. `npm run docs:diagnostics` writes it;
// compiler/test/diagnostics-docs.test.ts fails when the committed file is out of date.
import { phaseCatalogs } from './messages/index.ts';

export function renderDiagnosticsDoc(): string {
  const lines = [
    '# Diagnostic codes',
    '',
    'Generated from `compiler/src/diagnostics/messages/` by `npm run docs:diagnostics`; do not edit.',
    '',
    'Every diagnostic prints as `file:line:col: severity[code]: message`, then a code frame with a caret',
    'under the offending text and, where one exists, a `help:` line with a suggestion. `flowc check',
    '--format json` gives the same data as JSON (`code`, `severity`, `message`, `file`, `start`, `end`,',
    '`suggestion`), with 1-based lines and columns.',
    '',
  ];
  for (const [phase, catalog] of Object.entries(phaseCatalogs)) {
    lines.push(`## ${phase}`, '', '| code | severity | meaning |', '| --- | --- | --- |');
    for (const code of Object.keys(catalog).sort()) {
      const definition = (catalog as Record<string, { severity: string; summary: string }>)[code];
      if (definition === undefined) continue;
      lines.push(`| \`${code}\` | ${definition.severity} | ${definition.summary.replace(/\|/g, '\\|')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
