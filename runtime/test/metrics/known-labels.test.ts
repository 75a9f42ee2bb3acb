// Counters whose label values the topology tells start at 0, before any record, so that
// Prometheus' rate() and increase() see their first increment; and what simulated traffic with
// every kind of damage and disorder counts later is, but for the documented exceptions, among them.
import { afterEach, describe, expect, it } from 'vitest';
import { topology } from '../../../generated/website-analytics/index.ts';
import { deadLetterReason } from '../../src/engine/node.ts';
import { DEAD_LETTER_REASONS, FlowcMetrics } from '../../src/metrics/registry.ts';
import { WebsiteEventSimulator } from '../../src/simulator/index.ts';
import { TopologyTestDriver } from '../../src/testing/index.ts';
import { MINUTE, SECOND, T0 } from '../testing/events.ts';
import { parseExposition, select, valueOf, type Sample } from './exposition.ts';

const PIPELINE = 'website_analytics';

let driver: TopologyTestDriver | null = null;

afterEach(async () => {
  await driver?.close();
  driver = null;
});

/** The counter series (`flowc_*_total`) of an exposition, as `name{labels}` keys. */
function counterSeries(samples: readonly Sample[]): Set<string> {
  return new Set(samples.filter((s) => s.name.startsWith('flowc_') && s.name.endsWith('_total')).map((s) => `${s.name}${JSON.stringify(s.labels)}`));
}

describe('metrics: counters with known labels', () => {
  it('are exposed as 0 before any record', async () => {
    const metrics = new FlowcMetrics();
    driver = await TopologyTestDriver.create(topology, { startTime: T0, partitions: { events: 2 }, metrics });
    const samples = parseExposition(await metrics.metrics());
    const at = (name: string, labels: Record<string, string>): number | undefined => valueOf(samples, name, { pipeline: PIPELINE, ...labels });

    for (const reason of DEAD_LETTER_REASONS) expect(at('flowc_dead_letters_total', { operator: 'events.decode', reason }), reason).toBe(0);
    expect(at('flowc_events_dropped_total', { operator: 'events.decode', reason: 'decode_error' })).toBe(0);
    expect(at('flowc_events_dropped_total', { operator: 'events.decode', reason: 'invalid_timestamp' })).toBe(0);
    expect(at('flowc_events_dropped_total', { operator: 'page_views.filter', reason: 'filtered' })).toBe(0);
    // Event-time aggregates and the pattern: late records; `sessions` has a late output, the others drop them.
    expect(at('flowc_late_events_total', { operator: 'sessions.window' })).toBe(0);
    expect(at('flowc_late_events_total', { operator: 'business.partial' })).toBe(0);
    expect(at('flowc_late_events_total', { operator: 'checkout_abandoned.pattern' })).toBe(0);
    expect(at('flowc_events_dropped_total', { operator: 'business.partial', reason: 'late' })).toBe(0);
    expect(at('flowc_events_dropped_total', { operator: 'sessions.window', reason: 'late' })).toBeUndefined();
    expect(at('flowc_events_dropped_total', { operator: 'business.window', reason: 'late_partial' })).toBe(0);
    // Processing-time aggregates have no late records.
    expect(at('flowc_late_events_total', { operator: 'realtime.partial' })).toBeUndefined();
    // Results: windows of the aggregates, alerts of the alerting aggregate and of the pattern.
    for (const operator of ['sessions.window', 'realtime.window', 'session_health.window', 'business.window', 'popular_pages.window', 'geography.window', 'funnel.window']) {
      expect(at('flowc_windows_emitted_total', { operator }), operator).toBe(0);
    }
    expect(at('flowc_alerts_total', { operator: 'bounces.window' })).toBe(0);
    expect(at('flowc_alerts_total', { operator: 'checkout_abandoned.pattern' })).toBe(0);
    expect(at('flowc_windows_emitted_total', { operator: 'bounces.window' })).toBeUndefined();
    expect(at('flowc_checkpoints_total', {})).toBe(0);
    expect(at('flowc_checkpoint_failures_total', {})).toBe(0);
    // Events in and out of every node.
    for (const node of topology.nodes) {
      expect(at('flowc_events_in_total', { operator: node.id }), node.id).toBe(0);
      if (node.kind !== 'sink' && node.kind !== 'deadLetter') expect(at('flowc_events_out_total', { operator: node.id }), node.id).toBe(0);
    }
  });

  it('cover what damaged, late and out-of-order traffic counts, but for `having`', async () => {
    const metrics = new FlowcMetrics();
    driver = await TopologyTestDriver.create(topology, { startTime: T0, partitions: { events: 3 }, metrics });
    const before = counterSeries(parseExposition(await metrics.metrics()));

    const simulator = new WebsiteEventSimulator({
      seed: 7,
      ratePerSecond: Number.POSITIVE_INFINITY,
      eventRatePerSecond: 200,
      startTime: T0,
      malformed: { fraction: 0.05 },
      late: { fraction: 0.01, delayMs: 3 * MINUTE },
      outOfOrder: { fraction: 0.05, maxDelayMs: 10 * SECOND },
    });
    for (let batch = 0; batch < 60; batch++) {
      const records = Array.from({ length: 200 }, () => simulator.next());
      const newest = Math.max(...records.map((r) => r.timestamp));
      if (newest > driver.now()) driver.advanceTime(newest - driver.now());
      for (const record of records) driver.pipe('events', record.value, { key: record.key });
    }
    driver.advanceTime(40 * MINUTE);
    await driver.checkpoint();

    const samples = parseExposition(await metrics.metrics());
    const total = (name: string): number => select(samples, name, { pipeline: PIPELINE }).reduce((sum, s) => sum + s.value, 0);
    // The traffic did reach every kind of counter.
    expect(total('flowc_dead_letters_total')).toBeGreaterThan(0);
    expect(total('flowc_late_events_total')).toBeGreaterThan(0);
    expect(total('flowc_windows_emitted_total')).toBeGreaterThan(0);
    expect(total('flowc_alerts_total')).toBeGreaterThan(0);
    expect(valueOf(samples, 'flowc_dead_letters_total', { pipeline: PIPELINE, operator: 'events.decode', reason: 'invalid_timestamp' })).toBeGreaterThan(0);

    const appeared = [...counterSeries(samples)].filter((series) => !before.has(series));
    // `having` depends on the aggregate's clause, not on its kind: it appears at its first increment.
    expect(appeared.filter((series) => !series.includes('"reason":"having"'))).toEqual([]);
  });

  it('name every dead-letter reason category the engine produces', () => {
    const reasons = [
      { reason: 'not valid JSON: Unexpected token', path: '$' },
      { reason: 'missing required field `userId`', path: '$.userId' },
      { reason: 'expected an object, got string', path: '$' },
      { reason: 'expected a string, got 3', path: '$.userId' },
      { reason: 'event time 2999-01-01T00:00:00.000Z is implausible (more than 1 day ahead of …)', path: '$' },
    ];
    expect(reasons.map(deadLetterReason)).toEqual(DEAD_LETTER_REASONS);
  });
});
