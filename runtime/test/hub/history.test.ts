// The history behind snapshots: rows written through the real TimeSeriesSink into the real
// EmbeddedTimeSeriesStore come back, pivoted, as the rows that were written; stored and recent rows
// merge (recent rows by row key, stored ones by group and time), leaving out what was deleted or
// superseded; the recent buffer applies keyed updates and stays bounded.
import { describe, expect, it } from 'vitest';
import { EmbeddedTimeSeriesStore, TimeSeriesSink } from '../../src/adapters/embedded/index.ts';
import type { MetricManifest, SinkNode, SinkRecord } from '../../src/api/index.ts';
import { RecentRows, StoredSeriesHistory, groupIdentity, mergeRows, rowIdentity, rowKeyExclusion, type WindowRow } from '../../src/hub/index.ts';
import { manifest, topology } from '../../../generated/website-analytics/index.ts';
import { T0, metricOf } from './support.ts';

function metric(name: string): MetricManifest {
  const found = manifest.metrics.find((m) => m.name === name);
  if (found === undefined) throw new Error(`no metric ${name}`);
  return found;
}

/** The influx sinks of the website pipeline, writing into one store, as `flowc run` wires them. */
function influxSinks(store: EmbeddedTimeSeriesStore): Map<string, TimeSeriesSink> {
  const sinks = new Map<string, TimeSeriesSink>();
  for (const node of topology.nodes) {
    if (node.kind !== 'sink' || node.connector.connector !== 'influx') continue;
    const sinkNode: SinkNode = node;
    const connector = node.connector;
    const sink = new TimeSeriesSink(store, { name: sinkNode.id, measurement: connector.measurement, inputs: sinkNode.inputs, tags: connector.tags });
    for (const input of sinkNode.inputs) sinks.set(input.stream, sink);
  }
  return sinks;
}

const COUNTRIES = ['US', 'DE', 'FR', 'BR', 'JP'];

function geographyRows(slots: number): SinkRecord<Record<string, unknown>>[] {
  const out: SinkRecord<Record<string, unknown>>[] = [];
  for (let slot = 1; slot <= slots; slot++) {
    const end = T0 + slot * 10_000;
    for (const [i, country] of COUNTRIES.entries()) {
      if ((slot + i) % 4 === 0) continue; // not every country has a row in every window
      out.push({ stream: 'geography', key: country, timestamp: end, value: { country, window_start: end - 60_000, window_end: end, users: slot * 7 + i, events: slot * 31 + i * 3 } });
    }
  }
  return out;
}

function realtimeRows(windows: number): SinkRecord<Record<string, unknown>>[] {
  return Array.from({ length: windows }, (_, n) => {
    const end = T0 + (n + 1) * 5000;
    return { stream: 'realtime', key: null, timestamp: end, value: { window_start: end - 5000, window_end: end, page_views_per_second: n * 1.25 + 0.1, active_users: 300 + n } };
  });
}

function popularRows(windows: number): SinkRecord<Record<string, unknown>>[] {
  return Array.from({ length: windows }, (_, n) => {
    const end = T0 + (n + 1) * 10_000;
    return { stream: 'popular_pages', key: null, timestamp: end, value: { window_start: end - 60_000, window_end: end, top_pages: [{ value: '/home', count: 40 + n }, { value: '/checkout', count: 3 }] } };
  });
}

const asRow = (r: SinkRecord<Record<string, unknown>>): WindowRow => ({ key: r.key, time: r.timestamp, row: r.value });
const byTime = (rows: readonly WindowRow[]): WindowRow[] => [...rows].sort((a, b) => a.time - b.time || String(a.key).localeCompare(String(b.key)));

