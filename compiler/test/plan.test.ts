// The planner on the website-analytics pipeline and on small programs aimed at one rule each,
// plus a property test of the sliding-window pane layout.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../src/diagnostics/diagnostic.ts';
import { parseFlow } from '../src/phases/1-parse/index.ts';
import { analyze } from '../src/phases/2-analyze/index.ts';
import { explainMermaid, explainText } from '../src/phases/3-plan/explain.ts';
import { plan } from '../src/phases/3-plan/index.ts';
import { paneLayout, paneOf, panesOfWindow, windowsOfPane } from '../src/phases/3-plan/panes.ts';
import {
  isStateful,
  nodeById,
  type PatternNode,
  type PhysicalPlan,
  type PlanNode,
  type RepartitionNode,
  type WindowAggregateNode,
} from '../src/phases/3-plan/plan.ts';
import { renderExpr } from '../src/phases/3-plan/render-expr.ts';

function planOf(text: string, file = 'test.flow'): { plan: PhysicalPlan; diagnostics: Diagnostic[] } {
  const parsed = parseFlow(text, file);
  const analysis = analyze(parsed.program);
  const errors = [...parsed.diagnostics, ...analysis.diagnostics].filter((d) => d.severity === 'error');
  expect(errors.map((d) => `${d.start.line}:${d.start.column} ${d.code}: ${d.message}`)).toEqual([]);
  if (analysis.analyzed === null) throw new Error('not analyzed');
  return plan(analysis.analyzed);
}

function windowNode(p: PhysicalPlan, id: string): WindowAggregateNode {
  const node = nodeById(p, id);
  if (node.kind !== 'windowAggregate') throw new Error(`${id} is a ${node.kind}`);
  return node;
}

/** The nodes with an edge into `id`, with the edge. */
function inputsOf(p: PhysicalPlan, id: string): { node: PlanNode; partitioning: string }[] {
  return p.edges
    .filter((e) => e.to === id)
    .map((e) => ({ node: nodeById(p, e.from), partitioning: e.partitioning.kind === 'hash' ? `hash ${e.partitioning.key}` : e.partitioning.kind }));
}

const SCHEMA = `
enum Kind { A, B, C }
schema E { id: string  ts: timestamp  kind: Kind  userId: string  sessionId: string  country?: string  amount?: float }
source events: E from kafka(topic: "t", partitions: 4) {
  key by userId
  event time ts watermark 2s
}
`;

