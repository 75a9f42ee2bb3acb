// Syntax errors: every one of a file is reported in one run, once, at the right place, with
// what was expected in words, and the rest of the file still yields declarations.
import { describe, expect, it } from 'vitest';
import { parse, type SyntaxProblem } from '../src/index.ts';
import { allNodes, spanChecker } from './helpers.ts';

function summary(problems: readonly SyntaxProblem[]): string[] {
  return problems.map((p) => `${p.span.start.line}:${p.span.start.column} ${p.code} ${JSON.stringify(p.found)}`);
}

describe('syntax errors', () => {
  it('reports three errors on three lines as three problems', () => {
    const text = [
      'schema S {',
      '  a: string',
      '  b int',
      '}',
      'stream s = events where x == ) derive y = 1',
      'aggregate a from s {',
      '  window tumbling 5s',
      '  n = count(',
      '}',
      'emit a to log()',
    ].join('\n');
    const { program, problems } = parse(text, 'three.flow');
    expect(summary(problems)).toEqual([
      '3:5 syntax_unexpected_token "int"',
      '5:30 syntax_unexpected_token ")"',
      '9:1 syntax_unexpected_token "}"',
    ]);
    expect(program.declarations.map((d) => d.kind)).toEqual(['SchemaDecl', 'StreamDecl', 'AggregateDecl', 'EmitDecl']);
  });

  it('reports lexer and parser problems of the whole file together, in source order', () => {
    const text = [
      'enum E { A, B }',
      'source s: S from kafka(topic: "t) {',
      '  key by # userId',
      '}',
      'aggregate a from s {',
      '  window tumbling 5sec',
      '  x = 1 +',
      '}',
      'agregate b from s { }',
    ].join('\n');
    const { program, problems } = parse(text, 'mixed.flow');
    expect(summary(problems)).toEqual([
      '2:31 string_unterminated "\\"t) {"',
      '3:10 token_invalid "#"',
      '6:19 duration_invalid "5sec"',
      '8:1 syntax_unexpected_token "}"',
      '9:1 syntax_unexpected_token "agregate"',
    ]);
    expect(program.declarations.map((d) => d.kind)).toEqual(['EnumDecl', 'SourceDecl', 'AggregateDecl']);
  });

  it('keeps one problem per location', () => {
    const text = 'aggregate a from s { x = ( ( ( }\npattern p from s { match a: -> b: }\nemit , to';
    const { problems } = parse(text, 'dup.flow');
    const starts = problems.map((p) => p.span.start.offset);
    expect(new Set(starts).size).toBe(starts.length);
  });

  it('says what was expected, in words', () => {
    const expected = (text: string): string[] => parse(text, 'e.flow').problems.map((p) => p.expected);
    expect(expected('schema S { a: string b int }')).toEqual(['`:`']);
    expect(expected('stream s = e where')).toEqual(['an expression']);
    expect(expected('aggregate a from s { 42 }')).toEqual(['an aggregate clause or `}`']);
    expect(expected('source s: S from kafka(topic: "x" partitions: 3)')).toEqual(['`,` or `)`']);
    expect(expected('aggregate a from s { window tumbling }')).toEqual(['a duration such as `5s`']);
    expect(expected('enum E { A B }')).toEqual(['`,` or `}`']);
    expect(expected('stream s = e where a.')).toEqual(['a field name']);
  });

  it('flags a misspelt keyword with the keywords that fit there', () => {
    const [top] = parse('agregate a from s { }', 'm.flow').problems;
    expect(top?.misspelt).toMatchObject({ word: 'agregate' });
    expect(top?.misspelt?.keywords).toContain('aggregate');

    const [clause] = parse('aggregate a from s {\n  windw tumbling 5s\n}', 'm.flow').problems;
    expect(clause).toMatchObject({ found: 'tumbling', misspelt: { word: 'windw', span: { start: { line: 2, column: 3 } } } });
    expect(clause?.misspelt?.keywords).toContain('window');

    const [pattern] = parse('pattern p from s {\n  mach a: x\n}', 'm.flow').problems;
    expect(pattern?.misspelt?.keywords).toContain('match');
  });

  it('points a missing closing brace at the end of the file, with the open brace', () => {
    const { program, problems } = parse('aggregate a from s {\n  window tumbling 5s\n  n = count()\n', 'brace.flow');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      code: 'syntax_unexpected_end',
      atEnd: true,
      found: '',
      expected: 'an aggregate clause or `}`',
      span: { start: { line: 3, column: 14 }, end: { line: 3, column: 14 } },
      unclosed: { bracket: '{', span: { start: { line: 1, column: 20 } } },
    });
    expect(program.declarations[0]).toMatchObject({ kind: 'AggregateDecl', clauses: [{}, {}] });
  });

  it('recovers from a missing brace before the next declaration', () => {
    const text = 'schema S {\n  a: string\n\nsource s: S from kafka()\naggregate a from s {\n  n = count()\n\nemit a to log()';
    const { program, problems } = parse(text, 'brace.flow');
    expect(summary(problems)).toEqual(['4:1 syntax_unexpected_token "source"', '8:1 syntax_unexpected_token "emit"']);
    expect(problems.map((p) => p.unclosed?.span.start.line)).toEqual([1, 5]);
    expect(problems.map((p) => p.keywordAsName)).toEqual([false, false]);
    expect(program.declarations.map((d) => d.kind)).toEqual(['SchemaDecl', 'SourceDecl', 'AggregateDecl', 'EmitDecl']);
    const check = spanChecker(text);
    expect(allNodes(program).flatMap((node) => check(node.span))).toEqual([]);
  });

  it('checks template holes', () => {
    const text = 'pattern p from s {\n  match a: x\n  alert A severity low message "{a.b} {1x} {} {open"\n}';
    const { problems } = parse(text, 't.flow');
    expect(problems.map((p) => [p.code, p.found, p.span.start.column, p.span.end.column])).toEqual([
      ['template_hole_invalid', '1x', 39, 43],
      ['template_hole_invalid', '', 44, 46],
      ['template_hole_unclosed', '{open', 47, 52],
    ]);
  });

  it('does not report the echoes of a lexer problem', () => {
    // The unterminated string swallows `) {`; the skipped `#` leaves `x y` behind.
    const text = 'source s: S from kafka(topic: "t) {\n  key by id\n}\nstream t = s derive z = x # y';
    expect(summary(parse(text, 'echo.flow').problems)).toEqual([
      '1:31 string_unterminated "\\"t) {"',
      '4:27 token_invalid "#"',
    ]);
  });

  it('suggests joining a duration written with a space, and reports it once', () => {
    const { problems } = parse('aggregate a from s {\n  lateness 10 s\n  emit every 1s\n}', 'd.flow');
    expect(problems).toMatchObject([
      { code: 'syntax_unexpected_token', found: '10', replacement: { text: '10s', span: { start: { column: 12 }, end: { column: 16 } } } },
    ]);
  });

  it('reports an unterminated block comment', () => {
    const { problems } = parse('enum E { A }\n/* never closed\nenum F { B }', 'c.flow');
    expect(summary(problems)).toEqual(['2:1 comment_unterminated "/*"']);
  });

  it('returns an empty program for an empty or blank file', () => {
    expect(parse('', 'empty.flow')).toMatchObject({ program: { declarations: [], pipeline: null }, problems: [] });
    expect(parse('  // nothing\n', 'blank.flow').problems).toEqual([]);
  });

  it('reports an unexpected end of file inside a declaration', () => {
    const { problems } = parse('pipeline p\nsource s: S from kafka(topic: "t") {\n  key by', 'end.flow');
    expect(problems).toMatchObject([{ code: 'syntax_unexpected_end', atEnd: true, expected: 'an expression' }]);
  });

  it('names a missing connector in words', () => {
    const { problems } = parse('emit a to', 'end.flow');
    expect(problems).toMatchObject([{ code: 'syntax_unexpected_end', expected: 'a connector such as `kafka(…)` or `log()`' }]);
  });

  it('flags a keyword used as a name, and not the errors that follow from it on the same line', () => {
    const { problems } = parse('stream session = e\naggregate a from b { unit = count() }', 'kw.flow');
    expect(problems.map((p) => [p.span.start.line, p.found, p.keywordAsName])).toEqual([
      [1, 'session', true],
      [2, 'unit', true],
    ]);
  });
});
