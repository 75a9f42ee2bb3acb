// `flowc run`, as users run it: real processes (node bin/flowc.js), real ports, a real state dir.
// A 20 s run with malformed input, then a second run on the same state dir that resumes from the
// checkpoint and is stopped with Ctrl-C, then two replays of one file that must agree byte for byte.
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type ServerMessage } from '../../runtime/src/hub/index.ts';
import { writeSampleJsonl } from '../../runtime/src/simulator/index.ts';
import { TestClient } from '../../runtime/test/hub/support.ts';
import { flowc, killAll, type FlowcProcess } from './support/flowc-process.ts';


/** `flowc run <args>` in the repo. */
function flowcRun(...args: string[]): FlowcProcess {
  return flowc(['run', ...args]);
}

/** The value of a counter or gauge series in Prometheus text (the sum over the lines that match). */
function metricValue(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    found = true;
  }
  return found ? sum : Number.NaN;
}

async function metricsWhen(url: string, ready: (text: string) => boolean, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await (await fetch(`${url}metrics`)).text();
    if (ready(text) || Date.now() > deadline) return text;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The first messages of the hub's WebSocket (subscribed to every stream) until `enough` says so. */
async function wsMessages(url: string, enough: (messages: readonly ServerMessage[]) => boolean): Promise<readonly ServerMessage[]> {
  const client = await TestClient.ready(`${url.replace(/^http/, 'ws')}ws`);
  client.subscribe('*');
  await client.until(enough, 'enough messages');
  await client.close();
  return client.messages;
}

interface Summary {
  readonly reason: string;
  readonly counters: { readonly eventsIn: number; readonly decoded: number; readonly deadLetters: number; readonly windowsEmitted: number; readonly alerts: number };
  readonly simulator: Readonly<Record<string, { readonly records: number; readonly malformed: number }>>;
  readonly resumedFrom: { readonly id: number; readonly offset: number } | null;
  readonly finalCheckpoint: { readonly id: number; readonly offset: number } | null;
  /** `-U` records `--out` left out. */
  readonly resultsSkipped: number | null;
}

function summaryOf(stateDir: string): Summary {
  return JSON.parse(readFileSync(join(stateDir, 'run-summary.json'), 'utf8')) as Summary;
}

/** Records in a topic of the state dir's log (JSON-lines segments, one record per line). */
function topicRecords(stateDir: string, topic: string): number {
  const dir = join(stateDir, 'log', 'topics', topic);
  let n = 0;
  for (const partition of readdirSync(dir)) {
    if (partition === 'topic.json') continue;
    for (const segment of readdirSync(join(dir, partition))) {
      n += readFileSync(join(dir, partition, segment), 'utf8').split('\n').filter((l) => l.trim() !== '').length;
    }
  }
  return n;
}

let work = '';
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'flowc-run-'));
});

afterAll(() => {
  killAll();
});

