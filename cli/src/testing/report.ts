// What `flowc test` prints: one line per case (✓ passed, ✗ failed, ○ skipped), under a failed case
// the differences per stream — rows that differ (window, key, then each column: expected vs
// actual), rows missing, rows nobody expected — and the closing `N passed, N failed`.
import type { ExpectationDiff } from './compare.ts';
import type { Target } from './format.ts';
import type { CaseResult } from './run.ts';

const MAX_ROWS_SHOWN = 20;

export function renderCase(result: CaseResult, testFile: string): string {
  const name = result.testCase.name;
  const at = `${testFile}:${result.testCase.loc.line}`;
  switch (result.status) {
    case 'passed':
      return `  ✓ ${name}`;
    case 'skipped':
      return `  ○ ${name} — skipped (${at}); a skipped case counts as failed`;
    case 'not-run':
      return `  ○ ${name} — not run: other cases are marked "only" (${at}); counts as failed`;
    case 'error':
    case 'failed': {
      const lines = [`  ✗ ${name}  (${at})`];
      for (const problem of result.problems) lines.push(`      ${testFile}:${problem.loc.line}:${problem.loc.column}: ${problem.message}`);
      for (const diff of result.diffs) lines.push(...renderDiff(diff, testFile));
      return lines.join('\n');
    }
  }
}

function renderDiff(diff: ExpectationDiff, testFile: string): string[] {
  const counts: string[] = [];
  if (diff.changed.length > 0) counts.push(`${diff.changed.length} ${diff.changed.length === 1 ? 'row differs' : 'rows differ'}`);
  if (diff.missing.length > 0) counts.push(`${diff.missing.length} missing`);
  if (diff.unexpected.length > 0) counts.push(`${diff.unexpected.length} unexpected`);
  const expected = diff.expectation.rows.length;
  const lines = [
    `      ${targetName(diff.expectation.target)}${diff.expectation.midway ? ' (so far)' : ''}: ${counts.join(', ')} (expected ${expected} row${expected === 1 ? '' : 's'}, got ${diff.actualCount}${diff.expectation.final ? ' final' : ''}; ${testFile}:${diff.expectation.loc.line})`,
  ];
  for (const row of diff.changed.slice(0, MAX_ROWS_SHOWN)) {
    lines.push(`        ${row.identity === '' ? 'row' : row.identity}  (line ${row.loc.line})`);
    for (const field of row.fields) lines.push(`          ${field.name}: expected ${field.expected}, actual ${field.actual}${field.note === null ? '' : `  (${field.note})`}`);
  }
  for (const row of diff.missing.slice(0, MAX_ROWS_SHOWN)) lines.push(`        - missing    ${row.text}  (line ${row.loc.line})`);
  for (const row of diff.unexpected.slice(0, MAX_ROWS_SHOWN)) lines.push(`        + unexpected ${row}`);
  const hidden = Math.max(0, diff.changed.length - MAX_ROWS_SHOWN) + Math.max(0, diff.missing.length - MAX_ROWS_SHOWN) + Math.max(0, diff.unexpected.length - MAX_ROWS_SHOWN);
  if (hidden > 0) lines.push(`        … and ${hidden} more`);
  return lines;
}

function targetName(target: Target): string {
  switch (target.kind) {
    case 'output':
      return target.name;
    case 'late':
      return `late records of ${target.name}`;
    case 'deadLetters':
      return 'dead letters';
  }
}

/** The closing line, exactly `N passed, N failed`. */
export function summaryLine(results: readonly CaseResult[]): string {
  const passed = results.filter((r) => r.status === 'passed').length;
  return `${passed} passed, ${results.length - passed} failed`;
}
