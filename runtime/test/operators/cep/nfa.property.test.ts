// Property tests of the pattern operator against a brute-force oracle.
//
// Random patterns (1–4 steps: quantifiers, absences, conditions on earlier steps, step and pattern
// `within`) run over random keyed event sequences that arrive out of order within the watermark
// bound (plus a few late ones). The oracle knows nothing of buffers, watermarks-as-calls, timers,
// stores or branch sets: it sorts each key's accepted events by time and enumerates, depth first,
// every way the match started by a record can bind the records that follow (README.md,
// "Semantics"), then picks the outcome the semantics prescribe: the earliest completion (ties: the
// first path in preference order); with none, the last path to die decides between a timeout
// (a bound expired) and an abandoned match (an absence was violated).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  boundedWatermark,
  MAX_WATERMARK,
  type PatternCompletion,
  type PatternNode,
  type PatternStep,
  type PatternTimeout,
  type Quantifier,
  type StreamRecord,
} from '../../../src/index.ts';
import { PatternProcessor } from '../../../src/operators/cep/index.ts';
import { OperatorHarness, type TimerOrder } from '../../support/cep-context.ts';

// ───────────── the model ─────────────

type EvType = 'A' | 'B' | 'C';

interface Ev {
  readonly id: string;
  readonly k: string;
  readonly type: EvType;
  readonly v: number;
  readonly t: number;
}

type View = Record<string, Ev | null>;

interface CondSpec {
  readonly types: readonly EvType[];
  /** Compare `v` with the `v` of an earlier positive step. */
  readonly ref: { readonly step: number; readonly op: 'eq' | 'ne' | 'lt' } | null;
}

interface StepSpec {
  readonly name: string;
  readonly negated: boolean;
  readonly q: Quantifier;
  readonly cond: CondSpec;
  readonly within: number | null;
}

interface PatternSpec {
  readonly steps: readonly StepSpec[];
  readonly within: number | null;
}

function conditionOf(spec: PatternSpec, cond: CondSpec): (e: Ev, m: View) => boolean {
  const refName = cond.ref === null ? null : (spec.steps[cond.ref.step] as StepSpec).name;
  const op = cond.ref?.op;
  return (e, m) => {
    if (!cond.types.includes(e.type)) return false;
    if (refName === null) return true;
    const other = m[refName]?.v;
    if (op === 'eq') return e.v === other;
    if (op === 'ne') return e.v !== other;
    return other !== undefined && e.v < other;
  };
}

/** Times and durations on a 5-unit grid, so that records land exactly on deadlines and bounds. */
const grid = (from: number, to: number): fc.Arbitrary<number> => fc.integer({ min: from, max: to }).map((n) => 5 * n);

const QUANTIFIERS: readonly Quantifier[] = [
  { min: 1, max: 1 },
  { min: 1, max: 1 },
  { min: 1, max: null },
  { min: 0, max: null },
  { min: 0, max: 1 },
  { min: 2, max: 2 },
  { min: 2, max: null },
  { min: 1, max: 3 },
];

const rawStepArb = fc.record({
  negated: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  q: fc.constantFrom(...QUANTIFIERS),
  types: fc.subarray<EvType>(['A', 'B', 'C'], { minLength: 1 }),
  ref: fc.option(fc.record({ pick: fc.nat(), op: fc.constantFrom('eq' as const, 'ne' as const, 'lt' as const) }), { freq: 2 }),
  within: fc.option(grid(1, 8), { freq: 2 }),
});

const patternArb: fc.Arbitrary<PatternSpec> = fc
  .record({ steps: fc.array(rawStepArb, { minLength: 1, maxLength: 4 }), within: fc.option(grid(2, 16), { freq: 2 }) })
  .map(({ steps, within }) => ({
    within,
    steps: steps.map((raw, i): StepSpec => {
      const negated = i > 0 && raw.negated;
      const earlier = steps.slice(0, i).flatMap((s, j) => (j === 0 || !s.negated ? [j] : []));
      const ref = raw.ref === null || earlier.length === 0 ? null : { step: earlier[raw.ref.pick % earlier.length] as number, op: raw.ref.op };
      return {
        name: `s${i}`,
        negated,
        q: negated ? { min: 1, max: 1 } : raw.q,
        cond: { types: raw.types, ref },
        within: negated && raw.within === null && within === null ? 15 : raw.within,
      };
    }),
  }));

