// Process and Node.js metrics: on the registry the dashboard hub serves `/metrics` from, once
// however many hubs register on it, never on the private registries engines make for themselves;
// and the hub's own counters start at 0.
import { afterEach, describe, expect, it } from 'vitest';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { hubMetrics } from '../../src/hub/metrics.ts';
import { FlowcMetrics } from '../../src/metrics/registry.ts';
import { collectProcessMetrics } from '../../src/metrics/process.ts';
import { closeHubs, MANIFEST, startHub } from '../hub/support.ts';
import { parseExposition, select, valueOf } from './exposition.ts';

const PROCESS_METRICS = ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds'];

afterEach(async () => {
  await closeHubs();
});

/** The names of the `# TYPE` lines of an exposition. */
function metricNames(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('# TYPE '))
    .map((line) => line.split(' ')[2] as string);
}

describe('metrics: process and Node.js', () => {
  it('are served on /metrics by the hub, from the FlowcMetrics registry', async () => {
    const metrics = new FlowcMetrics();
    const { url } = await startHub({ metrics, registry: metrics.registry });
    const response = await fetch(`${url}metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const names = metricNames(text);
    for (const name of [...PROCESS_METRICS, 'nodejs_gc_duration_seconds']) expect(names, name).toContain(name);
    const samples = parseExposition(text);
    expect(valueOf(samples, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(valueOf(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(names).toContain('flowc_events_in_total');
  });

  it('are registered once per registry, however many hubs or callers add them', async () => {
    const metrics = new FlowcMetrics();
    await startHub({ metrics, registry: metrics.registry });
    await startHub({ metrics, registry: metrics.registry });
    collectProcessMetrics(metrics.registry);
    hubMetrics(metrics.registry);
    const names = metricNames(await metrics.metrics());
    expect(names.filter((n) => n === 'process_cpu_seconds_total')).toHaveLength(1);
    expect(new Set(names).size).toBe(names.length);

    // A registry that already has prom-client's defaults from elsewhere is left as it is.
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    expect(() => collectProcessMetrics(registry)).not.toThrow();
  });

  it('are not on the registries engines and tests make for themselves', async () => {
    const names = metricNames(await new FlowcMetrics().metrics());
    expect(names.filter((n) => n.startsWith('process_') || n.startsWith('nodejs_'))).toEqual([]);
  });

  it('come with the hub counters at 0 for its pipeline and every message type', async () => {
    const metrics = new FlowcMetrics();
    await startHub({ metrics, registry: metrics.registry });
    const samples = parseExposition(await metrics.metrics());
    const pipeline = MANIFEST.pipeline;
    expect(valueOf(samples, 'flowc_websocket_clients_dropped_total', { pipeline })).toBe(0);
    const types = select(samples, 'flowc_hub_messages_total', { pipeline }).map((s) => [s.labels.type, s.value]);
    expect(Object.fromEntries(types)).toEqual({ hello: 0, snapshot: 0, update: 0, alert: 0, health: 0, error: 0 });
  });
});
