// Implausible event times. A record whose event time decodes but cannot be right (seconds sent as
// milliseconds, 0, microseconds, the year 2999 — the simulator's `absurd-timestamp` damage) would
// drag a partition's watermark to 1970 or push it centuries ahead, closing every window and making
// every later record late. Embedded runs reject such records at the decoder, as dead letters with
// the reason, like any other record that fails to decode.
//
// Plausible: not before 2000-01-01, and at most one day past both the wall clock and the newest
// plausible event time seen so far (so a replay that runs ahead of the clock still passes).
import type { DecodeNode, DecodeResult, SourceNode, Topology, TopologyNode } from '../../../runtime/src/index.ts';

export const EARLIEST_EVENT_TIME = Date.UTC(2000, 0, 1);
export const MAX_AHEAD_MS = 24 * 60 * 60 * 1000;

/** The newest plausible event time seen by one decoder. */
export class PlausibleTimes {
  private newest = Number.NEGATIVE_INFINITY;

  constructor(private readonly now: () => number = Date.now) {}

  /** Whether `t` is plausible; remembers it when it is. */
  accept(t: number): boolean {
    if (!(t >= EARLIEST_EVENT_TIME)) return false;
    if (t > this.newest + MAX_AHEAD_MS && t > Math.max(this.now(), this.newest) + MAX_AHEAD_MS) return false;
    if (t > this.newest) this.newest = t;
    return true;
  }
}

/**
 * `topology` with every decoder of an event-time source wrapped: records whose event time is
 * implausible fail to decode, at `paths.get(source)` (`$.timestamp`).
 */
export function guardEventTimes(topology: Topology, paths: ReadonlyMap<string, string>): Topology {
  const sourceOf = new Map<string, SourceNode<unknown>>();
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  for (const edge of topology.edges) {
    const from = byId.get(edge.from);
    const to = byId.get(edge.to);
    if (from?.kind === 'source' && to?.kind === 'decode') sourceOf.set(to.id, from);
  }
  const nodes = topology.nodes.map((node): TopologyNode => {
    if (node.kind !== 'decode') return node;
    const source = sourceOf.get(node.id);
    if (source === undefined || source.eventTime === null) return node;
    return guardedDecodeNode(node, source, paths.get(source.name) ?? '$');
  });
  return { ...topology, nodes };
}

function guardedDecodeNode(node: DecodeNode<unknown>, source: SourceNode<unknown>, path: string): DecodeNode<unknown> {
  const decodeText = node.decodeText;
  const eventTime = source.eventTime;
  if (eventTime === null) return node;
  const times = new PlausibleTimes();
  const guarded = (text: string): DecodeResult<unknown> => {
    const result = decodeText(text);
    if (!result.ok) return result;
    const t = eventTime(result.value);
    if (times.accept(t)) return result;
    return { ok: false, reason: `implausible event time ${describeTime(t)} (expected 2000-01-01 … a day from now)`, path };
  };
  return { ...node, decodeText: guarded };
}

function describeTime(t: number): string {
  const date = new Date(t);
  return Number.isNaN(date.getTime()) ? String(t) : `${t} (${date.toISOString()})`;
}