/** The watermark bound: watermarks (largest time − bound − 1) land on the time grid, so records can sit exactly on them. */
const BOUND = 9;

interface Arrival {
  readonly event: Ev;
  /** Arrival order key: event time plus a delay within the watermark bound (or beyond it: maybe late). */
  readonly arrives: number;
}

const inputArb = fc
  .array(
    fc.record({
      k: fc.constantFrom('k0', 'k1'),
      type: fc.constantFrom<EvType>('A', 'B', 'C'),
      v: fc.integer({ min: 0, max: 2 }),
      t: grid(0, 20),
      delay: fc.integer({ min: 0, max: BOUND }),
      straggler: fc.integer({ min: 0, max: 15 }).map((n) => n === 0),
    }),
    { maxLength: 16 },
  )
  .chain((raw) =>
    fc.record({
      arrivals: fc.constant(
        raw
          .map((r, i): Arrival => ({ event: { id: `e${i}`, k: r.k, type: r.type, v: r.v, t: r.t }, arrives: r.t + r.delay + (r.straggler ? 3 * BOUND : 0) }))
          .sort((a, b) => a.arrives - b.arrives || a.event.id.localeCompare(b.event.id)),
      ),
      cuts: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 16, maxLength: 16 }),
    }),
  );

/** The arrivals cut into batches; a watermark (largest time seen − bound − 1) after each. */
function batchesOf(arrivals: readonly Arrival[], cuts: readonly number[]): Ev[][] {
  const batches: Ev[][] = [];
  let at = 0;
  for (let i = 0; at < arrivals.length; i++) {
    const size = cuts[i % cuts.length] ?? 1;
    batches.push(arrivals.slice(at, at + size).map((a) => a.event));
    at += size;
  }
  return batches;
}

// ───────────── the oracle ─────────────

interface Pos {
  readonly time: number;
  /** 0: a record (at timeline index `seq`), 1: an absence confirmed, 2: a bound expired. */
  readonly phase: 0 | 1 | 2;
  readonly seq: number;
}

type PathEnd =
  | { readonly kind: 'complete'; readonly pos: Pos; readonly bound: readonly (Ev | null)[] }
  | { readonly kind: 'killed'; readonly pos: Pos }
  | { readonly kind: 'expired'; readonly pos: Pos; readonly bound: readonly (Ev | null)[] }
  | { readonly kind: 'forever' };

interface PathState {
  readonly at: number;
  readonly mode: 'take' | 'absent' | 'done';
  readonly count: number;
  readonly enter: number | null;
  readonly last: number;
  readonly deadline: number;
  readonly bound: readonly (Ev | null)[];
}

class TooManyPaths extends Error {}

function comparePos(a: Pos, b: Pos): number {
  return a.time - b.time || a.phase - b.phase || a.seq - b.seq;
}

function describeBound(spec: PatternSpec, bound: readonly (Ev | null)[]): string {
  return spec.steps.flatMap((s, i) => (s.negated ? [] : [`${s.name}=${bound[i]?.id ?? '-'}`])).join(',');
}

interface Expected {
  readonly matches: string[];
  readonly timeouts: string[];
}

function oracle(spec: PatternSpec, batches: readonly Ev[][]): Expected {
  // Lateness, as the source's bounded watermark decides it: judged against the watermark before the batch.
  const accepted: { ev: Ev; order: number }[] = [];
  let watermark = -Infinity;
  let maxSeen = -Infinity;
  let order = 0;
  for (const batch of batches) {
    for (const ev of batch) {
      if (ev.t > watermark) accepted.push({ ev, order });
      order++;
      maxSeen = Math.max(maxSeen, ev.t);
    }
    watermark = Math.max(watermark, maxSeen - BOUND - 1);
  }
  const result: Expected = { matches: [], timeouts: [] };
  for (const key of ['k0', 'k1']) {
    const timeline = accepted
      .filter((a) => a.ev.k === key)
      .sort((a, b) => a.ev.t - b.ev.t || a.order - b.order)
      .map((a) => a.ev);
    oracleKey(spec, key, timeline, result);
  }
  return result;
}

