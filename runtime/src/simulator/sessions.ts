// The open sessions, in flat typed arrays indexed by a slot number: a few thousand sessions are
// open at once and every event touches one of them at random, so what an event reads of its
// session must sit close together. Each slot's fields fill one 64-byte row of `fields` (one cache
// line), its planned steps another array; the JSON text of a session is not stored at all, it is
// composed from shared fragments (user agents, places) and these numbers when a record is written.
// Slots are reused once a session has emitted its last step.
import { MAX_SESSION_STEPS } from './model.ts';

/** Int32 fields per slot (16 × 4 bytes: one cache line). */
export const STRIDE = 16;
// Field offsets within a slot's row.
export const STEP_COUNT = 0;
/** Index of the next step to emit. */
export const NEXT_STEP = 1;
export const USER = 2;
export const DEVICE = 3;
/** Index into the landing referrers. */
export const LANDING_REFERRER = 4;
/** Page of the previous page view, −1 before the first. */
export const PREVIOUS_PAGE = 5;
/** Index into the simulator's list of user agents. */
export const AGENT = 6;
/** Index into the simulator's list of places (country, city or none). */
export const PLACE = 7;
/** The IPv4 address, as a 32-bit number. */
export const IP = 8;
/** The session's sequence number and random part, which make its sessionId. */
export const SESSION_SEQ = 9;
export const SESSION_RANDOM = 10;
/** 1 when all of the session's text is ASCII (the record then decodes as Latin-1, faster). */
export const ASCII = 11;

export class SessionTable {
  private capacity = 0;
  /** STRIDE fields per slot. */
  fields = new Int32Array(0);
  /** MAX_SESSION_STEPS packed steps per slot. */
  steps = new Int32Array(0);
  private free: number[] = [];
  private open = 0;

  get size(): number {
    return this.open;
  }

  /** A free slot for a session with these steps; returns the index of its row in `fields` (slot × STRIDE). */
  allocate(steps: readonly number[]): number {
    if (steps.length > MAX_SESSION_STEPS) throw new RangeError(`a session has at most ${MAX_SESSION_STEPS} steps, got ${steps.length}`);
    if (this.free.length === 0) this.grow();
    const slot = this.free.pop() as number;
    const base = slot * MAX_SESSION_STEPS;
    for (let i = 0; i < steps.length; i++) this.steps[base + i] = steps[i] as number;
    const row = slot * STRIDE;
    this.fields.fill(0, row, row + STRIDE);
    this.fields[row + STEP_COUNT] = steps.length;
    this.fields[row + PREVIOUS_PAGE] = -1;
    this.open++;
    return slot;
  }

  release(slot: number): void {
    this.free.push(slot);
    this.open--;
  }

  /** The next step of `slot`. */
  step(slot: number): number {
    return this.steps[slot * MAX_SESSION_STEPS + (this.fields[slot * STRIDE + NEXT_STEP] as number)] as number;
  }

  private grow(): void {
    const old = this.capacity;
    const capacity = Math.max(256, old * 2);
    const fields = new Int32Array(capacity * STRIDE);
    fields.set(this.fields);
    this.fields = fields;
    const steps = new Int32Array(capacity * MAX_SESSION_STEPS);
    steps.set(this.steps);
    this.steps = steps;
    for (let slot = capacity - 1; slot >= old; slot--) this.free.push(slot);
    this.capacity = capacity;
  }
}
