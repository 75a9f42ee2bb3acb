// `flowc explain`: the physical plan as readable text and as a Mermaid flowchart. Both are
// deterministic (plan order, no timestamps, no hash-map iteration order) so they can be snapshotted.
import { formatBytes, formatDuration } from './format.ts';
import type {
  EdgePartitioning,
  PhysicalPlan,
  PlanEdge,
  PlanNode,
  StateEstimate,
  WindowAggregateNode,
  WindowPlan,
} from './plan.ts';

const KIND_LABEL: Record<PlanNode['kind'], string> = {
  source: 'source',
  decode: 'decode',
  filter: 'filter',
  derive: 'derive',
  keyBy: 'key by',
  union: 'union',
  repartition: 'repartition',
  windowAggregate: 'window aggregate',
  pattern: 'pattern',
  sink: 'sink',
  deadLetter: 'dead letter',
};

export function describeEdge(p: EdgePartitioning): string {
  switch (p.kind) {
    case 'forward':
      return 'forward';
    case 'hash':
      return `hash ${p.key}`;
    case 'global':
      return 'global';
  }
}

export function describeWindow(w: WindowPlan): string {
  switch (w.kind) {
    case 'tumbling':
      return `tumbling ${formatDuration(w.sizeMs)}`;
    case 'sliding':
      return `sliding ${formatDuration(w.sizeMs)} every ${formatDuration(w.slideMs)}`;
    case 'session':
      return `session gap ${formatDuration(w.gapMs)}${w.until === null ? '' : ` until ${w.until.text}`}`;
  }
}

function phaseLabel(node: WindowAggregateNode): string {
  switch (node.phase) {
    case 'single':
      return 'single-phase';
    case 'partial':
      return `partial, merged by ${node.peer ?? '?'}`;
    case 'final':
      return `final, merges ${node.peer ?? '?'}`;
  }
}

/** Lines `label  value` with labels padded to one column. */
class Block {
  readonly lines: [string, string][] = [];

  row(label: string, value: string): void {
    this.lines.push([label, value]);
  }

  render(indent: string): string[] {
    const width = Math.max(0, ...this.lines.map(([l]) => l.length));
    return this.lines.map(([l, v]) => `${indent}${l.padEnd(width)}  ${v}`.trimEnd());
  }
}

function stateRows(block: Block, state: StateEstimate): void {
  block.row('state', `≈ ${formatBytes(state.totalBytes)}`);
  block.row('', state.formula);
  for (const a of state.assumptions) block.row('', `assumes ${a}`);
}

