// Shared test utilities: load the example, walk AST nodes, and check spans against the text.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Node, Position, Span } from '../src/index.ts';

export const examplePath = fileURLToPath(new URL('../../pipelines/website-analytics.flow', import.meta.url));
export const exampleText = readFileSync(examplePath, 'utf8');

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'kind' in value && 'span' in value;
}

/** Every AST node under `root` (root included), depth first. */
export function allNodes(root: unknown): Node[] {
  const found: Node[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (isNode(value)) {
      found.push(value);
      for (const [key, child] of Object.entries(value)) if (key !== 'span') visit(child);
    }
  };
  visit(root);
  return found;
}

/** The text a span covers. */
export function textOf(text: string, span: Span): string {
  return text.slice(span.start.offset, span.end.offset);
}

/** Line/column of every offset of `text` (and its end), counted independently of the parser. */
function positionsOf(text: string): Position[] {
  const positions: Position[] = [];
  let line = 1;
  let column = 1;
  for (let offset = 0; offset <= text.length; offset++) {
    positions.push({ offset, line, column });
    const c = text[offset];
    if (c === '\n' || (c === '\r' && text[offset + 1] !== '\n')) {
      line++;
      column = 1;
    } else column++;
  }
  return positions;
}

export function positionOf(text: string, offset: number): Position | undefined {
  return positionsOf(text)[offset];
}

/** A checker listing what is wrong with a span of `text`: out of range, or line/column not matching the offset. */
export function spanChecker(text: string): (span: Span) => string[] {
  const positions = positionsOf(text);
  return (span) => {
    const problems: string[] = [];
    for (const p of [span.start, span.end]) {
      const expected = positions[p.offset];
      if (!Number.isInteger(p.offset) || expected === undefined) problems.push(`offset ${p.offset} out of range`);
      else if (expected.line !== p.line || expected.column !== p.column) {
        problems.push(`offset ${p.offset} is ${expected.line}:${expected.column}, span says ${p.line}:${p.column}`);
      }
    }
    if (span.end.offset < span.start.offset) problems.push(`span ends (${span.end.offset}) before it starts (${span.start.offset})`);
    return problems;
  };
}
