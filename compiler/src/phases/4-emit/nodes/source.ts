// `source`: the connector, the partition key and the event time with its watermark strategy.
import type { SourceNode } from '../../3-plan/plan.ts';
import { renderExpr } from '../expressions.ts';
import { camel } from '../naming.ts';
import { ms, objectLiteral, type PipelineEmitter } from './shared.ts';

export function emitSource(node: SourceNode, pipe: PipelineEmitter): void {
  const type = pipe.streamType(node.name);
  pipe.setOutputType(node, type);
  pipe.section(node, `\`source ${node.name}: ${node.schema} from ${node.connector.text}\``);
  const base = camel(node.name);
  const param = { name: 'event', type };

  let key = 'null';
  if (node.key !== null) {
    const keyExpr = node.key;
    key = pipe.name(`${base}Key`);
    pipe.recordFn(key, param, 'string', (scope) => pipe.keyText([keyExpr], scope), `The partition key of \`${node.name}\`: \`${keyExpr.text}\`.`);
  }
  let eventTime = 'null';
  if (node.eventTime !== null) {
    const timeExpr = node.eventTime;
    eventTime = pipe.name(`${base}EventTime`);
    pipe.recordFn(eventTime, param, 'rt.EpochMillis', (scope) => renderExpr(pipe.ctx, timeExpr.expr, scope), `The event time of \`${node.name}\`: \`${timeExpr.text}\`.`);
  }
  const watermark =
    node.eventTime === null
      ? objectLiteral([['kind', "'processingTime'"]])
      : objectLiteral([
          ['kind', "'boundedOutOfOrderness'"],
          ['maxOutOfOrdernessMs', ms(node.watermarkMs ?? 0)],
          ['idleTimeoutMs', node.idleMs === null ? 'null' : ms(node.idleMs)],
        ]);
  pipe.nodeConst(node, `rt.SourceNode<${type}>`, [
    ['connector', pipe.connector(node.connector, 'source')],
    ['partitions', node.partitions === null ? 'null' : String(node.partitions)],
    ['key', key],
    ['eventTime', eventTime],
    ['watermark', watermark],
  ]);
}
