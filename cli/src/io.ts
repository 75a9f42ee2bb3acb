// Where the CLI writes and reads; tests pass their own to capture output.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface CliIO {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export const processIO: CliIO = {
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** Reads a .flow file, or reports why it cannot (as a usage error: exit 2). */
export function readSource(io: CliIO, path: string): string | null {
  try {
    return readFileSync(resolve(io.cwd, path), 'utf8');
  } catch (error) {
    io.stderr(`flowc: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    return null;
  }
}