describe('flowc run (embedded)', () => {
  let stateDir = '';
  let first: Summary | null = null;

  it('runs for --duration, serves /metrics and the live hub, dead-letters every malformed record, and exits 0 by itself', async () => {
    stateDir = join(work, 'state');
    const out = join(work, 'results.jsonl');
    const run = flowcRun('pipelines/website-analytics.flow', '--duration', '20s', '--rate', '2000', '--port', '0', '--state-dir', stateDir, '--malformed', '0.05', '--out', out);
    const [, url] = (await run.waitFor(/dashboard: (http:\/\/\S+\/)/)) as unknown as [string, string];
    expect(run.output()).toContain('starting from the beginning (no checkpoint)');

    // While it runs: flowc_ counters move, the hub answers and pushes window rows.
    const metrics = await metricsWhen(url, (t) => metricValue(t, 'flowc_windows_emitted_total') > 0 && metricValue(t, 'flowc_dead_letters_total') > 0);
    expect(metricValue(metrics, 'flowc_events_in_total', { operator: 'events.source' })).toBeGreaterThan(0);
    expect(metricValue(metrics, 'flowc_windows_emitted_total')).toBeGreaterThan(0);
    expect(metricValue(metrics, 'flowc_dead_letters_total', { operator: 'events.decode' })).toBeGreaterThan(0);
    expect(metricValue(metrics, 'flowc_websocket_clients')).toBe(0);
    const health = await fetch(`${url}healthz`);
    expect(health.status).toBe(200);
    const manifest = (await (await fetch(`${url}api/manifest`)).json()) as { pipeline: string; metrics: { name: string }[]; alerts: { stream: string }[] };
    expect(manifest.pipeline).toBe('website_analytics');
    expect(manifest.metrics.map((m) => m.name)).toContain('realtime');
    // The built dashboard (dashboard/dist) when there is one, else the hub's minimal page.
    const page = await fetch(url);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toMatch(/<script[\s>]/);
    const messages = await wsMessages(url, (ms) => ms.some((m) => m.type === 'health') && ms.some((m) => m.type === 'update'));
    expect(messages.every((m) => m.v === PROTOCOL_VERSION)).toBe(true);
    expect(messages[0]?.type).toBe('hello');
    expect(messages[1]?.type).toBe('health');
    const update = messages.find((m) => m.type === 'update');
    if (update?.type !== 'update') throw new Error('no update message');
    expect(manifest.metrics.map((m) => m.name)).toContain(update.stream);
    // Each stream's snapshot comes before its live updates.
    const snapshotAt = messages.findIndex((m) => m.type === 'snapshot' && m.stream === update.stream);
    expect(snapshotAt).toBeGreaterThan(0);
    expect(snapshotAt).toBeLessThan(messages.indexOf(update));
    // The row pushed was also written to the embedded time-series store (the same emit goes to influx()).
    const history = (await (await fetch(`${url}api/history?metric=${update.stream}&from=-1h`)).json()) as { kind: string; rows: unknown[] };
    expect(history.kind).toBe('metric');
    expect(history.rows.length).toBeGreaterThan(0);

    const exit = await run.exited;
    expect(exit.stderr).toBe('');
    expect(exit.code).toBe(0);
    expect(run.output()).toMatch(/stopped \(duration\)/);

    // Every record the simulator produced was read: the malformed ones are the dead letters, the rest decoded.
    const summary = summaryOf(stateDir);
    first = summary;
    const produced = summary.simulator['website-analytics-events'];
    expect(produced?.malformed).toBeGreaterThan(500);
    expect(summary.counters.eventsIn).toBe(produced?.records);
    expect(summary.counters.deadLetters).toBe(produced?.malformed);
    expect(summary.counters.eventsIn).toBe(summary.counters.decoded + summary.counters.deadLetters);
    // … and they are in the dead-letter output, the source's `dead letter to kafka(topic: "website-analytics-dlq")`.
    expect(topicRecords(stateDir, 'website-analytics-dlq')).toBe(summary.counters.deadLetters);
    const letter = JSON.parse(readFileSync(join(stateDir, 'log', 'topics', 'website-analytics-dlq', '0', readdirSync(join(stateDir, 'log', 'topics', 'website-analytics-dlq', '0'))[0] as string), 'utf8').split('\n')[0] as string) as { value: string };
    expect(JSON.parse(letter.value)).toMatchObject({ source: 'events', raw: expect.any(String), reason: expect.any(String) });

    // --out has the window rows and the alerts (the backfilled minutes raise some at once): one line
    // per result the engine counted, but the `-U` records, which it leaves out (resultsSkipped).
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { stream: string; change?: string; rowKey?: string; value: Record<string, unknown> });
    const alertStreams = new Set(manifest.alerts.map((a) => a.stream));
    const skipped = summary.resultsSkipped ?? 0;
    expect(rows.length + skipped).toBe(summary.counters.windowsEmitted + summary.counters.alerts);
    expect(rows.filter((r) => !alertStreams.has(r.stream)).length).toBeGreaterThanOrEqual(summary.counters.windowsEmitted - skipped);
    expect(rows.filter((r) => alertStreams.has(r.stream)).length).toBeGreaterThanOrEqual(summary.counters.alerts - skipped);
    expect(rows.filter((r) => r.change === '-U')).toEqual([]);
    expect(rows.filter((r) => (r.change === undefined) !== (r.rowKey === undefined))).toEqual([]);
    for (const stream of ['realtime', 'business', 'geography', 'popular_pages']) expect(rows.some((r) => r.stream === stream)).toBe(true);
    expect(rows.find((r) => r.stream === 'business')?.value).toHaveProperty('window_end');
    expect(summary.finalCheckpoint?.offset).toBe(summary.counters.eventsIn);
  }, 60_000);

  it('resumes from the checkpoint on the same state dir, continues at its offsets, and takes a last checkpoint on SIGINT', async () => {
    expect(first).not.toBeNull();
    const previous = first as Summary;
    const run = flowcRun('pipelines/website-analytics.flow', '--rate', '2000', '--port', '0', '--state-dir', stateDir, '--malformed', '0.05');
    const resume = await run.waitFor(/resuming from checkpoint #(\d+) at offset (\d+)/);
    expect(Number(resume[1])).toBe(previous.finalCheckpoint?.id);
    expect(Number(resume[2])).toBe(previous.finalCheckpoint?.offset);
    expect(Number(resume[2])).toBeGreaterThan(0);
    const [, url] = (await run.waitFor(/dashboard: (http:\/\/\S+\/)/)) as unknown as [string, string];
    await metricsWhen(url, (t) => metricValue(t, 'flowc_events_in_total', { operator: 'events.source' }) > 1000);
    run.child.kill('SIGINT');
    const exit = await run.exited;
    expect(exit.stderr).toBe('');
    expect(exit.code).toBe(0);
    expect(run.output()).toMatch(/stopped \(signal\)/);

    const summary = summaryOf(stateDir);
    expect(summary.resumedFrom?.offset).toBe(previous.finalCheckpoint?.offset);
    // It read on from where the first run stopped, not from offset 0.
    expect(summary.counters.eventsIn).toBeGreaterThan(1000);
    expect(summary.finalCheckpoint?.offset).toBe((previous.finalCheckpoint?.offset ?? 0) + summary.counters.eventsIn);
    expect(summary.counters.deadLetters).toBe(summary.simulator['website-analytics-events']?.malformed);
    const id = summary.finalCheckpoint?.id ?? 0;
    expect(id).toBeGreaterThan(previous.finalCheckpoint?.id ?? 0);
    expect(existsSync(join(stateDir, 'checkpoints', `checkpoint-${String(id).padStart(20, '0')}.json`))).toBe(true);
  }, 40_000);
});

