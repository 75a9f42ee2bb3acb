// What the processes of bench/push-latency.ts share: the replayed schedule (read from the file the
// orchestrator wrote), the stamp every published row carries, the clock, the IPC messages and the
// summary statistics.
import { readFileSync } from 'node:fs';
import type { SinkRecord } from '../../runtime/src/index.ts';
import type { ScheduledBatch } from './schedule.ts';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between processes of one machine. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** The fields the publisher adds to every row: its sequence number and when it was handed to the hub. */
export const SEQ = '_bench_seq';
export const EMITTED = '_bench_emitted';

/** A stamped row: `_bench_emitted` is set right before the batch is published. */
export type StampedRow = Record<string, unknown> & { [SEQ]: number; [EMITTED]: number };

/** One replayed batch with its rows ready to stamp. */
export interface ReplayBatch {
  readonly at: number;
  readonly records: readonly SinkRecord<StampedRow>[];
}

/** What the clients need to know of a row: when it is published (ms after the start) and whether it is an alert. */
export interface SeqInfo {
  readonly at: number;
  readonly stream: string;
  readonly alert: boolean;
}

/** The schedule file: batches in order; a record's sequence number is its index over all batches. */
export interface ScheduleFile {
  readonly rate: number;
  readonly settleMs: number;
  readonly alertStreams: readonly string[];
  readonly batches: readonly ScheduledBatch[];
}

/** Reads the schedule and gives every row its sequence number (copies: the file's rows are not touched). */
export function loadSchedule(path: string): { readonly batches: ReplayBatch[]; readonly seqs: SeqInfo[] } {
  const file = JSON.parse(readFileSync(path, 'utf8')) as ScheduleFile;
  const alerts = new Set(file.alertStreams);
  const seqs: SeqInfo[] = [];
  const batches = file.batches.map((batch): ReplayBatch => ({
    at: batch.at,
    records: batch.records.map((record): SinkRecord<StampedRow> => {
      const value = typeof record.value === 'object' && record.value !== null && !Array.isArray(record.value) ? (record.value as Record<string, unknown>) : { value: record.value };
      const row: StampedRow = { ...value, [SEQ]: seqs.length, [EMITTED]: 0 };
      seqs.push({ at: batch.at, stream: record.stream, alert: alerts.has(record.stream) });
      const copy: SinkRecord<StampedRow> = { stream: record.stream, key: record.key, timestamp: record.timestamp, value: row };
      // An early firing keeps its mark (the hub sends it as an update with `early: true`).
      return record.early === true ? { ...copy, early: true } : copy;
    }),
  }));
  return { batches, seqs };
}

// ───────────────────────────── IPC ─────────────────────────────

export type Implementation = 'flowc' | 'peer';
export type ClientKind = 'ws' | 'browser';

export type ToServer =
  | { readonly type: 'clock' }
  /** Replay until `untilMs`; the peer polls first `pollPhaseMs` after the replay's start, then every 5 s. */
  | { readonly type: 'go'; readonly untilMs: number; readonly pollPhaseMs: number }
  | { readonly type: 'stop' };

export type FromServer =
  | { readonly type: 'ready'; readonly wsUrl: string; readonly pageUrl: string }
  | { readonly type: 'clock'; readonly now: number }
  | {
      readonly type: 'done';
      /** Rows and batches handed over. */
      readonly published: number;
      readonly batches: number;
      /** How late the publisher's timer fired when it was idle (not charged to the rows). */
      readonly idleLagP99Ms: number;
      /** How long one batch's `write` took (the hub: serialising and sending to every client). */
      readonly writeP50Ms: number;
      readonly writeMaxMs: number;
      readonly writeTotalMs: number;
      readonly cpuMs: number;
      readonly wallMs: number;
      readonly hubClients: number | null;
      readonly dropped: number | null;
      readonly nextPollInMs: number | null;
    };

export type ToClients =
  | { readonly type: 'connect'; readonly implementation: Implementation; readonly kind: ClientKind; readonly n: number; readonly wsUrl: string; readonly pageUrl: string }
  | { readonly type: 'clock' }
  | { readonly type: 'start' }
  | { readonly type: 'report'; readonly fromMs: number; readonly untilMs: number }
  | { readonly type: 'stop' };

export type FromClients =
  | { readonly type: 'connected'; readonly n: number; readonly ms: number; readonly browserOffsetMs: number | null; readonly browserVersion: string | null }
  | { readonly type: 'clock'; readonly now: number }
  | { readonly type: 'report'; readonly report: ClientsReport }
  | { readonly type: 'skip'; readonly reason: string };

/** Latencies of one kind of message (metric updates, alerts) over every client. */
export interface LatencySummary {
  /** Rows × clients that should have arrived. */
  readonly expected: number;
  /** Distinct rows × clients that arrived. */
  readonly received: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface ClientsReport {
  readonly updates: LatencySummary;
  readonly alerts: LatencySummary;
  /** p99 per stream (updates and alerts), for the notes. */
  readonly p99ByStream: Readonly<Record<string, number>>;
  /** Rows received a second time (the peer re-broadcasts unchanged values). */
  readonly duplicates: number;
  /** Connections that closed before the end. */
  readonly closed: number;
  /** The peer: poll → receipt of its messages (every client, every poll), median and p99; null for flowc. */
  readonly sendP50Ms: number | null;
  readonly sendP99Ms: number | null;
  /** CPU time of the clients' process during the measurement, as a share of the wall time (1 = one core). */
  readonly cpuShare: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

export function summarise(values: Float64Array, expected: number): LatencySummary {
  const sorted = values.slice().sort();
  return { expected, received: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number) };
}

/** Sends an IPC message (the process was forked by the orchestrator). */
export function tell(message: FromServer | FromClients): void {
  process.send?.(message);
}
