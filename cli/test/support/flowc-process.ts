// `flowc run` as a real child process, for the tests that run it as users do: its stdout, a wait
// for a line, its exit. Every process started here is killed when the test file ends (`killAll`).
import { spawn, type ChildProcess } from 'node:child_process';

export const REPO = new URL('../../../', import.meta.url).pathname;

export interface FlowcProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in stdout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly stderr: string }>;
}

const live = new Set<ChildProcess>();

/** `node bin/flowc.js <args>` in `cwd` (the repo by default). */
export function flowc(args: readonly string[], cwd: string = REPO): FlowcProcess {
  const child = spawn(process.execPath, [`${REPO}bin/flowc.js`, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let stdout = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    for (const w of [...waiters]) w();
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => {
      live.delete(child);
      for (const w of [...waiters]) w();
      resolve({ code, signal, stderr });
    }),
  );
  return {
    child,
    output: () => stdout,
    exited,
    waitFor: (pattern, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${pattern} in ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`)), timeoutMs);
        const check = (): void => {
          const match = pattern.exec(stdout);
          if (match !== null) {
            clearTimeout(timer);
            waiters.splice(waiters.indexOf(check), 1);
            resolve(match);
          } else if (child.exitCode !== null) {
            clearTimeout(timer);
            waiters.splice(waiters.indexOf(check), 1);
            reject(new Error(`exited (${child.exitCode}) without ${pattern}; stdout:\n${stdout}\nstderr:\n${stderr}`));
          }
        };
        waiters.push(check);
        check();
      }),
  };
}

/** Stops a run with SIGINT (it takes a last checkpoint) and waits for it, SIGKILL after `graceMs`. */
export async function stop(run: FlowcProcess, graceMs = 15_000): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return;
  run.child.kill('SIGINT');
  const timer = setTimeout(() => run.child.kill('SIGKILL'), graceMs);
  await run.exited;
  clearTimeout(timer);
}

export function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}
