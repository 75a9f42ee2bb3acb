// Pattern descriptors: a CEP pattern per key, run by an NFA in the runtime.
//
// `match a: cond -> b+: cond -> not c: cond within 30m` is a list of steps. A step binds the records
// it matched under its name (one record, or a list for repeated steps); a negated step binds
// nothing: the match completes when no record satisfies it within its `within` of the previous
// step (an absence, detected by a timer).
import type { DurationMillis, EpochMillis, TimeDomain } from './time.ts';

/** `+` = {1,∞}, `*` = {0,∞}, `?` = {0,1}, `{n}`, `{n,}`, `{n,m}`; `max === null`: unbounded. */
export interface Quantifier {
  readonly min: number;
  readonly max: number | null;
}

/** A step without a quantifier. */
export const EXACTLY_ONCE: Quantifier = { min: 1, max: 1 };

/**
 * A step condition: the candidate record and the match so far. Only the steps before this one are
 * bound when it runs (the checker rejects references to later steps), so reading `match.later`
 * is a checker bug, not a user error.
 */
export type StepCondition<In, Match> = { check(event: In, match: Match): boolean }['check'];

export interface PatternStep<In, Match> {
  readonly name: string;
  /** An absence: `not name: cond within d`. */
  readonly negated: boolean;
  readonly quantifier: Quantifier;
  /** `null`: any record matches. */
  readonly condition: StepCondition<In, Match> | null;
  /** Bound from the previous step; required on negated steps unless the pattern has a `within`. */
  readonly withinMs: DurationMillis | null;
}

export interface PatternDescriptor<In, Match> {
  readonly steps: readonly PatternStep<In, Match>[];
  /** The whole match must complete within this time of its first step; `null`: no bound. */
  readonly withinMs: DurationMillis | null;
  readonly time: TimeDomain;
}

/** `match`: the pattern completed; `timeout`: a `within` expired first and the partial match was discarded. */
export type PatternCompletionKind = 'match' | 'timeout';

/** What the runtime knows about a completed match besides its bindings. */
export interface PatternCompletion {
  /** The pattern key the match ran under; `null` for an unkeyed pattern. */
  readonly key: string | null;
  /** Time of the first step's record. */
  readonly startedAt: EpochMillis;
  /** Time of the last step's record, or when an absence's `within` expired. */
  readonly completedAt: EpochMillis;
  /** Set by the runtime on everything it reports; absent is read as `match`. */
  readonly kind?: PatternCompletionKind;
}

/**
 * A partial match that a `within` discarded (the pattern's, from the first step, or a step's, from
 * the step before). It is not an alert: the runtime counts it (`dropped('pattern_timeout')`) and
 * hands it to an observer if one is installed. `completedAt` is the instant the bound expired.
 */
export interface PatternTimeout<Match> extends PatternCompletion {
  readonly kind: 'timeout';
  /** `pattern`: the pattern's `within` expired; `step`: every step that could still come was past its own `within`. */
  readonly bound: 'pattern' | 'step';
  /** The bindings of the partial match (steps not reached are `null`). */
  readonly partial: { readonly [Step in keyof Match]: Match[Step] | null };
}

/** How a quantifier reads in `.flow` syntax (for explain output and messages). */
export function quantifierText(q: Quantifier): string {
  if (q.min === 1 && q.max === 1) return '';
  if (q.min === 1 && q.max === null) return '+';
  if (q.min === 0 && q.max === null) return '*';
  if (q.min === 0 && q.max === 1) return '?';
  if (q.max === q.min) return `{${q.min}}`;
  return q.max === null ? `{${q.min},}` : `{${q.min},${q.max}}`;
}
