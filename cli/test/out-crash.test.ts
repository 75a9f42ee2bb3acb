// Crash safety of `flowc run --out` (issue 8, item 6): a replay with --out and --state-dir is
// killed with SIGKILL at random moments — among them the instant a checkpoint file lands, the
// moment the old code lost rows (it flushed --out only after the checkpoint was committed) — and
// restarted with the same arguments until it completes. 20 kills in all, over as many kill chains
// (a fresh state dir and --out file each) as the input allows. Each chain's --out file must be a
// changelog that, deduplicated, equals an uninterrupted run's: the last line of every row key
// (`stream` + `rowKey`; a row whose last line is `-D` is gone), and the appends (lines without a
// row key: alerts) as a set of whole lines. Duplicates are allowed (at least once); a missing row,
// a row with another final value, or a line that does not parse is not.
//
// Every stream is compared. A replay's processing time is the replay clock (the event time of each
// poll's last record; cli/src/run/README.md), and a resumed replay polls the file in the same
// batches from the checkpointed offset, so processing-time windows (realtime, session_health,
// bounces) are deterministic across restarts too.
//
// FLOWC_CRASH_SEED=<n> replays another kill schedule (the seed is in every failure message);
// FLOWC_CRASH_KILLS=<n> kills more (or fewer) times.
import { watch, type FSWatcher } from 'node:fs';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSampleJsonl } from '../../runtime/src/simulator/index.ts';
import { prng } from '../../runtime/test/aggregates/support.ts';
import { flowc, killAll } from './support/flowc-process.ts';

const KILLS = Number(process.env.FLOWC_CRASH_KILLS ?? 20);
/** Two kill chains run side by side (and the uninterrupted run beside them): most of a run is its start-up. */
const WORKERS = 2;
const EVENTS = 20_000;
const SEED = Number(process.env.FLOWC_CRASH_SEED ?? 20_240_101);
const CHECKPOINT_FILE = /^checkpoint-\d{20}\.json$/;

/** Where a run is killed. */
type KillPlan =
  /** The instant its `nth` checkpoint file appears (renamed into place: the checkpoint is saved). */
  | { readonly kind: 'at-checkpoint'; readonly nth: number }
  /** `delayMs` after its `nth` checkpoint: processing, flushing --out, or saving the next one. */
  | { readonly kind: 'after-checkpoint'; readonly nth: number; readonly delayMs: number }
  /** `delayMs` after the engine started (restoring, the first polls, usually before any checkpoint). */
  | { readonly kind: 'after-start'; readonly delayMs: number };


function describePlan(plan: KillPlan): string {
  switch (plan.kind) {
    case 'at-checkpoint':
      return `at checkpoint ${plan.nth}`;
    case 'after-checkpoint':
      return `${plan.delayMs} ms after checkpoint ${plan.nth}`;
    case 'after-start':
      return `${plan.delayMs} ms after start`;
  }
}

function planKill(next: () => number): KillPlan {
  const r = next();
  const nth = 1 + Math.floor(next() * 2);
  if (r < 0.45) return { kind: 'at-checkpoint', nth };
  if (r < 0.85) return { kind: 'after-checkpoint', nth, delayMs: Math.floor(next() * 250) };
  return { kind: 'after-start', delayMs: Math.floor(next() * 400) };
}

/** Runs `flowc run <args>` once; kills it as `plan` says. `killed`: it died by our SIGKILL; `completed`: it exited 0. */
/** Resumed runs that found a torn last line in --out (a kill in the middle of a write) and cut it off. */
let tornTails = 0;

