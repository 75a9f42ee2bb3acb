// Typed, forgiving access to Chevrotain CST nodes. A recovered node may lack any child, so every
// accessor returns `null` or an empty list rather than assuming the grammar's shape.
import type { CstElement, CstNode, IToken } from 'chevrotain';
import type { Position, Span } from './ast.ts';
import { emptySpanAt, locationSpan, tokenSpan } from './positions.ts';

export function isCstNode(element: CstElement | undefined): element is CstNode {
  return element !== undefined && 'children' in element;
}

function isToken(element: CstElement | undefined): element is IToken {
  return element !== undefined && 'tokenType' in element;
}

/** The child nodes under `label`, in source order. */
export function nodes(node: CstNode | null, label: string): CstNode[] {
  return (node?.children[label] ?? []).filter(isCstNode);
}

export function node(node: CstNode | null, label: string, index = 0): CstNode | null {
  return nodes(node, label)[index] ?? null;
}

/** The tokens under `label`, in source order. */
export function tokens(node: CstNode | null, label: string): IToken[] {
  return (node?.children[label] ?? []).filter(isToken);
}

export function token(node: CstNode | null, label: string, index = 0): IToken | null {
  return tokens(node, label)[index] ?? null;
}

/** A token that is really in the text (not one inserted by error recovery). */
export function realToken(node: CstNode | null, label: string, index = 0): IToken | null {
  const found = token(node, label, index);
  return found === null || found.isInsertedInRecovery === true ? null : found;
}

/** The span of a node; `fallback` when it holds no positioned token (an empty recovered node). */
export function nodeSpan(node: CstNode | null, fallback: Position): Span {
  return locationSpan(node?.location) ?? emptySpanAt(fallback);
}

/** The span of a token; `fallback` when it has no position. */
export function spanOfToken(token: IToken, fallback: Position): Span {
  return tokenSpan(token) ?? emptySpanAt(fallback);
}
