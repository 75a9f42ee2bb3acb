// The source lag gauges, read from the exposition as Prometheus scrapes them, on the website
// pipeline driven with a virtual clock: flowc_watermark_lag_seconds = processing time − the
// source's watermark, flowc_event_time_lag_seconds = processing time − the newest event time of
// the furthest-behind active partition, and the first is the second plus the bound (5 s) + 1 ms.
import { afterEach, describe, expect, it } from 'vitest';
import { topology } from '../../../generated/website-analytics/index.ts';
import { FlowcMetrics } from '../../src/metrics/registry.ts';
import { TopologyTestDriver } from '../../src/testing/index.ts';
import { pageView, SECOND, T0 } from '../testing/events.ts';
import { parseExposition, valueOf } from './exposition.ts';

const SOURCE = { pipeline: 'website_analytics', operator: 'events.source' };
/** `watermark 5s`: a partition's watermark is its largest event time minus 5 s and 1 ms. */
const BOUND_MS = 5 * SECOND + 1;

let driver: TopologyTestDriver | null = null;

afterEach(async () => {
  await driver?.close();
  driver = null;
});

async function lags(metrics: FlowcMetrics): Promise<{ watermark: number | undefined; eventTime: number | undefined }> {
  const samples = parseExposition(await metrics.metrics());
  return { watermark: valueOf(samples, 'flowc_watermark_lag_seconds', SOURCE), eventTime: valueOf(samples, 'flowc_event_time_lag_seconds', SOURCE) };
}

describe('metrics: source lags', () => {
  it('is processing time minus the watermark, at the scrape, and the event-time lag plus the bound', async () => {
    const metrics = new FlowcMetrics();
    driver = await TopologyTestDriver.create(topology, { startTime: T0, partitions: { events: 2 }, metrics });
    // Nothing read yet: the lags are unknown, not 0.
    expect(await lags(metrics)).toEqual({ watermark: undefined, eventTime: undefined });

    // Partition 0 has read up to T0 − 2 s, partition 1 up to T0 − 8 s: partition 1 holds both back.
    driver.pipe('events', pageView(T0 - 2 * SECOND, 'u0', 's0'), { partition: 0 });
    driver.pipe('events', pageView(T0 - 8 * SECOND, 'u1', 's1'), { partition: 1 });
    expect(driver.watermark('events')).toBe(T0 - 8 * SECOND - BOUND_MS);
    expect(await lags(metrics)).toEqual({ watermark: (8 * SECOND + BOUND_MS) / 1000, eventTime: 8 });

    // Processing time moves on, nothing arrives: both lags grow with the clock, read at the scrape.
    driver.advanceTime(3 * SECOND);
    expect(await lags(metrics)).toEqual({ watermark: (11 * SECOND + BOUND_MS) / 1000, eventTime: 11 });
    const now = driver.now();
    const samples = parseExposition(await metrics.metrics());
    expect(valueOf(samples, 'flowc_watermark_lag_seconds', SOURCE)).toBe((now - driver.watermark('events')) / 1000);
  });

  it('leaves idle partitions out, as the watermark does', async () => {
    const metrics = new FlowcMetrics();
    driver = await TopologyTestDriver.create(topology, { startTime: T0, partitions: { events: 2 }, metrics });
    driver.pipe('events', pageView(T0 - SECOND, 'u0', 's0'), { partition: 0 });
    driver.pipe('events', pageView(T0 - 30 * SECOND, 'u1', 's1'), { partition: 1 });
    expect((await lags(metrics)).eventTime).toBe(30);
    // Partition 0 keeps sending, one record 1 s old every 10 s; partition 1 is silent and goes idle after `idle 1m`.
    for (let i = 1; i <= 7; i++) {
      driver.advanceTime(10 * SECOND);
      driver.pipe('events', pageView(driver.now() - SECOND, 'u0', 's0'), { partition: 0 });
    }
    expect(await lags(metrics)).toEqual({ watermark: (SECOND + BOUND_MS) / 1000, eventTime: 1 });
  });

  it('reports nothing once the engine is stopped', async () => {
    const metrics = new FlowcMetrics();
    driver = await TopologyTestDriver.create(topology, { startTime: T0, partitions: { events: 1 }, metrics });
    driver.pipe('events', pageView(T0 - SECOND, 'u0', 's0'));
    expect((await lags(metrics)).eventTime).toBe(1);
    await driver.close();
    driver = null;
    expect(await lags(metrics)).toEqual({ watermark: undefined, eventTime: undefined });
  });
});