function details(node: PlanNode, block: Block): void {
  switch (node.kind) {
    case 'source':
      block.row('connector', node.connector.text);
      block.row('schema', node.schema);
      block.row('key', node.key?.text ?? '(none: records are unkeyed)');
      block.row(
        'time',
        node.eventTime === null
          ? 'processing time'
          : `event time ${node.eventTime.text}, watermark ${formatDuration(node.watermarkMs ?? 0)} behind` +
              (node.idleMs === null ? '' : `, idle after ${formatDuration(node.idleMs)}`),
      );
      if (node.partitions !== null) block.row('partitions', String(node.partitions));
      block.row('dead letter', node.deadLetter?.text ?? '(none: undecodable records are counted and dropped)');
      return;
    case 'decode':
      block.row('schema', node.schema);
      block.row('rejected', node.deadLetter === null ? 'counted and dropped' : `→ ${node.deadLetter}`);
      return;
    case 'filter':
      block.row('where', node.condition.text);
      return;
    case 'derive':
      for (const f of node.fields) block.row('derive', `${f.name} = ${f.value.text}`);
      return;
    case 'keyBy':
      block.row('key', `${node.key.text} (logical; repartitioned only where a keyed operator needs it)`);
      return;
    case 'union':
      block.row('inputs', node.inputs.join(', '));
      return;
    case 'repartition':
      block.row('topic', node.topic);
      block.row('key', `${node.keyText}${node.previousKey === null ? '' : ` (was ${node.previousKey})`}`);
      if (node.partitions !== null) block.row('partitions', String(node.partitions));
      block.row('why', node.reason);
      return;
    case 'windowAggregate': {
      block.row('window', describeWindow(node.window));
      if (node.window.kind === 'sliding') {
        const p = node.window.panes;
        block.row(
          'panes',
          `${formatDuration(p.paneMs)} panes, ${p.panesPerWindow} per window, each in ${p.windowsPerPane} windows, ${p.retainedPanes} retained per key`,
        );
      }
      block.row('phase', phaseLabel(node));
      if (node.input === 'updates') block.row('input', 'keyed updates: keeps each open window\'s live input rows, retracts on -U/-D');
      block.row(
        'time',
        `${node.time} time` +
          (node.time === 'event' ? (node.latenessMs > 0 ? `, lateness ${formatDuration(node.latenessMs)}` : ', no allowed lateness') : '') +
          (node.lateOutput === null ? '' : `, late → ${node.lateOutput.text}`),
      );
      if (node.earlyFiringMs !== null) block.row('early', `fires every ${formatDuration(node.earlyFiringMs)} while open`);
      block.row('group by', node.groupKeys.length === 0 ? '(none: global)' : node.groupKeys.map((k) => (k.value.text === k.name ? k.name : `${k.value.text} as ${k.name}`)).join(', '));
      for (const a of node.aggregates) block.row('aggregate', `${a.slot} = ${a.text}  [${a.kind}, ${formatBytes(a.stateBytes)}]`);
      for (const m of node.measures) block.row('measure', `${m.name} = ${m.value.text}${m.unit === null ? '' : `  unit "${m.unit}"`}`);
      if (node.having !== null) block.row('having', node.having.text);
      if (node.alert !== null) block.row('alert', `${node.alert.type} severity ${node.alert.severity}: "${node.alert.messageText ?? ''}"`);
      block.row('changelog', node.changelogTopic);
      return;
    }
    case 'pattern':
      block.row('key', node.key?.text ?? '(none: one global match)');
      for (const s of node.steps) {
        const q = s.quantifier === null ? '' : s.quantifier.max === null ? `{${s.quantifier.min},}` : `{${s.quantifier.min},${s.quantifier.max}}`;
        block.row(
          'step',
          `${s.negated ? 'not ' : ''}${s.name}${q}: ${s.condition?.text ?? '?'}${s.withinMs === null ? '' : ` within ${formatDuration(s.withinMs)}`}`,
        );
      }
      if (node.withinMs !== null) block.row('within', formatDuration(node.withinMs));
      block.row('time', `${node.time} time`);
      if (node.alert !== null) block.row('alert', `${node.alert.type} severity ${node.alert.severity}: "${node.alert.messageText ?? ''}"`);
      block.row('changelog', node.changelogTopic);
      return;
    case 'sink':
      block.row('connector', node.connector.text);
      block.row(node.role === 'late' ? 'late of' : 'streams', node.inputs.join(', '));
      return;
    case 'deadLetter':
      block.row('connector', node.connector.text);
      block.row('source', node.source);
      return;
  }
}

function inputsOf(plan: PhysicalPlan, node: PlanNode): PlanEdge[] {
  return plan.edges.filter((e) => e.to === node.id);
}

function edgeText(e: PlanEdge): string {
  return `${e.from} (${describeEdge(e.partitioning)}${e.output === 'main' ? '' : `, ${e.output}`})`;
}

export function explainText(plan: PhysicalPlan): string {
  const stages = [...new Set(plan.nodes.map((n) => n.stage))].sort((a, b) => a - b);
  const repartitions = plan.internalTopics.filter((t) => t.kind === 'repartition').length;
  const changelogs = plan.internalTopics.length - repartitions;
  const totalState = plan.nodes.reduce((s, n) => s + (n.stateEstimate?.totalBytes ?? 0), 0);
  const out: string[] = [
    `pipeline ${plan.pipeline}`,
    `  ${plan.nodes.length} operators in ${stages.length} ${stages.length === 1 ? 'stage' : 'stages'}, ` +
      `${repartitions} repartition ${repartitions === 1 ? 'topic' : 'topics'}, ${changelogs} changelog ${changelogs === 1 ? 'topic' : 'topics'}, ` +
      `estimated state ≈ ${formatBytes(totalState)}`,
  ];
  for (const stage of stages) {
    out.push('', stage === 0 ? 'stage 0 (reads the sources)' : `stage ${stage} (reads a repartition topic or merges partials)`);
    for (const node of plan.nodes.filter((n) => n.stage === stage)) {
      out.push(`  ${node.id}  [${KIND_LABEL[node.kind]}, ${node.parallelism}]`);
      const block = new Block();
      const inputs = inputsOf(plan, node);
      if (inputs.length > 0) block.row('in', inputs.map(edgeText).join('; '));
      details(node, block);
      if (node.stateEstimate !== null) stateRows(block, node.stateEstimate);
      out.push(...block.render('      '));
    }
  }
  if (plan.internalTopics.length > 0) {
    out.push('', 'internal topics');
    for (const t of plan.internalTopics) out.push(`  ${t.name}  (${t.kind}, written by ${t.node})`);
  }
  return `${out.join('\n')}\n`;
}

