// Push latency of the dashboard: from a window's emission to its receipt by a client, flowc's hub
// beside the reference's delivery path, at 1, 100 and 1,000 clients.
//
//   npx tsx bench/push-latency.ts [--clients 1,100,1000] [--seconds 30] [--warmup 3] [--rate 200] [--no-browser] [--only flowc|peer] [--write]
//
// What is published: the website job's own dashboard output. The compiled website-analytics
// pipeline (generated/website-analytics) runs first on the real engine over the simulator's events
// at `--rate` events/s (`flowc run`'s default, 200), processing time driven by event time so that
// it takes seconds; every batch the engine hands to its `dashboard()` sink is kept with the time it
// was emitted (push-latency/schedule.ts). The kept part starts 31 minutes into the simulated run,
// when every window is in its steady state and checkout-abandonment alerts (30 minute timeouts)
// flow. The publisher replays those batches at their real offsets, so rows, batch sizes and
// cadence are the job's: realtime and session_health every 5 s, business and geography (one row
// per country) every 10 s, popular_pages early firings every 2 s, funnel every minute, alerts as
// they come. (Chosen over a synthetic 100 ms cadence: the bursts are what a hub must absorb.) The
// HIGH_BOUNCE_RATE burst at each 5 minute boundary (~1,300 alerts in one batch at 200 events/s)
// falls outside the replayed part.
//
// Emission: right before a batch is handed over, the publisher stamps each row with the time
// (`performance.timeOrigin + performance.now()`: sub-millisecond wall clock, comparable between the
// processes of one machine; the script measures the processes' clock offsets and prints them). A
// batch that became due while earlier ones were still being handed over (the engine emits a step's
// batches one after another, each `write` waiting for the hub) is stamped with the time it became
// due, so that wait counts; otherwise with the time it is handed over, so that the lateness of the
// harness's own timer does not (push-latency/server.ts, `replay`).
// Receipt: the same clock, first thing in the client's message handler. Latency = receipt −
// emission, per row and client; a row the peer sends again (unchanged) is counted once.
//
// Processes, per implementation and client count (fresh each time): a server process and a clients
// process, forked by this script, so the server's event loop is not shared with the clients.
//   flowc: a real DashboardHub (manifest of the website job, default options: health every second,
//          WebSocket pings, recent rows for snapshots), fed through a real HubSink as `flowc run`
//          wires it. Clients wait for `hello`, subscribe to '*', get a snapshot per stream.
//   peer:  the reference's WebSocket server (Stage 5, Java/Jetty) modelled in Node with `ws`
//          (push-latency/peer.ts): rows are written to a store (the newest point of each series,
//          as InfluxDB's `last()` reads it); every 5 s it reads the series written in the last
//          minute, serialises them once and sends that text to every client. Alerts do not reach its
//          clients (the reference sends them to Kafka), so the comparison is over metric updates.
//          Not Jetty itself: the peer's latency is its 5 s poll, which the server's language does
//          not change (only the milliseconds of sending), and a JVM on this shared 2-core machine
//          would disturb the flowc runs more than it would tell.
// N `ws` clients share one process; at N = 1 a page in Debian's headless Chromium
// (/usr/bin/chromium, playwright-core) is measured as well, opened on the server's own origin.
//
// Each run replays `--warmup` + `--seconds` seconds; rows emitted during the warm-up are not
// counted; after the last batch the clients keep listening for 1 s (the peer: 1 s after its next
// poll) before they report. Lost = rows × clients expected − received. Processes are not pinned to
// cores: the machine has 2, shared, and the server and the clients need one each. `--write`
// rewrites the "Dashboard push latency" section of bench/RESULTS.md (the other sections stay).
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manifest } from '../generated/website-analytics/manifest.ts';
import { PEER_POLL_MS } from './push-latency/peer.ts';
import { websiteSchedule } from './push-latency/schedule.ts';
import { now, percentile, type ClientKind, type ClientsReport, type FromClients, type FromServer, type Implementation, type ScheduleFile, type ToClients, type ToServer } from './push-latency/shared.ts';
import type { ScheduledBatch } from './push-latency/schedule.ts';

