// The behaviour model: what one visit (session) to the shop looks like. A session is planned in
// full when it starts (its steps: the start, page views, conversions, maybe an end); the simulator
// then spaces the steps out in event time and interleaves thousands of sessions.
//
// The parameters below are tuned so that, in the long run, the event mix is the reference
// simulator's 70 % PAGE_VIEW / 15 % SESSION_START / 10 % SESSION_END / 5 % CONVERSION: per
// session that is 4.667 page views, 0.667 ends and 0.333 conversions (see README.md, "Tuning").
import {
  CATEGORIES,
  CATEGORY_RANKING,
  BROWSE_RANKING,
  FUNNEL_URLS,
  LANDING_RANKING,
  PAGES,
  pageIndex,
} from './catalogue.ts';
import type { Xoshiro128 } from './prng.ts';
import { AliasSampler, WeightedChoice, exponential, geometric, logNormal, zipfWeights } from './samplers.ts';

/**
 * Step kinds. A step is packed in an integer as `kind | flag << 2 | page << 3`: the page viewed
 * (PAGE_VIEW), or the product bought (CONVERSION, whose flag is set when it went through the cart).
 */
export const START = 0;
export const PAGE_VIEW = 1;
export const END = 2;
export const CONVERSION = 3;

export function stepKind(step: number): number {
  return step & 3;
}

export function stepPage(step: number): number {
  return step >> 3;
}

function view(page: number): number {
  return PAGE_VIEW | (page << 3);
}

function conversion(product: number, fromCart: boolean): number {
  return CONVERSION | (fromCart ? 4 : 0) | (product << 3);
}

/** No session has more steps than this; the planner stops browsing before it gets there. */
export const MAX_SESSION_STEPS = 64;
/** Browsing and new shopping rounds start only below this many steps (a round adds at most 8, the end 1). */
const STEP_BUDGET = MAX_SESSION_STEPS - 12;

/** The `EventType` of each step kind. */
export const EVENT_TYPE_OF_KIND = ['SESSION_START', 'PAGE_VIEW', 'SESSION_END', 'CONVERSION'] as const;
export type EventType = (typeof EVENT_TYPE_OF_KIND)[number];

export const MODEL_PARAMETERS = {
  /** Sessions with a single page view. */
  bounceProbability: 0.4,
  /** Engaged sessions: mean number of browsing pages after the landing page (geometric). */
  browseMeanPages: 1.85,
  /** Engaged sessions that start shopping (view a product, put it in the cart). */
  shopProbability: 0.717,
  /** A shopper looks at a second product of the same category before deciding. */
  secondProductProbability: 0.35,
  /** "Buy now" from the product page: a conversion without the checkout pages. */
  buyNowProbability: 0.04,
  /** Funnel steps: cart → checkout → payment → paid. */
  cartToCheckout: 0.82,
  checkoutToPayment: 0.88,
  paymentSucceeds: 0.86,
  /** After an order, another shopping round in the same session. */
  repeatPurchaseProbability: 0.3,
  /** After abandoning the funnel, the visitor browses on (else leaves). */
  browseAfterAbandonProbability: 0.5,
  browseAfterAbandonMeanPages: 1.5,
  /** Sessions that send SESSION_END; the others just go silent. */
  endProbabilityBounce: 0.5,
  endProbabilityEngaged: 0.7778,
  /** Expected events per session (start + page views + ends + conversions); sets the session arrival rate. */
  eventsPerSession: 1 / 0.15,
} as const;

/** Think times between steps, in ms: a floor plus an exponential part of the given mean. */
export const TIMING = {
  startToFirstViewMaxMs: 400,
  browseFloorMs: 3_000,
  browseMeanMs: 25_000,
  /** No gap inside a session is longer than this (well under the 30 min session gap). */
  maxGapMs: 600_000,
  funnelFloorMs: 2_000,
  funnelMeanMs: 12_000,
  payFloorMs: 3_000,
  payMeanMs: 10_000,
  confirmationFloorMs: 400,
  confirmationMeanMs: 1_500,
  endFloorMs: 1_000,
  endMeanMs: 20_000,
} as const;

/** What the plan of one session came to (for the simulator's ground-truth statistics). */
export interface PlanSummary {
  /** Exactly one page view (the bounces of the plan, plus the rare landing-on-a-product "buy now" session). */
  readonly bounce: boolean;
  readonly reachedCheckout: boolean;
  readonly converted: boolean;
}

