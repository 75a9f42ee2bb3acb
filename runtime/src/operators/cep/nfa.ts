// The NFA of one key: pure transitions over the run state (state.ts), one timeline item at a time.
// The processor decides the order of the timeline (records in (time, seq) order, a deadline after
// the records at its own time); this module decides what each item does to the match in progress.
//
// A match in progress is a set of branches: the ways its records can be bound to the steps so far.
// A record that satisfies several transitions of a branch forks it (advance to a later step, or
// repeat the current one); a record satisfying none leaves the branch as it is (relaxed
// contiguity). The first branch to complete wins (earliest completion; between branches completing
// on the same item, the most preferred: the one that, at the first record where they differ, bound
// it to the later step) and the whole match ends. README.md states the semantics in full.
import type { EpochMillis } from '../../api/index.ts';
import type { PatternProgram, ProgramStep } from './program.ts';
import type { Bindings, Branch, RunState, TimedRecord } from './state.ts';

/** How a match in progress ended. */
export type Outcome<In> =
  | {
      readonly kind: 'match';
      readonly bindings: Bindings<In>;
      readonly startedAt: EpochMillis;
      readonly completedAt: EpochMillis;
      /** The record that completed it; `null` when an absence's deadline did. */
      readonly record: TimedRecord<In> | null;
    }
  | {
      readonly kind: 'timeout';
      readonly bindings: Bindings<In>;
      readonly startedAt: EpochMillis;
      readonly completedAt: EpochMillis;
      readonly bound: 'pattern' | 'step';
    }
  | {
      /** Every branch was killed by a record its absence forbids. */
      readonly kind: 'abandoned';
      readonly startedAt: EpochMillis;
      readonly at: EpochMillis;
    };

export interface Transition<In> {
  readonly run: RunState<In> | null;
  readonly outcome: Outcome<In> | null;
  /** Branches dropped because the run exceeded the branch limit. */
  readonly pruned: number;
}

/** A record that changed nothing (shared: transitions are read-only). */
const NOTHING: Transition<never> = Object.freeze({ run: null, outcome: null, pruned: 0 });

type Closure<In> = { readonly complete: Branch<In> } | { readonly branches: Branch<In>[] };

export class PatternMachine<In, Match> {
  readonly #program: PatternProgram<In, Match>;
  readonly #steps: readonly ProgramStep<In, Match>[];
  readonly #within: number | null;
  readonly #maxBranches: number;
  readonly #empty: Bindings<In>;
  readonly #noSeqs: readonly number[];

  constructor(program: PatternProgram<In, Match>, maxBranches: number) {
    this.#program = program;
    this.#steps = program.steps;
    this.#within = program.withinMs;
    this.#maxBranches = maxBranches;
    const empty: { [step: string]: In | null } = {};
    for (const name of program.bound) empty[name] = null;
    this.#empty = empty;
    this.#noSeqs = program.steps.map(() => -1);
  }

  /** The bindings of a match that has bound nothing yet: every positive step `null`. */
  get emptyBindings(): Bindings<In> {
    return this.#empty;
  }

  /** A record: starts a match when none is in progress, else advances the one in progress. */
  onRecord(run: RunState<In> | null, record: TimedRecord<In>): Transition<In> {
    return run === null ? this.#start(record) : this.#advance(run, record);
  }

  /**
   * The next instant the run changes without a record: an absence's deadline, or when a branch
   * can no longer progress (its `within` bounds passed). `null`: only records can change it.
   */
  nextDeadline(run: RunState<In>): EpochMillis | null {
    let next: EpochMillis | null = null;
    for (const branch of run.branches) {
      const expiry = this.#expiry(branch, run.startedAt);
      const at = branch.phase === 'absent' ? Math.min(branch.deadline, expiry ?? Infinity) : expiry;
      if (at !== null && (next === null || at < next)) next = at;
    }
    return next;
  }