describe('plan of website-analytics', () => {
  const text = readFileSync(new URL('../../pipelines/website-analytics.flow', import.meta.url), 'utf8');
  const { plan: p, diagnostics } = planOf(text, 'pipelines/website-analytics.flow');

  it('has no plan warnings', () => {
    expect(diagnostics).toEqual([]);
  });

  it('gives every stream declaration and emit nodes', () => {
    const declared = ['events', 'page_views', 'sessions', 'realtime', 'session_health', 'business', 'popular_pages', 'geography', 'funnel', 'bounces', 'checkout_abandoned'];
    for (const name of declared) {
      const d = p.declarations.find((x) => x.name === name);
      expect(d, name).toBeDefined();
      expect(d?.nodes.length, name).toBeGreaterThan(0);
      for (const id of d?.nodes ?? []) expect(() => nodeById(p, id)).not.toThrow();
    }
    expect(p.declarations.filter((d) => d.kind === 'emit')).toHaveLength(6);
    expect(p.nodes.filter((n) => n.kind === 'sink' && n.role === 'emit').map((n) => n.id)).toEqual([
      'sink.influx.website_metrics',
      'sink.influx.popular_pages',
      'sink.kafka.processed-metrics',
      'sink.kafka.cep-alerts',
      'sink.dashboard',
      'sink.log',
    ]);
  });

  it('has unique ids, edges between existing nodes, and nodes in topological order', () => {
    const ids = p.nodes.map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
    const position = new Map(ids.map((id, i) => [id, i]));
    for (const e of p.edges) {
      expect(position.has(e.from) && position.has(e.to), `${e.from} → ${e.to}`).toBe(true);
      expect(position.get(e.from) ?? 0).toBeLessThan(position.get(e.to) ?? 0);
    }
  });

  it('reads the source, decodes, and sends undecodable records to the dead-letter topic', () => {
    const source = nodeById(p, 'events.source');
    expect(source.kind === 'source' && source.key?.text).toBe('userId');
    expect(source.kind === 'source' && [source.watermarkMs, source.idleMs, source.partitions]).toEqual([5000, 60000, 12]);
    expect(p.edges).toContainEqual({ from: 'events.decode', to: 'events.dead-letter', partitioning: { kind: 'forward' }, output: 'rejected' });
  });

  it('repartitions events by sessionId for sessions (and shares it with the checkout pattern)', () => {
    const [input] = inputsOf(p, 'sessions.window');
    expect(input?.node.kind).toBe('repartition');
    expect(input?.partitioning).toBe('hash sessionId');
    const repartition = input?.node as RepartitionNode;
    expect(repartition.keyText).toBe('sessionId');
    expect(repartition.previousKey).toBe('userId');
    expect(repartition.topic).toBe('website_analytics-events-repartition-sessionId');
    expect(inputsOf(p, 'checkout_abandoned.pattern').map((i) => i.node.id)).toEqual([repartition.id]);
    expect(p.internalTopics.filter((t) => t.kind === 'repartition').map((t) => t.name)).toEqual([
      repartition.topic,
      'website_analytics-geography-repartition',
    ]);
    const sessions = windowNode(p, 'sessions.window');
    expect(sessions.phase).toBe('single');
    expect(sessions.parallelism).toBe('partitioned');
    expect(sessions.window).toMatchObject({ kind: 'session', gapMs: 1_800_000 });
    expect(sessions.stage).toBe(repartition.stage + 1);
  });

  it('does not repartition bounces: grouped by userId over a userId-keyed source', () => {
    const path: string[] = [];
    let id = 'bounces.window';
    for (;;) {
      const inputs = inputsOf(p, id);
      expect(inputs.length).toBeLessThanOrEqual(1);
      const [input] = inputs;
      if (input === undefined) break;
      expect(input.partitioning).toBe('forward');
      path.unshift(input.node.id);
      id = input.node.id;
    }
    expect(path).toEqual(['events.source', 'events.decode', 'page_views.filter', 'page_views.derive']);
    expect(windowNode(p, 'bounces.window').phase).toBe('single');
  });

  it('splits the global realtime aggregate into partial and final', () => {
    const partial = windowNode(p, 'realtime.partial');
    const final = windowNode(p, 'realtime.window');
    expect([partial.phase, partial.parallelism, partial.peer]).toEqual(['partial', 'partitioned', 'realtime.window']);
    expect([final.phase, final.parallelism, final.peer]).toEqual(['final', 'single', 'realtime.partial']);
    expect(inputsOf(p, 'realtime.window')).toEqual([{ node: partial, partitioning: 'global' }]);
    expect(inputsOf(p, 'realtime.partial').map((i) => [i.node.id, i.partitioning])).toEqual([['events.decode', 'forward']]);
    expect(final.aggregates.map((a) => a.kind)).toEqual(['rate', 'approx_count_distinct']);
    expect(final.time).toBe('processing');
  });

  it('lays business out as 6 panes of 10s and shares its count_distinct', () => {
    const business = windowNode(p, 'business.window');
    expect(business.window.kind).toBe('sliding');
    if (business.window.kind !== 'sliding') return;
    expect(business.window.panes).toMatchObject({ paneMs: 10_000, panesPerWindow: 6, panesPerSlide: 1, windowsPerPane: 6 });
    expect(business.aggregates.map((a) => a.text)).toEqual([
      'count(where eventType == CONVERSION)',
      'count_distinct(userId)',
      'sum(conversionData?.revenue ?? 0.0)',
    ]);
    expect(business.aggregates[1]?.calls).toHaveLength(2);
  });

  it('keeps geography on its country key after repartitioning', () => {
    const [input] = inputsOf(p, 'geography.window');
    expect(input?.node.kind).toBe('repartition');
    expect(input?.partitioning).toBe('hash sessionData?.country ?? "??"');
    expect(inputsOf(p, input?.node.id ?? '').map((i) => i.node.id)).toEqual(['geography.filter']);
  });

  it('gives every stateful node a state estimate, and only those', () => {
    for (const node of p.nodes) {
      if (isStateful(node)) {
        expect(node.stateEstimate, node.id).not.toBeNull();
        const s = node.stateEstimate;
        expect(s?.totalBytes).toBe((s?.bytesPerKey ?? 0) * (s?.expectedKeys ?? 0));
        expect(s?.formula).toMatch(/=/);
      } else {
        expect(node.stateEstimate, node.id).toBeNull();
      }
    }
    const pattern = nodeById(p, 'checkout_abandoned.pattern') as PatternNode;
    expect(pattern.key?.text).toBe('sessionId');
    expect(pattern.steps.map((s) => [s.name, s.negated, s.withinMs])).toEqual([
      ['checkout', false, null],
      ['paid', true, 1_800_000],
    ]);
  });

  it('sends late sessions to their own sink', () => {
    expect(p.edges).toContainEqual({ from: 'sessions.window', to: 'sessions.late', partitioning: { kind: 'forward' }, output: 'late' });
  });

  it('explains every node', () => {
    const text = explainText(p);
    for (const node of p.nodes) expect(text).toContain(node.id);
    expect(text).toContain('10s panes, 6 per window');
    expect(text).toContain('website_analytics-events-repartition-sessionId');
    expect(explainText(p)).toBe(text);
  });

  it('draws a mermaid flowchart', () => {
    const mermaid = explainMermaid(p);
    expect(mermaid.startsWith('flowchart')).toBe(true);
    expect(mermaid).toContain('==>|"global"|');
    expect(mermaid).toContain('-->|"hash sessionId"|');
    expect(mermaid.split('\n').filter((l) => l.includes('-->') || l.includes('==>') || l.includes('-.->'))).toHaveLength(p.edges.length);
  });
});