const P = MODEL_PARAMETERS;
const CART = pageIndex(FUNNEL_URLS[0]);
const CHECKOUT = pageIndex(FUNNEL_URLS[1]);
const PAYMENT = pageIndex(FUNNEL_URLS[2]);
const CONFIRMATION = pageIndex(FUNNEL_URLS[3]);

function rankedSampler(urls: readonly string[], s: number): { pages: number[]; sampler: AliasSampler } {
  return { pages: urls.map(pageIndex), sampler: new AliasSampler(zipfWeights(urls.length, s)) };
}

/** Plans sessions. Stateless apart from its lookup tables; all randomness comes from the caller's generator. */
export class SessionPlanner {
  private readonly landing = rankedSampler(LANDING_RANKING, 1.1);
  private readonly browse = rankedSampler(BROWSE_RANKING, 1.0);
  private readonly category = new WeightedChoice(CATEGORY_RANKING, zipfWeights(CATEGORY_RANKING.length, 0.9));
  private readonly categoryPage: number[] = CATEGORIES.map((c) => pageIndex(`/products/${c.slug}`));
  private readonly products: { pages: number[]; sampler: AliasSampler }[] = CATEGORIES.map((c) =>
    rankedSampler(
      c.products.map(([slug]) => `/products/${c.slug}/${slug}`),
      1.0,
    ),
  );
  private readonly accessories = this.products[CATEGORIES.findIndex((c) => c.slug === 'accessories')] as { pages: number[]; sampler: AliasSampler };

  /** Appends the steps of one session to `steps` (at most MAX_SESSION_STEPS). */
  plan(rng: Xoshiro128, steps: number[]): PlanSummary {
    const first = steps.length;
    steps.push(START);
    let page = this.landing.pages[this.landing.sampler.sample(rng)] as number;
    steps.push(view(page));
    if (rng.next() < P.bounceProbability) {
      if (rng.next() < P.endProbabilityBounce) steps.push(END);
      return { bounce: true, reachedCheckout: false, converted: false };
    }
    const browsing = geometric(rng, P.browseMeanPages);
    for (let i = 0; i < browsing && steps.length < STEP_BUDGET; i++) {
      page = this.browseNext(rng, page);
      steps.push(view(page));
    }
    let reachedCheckout = false;
    let converted = false;
    if (rng.next() < P.shopProbability) {
      const outcome = this.shop(rng, page, steps);
      reachedCheckout = outcome.reachedCheckout;
      converted = outcome.converted;
    } else if (browsing === 0) {
      steps.push(view(this.browseNext(rng, page))); // engaged: at least two pages
    }
    if (rng.next() < P.endProbabilityEngaged) steps.push(END);
    let views = 0;
    for (let i = first; i < steps.length; i++) if (((steps[i] as number) & 3) === PAGE_VIEW) views++;
    return { bounce: views === 1, reachedCheckout, converted };
  }

  /** Shopping rounds: product page(s), cart, checkout, payment, conversion, confirmation; abandoned at any step. */
  private shop(rng: Xoshiro128, from: number, steps: number[]): { reachedCheckout: boolean; converted: boolean } {
    let page = from;
    let reachedCheckout = false;
    let converted = false;
    for (;;) {
      const here = PAGES[page];
      if (here === undefined || here.kind !== 'product') {
        const category = here !== undefined && here.category >= 0 ? here.category : this.category.sample(rng);
        if (page !== this.categoryPage[category] && rng.next() < 0.5) steps.push(view(this.categoryPage[category] as number));
        page = this.productIn(rng, category);
        steps.push(view(page));
      }
      if (rng.next() < P.secondProductProbability) {
        page = this.productIn(rng, (PAGES[page] as { category: number }).category, page);
        steps.push(view(page));
      }
      const product = page;
      if (rng.next() < P.buyNowProbability) {
        steps.push(conversion(product, false));
        converted = true;
        break;
      }
      steps.push(view(CART));
      let paid = false;
      if (rng.next() < P.cartToCheckout) {
        steps.push(view(CHECKOUT));
        reachedCheckout = true;
        if (rng.next() < P.checkoutToPayment) {
          steps.push(view(PAYMENT));
          paid = rng.next() < P.paymentSucceeds;
        }
      }
      if (!paid) {
        if (rng.next() < P.browseAfterAbandonProbability) {
          page = CART;
          const more = 1 + geometric(rng, P.browseAfterAbandonMeanPages - 1);
          for (let i = 0; i < more && steps.length < STEP_BUDGET; i++) {
            page = this.browseNext(rng, page);
            steps.push(view(page));
          }
        }
        break;
      }
      steps.push(conversion(product, true));
      steps.push(view(CONFIRMATION));
      converted = true;
      if (rng.next() >= P.repeatPurchaseProbability || steps.length >= STEP_BUDGET) break;
      page = CONFIRMATION;
    }
    return { reachedCheckout, converted };
  }

