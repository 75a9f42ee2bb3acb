// `pattern`: the key, one condition function per step (reading the earlier steps through `match`
// when it refers to them), and the function building the alert record of a completed match.
import type { PatternNode, PatternStepPlan } from '../../3-plan/plan.ts';
import { EmitError } from '../context.ts';
import { renderExpr, renderTemplate, type ExprScope } from '../expressions.ts';
import { camel, member, pascal, quote } from '../naming.ts';
import { arrayLiteral, formatMs, ms, objectLiteral, type Param, type PipelineEmitter } from './shared.ts';

export function emitPattern(node: PatternNode, pipe: PipelineEmitter): void {
  const ctx = pipe.ctx;
  const inputNode = ctx.inputOf(node.id);
  const inputType = pipe.outputType(inputNode.id);
  const outputType = pipe.streamType(node.name);
  pipe.setOutputType(node, outputType);
  const matchType = ctx.types.declareMatch(node, inputType);
  const param = pipe.recordParam(inputNode);
  const base = camel(node.name);
  const steps = node.steps.map(
    (s) => `${s.negated ? 'not ' : ''}${s.name}${quantifierText(s.quantifier)}: ${s.condition?.text ?? 'true'}${s.withinMs === null ? '' : ` within ${formatMs(s.withinMs)}`}`,
  );
  pipe.section(node, `\`pattern ${node.name}\`: \`match ${steps.join(' -> ')}\`${node.withinMs === null ? '' : ` within ${formatMs(node.withinMs)}`}.`);

  let key = 'null';
  if (node.key !== null) {
    const keyExpr = node.key;
    key = pipe.name(`${base}Key`);
    pipe.recordFn(key, { name: param, type: inputType }, 'string', (scope) => pipe.keyText([keyExpr], scope), `The key \`${node.name}\` matches per: \`${keyExpr.text}\`.`);
  }

  const stepDescriptors = node.steps.map((step) => {
    let condition = 'null';
    const stepCondition = step.condition;
    if (stepCondition !== null) {
      condition = pipe.name(`${base}${pascal(step.name)}`);
      let readsMatch = false;
      pipe.fn(
        condition,
        (): Param[] => [{ name: param, type: inputType }, ...(readsMatch ? [{ name: 'match', type: matchType }] : [])],
        'boolean',
        (out, hoist) => {
          const scope: ExprScope = {
            record: param,
            hoist,
            name: (_expr, resolution) => {
              if (resolution?.kind !== 'patternStep') return undefined;
              readsMatch = true;
              return member('match', resolution.step.name.name);
            },
          };
          out.line(`return ${renderExpr(ctx, stepCondition.expr, scope)};`);
        },
        `Step \`${step.negated ? 'not ' : ''}${step.name}\`: \`${stepCondition.text}\`${step.negated ? ' (an absence: the match completes when no such record comes in time)' : ''}.`,
      );
    }
    return objectLiteral([
      ['name', quote(step.name)],
      ['negated', String(step.negated)],
      ['quantifier', step.quantifier === null ? 'rt.EXACTLY_ONCE' : objectLiteral([['min', String(step.quantifier.min)], ['max', step.quantifier.max === null ? 'null' : String(step.quantifier.max)]])],
      ['condition', condition],
      ['withinMs', step.withinMs === null ? 'null' : ms(step.withinMs)],
    ]);
  });

  const alert = node.alert;
  if (alert === null) throw new EmitError(`pattern \`${node.name}\` has no alert`);
  const complete = pipe.name(`${base}Alert`);
  const firstStep = node.steps.find((s) => !s.negated);
  pipe.fn(
    complete,
    [
      { name: 'match', type: matchType },
      { name: 'completion', type: 'rt.PatternCompletion' },
    ],
    outputType,
    (out) => {
      const scope: ExprScope = {
        record: null,
        template: true,
        name: (_expr, resolution) => {
          if (resolution?.kind === 'patternStep') return member('match', resolution.step.name.name);
          // The pattern key, when it is a field: the same in every event of the match.
          if (resolution?.kind === 'field' && firstStep !== undefined) return member(member('match', firstStep.name), resolution.field);
          return undefined;
        },
      };
      out.block('return', () => {
        out.line(`alert_type: ${quote(alert.type)},`);
        out.line(`severity: ${quote(alert.severity)},`);
        out.line(`title: ${alert.title === null ? quote(alert.type) : renderTemplate(ctx, alert.title, scope)},`);
        out.line(`message: ${alert.message === null ? quote('') : renderTemplate(ctx, alert.message, scope)},`);
        out.line("key: completion.key ?? '',");
        out.line('time: completion.completedAt,');
      }, ';');
    },
    `The \`${alert.type}\` alert of a completed \`${node.name}\` match.`,
  );

  pipe.nodeConst(node, `rt.PatternNode<${inputType}, ${matchType}, ${outputType}>`, [
    ['key', key],
    [
      'pattern',
      objectLiteral([
        ['steps', arrayLiteral(stepDescriptors)],
        ['withinMs', node.withinMs === null ? 'null' : ms(node.withinMs)],
        ['time', quote(node.time)],
      ]),
    ],
    ['complete', complete],
    ['alert', objectLiteral([['alertType', quote(alert.type)], ['severity', quote(alert.severity)]])],
    ['changelogTopic', quote(node.changelogTopic)],
  ]);
}

/** A quantifier as `.flow` writes it: `+`, `*`, `?`, `{2,5}`; empty for exactly once. */
function quantifierText(q: PatternStepPlan['quantifier']): string {
  if (q === null || (q.min === 1 && q.max === 1)) return '';
  if (q.max === null) return q.min === 0 ? '*' : q.min === 1 ? '+' : `{${q.min},}`;
  if (q.min === 0 && q.max === 1) return '?';
  return q.min === q.max ? `{${q.min}}` : `{${q.min},${q.max}}`;
}
