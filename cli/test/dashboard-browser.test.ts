// The dashboard, end to end, as a user sees it: `flowc run` on the website-analytics pipeline (a
// real process with its real hub), the built Svelte dashboard in Debian's headless Chromium, and
// what the runtime emitted for the same windows (`--out`, written by the engine, not by the hub).
//
//   1. the numbers on screen are the values the runtime emitted for the windows they name;
//   2. a metric added to a .flow file gets a panel of its own, with data, on the next run; when
//      that run stops and comes back, the page shows it and reconnects by itself;
//   3. a client connecting after 60 s gets at least 20 points of every metric at once, and the page
//      shows them; the screenshots (dark and light) are saved under artifacts/.
//
// `npm run screenshot:update` also copies the dark screenshot to docs/images/dashboard.png (README).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineManifest } from '../../runtime/src/index.ts';
import { TestClient } from '../../runtime/test/hub/support.ts';
import { launchChromium } from './support/chromium.ts';
import { flowc, killAll, REPO, stop, type FlowcProcess } from './support/flowc-process.ts';

const ARTIFACTS = join(REPO, 'artifacts');
const README_SCREENSHOT = join(REPO, 'docs', 'images', 'dashboard.png');
const VIEWPORT = { width: 1440, height: 900 };

let work = '';
let run: FlowcProcess;
let url = '';
let startedAt = 0;
let browser: Browser;
let manifest: PipelineManifest;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'flowc-dashboard-'));
  run = flowc(['run', 'pipelines/website-analytics.flow', '--port', '0', '--state-dir', join(work, 'state'), '--fresh', '--out', join(work, 'out.jsonl'), '--checkpoint-interval', '1s']);
  url = (await run.waitFor(/dashboard: (http:\/\/\S+)/, 60_000))[1] as string;
  startedAt = Date.now();
  manifest = (await (await fetch(`${url}api/manifest`)).json()) as PipelineManifest;
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  if (run !== undefined) await stop(run);
  killAll();
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

// ───────────────────────────── what the page and the runtime say ─────────────────────────────

/** The streams the pipeline sends to the dashboard: metrics and alert streams. */
function dashboardStreams(m: PipelineManifest): { metrics: string[]; alerts: string[] } {
  const streams = new Set(m.sinks.filter((s) => s.connector.connector === 'dashboard').flatMap((s) => s.streams));
  const alertStreams = new Set(m.alerts.map((a) => a.stream));
  return { metrics: m.metrics.filter((x) => streams.has(x.name) && !alertStreams.has(x.name)).map((x) => x.name), alerts: [...alertStreams].filter((s) => streams.has(s)) };
}

const NUMERIC = new Set(['int', 'float', 'duration']);

interface Emitted {
  readonly stream: string;
  readonly time: number;
  readonly key: string | null;
  readonly early: boolean;
  readonly value: Readonly<Record<string, unknown>>;
}

/** Every result line `flowc run --out` has written so far (a half-written last line is skipped). */
function emitted(): Emitted[] {
  const path = join(work, 'out.jsonl');
  if (!existsSync(path)) return [];
  const out: Emitted[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.endsWith('}')) continue;
    const r = JSON.parse(line) as { stream: string; time: string; key: string | null; early?: boolean; value: Record<string, unknown> };
    out.push({ stream: r.stream, time: Date.parse(r.time), key: r.key, early: r.early === true, value: r.value });
  }
  return out;
}

interface Screen {
  readonly connection: string | null;
  readonly panels: { readonly name: string; readonly kind: string; readonly points: number | null }[];
  readonly figures: { readonly stream: string; readonly field: string; readonly windowEnd: number; readonly text: string }[];
  readonly rows: { readonly stream: string; readonly series: string; readonly windowEnd: number; readonly cells: { readonly field: string; readonly text: string }[] }[];
  readonly topk: { readonly stream: string; readonly field: string; readonly windowEnd: number; readonly items: { readonly item: string; readonly count: string }[] }[];
  readonly health: Readonly<Record<string, string>>;
}

