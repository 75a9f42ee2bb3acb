// Process and Node.js metrics (prom-client's default metrics) on a flowc registry: CPU
// (`process_cpu_seconds_total`), memory (`process_resident_memory_bytes`, `nodejs_heap_size_used_bytes`,
// heap spaces), event-loop lag (`nodejs_eventloop_lag_seconds` and its percentiles), GC pauses
// (`nodejs_gc_duration_seconds{kind}`), handles, file descriptors, the Node.js version.
//
// Under their standard names, without the `flowc_` prefix, so that the usual Node.js dashboards and
// alerts work on them. They describe the process, not a pipeline: they belong once on the registry
// that `/metrics` serves (the dashboard hub adds them to the registry it is given, `hub/metrics.ts`),
// never on the private registries of engines and tests. Each registry gets them at most once;
// prom-client would throw on a second registration of the same names.
import { collectDefaultMetrics, type Registry } from 'prom-client';

const withProcessMetrics = new WeakSet<Registry>();

/** A metric collectDefaultMetrics registers: present when someone else already added them. */
const PROBE = 'process_cpu_user_seconds_total';

/** Adds the process and Node.js metrics to `registry`, once; later calls do nothing. */
export function collectProcessMetrics(registry: Registry): void {
  if (withProcessMetrics.has(registry)) return;
  withProcessMetrics.add(registry);
  if (registry.getSingleMetric(PROBE) !== undefined) return;
  collectDefaultMetrics({ register: registry });
}
