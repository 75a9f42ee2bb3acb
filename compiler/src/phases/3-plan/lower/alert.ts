// `alert TYPE severity level [title "…"] message "…"` of aggregates and patterns.
import type * as ast from '../../../../../dsl/src/ast.ts';
import type { AlertPlan } from '../plan.ts';
import { renderTemplate } from '../render-expr.ts';

export function alertPlan(clause: ast.AlertClause): AlertPlan {
  return {
    type: clause.alertType?.name ?? '',
    severity: clause.severity?.name ?? '',
    title: clause.title,
    message: clause.message,
    titleText: clause.title === null ? null : renderTemplate(clause.title).slice(1, -1),
    messageText: clause.message === null ? null : renderTemplate(clause.message).slice(1, -1),
    span: clause.span,
  };
}