describe('StoredSeriesHistory over the embedded store', () => {
  it('gives back the rows TimeSeriesSink wrote: a grouped metric, a global one, top_k lists', async () => {
    const store = new EmbeddedTimeSeriesStore();
    const sinks = influxSinks(store);
    const written = { geography: geographyRows(12), realtime: realtimeRows(20), popular_pages: popularRows(6) };
    for (const [stream, rows] of Object.entries(written)) sinks.get(stream)?.write(rows);
    const history = new StoredSeriesHistory(store);
    for (const [stream, rows] of Object.entries(written)) {
      const back = await history.rows(metric(stream), { limit: 1000 });
      expect(byTime(back)).toEqual(byTime(rows.map(asRow)));
    }
  });

  it('keeps the newest `limit` rows of every group key, from `since`, before `until`', async () => {
    const store = new EmbeddedTimeSeriesStore();
    const rows = geographyRows(12);
    influxSinks(store).get('geography')?.write(rows);
    const history = new StoredSeriesHistory(store);
    const back = await history.rows(metric('geography'), { limit: 3 });
    for (const country of COUNTRIES) {
      const expected = rows.filter((r) => r.key === country).slice(-3).map(asRow);
      expect(back.filter((r) => r.key === country)).toEqual(expected);
    }
    const recent = await history.rows(metric('geography'), { limit: 100, since: T0 + 100_000, until: T0 + 120_000 });
    expect(byTime(recent)).toEqual(byTime(rows.filter((r) => r.timestamp >= T0 + 100_000 && r.timestamp < T0 + 120_000).map(asRow)));
    expect(await history.rows(metric('geography'), { limit: 0 })).toEqual([]);
  });

  it('fills a measure the store skipped (null) with null, and a group column left out (null tag) with null', async () => {
    const store = new EmbeddedTimeSeriesStore();
    const end = T0 + 10_000;
    const rows = [
      { stream: 'geography', key: 'US', timestamp: end, value: { country: 'US', window_start: end - 60_000, window_end: end, users: 3, events: null } },
      { stream: 'geography', key: '\u0000', timestamp: end, value: { country: null, window_start: end - 60_000, window_end: end, users: 1, events: 2 } },
    ];
    influxSinks(store).get('geography')?.write(rows);
    const back = await new StoredSeriesHistory(store).rows(metric('geography'), { limit: 10 });
    expect(byTime(back)).toEqual(byTime(rows.map(asRow)));
  });

  it('reads only the series of the metric asked for', async () => {
    const store = new EmbeddedTimeSeriesStore();
    const sinks = influxSinks(store);
    sinks.get('realtime')?.write(realtimeRows(3));
    sinks.get('geography')?.write(geographyRows(2));
    const back = await new StoredSeriesHistory(store).rows(metric('realtime'), { limit: 10 });
    expect(back.map((r) => Object.keys(r.row).sort())).toEqual(Array(3).fill(['active_users', 'page_views_per_second', 'window_end', 'window_start']));
  });
});

describe('mergeRows', () => {
  const geo = metricOf('geo');
  const row = (country: string, slot: number, users: number): WindowRow => ({ key: country, time: T0 + slot * 10_000, row: { country, window_end: T0 + slot * 10_000, users } });
  const grouped = (r: WindowRow): { group: string; row: WindowRow } => ({ group: groupIdentity([r.row.country]), row: r });

  it('merges stored and recent rows by (group, time), the recent copy winning, newest `limit` per group, oldest first', () => {
    const stored = [row('US', 1, 1), row('US', 2, 2), row('DE', 1, 10), row('DE', 2, 20)];
    const recent = [row('US', 2, 222), row('US', 3, 3), row('DE', 3, 30)].map(grouped);
    expect(mergeRows(geo, stored, recent, { limit: 10 })).toEqual([row('US', 1, 1), row('DE', 1, 10), row('US', 2, 222), row('DE', 2, 20), row('US', 3, 3), row('DE', 3, 30)]);
    expect(mergeRows(geo, stored, recent, { limit: 1 })).toEqual([row('US', 3, 3), row('DE', 3, 30)]);
    const excluded = mergeRows(geo, stored, recent, { limit: 10, exclude: new Set([`${groupIdentity(['US'])}\u0000${T0 + 20_000}`]) });
    expect(excluded.map((r) => `${r.key}@${r.time - T0}`)).toEqual(['US@10000', 'DE@10000', 'DE@20000', 'US@30000', 'DE@30000']);
  });

  it('keeps recent rows by row key (several at one time), and leaves out stored rows where a recent row is, where a row is gone, and what is excluded', () => {
    const keyed = (country: string, slot: number, users: number, rowKey: string): WindowRow => ({ ...row(country, slot, users), rowKey });
    const stored = [row('US', 1, 1), row('US', 2, 2), row('US', 3, 3), row('DE', 2, 20)];
    // Two rows of one group and time with distinct row keys (sessions of a key-by source, no group-by) both stay.
    const recent = [keyed('US', 3, 333, 'a'), keyed('US', 3, 334, 'b'), keyed('DE', 4, 40, 'd')].map(grouped);
    const gone = new Set([rowIdentity(groupIdentity(['US']), T0 + 10_000), rowIdentity(groupIdentity(['DE']), T0 + 20_000)]);
    expect(mergeRows(geo, stored, recent, { limit: 10, gone })).toEqual([row('US', 2, 2), keyed('US', 3, 333, 'a'), keyed('US', 3, 334, 'b'), keyed('DE', 4, 40, 'd')]);
    // A row key excludes that recent row only; an identity excludes the stored row there.
    const exclude = new Set([rowKeyExclusion('a'), rowIdentity(groupIdentity(['US']), T0 + 20_000)]);
    expect(mergeRows(geo, stored, recent, { limit: 10, gone, exclude })).toEqual([keyed('US', 3, 334, 'b'), keyed('DE', 4, 40, 'd')]);
  });

  it('matches a stored group column (tag text) with the live value it came from', () => {
    const numeric = { ...geo, groupBy: ['shard'] };
    const stored: WindowRow[] = [{ key: '7', time: T0, row: { shard: '7', users: 1 } }];
    const recent = [{ group: groupIdentity([7]), row: { key: '7', time: T0, row: { shard: 7, users: 2 } } }];
    expect(mergeRows(numeric, stored, recent, { limit: 5 })).toEqual([recent[0]?.row]);
  });
});

