// The server process of bench/push-latency.ts (forked by it, never run by hand):
//
//   node --import tsx bench/push-latency/server.ts <flowc|peer> <schedule.json>
//
// flowc: a real DashboardHub (manifest of generated/website-analytics, default options: health
// every second, heartbeat, recent rows) fed through a real HubSink, as `flowc run` wires it. peer:
// PollingPeer (peer.ts), fed by the same publisher. The publisher replays the schedule's batches at
// their offsets; right before a batch is handed over it stamps each row with its emission time
// (`_bench_emitted`; see `replay` for which time).
import { cpuUsage } from 'node:process';
import { manifest } from '../../generated/website-analytics/manifest.ts';
import { DashboardHub, HubSink } from '../../runtime/src/hub/index.ts';
import { FlowcMetrics } from '../../runtime/src/metrics/registry.ts';
import { PollingPeer } from './peer.ts';
import { EMITTED, loadSchedule, now, percentile, tell, type Implementation, type ReplayBatch, type ToServer } from './shared.ts';

const implementation = process.argv[2] as Implementation;
const schedulePath = process.argv[3] as string;
const { batches } = loadSchedule(schedulePath);

let write: (records: ReplayBatch['records']) => void;
let close: () => Promise<void>;
let startPolling: (firstInMs: number) => void = () => {};
let stats: () => { hubClients: number | null; dropped: number | null; nextPollInMs: number | null };

if (implementation === 'flowc') {
  const metrics = new FlowcMetrics();
  const hub = new DashboardHub({ manifest, metrics, registry: metrics.registry });
  const { url, port } = await hub.listen(0, '127.0.0.1');
  const sink = new HubSink('dashboard', hub);
  write = (records) => sink.write(records);
  close = () => hub.close();
  stats = () => ({ hubClients: hub.clientCount, dropped: hub.droppedClients, nextPollInMs: null });
  // The browser page is opened on the hub's own origin (a JSON endpoint: no page script, no second client).
  tell({ type: 'ready', wsUrl: `ws://127.0.0.1:${port}/ws`, pageUrl: `${url}healthz` });
} else {
  const peer = new PollingPeer(new Set(manifest.alerts.map((a) => a.stream)));
  const { port } = await peer.listen();
  write = (records) => peer.write(records);
  startPolling = (firstInMs) => peer.startPolling(firstInMs);
  close = () => peer.close();
  stats = () => ({ hubClients: peer.clientCount, dropped: null, nextPollInMs: peer.nextPollInMs });
  tell({ type: 'ready', wsUrl: `ws://127.0.0.1:${port}/`, pageUrl: `http://127.0.0.1:${port}/` });
}

/**
 * Replays the batches due before `untilMs` (ms after the start) at their offsets, then reports.
 *
 * The stamp: a batch that became due while the publisher was idle is stamped when it is handed over
 * (the timer's own lateness, a harness artefact, is not charged); one that became due while earlier
 * batches were still being handed over — the engine emits a step's batches one after the other and
 * waits for each `write` — is stamped with the time it became due (but not before the busy spell
 * began), so the wait the hub's sending causes is charged to the hub.
 */
function replay(untilMs: number, pollPhaseMs: number): void {
  const start = now() + 5;
  startPolling(5 + pollPhaseMs);
  const cpu = cpuUsage();
  const idleLag: number[] = [];
  const writeMs: number[] = [];
  let published = 0;
  let busyUntil = Number.NEGATIVE_INFINITY;
  let spellStart = Number.NEGATIVE_INFINITY;
  let i = 0;
  const tick = (): void => {
    for (;;) {
      const batch = batches[i];
      if (batch === undefined || batch.at >= untilMs) {
        const used = cpuUsage(cpu);
        const lag = Float64Array.from(idleLag).sort();
        const writes = Float64Array.from(writeMs).sort();
        tell({
          type: 'done',
          published,
          batches: writes.length,
          idleLagP99Ms: percentile(lag, 0.99),
          writeP50Ms: percentile(writes, 0.5),
          writeMaxMs: writes.length === 0 ? 0 : (writes[writes.length - 1] as number),
          writeTotalMs: writes.reduce((a, b) => a + b, 0),
          cpuMs: (used.user + used.system) / 1000,
          wallMs: now() - start,
          ...stats(),
        });
        return;
      }
      const due = start + batch.at;
      const t = now();
      if (due > t) {
        setTimeout(tick, due - t);
        return;
      }
      if (due >= busyUntil) {
        spellStart = t;
        idleLag.push(t - due);
      }
      // The emission: every row of the batch stamped with the same time, then handed over.
      const stamp = Math.max(due, spellStart);
      for (const record of batch.records) record.value[EMITTED] = stamp;
      write(batch.records);
      busyUntil = now();
      writeMs.push(busyUntil - t);
      published += batch.records.length;
      i++;
    }
  };
  setTimeout(tick, 5);
}

process.on('message', (message: ToServer) => {
  switch (message.type) {
    case 'clock':
      tell({ type: 'clock', now: now() });
      return;
    case 'go':
      replay(message.untilMs, message.pollPhaseMs);
      return;
    case 'stop':
      void close().finally(() => process.exit(0));
      return;
  }
});
process.on('disconnect', () => process.exit(0));
