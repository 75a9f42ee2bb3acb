// Source positions and spans. Chevrotain tokens carry inclusive end offsets and columns; the AST
// uses half-open spans (end is one past the last character), so every conversion lives here.
import type { CstNodeLocation, IToken } from 'chevrotain';
import type { Position, Span } from './ast.ts';

export const startOfFile: Position = { offset: 0, line: 1, column: 1 };

export function emptySpanAt(position: Position): Span {
  return { start: position, end: position };
}

export function joinSpans(first: Span, last: Span): Span {
  return { start: first.start, end: last.end };
}

function finite(n: number | undefined): n is number {
  return n !== undefined && Number.isFinite(n);
}

/** Whether the token has real positions (tokens inserted by error recovery or EOF may not). */
export function hasPosition(token: IToken): boolean {
  return finite(token.startOffset) && finite(token.endOffset) && finite(token.startLine) && finite(token.startColumn);
}

/** The span of a token, or `null` when it has no position. */
export function tokenSpan(token: IToken): Span | null {
  if (!hasPosition(token)) return null;
  const endOffset = token.endOffset ?? token.startOffset;
  const start: Position = { offset: token.startOffset, line: token.startLine ?? 1, column: token.startColumn ?? 1 };
  const end: Position = {
    offset: endOffset + 1,
    line: token.endLine ?? start.line,
    column: (token.endColumn ?? start.column + endOffset - token.startOffset) + 1,
  };
  return { start, end };
}

/** The span of a CST node from Chevrotain's "full" node location tracking, or `null` when it holds no positioned token. */
export function locationSpan(location: CstNodeLocation | undefined): Span | null {
  if (location === undefined) return null;
  const { startOffset, startLine, startColumn, endOffset, endLine, endColumn } = location;
  if (!finite(startOffset) || !finite(endOffset) || !finite(startLine) || !finite(startColumn)) return null;
  if (!finite(endLine) || !finite(endColumn)) return null;
  return {
    start: { offset: startOffset, line: startLine, column: startColumn },
    end: { offset: endOffset + 1, line: endLine, column: endColumn + 1 },
  };
}

/** Offset → line/column for arbitrary offsets, with Chevrotain's line terminators (`\n`, `\r\n`, `\r`). */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 /* \n */) this.lineStarts.push(i + 1);
      else if (c === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.lineStarts.push(i + 1);
      }
    }
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(Number.isFinite(offset) ? offset : 0, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= clamped) low = mid;
      else high = mid - 1;
    }
    return { offset: clamped, line: low + 1, column: clamped - (this.lineStarts[low] ?? 0) + 1 };
  }

  span(startOffset: number, endOffset: number): Span {
    return { start: this.positionAt(startOffset), end: this.positionAt(endOffset) };
  }

  get end(): Position {
    return this.positionAt(this.text.length);
  }
}
