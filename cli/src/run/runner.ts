// `flowc run` in embedded mode: one process with the in-process partitioned log fed by the
// simulator (or replay files), the engine, the embedded time-series store, the dashboard hub on one
// port, and checkpoints in the state dir.
//
//   loop: simulator → log topic ─poll→ engine.step (decode → operators → sinks)
//         ├ bounded sources at their end → watermark to +∞ (the engine's step; every window closes)
//         └ checkpoint every --checkpoint-interval (or sooner when much input is uncommitted)
//   stop (--duration, Ctrl-C, SIGTERM, end of input): stop the simulator, drain what it appended,
//         final checkpoint (state, sink flushes, offsets), close everything, print a summary.
//
// State dir:
//   log/                the partitioned log: topics (input, kafka sinks, dead letters) and committed offsets
//   checkpoints/        operator state + source offsets, the newest three
//   simulator.json      the simulator's generation and last event time (a resumed run continues after it)
//   offsets.json        committed offsets of file sources
//   log-sink.jsonl      what log() sinks write (the terminal instead with --verbose)
//   dead-letters.jsonl  dead letters of sources without `dead letter to`
//   run-summary.json    the figures of the last run
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import {
  type Checkpoint,
  type DeadLetterRecord,
  type DecodeNode,
  type SourceNode,
  type Topology,
} from '../../../runtime/src/index.ts';
import {
  CheckpointStorage,
  EmbeddedTimeSeriesStore,
  FileOffsetStore,
  JsonlFileSink,
  LocalStateStoreFactory,
  ManualClock,
  PartitionedLog,
  SystemClock,
} from '../../../runtime/src/adapters/embedded/index.ts';
import { Engine, type EngineCounters } from '../../../runtime/src/engine/index.ts';
import { DashboardHub, StoredSeriesHistory } from '../../../runtime/src/hub/index.ts';
import { FlowcMetrics } from '../../../runtime/src/metrics/registry.ts';
import { EXIT } from '../exit.ts';
import type { CliIO } from '../io.ts';
import { EmbeddedAdapters, describeConnector, planSources, type SourcePlan } from './embedded.ts';
import { SimulatorFeeder, loadFeederStates, saveFeederStates, simulatorFits, type FeederCounts } from './feeder.ts';
import type { RunOptions } from './options.ts';
import type { LoadedPipeline } from './pipeline.ts';
import { CatchUpTime, ResultWriter } from './adapters.ts';
import { RateMeter, StatusLine, formatCount, statusText, type Terminal } from './status.ts';

/** Records kept per partition of the in-process log (older ones are deleted). */
const RETENTION_RECORDS = 10_000;
/** Records per poll: live, and in a replay (smaller, so the replay clock moves in small steps). */
const LIVE_POLL_RECORDS = 4096;
const REPLAY_POLL_RECORDS = 512;
/** How long the stop waits at most for the pipeline to take what the simulator appended (a backlog is bounded: seconds of input). */
const DRAIN_MS = 30_000;
/** The built Svelte dashboard (`npm run build:dashboard`); the hub serves its minimal page while there is none. */
const DASHBOARD_DIST = fileURLToPath(new URL('../../../dashboard/dist', import.meta.url));

type StopReason = 'duration' | 'signal' | 'end of input' | 'error';

interface Cleanup {
  (): Promise<void> | void;
}