function oracleKey(spec: PatternSpec, key: string, tl: readonly Ev[], result: Expected): void {
  const steps = spec.steps;
  const W = spec.within;
  const conds = steps.map((s) => conditionOf(spec, s.cond));
  const view = (bound: readonly (Ev | null)[], upTo: number): View => {
    const m: View = {};
    for (let j = 0; j < upTo; j++) if (!(steps[j] as StepSpec).negated) m[(steps[j] as StepSpec).name] = bound[j] ?? null;
    return m;
  };
  const step = (j: number): StepSpec => steps[j] as StepSpec;
  const mayBeEmpty = (j: number): boolean => !step(j).negated && step(j).q.min === 0;
  /** Positive steps bindable next after step i is satisfied (skipping empty-able ones, never past an absence), furthest first. */
  const nextPositives = (i: number): number[] => {
    const out: number[] = [];
    for (let j = i + 1; j < steps.length && !step(j).negated; j++) {
      out.unshift(j);
      if (!mayBeEmpty(j)) break;
    }
    return out;
  };
  const nextAbsence = (i: number): number => {
    for (let j = i + 1; j < steps.length; j++) {
      if (step(j).negated) return j;
      if (!mayBeEmpty(j)) return -1;
    }
    return -1;
  };
  const restEmpty = (i: number): boolean => steps.every((_, j) => j <= i || mayBeEmpty(j));

  let from = 0;
  for (;;) {
    // The next record that can start a match.
    let s = from;
    const none: (Ev | null)[] = steps.map(() => null);
    const startTargets = nextPositives(-1);
    while (s < tl.length && !startTargets.some((j) => (conds[j] as (e: Ev, m: View) => boolean)(tl[s] as Ev, view(none, j)))) s++;
    if (s >= tl.length) return;
    const first = tl[s] as Ev;
    const start = first.t;
    const patternEnd = W === null ? Infinity : start + W;
    const ends: PathEnd[] = [];
    const end = (e: PathEnd): void => {
      ends.push(e);
      if (ends.length > 20_000) throw new TooManyPaths();
    };
    const absentAt = (bound: readonly (Ev | null)[], m: number, anchor: number): PathState => ({
      at: m,
      mode: 'absent',
      count: 0,
      enter: null,
      last: anchor,
      deadline: step(m).within !== null ? anchor + (step(m).within as number) : patternEnd,
      bound,
    });
    const expiry = (st: PathState): number | null => {
      let latest = -Infinity;
      const cur = step(st.at);
      if (st.mode === 'take' && (cur.q.max === null || st.count < cur.q.max)) latest = cur.within === null || st.enter === null ? Infinity : st.enter + cur.within;
      if (st.mode === 'done' || st.count >= cur.q.min) {
        for (const j of nextPositives(st.at)) latest = Math.max(latest, step(j).within === null ? Infinity : st.last + (step(j).within as number));
      }
      const e = Math.min(latest, patternEnd);
      return e === Infinity ? null : e;
    };
    const bindThen = (st: PathState, target: number, count: number, enter: number | null, q: number): void => {
      const e = tl[q] as Ev;
      const bound = st.bound.slice();
      bound[target] = e;
      const next: PathState = { at: target, mode: 'take', count, enter, last: e.t, deadline: 0, bound };
      const satisfied = count >= step(target).q.min;
      if (satisfied && restEmpty(target)) {
        end({ kind: 'complete', pos: { time: e.t, phase: 0, seq: q }, bound });
        return;
      }
      if (satisfied && nextAbsence(target) >= 0) go(absentAt(bound, nextAbsence(target), e.t), q + 1);
      const max = step(target).q.max;
      if (max === null || count < max || (satisfied && nextPositives(target).length > 0)) go(next, q + 1);
    };
    const confirm = (st: PathState, at: number, q: number): void => {
      if (restEmpty(st.at)) {
        end({ kind: 'complete', pos: { time: at, phase: 1, seq: 0 }, bound: st.bound });
        return;
      }
      const done: PathState = { at: st.at, mode: 'done', count: 0, enter: null, last: at, deadline: 0, bound: st.bound };
      const m = nextAbsence(st.at);
      if (m >= 0) {
        const next = absentAt(st.bound, m, at);
        if (next.deadline <= at) confirm(next, at, q);
        else go(next, q);
      }
      if (nextPositives(st.at).length > 0) go(done, q);
    };
    const go = (st: PathState, r: number): void => {
      if (st.mode === 'absent') {
        const limit = Math.min(st.deadline, patternEnd);
        let q = r;
        for (; q < tl.length && (tl[q] as Ev).t <= limit; q++) {
          if ((conds[st.at] as (e: Ev, m: View) => boolean)(tl[q] as Ev, view(st.bound, st.at))) {
            end({ kind: 'killed', pos: { time: (tl[q] as Ev).t, phase: 0, seq: q } });
            return;
          }
        }
        if (st.deadline > patternEnd) end({ kind: 'expired', pos: { time: patternEnd, phase: 2, seq: 0 }, bound: st.bound });
        else confirm(st, st.deadline, q);
        return;
      }
      const E = expiry(st);
      const cur = step(st.at);
      for (let q = r; q < tl.length; q++) {
        const e = tl[q] as Ev;
        if (E !== null && e.t > E) break;
        const moves: [number, number, number | null][] = [];
        if (st.mode === 'done' || st.count >= cur.q.min) {
          for (const j of nextPositives(st.at)) {
            const w = step(j).within;
            if (w !== null && e.t - st.last > w) continue;
            if ((conds[j] as (e: Ev, m: View) => boolean)(e, view(st.bound, j))) moves.push([j, 1, st.last]);
          }
        }
        if (st.mode === 'take' && (cur.q.max === null || st.count < cur.q.max)) {
          const late = cur.within !== null && st.enter !== null && e.t - st.enter > cur.within;
          if (!late && (conds[st.at] as (e: Ev, m: View) => boolean)(e, view(st.bound, st.at))) moves.push([st.at, st.count + 1, st.enter]);
        }
        if (moves.length === 0) continue;
        for (const [target, count, enter] of moves) bindThen(st, target, count, enter, q);
        return;
      }
      end(E === null ? { kind: 'forever' } : { kind: 'expired', pos: { time: E, phase: 2, seq: 0 }, bound: st.bound });
    };

    const initial: PathState = { at: -1, mode: 'done', count: 0, enter: null, last: start, deadline: 0, bound: none };
    for (const target of startTargets) {
      if ((conds[target] as (e: Ev, m: View) => boolean)(first, view(none, target))) bindThen(initial, target, 1, null, s);
    }

    let outcomePos: Pos;
    const completions = ends.filter((e): e is Extract<PathEnd, { kind: 'complete' }> => e.kind === 'complete');
    if (completions.length > 0) {
      let best = completions[0] as (typeof completions)[number];
      for (const c of completions) if (comparePos(c.pos, best.pos) < 0) best = c;
      result.matches.push(`${key}|${start}|${best.pos.time}|${describeBound(spec, best.bound)}`);
      outcomePos = best.pos;
    } else if (ends.some((e) => e.kind === 'forever')) {
      return; // the match never ends: no later record of the key can start another
    } else {
      const dead = ends as Exclude<PathEnd, { kind: 'complete' } | { kind: 'forever' }>[];
      let last = dead[0] as (typeof dead)[number];
      for (const d of dead) if (comparePos(d.pos, last.pos) > 0) last = d;
      if (last.kind === 'expired') {
        const bound = W !== null && last.pos.time >= start + W ? 'pattern' : 'step';
        result.timeouts.push(`${key}|${start}|${last.pos.time}|${bound}|${describeBound(spec, last.bound)}`);
      }
      outcomePos = last.pos;
    }
    if (outcomePos.phase === 0) from = outcomePos.seq + 1;
    else {
      from = s + 1;
      while (from < tl.length && (tl[from] as Ev).t <= outcomePos.time) from++;
    }
  }
}

