// Final ordering of the plan: nodes in topological order (creation order among independent ones)
// and each node's stage. Stage 0 reads the sources; crossing a `hash` edge (a repartition topic)
// or a `global` edge starts a new stage, i.e. a new set of consumers in the group.
import type { PlanEdge, PlanNode } from './plan.ts';

export function topologicalOrder(nodes: readonly PlanNode[], edges: readonly PlanEdge[]): PlanNode[] {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const indegree = new Map(nodes.map((n) => [n.id, 0]));
  const outgoing = new Map<string, string[]>();
  for (const e of edges) {
    indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
    outgoing.set(e.from, [...(outgoing.get(e.from) ?? []), e.to]);
  }
  const ready = nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out: PlanNode[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => (index.get(a) ?? 0) - (index.get(b) ?? 0));
    const id = ready.shift();
    if (id === undefined) break;
    const node = byId.get(id);
    if (node !== undefined) out.push(node);
    for (const to of outgoing.get(id) ?? []) {
      const left = (indegree.get(to) ?? 0) - 1;
      indegree.set(to, left);
      if (left === 0) ready.push(to);
    }
  }
  if (out.length !== nodes.length) throw new Error('plan graph has a cycle');
  return out;
}

/** Stage of every node, given nodes in topological order. */
export function assignStages(ordered: readonly PlanNode[], edges: readonly PlanEdge[]): Map<string, number> {
  const stage = new Map<string, number>();
  const incoming = new Map<string, PlanEdge[]>();
  for (const e of edges) incoming.set(e.to, [...(incoming.get(e.to) ?? []), e]);
  for (const node of ordered) {
    let s = 0;
    for (const e of incoming.get(node.id) ?? []) {
      s = Math.max(s, (stage.get(e.from) ?? 0) + (e.partitioning.kind === 'forward' ? 0 : 1));
    }
    stage.set(node.id, s);
  }
  return stage;
}
