import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, SystemClock } from '../../../src/adapters/embedded/index.ts';
import { MIN_WATERMARK, type Timer } from '../../../src/api/index.ts';

const timer = (at: number, key = 'k', tag = 't', domain: Timer['domain'] = 'processing'): Timer => ({ domain, at, key, tag });
const label = (t: Timer): string => `${t.key}@${t.at}`;

describe('ManualClock', () => {
  it('fires due processing-time timers in time order, then registration order, with now() at each timer', () => {
    const seen: string[] = [];
    const clock = new ManualClock({ start: 1000, onTimer: (t) => seen.push(`${label(t)} now=${clock.now()}`) });
    clock.setTimer(timer(1500, 'b'));
    clock.setTimer(timer(1200, 'a'));
    clock.setTimer(timer(1500, 'c'));
    clock.setTimer(timer(3000, 'late'));
    expect(clock.advance(500).map(label)).toEqual(['a@1200', 'b@1500', 'c@1500']);
    expect(seen).toEqual(['a@1200 now=1200', 'b@1500 now=1500', 'c@1500 now=1500']);
    expect(clock.now()).toBe(1500);
    expect(clock.advance(1000)).toEqual([]);
    expect(clock.advanceTo(3000).map(label)).toEqual(['late@3000']);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advanceTo(0)).toThrow(/back/);
  });

  it('cancels timers, replaces a timer with the same identity, and fires timers set by a callback within the advance', () => {
    const clock = new ManualClock();
    const cancelled = clock.setTimer(timer(10, 'x'));
    clock.cancelTimer(cancelled);
    const first = clock.setTimer(timer(20, 'y'));
    const again = clock.setTimer(timer(20, 'y'));
    expect(again.id).toBe(first.id);
    expect(clock.pendingTimers().map(label)).toEqual(['y@20']);
    clock.timerCallback = (t) => {
      if (t.key === 'y') clock.setTimer(timer(25, 'chained'));
    };
    expect(clock.advance(30).map(label)).toEqual(['y@20', 'chained@25']);
    expect(clock.pendingTimers()).toEqual([]);
  });

  it('fires event-time timers as the watermark advances, never backwards', () => {
    const clock = new ManualClock();
    expect(clock.watermark()).toBe(MIN_WATERMARK);
    clock.setTimer(timer(100, 'w1', 'window-end', 'event'));
    clock.setTimer(timer(200, 'w2', 'window-end', 'event'));
    clock.setTimer(timer(50, 'p', 'tick', 'processing'));
    expect(clock.advanceWatermark(150).map(label)).toEqual(['w1@100']);
    expect(clock.advanceWatermark(120)).toEqual([]);
    expect(clock.watermark()).toBe(150);
    expect(clock.pendingTimers('event').map(label)).toEqual(['w2@200']);
    expect(clock.advanceWatermark(Number.POSITIVE_INFINITY).map(label)).toEqual(['w2@200']);
    expect(clock.pendingTimers().map(label)).toEqual(['p@50']);
  });
});

describe('SystemClock', () => {
  let clock: SystemClock | null = null;
  afterEach(() => clock?.close());

  it('fires processing-time timers from the OS timer, in order', async () => {
    const fired: string[] = [];
    const c = new SystemClock();
    clock = c;
    const done = new Promise<void>((resolve) => {
      c.timerCallback = (t) => {
        fired.push(t.key);
        if (fired.length === 3) resolve();
      };
    });
    const now = c.now();
    c.setTimer(timer(now + 30, 'c'));
    c.setTimer(timer(now + 10, 'a'));
    const cancelled = c.setTimer(timer(now + 15, 'never'));
    c.setTimer(timer(now + 20, 'b'));
    c.cancelTimer(cancelled);
    await done;
    expect(fired).toEqual(['a', 'b', 'c']);
  });

  it('fires event-time timers when the engine advances the watermark', () => {
    clock = new SystemClock({ now: () => 5 });
    clock.setTimer(timer(100, 'w', 'window-end', 'event'));
    expect(clock.now()).toBe(5);
    expect(clock.advanceWatermark(99)).toEqual([]);
    expect(clock.advanceWatermark(100).map(label)).toEqual(['w@100']);
  });
});