// ───────────── the operator under test ─────────────

function nodeOf(spec: PatternSpec): PatternNode<Ev, View, string> {
  const steps = spec.steps.map(
    (s): PatternStep<Ev, View> => ({ name: s.name, negated: s.negated, quantifier: s.q, condition: conditionOf(spec, s.cond), withinMs: s.within }),
  );
  const positive = spec.steps.filter((s) => !s.negated).map((s) => s.name);
  return {
    kind: 'pattern',
    id: 'prop.pattern',
    name: 'prop',
    stage: 0,
    parallelism: 'partitioned',
    key: (e: Ev) => e.k,
    pattern: { steps, withinMs: spec.within, time: 'event' },
    complete: (match: View, c: PatternCompletion) =>
      `${c.key}|${c.startedAt}|${c.completedAt}|${positive.map((name) => `${name}=${match[name]?.id ?? '-'}`).join(',')}`,
    alert: { alertType: 'PROP', severity: 'low' },
    changelogTopic: 'test-prop-changelog',
  };
}

function describeTimeout(spec: PatternSpec, t: PatternTimeout<View>): string {
  const partial = spec.steps.flatMap((s) => (s.negated ? [] : [`${s.name}=${t.partial[s.name]?.id ?? '-'}`])).join(',');
  return `${t.key}|${t.startedAt}|${t.completedAt}|${t.bound}|${partial}`;
}

