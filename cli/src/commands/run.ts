// `flowc run <file.flow>`: compiles the pipeline (writing generated/<name>/ when stale) and runs it
// embedded — in-process log fed by the simulator, embedded time-series store, dashboard hub on one
// port, checkpoints in a state dir. See cli/src/run/runner.ts for what a run does.
import { EXIT } from '../exit.ts';
import { processIO, readSource, type CliIO } from '../io.ts';
import { parseRunOptions } from '../run/options.ts';
import { loadPipeline } from '../run/pipeline.ts';
import { runEmbedded } from '../run/runner.ts';
import { lineTerminal, processTerminal } from '../run/status.ts';

export async function runCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const options = parseRunOptions(argv);
  const text = readSource(io, options.file);
  if (text === null) return EXIT.usage;
  const pipeline = await loadPipeline(io, options.file, text);
  if (pipeline === null) return EXIT.diagnostics;
  const terminal = io === processIO ? processTerminal() : lineTerminal(io);
  try {
    return await runEmbedded(io, terminal, options, pipeline);
  } catch (error) {
    io.stderr(`flowc run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT.diagnostics;
  }
}
