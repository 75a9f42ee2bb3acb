// Every ```flow block in docs/ is a complete program, and it compiles (parse → check → plan →
// emit) with no errors. Blocks that show an error use another fence (```text).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileSource, formatDiagnostic } from '../src/index.ts';

const docsDir = new URL('../../docs/', import.meta.url);

function flowBlocks(markdown: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== '```flow') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]?.trim() !== '```') end++;
    blocks.push({ line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return blocks;
}

const docs = readdirSync(docsDir, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.md'))
  .sort();

describe('docs examples', () => {
  it('docs/language.md has examples', () => {
    expect(flowBlocks(readFileSync(new URL('language.md', docsDir), 'utf8')).length).toBeGreaterThan(10);
  });

  for (const doc of docs) {
    const blocks = flowBlocks(readFileSync(new URL(doc, docsDir), 'utf8'));
    for (const block of blocks) {
      it(`docs/${doc}:${block.line} compiles`, () => {
        const file = `docs/${doc}:${block.line}`;
        const result = compileSource(block.code, file);
        const errors = result.diagnostics.filter((d) => d.severity === 'error');
        expect(errors.map((d) => formatDiagnostic(d, block.code)).join('\n\n')).toBe('');
        expect(result.files.length).toBeGreaterThan(0);
      });
    }
  }
});
