// The behaviour model on its own: session plans and think times.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FUNNEL_URLS, PAGES } from '../../src/simulator/catalogue.ts';
import { CONVERSION, END, MAX_SESSION_STEPS, MODEL_PARAMETERS, PAGE_VIEW, START, SessionPlanner, TIMING, gapBefore, stepKind, stepPage } from '../../src/simulator/model.ts';
import { Xoshiro128 } from '../../src/simulator/prng.ts';

const planner = new SessionPlanner();
const url = (step: number): string => (PAGES[stepPage(step)] as { url: string }).url;

describe('SessionPlanner', () => {
  it('plans start, a landing page view, more steps and at most one end, last', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (seed) => {
        const rng = new Xoshiro128(seed);
        for (let n = 0; n < 200; n++) {
          const steps: number[] = [];
          const plan = planner.plan(rng, steps);
          expect(steps.length).toBeLessThanOrEqual(MAX_SESSION_STEPS);
          expect(stepKind(steps[0] as number)).toBe(START);
          expect(stepKind(steps[1] as number)).toBe(PAGE_VIEW);
          const kinds = steps.map(stepKind);
          expect(kinds.filter((k) => k === START)).toHaveLength(1);
          const ends = kinds.filter((k) => k === END).length;
          expect(ends).toBeLessThanOrEqual(1);
          if (ends === 1) expect(kinds[kinds.length - 1]).toBe(END);
          const views = kinds.filter((k) => k === PAGE_VIEW).length;
          expect(plan.bounce).toBe(views === 1);
          // The landing page is never inside the funnel.
          expect((FUNNEL_URLS as readonly string[]).includes(url(steps[1] as number))).toBe(false);
          // A conversion follows the payment page (through the cart) or a product page (buy now).
          steps.forEach((step, i) => {
            if (stepKind(step) !== CONVERSION) return;
            const before = url(steps[i - 1] as number);
            expect(before === '/checkout/payment' || before.startsWith('/products/')).toBe(true);
            expect((PAGES[stepPage(step)] as { kind: string }).kind).toBe('product');
          });
          expect(plan.converted).toBe(kinds.includes(CONVERSION));
          expect(plan.reachedCheckout).toBe(steps.some((s) => stepKind(s) === PAGE_VIEW && url(s) === '/checkout'));
        }
      }),
      { numRuns: 25 },
    );
  });

  it('averages the per-session counts that give the reference event mix', () => {
    const rng = new Xoshiro128(2024);
    const n = 200_000;
    let views = 0;
    let ends = 0;
    let conversions = 0;
    let bounces = 0;
    for (let i = 0; i < n; i++) {
      const steps: number[] = [];
      if (planner.plan(rng, steps).bounce) bounces++;
      for (const step of steps) {
        const kind = stepKind(step);
        if (kind === PAGE_VIEW) views++;
        else if (kind === END) ends++;
        else if (kind === CONVERSION) conversions++;
      }
    }
    const events = n + views + ends + conversions;
    // 70 / 15 / 10 / 5, per session 4.667 views, 0.667 ends, 0.333 conversions.
    expect(Math.abs((100 * views) / events - 70)).toBeLessThan(0.5);
    expect(Math.abs((100 * n) / events - 15)).toBeLessThan(0.3);
    expect(Math.abs((100 * ends) / events - 10)).toBeLessThan(0.3);
    expect(Math.abs((100 * conversions) / events - 5)).toBeLessThan(0.3);
    expect(Math.abs(events / n - MODEL_PARAMETERS.eventsPerSession)).toBeLessThan(0.1);
    expect(bounces / n).toBeGreaterThan(0.38);
    expect(bounces / n).toBeLessThan(0.42);
  });

  it('draws revenues in cents, skewed: many small orders and a long tail', () => {
    const rng = new Xoshiro128(9);
    const revenues: number[] = [];
    for (let i = 0; revenues.length < 20_000 && i < 1_000_000; i++) {
      const steps: number[] = [];
      planner.plan(rng, steps);
      for (const step of steps) if (stepKind(step) === CONVERSION) revenues.push(planner.revenueCents(rng, step));
    }
    expect(revenues.every((c) => Number.isInteger(c) && c > 0)).toBe(true);
    revenues.sort((a, b) => a - b);
    const median = revenues[revenues.length >> 1] as number;
    const mean = revenues.reduce((a, b) => a + b, 0) / revenues.length;
    expect(mean).toBeGreaterThan(median); // right-skewed
    expect(revenues[Math.floor(revenues.length * 0.99)] as number).toBeGreaterThan(5 * median);
  });
});

describe('gapBefore', () => {
  it('keeps every gap in 1 ms … maxGapMs and the first page view right after the start', () => {
    const rng = new Xoshiro128(4);
    const view = PAGE_VIEW | (0 << 3);
    let outOfRange = 0;
    let slowFirstView = 0;
    for (let i = 0; i < 10_000; i++) {
      for (const previous of [START, PAGE_VIEW, CONVERSION]) {
        for (const step of [view, CONVERSION, END]) {
          const gap = gapBefore(rng, step, previous);
          if (!(Number.isInteger(gap) && gap >= 1 && gap <= TIMING.maxGapMs)) outOfRange++;
        }
      }
      if (gapBefore(rng, view, START) > TIMING.startToFirstViewMaxMs) slowFirstView++;
    }
    expect(outOfRange).toBe(0);
    expect(slowFirstView).toBe(0);
  });
});