interface Observed {
  readonly matches: string[];
  readonly timeouts: string[];
  readonly records: StreamRecord<string>[];
}

/**
 * Runs the operator over the batches. With `checkpointAfter`, the instance is checkpointed after
 * that many batches and thrown away; a fresh instance restores the checkpoint and takes the rest.
 */
async function runOperator(spec: PatternSpec, batches: readonly Ev[][], timerOrder: TimerOrder, checkpointAfter: number | null = null): Promise<Observed> {
  const timeouts: string[] = [];
  const make = (): OperatorHarness<Ev, string> =>
    new OperatorHarness(new PatternProcessor(nodeOf(spec), { onTimeout: (t) => timeouts.push(describeTimeout(spec, t)) }), { timerOrder });
  let h = make();
  await h.init();
  const records: StreamRecord<string>[] = [];
  let maxSeen = -Infinity;
  let lastWatermark = -Infinity;
  for (const [i, batch] of batches.entries()) {
    if (checkpointAfter === i) {
      const checkpoint = h.checkpoint();
      records.push(...h.context.emitted);
      h = make();
      await h.init();
      h.restore(checkpoint);
    }
    h.send(0, batch.map((e) => ({ key: e.k, value: e, timestamp: e.t, partition: 0 })));
    for (const e of batch) maxSeen = Math.max(maxSeen, e.t);
    const wm = boundedWatermark(maxSeen, { kind: 'boundedOutOfOrderness', maxOutOfOrdernessMs: BOUND, idleTimeoutMs: null });
    if (wm > lastWatermark) {
      h.watermark(wm);
      lastWatermark = wm;
    }
  }
  h.watermark(MAX_WATERMARK);
  records.push(...h.context.emitted);
  return { matches: records.map((r) => r.value), timeouts, records };
}

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

describe('PatternProcessor against a brute-force oracle', () => {
  it('emits exactly the matches and timeouts the semantics prescribe', async () => {
    await fc.assert(
      fc.asyncProperty(patternArb, inputArb, fc.constantFrom<TimerOrder>('before', 'after', 'never'), async (spec, input, timerOrder) => {
        const batches = batchesOf(input.arrivals, input.cuts);
        let expected: Expected;
        try {
          expected = oracle(spec, batches);
        } catch (e) {
          if (e instanceof TooManyPaths) return fc.pre(false);
          throw e;
        }
        const observed = await runOperator(spec, batches, timerOrder);
        expect(sorted(observed.matches)).toEqual(sorted(expected.matches));
        expect(sorted(observed.timeouts)).toEqual(sorted(expected.timeouts));
        for (const r of observed.records) expect(r.timestamp).toBe(Number(r.value.split('|')[2]));
      }),
      { numRuns: 3000 },
    );
  });

  it('checkpoint at a random point + restore + replay of the rest == the uninterrupted run', async () => {
    await fc.assert(
      fc.asyncProperty(patternArb, inputArb, fc.nat(), fc.constantFrom<TimerOrder>('before', 'after', 'never'), async (spec, input, cutSeed, timerOrder) => {
        const batches = batchesOf(input.arrivals, input.cuts);
        const whole = await runOperator(spec, batches, timerOrder);
        const cut = batches.length === 0 ? null : cutSeed % batches.length;
        const resumed = await runOperator(spec, batches, timerOrder, cut);
        expect(resumed.matches).toEqual(whole.matches);
        expect(resumed.timeouts).toEqual(whole.timeouts);
      }),
      { numRuns: 800 },
    );
  });
});