async function runOnce(args: readonly string[], stateDir: string, plan: KillPlan | null): Promise<'killed' | 'completed'> {
  const checkpoints = join(stateDir, 'checkpoints');
  mkdirSync(checkpoints, { recursive: true });
  const seen = new Set(readdirSync(checkpoints));
  const run = flowc(['run', ...args]);
  let sent = false;
  const kill = (): void => {
    if (sent || run.child.exitCode !== null) return;
    sent = true;
    run.child.kill('SIGKILL');
  };
  let timer: NodeJS.Timeout | null = null;
  let watcher: FSWatcher | null = null;
  if (plan !== null && plan.kind !== 'after-start') {
    let landed = 0;
    watcher = watch(checkpoints, (_event, name) => {
      if (name === null || !CHECKPOINT_FILE.test(name) || seen.has(name) || !existsSync(join(checkpoints, name))) return;
      seen.add(name);
      if (++landed !== plan.nth) return;
      if (plan.kind === 'at-checkpoint') kill();
      else timer = setTimeout(kill, plan.delayMs);
    });
  } else if (plan !== null) {
    run.waitFor(/ {2}--out: /, 120_000).then(
      () => (timer = setTimeout(kill, plan.delayMs)),
      () => undefined,
    );
  }
  const exit = await run.exited;
  if (/a torn last line of \d+ bytes was cut off/.test(run.output())) tornTails++;
  watcher?.close();
  if (timer !== null) clearTimeout(timer);
  if (sent && exit.signal === 'SIGKILL') return 'killed';
  if (exit.code !== 0) throw new Error(`flowc run ${args.join(' ')} exited ${exit.code ?? exit.signal}:\n${run.output()}\n${exit.stderr}`);
  expect(run.output()).toMatch(/stopped \(end of input\)/);
  return 'completed';
}

interface Table {
  /** `stream rowKey` → the row's last line, for rows whose last line is not `-D`. */
  readonly rows: Map<string, string>;
  /** Lines without a row key (appends), deduplicated. */
  readonly appends: Set<string>;
  /** How many append lines were repeats (0 in an uninterrupted run). */
  readonly repeatedAppends: number;
  readonly lines: number;
}

/** The final table of an --out changelog: the last line per row key, `-D` dropped; appends as a set. */
function finalTable(path: string): Table {
  const rows = new Map<string, string>();
  const appends = new Set<string>();
  let repeatedAppends = 0;
  const lines = readFileSync(path, 'utf8').split('\n');
  expect(lines.pop(), `${path} ends with a newline`).toBe('');
  for (const line of lines) {
    const record = JSON.parse(line) as { stream: string; time: string | null; key: string | null; change?: string; rowKey?: string; value: unknown };
    expect(record.change, 'update-before lines are not written').not.toBe('-U');
    if (record.rowKey === undefined) {
      expect(record.change, 'a line with a change has a row key').toBeUndefined();
      if (appends.has(line)) repeatedAppends++;
      appends.add(line);
      continue;
    }
    const id = `${record.stream} ${record.rowKey}`;
    // Keyed by row: a later line replaces an earlier one; `-D` removes the row.
    rows.delete(id);
    if (record.change !== '-D') rows.set(id, line);
  }
  return { rows, appends, repeatedAppends, lines: lines.length };
}

/** How two tables differ: counts, and the first few differences (for the failure message). */
function differences(expected: Table, actual: Table): string | null {
  const missing: string[] = [];
  const changed: string[] = [];
  const extra: string[] = [];
  for (const [id, line] of expected.rows) {
    const got = actual.rows.get(id);
    if (got === undefined) missing.push(`missing row ${id}: ${line}`);
    else if (got !== line) changed.push(`row ${id} differs:\n  expected ${line}\n  got      ${got}`);
  }
  for (const [id, line] of actual.rows) if (!expected.rows.has(id)) extra.push(`extra row ${id}: ${line}`);
  for (const line of expected.appends) if (!actual.appends.has(line)) missing.push(`missing append ${line}`);
  for (const line of actual.appends) if (!expected.appends.has(line)) extra.push(`extra append ${line}`);
  if (missing.length + changed.length + extra.length === 0) return null;
  return [`${missing.length} missing, ${changed.length} different, ${extra.length} extra`, ...missing.slice(0, 3), ...changed.slice(0, 3), ...extra.slice(0, 3)].join('\n');
}

