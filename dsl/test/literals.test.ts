// Literal tokens: durations, numbers, strings and escapes, keywords versus identifiers.
import { describe, expect, it } from 'vitest';
import { parse, type Expr } from '../src/index.ts';

/** The value of measure `x = <source>` in an aggregate. */
function measure(source: string): { value: Expr | null; codes: string[] } {
  const { program, problems } = parse(`aggregate a from s {\n  x = ${source}\n}`, 'lit.flow');
  const aggregate = program.declarations[0];
  const clause = aggregate?.kind === 'AggregateDecl' ? aggregate.clauses[0] : undefined;
  return { value: clause?.kind === 'MeasureClause' ? clause.value : null, codes: problems.map((p) => p.code) };
}

describe('literals', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5_000],
    ['30m', 1_800_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
  ])('duration %s is %i ms', (text, millis) => {
    expect(measure(text)).toEqual({ value: expect.objectContaining({ kind: 'DurationLiteral', millis, text }), codes: [] });
  });

  it.each(['5sec', '1.5s', '10x', '3mss', '1e5s'])('reports the invalid duration %s once', (text) => {
    expect(measure(text).codes).toEqual(['duration_invalid']);
  });

  it('reads integers and floats', () => {
    expect(measure('12').value).toMatchObject({ kind: 'NumberLiteral', value: 12, integer: true });
    expect(measure('0.95').value).toMatchObject({ kind: 'NumberLiteral', value: 0.95, integer: false });
    expect(measure('1e3').value).toMatchObject({ kind: 'NumberLiteral', value: 1000, integer: false });
    expect(measure('1e999').codes).toEqual(['number_invalid']);
  });

  it('decodes string escapes; braces are plain characters outside templates', () => {
    expect(measure(String.raw`"a\"b\\c\n\t\{d\}{e}"`).value).toMatchObject({
      kind: 'StringLiteral',
      value: 'a"b\\c\n\t{d}{e}',
    });
    expect(measure(String.raw`"bad \q escape"`).codes).toEqual(['string_escape_invalid']);
  });

  it('reports an unterminated string and keeps parsing the next line', () => {
    const { program, problems } = parse('aggregate a from s {\n  x = "open\n  y = 1\n}', 'u.flow');
    expect(problems.map((p) => [p.code, p.span.start.line])).toEqual([['string_unterminated', 2]]);
    const aggregate = program.declarations[0];
    expect(aggregate?.kind === 'AggregateDecl' && aggregate.clauses.map((c) => c.kind)).toEqual(['MeasureClause', 'MeasureClause']);
  });

  it('lexes identifiers that start with a keyword as identifiers', () => {
    const { program, problems } = parse('stream events_2 = events where lateness_ms > 0 and into == keys', 'k.flow');
    expect(problems).toEqual([]);
    expect(program.declarations[0]).toMatchObject({ name: { name: 'events_2' }, input: { name: { name: 'events' } } });
  });

  it('skips comments of both kinds', () => {
    const { program, problems } = parse('/* a\n block */ enum E { A, // one\n B, }\n// end', 'c.flow');
    expect(problems).toEqual([]);
    expect(program.declarations[0]).toMatchObject({ kind: 'EnumDecl', members: [{ name: 'A' }, { name: 'B' }] });
  });

  it('reads every quantifier', () => {
    const { program, problems } = parse(
      'pattern p from s { match a+: x -> b*: x -> c?: x -> d{2}: x -> e{2,}: x -> f{1,3}: x -> g: x }',
      'q.flow',
    );
    expect(problems).toEqual([]);
    const match = program.declarations[0]?.kind === 'PatternDecl' ? program.declarations[0].clauses[0] : undefined;
    const steps = match?.kind === 'MatchClause' ? match.steps : [];
    expect(steps.map((s) => (s.quantifier === null ? null : [s.quantifier.min, s.quantifier.max]))).toEqual([
      [1, null],
      [0, null],
      [0, 1],
      [2, 2],
      [2, null],
      [1, 3],
      null,
    ]);
  });

  it('reports impossible quantifiers', () => {
    const { problems } = parse('pattern p from s { match a{3,1}: x -> b{1.5}: y }', 'q.flow');
    expect(problems.map((p) => [p.code, p.found])).toEqual([
      ['quantifier_invalid', '{3,1}'],
      ['quantifier_invalid', '{1.5}'],
    ]);
  });

  it('reads list types and union inputs', () => {
    const { program, problems } = parse('schema S { tags: string[]  grid: { x: int }[][] }\nstream u = union(a, b, c)', 't.flow');
    expect(problems).toEqual([]);
    expect(program.declarations[0]).toMatchObject({
      fields: [
        { type: { kind: 'ListType', element: { kind: 'NamedType', name: { name: 'string' } } } },
        { type: { kind: 'ListType', element: { kind: 'ListType', element: { kind: 'RecordType' } } } },
      ],
    });
    expect(program.declarations[1]).toMatchObject({ input: { kind: 'UnionInput', inputs: [{ name: { name: 'a' } }, {}, {}] } });
  });
});