describe('RecentRows', () => {
  it('keeps one row per (group, time), the newest copy, and at most perKey rows per group', () => {
    const recent = new RecentRows(3, 100);
    for (let slot = 1; slot <= 5; slot++) recent.put('a', { key: 'a', time: slot, row: { n: slot } });
    recent.put('a', { key: 'a', time: 4, row: { n: 44 } });
    recent.put('a', { key: 'a', time: 1, row: { n: 1 } }); // older than everything kept: not kept
    expect(recent.rows().map((r) => r.row.row.n)).toEqual([3, 44, 5]);
    expect(recent.size).toBe(3);
  });

  it('keeps at most `total` rows in all, dropping the oldest-arrived', () => {
    const recent = new RecentRows(240, 50);
    for (let slot = 0; slot < 40; slot++) for (const g of ['a', 'b', 'c']) recent.put(g, { key: g, time: slot, row: { slot } });
    expect(recent.size).toBe(50);
    const rows = recent.rows();
    expect(rows).toHaveLength(50);
    // The newest 50 arrivals: slots 24–39 of every group, and slot 23 of c and b.
    expect(Math.min(...rows.map((r) => r.row.time))).toBe(23);
    expect(rows.filter((r) => r.group === 'a').map((r) => r.row.time)).toEqual(Array.from({ length: 16 }, (_, i) => 24 + i));
    // Replacing rows again and again keeps it bounded (the arrival order is compacted).
    for (let i = 0; i < 10_000; i++) recent.put('a', { key: 'a', time: 39, row: { i } });
    expect(recent.size).toBe(50);
    expect(recent.rows(39).filter((r) => r.group === 'a')[0]?.row.row).toEqual({ i: 9999 });
  });

  it('applies keyed updates: +U replaces the row of its row key wherever it moved, -D removes it; what went is remembered as gone', () => {
    const recent = new RecentRows(10, 100);
    const at = (key: string, time: number, n: number): WindowRow => ({ key, time, row: { n }, rowKey: `[${JSON.stringify(key)},0]` });
    expect(recent.put('a', at('a', 10, 1))).toBeUndefined();
    recent.put('b', at('b', 12, 1));
    // a's session: -U at 10, +U at 25 (its end moved).
    recent.retract('a', at('a', 10, 1));
    expect(recent.gone()).toEqual(new Set([rowIdentity('a', 10)]));
    expect(recent.put('a', at('a', 25, 3))).toEqual(at('a', 10, 1));
    recent.remove('b', at('b', 12, 1));
    expect(recent.rows()).toEqual([{ group: 'a', row: at('a', 25, 3) }]);
    expect(recent.size).toBe(1);
    expect(recent.groupCount).toBe(1);
    expect(recent.current('a', at('a', 0, 0))).toEqual(at('a', 25, 3));
    expect(recent.gone()).toEqual(new Set([rowIdentity('a', 10), rowIdentity('b', 12)]));
    // A row updated in place (-U, +U at the same time) is not gone; a row back where one went takes it back.
    recent.retract('a', at('a', 25, 3));
    recent.put('a', at('a', 25, 4));
    recent.put('b', at('b', 12, 9));
    expect(recent.gone()).toEqual(new Set([rowIdentity('a', 10)]));
    expect(recent.rows().map((r) => r.row.row.n)).toEqual([4, 9]);
  });

  it('keeps rows of one group and time with distinct row keys apart, and a -D of one leaves the other', () => {
    const recent = new RecentRows(10, 100);
    const session = (user: string, n: number): WindowRow => ({ key: user, time: 50, row: { n }, rowKey: JSON.stringify([user, 0]) });
    recent.put('[]', session('u1', 1));
    recent.put('[]', session('u2', 2));
    // A session merge: u1's +U lands at the time of u2, whose -D follows.
    recent.retract('[]', session('u1', 1));
    recent.put('[]', session('u1', 3));
    recent.remove('[]', session('u2', 2));
    expect(recent.rows().map((r) => r.row.row.n)).toEqual([3]);
    // u1 is still there: its (group, time) is not gone.
    expect(recent.gone().size).toBe(0);
  });

  it('remembers at most `total` gone rows, the newest', () => {
    const recent = new RecentRows(10, 5);
    for (let t = 0; t < 20; t++) recent.remove('g', { key: 'g', time: t, row: {} });
    expect([...recent.gone()]).toEqual([15, 16, 17, 18, 19].map((t) => rowIdentity('g', t)));
    expect(recent.size).toBe(0);
  });

  it('drops emptied groups (many keys, small total)', () => {
    const recent = new RecentRows(10, 100);
    for (let k = 0; k < 1000; k++) recent.put(`k${k}`, { key: `k${k}`, time: k, row: {} });
    expect(recent.size).toBe(100);
    expect(recent.groupCount).toBe(100);
  });
});
