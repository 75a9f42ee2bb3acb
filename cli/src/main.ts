// flowc's entry point: dispatches to one command per verb. Returns the exit code instead of
// calling process.exit, so tests can run it in-process.
import { COMPILER_VERSION } from '../../compiler/src/index.ts';
import { UsageError } from './args.ts';
import { checkCommand } from './commands/check.ts';
import { compileCommand } from './commands/compile.ts';
import { explainCommand } from './commands/explain.ts';
import { runCommand } from './commands/run.ts';
import { testCommand } from './commands/test.ts';
import { EXIT } from './exit.ts';
import { processIO, type CliIO } from './io.ts';

export const USAGE = `flowc ${COMPILER_VERSION} — compile .flow pipelines into TypeScript processors

usage:
  flowc check <file.flow>... [--format text|json]   check, report every diagnostic
  flowc compile <file.flow>... [--out dir] [--check] write <dir>/<name>/ (default dir: generated);
                                                     --check fails if it is stale instead
  flowc explain <file.flow> [--format text|mermaid] print the physical plan
  flowc run <file.flow> [options]                  compile, then run embedded: in-process log fed by the
                                                     simulator, dashboard + /metrics on one port
    --rate N|max          simulator events per second (default 200)
    --duration 20s        stop by itself (exit 0); default: until Ctrl-C
    --seed N              simulator seed (default 42)
    --malformed F, --late F, --out-of-order F   simulator injection, fractions (0.05 = 5 %)
    --from [src=]f.jsonl  replay recorded events in event time as fast as possible, then exit
    --out results.jsonl   every emitted result as a JSON line; a run that resumes from a checkpoint
                            appends to the file, one without a checkpoint (--fresh) starts a new file
    --port N              dashboard port (default 8080; 0: a free one), --host (default 127.0.0.1)
    --state-dir DIR       log + checkpoints (default .flowc/state/<name>); a run resumes from them
    --checkpoint-interval 5s, --fresh (ignore previous state), --verbose (log() output on the terminal)
    --backfill 5m         event time the simulator fills in before now on a fresh state dir (default 5m; 0: none)
    --token T             bearer token the dashboard's /ws and /api/* require (or FLOWC_DASHBOARD_TOKEN);
                            the dashboard URL printed carries it as ?token=
    --allow-origin a,b    browser origins allowed on /ws and /api/* besides the dashboard's own (* : any)
  flowc test <file.flow> [--cases file] [--ci]      run the test cases of <dir>/<name>.tests.json
                                                     (docs/testing.md); --ci rejects "only"/"skip"

exit codes: 0 ok, 1 diagnostics (or stale output, or failed tests), 2 usage (or a bad test file)`;

const COMMANDS: Record<string, (argv: readonly string[], io: CliIO) => number | Promise<number>> = {
  check: checkCommand,
  compile: compileCommand,
  explain: explainCommand,
  run: runCommand,
  test: testCommand,
};

export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === 'help' || verb === '--help' || verb === '-h') {
    io.stdout(USAGE);
    return verb === undefined ? EXIT.usage : EXIT.ok;
  }
  if (verb === '--version' || verb === '-v') {
    io.stdout(COMPILER_VERSION);
    return EXIT.ok;
  }
  const command = COMMANDS[verb];
  if (command === undefined) {
    io.stderr(`flowc: unknown command \`${verb}\`\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    return await Promise.resolve(command(rest, io));
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`flowc ${verb}: ${error.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    throw error;
  }
}