describe('partitioning rules', () => {
  it('needs no shuffle when the partition key is one of several group keys', () => {
    const { plan: p } = planOf(`${SCHEMA}
      aggregate a from events { window tumbling 1m  group by userId, country  n = count() }
      emit a to log()`);
    expect(inputsOf(p, 'a.window').map((i) => i.partitioning)).toEqual(['forward']);
  });

  it('filters before the shuffle and names the repartition after the aggregate', () => {
    const { plan: p } = planOf(`${SCHEMA}
      aggregate a from events { where kind == A  window tumbling 1m  group by sessionId  n = count() }
      emit a to log()`);
    expect(inputsOf(p, 'a.window').map((i) => [i.node.id, i.partitioning])).toEqual([['a.repartition', 'hash sessionId']]);
    expect(inputsOf(p, 'a.repartition').map((i) => i.node.id)).toEqual(['a.filter']);
    expect((nodeById(p, 'a.repartition') as RepartitionNode).topic).toBe('test-a-repartition');
  });

  it('repartitions after a derive overwrites the key field', () => {
    const { plan: p } = planOf(`${SCHEMA}
      stream s = events derive userId = lower(userId)
      aggregate a from s { window tumbling 1m  group by userId  n = count() }
      emit a to log()`);
    expect(inputsOf(p, 'a.window').map((i) => i.partitioning)).toEqual(['hash userId']);
  });

  it('repartitions lazily after key by, and a keyed session takes the stream key', () => {
    const { plan: p } = planOf(`${SCHEMA}
      stream s = events key by sessionId
      aggregate a from s { window session gap 5m  n = count() }
      emit a to log()`);
    expect(inputsOf(p, 's.key-by').map((i) => i.partitioning)).toEqual(['forward']);
    expect(inputsOf(p, 'a.window').map((i) => [i.node.id, i.partitioning])).toEqual([['s.repartition.sessionId', 'hash sessionId']]);
    expect(windowNode(p, 'a.window').phase).toBe('single');
  });

  it('runs a global aggregate over a global aggregate in one phase, and keys downstream of it', () => {
    const { plan: p } = planOf(`${SCHEMA}
      aggregate a from events { window tumbling 1m  n = count() }
      aggregate b from a { window tumbling 5m  total = sum(n) }
      emit b to log()`);
    expect(windowNode(p, 'a.window').phase).toBe('final');
    expect(windowNode(p, 'b.window')).toMatchObject({ phase: 'single', parallelism: 'single' });
    expect(inputsOf(p, 'b.window').map((i) => i.partitioning)).toEqual(['forward']);
  });

  it('keeps the partitioning of a keyed aggregate in its output columns', () => {
    const { plan: p } = planOf(`${SCHEMA}
      aggregate a from events { window tumbling 1m  group by userId as user  n = count() }
      aggregate b from a { window tumbling 5m  group by user  total = sum(n) }
      emit b to log()`);
    expect(inputsOf(p, 'b.window').map((i) => i.partitioning)).toEqual(['forward']);
  });

  it('reuses a repartition by a subset of the group keys', () => {
    const { plan: p } = planOf(`${SCHEMA}
      aggregate a from events { window tumbling 1m  group by sessionId  n = count() }
      aggregate b from events { window tumbling 1m  group by sessionId, kind  n = count() }
      emit a, b to log()`);
    expect(inputsOf(p, 'a.window').map((i) => [i.node.id, i.partitioning])).toEqual([['events.repartition.sessionId', 'hash sessionId']]);
    expect(inputsOf(p, 'b.window').map((i) => [i.node.id, i.partitioning])).toEqual([['events.repartition.sessionId', 'hash sessionId']]);
    expect(p.internalTopics.filter((t) => t.kind === 'repartition')).toHaveLength(1);
  });

  it('estimates bounded key spaces from enum domains', () => {
    const { plan: p } = planOf(`${SCHEMA}
      aggregate a from events { window tumbling 1m processing time  group by kind  n = count() }
      emit a to log()`);
    expect(windowNode(p, 'a.window').stateEstimate).toMatchObject({ expectedKeys: 3, bytesPerKey: 8 + 16 + 8, totalBytes: 96 });
  });

  it('keeps the key through a union of co-partitioned inputs', () => {
    const { plan: p } = planOf(`${SCHEMA}
      stream x = events where kind == A
      stream y = events where kind == B
      stream u = union(x, y)
      aggregate a from u { window tumbling 1m  group by userId  n = count() }
      emit a to log()`);
    expect(inputsOf(p, 'u.union').map((i) => i.node.id)).toEqual(['x.filter', 'y.filter']);
    expect(inputsOf(p, 'a.window').map((i) => [i.node.id, i.partitioning])).toEqual([['u.union', 'forward']]);
  });
});