const SERVER = fileURLToPath(new URL('./push-latency/server.ts', import.meta.url));
const CLIENTS = fileURLToPath(new URL('./push-latency/clients.ts', import.meta.url));
const RESULTS = new URL('./RESULTS.md', import.meta.url);
const SETTLE_MS = 31 * 60_000;
const SECTION = '## Dashboard push latency';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

// ───────────────────────────── children ─────────────────────────────

type Child<In, Out extends { type: string }> = {
  readonly process: ChildProcess;
  send(message: In): void;
  next<T extends Out['type']>(...types: T[]): Promise<Extract<Out, { type: T }>>;
};

function start<In, Out extends { type: string }>(script: string, args: readonly string[]): Child<In, Out> {
  const child = fork(script, [...args], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox: Out[] = [];
  const waiting: { types: readonly string[]; resolve: (m: Out) => void; reject: (e: Error) => void }[] = [];
  child.on('message', (message: Out) => {
    const i = waiting.findIndex((w) => w.types.includes(message.type));
    if (i < 0) inbox.push(message);
    else waiting.splice(i, 1)[0]?.resolve(message);
  });
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`${script} exited (${String(code)}) while waiting for ${w.types.join('/')}`));
  });
  return {
    process: child,
    send: (message) => void child.send(message as object),
    next: <T extends Out['type']>(...types: T[]) =>
      new Promise<Extract<Out, { type: T }>>((resolve, reject) => {
        const i = inbox.findIndex((m) => (types as string[]).includes(m.type));
        if (i >= 0) resolve(inbox.splice(i, 1)[0] as Extract<Out, { type: T }>);
        else if (child.exitCode !== null) reject(new Error(`${script} has exited (${child.exitCode})`));
        else waiting.push({ types, resolve: resolve as (m: Out) => void, reject });
      }),
  };
}