describe('flowc run --from (replay)', () => {
  it('replays a file in event time, flushes the windows at its end, and gives the same results twice', async () => {
    const events = join(work, 'events.jsonl');
    await writeSampleJsonl(events, 20_000, 11, { malformed: { fraction: 0.02 }, outOfOrder: { fraction: 0.05, maxDelayMs: 3000 } });
    const outputs: string[] = [];
    for (const n of [1, 2]) {
      const out = join(work, `replay-${n}.jsonl`);
      const run = flowcRun('pipelines/website-analytics.flow', '--from', events, '--out', out, '--port', '0', '--state-dir', join(work, `replay-state-${n}`));
      const exit = await run.exited;
      expect(exit.stderr).toBe('');
      expect(exit.code).toBe(0);
      expect(run.output()).toMatch(/stopped \(end of input\)/);
      outputs.push(readFileSync(out, 'utf8'));
    }
    expect(outputs[1]).toBe(outputs[0]);
    const streams = new Set((outputs[0] as string).trim().split('\n').map((l) => (JSON.parse(l) as { stream: string }).stream));
    // Event-time windows (sessions close at the end of input), processing-time ones, and alerts.
    for (const stream of ['sessions', 'business', 'geography', 'funnel', 'popular_pages', 'realtime', 'session_health', 'bounces']) expect(streams).toContain(stream);
  }, 40_000);
});
