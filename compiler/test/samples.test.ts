// Fixture tests in the Svelte style. Each folder compiler/test/samples/<suite>/<case>/ holds an
// `input.flow`; `_expected/` holds what the compiler must produce for it:
//   parse/  → ast.json (the AST, spans as "line:col-line:col") and diagnostics.txt
//   check/  → diagnostics.txt (formatted, carets included)
//   emit/   → diagnostics.txt, plan.txt (`flowc explain`) and generated/** (the emitted files)
// A new case joins by adding a folder. `npm run samples:update` (UPDATE_SNAPSHOTS=1) rewrites the
// expectations; FILTER=<substring> runs only matching cases.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileSource, explainText, formatDiagnostic, type CompileResult } from '../src/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const samplesDir = join(here, 'samples');
const outputDir = join(root, '_output');
const update = process.env['UPDATE_SNAPSHOTS'] === '1';
const filter = process.env['FILTER'];

type Suite = 'parse' | 'check' | 'emit';
const suites: readonly Suite[] = ['parse', 'check', 'emit'];

function cases(suite: Suite): string[] {
  const dir = join(samplesDir, suite);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'input.flow')))
    .filter((name) => filter === undefined || name.includes(filter))
    .sort();
}

/** Compares `actual` with `_expected/<name>`, or writes it in update mode. */
function expectFile(caseDir: string, name: string, actual: string): void {
  const path = join(caseDir, '_expected', name);
  if (update) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`${relative(root, path)} is missing; run \`npm run samples:update\``);
  expect(actual, relative(root, path)).toBe(readFileSync(path, 'utf8'));
}

function diagnosticsText(result: CompileResult, source: string): string {
  if (result.diagnostics.length === 0) return '(no diagnostics)\n';
  return `${result.diagnostics.map((d) => formatDiagnostic(d, source)).join('\n\n')}\n`;
}

/** The AST as stable JSON: spans shortened to "line:col-line:col", keys in source order. */
function astJson(result: CompileResult): string {
  return `${JSON.stringify(
    result.program,
    (key, value: unknown) => {
      if (key === 'span' && typeof value === 'object' && value !== null) {
        const span = value as { start: { line: number; column: number }; end: { line: number; column: number } };
        return `${span.start.line}:${span.start.column}-${span.end.line}:${span.end.column}`;
      }
      if (key === 'file') return undefined;
      return value;
    },
    2,
  )}\n`;
}

const emittedDirs: string[] = [];

for (const suite of suites) {
  describe(`samples/${suite}`, () => {
    for (const name of cases(suite)) {
      it(name, () => {
        const caseDir = join(samplesDir, suite, name);
        const source = readFileSync(join(caseDir, 'input.flow'), 'utf8');
        const file = `${name}.flow`;
        if (suite === 'parse') {
          const result = compileSource(source, file, { until: 'parse' });
          expectFile(caseDir, 'ast.json', astJson(result));
          expectFile(caseDir, 'diagnostics.txt', diagnosticsText(result, source));
          return;
        }
        if (suite === 'check') {
          const result = compileSource(source, file, { until: 'plan' });
          expectFile(caseDir, 'diagnostics.txt', diagnosticsText(result, source));
          return;
        }
        const result = compileSource(source, file);
        expectFile(caseDir, 'diagnostics.txt', diagnosticsText(result, source));
        expect(result.files.length, 'an emit sample must compile').toBeGreaterThan(0);
        expectFile(caseDir, 'plan.txt', result.plan === null ? '' : `${explainText(result.plan)}\n`);
        const expectedDir = join(caseDir, '_expected', 'generated');
        if (update) rmSync(expectedDir, { recursive: true, force: true });
        const wanted = result.files.map((f) => f.path).sort();
        if (!update) expect(listFiles(expectedDir)).toEqual(wanted);
        const out = join(outputDir, name);
        rmSync(out, { recursive: true, force: true });
        for (const emitted of result.files) {
          expectFile(caseDir, join('generated', emitted.path), emitted.content);
          mkdirSync(dirname(join(out, emitted.path)), { recursive: true });
          writeFileSync(join(out, emitted.path), emitted.content);
        }
        emittedDirs.push(out);
      });
    }
  });
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe('samples', () => {
  it('has at least 40 cases across parse, check and emit', () => {
    if (filter !== undefined) return;
    const counts = suites.map((s) => cases(s).length);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(40);
  });
});

// The emitted code of every emit sample must pass `tsc --strict` (with noUnusedLocals) as written
// to _output/<case>/, which sits at the same depth as generated/<pipeline>/. Tests in a file run in
// order, so this one sees every emit case above.
describe('samples/emit output', () => {
  it('passes tsc --strict', () => {
    if (emittedDirs.length === 0) return;
    const tsconfig = join(outputDir, 'tsconfig.json');
    writeFileSync(
      tsconfig,
      JSON.stringify({ extends: '../tsconfig.json', compilerOptions: { noUnusedLocals: true }, include: ['./**/*.ts'], exclude: [] }),
    );
    let report = '';
    try {
      execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', tsconfig, '--noEmit'], { cwd: root, stdio: 'pipe' });
    } catch (error) {
      report = String((error as { stdout?: Buffer }).stdout ?? error);
    }
    expect(report).toBe('');
  });
});