  /** The next page of a browsing visitor: often a link from the current page, else a popular page. */
  browseNext(rng: Xoshiro128, page: number): number {
    const here = PAGES[page];
    const u = rng.next();
    if (here !== undefined) {
      switch (here.kind) {
        case 'category':
          if (u < 0.55) return this.productIn(rng, here.category);
          break;
        case 'product':
          if (u < 0.25) return this.productIn(rng, here.category, page);
          if (u < 0.4) return this.categoryPage[here.category] as number;
          break;
        case 'blog':
          if (u < 0.2) return this.categoryPage[here.category] as number;
          if (u < 0.35) return this.productIn(rng, here.category);
          break;
        case 'listing':
          if (u < 0.45 && here.url !== '/blog') return this.productIn(rng, this.category.sample(rng));
          break;
        default:
          break;
      }
    }
    let next = this.browse.pages[this.browse.sampler.sample(rng)] as number;
    if (next === page) next = this.browse.pages[this.browse.sampler.sample(rng)] as number;
    return next;
  }

  /** A product of the category, skewed towards its best sellers; `avoid` is re-drawn once. */
  private productIn(rng: Xoshiro128, category: number, avoid = -1): number {
    const table = this.products[category] as { pages: number[]; sampler: AliasSampler };
    let page = table.pages[table.sampler.sample(rng)] as number;
    if (page === avoid) page = table.pages[table.sampler.sample(rng)] as number;
    return page;
  }

  /**
   * The revenue of a CONVERSION step, in cents: the product's price times a quantity (mostly 1),
   * sometimes an accessory on top (orders through the cart), sometimes a 10 % discount code, and a
   * little noise (shipping, taxes). Skewed by the product mix: many small orders, a long tail of
   * expensive ones. Drawn when the conversion is emitted.
   */
  revenueCents(rng: Xoshiro128, step: number): number {
    const product = step >> 3;
    const fromCart = (step & 4) !== 0;
    const price = (PAGES[product] as { price: number }).price;
    const q = rng.next();
    let total = price * (q < 0.9 ? 1 : q < 0.98 ? 2 : 3);
    if (fromCart && rng.next() < 0.35) {
      total += (PAGES[this.accessories.pages[this.accessories.sampler.sample(rng)] as number] as { price: number }).price;
    }
    if (rng.next() < 0.1) total *= 0.9;
    total *= logNormal(rng, 1.05, 0.04);
    return Math.max(1, Math.round(total * 100));
  }
}

/** Page indices of the checkout steps reached before paying (for the gap model). */
export function isCheckoutStep(page: number): boolean {
  return page === CART || page === CHECKOUT || page === PAYMENT;
}

export function isConfirmation(page: number): boolean {
  return page === CONFIRMATION;
}

/** The think time before a step, in whole ms ≥ 1, given the kind of the step before it. */
export function gapBefore(rng: Xoshiro128, step: number, previousKind: number): number {
  const kind = step & 3;
  let gap: number;
  if (kind === PAGE_VIEW) {
    const page = step >> 3;
    if (previousKind === START) gap = rng.next() * TIMING.startToFirstViewMaxMs;
    else if (previousKind === CONVERSION) gap = TIMING.confirmationFloorMs + exponential(rng, TIMING.confirmationMeanMs);
    else if (isCheckoutStep(page)) gap = TIMING.funnelFloorMs + exponential(rng, TIMING.funnelMeanMs);
    else gap = TIMING.browseFloorMs + exponential(rng, TIMING.browseMeanMs);
  } else if (kind === CONVERSION) {
    gap = TIMING.payFloorMs + exponential(rng, TIMING.payMeanMs);
  } else {
    gap = TIMING.endFloorMs + exponential(rng, TIMING.endMeanMs);
  }
  return Math.min(TIMING.maxGapMs, Math.max(1, Math.ceil(gap)));
}
