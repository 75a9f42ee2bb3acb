// A pattern descriptor compiled into the tables the NFA walks: for each step, which positive steps
// a run may move to once the step is satisfied (skipping steps that may match nothing), the first
// absence it must go through, and whether the rest of the pattern can complete without records.
import type { DurationMillis, PatternDescriptor, StepCondition, TimeDomain } from '../../api/index.ts';

/** A step as the NFA sees it. */
export interface ProgramStep<In, Match> {
  readonly index: number;
  readonly name: string;
  readonly negated: boolean;
  readonly min: number;
  /** `null`: unbounded. */
  readonly max: number | null;
  /**
   * Counts at or above this behave alike (unbounded steps past their minimum), so runs store the
   * count capped here and runs differing only above it are the same run.
   */
  readonly countCap: number;
  readonly condition: StepCondition<In, Match> | null;
  /** The step's own `within`, from the step before. */
  readonly withinMs: DurationMillis | null;
  /**
   * The positive steps a run can bind its next record to once this step is satisfied: the next
   * step, and the ones after it while the steps in between may match nothing; never past an
   * absence. Furthest first (the order runs are preferred in).
   */
  readonly advance: readonly number[];
  /** The absence reached once this step is satisfied (skipping steps that may match nothing), or -1. */
  readonly absenceAfter: number;
  /** Every later step is positive and may match nothing: a run satisfying this step is complete. */
  readonly completesAfter: boolean;
}

export interface PatternProgram<In, Match> {
  readonly steps: readonly ProgramStep<In, Match>[];
  /** The steps a record can start a match at (the first, and later ones while the earlier may be empty), furthest first. */
  readonly startTargets: readonly number[];
  readonly withinMs: DurationMillis | null;
  readonly time: TimeDomain;
  /** The names of the positive steps: the fields of the match object. */
  readonly bound: readonly string[];
}

/** A pattern the runtime cannot run (the checker rejects all of these; this guards hand-built topologies). */
export class PatternDefinitionError extends Error {
  override readonly name = 'PatternDefinitionError';
}

export function compilePattern<In, Match>(pattern: PatternDescriptor<In, Match>): PatternProgram<In, Match> {
  const raw = pattern.steps;
  if (raw.length === 0) throw new PatternDefinitionError('a pattern needs at least one step');
  if (pattern.withinMs !== null) positive(pattern.withinMs, 'the pattern `within`');
  const names = new Set<string>();
  raw.forEach((step, index) => {
    if (names.has(step.name)) throw new PatternDefinitionError(`duplicate step \`${step.name}\``);
    names.add(step.name);
    const { min, max } = step.quantifier;
    if (!Number.isInteger(min) || min < 0) throw new PatternDefinitionError(`step \`${step.name}\`: bad minimum ${min}`);
    if (max !== null && (!Number.isInteger(max) || max < 1 || max < min)) {
      throw new PatternDefinitionError(`step \`${step.name}\`: bad maximum ${max}`);
    }
    if (step.withinMs !== null) positive(step.withinMs, `the \`within\` of step \`${step.name}\``);
    if (step.negated) {
      if (index === 0) throw new PatternDefinitionError(`the first step \`${step.name}\` cannot be negated`);
      if (min !== 1 || max !== 1) throw new PatternDefinitionError(`negated step \`${step.name}\` cannot have a quantifier`);
      if (step.withinMs === null && pattern.withinMs === null) {
        throw new PatternDefinitionError(`negated step \`${step.name}\` needs a \`within\` of its own or of the pattern`);
      }
    }
  });

  const satisfiedBy = (index: number): boolean => {
    const step = raw[index];
    return step !== undefined && !step.negated && step.quantifier.min === 0;
  };
  /** Positive steps reachable after `from` (exclusive), furthest first. */
  const advanceFrom = (from: number): number[] => {
    const targets: number[] = [];
    for (let j = from + 1; j < raw.length; j++) {
      const step = raw[j];
      if (step === undefined || step.negated) break;
      targets.push(j);
      if (step.quantifier.min > 0) break;
    }
    return targets.reverse();
  };
  const absenceFrom = (from: number): number => {
    for (let j = from + 1; j < raw.length; j++) {
      const step = raw[j];
      if (step === undefined) break;
      if (step.negated) return j;
      if (step.quantifier.min > 0) return -1;
    }
    return -1;
  };
  const completesFrom = (from: number): boolean => {
    for (let j = from + 1; j < raw.length; j++) if (!satisfiedBy(j)) return false;
    return true;
  };

  const steps = raw.map((step, index): ProgramStep<In, Match> => ({
    index,
    name: step.name,
    negated: step.negated,
    min: step.quantifier.min,
    max: step.quantifier.max,
    countCap: step.quantifier.max ?? Math.max(step.quantifier.min, 1),
    condition: step.condition,
    withinMs: step.withinMs,
    advance: advanceFrom(index),
    absenceAfter: absenceFrom(index),
    completesAfter: completesFrom(index),
  }));
  return {
    steps,
    startTargets: advanceFrom(-1),
    withinMs: pattern.withinMs,
    time: pattern.time,
    bound: steps.filter((s) => !s.negated).map((s) => s.name),
  };
}

function positive(ms: DurationMillis, what: string): void {
  if (!(ms > 0) || !Number.isFinite(ms)) throw new PatternDefinitionError(`${what} must be a positive duration, got ${ms}`);
}