async function stopChild(child: Child<ToServer | ToClients, { type: string }>): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.process.once('exit', () => resolve()));
  child.send({ type: 'stop' });
  const timer = setTimeout(() => child.process.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A child's clock minus ours, from the IPC round trip with the smallest delay. */
async function clockOffset(child: { send(message: { readonly type: 'clock' }): void; next(type: 'clock'): Promise<{ readonly now: number }> }): Promise<{ offset: number; rtt: number }> {
  let best = { offset: 0, rtt: Number.POSITIVE_INFINITY };
  for (let i = 0; i < 20; i++) {
    const before = now();
    child.send({ type: 'clock' });
    const theirs = (await child.next('clock')).now;
    const after = now();
    if (after - before < best.rtt) best = { offset: theirs - (before + after) / 2, rtt: after - before };
  }
  return best;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ───────────────────────────── one run ─────────────────────────────

type ServerDone = Extract<FromServer, { type: 'done' }>;

interface Run {
  readonly implementation: Implementation;
  readonly kind: ClientKind;
  readonly n: number;
  /** The peer's first poll, ms after the replay's start. */
  readonly pollPhaseMs: number | null;
  readonly report: ClientsReport | null;
  readonly done: ServerDone | null;
  readonly skipped: string | null;
  /** Clients' clock − server's, and its uncertainty; the page's clock − the clients process's. */
  readonly skewMs: number;
  readonly skewRttMs: number;
  readonly browserOffsetMs: number | null;
  readonly browserVersion: string | null;
  readonly notes: string[];
}

async function measure(implementation: Implementation, kind: ClientKind, n: number, schedule: string, warmupMs: number, untilMs: number, pollPhaseMs: number): Promise<Run> {
  const server = start<ToServer, FromServer>(SERVER, [implementation, schedule]);
  const clients = start<ToClients, FromClients>(CLIENTS, [schedule]);
  const notes: string[] = [];
  const base = { implementation, kind, n, pollPhaseMs: implementation === 'peer' ? pollPhaseMs : null, notes };
  try {
    const ready = await server.next('ready');
    clients.send({ type: 'connect', implementation, kind, n, wsUrl: ready.wsUrl, pageUrl: ready.pageUrl });
    const connected = await clients.next('connected', 'skip');
    if (connected.type === 'skip') return { ...base, report: null, done: null, skipped: connected.reason, skewMs: 0, skewRttMs: 0, browserOffsetMs: null, browserVersion: null };
    const serverClock = await clockOffset(server);
    const clientsClock = await clockOffset(clients);
    const skewMs = clientsClock.offset - serverClock.offset;
    const skewRttMs = (serverClock.rtt + clientsClock.rtt) / 2;
    notes.push(`${connected.n} connected in ${connected.ms.toFixed(0)} ms`);
    notes.push(`clock offset clients − server ${skewMs.toFixed(3)} ms (±${skewRttMs.toFixed(3)})`);
    if (connected.browserOffsetMs !== null) notes.push(`Chromium ${connected.browserVersion ?? '?'}: page clock − clients process ${connected.browserOffsetMs.toFixed(3)} ms`);
    clients.send({ type: 'start' });
    server.send({ type: 'go', untilMs, pollPhaseMs });
    const done = await server.next('done');
    // The peer's clients get the last rows with its next poll.
    await sleep((done.nextPollInMs ?? 0) + 1000);
    clients.send({ type: 'report', fromMs: warmupMs, untilMs });
    const { report } = await clients.next('report');
    notes.push(
      `server: ${done.published} rows in ${done.batches} batches; write per batch p50 ${ms(done.writeP50Ms)} max ${ms(done.writeMaxMs)}, ` +
        `${perFrameUs(done, n).toFixed(1)} µs per row and client; idle timer lag p99 ${ms(done.idleLagP99Ms)}; ` +
        `CPU ${cpuPercent(done)}% of a core; ${String(done.hubClients)} clients at the end, ${String(done.dropped ?? 0)} dropped`,
    );
    notes.push(`clients: CPU ${(report.cpuShare * 100).toFixed(0)}% of a core, ${report.duplicates} repeated rows, ${report.closed} closed`);
    notes.push(`p99 by stream: ${byStream(report)}`);
    return { ...base, report, done, skipped: null, skewMs, skewRttMs, browserOffsetMs: connected.browserOffsetMs, browserVersion: connected.browserVersion };
  } finally {
    await Promise.all([stopChild(clients as Child<ToClients, { type: string }>), stopChild(server as Child<ToServer, { type: string }>)]);
  }
}

function perFrameUs(done: ServerDone, n: number): number {
  return (done.writeTotalMs * 1000) / Math.max(1, done.published * n);
}

function cpuPercent(done: ServerDone): string {
  return ((done.cpuMs / done.wallMs) * 100).toFixed(0);
}

function byStream(report: ClientsReport): string {
  return Object.entries(report.p99ByStream)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([s, v]) => `${s} ${ms(v)}`)
    .join(', ');
}

/**
 * The phase of the peer's 5 s poll against the replay (its first poll, ms after the start): the
 * golden-ratio sequence, so that successive peer runs spread over the 5 s instead of all landing
 * where process start-up would put them (just before the job's 5 s boundaries, in trials: the
 * worst case for the peer).
 */
function pollPhase(k: number): number {
  return ((0.5 + k * 0.6180339887) % 1) * 5000;
}

/**
 * The peer's wait for its poll, computed from the schedule for a poll phase: what peer.ts does
 * (each metric row becomes its series' newest point unless that series holds a later window; every
 * 5 s from `phaseMs` on, each point not sent before goes out), without the sending. Per row of the
 * measured part that reaches the clients: the poll's time minus the row's emission.
 */
function peerWaits(batches: readonly ScheduledBatch[], alertStreams: ReadonlySet<string>, warmupMs: number, untilMs: number, phaseMs: number): number[] {
  const store = new Map<string, { readonly at: number; readonly time: number }>();
  const sent = new Set<object>();
  const waits: number[] = [];
  let i = 0;
  for (let poll = phaseMs; poll < untilMs + PEER_POLL_MS; poll += PEER_POLL_MS) {
    for (; i < batches.length && (batches[i] as ScheduledBatch).at <= poll; i++) {
      const batch = batches[i] as ScheduledBatch;
      for (const r of batch.records) {
        if (alertStreams.has(r.stream)) continue;
        const id = `${r.stream}\u0000${r.key ?? ''}`;
        const previous = store.get(id);
        if (previous === undefined || previous.time <= r.timestamp) store.set(id, { at: batch.at, time: r.timestamp });
      }
    }
    for (const point of store.values()) {
      if (sent.has(point)) continue;
      sent.add(point);
      if (point.at >= warmupMs && point.at < untilMs) waits.push(poll - point.at);
    }
  }
  return waits;
}

/** The peer's waits over 100 poll phases spread evenly over the 5 s (25, 75, …, 4,975 ms). */
function peerWaitsAllPhases(batches: readonly ScheduledBatch[], alertStreams: ReadonlySet<string>, warmupMs: number, untilMs: number): Float64Array {
  const all: number[] = [];
  for (let phase = 25; phase < PEER_POLL_MS; phase += 50) all.push(...peerWaits(batches, alertStreams, warmupMs, untilMs, phase));
  return Float64Array.from(all).sort();
}

// ───────────────────────────── the report ─────────────────────────────

function ms(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value < 10) return `${value.toFixed(2)} ms`;
  if (value < 1000) return `${value.toFixed(1)} ms`;
  return `${(value / 1000).toFixed(2)} s`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function ratio(peer: number, flowc: number): string {
  const r = peer / flowc;
  if (!Number.isFinite(r)) return '–';
  return r >= 100 ? `${count(Math.round(r))}×` : `${r.toFixed(1)}×`;
}

function label(run: Run): string {
  return run.kind === 'browser' ? `${run.n} (Chromium)` : count(run.n);
}

interface PeerModel {
  /** Waits for the poll over all phases, sorted. */
  readonly allPhases: Float64Array;
  readonly waitsAt: (phaseMs: number) => Float64Array;
}

function table(runs: readonly Run[], model: PeerModel): string[] {
  const lines = [
    '| clients | implementation | p50 | p99 | max | updates received / expected | lost | peer / flowc p50 | peer / flowc p99 |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const run of runs) {
    const name = run.implementation === 'peer' ? `peer (poll every 5 s, first at ${((run.pollPhaseMs ?? 0) / 1000).toFixed(2)} s)` : 'flowc hub (push)';
    if (run.report === null) {
      lines.push(`| ${label(run)} | ${name} | skipped: ${run.skipped ?? '?'} | | | | | | |`);
      continue;
    }
    const u = run.report.updates;
    const flowc = runs.find((r) => r.implementation === 'flowc' && r.kind === run.kind && r.n === run.n)?.report?.updates;
    const ratios = run.implementation === 'peer' && flowc !== undefined ? `${ratio(u.p50, flowc.p50)} | ${ratio(u.p99, flowc.p99)}` : ' | ';
    lines.push(`| ${label(run)} | ${name} | ${ms(u.p50)} | ${ms(u.p99)} | ${ms(u.max)} | ${count(u.received)} / ${count(u.expected)} | ${count(u.expected - u.received)} | ${ratios} |`);
  }
  lines.push(
    '',
    '| clients | peer over all poll phases: p50 | p99 | of which poll → receipt (measured p50 / p99) | model at this run\'s phase: p50 / p99 (measured) | peer / flowc p50 | peer / flowc p99 |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const run of runs) {
    if (run.implementation !== 'peer' || run.report === null) continue;
    const send50 = run.report.sendP50Ms ?? 0;
    const p50 = percentile(model.allPhases, 0.5) + send50;
    const p99 = percentile(model.allPhases, 0.99) + send50;
    const at = model.waitsAt(run.pollPhaseMs ?? 0);
    const flowc = runs.find((r) => r.implementation === 'flowc' && r.kind === run.kind && r.n === run.n)?.report?.updates;
    lines.push(
      `| ${label(run)} | ${ms(p50)} | ${ms(p99)} | ${ms(send50)} / ${ms(run.report.sendP99Ms ?? Number.NaN)} | ` +
        `${ms(percentile(at, 0.5) + send50)} / ${ms(percentile(at, 0.99) + send50)} (${ms(run.report.updates.p50)} / ${ms(run.report.updates.p99)}) | ` +
        `${flowc === undefined ? '–' : ratio(p50, flowc.p50)} | ${flowc === undefined ? '–' : ratio(p99, flowc.p99)} |`,
    );
  }
  lines.push('', '| clients | flowc alerts p50 | p99 | max | received / expected | lost |', '| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const run of runs) {
    if (run.implementation !== 'flowc' || run.report === null) continue;
    const a = run.report.alerts;
    lines.push(`| ${label(run)} | ${ms(a.p50)} | ${ms(a.p99)} | ${ms(a.max)} | ${count(a.received)} / ${count(a.expected)} | ${count(a.expected - a.received)} |`);
  }
  return lines;
}

/** What the runs themselves say about where the time goes. */
function measuredNotes(runs: readonly Run[]): string[] {
  const notes: string[] = [];
  const measured = runs.filter((r) => r.report !== null && r.done !== null);
  const skews = measured.map((r) => Math.abs(r.skewMs));
  const browser = measured.find((r) => r.browserOffsetMs !== null);
  notes.push(
    `- Clocks: the server's and the clients' processes differ by at most ${Math.max(0, ...skews).toFixed(3)} ms (measured over IPC, ±${Math.max(0, ...measured.map((r) => r.skewRttMs)).toFixed(3)} ms)` +
      (browser === undefined ? '' : `; Chromium ${browser.browserVersion ?? ''}'s page clock differs from the clients process's by ${(browser.browserOffsetMs ?? 0).toFixed(3)} ms`) +
      '. Latencies are not corrected for either.',
  );
  for (const run of measured) {
    if (run.implementation !== 'flowc' || run.kind !== 'ws') continue;
    const done = run.done as ServerDone;
    const report = run.report as ClientsReport;
    notes.push(
      `- flowc, ${count(run.n)} client${run.n === 1 ? '' : 's'}: a batch's \`write\` (the hub serialising each row once and sending a frame per stream of the batch ` +
        `to every client, synchronously, each client's socket corked for the batch) took p50 ${ms(done.writeP50Ms)}, max ${ms(done.writeMaxMs)}: ${perFrameUs(done, run.n).toFixed(1)} µs per row and client; server CPU ${cpuPercent(done)}% of a core, ` +
        `clients' process ${(report.cpuShare * 100).toFixed(0)}%; p99 by stream: ${byStream(report)}.`,
    );
  }
  return notes;
}

function writeSection(section: string): void {
  const text = readFileSync(RESULTS, 'utf8');
  const at = text.indexOf(`\n${SECTION}\n`);
  if (at < 0) {
    writeFileSync(RESULTS, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const next = text.indexOf('\n## ', at + SECTION.length + 2);
  writeFileSync(RESULTS, `${text.slice(0, at + 1)}${section}${next < 0 ? '' : `\n${text.slice(next + 1)}`}`);
}

async function main(): Promise<void> {
  const clientCounts = option('clients', '1,100,1000').split(',').map(Number);
  const seconds = Number(option('seconds', '30'));
  const warmup = Number(option('warmup', '3'));
  const rate = Number(option('rate', '200'));
  const browser = !process.argv.includes('--no-browser');
  const implementations = option('only', 'flowc,peer').split(',') as Implementation[];
  if (!implementations.every((i) => i === 'flowc' || i === 'peer')) throw new Error('--only flowc, peer or flowc,peer');
  if (clientCounts.some((n) => !(Number.isInteger(n) && n > 0)) || !(seconds > 0) || !(warmup >= 0) || !(rate > 0)) {
    throw new Error('usage: --clients 1,100,1000 --seconds 30 --warmup 3 --rate 200 [--no-browser] [--only flowc|peer] [--write]');
  }
  const started = now();

  const warmupMs = warmup * 1000;
  const untilMs = warmupMs + seconds * 1000;
  const dir = mkdtempSync(join(tmpdir(), 'flowc-push-latency-'));
  const runs: Run[] = [];
  try {
    const batches = await websiteSchedule({ rate, settleMs: SETTLE_MS, lengthMs: untilMs, pollMs: 100 });
    const alertStreams = manifest.alerts.map((a) => a.stream);
    const schedulePath = join(dir, 'schedule.json');
    writeFileSync(schedulePath, JSON.stringify({ rate, settleMs: SETTLE_MS, alertStreams, batches } satisfies ScheduleFile));
    const measuredRows = new Map<string, number>();
    for (const b of batches) if (b.at >= warmupMs) for (const r of b.records) measuredRows.set(r.stream, (measuredRows.get(r.stream) ?? 0) + 1);
    const rowsLine = [...measuredRows].sort(([a], [b]) => (a < b ? -1 : 1)).map(([s, k]) => `${s} ${count(k)}`).join(', ');
    log(`schedule: ${batches.length} batches in ${(untilMs / 1000).toFixed(0)} s; measured rows per client: ${rowsLine}`);

    let peerRuns = 0;
    const one = async (implementation: Implementation, kind: ClientKind, n: number): Promise<void> => {
      const phase = implementation === 'peer' ? pollPhase(peerRuns++) : 0;
      const run = await measure(implementation, kind, n, schedulePath, warmupMs, untilMs, phase);
      runs.push(run);
      const u = run.report?.updates;
      log(`${implementation}${implementation === 'peer' ? ` (first poll at ${(phase / 1000).toFixed(2)} s)` : ''} ${kind} × ${n}: ${u === undefined ? `skipped (${run.skipped ?? '?'})` : `p50 ${ms(u.p50)} p99 ${ms(u.p99)} max ${ms(u.max)}, ${count(u.received)} / ${count(u.expected)} updates`}`);
      for (const note of run.notes) log(`  ${note}`);
    };
    for (const n of clientCounts) {
      const kinds: ClientKind[] = n === 1 && browser ? ['ws', 'browser'] : ['ws'];
      for (const kind of kinds) for (const implementation of implementations) await one(implementation, kind, n);
    }

    const machine = [
      `- nproc: ${execFileSync('nproc', { encoding: 'utf8' }).trim()} (${cpus()[0]?.model ?? 'unknown CPU'}), shared with other work; processes not pinned`,
      `- node ${process.version}, ${process.platform}/${process.arch}; \`ws\` clients in one process, the server in another`,
      `- the website job at ${rate} events/s, ${seconds} s measured per run after ${warmup} s of warm-up; rows per client in the measured part: ${rowsLine}`,
      `- whole run ${((now() - started) / 1000).toFixed(0)} s; load average when done: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    ];
    const alertSet = new Set(alertStreams);
    const model: PeerModel = {
      allPhases: peerWaitsAllPhases(batches, alertSet, warmupMs, untilMs),
      waitsAt: (phase) => Float64Array.from(peerWaits(batches, alertSet, warmupMs, untilMs, phase)).sort(),
    };
    const report = [...machine, '', ...table(runs, model)].join('\n');
    process.stdout.write(`${report}\n`);
    const notes = measuredNotes(runs);
    process.stdout.write(`\n${notes.map(wrap).join('\n')}\n`);
    if (process.argv.includes('--write')) writeSection(sectionText(report, notes, process.argv.slice(2).join(' ')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sectionText(report: string, notes: readonly string[], args: string): string {
  return `${SECTION}

Measured with:

\`\`\`sh
npx tsx bench/push-latency.ts ${args}
\`\`\`

Latency from a window's emission (its row handed to the \`dashboard()\` sink) to its receipt by a
dashboard client, flowc's hub (\`runtime/src/hub\`, protocol v2) beside the reference's delivery
path: a WebSocket server that polls the metric store every 5 s and broadcasts the latest values.
The peer is a Node model of the reference's Java/Jetty server (\`bench/push-latency/peer.ts\`), not
Jetty itself. The published rows are the website job's own dashboard output, replayed at its real
cadence; the script's header says how, and what is timed. Figures are from one run on a shared
machine: compare the ratios, not the absolute numbers.

${report}

Notes:

${notes.map(wrap).join('\n')}
${NOTES}
`;
}

/** A note as markdown lines of at most 100 characters (continuations indented). */
function wrap(note: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of note.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > 100) {
      lines.push(line);
      line = `  ${word}`;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.join('\n');
}

/** What does not change from run to run. */
const NOTES = `- Why flowc's latency grows with the client count: the hub sends, synchronously inside
  \`publish\`, one WebSocket frame per stream of a batch and client (the stream's rows of the batch
  as one JSON array, serialised once; each client's socket corked for the batch, so a batch leaves
  in one write per client). The last client's copy waits for all the others, and whatever falls
  due meanwhile waits behind them. The 1,000 clients also share one process (and the two cores)
  with each other: part of the latency at 1,000 is that process reading every frame (its CPU share
  is above); a thousand browsers on their own machines would each read their own.
- Three hub-side fixes came out of this bench (first runs: p50 280 ms, p99 540 ms at 1,000
  clients): the two-phase final phase re-sent popular_pages' open windows once per arriving partial
  (72 rows per 2 s tick instead of 6; now once per tick); every frame was its own socket write (now
  corked per batch); every row was its own frame (now one frame per stream of a batch).
- Chromium adds a few milliseconds to a \`ws\` client's figures (its network process hands each
  frame to the renderer); its frames are parsed as JSON, the \`ws\` clients read the stamp from
  the bytes.
- The peer's poll phase: its timer runs from its own start, so where its polls fall among the
  job's window timers is arbitrary; each peer run sets its first poll ("first at", seconds after
  the replay's start) from a golden-ratio sequence, so the runs spread over the 5 s. A row waits
  for the next poll: 0–5 s whatever the phase, but the phase decides where in that range each
  stream's rows land (realtime, every 5 s, always waits the same in one run), so one run's peer
  figures are one phase's. The second table is the peer over all phases: its wait for the poll
  computed from the replayed schedule for 100 phases spread over the 5 s (\`peerWaits\`: peer.ts's
  store and poll, without the sending), plus the run's measured poll → receipt median; beside it,
  the same computation at the run's own phase next to what was measured, as a check. Its ratios
  are the expected ones; the first table's are those of one phase.
- "lost" for the peer is by design: it sends the newest value of each series every 5 s, so every
  row superseded between two polls never reaches a client (all of popular_pages' early rows but
  the newest window's last, every other realtime or geography row when two land between polls).
  Its latencies are those of the rows it does deliver: mostly the wait for the next poll (0–5 s),
  plus the row's age at that poll. flowc must lose none, and its "lost" is 0 at every client count.
- Alerts reach only flowc's clients (the reference sends them to Kafka, not to the WebSocket), so
  the comparison is over metric updates; flowc's alert latencies are listed apart.
- A batch that became due while earlier batches were still being sent is stamped with the time it
  became due: the wait the hub's synchronous sending imposes on the engine's next \`write\` is part
  of the latency, as it would be in \`flowc run\` (one event loop).
- Not in the replayed part: the HIGH_BOUNCE_RATE burst at each 5 minute boundary (about 1,300
  alerts in one batch at 200 events/s), which the hub sends as one frame per client.`;

await main();
