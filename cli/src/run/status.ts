// The status line of `flowc run`: redrawn in place (`\r` + clear line) on a terminal, one plain line
// every few seconds otherwise (logs, CI, tests). Other output goes above it through `print`.
import { Writable } from 'node:stream';
import type { EngineCounters } from '../../../runtime/src/engine/index.ts';
import type { CliIO } from '../io.ts';

export interface Terminal {
  readonly isTTY: boolean;
  /** Its width in characters, when known (a status line longer than that would wrap and not redraw in place). */
  columns(): number | null;
  /** Raw text, no newline added. */
  write(text: string): void;
}

export function processTerminal(): Terminal {
  return { isTTY: process.stdout.isTTY === true, columns: () => process.stdout.columns ?? null, write: (text) => void process.stdout.write(text) };
}

/** A terminal over a CliIO (tests running the command in-process): complete lines only. */
export function lineTerminal(io: CliIO): Terminal {
  let pending = '';
  return {
    isTTY: false,
    columns: () => null,
    write: (text) => {
      pending += text;
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        io.stdout(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    },
  };
}

const CLEAR = '\r\x1b[2K';

export class StatusLine {
  private timer: ReturnType<typeof setInterval> | null = null;
  private shown = false;
  private render: (() => string) | null = null;

  constructor(
    private readonly terminal: Terminal,
    /** Redraw interval on a terminal; plain lines come every `plainIntervalMs`. */
    private readonly ttyIntervalMs = 500,
    private readonly plainIntervalMs = 5000,
  ) {}

  start(render: () => string): void {
    this.render = render;
    this.timer = setInterval(() => this.draw(), this.terminal.isTTY ? this.ttyIntervalMs : this.plainIntervalMs);
    if (this.terminal.isTTY) this.draw();
  }

  /** A permanent line, above the status line. */
  print(line: string): void {
    if (this.shown) this.terminal.write(CLEAR);
    this.terminal.write(line.endsWith('\n') ? line : `${line}\n`);
    if (this.shown) this.draw();
  }

  /** Stops redrawing; the last status stays on screen as an ordinary line. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.shown) {
      this.terminal.write(CLEAR);
      this.shown = false;
    }
    this.render = null;
  }

  /** A Writable whose lines go through `print` (log() sinks with --verbose). */
  writable(): Writable {
    let pending = '';
    return new Writable({
      write: (chunk: Buffer | string, _encoding, callback) => {
        pending += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
        const last = pending.lastIndexOf('\n');
        if (last >= 0) {
          for (const line of pending.slice(0, last).split('\n')) this.print(line);
          pending = pending.slice(last + 1);
        }
        callback();
      },
    });
  }

  private draw(): void {
    if (this.render === null) return;
    const text = this.render();
    if (this.terminal.isTTY) {
      const columns = this.terminal.columns();
      this.terminal.write(`${CLEAR}${columns !== null && columns > 1 && text.length >= columns ? `${text.slice(0, columns - 2)}…` : text}`);
      this.shown = true;
    } else {
      this.terminal.write(`${text}\n`);
    }
  }
}

/** Events per second over the last few seconds, from samples of a running total. */
export class RateMeter {
  private readonly samples: { readonly at: number; readonly total: number }[] = [];

  constructor(private readonly windowMs = 3000) {}

  sample(at: number, total: number): number {
    this.samples.push({ at, total });
    while (this.samples.length > 2 && at - (this.samples[1] as { at: number }).at >= this.windowMs) this.samples.shift();
    const first = this.samples[0] as { at: number; total: number };
    const span = at - first.at;
    return span > 0 ? ((total - first.total) * 1000) / span : 0;
  }
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatLag(ms: number | null): string {
  if (ms === null) return '–';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (abs < 7_200_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** `events 12,345 · 2,001/s · windows 34 · alerts 2 · dead letters 617 · late 0 · watermark lag 5.2 s` */
export function statusText(counters: EngineCounters, perSecond: number): string {
  return (
    `events ${formatCount(counters.eventsIn)} · ${formatCount(perSecond)}/s · windows ${formatCount(counters.windowsEmitted)} · ` +
    `alerts ${formatCount(counters.alerts)} · dead letters ${formatCount(counters.deadLetters)} · late ${formatCount(counters.lateEvents)} · ` +
    `watermark lag ${formatLag(counters.watermarkLagMs)} · checkpoint ${counters.lastCheckpointId === null ? '–' : `#${counters.lastCheckpointId}`}`
  );
}