  /**
   * Time `at` has passed (every record at or before it has been processed): confirms the absences
   * due at `at` (most preferred branch first; the first to complete wins), then drops the branches
   * whose bounds expired at or before `at`. A run left with no branch this way is a timeout.
   */
  onDeadline(run: RunState<In>, at: EpochMillis): Transition<In> {
    const kept = new Branches<In>(this.#maxBranches);
    for (const branch of run.branches) {
      if (branch.phase === 'absent' && branch.deadline <= at) {
        const closure = this.#confirm(branch, branch.deadline, run.startedAt);
        if ('complete' in closure) return this.#matched(run.startedAt, closure.complete.bindings, branch.deadline, null);
        kept.addAll(closure.branches);
      } else {
        kept.add(branch);
      }
    }
    const survivors: Branch<In>[] = [];
    let firstExpired: Branch<In> | null = null;
    for (const branch of kept.list) {
      const expiry = this.#expiry(branch, run.startedAt);
      if (expiry !== null && expiry <= at) firstExpired ??= branch;
      else survivors.push(branch);
    }
    if (survivors.length > 0) return { run: { startedAt: run.startedAt, branches: survivors }, outcome: null, pruned: kept.pruned };
    const bindings = firstExpired?.bindings ?? this.#empty;
    const bound = this.#within !== null && at >= run.startedAt + this.#within ? 'pattern' : 'step';
    return { run: null, outcome: { kind: 'timeout', bindings, startedAt: run.startedAt, completedAt: at, bound }, pruned: kept.pruned };
  }

  #start(record: TimedRecord<In>): Transition<In> {
    // Most records start nothing: no allocation until one does.
    let branches: Branches<In> | null = null;
    for (const target of this.#program.startTargets) {
      if (!this.#test(target, record.value, this.#empty)) continue;
      const bound = this.#bind(this.#empty, this.#noSeqs, target, record);
      const child: Branch<In> = { phase: 'take', step: target, count: 1, enter: null, last: record.time, deadline: 0, ...bound };
      const closure = this.#close(child, record.time);
      if ('complete' in closure) return this.#matched(record.time, closure.complete.bindings, record.time, record);
      branches ??= new Branches<In>(this.#maxBranches);
      branches.addAll(closure.branches);
    }
    if (branches === null || branches.list.length === 0) return NOTHING as Transition<In>;
    return { run: { startedAt: record.time, branches: branches.list }, outcome: null, pruned: branches.pruned };
  }

  #advance(run: RunState<In>, record: TimedRecord<In>): Transition<In> {
    const next = new Branches<In>(this.#maxBranches);
    const t = record.time;
    const start = run.startedAt;
    let changed = false;
    for (const branch of run.branches) {
      if (branch.phase === 'absent') {
        // A record its absence forbids, before the deadline, kills the branch.
        if (!this.#test(branch.step, record.value, branch.bindings)) next.add(branch);
        else changed = true;
        continue;
      }
      if (this.#within !== null && t - start > this.#within) {
        next.add(branch);
        continue;
      }
      let forked = false;
      const current = this.#steps[branch.step] as ProgramStep<In, Match>;
      if (branch.phase === 'done' || branch.count >= current.min) {
        for (const target of current.advance) {
          const step = this.#steps[target] as ProgramStep<In, Match>;
          if (step.withinMs !== null && t - branch.last > step.withinMs) continue;
          if (!this.#test(target, record.value, branch.bindings)) continue;
          forked = true;
          const bound = this.#bind(branch.bindings, branch.seqs, target, record);
          const child: Branch<In> = { phase: 'take', step: target, count: 1, enter: branch.last, last: t, deadline: 0, ...bound };
          const closure = this.#close(child, start);
          if ('complete' in closure) return this.#matched(start, closure.complete.bindings, t, record);
          next.addAll(closure.branches);
        }
      }
      if (branch.phase === 'take' && (current.max === null || branch.count < current.max)) {
        const late = current.withinMs !== null && branch.enter !== null && t - branch.enter > current.withinMs;
        if (!late && this.#test(branch.step, record.value, branch.bindings)) {
          forked = true;
          const bound = this.#bind(branch.bindings, branch.seqs, branch.step, record);
          const count = Math.min(branch.count + 1, current.countCap);
          const child: Branch<In> = { phase: 'take', step: branch.step, count, enter: branch.enter, last: t, deadline: 0, ...bound };
          const closure = this.#close(child, start);
          if ('complete' in closure) return this.#matched(start, closure.complete.bindings, t, record);
          next.addAll(closure.branches);
        }
      }
      if (forked) changed = true;
      else next.add(branch);
    }
    if (!changed) return { run, outcome: null, pruned: 0 };
    if (next.list.length === 0) return { run: null, outcome: { kind: 'abandoned', startedAt: start, at: t }, pruned: next.pruned };
    return { run: { startedAt: start, branches: next.list }, outcome: null, pruned: next.pruned };
  }

  /**
   * What a branch that just bound a record to its (positive) step becomes: complete, or itself
   * (when it can still repeat or advance) preceded by the absence it enters when satisfied.
   */
  #close(branch: Branch<In>, startedAt: EpochMillis): Closure<In> {
    const step = this.#steps[branch.step] as ProgramStep<In, Match>;
    const satisfied = branch.count >= step.min;
    if (satisfied && step.completesAfter) return { complete: branch };
    const out: Branch<In>[] = [];
    if (satisfied && step.absenceAfter >= 0) out.push(this.#enterAbsence(branch, step.absenceAfter, branch.last, startedAt));
    const canRepeat = step.max === null || branch.count < step.max;
    if (canRepeat || (satisfied && step.advance.length > 0)) out.push(branch);
    return { branches: out };
  }

  /** An absence confirmed at `at`: complete, or on to the next absence and/or the positive steps after it. */
  #confirm(branch: Branch<In>, at: EpochMillis, startedAt: EpochMillis): Closure<In> {
    const step = this.#steps[branch.step] as ProgramStep<In, Match>;
    if (step.completesAfter) return { complete: branch };
    const done: Branch<In> = { ...branch, phase: 'done', count: 0, enter: null, last: at, deadline: 0 };
    const out: Branch<In>[] = [];
    if (step.absenceAfter >= 0) {
      const absent = this.#enterAbsence(done, step.absenceAfter, at, startedAt);
      if (absent.deadline <= at) {
        // An absence with nothing left to wait for (its bound is the pattern's, already reached).
        const closure = this.#confirm(absent, absent.deadline, startedAt);
        if ('complete' in closure) return closure;
        out.push(...closure.branches);
      } else {
        out.push(absent);
      }
    }
    if (step.advance.length > 0) out.push(done);
    return { branches: out };
  }

  #enterAbsence(branch: Branch<In>, absence: number, anchor: EpochMillis, startedAt: EpochMillis): Branch<In> {
    const step = this.#steps[absence] as ProgramStep<In, Match>;
    // compilePattern guarantees one of the two bounds.
    const deadline = step.withinMs !== null ? anchor + step.withinMs : startedAt + (this.#within ?? 0);
    return { phase: 'absent', step: absence, count: 0, enter: null, last: anchor, deadline, bindings: branch.bindings, seqs: branch.seqs };
  }

  /**
   * When a branch can no longer progress: the pattern's bound, or the latest of the `within`
   * bounds of the transitions it could still take (an absence waiting for its deadline only
   * expires by the pattern's bound). `null`: never.
   */
  #expiry(branch: Branch<In>, startedAt: EpochMillis): EpochMillis | null {
    const patternBound = this.#within === null ? Infinity : startedAt + this.#within;
    if (branch.phase === 'absent') return branch.deadline > patternBound ? patternBound : null;
    const current = this.#steps[branch.step] as ProgramStep<In, Match>;
    // A branch with no transition left would expire at once; #close and #confirm never keep one.
    let latest = branch.last;
    if (branch.phase === 'take' && (current.max === null || branch.count < current.max)) {
      latest = current.withinMs === null || branch.enter === null ? Infinity : branch.enter + current.withinMs;
    }
    if (branch.phase === 'done' || branch.count >= current.min) {
      for (const target of current.advance) {
        const within = (this.#steps[target] as ProgramStep<In, Match>).withinMs;
        latest = Math.max(latest, within === null ? Infinity : branch.last + within);
      }
    }
    const expiry = Math.min(latest, patternBound);
    return Number.isFinite(expiry) ? expiry : null;
  }

  #test(step: number, value: In, bindings: Bindings<In>): boolean {
    const condition = (this.#steps[step] as ProgramStep<In, Match>).condition;
    return condition === null || condition(value, bindings as unknown as Match);
  }

  #bind(bindings: Bindings<In>, seqs: readonly number[], step: number, record: TimedRecord<In>): Pick<Branch<In>, 'bindings' | 'seqs'> {
    const name = (this.#steps[step] as ProgramStep<In, Match>).name;
    const nextSeqs = seqs.slice();
    nextSeqs[step] = record.seq;
    return { bindings: { ...bindings, [name]: record.value }, seqs: nextSeqs };
  }

  #matched(startedAt: EpochMillis, bindings: Bindings<In>, at: EpochMillis, record: TimedRecord<In> | null): Transition<In> {
    return { run: null, outcome: { kind: 'match', bindings, startedAt, completedAt: at, record }, pruned: 0 };
  }
}

/** The branches of a run in preference order, without duplicates, at most `limit` of them. */
class Branches<In> {
  readonly list: Branch<In>[] = [];
  pruned = 0;
  /** Identities of the listed branches; built once there are two (a lone branch has no duplicate). */
  #seen: Set<string> | null = null;
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  add(branch: Branch<In>): void {
    const first = this.list[0];
    if (first === undefined) {
      this.list.push(branch);
      return;
    }
    // Two branches in the same place with the same bindings have the same future: keep the preferred.
    this.#seen ??= new Set([identity(first)]);
    const id = identity(branch);
    if (this.#seen.has(id)) return;
    if (this.list.length >= this.#limit) {
      this.pruned++;
      return;
    }
    this.#seen.add(id);
    this.list.push(branch);
  }

  addAll(branches: readonly Branch<In>[]): void {
    for (const b of branches) this.add(b);
  }
}

function identity<In>(b: Branch<In>): string {
  return `${b.phase}|${b.step}|${b.count}|${b.enter}|${b.last}|${b.deadline}|${b.seqs.join(',')}`;
}