/** One consistent read of everything the page shows (the DOM contract of dashboard/README.md). */
async function readScreen(page: Page): Promise<Screen> {
  const json = await page.evaluate<string>(`(() => {
    const all = (sel, root) => Array.from((root || document).querySelectorAll(sel));
    const text = (el) => (el.textContent || '').trim();
    const out = { connection: document.documentElement.getAttribute('data-connection'), panels: [], figures: [], rows: [], topk: [], health: {} };
    for (const el of all('[data-panel]')) {
      const points = el.getAttribute('data-points');
      out.panels.push({ name: el.getAttribute('data-panel'), kind: el.getAttribute('data-panel-kind'), points: points === null ? null : Number(points) });
    }
    for (const el of all('[data-stream][data-field][data-window-end]:not([data-item]):not(ol):not(ul):not(td)')) {
      if (el.querySelector('[data-item]')) continue;
      out.figures.push({ stream: el.getAttribute('data-stream'), field: el.getAttribute('data-field'), windowEnd: Number(el.getAttribute('data-window-end')), text: text(el) });
    }
    for (const tr of all('tr[data-stream][data-series][data-window-end]')) {
      out.rows.push({ stream: tr.getAttribute('data-stream'), series: tr.getAttribute('data-series'), windowEnd: Number(tr.getAttribute('data-window-end')),
        cells: all('[data-field]', tr).map((td) => ({ field: td.getAttribute('data-field'), text: text(td) })) });
    }
    for (const list of all('[data-stream][data-field][data-window-end]')) {
      const items = all('[data-item]', list);
      if (items.length === 0) continue;
      out.topk.push({ stream: list.getAttribute('data-stream'), field: list.getAttribute('data-field'), windowEnd: Number(list.getAttribute('data-window-end')),
        items: items.map((it) => ({ item: it.getAttribute('data-item'), count: text(it.querySelector('[data-count]') || it) })) });
    }
    for (const el of all('[data-health]')) out.health[el.getAttribute('data-health')] = text(el);
    return JSON.stringify(out);
  })()`);
  return JSON.parse(json) as Screen;
}

/** A number as shown (`41.2 views/s`, `1.2k`, `$3.40`, `12.5 %`, `1,234`) and how far it may be from the value it rounds. */
function shownNumber(text: string): { readonly value: number; readonly tolerance: number } | null {
  const match = /(-?[\d,]*\.?\d+)\s?([kMB](?![a-z]))?/.exec(text.replace(/\u2212/g, '-'));
  if (match === null) return null;
  const digits = (match[1] as string).replace(/,/g, '');
  const multiplier = match[2] === 'k' ? 1e3 : match[2] === 'M' ? 1e6 : match[2] === 'B' ? 1e9 : 1;
  const decimals = digits.includes('.') ? digits.length - digits.indexOf('.') - 1 : 0;
  return { value: Number(digits) * multiplier, tolerance: 0.5 * 10 ** -decimals * multiplier };
}

const DURATION_UNITS: Readonly<Record<string, number>> = { d: 86_400_000, h: 3_600_000, min: 60_000, s: 1000, ms: 1 };

/** A duration as shown (`450 ms`, `12.3 s`, `4 min 12 s`, `1 h 02 min`) in ms, and how far it may be from the value (the larger parts are truncated). */
function shownDurationMs(text: string): { readonly value: number; readonly tolerance: number } | null {
  const parts = [...text.replace(/\u2212/g, '-').matchAll(/(-?\d+(?:\.\d+)?)\s*(ms|min|d|h|s)\b/g)];
  if (parts.length === 0) return null;
  let value = 0;
  for (const part of parts) value += Number(part[1]) * (DURATION_UNITS[part[2] as string] as number);
  const last = parts[parts.length - 1] as RegExpMatchArray;
  const digits = last[1] as string;
  const decimals = digits.includes('.') ? digits.length - digits.indexOf('.') - 1 : 0;
  const unit = DURATION_UNITS[last[2] as string] as number;
  return { value, tolerance: (parts.length > 1 ? 1 : 0.5) * 10 ** -decimals * unit };
}