describe('plan warnings', () => {
  it('warns about streams nothing reads or emits', () => {
    const { diagnostics } = planOf(`${SCHEMA}
      stream unused = events where kind == A
      aggregate a from events { window tumbling 1m  n = count() }
      emit a to log()`);
    expect(diagnostics.map((d) => [d.code, d.severity, d.message])).toEqual([
      ['stream_unused', 'warning', 'stream `unused` is never used: no declaration reads it and no `emit` sends it anywhere'],
    ]);
  });

  it('suggests approx_count_distinct for an exact distinct over strings in a long window', () => {
    const { diagnostics } = planOf(`${SCHEMA}
      aggregate daily from events { window tumbling 1d  users = count_distinct(userId)  kinds = count_distinct(kind) }
      aggregate minute from events { window tumbling 1m  users = count_distinct(userId) }
      emit daily, minute to log()`);
    expect(diagnostics.map((d) => d.code)).toEqual(['count_distinct_unbounded']);
    expect(diagnostics[0]?.suggestion).toContain('approx_count_distinct(userId)');
  });

  it('warns about a sliding window cut into too many panes', () => {
    const { plan: p, diagnostics } = planOf(`${SCHEMA}
      aggregate a from events { window sliding 1d every 1s  n = count() }
      emit a to log()`);
    expect(diagnostics.map((d) => d.code)).toEqual(['window_panes_excessive']);
    const a = windowNode(p, 'a.window');
    expect(a.window.kind === 'sliding' && [a.window.panes.paneMs, a.window.panes.panesPerWindow]).toEqual([1000, 86_400]);
  });

  it('warns about an unbounded pattern step with no within', () => {
    const { diagnostics } = planOf(`${SCHEMA}
      pattern p from events { match a: kind == A -> b+: kind == B -> c: kind == C  alert X severity low message "x" }
      emit p to log()`);
    expect(diagnostics.map((d) => d.code)).toEqual(['pattern_state_unbounded']);
  });
});

