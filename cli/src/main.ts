// flowc's entry point: dispatches to one command per verb. Returns the exit code instead of
// calling process.exit, so tests can run it in-process.
import { COMPILER_VERSION } from '../../compiler/src/index.ts';
import { UsageError } from './args.ts';
import { checkCommand } from './commands/check.ts';
import { compileCommand } from './commands/compile.ts';
import { explainCommand } from './commands/explain.ts';
import { EXIT } from './exit.ts';
import { processIO, type CliIO } from './io.ts';

export const USAGE = `flowc ${COMPILER_VERSION} — compile .flow pipelines into TypeScript processors

usage:
  flowc check <file.flow>... [--format text|json]   check, report every diagnostic
  flowc compile <file.flow>... [--out dir] [--check] write <dir>/<name>/ (default dir: generated);
                                                     --check fails if it is stale instead
  flowc explain <file.flow> [--format text|mermaid] print the physical plan

exit codes: 0 ok, 1 diagnostics (or stale output), 2 usage`;

const COMMANDS: Record<string, (argv: readonly string[], io: CliIO) => number> = {
  check: checkCommand,
  compile: compileCommand,
  explain: explainCommand,
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
