import { describe, expect, it } from 'vitest';
import { describeWindowEnd, isOpenWindow } from '../src/lib/display.ts';
import { formatClock } from '../src/lib/format.ts';

describe('window end line', () => {
  const now = 1_767_225_600_000;

  it('gives the end and its age, and marks open windows', () => {
    expect(describeWindowEnd(null, now)).toBe('no window yet');
    expect(describeWindowEnd({ time: now - 4000 }, now)).toBe(`window ending ${formatClock(now - 4000)} · 4 s ago`);
    expect(describeWindowEnd({ time: now - 4000, early: true }, now)).toBe(`open window ending ${formatClock(now - 4000)} · 4 s ago`);
    expect(describeWindowEnd({ time: now + 30_000 }, now, now)).toBe(`open window ending ${formatClock(now + 30_000)}`);
  });

  it('a window is open when flagged early or past the settled time', () => {
    expect(isOpenWindow({ time: 10 }, null)).toBe(false);
    expect(isOpenWindow({ time: 10 }, 5)).toBe(true);
    expect(isOpenWindow({ time: 10 }, 10)).toBe(false);
    expect(isOpenWindow({ time: 10, early: true }, 20)).toBe(true);
  });
});
