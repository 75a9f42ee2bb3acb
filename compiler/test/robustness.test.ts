// 1,000 random mutations of the valid pipelines never make the compiler throw: every run ends in
// diagnostics or in emitted files.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSource, hasErrors } from '../src/index.ts';
import { mutate, mutation } from './support/mutations.ts';

const pipelinesDir = new URL('../../pipelines/', import.meta.url);
const pipelines = readdirSync(pipelinesDir)
  .filter((f) => f.endsWith('.flow'))
  .map((f) => ({ file: f, text: readFileSync(new URL(f, pipelinesDir), 'utf8') }));

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
        const text = mutate(pipeline.text, mutations);
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