describe('expression rendering', () => {
  it('parenthesises only where precedence needs it', () => {
    const { plan: p } = planOf(`${SCHEMA}
      stream s = events
        where (kind == A or kind == B) and not (amount ?? 0.0) + 1 > 2 * (3 - 1)
        derive x = -(amount ?? 1.5) * 2, y = (1 + 2) + 3, z = 1 - (2 - 3)
      emit s to log()`);
    const filter = nodeById(p, 's.filter');
    expect(filter.kind === 'filter' && filter.condition.text).toBe('(kind == A or kind == B) and not (amount ?? 0.0) + 1 > 2 * (3 - 1)');
    const derive = nodeById(p, 's.derive');
    expect(derive.kind === 'derive' && derive.fields.map((f) => f.value.text)).toEqual(['-(amount ?? 1.5) * 2', '1 + 2 + 3', '1 - (2 - 3)']);
    if (filter.kind === 'filter') expect(renderExpr(filter.condition.expr)).toBe(filter.condition.text);
  });
});

describe('pane layout', () => {
  /** Windows `k` (covering [k·slide, k·slide + size)) that contain `t`, by scanning. */
  function windowsContaining(t: number, size: number, slide: number): number[] {
    const out: number[] = [];
    const from = Math.floor((t - size) / slide) - 1;
    const to = Math.floor(t / slide) + 1;
    for (let k = from; k <= to; k++) if (k * slide <= t && t < k * slide + size) out.push(k);
    return out;
  }

  const sizeAndDividingSlide = fc
    .tuple(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 24 }))
    .map(([slide, factor]) => ({ slide, size: slide * factor }));

  it('puts every timestamp in exactly size/pane windows, through its one pane', () => {
    fc.assert(
      fc.property(sizeAndDividingSlide, fc.integer({ min: -1e9, max: 1e9 }), ({ size, slide }, t) => {
        const layout = paneLayout(size, slide);
        const pane = paneOf(t, layout);
        const expected = windowsContaining(t, size, slide);
        // Brute force: scan windows around t for those whose pane set holds t's pane.
        const viaPanes: number[] = [];
        for (let k = Math.floor((t - size) / slide) - 2; k <= Math.floor(t / slide) + 2; k++) {
          if (panesOfWindow(k, layout).includes(pane)) viaPanes.push(k);
        }
        expect(viaPanes).toEqual(expected);
        expect(expected).toHaveLength(size / layout.paneMs);
        expect(windowsOfPane(pane, layout)).toEqual(expected);
        expect(layout.windowsPerPane).toBe(size / slide);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with brute force when the slide does not divide the size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 600 }), fc.integer({ min: -1e6, max: 1e6 }), (size, slide, t) => {
        const layout = paneLayout(size, slide);
        const expected = windowsContaining(t, size, slide);
        expect(windowsOfPane(paneOf(t, layout), layout)).toEqual(expected);
        expect(expected.length).toBeLessThanOrEqual(layout.windowsPerPane);
        for (const k of expected) expect(panesOfWindow(k, layout)).toContain(paneOf(t, layout));
      }),
      { numRuns: 500 },
    );
  });
});
