// The clients process of bench/push-latency.ts (forked by it, never run by hand):
//
//   node --import tsx bench/push-latency/clients.ts <schedule.json>
//
// `ws` clients (N of them in this one process, so the server's event loop is not shared) or one
// page in Debian's headless Chromium. Each subscribes as a dashboard would — flowc: wait for
// `hello`, send `{v:2,type:'subscribe',streams:'*'}`, get a snapshot per stream; peer: send the
// reference's `{action:'subscribe',metrics:[…]}` — and for every row that arrives records its
// receipt time minus its emission time (`_bench_emitted`), once per row (the peer sends the same
// values again on every poll until they change: repeats are counted, not timed). The receipt time
// is taken first thing in the message handler, before anything is parsed; the `ws` clients read
// the stamp of a flowc update from the frame's bytes (`fastStamp`), the browser parses the JSON.
import { existsSync } from 'node:fs';
import { cpuUsage } from 'node:process';
import type { Browser, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { manifest } from '../../generated/website-analytics/manifest.ts';
import { PROTOCOL_VERSION } from '../../runtime/src/hub/index.ts';
import { EMITTED, SEQ, loadSchedule, now, percentile, summarise, tell, type ClientsReport, type Implementation, type LatencySummary, type ToClients } from './shared.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** The dashboard's metric streams: what the peer's clients name in their subscribe message. */
const METRIC_STREAMS = manifest.metrics.filter((m) => !manifest.alerts.some((a) => a.stream === m.name)).map((m) => m.name);

const { seqs } = loadSchedule(process.argv[2] as string);

/** Per client: latency of each row by sequence number (NaN: not received). */
interface Receiver {
  readonly latency: Float64Array;
  /** The peer: receipt − `polledAt` of each message. */
  readonly sends: number[];
  duplicates: number;
  closed: boolean;
}

function newReceiver(): Receiver {
  return { latency: new Float64Array(seqs.length).fill(Number.NaN), sends: [], duplicates: 0, closed: false };
}

function receive(receiver: Receiver, row: unknown, t: number): void {
  if (typeof row !== 'object' || row === null) return;
  const seq = (row as Record<string, unknown>)[SEQ];
  const emitted = (row as Record<string, unknown>)[EMITTED];
  if (typeof seq === 'number' && typeof emitted === 'number') receiveStamp(receiver, seq, emitted, t);
}

function receiveStamp(receiver: Receiver, seq: number, emitted: number, t: number): void {
  if (!(Number.isInteger(seq) && seq >= 0 && seq < seqs.length)) return;
  if (Number.isNaN(receiver.latency[seq] as number)) receiver.latency[seq] = t - emitted;
  else receiver.duplicates++;
}

const UPDATE = Buffer.from('"type":"update"');
const ALERT = Buffer.from('"type":"alert"');
const SEQ_FIELD = Buffer.from(`"${SEQ}":`);
const EMITTED_FIELD = Buffer.from(`"${EMITTED}":`);

/**
 * The stamp of a flowc `update` or `alert` frame, read from the bytes without parsing the JSON:
 * with a thousand clients in one process, parsing every frame would make this process the
 * bottleneck (a browser parses its own frames only; the Chromium row does). `null`: another
 * message, or not found (then the frame is parsed).
 */
function fastStamp(data: Buffer): { readonly seq: number; readonly emitted: number } | null {
  // An array frame (several rows of one stream) is parsed in full.
  if (data[0] === 0x5b) return null;
  const head = data.subarray(0, 48);
  if (head.indexOf(UPDATE) < 0 && head.indexOf(ALERT) < 0) return null;
  const seq = numberAfter(data, data.lastIndexOf(SEQ_FIELD), SEQ_FIELD.length);
  const emitted = numberAfter(data, data.lastIndexOf(EMITTED_FIELD), EMITTED_FIELD.length);
  return seq === null || emitted === null ? null : { seq, emitted };
}

function numberAfter(data: Buffer, at: number, skip: number): number | null {
  if (at < 0) return null;
  const from = at + skip;
  let to = from;
  while (to < data.length && '0123456789.-+eE'.includes(String.fromCharCode(data[to] as number))) to++;
  const value = Number(data.toString('latin1', from, to));
  return to > from && Number.isFinite(value) ? value : null;
}

// ───────────────────────────── ws clients ─────────────────────────────

interface ServerFrame {
  readonly type?: string;
  readonly streams?: readonly unknown[];
  readonly row?: unknown;
  readonly alert?: unknown;
  readonly metrics?: Readonly<Record<string, readonly { readonly row: unknown }[]>>;
  readonly polledAt?: number;
}

/** One `ws` client; resolves once it is subscribed (flowc: every snapshot arrived). */
function wsClient(implementation: Implementation, url: string, receiver: Receiver): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // No UTF-8 check of each frame (the frames are the hub's own JSON): less work per frame in this process.
    const ws = new WebSocket(url, { skipUTF8Validation: true, perMessageDeflate: false });
    let streams = -1;
    let snapshots = 0;
    ws.on('error', reject);
    ws.on('close', () => (receiver.closed = true));
    ws.on('open', () => {
      if (implementation === 'peer') {
        ws.send(JSON.stringify({ action: 'subscribe', metrics: METRIC_STREAMS }));
        resolve(ws);
      }
    });
    ws.on('message', (data: Buffer) => {
      const t = now();
      if (implementation === 'flowc') {
        const stamp = fastStamp(data);
        if (stamp !== null) {
          receiveStamp(receiver, stamp.seq, stamp.emitted, t);
          return;
        }
      }
      const frame = JSON.parse(data.toString('utf8')) as ServerFrame | ServerFrame[];
      if (implementation === 'peer' && !Array.isArray(frame)) {
        if (typeof frame.polledAt === 'number') receiver.sends.push(t - frame.polledAt);
        for (const rows of Object.values(frame.metrics ?? {})) for (const r of rows) receive(receiver, r.row, t);
        return;
      }
      // flowc: one message, or an array of one stream's messages.
      for (const message of Array.isArray(frame) ? frame : [frame]) {
        switch (message.type) {
          case 'update':
            receive(receiver, message.row, t);
            break;
          case 'alert':
            receive(receiver, message.alert, t);
            break;
          case 'hello':
            streams = message.streams?.length ?? 0;
            ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'subscribe', streams: '*' }));
            break;
          case 'snapshot':
            if (++snapshots === streams) resolve(ws);
            break;
          case 'error':
            reject(new Error(`hub error: ${data.toString('utf8')}`));
            break;
        }
      }
    });
  });
}