let work = '';
let events = '';
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'flowc-out-crash-'));
  events = join(work, 'events.jsonl');
  await writeSampleJsonl(events, EVENTS, 5, { malformed: { fraction: 0.01 }, outOfOrder: { fraction: 0.05, maxDelayMs: 3000 } });
});

afterAll(() => {
  killAll();
});

describe('flowc run --out, killed with SIGKILL and restarted', () => {
  it(`loses no row: ${KILLS} kills (at and after checkpoints, after starts), every chain's final table equals an uninterrupted run's`, async () => {
    const argsFor = (dir: string): string[] => ['pipelines/website-analytics.flow', '--from', events, '--out', join(dir, 'out.jsonl'), '--state-dir', join(dir, 'state'), '--port', '0', '--checkpoint-interval', '200ms'];
    const started = Date.now();

    // The uninterrupted run, beside the kill chains.
    const baselineDir = join(work, 'baseline');
    const baseline = runOnce(argsFor(baselineDir), join(baselineDir, 'state'), null);

    const next = prng(SEED); // seeded, so that a failing schedule can be replayed
    let killsLeft = KILLS;
    const log: string[] = [];
    const chains: { readonly name: string; readonly dir: string; readonly kills: number; readonly runs: number }[] = [];
    let chainCount = 0;
    const worker = async (): Promise<void> => {
      while (killsLeft > 0) {
        if (chainCount >= 12) throw new Error(`12 chains and still ${killsLeft} kills to go: the runs complete before they are killed\n${log.join('\n')}`);
        const name = `chain-${++chainCount}`;
        const dir = join(work, name);
        let kills = 0;
        let runs = 0;
        for (;;) {
          // A kill is reserved before the run and given back if the run completes first.
          const plan = killsLeft > 0 ? planKill(next) : null;
          if (plan !== null) killsLeft--;
          runs++;
          const outcome = await runOnce(argsFor(dir), join(dir, 'state'), plan);
          log.push(`${name} run ${runs}: ${plan === null ? 'not killed' : describePlan(plan)} → ${outcome}`);
          if (outcome === 'killed') {
            kills++;
            continue;
          }
          if (plan !== null) killsLeft++;
          break;
        }
        chains.push({ name, dir, kills, runs });
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, () => worker()));
    expect(await baseline).toBe('completed');

    const context = `seed ${SEED} (FLOWC_CRASH_SEED replays it)\n${log.join('\n')}`;
    const expected = finalTable(join(baselineDir, 'out.jsonl'));
    expect(expected.repeatedAppends, 'an uninterrupted run writes every alert once').toBe(0);
    expect(expected.rows.size).toBeGreaterThan(1000);
    expect(expected.appends.size).toBeGreaterThan(100);
    for (const stream of ['sessions', 'realtime', 'session_health', 'business', 'popular_pages', 'geography', 'funnel', 'bounces']) {
      expect([...expected.rows.keys()].some((id) => id.startsWith(`${stream} `)), `${stream} rows in the uninterrupted run`).toBe(true);
    }
    for (const chain of chains) {
      const actual = finalTable(join(chain.dir, 'out.jsonl'));
      const diff = differences(expected, actual);
      if (diff !== null) expect.fail(`${chain.name} (${chain.kills} kills, ${actual.lines} lines for ${expected.lines}): ${diff}\n${context}`);
    }
    expect(chains.reduce((n, c) => n + c.kills, 0), context).toBe(KILLS);
    console.log(`out-crash: ${KILLS} kills over ${chains.length} chains (${chains.map((c) => `${c.kills} kills/${c.runs} runs`).join(', ')}) in ${((Date.now() - started) / 1000).toFixed(1)} s; ${tornTails} torn last lines cut off\n${log.join('\n')}`);
  }, 480_000);
});