/** The unit of a measure, from the manifest. */
function unitOf(stream: string, field: string): string | null {
  return manifest.metrics.find((m) => m.name === stream)?.measures.find((x) => x.name === field)?.unit ?? null;
}

/** Whether `shown` is `value` (in `unit`) as the page would round it. */
function matches(shown: string, value: unknown, unit: string | null = null): boolean {
  if ((unit === 's' || unit === 'ms') && typeof value === 'number' && Number.isFinite(value)) {
    const duration = shownDurationMs(shown);
    const scale = unit === 's' ? 1000 : 1;
    return duration !== null && Math.abs(duration.value - value * scale) <= duration.tolerance + 1e-9 * Math.abs(value * scale);
  }
  const number = shownNumber(shown);
  if (typeof value !== 'number' || !Number.isFinite(value)) return number === null;
  return number !== null && Math.abs(number.value - value) <= number.tolerance + 1e-9 * Math.abs(value);
}

/** `country=US,device=MOBILE` → whether a row has those group columns. */
function inSeries(series: string, row: Readonly<Record<string, unknown>>): boolean {
  if (series === '') return true;
  return series.split(',').every((pair) => {
    const eq = pair.indexOf('=');
    return String(row[pair.slice(0, eq)]) === pair.slice(eq + 1);
  });
}

async function openDashboard(address: string, colorScheme: 'dark' | 'light' = 'dark'): Promise<Page> {
  const page = await browser.newPage({ viewport: VIEWPORT, colorScheme });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(String(error)));
  await page.goto(address);
  await page.waitForSelector('html[data-connection="live"]', { timeout: 30_000 });
  expect(problems).toEqual([]);
  return page;
}

/** Waits until the figures of every global numeric measure of `streams` have a window on screen. */
async function waitForFigures(page: Page, streams: readonly string[], timeoutMs = 45_000): Promise<Screen> {
  const wanted = manifest.metrics.filter((m) => streams.includes(m.name) && m.groupBy.length === 0).flatMap((m) => m.measures.filter((x) => NUMERIC.has(x.valueKind)).map((x) => `${m.name}.${x.name}`));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const screen = await readScreen(page);
    const shown = new Set(screen.figures.filter((f) => f.windowEnd > 0).map((f) => `${f.stream}.${f.field}`));
    const missing = wanted.filter((w) => !shown.has(w));
    if (missing.length === 0) return screen;
    if (Date.now() > deadline) throw new Error(`no figures on screen for ${missing.join(', ')}`);
    await page.waitForTimeout(500);
  }
}

// ───────────────────────────── the tests ─────────────────────────────