// ───────────────────────────── Mermaid ─────────────────────────────

function mermaidIds(plan: PhysicalPlan): Map<string, string> {
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  for (const node of plan.nodes) {
    let id = `n_${node.id.replace(/[^A-Za-z0-9_]/g, '_')}`;
    for (let i = 2; taken.has(id); i++) id = `n_${node.id.replace(/[^A-Za-z0-9_]/g, '_')}_${i}`;
    taken.add(id);
    ids.set(node.id, id);
  }
  return ids;
}

function escapeMermaid(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

function mermaidLabel(node: PlanNode): string {
  const lines = [node.id, KIND_LABEL[node.kind]];
  switch (node.kind) {
    case 'source':
      lines.push(node.connector.name + (node.key === null ? '' : `, key ${node.key.text}`));
      break;
    case 'repartition':
      lines.push(`by ${node.keyText}`);
      break;
    case 'windowAggregate':
      lines[1] = `${describeWindow(node.window)}, ${node.phase}`;
      if (node.groupKeys.length > 0) lines.push(`group by ${node.groupKeys.map((k) => k.name).join(', ')}`);
      break;
    case 'pattern':
      if (node.key !== null) lines.push(`key ${node.key.text}`);
      break;
    case 'sink':
    case 'deadLetter':
      lines.push(node.connector.name);
      break;
    default:
      break;
  }
  if (node.stateEstimate !== null) lines.push(`state ≈ ${formatBytes(node.stateEstimate.totalBytes)}`);
  return escapeMermaid(lines.join('<br/>')).replace(/#lt;br\/#gt;/g, '<br/>');
}

function mermaidShape(node: PlanNode, id: string): string {
  const label = `"${mermaidLabel(node)}"`;
  switch (node.kind) {
    case 'source':
      return `${id}([${label}])`;
    case 'sink':
    case 'deadLetter':
      return `${id}[/${label}/]`;
    case 'repartition':
      return `${id}{{${label}}}`;
    case 'windowAggregate':
    case 'pattern':
      return `${id}[(${label})]`;
    default:
      return `${id}[${label}]`;
  }
}

export function explainMermaid(plan: PhysicalPlan): string {
  const ids = mermaidIds(plan);
  const out = ['flowchart LR'];
  const stages = [...new Set(plan.nodes.map((n) => n.stage))].sort((a, b) => a - b);
  for (const stage of stages) {
    out.push(`  subgraph stage_${stage}["stage ${stage}"]`);
    for (const node of plan.nodes.filter((n) => n.stage === stage)) out.push(`    ${mermaidShape(node, ids.get(node.id) ?? node.id)}`);
    out.push('  end');
  }
  for (const e of plan.edges) {
    const from = ids.get(e.from) ?? e.from;
    const to = ids.get(e.to) ?? e.to;
    if (e.output !== 'main') out.push(`  ${from} -.->|"${e.output}"| ${to}`);
    else if (e.partitioning.kind === 'forward') out.push(`  ${from} --> ${to}`);
    else if (e.partitioning.kind === 'global') out.push(`  ${from} ==>|"global"| ${to}`);
    else out.push(`  ${from} -->|"${escapeMermaid(describeEdge(e.partitioning))}"| ${to}`);
  }
  return `${out.join('\n')}\n`;
}
