// parse() must never throw, whatever it is given: random edits of the example must always yield
// a Program, positioned problems, and AST nodes whose spans are real positions in the text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from '../src/index.ts';
import { allNodes, exampleText, spanChecker } from './helpers.ts';

/** Rough tokens of the example (words, strings, single characters), for token-level edits. */
const pieces = exampleText.match(/\s+|[A-Za-z0-9_]+|"[^"\n]*"|[^\s]/g) ?? [];

type Mutation =
  | { kind: 'delete'; at: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'truncate'; at: number };

const index = fc.nat({ max: pieces.length - 1 });
const junk = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('{', '}', '(', ')', '"', '/*', '\\', '?.', '->', 'where', 'emit', '5x', '1.5s', '{{', '\r', '\0'),
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: index }),
  fc.record({ kind: fc.constant('swap' as const), a: index, b: index }),
  fc.record({ kind: fc.constant('duplicate' as const), at: index }),
  fc.record({ kind: fc.constant('insert' as const), at: index, text: junk }),
  fc.record({ kind: fc.constant('truncate' as const), at: index }),
);

function apply(mutations: readonly Mutation[]): string {
  let current = [...pieces];
  for (const m of mutations) {
    const clamp = (i: number): number => Math.min(i, Math.max(current.length - 1, 0));
    switch (m.kind) {
      case 'delete':
        current.splice(clamp(m.at), 1);
        break;
      case 'swap': {
        const [a, b] = [clamp(m.a), clamp(m.b)];
        [current[a], current[b]] = [current[b] ?? '', current[a] ?? ''];
        break;
      }
      case 'duplicate':
        current.splice(clamp(m.at), 0, current[clamp(m.at)] ?? '');
        break;
      case 'insert':
        current.splice(clamp(m.at), 0, m.text);
        break;
      case 'truncate':
        current = current.slice(0, clamp(m.at));
        break;
    }
  }
  return current.join('');
}

describe('parse never throws', () => {
  it('survives 1,000 random mutations of the example', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const text = apply(mutations);
        const result = parse(text, 'mutated.flow');
        expect(result.program.kind).toBe('Program');
        const check = spanChecker(text);
        const spans = [...result.problems, ...allNodes(result.program)].map((item) => item.span);
        expect(spans.flatMap(check)).toEqual([]);
        // Nothing but parse_failed would mean a builder bug was swallowed.
        expect(result.problems.filter((p) => p.code === 'parse_failed')).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('survives arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const result = parse(text, 'random.flow');
        expect(result.program.kind).toBe('Program');
        const check = spanChecker(text);
        expect(result.problems.flatMap((problem) => check(problem.span))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('survives every truncation of the example', () => {
    for (let end = 0; end <= exampleText.length; end += 7) {
      const result = parse(exampleText.slice(0, end), 'truncated.flow');
      expect(result.program.kind).toBe('Program');
    }
  });

  it('survives pathological nesting, and parses normally afterwards', () => {
    const deep = parse(`stream s = e where ${'('.repeat(5000)}a${')'.repeat(5000)}`, 'deep.flow');
    expect(deep.program.kind).toBe('Program');
    expect(deep.problems.map((p) => p.code)).toEqual(['syntax_too_deep']);
    expect(parse('"'.repeat(10_000), 'quotes.flow').program.kind).toBe('Program');
    expect(parse(exampleText, 'example.flow').problems).toEqual([]);
  });

  it('parses reasonably deep nesting', () => {
    const result = parse(`stream s = e where ${'('.repeat(100)}a${')'.repeat(100)}`, 'nested.flow');
    expect(result.problems).toEqual([]);
  });
});
