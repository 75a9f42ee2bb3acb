// `flowc test <file.flow> [--cases file] [--ci]`: runs the test cases kept next to a pipeline
// (`<dir>/<name>.tests.json`, docs/testing.md) on the TopologyTestDriver and reports each case,
// with a diff for each failure. Exit 0 when every case passes, 1 when one fails (a skipped case
// fails), 2 on usage errors and malformed test files.
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { formatDiagnostic } from '../../../compiler/src/index.ts';
import { parseArgs, stringOption, UsageError } from '../args.ts';
import { EXIT } from '../exit.ts';
import { readSource, type CliIO } from '../io.ts';
import { loadTestFile } from '../testing/format.ts';
import { compileAndLoad } from '../testing/load.ts';
import { renderCase, summaryLine } from '../testing/report.ts';
import { runCase, type CaseResult } from '../testing/run.ts';

export async function testCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, new Set(['cases']), new Set(['ci']));
  const [file, ...rest] = args.positionals;
  if (file === undefined || rest.length > 0) throw new UsageError('test takes exactly one .flow file');
  const ci = args.options.get('ci') === true || isCi(process.env.CI);
  const casesPath = stringOption(args, 'cases', defaultCasesPath(file));

  const source = readSource(io, file);
  if (source === null) return EXIT.usage;
  let casesText: string;
  try {
    casesText = readFileSync(resolve(io.cwd, casesPath), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    io.stderr(
      args.options.has('cases')
        ? `flowc: cannot read ${casesPath}: ${code}`
        : `flowc: no test cases for ${file}: ${casesPath} does not exist (${code}); see docs/testing.md for the format`,
    );
    return EXIT.usage;
  }

  const compiled = await compileAndLoad(source, file, basename(file, extname(file)));
  if (!compiled.ok) {
    for (const diagnostic of compiled.diagnostics) io.stderr(`${formatDiagnostic(diagnostic, source)}\n\n`);
    io.stderr(`${file}: not compiled, so not tested`);
    return EXIT.diagnostics;
  }
  const loaded = loadTestFile(casesText, casesPath, compiled.pipeline.info);
  if (loaded.file === null) {
    for (const error of loaded.errors) io.stderr(`${casesPath}:${error.loc.line}:${error.loc.column}: error: ${error.message}`);
    io.stderr(`${casesPath}: ${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'}; no case was run`);
    return EXIT.usage;
  }

  const cases = loaded.file.cases;
  const focused = cases.some((c) => c.only);
  io.stdout(`flowc test ${file}: ${cases.length} case${cases.length === 1 ? '' : 's'} from ${casesPath}${ci ? ' (CI: "only" and "skip" are not allowed)' : ''}`);
  const results: CaseResult[] = [];
  for (const testCase of cases) {
    let result: CaseResult;
    if (testCase.skip) result = { testCase, status: 'skipped', problems: [], diffs: [] };
    else if (focused && !testCase.only && !ci) result = { testCase, status: 'not-run', problems: [], diffs: [] };
    else {
      result = await runCase(compiled.pipeline, testCase);
      if (ci && testCase.only) {
        result = { ...result, status: 'failed', problems: [{ loc: testCase.loc, message: '"only" is not allowed in CI: remove it before committing' }, ...result.problems] };
      }
    }
    results.push(result);
    io.stdout(renderCase(result, casesPath));
  }
  const skipped = results.filter((r) => r.status === 'skipped' || r.status === 'not-run').length;
  if (skipped > 0) io.stdout(`${skipped} case${skipped === 1 ? '' : 's'} not run (skip/only), counted as failed`);
  io.stdout(summaryLine(results));
  return results.every((r) => r.status === 'passed') ? EXIT.ok : EXIT.diagnostics;
}

/** `pipelines/website-analytics.flow` → `pipelines/website-analytics.tests.json` */
export function defaultCasesPath(file: string): string {
  return join(dirname(file), `${basename(file, extname(file))}.tests.json`);
}

function isCi(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}
