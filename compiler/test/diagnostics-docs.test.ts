import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderDiagnosticsDoc } from '../src/diagnostics/docs.ts';
import { messages } from '../src/diagnostics/messages/index.ts';
import { COMPILER_VERSION } from '../src/version.ts';

describe('diagnostic catalog', () => {
  it('docs/diagnostics.md is generated from the catalog and up to date', () => {
    const committed = readFileSync(new URL('../../docs/diagnostics.md', import.meta.url), 'utf8');
    expect(committed, 'run `npm run docs:diagnostics`').toBe(renderDiagnosticsDoc());
  });

  it('codes are snake_case and every code has a summary', () => {
    for (const [code, definition] of Object.entries(messages)) {
      expect(code).toMatch(/^[a-z]+(_[a-z0-9]+)+$/);
      expect(definition.summary.length, code).toBeGreaterThan(10);
    }
  });

  it('COMPILER_VERSION matches package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(COMPILER_VERSION).toBe(pkg.version);
  });
});