export async function runEmbedded(io: CliIO, terminal: Terminal, options: RunOptions, pipeline: LoadedPipeline): Promise<number> {
  const replay = options.from.size > 0;
  const stateDir = resolve(io.cwd, options.stateDir ?? join('.flowc', 'state', replay ? `${pipeline.name}-replay` : pipeline.name));
  const shownState = relative(io.cwd, stateDir).startsWith('..') ? stateDir : relative(io.cwd, stateDir) || '.';
  // A replay without --state-dir is a batch job: it starts from the beginning of its files every time.
  const fresh = options.fresh || (replay && options.stateDir === null);
  const topology = pipeline.topology;
  const sourceNodes = topology.nodes.filter((n): n is SourceNode<unknown> => n.kind === 'source');

  // ── which adapter serves each source ──
  const schemas = new Map(pipeline.manifest.sources.map((s) => [s.name, s.schema]));
  const { plans, problems } = planSources({ topology, schemas, from: options.from, cwd: io.cwd, simulatorFits: (d: DecodeNode<unknown>) => simulatorFits(d.decodeText), defaultPartitions: 4 });
  for (const plan of plans) {
    if (plan.kind === 'file' && !existsSync(plan.absolutePath)) {
      problems.push({ source: plan.source, message: `source \`${plan.source}\` reads ${plan.path}, which does not exist${plan.replay ? '' : `; give its events with --from ${sourceNodes.length > 1 ? `${plan.source}=` : ''}file.jsonl`}` });
    }
  }
  if (problems.length > 0) {
    for (const problem of problems) io.stderr(`flowc run: ${problem.message}`);
    return EXIT.usage;
  }

  if (fresh) clearState(stateDir);
  mkdirSync(stateDir, { recursive: true });

  const cleanups: Cleanup[] = [];
  const cleanUp = async (): Promise<void> => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch {
        // Best effort: the rest must still close.
      }
    }
    cleanups.length = 0;
  };

  const status = new StatusLine(terminal);
  const say = (line: string): void => status.print(line);
  const metrics = new FlowcMetrics();
  const store = new EmbeddedTimeSeriesStore();
  const startedAt = Date.now();
  const meter = new RateMeter();
  let perSecond = 0;
  let engine: Engine | null = null;

  try {
    // ── the dashboard hub (first: a busy port fails before anything is opened) ──
    const hub = new DashboardHub({
      manifest: pipeline.manifest,
      metrics: metrics,
      registry: metrics.registry,
      history: new StoredSeriesHistory(store),
      staticDir: DASHBOARD_DIST,
      token: options.token,
      allowedOrigins: options.allowOrigins,
      health: () => {
        const c = engine?.counters() ?? null;
        return {
          state: engine?.state ?? 'starting',
          uptimeMs: Date.now() - startedAt,
          eventsIn: c?.eventsIn ?? 0,
          eventsPerSecond: perSecond,
          windowsEmitted: c?.windowsEmitted ?? 0,
          alerts: c?.alerts ?? 0,
          deadLetters: c?.deadLetters ?? 0,
          lateEvents: c?.lateEvents ?? 0,
          watermarkLagMs: c?.watermarkLagMs ?? null,
          checkpoints: c?.checkpoints ?? 0,
          lastCheckpointId: c?.lastCheckpointId ?? null,
        };
      },
    });
    let address: { url: string; port: number };
    try {
      address = await hub.listen(options.port, options.host);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      io.stderr(code === 'EADDRINUSE' ? `flowc run: port ${options.port} is in use; pass --port 0 for a free one (or another --port)` : `flowc run: cannot listen on ${options.host}:${options.port}: ${String(error)}`);
      await hub.close();
      return EXIT.diagnostics;
    }
    cleanups.push(() => hub.close());

    // ── state: the log, checkpoints, file offsets ──
    const log = await PartitionedLog.open({ dir: join(stateDir, 'log'), retentionRecords: RETENTION_RECORDS, segmentRecords: 2000, flushIntervalMs: 200, defaultPartitions: 4 });
    cleanups.push(() => log.close());
    for (const plan of plans) if (plan.kind === 'log') log.ensureTopic(plan.topic, plan.partitions);
    const checkpoints = new CheckpointStorage({ dir: join(stateDir, 'checkpoints'), keep: 3 });
    const fileOffsets = await FileOffsetStore.open(join(stateDir, 'offsets.json'));
    const latest = await checkpoints.loadLatest();

    // ── the simulator, one feeder per simulated topic ──
    const feeders = makeFeeders(plans, options, topology, log, stateDir);
    await saveFeederStates(stateDir, feeders);

    // ── outputs of the run itself ──
    // log() sinks all write into one crash-safe file (a sink of theirs flushes it with the others),
    // appended to (--fresh removes it), a torn last line cut when it is opened; --verbose: the terminal.
    const logOutput = options.verbose ? status.writable() : new JsonlFileSink({ name: 'log-sink', path: join(stateDir, 'log-sink.jsonl') });
    cleanups.push(() => (logOutput instanceof JsonlFileSink ? logOutput.close() : new Promise<void>((done) => logOutput.end(() => done()))));
    // --out and the dead-letter file are sinks of the engine: flushed (written, fsynced) before each
    // checkpoint is saved. --out starts anew when the run starts from the beginning (no checkpoint:
    // --fresh, a replay without --state-dir, a new state dir) and is appended to when it resumes.
    const results = options.out === null ? null : new ResultWriter(new JsonlFileSink<string>({ name: '--out', path: resolve(io.cwd, options.out), truncate: latest === null, format: (r) => r.value }));
    const deadLetterFile = new JsonlFileSink<DeadLetterRecord>({ name: 'dead-letters', path: join(stateDir, 'dead-letters.jsonl') });

    // ── the engine ──
    const catchUp = catchUpOf(feeders);
    const systemClock = new SystemClock(catchUp === null ? {} : { now: () => catchUp.now() });
    cleanups.push(() => systemClock.close());
    const replayClock = replay ? new ManualClock({ start: 0 }) : null;
    const adapters = new EmbeddedAdapters({ topology, plans, log, store, hub, cwd: io.cwd, logOutput, fileOffsets, replayClock, catchUp });
    const running = new Engine({
      topology,
      sources: adapters,
      sinks: adapters,
      stateStores: new LocalStateStoreFactory(),
      clock: replayClock ?? systemClock,
      checkpoints,
      metrics,
      checkpointIntervalMs: null,
      maxPollRecords: replay ? REPLAY_POLL_RECORDS : LIVE_POLL_RECORDS,
      pollTimeoutMs: 100,
      defaultPartitions: 4,
      // The implausible-time horizon reads the wall clock, not the replay clock (which moves once
      // per poll): whether a record is plausible must not depend on where the polls end.
      eventTimeBounds: { horizonClock: Date.now },
      extraSinks: results === null ? [deadLetterFile] : [results, deadLetterFile],
    });
    engine = running;
    attachOutputs(running, topology, results, deadLetterFile);

    // ── what is about to run ──
    say(`flowc run ${pipeline.manifest.pipeline} (${pipeline.file}) — embedded mode`);
    say(`  ${pipeline.shownDir}: ${pipeline.written ? 'written' : 'up to date'}`);
    for (const plan of plans) say(`  ${describePlan(plan, sourceNodes, feeders)}`);
    say(`  state: ${shownState} (checkpoint every ${formatSeconds(options.checkpointIntervalMs)})`);
    say(latest === null ? '  starting from the beginning (no checkpoint)' : `  resuming from checkpoint #${latest.id} at offset ${totalOffset(latest)} (${describeOffsets(latest)})`);
    await running.start();
    if (results !== null) say(`  --out: ${options.out} (${latest === null ? 'a new file' : `appending: results from checkpoint #${latest.id} on${results.tornTailBytes > 0 ? `; a torn last line of ${results.tornTailBytes} bytes was cut off` : ''}`})`);
    const dashboardUrl = options.token === null ? address.url : `${address.url}?token=${encodeURIComponent(options.token)}`;
    const built = existsSync(join(DASHBOARD_DIST, 'index.html'));
    say(`  dashboard: ${dashboardUrl}   metrics: ${address.url}metrics${built ? '' : '   (the minimal page: npm run build:dashboard builds the full one)'}`);
    if (options.allowOrigins.length > 0) say(`  dashboard origins allowed besides its own: ${options.allowOrigins.join(', ')}`);
    if (options.durationMs !== null) say(`  stopping by itself after ${formatSeconds(options.durationMs)}`);
    say(`  Ctrl-C to stop (a last checkpoint is taken)${options.verbose ? '' : `; log() output: ${join(shownState, 'log-sink.jsonl')}`}`);

    // ── stop requests ──
    const stop: { reason: StopReason | null } = { reason: null };
    const requestStop = (reason: StopReason): void => {
      stop.reason ??= reason;
    };
    let signals = 0;
    const onSignal = (): void => {
      signals++;
      if (signals > 1) process.exit(130);
      requestStop('signal');
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    cleanups.push(() => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
    const durationTimer = options.durationMs === null ? null : setTimeout(() => requestStop('duration'), options.durationMs);
    cleanups.push(() => {
      if (durationTimer !== null) clearTimeout(durationTimer);
    });

    // ── the simulator's pace and the consumer's backlog ──
    const consumersOf = new Map<string, string[]>();
    for (const plan of plans) if (plan.kind === 'log') consumersOf.set(plan.topic, [...(consumersOf.get(plan.topic) ?? []), plan.source]);
    const maxPoll = replay ? REPLAY_POLL_RECORDS : LIVE_POLL_RECORDS;
    const backlogCap = (feeder: SimulatorFeeder): number => {
      const partitions = log.partitionCount(feeder.topic);
      return Math.min(Math.floor((RETENTION_RECORDS * partitions) / 3), Math.max(4 * maxPoll, Number.isFinite(feeder.settings.rate) ? feeder.settings.rate * 5 : 2 * maxPoll));
    };
    const backlog = (topic: string): number => Math.max(0, ...(consumersOf.get(topic) ?? []).map((s) => adapters.logSources.get(s)?.lag() ?? 0));
    const feed = (): void => {
      const now = Date.now();
      for (const feeder of feeders) {
        const behind = backlog(feeder.topic);
        feeder.feed(now, backlogCap(feeder) - behind, behind);
      }
    };
    const pacedFeeders = feeders.some((f) => Number.isFinite(f.settings.rate));
    const feedTimer = pacedFeeders ? setInterval(feed, 10) : null;
    cleanups.push(() => {
      if (feedTimer !== null) clearInterval(feedTimer);
    });

    // ── the status line, and the input rate it and the hub show ──
    meter.sample(Date.now(), running.counters().eventsIn);
    const meterTimer = setInterval(() => (perSecond = meter.sample(Date.now(), running.counters().eventsIn)), 1000);
    cleanups.push(() => clearInterval(meterTimer));
    status.start(() => statusText(running.counters(), perSecond));
    cleanups.push(() => status.stop());

    // ── the loop ──
    const maxUncommitted = Math.max(10_000, Math.floor(RETENTION_RECORDS / 3) * Math.max(1, ...plans.map((p) => (p.kind === 'log' ? p.partitions : 1))));
    let lastCheckpointAt = Date.now();
    let inAtCheckpoint = 0;
    let checkpointWarned = false;
    const checkpoint = async (): Promise<void> => {
      try {
        await running.checkpoint();
        await saveFeederStates(stateDir, feeders);
      } catch (error) {
        if (!checkpointWarned) say(`flowc run: checkpoint failed (the next one retries): ${error instanceof Error ? error.message : String(error)}`);
        checkpointWarned = true;
      }
      lastCheckpointAt = Date.now();
      inAtCheckpoint = running.counters().eventsIn;
    };
    let failure: unknown = null;
    try {
      while (stop.reason === null) {
        // Unpaced feeders, and a backfill being caught up, are fed between steps, as fast as read:
        // the wall time a catch-up takes is a gap in processing time when it ends.
        const catchingUp = feeders.some((f) => f.backfillPending > 0);
        if (!pacedFeeders || catchingUp) feed();
        const now = (replayClock ?? systemClock).now();
        const deadline = running.nextDeadline();
        const wait = (!pacedFeeders && feeders.length > 0) || catchingUp ? 0 : Math.max(0, Math.min(100, deadline === null ? 100 : deadline - now));
        // A stop request is seen within one poll timeout (≤ 100 ms): a poll is never abandoned half-way.
        const polledAt = Date.now();
        const read = await running.step(wait);
        // Several sources are polled without waiting, and a source at its end returns at once: rest.
        const rest = wait - (Date.now() - polledAt);
        if (read === 0 && rest >= 1) await sleep(rest);
        // A bounded source at its end has had the watermark +∞ from the engine (step): when all have, the run is over.
        if (sourceNodes.every((node) => running.ended(node.name))) requestStop('end of input');
        if (Date.now() - lastCheckpointAt >= options.checkpointIntervalMs || running.counters().eventsIn - inAtCheckpoint >= maxUncommitted) await checkpoint();
        await yieldToEventLoop();
      }
    } catch (error) {
      failure = error;
      stop.reason = 'error';
    }

    // ── stop ──
    const reason: StopReason = stop.reason ?? 'signal';
    hub.markStopping();
    for (const feeder of feeders) feeder.stop();
    if (feedTimer !== null) clearInterval(feedTimer);
    if (failure === null) {
      say(`stopping (${reason === 'duration' ? `--duration ${formatSeconds(options.durationMs ?? 0)} reached` : reason === 'signal' ? 'interrupted' : reason})…`);
      // Take in what the simulator already appended, so that every record produced is processed.
      const drainUntil = Date.now() + DRAIN_MS;
      while (Date.now() < drainUntil && feeders.some((f) => backlog(f.topic) > 0)) {
        await running.step(0);
        await yieldToEventLoop();
      }
    }
    status.stop();
    let stopError: unknown = null;
    try {
      await running.stop();
    } catch (error) {
      stopError = error;
    }
    await saveFeederStates(stateDir, feeders).catch(() => undefined);
    const final = await checkpoints.loadLatest();
    const counters = running.counters();
    await cleanUp();

    const problem = failure ?? stopError;
    if (problem !== null) {
      io.stderr(`flowc run: ${failure !== null ? 'the pipeline failed' : 'stopping failed'}: ${problem instanceof Error ? (problem.stack ?? problem.message) : String(problem)}`);
    }
    const elapsed = Date.now() - startedAt;
    const summary = summarize({ pipeline, reason, elapsed, counters, feeders: feeders.map((f) => ({ topic: f.topic, counts: f.counts() })), resumed: latest, final, results: results?.lines ?? null, resultsSkipped: results?.skipped ?? null });
    for (const line of summary.lines) terminal.write(`${line}\n`);
    writeFileSync(join(stateDir, 'run-summary.json'), `${JSON.stringify(summary.json, null, 2)}\n`);
    return problem === null ? EXIT.ok : EXIT.diagnostics;
  } catch (error) {
    status.stop();
    if (engine !== null && engine.state === 'running') await engine.stop().catch(() => undefined);
    await cleanUp();
    throw error;
  }
}

// ───────────────────────────── helpers ─────────────────────────────

/** Removes what a run keeps in `stateDir` (and nothing else there). */
function clearState(stateDir: string): void {
  for (const entry of ['log', 'checkpoints', 'simulator.json', 'offsets.json', 'log-sink.jsonl', 'dead-letters.jsonl', 'run-summary.json']) {
    rmSync(join(stateDir, entry), { recursive: true, force: true });
  }
}

/** The processing time of a run whose simulated topics start with a backfill; `null` without one. */
function catchUpOf(feeders: readonly SimulatorFeeder[]): CatchUpTime | null {
  const backfilled = feeders.filter((f) => f.backfillFrom !== null);
  if (backfilled.length === 0) return null;
  const start = Math.min(...backfilled.map((f) => f.backfillFrom as number));
  const liveFrom = Math.max(...backfilled.map((f) => f.liveFrom));
  return new CatchUpTime(liveFrom, start);
}

function makeFeeders(plans: readonly SourcePlan[], options: RunOptions, topology: Topology, log: PartitionedLog, stateDir: string): SimulatorFeeder[] {
  const previous = loadFeederStates(stateDir);
  const feeders = new Map<string, SimulatorFeeder>();
  for (const plan of plans) {
    if (plan.kind !== 'log' || !plan.simulated || feeders.has(plan.topic)) continue;
    const node = topology.nodes.find((n): n is SourceNode<unknown> => n.kind === 'source' && n.name === plan.source);
    const bound = node?.watermark.kind === 'boundedOutOfOrderness' ? node.watermark.maxOutOfOrdernessMs : 0;
    const feeder = new SimulatorFeeder(
      log,
      plan.topic,
      {
        seed: options.seedGiven ? options.seed : (plan.seed ?? options.seed),
        rate: options.rateGiven ? options.rate : (plan.rate ?? options.rate),
        malformed: options.malformed,
        // Late: past the watermark bound, so windows have closed; out of order: within it.
        late: { fraction: options.late, delayMs: bound + 5000 },
        outOfOrder: { fraction: options.outOfOrder, maxDelayMs: Math.max(1, bound) },
        backfillMs: options.backfillMs,
      },
      previous.get(plan.topic) ?? null,
      Date.now(),
    );
    feeders.set(plan.topic, feeder);
  }
  return [...feeders.values()];
}

/** `--out` gets every result (early firings marked); dead letters of sources without `dead letter to` go to a file. */
function attachOutputs(engine: Engine, topology: Topology, results: ResultWriter | null, deadLetters: JsonlFileSink<DeadLetterRecord>): void {
  for (const node of topology.nodes) {
    const isResult = node.kind === 'pattern' || (node.kind === 'windowAggregate' && node.phase !== 'partial');
    if (isResult && results !== null) engine.onOutput(node.id, (batch) => results.writeBatch(node.name, batch));
    if (node.kind === 'decode' && node.deadLetter === null) {
      engine.onDeadLetter(node.id, (letter) => deadLetters.write([{ stream: letter.source, key: letter.key, value: letter, timestamp: letter.rejectedAt }]));
    }
  }
}

function describePlan(plan: SourcePlan, nodes: readonly SourceNode<unknown>[], feeders: readonly SimulatorFeeder[]): string {
  const node = nodes.find((n) => n.name === plan.source);
  const declared = node === undefined ? '' : describeConnector(node);
  if (plan.kind === 'file') return `source ${plan.source}: ${plan.replay ? `${declared} replayed from ${plan.path}, in event time, as fast as it goes` : `${declared}, read to its end`}`;
  const feeder = feeders.find((f) => f.topic === plan.topic);
  const into = `in-process log topic ${plan.topic} (${plan.partitions} partitions)`;
  if (!plan.simulated || feeder === undefined) return `source ${plan.source}: ${declared} → ${into}, written by this pipeline`;
  const s = feeder.settings;
  const injected = [
    s.malformed > 0 ? `${percent(s.malformed)} malformed` : null,
    s.late.fraction > 0 ? `${percent(s.late.fraction)} late` : null,
    s.outOfOrder.fraction > 0 ? `${percent(s.outOfOrder.fraction)} out of order` : null,
  ].filter((x) => x !== null);
  const rate = Number.isFinite(s.rate) ? `${formatCount(s.rate)} events/s` : 'as fast as possible';
  return `source ${plan.source}: ${declared} → ${into} ← website simulator (${rate}, seed ${s.seed}${feeder.generation > 0 ? `, run ${feeder.generation + 1}` : ''}${injected.length > 0 ? `, ${injected.join(', ')}` : ''})`;
}

function percent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))} %`;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

function totalOffset(checkpoint: Checkpoint): number {
  return checkpoint.offsets.reduce((sum, o) => sum + o.offset, 0);
}

/** `website-analytics-events 0:331 1:302 …` */
function describeOffsets(checkpoint: Checkpoint): string {
  const byTopic = new Map<string, string[]>();
  for (const o of [...checkpoint.offsets].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)) {
    byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), `${o.partition}:${o.offset}`]);
  }
  return [...byTopic].map(([topic, parts]) => `${topic} ${parts.join(' ')}`).join('; ') || 'no offsets';
}

interface SummaryInput {
  readonly pipeline: LoadedPipeline;
  readonly reason: StopReason;
  readonly elapsed: number;
  readonly counters: EngineCounters;
  readonly feeders: readonly { readonly topic: string; readonly counts: FeederCounts }[];
  readonly resumed: Checkpoint | null;
  readonly final: Checkpoint | null;
  readonly results: number | null;
  /** `-U` records `--out` left out. */
  readonly resultsSkipped: number | null;
}

function summarize(input: SummaryInput): { readonly lines: string[]; readonly json: unknown } {
  const c = input.counters;
  const byReason = Object.entries(c.deadLettersByReason)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([reason, n]) => `${reason} ${formatCount(n)}`)
    .join(', ');
  const lines = [
    `stopped (${input.reason}) after ${(input.elapsed / 1000).toFixed(1)} s`,
    `  events in ${formatCount(c.eventsIn)}: ${formatCount(c.decoded)} decoded, ${formatCount(c.deadLetters)} dead letters${byReason === '' ? '' : ` (${byReason})`}; ${formatCount(c.lateEvents)} late`,
    `  windows ${formatCount(c.windowsEmitted)} · alerts ${formatCount(c.alerts)} · checkpoints ${formatCount(c.checkpoints)}`,
  ];
  for (const f of input.feeders) {
    const kinds = Object.entries(f.counts.malformedByKind)
      .filter(([, n]) => n > 0)
      .map(([kind, n]) => `${kind} ${formatCount(n)}`)
      .join(', ');
    lines.push(
      `  simulator → ${f.topic}: ${formatCount(f.counts.records)} records, ${formatCount(f.counts.malformed)} malformed${kinds === '' ? '' : ` (${kinds})`}, ${formatCount(f.counts.late)} late, ${formatCount(f.counts.outOfOrder)} out of order`,
    );
  }
  if (input.final !== null) lines.push(`  final checkpoint #${input.final.id} at offset ${totalOffset(input.final)} (${describeOffsets(input.final)})`);
  if (input.results !== null) lines.push(`  results: ${formatCount(input.results)} lines${input.resultsSkipped ? ` (${formatCount(input.resultsSkipped)} -U records left out)` : ''}`);
  const json = {
    pipeline: input.pipeline.manifest.pipeline,
    file: input.pipeline.file,
    reason: input.reason,
    elapsedMs: input.elapsed,
    counters: { ...c, watermark: Number.isFinite(c.watermark) ? c.watermark : null },
    simulator: Object.fromEntries(input.feeders.map((f) => [f.topic, f.counts])),
    resumedFrom: input.resumed === null ? null : { id: input.resumed.id, offset: totalOffset(input.resumed), offsets: input.resumed.offsets },
    finalCheckpoint: input.final === null ? null : { id: input.final.id, offset: totalOffset(input.final), offsets: input.final.offsets },
    results: input.results,
    resultsSkipped: input.resultsSkipped,
  };
  return { lines, json };
}