// ───────────────────────────── the browser ─────────────────────────────

/** The page's script, as text (so no bundler helper ends up in it): the same logic as the ws clients. */
const PAGE_SCRIPT = `(arg) => {
  const state = { latency: {}, sends: [], duplicates: 0, ready: false, closed: false, streams: -1, snapshots: 0 };
  window.__bench = state;
  const clock = () => performance.timeOrigin + performance.now();
  const receive = (row, t) => {
    if (!row || typeof row.${SEQ} !== 'number' || typeof row.${EMITTED} !== 'number') return;
    if (row.${SEQ} in state.latency) state.duplicates++;
    else state.latency[row.${SEQ}] = t - row.${EMITTED};
  };
  const ws = new WebSocket(arg.wsUrl);
  ws.onopen = () => {
    if (arg.implementation !== 'peer') return;
    ws.send(JSON.stringify({ action: 'subscribe', metrics: arg.metrics }));
    state.ready = true;
  };
  ws.onclose = () => { state.closed = true; };
  ws.onmessage = (event) => {
    const t = clock();
    const m = JSON.parse(event.data);
    if (arg.implementation === 'peer') {
      if (typeof m.polledAt === 'number') state.sends.push(t - m.polledAt);
      for (const rows of Object.values(m.metrics || {})) for (const r of rows) receive(r.row, t);
      return;
    }
    for (const x of Array.isArray(m) ? m : [m]) {
      if (x.type === 'update') receive(x.row, t);
      else if (x.type === 'alert') receive(x.alert, t);
      else if (x.type === 'hello') { state.streams = x.streams.length; ws.send(JSON.stringify({ v: ${PROTOCOL_VERSION}, type: 'subscribe', streams: '*' })); }
      else if (x.type === 'snapshot' && ++state.snapshots === state.streams) state.ready = true;
    }
  };
}`;

/** The page's clock minus this process's, from the round trip with the smallest delay. */
async function browserOffset(page: Page): Promise<number> {
  let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 };
  for (let i = 0; i < 30; i++) {
    const before = now();
    const theirs = (await page.evaluate('performance.timeOrigin + performance.now()')) as number;
    const after = now();
    if (after - before < best.rtt) best = { rtt: after - before, offset: theirs - (before + after) / 2 };
  }
  return best.offset;
}

// ───────────────────────────── the process ─────────────────────────────

