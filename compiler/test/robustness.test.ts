// 1,000 random mutations of the valid pipelines never make the compiler throw: every run ends in
// diagnostics or in emitted files.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSource, hasErrors } from '../src/index.ts';

const pipelinesDir = new URL('../../pipelines/', import.meta.url);
const pipelines = readdirSync(pipelinesDir)
  .filter((f) => f.endsWith('.flow'))
  .map((f) => ({ file: f, text: readFileSync(new URL(f, pipelinesDir), 'utf8') }));

/** Splits into word, number, punctuation and whitespace runs: the unit the mutations work on. */
function tokens(text: string): string[] {
  return text.match(/[A-Za-z_][A-Za-z0-9_]*|\d+[a-z]*|"(?:[^"\\\n]|\\.)*"|\s+|[^\sA-Za-z0-9_"]{1,2}|./g) ?? [];
}

type Mutation =
  | { kind: 'delete'; at: number }
  | { kind: 'swap'; at: number; with: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'bytes'; at: number; bytes: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(), bytes: fc.string({ unit: 'binary', maxLength: 8 }) }),
);

function apply(text: string, mutations: readonly Mutation[]): string {
  let parts = tokens(text);
  for (const m of mutations) {
    if (parts.length === 0) break;
    const at = m.at % parts.length;
    switch (m.kind) {
      case 'delete':
        parts.splice(at, 1);
        break;
      case 'swap': {
        const other = m.with % parts.length;
        [parts[at], parts[other]] = [parts[other] ?? '', parts[at] ?? ''];
        break;
      }
      case 'duplicate':
        parts.splice(at, 0, parts[at] ?? '');
        break;
      case 'truncate':
        parts = parts.slice(0, at);
        break;
      case 'bytes':
        parts.splice(at, 0, m.bytes);
        break;
    }
  }
  return parts.join('');
}

describe('compiler robustness', () => {
  it('has pipelines to mutate', () => {
    expect(pipelines.length).toBeGreaterThan(0);
    for (const p of pipelines) expect(hasErrors(compileSource(p.text, p.file).diagnostics), p.file).toBe(false);
  });

  it('never throws on 1,000 mutated pipelines', () => {
    fc.assert(
      fc.property(fc.nat({ max: pipelines.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (index, mutations) => {
        const pipeline = pipelines[index];
        if (pipeline === undefined) return;
        const text = apply(pipeline.text, mutations);
        const result = compileSource(text, pipeline.file);
        // Either it failed with at least one error, or it compiled to files.
        expect(hasErrors(result.diagnostics) || result.files.length > 0).toBe(true);
        for (const d of result.diagnostics) {
          expect(d.start.line).toBeGreaterThanOrEqual(1);
          expect(d.start.column).toBeGreaterThanOrEqual(1);
          expect(d.end.offset).toBeGreaterThanOrEqual(d.start.offset);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