describe('the dashboard in Chromium', () => {
  it('shows, for each window it names, the values the runtime emitted', async () => {
    const { metrics } = dashboardStreams(manifest);
    const page = await openDashboard(url);
    const screen = await waitForFigures(page, metrics);
    await page.close();

    // A panel per metric and alert stream sent to the dashboard, and the health strip.
    const { alerts } = dashboardStreams(manifest);
    const panelNames = screen.panels.map((p) => p.name);
    for (const stream of metrics) expect(panelNames).toContain(stream);
    // The alert streams share one feed.
    expect(alerts.length).toBeGreaterThan(0);
    expect(screen.panels.some((p) => p.kind === 'alerts')).toBe(true);
    expect(screen.panels.some((p) => p.kind === 'health')).toBe(true);
    expect(panelNames).not.toContain('device_mix');

    // Every figure, table row and top-k entry on screen against the runtime's own output. The
    // output file is flushed at checkpoints (every second here): wait for the windows to be in it.
    const deadline = Date.now() + 20_000;
    let results = emitted();
    const windowsShown = [...screen.figures, ...screen.rows, ...screen.topk].map((f) => `${f.stream}@${f.windowEnd}`);
    while (!windowsShown.every((w) => results.some((r) => `${r.stream}@${r.time}` === w)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      results = emitted();
    }
    const of = (stream: string, time: number): Emitted[] => results.filter((r) => r.stream === stream && r.time === time);

    let compared = 0;
    for (const figure of screen.figures) {
      const candidates = of(figure.stream, figure.windowEnd);
      expect(candidates.length, `${figure.stream} window ending ${new Date(figure.windowEnd).toISOString()} is not in the runtime's output`).toBeGreaterThan(0);
      // A window emitted more than once (early firings, late updates) may show any of its emissions.
      expect(candidates.some((c) => matches(figure.text, c.value[figure.field], unitOf(figure.stream, figure.field))), `${figure.stream}.${figure.field} shows "${figure.text}"; emitted ${candidates.map((c) => JSON.stringify(c.value[figure.field])).join(' / ')}`).toBe(true);
      compared++;
    }
    for (const row of screen.rows) {
      const candidates = of(row.stream, row.windowEnd).filter((c) => inSeries(row.series, c.value));
      expect(candidates.length, `${row.stream} ${row.series} @ ${row.windowEnd}`).toBeGreaterThan(0);
      for (const cell of row.cells) {
        if (!manifest.metrics.some((m) => m.name === row.stream && m.measures.some((x) => x.name === cell.field && NUMERIC.has(x.valueKind)))) continue;
        expect(candidates.some((c) => matches(cell.text, c.value[cell.field], unitOf(row.stream, cell.field))), `${row.stream} ${row.series} ${cell.field} shows "${cell.text}"`).toBe(true);
        compared++;
      }
    }
    for (const list of screen.topk) {
      const candidates = of(list.stream, list.windowEnd);
      expect(candidates.length).toBeGreaterThan(0);
      const agrees = candidates.some((c) => {
        const entries = c.value[list.field] as { value: unknown; count: number }[] | null;
        return Array.isArray(entries) && list.items.every((item) => entries.some((e) => String(e.value) === item.item && matches(item.count, e.count)));
      });
      expect(agrees, `${list.stream}.${list.field} @ ${list.windowEnd}: ${JSON.stringify(list.items)}`).toBe(true);
      compared += list.items.length;
    }
    // Not a vacuous pass: every global numeric measure, some grouped rows and a top-k list were checked.
    expect(screen.rows.length).toBeGreaterThan(0);
    expect(screen.topk.length).toBeGreaterThan(0);
    expect(compared).toBeGreaterThanOrEqual(screen.figures.length + screen.rows.length);
  }, 120_000);

  it('gives a metric added to the .flow file a panel of its own on the next run', async () => {
    const dir = join(work, 'edited');
    mkdirSync(dir, { recursive: true });
    const original = readFileSync(join(REPO, 'pipelines', 'website-analytics.flow'), 'utf8');
    const dashboardEmit = /emit ([a-z_, ]+)\n\s*to dashboard\(\)/;
    expect(original).toMatch(dashboardEmit);
    const edited = original.replace(dashboardEmit, (_all, streams: string) => `aggregate device_mix from events {
  where sessionData != null
  window tumbling 5s processing time
  group by sessionData?.deviceType as device
  visitors = count_distinct(userId)   unit "users"
}

emit ${streams}, device_mix
  to dashboard()`);
    writeFileSync(join(dir, 'website-analytics-edited.flow'), edited);
    const second = flowc(['run', 'website-analytics-edited.flow', '--port', '0', '--state-dir', join(dir, 'state'), '--fresh', '--backfill', '0'], dir);
    try {
      const address = (await second.waitFor(/dashboard: (http:\/\/\S+)/, 60_000))[1] as string;
      const page = await openDashboard(address);
      await page.waitForSelector('[data-panel="device_mix"]', { timeout: 15_000 });
      // …and it fills with rows, one per device type.
      await page.waitForSelector('tr[data-stream="device_mix"][data-series^="device="]', { timeout: 30_000 });
      const screen = await readScreen(page);
      const devices = screen.rows.filter((r) => r.stream === 'device_mix').map((r) => r.series);
      expect(devices.length).toBeGreaterThan(0);
      for (const series of devices) expect(series).toMatch(/^device=(DESKTOP|MOBILE|TABLET)$/);

      // The run stops: the page says so and keeps trying; the run comes back on the same port
      // (resuming from its checkpoint): the page reconnects by itself and is live again.
      await stop(second);
      await page.waitForSelector('html[data-connection="reconnecting"], html[data-connection="offline"]', { timeout: 15_000 });
      const port = new URL(address).port;
      const third = flowc(['run', 'website-analytics-edited.flow', '--port', port, '--state-dir', join(dir, 'state')], dir);
      try {
        await third.waitFor(/resuming from checkpoint/, 60_000);
        await page.waitForSelector('html[data-connection="live"]', { timeout: 45_000 });
        await page.waitForSelector('[data-panel="device_mix"]', { timeout: 15_000 });
      } finally {
        await page.close();
        await stop(third);
      }
    } finally {
      await stop(second);
    }
  }, 180_000);

  it('gives a client that connects after 60 s at least 20 points of every metric at once', async () => {
    const wait = startedAt + 61_000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const { metrics, alerts } = dashboardStreams(manifest);

    // A bare protocol client: hello, subscribe to everything, one snapshot per stream.
    const client = await TestClient.ready(`${url.replace(/^http/, 'ws')}ws`);
    client.subscribe('*');
    await client.until((ms) => [...metrics, ...alerts].every((s) => ms.some((m) => m.type === 'snapshot' && m.stream === s)), 'a snapshot of every stream');
    await client.close();
    const snapshots = new Map(client.ofType('snapshot').map((m) => [m.stream, m]));
    // A point is one plotted value: one measure of one window row (a top-k entry counts as one).
    for (const name of metrics) {
      const snapshot = snapshots.get(name);
      expect(snapshot?.type === 'snapshot' && snapshot.kind === 'metric').toBe(true);
      if (snapshot?.type !== 'snapshot' || snapshot.kind !== 'metric') continue;
      const metric = manifest.metrics.find((m) => m.name === name);
      let points = 0;
      for (const { row } of snapshot.rows) {
        for (const measure of metric?.measures ?? []) {
          const value = row[measure.name];
          if (measure.valueKind === 'top_k') points += Array.isArray(value) ? value.length : 0;
          else if (value !== null && value !== undefined) points++;
        }
      }
      expect(points, `${name}: ${snapshot.rows.length} rows`).toBeGreaterThanOrEqual(20);
    }

    // The page opened now shows that history at once: every chart has its points.
    const page = await openDashboard(url, 'dark');
    await waitForFigures(page, metrics);
    await page.waitForTimeout(1500);
    const screen = await readScreen(page);
    const charts = screen.panels.filter((p) => p.kind === 'timeseries');
    expect(charts.length).toBeGreaterThan(0);
    for (const chart of charts) expect(chart.points ?? 0, `${chart.name} plots ${chart.points}`).toBeGreaterThanOrEqual(20);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: false });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-full.png'), fullPage: true });
    await page.close();
    const light = await openDashboard(url, 'light');
    await waitForFigures(light, metrics);
    await light.waitForTimeout(1500);
    await light.screenshot({ path: join(ARTIFACTS, 'dashboard-light.png'), fullPage: false });
    await light.close();
    expect(readFileSync(join(ARTIFACTS, 'dashboard.png')).subarray(1, 4).toString('latin1')).toBe('PNG');
    if (process.env.UPDATE_README_SCREENSHOT === '1') {
      mkdirSync(join(REPO, 'docs', 'images'), { recursive: true });
      copyFileSync(join(ARTIFACTS, 'dashboard.png'), README_SCREENSHOT);
    }
  }, 180_000);
});
