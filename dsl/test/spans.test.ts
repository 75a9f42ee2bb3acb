// Spans: 1-based line/column, 0-based offset, end exclusive; exact for a few known nodes and
// consistent (offset ↔ line/column) for every node of the example.
import { describe, expect, it } from 'vitest';
import { parse, type Expr } from '../src/index.ts';
import { allNodes, exampleText, spanChecker, textOf } from './helpers.ts';

describe('spans', () => {
  it('are consistent for every node of the example', () => {
    const { program } = parse(exampleText, 'example.flow');
    const nodes = allNodes(program);
    expect(nodes.length).toBeGreaterThan(300);
    expect(nodes.flatMap((node) => spanChecker(exampleText)(node.span))).toEqual([]);
  });

  it('cover exactly the text of a node', () => {
    const { program } = parse(exampleText, 'example.flow');
    const [enumDecl, , , source] = program.declarations;
    expect(textOf(exampleText, enumDecl!.span)).toBe('enum EventType { PAGE_VIEW, SESSION_START, SESSION_END, CONVERSION }');
    expect(enumDecl!.span.start).toEqual({ offset: exampleText.indexOf('enum EventType'), line: 5, column: 1 });
    expect(source!.span.start.line).toBe(35);
    expect(textOf(exampleText, source!.span)).toMatch(/^source events: AnalyticsEvent from kafka\([^]*dlq"\)\n}$/);

    const sessions = program.declarations[5];
    const measure = sessions?.kind === 'AggregateDecl' ? sessions.clauses[5] : undefined;
    expect(textOf(exampleText, measure!.span)).toBe('duration_s = (last(timestamp) - first(timestamp)) / 1s    unit "s"');
    const value = measure?.kind === 'MeasureClause' ? measure.value : null;
    expect(textOf(exampleText, value!.span)).toBe('(last(timestamp) - first(timestamp)) / 1s');
    expect(value?.kind === 'BinaryExpr' && textOf(exampleText, value.left!.span)).toBe('last(timestamp) - first(timestamp)');
  });

  it('place template holes inside the string', () => {
    const text = 'pattern p from s {\n  match a: x\n  alert A severity low message "at {a?.b}, \\{x\\}"\n}';
    const { program, problems } = parse(text, 't.flow');
    expect(problems).toEqual([]);
    const pattern = program.declarations[0];
    const alert = pattern?.kind === 'PatternDecl' ? pattern.clauses[1] : undefined;
    const parts = alert?.kind === 'AlertClause' ? alert.message?.parts : undefined;
    expect(parts?.length).toBe(3);
    const hole = parts?.[1] as Expr;
    expect(textOf(text, hole.span)).toBe('a?.b');
    expect(hole.span.start).toEqual({ offset: text.indexOf('a?.b'), line: 3, column: 37 });
    expect(parts?.[2]).toBe(', {x}');
  });

  it('ignore spaces inside template holes', () => {
    const text = 'pattern p from s { match a: x  alert A severity low message "{ a ?. title . b }!" }';
    const { program, problems } = parse(text, 't.flow');
    expect(problems).toEqual([]);
    const pattern = program.declarations[0];
    const alert = pattern?.kind === 'PatternDecl' ? pattern.clauses[1] : undefined;
    const [hole, rest] = alert?.kind === 'AlertClause' ? (alert.message?.parts ?? []) : [];
    expect(textOf(text, (hole as Expr).span)).toBe('a ?. title . b');
    expect(hole).toMatchObject({ kind: 'MemberExpr', property: { name: 'b' }, object: { optional: true, property: { name: 'title' } } });
    expect(rest).toBe('!');
  });

  it('count lines the same with CRLF line endings', () => {
    const crlf = exampleText.replace(/\n/g, '\r\n');
    const result = parse(crlf, 'crlf.flow');
    expect(result.problems).toEqual([]);
    const check = spanChecker(crlf);
    expect(allNodes(result.program).flatMap((node) => check(node.span))).toEqual([]);
    expect(result.program.declarations[3]?.span.start).toMatchObject({ line: 35, column: 1 });
  });

  it('give the program the whole file', () => {
    const { program } = parse(exampleText, 'example.flow');
    expect(program.span.start).toEqual({ offset: 0, line: 1, column: 1 });
    expect(program.span.end.offset).toBe(exampleText.length);
  });
});