const receivers: Receiver[] = [];
const sockets: WebSocket[] = [];
let browser: Browser | null = null;
let page: Page | null = null;
let cpuAtStart = cpuUsage();
let wallAtStart = now();

async function connect(message: Extract<ToClients, { type: 'connect' }>): Promise<void> {
  const started = now();
  if (message.kind === 'browser') {
    if (!existsSync(CHROMIUM)) {
      tell({ type: 'skip', reason: `no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; or set CHROMIUM_PATH)` });
      return;
    }
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    await page.goto(message.pageUrl);
    await page.evaluate(`(${PAGE_SCRIPT})(${JSON.stringify({ wsUrl: message.wsUrl, implementation: message.implementation, metrics: METRIC_STREAMS })})`);
    await page.waitForFunction('window.__bench.ready === true', undefined, { timeout: 30_000 });
    tell({ type: 'connected', n: 1, ms: now() - started, browserOffsetMs: await browserOffset(page), browserVersion: browser.version() });
    return;
  }
  // Connected in waves, so the listen backlog never overflows.
  const WAVE = 50;
  for (let i = 0; i < message.n; i += WAVE) {
    const wave: Promise<WebSocket>[] = [];
    for (let j = i; j < Math.min(message.n, i + WAVE); j++) {
      const receiver = newReceiver();
      receivers.push(receiver);
      wave.push(wsClient(message.implementation, message.wsUrl, receiver));
    }
    sockets.push(...(await Promise.all(wave)));
  }
  tell({ type: 'connected', n: sockets.length, ms: now() - started, browserOffsetMs: null, browserVersion: null });
}

async function report(fromMs: number, untilMs: number): Promise<ClientsReport> {
  const used = cpuUsage(cpuAtStart);
  const cpuShare = (used.user + used.system) / 1000 / (now() - wallAtStart);
  if (page !== null) {
    const state = JSON.parse((await page.evaluate('JSON.stringify(window.__bench)')) as string) as { latency: Record<string, number>; sends: number[]; duplicates: number; closed: boolean };
    const receiver = newReceiver();
    receiver.sends.push(...state.sends);
    for (const [seq, latency] of Object.entries(state.latency)) receiver.latency[Number(seq)] = latency;
    receiver.duplicates = state.duplicates;
    receiver.closed = state.closed;
    receivers.push(receiver);
  }
  const measured = seqs.map((s, seq) => ({ ...s, seq })).filter((s) => s.at >= fromMs && s.at < untilMs);
  const pick = (alert: boolean): LatencySummary => {
    const rows = measured.filter((s) => s.alert === alert);
    const values: number[] = [];
    for (const receiver of receivers) {
      for (const { seq } of rows) {
        const latency = receiver.latency[seq] as number;
        if (!Number.isNaN(latency)) values.push(latency);
      }
    }
    return summarise(Float64Array.from(values), rows.length * receivers.length);
  };
  const p99ByStream: Record<string, number> = {};
  for (const stream of new Set(measured.map((s) => s.stream))) {
    const values: number[] = [];
    for (const receiver of receivers) for (const s of measured) if (s.stream === stream && !Number.isNaN(receiver.latency[s.seq] as number)) values.push(receiver.latency[s.seq] as number);
    p99ByStream[stream] = summarise(Float64Array.from(values), 0).p99;
  }
  const sends = Float64Array.from(receivers.flatMap((r) => r.sends)).sort();
  return {
    sendP50Ms: sends.length === 0 ? null : percentile(sends, 0.5),
    sendP99Ms: sends.length === 0 ? null : percentile(sends, 0.99),
    updates: pick(false),
    alerts: pick(true),
    p99ByStream,
    duplicates: receivers.reduce((n, r) => n + r.duplicates, 0),
    closed: receivers.filter((r) => r.closed).length,
    cpuShare,
  };
}

async function stop(): Promise<void> {
  for (const ws of sockets) ws.terminate();
  await browser?.close();
  process.exit(0);
}

process.on('message', (message: ToClients) => {
  const fail = (error: unknown): void => {
    process.stderr.write(`clients: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  };
  switch (message.type) {
    case 'connect':
      connect(message).catch(fail);
      return;
    case 'clock':
      tell({ type: 'clock', now: now() });
      return;
    case 'start':
      cpuAtStart = cpuUsage();
      wallAtStart = now();
      return;
    case 'report':
      report(message.fromMs, message.untilMs).then((r) => tell({ type: 'report', report: r }), fail);
      return;
    case 'stop':
      stop().catch(fail);
      return;
  }
});
process.on('disconnect', () => void stop());
